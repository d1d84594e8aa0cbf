"""mod_setenvif and mod_env: SetEnvIf/SetEnvIfNoCase/BrowserMatch/
SetEnvIfExpr set the environment in post_read_request (server context)
and header_parser (per directory); mod_env's SetEnv runs later, in
fixups.  Functions take `ev`, the request's `Evaluation` (evaluate.py).
"""

from __future__ import annotations

import re

from .. import saferegex
from .conf import Context

_REGEX_SYNTAX = re.compile(r"(?<!\\)[.^$()\[\]*+?{}|]")


def apply(ev, contexts: list[Context], fixup: bool = False) -> None:
    """SetEnvIf/SetEnvIfExpr rules, or with `fixup` mod_env's SetEnv lines."""
    for ctx in contexts:
        for rule in ctx.setenv:
            if rule.fixup != fixup:
                continue
            if rule.expr is not None:
                if rule.expr == "true":
                    matched = True
                    captures: list[str] = []
                else:
                    captures = []
                    held = ev.expression(rule.expr, captures)
                    if held is None:
                        ev.certain = False
                    matched = bool(held)
            else:
                value = setenv_attribute(ev, rule.attribute)
                if value is None:
                    continue
                if not _is_regex(rule.pattern):
                    # mod_setenvif matches a pattern without regex syntax as a
                    # plain substring, and then leaves `$0` as it is
                    literal = re.sub(r"\\(.)", r"\1", rule.pattern)
                    haystack, needle = (value.lower(), literal.lower()) if rule.ignore_case else (value, literal)
                    if needle not in haystack:
                        continue
                    matched, captures = True, []
                else:
                    try:
                        m = saferegex.search(rule.pattern, value, re.IGNORECASE if rule.ignore_case else 0)
                    except re.error:
                        ev.certain = False
                        continue
                    if not m:
                        continue
                    matched = True
                    captures = [m.group(0)] + [g or "" for g in m.groups()]
            if not matched:
                continue
            for name, value in rule.assignments:
                if value is None:
                    ev.env.pop(name, None)
                    continue
                if captures:
                    value = re.sub(r"\$(\d)", lambda mm: captures[int(mm.group(1))]
                                   if int(mm.group(1)) < len(captures) else "", value)
                ev.env[name] = value
                ev.env_via[name] = (rule.source,)


#: SetEnvIf's request attributes that are not headers: mod_setenvif reads
#: them from the request (None: unknown before the request reaches a server)
_REQUEST_ATTRIBUTES = {
    "request_method": lambda ev: ev.method,
    "request_uri": lambda ev: ev.uri,
    "remote_addr": lambda ev: ev.client_addr,
    "remote_host": lambda ev: ev.client_addr,
    "server_addr": lambda ev: None,
}


def setenv_attribute(ev, attribute: str) -> str | None:
    """The value SetEnvIf matches for `attribute`: a request attribute, an
    environment variable set earlier, else the request header (empty when absent)."""
    lower = attribute.lower()
    if lower in _REQUEST_ATTRIBUTES:
        return _REQUEST_ATTRIBUTES[lower](ev)
    if lower in ev.env:
        return ev.env[lower]
    return ev.header(attribute) or ""


def _is_regex(pattern: str) -> bool:
    """mod_setenvif treats a pattern with unescaped regex syntax as a regex."""
    return bool(_REGEX_SYNTAX.search(pattern))
