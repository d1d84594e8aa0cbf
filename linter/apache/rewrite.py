"""mod_rewrite: RewriteRule/RewriteCond.

Server-context rules run in translate_name (`apply_rules` on the URI),
per-directory rules in fixups (`fixup`), where a rewritten URI becomes an
internal redirect.  The request headers that conditions read are merged
into Vary.  Functions take `ev`, the request's `Evaluation` (evaluate.py).
"""

from __future__ import annotations

import re

from .. import saferegex
from ..model import Handler
from .expr import HEADER_VARIABLES, Unknown
from .outcome import Done


def fixup(ev, proxied) -> str | None:
    """fixups: mod_rewrite's per-directory rules.  The merged section
    configuration takes its rules from the last section with any
    mod_rewrite directive (rules are not inherited) and RewriteEngine
    from the last section that sets it.  Rules match the file name with
    the section's directory stripped (a <Location>'s rules see the whole
    file name, or `proxy:URL` for a proxied request)."""
    owner, engine = None, None
    for ctx in ev.contexts:
        if ctx.kind in ("server", "vhost"):
            continue
        if ctx.rewrite_engine is not None or ctx.rewrite_rules:
            owner = ctx
        if ctx.rewrite_engine is not None:
            engine = ctx.rewrite_engine
    if owner is None or not engine or not owner.rewrite_rules:
        return None
    if owner.kind == "htaccess" and ev.conf.htaccess_only:
        # an .htaccess linted on its own: its directory is the docroot
        return apply_rules(ev, owner.rewrite_rules, ev.uri.lstrip("/"), per_dir="/")
    if proxied is not None:
        return apply_rules(ev, owner.rewrite_rules, "proxy:" + proxied[0], per_dir="/")
    if owner.kind not in ("directory", "htaccess"):
        return apply_rules(ev, owner.rewrite_rules, ev.filename, per_dir="/")
    directory = owner.pattern.rstrip("/") + "/"
    if ev.filename.rstrip("/") + "/" == directory and not ev.filename.endswith("/"):
        # the directory's own rules step aside for mod_dir's slash redirect
        return None
    subject = ev.filename.removeprefix(directory)
    return apply_rules(ev, owner.rewrite_rules, subject, per_dir=url_of(ev, directory))


def url_of(ev, directory: str) -> str:
    """The URL path of a directory under the DocumentRoot ("/" otherwise)."""
    root = ev.host.document_root or ev.conf.main.document_root
    if root and directory.startswith(root[0].rstrip("/") + "/"):
        return directory[len(root[0].rstrip("/")):]
    return "/"


def apply_rules(ev, rules, subject: str, per_dir: str | None) -> str | None:
    """Run RewriteRules; returns a new URI, or raises Done for R/F/G."""
    changed = None
    skip_chain = False
    for rule in rules:
        if skip_chain:
            skip_chain = "C" in rule.flags
            continue
        flags = rule.flags
        try:
            m = saferegex.search(rule.pattern.lstrip("!"), subject, re.IGNORECASE if "NC" in flags else 0)
        except re.error:
            ev.certain = False
            continue
        negated = rule.pattern.startswith("!")
        if bool(m) == negated:
            skip_chain = "C" in flags
            continue
        captures = [m.group(0)] + [g or "" for g in m.groups()] if m else []
        held, cond_captures, vary = conditions(ev, rule.conditions, captures)
        if held:
            ev.add_vary(vary)
        if held is None:
            ev.certain = False
            ev.note(f"RewriteCond for the rule on line {rule.source.line} cannot be decided; assumed false",
                    rule.source)
            continue
        if not held:
            skip_chain = "C" in flags
            continue
        for item in flags.get("E", []):
            key, _, value = item.partition(":")
            try:
                ev.env[key] = substitute(ev, value, captures, cond_captures)
            except Unknown:     # a variable the model does not know (%{REMOTE_ADDR}): the value is unknown
                ev.certain = False
                continue
            ev.env_via[key] = (rule.source,)
        if "F" in flags:
            ev.note(f"RewriteRule (line {rule.source.line}) [F]: 403", rule.source)
            raise Done(403, rule.source, Handler.REWRITE, True)
        if "G" in flags:
            ev.note(f"RewriteRule (line {rule.source.line}) [G]: 410", rule.source)
            raise Done(410, rule.source, Handler.REWRITE, True)
        substitution = rule.substitution
        try:
            target = None if substitution == "-" else substitute(ev, substitution, captures, cond_captures)
        except Unknown:     # the rewrite depends on what the model does not know: the answer is uncertain
            ev.certain = False
            ev.note(f"RewriteRule (line {rule.source.line}) rewrites to a target that cannot be told", rule.source)
            continue
        if "P" in flags and target is not None:
            ev.note(f"RewriteRule (line {rule.source.line}) [P] proxies to {target}", rule.source)
            ev.rewrite_proxy = (target, rule.source)
            return None
        if "R" in flags:
            code_text = flags["R"]
            code = int(code_text) if isinstance(code_text, str) and code_text.isdigit() else \
                {"permanent": 301, "temp": 302, "seeother": 303}.get(str(code_text).lower(), 302)
            if 300 <= code < 400:
                location = target if target is not None else ev.uri
                if per_dir is not None and location is not None and not location.startswith(("/", "http")):
                    location = per_dir + location
                ev.note(f"RewriteRule (line {rule.source.line}) redirects with {code}", rule.source)
                raise Done(code, rule.source, Handler.REWRITE, True, [("location", ev.absolute(location))])
            # a status outside 3xx: the substitution is dropped and Apache
            # answers through its error path, with only `always` headers
            ev.note(f"RewriteRule (line {rule.source.line}) [R={code}]: answered on the error path",
                    rule.source)
            raise Done(code, rule.source, Handler.REWRITE, True)
        if target is not None:
            if per_dir is not None and not target.startswith("/"):
                target = per_dir + target
            path = target.partition("?")[0]
            changed = path
            subject = path   # later server-context rules see the new URI
            ev.note(f"RewriteRule (line {rule.source.line}) rewrites to {path}", rule.source)
            if per_dir is not None:
                return changed
        if "L" in flags or "END" in flags:
            break
    return changed


def conditions(ev, conditions, captures: list[str]):
    """A rule's RewriteConds as mod_rewrite runs them: all must hold, an
    `[OR]` chain holds with its first true member (the rest of the chain
    is not evaluated).  Returns (held or None when unknown, the %N
    captures of the last matched condition, the request headers the
    passing conditions read: they go to Vary when the rule applies)."""
    last_captures: list[str] = []
    vary: list[str] = []
    i = 0
    while i < len(conditions):
        test, pattern, flags, _source = conditions[i]
        reads: list[str] = []
        try:
            value = expand_test(ev, test, captures, last_captures, reads)
        except Unknown:
            value = None
        held = condition(value, pattern, flags)
        if isinstance(held, tuple):
            held, caps = held
            if held:
                last_captures = caps
        if held is None:
            return None, last_captures, vary
        if "NV" in flags or "NOVARY" in flags:
            reads = []
        if "OR" in flags:
            if not held:
                i += 1
                continue
            while i < len(conditions) and "OR" in conditions[i][2]:
                i += 1      # skip the rest of the chain (its last member too, below)
        elif not held:
            return False, last_captures, vary
        vary += reads
        i += 1
    return True, last_captures, vary


def condition(value: str | None, pattern: str, flags: dict):
    """One CondPattern against the expanded TestString: a bool, (matched,
    %N captures) for a regex, or None when unknown (file tests, a bad
    regex, an unknown variable)."""
    if value is None:
        return None
    negate = pattern.startswith("!")
    pattern = pattern[1:] if negate else pattern
    if pattern.startswith("=") and len(pattern) >= 1:
        held = (value.lower() == pattern[1:].lower()) if "NC" in flags else value == pattern[1:]
        return held != negate
    if pattern in ("-f", "-d", "-s", "-l", "-F", "-x", "-U", "-e"):
        return None
    try:
        m = saferegex.search(pattern, value, re.IGNORECASE if "NC" in flags else 0)
    except re.error:
        return None
    if negate:
        return not m
    return (bool(m), [m.group(0)] + [g or "" for g in m.groups()] if m else [])


def expand_test(ev, test: str, captures: list[str], cond_captures: list[str], reads: list[str]) -> str:
    """A RewriteCond's TestString; the request headers it finds go to
    `reads` (mod_rewrite varies only on headers the request has)."""
    def var(m):
        name = m.group(1)
        header = name[5:] if name.upper().startswith("HTTP:") else HEADER_VARIABLES.get(name.upper())
        if header is not None and ev.header(header) is not None:
            reads.append(header)
        return ev.variable(name)
    text = re.sub(r"%\{([^}]*)\}", var, test)
    return substitute(ev, text, captures, cond_captures)


def substitute(ev, text: str, captures: list[str], cond_captures: list[str]) -> str:
    """$N (rule captures), %N (condition captures) and %{VAR} (server variables)."""
    text = re.sub(r"%\{([^}]*)\}", lambda m: ev.variable(m.group(1)), text)
    text = re.sub(r"\$(\d)", lambda m: captures[int(m.group(1))] if int(m.group(1)) < len(captures) else "",
                  text)
    return re.sub(r"%(\d)", lambda m: cond_captures[int(m.group(1))]
                  if int(m.group(1)) < len(cond_captures) else "", text)
