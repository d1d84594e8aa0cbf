"""The surface document: per server and scope, the CORS policy a browser
meets (surface-contract.md gives its shape).

The files are walked, read and judged exactly as a lint run does
(`engine.walk`: folders, deployment wiring, templates, includes read in
their includer's context, alternatives, input errors); only the check
differs: instead of the rules, `Survey` asks each scope's `ProbeContext`
the contract's questions with the same browser-realistic requests the rules
send, and yields one hit per scope whose `data` is the scope's entry.  The
engine carries hits through forked shares, alternatives (identical policies
merge into one hit, a differing one gets the alternative's condition in
front of its message) and template variants, so the entry's message is a
digest of its policy: what is left around it in the merged message is the
assumption under which the policy holds.

Every scope asks a bounded set of origins (its listed origins, a few
pattern examples, the candidates CORS205 tries, one hostile origin and
`null`); the document's other origins are judged from the scope's kind,
so a run costs a few model calls per scope whatever the number of scopes.
"""

from __future__ import annotations

import json

from ..cors import ACAC, ACAH, ACAM, ACAO, ACEH, CORS_HEADERS, MAX_AGE
from ..diagnostics import Hit
from ..origins import HOSTILE, is_serialized_origin, pattern_examples
from ..probes import actual_method, allow_list, split_list
from ..urls import split as split_url

VERSION = 1
#: the document probes at most this many origins (listed and pattern examples first, then hostile and null)
MAX_ORIGINS = 40
#: a scope asks at most this many of its listed origins, and of each pattern's examples
MAX_LISTED = 20
MAX_PATTERN_EXAMPLES = 2
#: a scope's patterns analysed, and the unintended origins given per pattern
MAX_PATTERNS = 10
MAX_ADMITS = 3
#: what a signed-in page's request to a scope behind authentication carries
SIGNED_IN = ("authorization", "Bearer corslint-surface")
#: widest first: the order text, markdown and html sort by
EXPOSURES = ("any-with-credentials", "pattern-with-credentials", "list-with-credentials", "any", "pattern",
             "list", "unknown", "none")
RANK = {name: index for index, name in enumerate(EXPOSURES)}
READS = ("read", "read-credentials")
#: the policy lines an entry names the configuration lines of
LINE_FIELDS = ("origins", "credentials", "methods", "headers", "exposed", "max_age", "preflight")


class Survey:
    """The check `surface` runs on each model instead of the rules (the
    engine calls it as it calls a rule): one hit per scope, its entry as
    the hit's `data` and `digest(entry)` as the message."""

    code = "SURFACE"
    name = "surface"
    severity = "info"

    def check(self, ctx):
        for probe in ctx.probes:
            entry = scope_entry(ctx, probe)
            yield Hit(probe.scope.source, digest(entry), data=entry)


def digest(entry: dict) -> str:
    """The hit's message: a hash of the entry's policy (canonical JSON), so
    equal policies have equal messages and a large model's hits stay small.
    Its `lines` are left out, so alternatives (or template variants) whose
    policies agree merge into one entry even where different lines give it
    (that entry keeps the first one's lines)."""
    import hashlib

    policy = json.dumps({key: value for key, value in entry.items() if key != "lines"}, sort_keys=True)
    return "policy " + hashlib.sha256(policy.encode("utf-8", "surrogatepass")).hexdigest()


def surface(paths: list[str], settings, forced_kind: str | None = None, root: str | None = None,
            mappings: list | None = None, base=None):
    """(the surface document of `paths`, the run's report): the report's
    `errors` are the input errors (the CLI exits 2 on them), paths in the
    document are relative to `base` (report/paths.Base; found as lint's
    JSON finds it when None)."""
    from ..engine import probe_context_maker, walk
    from ..report.paths import Base

    base = base or Base.find()
    report, outcomes, _governing = walk(paths, settings, lambda entries, governing: [Survey()],
                                        probe_context_maker(settings), forced_kind, root, False, mappings)
    scopes = []
    for outcome in outcomes:
        scopes += [placed(finding, base) for finding in outcome.findings if finding.data is not None]
        outcome.findings = []   # each entry is held once (a large model has thousands)
    return document(scopes, report.errors, base), report


def placed(finding, base) -> dict:
    """A hit's entry where the engine left it (a template's line), paths
    relative to the base, with the assumption the merge wrote around it."""
    entry = dict(finding.data)
    text = digest(finding.data)
    at = finding.message.find(text)
    before, after = (finding.message[:at], finding.message[at + len(text):]) if at >= 0 else ("", "")
    words = [before[:-2] if before.endswith(": ") else before, after.strip().removeprefix("(").removesuffix(")")]
    entry["assumption"] = "; ".join(w for w in words if w) or None
    entry["source"] = _rebased({"path": finding.path, "line": finding.line}, base)
    entry["lines"] = {name: [_rebased(s, base) for s in sources] for name, sources in entry["lines"].items()}
    entry["origins"] = {**entry["origins"], "patterns": [{**p, "source": _rebased(p["source"], base)}
                                                         for p in entry["origins"]["patterns"]]}
    return entry


def _rebased(source: dict | None, base) -> dict | None:
    if source is None:
        return None
    return {"path": base.shown(source["path"]), "line": source["line"]}


def _source(src) -> dict | None:
    return None if src is None else {"path": src.path, "line": src.line}


# --------------------------------------------------------------------------- one scope

def access_of(answer, origin: str, configured: bool) -> str:
    """What a page from `origin` gets from `answer`: none, read, read with
    credentials, or unknown (a value the files do not set, or no
    configured Allow-Origin where a backend's own headers are unknown)."""
    lines = answer.lines(ACAO)
    if any(h.value is None for h in lines):
        return "unknown"
    if not lines:
        return "unknown" if answer.upstream_headers_unknown and not configured else "none"
    if len(lines) > 1:
        return "none"    # browsers refuse more than one Allow-Origin value
    value = lines[0].value.strip()
    if value == "*":
        return "read"     # credentialed requests fail against `*`; plain ones read
    if value != origin:
        return "none"
    return "read-credentials" if answer.get(ACAC) == "true" else "read"


def scope_entry(ctx, probe) -> dict:
    """The contract's scope entry (paths as the model names them; the
    document rebases them)."""
    scope = probe.scope
    trusted = probe.origin
    listed = [o for o in scope.literal_origins if is_serialized_origin(o)][:MAX_LISTED]
    patterns = list(scope.origin_patterns[:MAX_PATTERNS])
    examples = [e for p in patterns for e in pattern_examples(p.regex, p.ignore_case)[:MAX_PATTERN_EXAMPLES]]
    asked = list(dict.fromkeys([trusted, *listed, *examples, HOSTILE, "null"]))
    # a scope behind authentication is read by signed-in pages: their requests carry credentials
    signed_in = (SIGNED_IN,) if scope.authenticates else ()
    method = actual_method(scope)
    answers = {o: ctx.ask(scope, method, o, signed_in) for o in asked}
    fixed = [h.value for a in answers.values() for h in a.config_lines(ACAO)
             if h.value and h.value not in asked and is_serialized_origin(h.value)]
    for origin in dict.fromkeys(fixed):     # a fixed Allow-Origin value: that origin reads
        answers[origin] = ctx.ask(scope, method, origin, signed_in)
        listed.append(origin)
    configured = any(a.config_lines(ACAO) for a in answers.values())
    access = {o: access_of(a, o, configured) for o, a in answers.items()}
    sent = [h.value for a in answers.values() for h in a.lines(ACAO)]
    reflects = access[HOSTILE] in READS and "*" not in sent
    pattern_entries = [_pattern(ctx, probe, p, access, configured, signed_in, skip=reflects or "*" in sent)
                       for p in patterns]
    values = sorted(o for o in dict.fromkeys(listed) if access.get(o) in READS)
    if "*" in sent:
        kind = "any"
    elif reflects:
        kind = "reflect-any"
    elif any(access[o] == "unknown" for o in asked):
        kind = "unknown"
    elif any(p["admits"] for p in pattern_entries) or any(access.get(e) in READS for e in examples):
        kind = "pattern"
    elif values:
        kind = "list"
    else:
        kind = "none"
    if kind in ("any", "reflect-any"):
        values = []
    credentials = _credentials(answers, access, kind)
    preflight = probe.preflight
    answered = preflight.is_ok and access_of(preflight, trusted, configured) in READS
    actual = answers[trusted]
    exposure = _exposure(kind, credentials, pattern_entries)
    return {
        "site": _site(scope.url)[0],
        "name": scope.name,
        "path": probe.path,
        "source": _source(scope.source),
        "assumption": None,
        "exposure": exposure,
        "origins": {"kind": kind, "values": values, "patterns": pattern_entries,
                    "null": access["null"] in READS},
        "access": access,
        "credentials": credentials,
        "methods": _allowed(preflight, ACAM, str.upper) if answered else [],
        "headers": _allowed(preflight, ACAH, str.lower) if answered else [],
        "exposed": _exposed(actual),
        "max_age": _max_age(preflight),
        "preflight": {"answered": answered, "status": preflight.status},
        "errors_keep_cors": _keeps(_errors(probe), trusted, configured, kind),
        "redirects_keep_cors": _keeps([actual] if actual.is_redirect else [], trusted, configured, kind),
        "unknowns": _unknowns(scope, answers, preflight),
        "lines": _lines(answers, preflight, actual),
    }


def _errors(probe) -> list:
    """The error answers the scope can produce: the backend down (where an
    error page answers it) and, behind authentication, the refusal of a
    request without credentials (an authorizer's 401)."""
    refused = probe.actual if probe.scope.authenticates and probe.actual.status is not None and \
        400 <= probe.actual.status < 500 else None
    return [a for a in (probe.backend_down, refused) if a is not None]


def _pattern(ctx, probe, pattern, access: dict, configured: bool, extra: tuple, skip: bool) -> dict:
    """A pattern's entry: its language described, and the origins outside
    the trusted domains that the model admits through it (CORS205's
    candidates, asked with the scope's `extra` headers; their access joins
    `access`), at most MAX_ADMITS; none looked for when the scope admits
    every origin anyway (`skip`)."""
    admits: list[str] = []
    if not skip:
        method = actual_method(probe.scope)
        for candidate in ctx.foreign_candidates(pattern):
            if candidate not in access:
                answer = ctx.ask(probe.scope, method, candidate, extra)
                access[candidate] = access_of(answer, candidate, configured)
            if access[candidate] in READS:
                admits.append(candidate)
                if len(admits) == MAX_ADMITS:
                    break
    return {"regex": pattern.regex, "described": describe(pattern.regex, pattern.full_match),
            "admits": sorted(admits), "source": _source(pattern.source)}


def _credentials(answers: dict, access: dict, kind: str) -> bool | None:
    """Allow-Credentials `true` sent to an admitted origin; None when unknown."""
    if kind == "unknown":
        return None
    admitted = [answers[o] for o, a in access.items() if a in READS and o in answers]
    if any(a.get(ACAC) == "true" for a in admitted):
        return True
    if any(h.value is None for a in admitted for h in a.lines(ACAC)):
        return None
    return False


def _exposure(kind: str, credentials: bool | None, patterns: list[dict]) -> str:
    wide = any(p["admits"] for p in patterns)
    if kind == "reflect-any":
        return "any-with-credentials" if credentials else "any"
    if kind == "pattern" and wide:
        return "pattern-with-credentials" if credentials else "pattern"
    if kind in ("pattern", "list"):
        return "list-with-credentials" if credentials else "list"
    return kind     # any, unknown, none


def _allowed(answer, name: str, case) -> list[str] | None:
    """A preflight's Allow-Methods / Allow-Headers: sorted, `["*"]` for a
    wildcard, None when a value is unknown."""
    items = allow_list(answer, name)[1]
    if items is None:
        return None
    if "*" in items:
        return ["*"]
    return sorted({case(i) for i in items})


def _exposed(answer) -> list[str] | None:
    lines = answer.lines(ACEH)
    if any(h.value is None for h in lines):
        return None
    return sorted({item.lower() for h in lines for item in split_list(h.value)})


def _max_age(preflight) -> dict | None:
    """The Max-Age sent and what each browser keeps (browser.max_age_effect)."""
    from ..browser import max_age_effect
    from ..cors import max_age_seconds

    lines = preflight.lines(MAX_AGE)
    if not lines:
        return None
    value = preflight.get(MAX_AGE)
    if value is None:
        return {"sent": None, "chromium": None, "firefox": None, "webkit": None}
    effect = max_age_effect(value)
    seconds = max_age_seconds(value)
    return {"sent": value if seconds is None else seconds, "chromium": effect[0], "firefox": effect[1],
            "webkit": effect[2]}


def _keeps(answers: list, origin: str, configured: bool, kind: str) -> bool | None:
    """Whether the error (or redirect) answers still let the origin read:
    False when one does not; None when there is no such answer, the scope
    admits nobody, or it is unknown."""
    if not answers or kind == "none":
        return None
    got = [access_of(answer, origin, configured) for answer in answers]
    if any(g == "none" for g in got):
        return False
    return None if "unknown" in got else True


def _unknowns(scope, answers: dict, preflight) -> list[str]:
    from ..unknown import holds

    out = ["the host name (a template value: the site shows its placeholder)"] if holds(scope.url) else []
    every = [*answers.values(), preflight]
    if any(a.upstream_headers_unknown for a in every):
        out.append("the proxied backend's own CORS headers (the backend is not in these files)")
    for name in CORS_HEADERS:
        if any(h.value is None and h.source is not None for a in every for h in a.lines(name)):
            out.append(f"the value of {_title(name)} (set outside these files)")
    if preflight.status is None:
        out.append("the preflight's status (decided outside these files)")
    return out


def _title(name: str) -> str:
    return "-".join(part.capitalize() for part in name.split("-"))


def _lines(answers: dict, preflight, actual) -> dict:
    """Per policy line, the configuration lines behind it (the header
    directives and the `map` entries or `if`s that chose their values)."""
    def of(answer_list, name):
        found = set()
        for answer in answer_list:
            for h in answer.config_lines(name):
                found.update(s for s in (h.source, *h.via) if s is not None)
        return [_source(s) for s in sorted(found, key=lambda s: (s.path, s.line or 0))]

    everyone = [*answers.values(), preflight]
    status = [_source(preflight.status_source)] if preflight.status_source is not None else []
    return {"origins": of(everyone, ACAO), "credentials": of(everyone, ACAC), "methods": of([preflight], ACAM),
            "headers": of([preflight], ACAH), "exposed": of([actual], ACEH), "max_age": of([preflight], MAX_AGE),
            "preflight": status}


def _site(url: str) -> tuple[str, str, int]:
    """(`scheme://host[:port]`, host, port) of a scope URL, the default port left out."""
    parts = split_url(url)
    scheme = parts.scheme or "http"
    host = (parts.hostname or "localhost").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    default = 443 if scheme == "https" else 80
    port = port or default
    shown = f"[{host}]" if ":" in host else host
    return f"{scheme}://{shown}" + ("" if port == default else f":{port}"), host, port


# --------------------------------------------------------------------------- the pattern described

def describe(regex: str, full_match: bool = False) -> str:
    """A pattern's language in words a reviewer reads at a glance:
    `^https://.*example\\.com$` -> `https://<anything>example.com`,
    `^https?://` -> `http[s]://`; an unanchored side is `<anything>` too.
    One left-to-right pass over the pattern: linear in its length."""
    out = []
    text = regex
    start = 1 if text.startswith("^") else 0
    end = len(text) - 1 if text.endswith("$") and not text.endswith("\\$") else len(text)
    if not start and not full_match:
        out.append("<anything>")
    i = start
    while i < end:
        i, atom, wild = _atom(text, i, end)
        quantifier = text[i] if i < end and text[i] in "?*+" and atom not in "()|" else ""
        i += len(quantifier)
        if wild == "." and quantifier in "*+" and quantifier:
            out.append("<anything>")
        elif wild == "[":
            out.append(f"<{atom}{quantifier}>")
        elif quantifier == "?":
            out.append(f"[{atom}]")
        elif quantifier:
            out.append(f"<{atom}{quantifier}>")
        else:
            out.append(atom)
    if end == len(text) and not full_match:
        out.append("<anything>")
    return "".join(out)


def _atom(text: str, i: int, end: int) -> tuple[int, str, str]:
    """(where the next atom of the pattern ends, the atom as shown, `.` for
    any character, `[` for a class, else "")."""
    ch = text[i]
    if ch == "\\" and i + 1 < end:
        nxt = text[i + 1]
        return i + 2, nxt if nxt in ".-/:?*+()[]{}|^$\\" else f"\\{nxt}", ""
    if ch == "[":
        close = text.find("]", i + 2)
        close = end - 1 if close < 0 else close
        return close + 1, text[i:close + 1], "["
    if ch == ".":
        return i + 1, "<any character>", "."
    return i + 1, ch, ""


# --------------------------------------------------------------------------- the document

def document(scopes: list[dict], errors: list, base) -> dict:
    """The contract's document from the scope entries: grouped in servers
    by site, the origins probed chosen (at most MAX_ORIGINS), each scope's
    access given for every one of them."""
    from .. import __version__

    listed = sorted({o for s in scopes for o in s["origins"]["values"]})
    # the origins a pattern admits as meant (its own examples: https://app.example.com for
    # ^https://app\.example\.com), then those it also admits
    meant = sorted({o for s in scopes if s["origins"]["patterns"] for o, a in s["access"].items()
                    if a in READS and o not in (HOSTILE, "null")} - set(listed))
    examples = sorted({o for s in scopes for p in s["origins"]["patterns"] for o in p["admits"]} - set(listed))
    examples = [o for o in meant if o not in examples] + examples
    probed = [*listed, *examples][:MAX_ORIGINS - 2] + [HOSTILE, "null"]
    servers: dict[str, dict] = {}
    for entry in scopes:
        site, host, port = _site_of(entry["site"])
        entry["access"] = {o: entry["access"].get(o) or _judged(entry, o) for o in probed}
        scope = {key: entry[key] for key in ("name", "path", "source", "assumption", "exposure", "origins",
                                             "access", "credentials", "methods", "headers", "exposed", "max_age",
                                             "preflight", "errors_keep_cors", "redirects_keep_cors", "unknowns",
                                             "lines")}
        server = servers.setdefault(site, {"site": site, "host": host, "port": port, "source": None,
                                           "exposure": "none", "scopes": []})
        server["scopes"].append(scope)
    for server in servers.values():
        server["scopes"] = _merged(server["scopes"])
        server["scopes"].sort(key=lambda s: (RANK[s["exposure"]], s["path"], s["name"], s["assumption"] or ""))
        server["exposure"] = server["scopes"][0]["exposure"]
        first = min(server["scopes"], key=lambda s: (s["source"]["path"], s["source"]["line"] or 0))
        server["source"] = first["source"]
    return {
        "version": VERSION,
        "tool": {"name": "corslint", "version": __version__},
        "origins_probed": probed,
        "servers": sorted(servers.values(), key=lambda s: (RANK[s["exposure"]], s["site"])),
        "errors": [{"path": base.shown(e.path), "line": e.line, "message": e.message} for e in errors],
    }


def _site_of(site: str) -> tuple[str, str, int]:
    return _site(site + "/")


def _merged(scopes: list[dict]) -> list[dict]:
    """One entry per scope and assumption: the same scope reached twice (a
    template's variants, a file read under two names) is given once."""
    seen: dict[tuple, dict] = {}
    for scope in scopes:
        key = (scope["path"], scope["name"], scope["source"]["path"], scope["source"]["line"], scope["assumption"])
        seen.setdefault(key, scope)
    return list(seen.values())


def _judged(entry: dict, origin: str) -> str:
    """The access of an origin the scope was not asked about, from what the
    scope is: `*` and a reflected origin let every page read, an exact list
    only its own, a pattern the origins its regex matches."""
    kind = entry["origins"]["kind"]
    credentials = "read-credentials" if entry["credentials"] else "read"
    if kind == "any":
        return "read"
    if kind == "reflect-any":
        return credentials if origin != "null" else "none"
    if kind == "unknown":
        return "unknown"
    if kind == "pattern" and any(_matches(p["regex"], origin) for p in entry["origins"]["patterns"]):
        return credentials
    return credentials if origin in entry["origins"]["values"] else "none"


def _matches(regex: str, origin: str) -> bool:
    from ..regexes import compile_pcre

    compiled = compile_pcre(regex, False)
    return bool(compiled and compiled.search(origin))
