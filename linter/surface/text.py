"""The surface as a readable table (`corslint surface`, the default format).

Grouped by host, the widest exposure first (the document's order), one
block per scope: who may read, credentials, methods, headers, exposed
headers, Max-Age as Chromium keeps it, the preflight, whether errors and
redirects keep CORS, the configuration lines behind each line (file:line)
and what the files leave unknown.  Lines are wrapped to fit 80 columns.
Input errors are not repeated here: the CLI prints them on stderr.
Every text that comes from the checkout (names, paths, patterns, origins)
is escaped (display.py): the checkout is hostile.
"""

from __future__ import annotations

from ..display import line, text
from . import view

WIDTH = 80
#: the label column of a scope's block
LABEL = 18
#: a space no line is broken at (`line 17` stays whole), a space once
#: wrapped; a NUL, which escaped checkout text never holds (display.text)
GLUE = "\x00"
#: the exposures a scope's heading shouts (another site reads the user's data)
ALARMING = ("any-with-credentials", "pattern-with-credentials")


def render(doc: dict) -> str:
    out: list[str] = []
    for host, servers in view.by_host(doc):
        out.append(f"{line(host)}")
        out.append("=" * min(WIDTH, max(len(text(host)), 8)))
        for server, scopes in servers:
            out += _server(server, scopes)
    if not doc["servers"]:
        out.append("no server or scope found in these files")
    return "\n".join(out) + "\n"


def _server(server: dict, scopes: list[dict]) -> list[str]:
    out = [*_wrapped(text(server["site"]) + " ", f"(from {_where(server['source'])})", 2), ""]
    for scope in scopes:
        out += _scope(scope)
        out.append("")
    return out


def _scope(scope: dict) -> list[str]:
    words = view.EXPOSURE_WORDS[scope["exposure"]]
    head = f"  {text(scope['path'])}  [{words.upper() if scope['exposure'] in ALARMING else words}]"
    home = scope["source"]["path"] if scope["source"] else None
    out = [head, *_wrapped("", text(scope["name"]) + f" ({_where(scope['source'])})", 4)]
    if scope["assumption"]:
        out += _wrapped("", "assuming " + text(scope["assumption"]), 4)
    lines = scope["lines"]
    origins = scope["origins"]
    out += _field("who may read", _readers(origins), lines["origins"], home)
    for pattern in origins["patterns"]:
        words = f"pattern {text(pattern['described'])} ({_lines([pattern['source']], home)})"
        if pattern["admits"]:
            words += "; also admits " + ", ".join(text(o) for o in pattern["admits"])
        out += _wrapped("", words, 4 + LABEL)
    if origins["null"]:
        out += _wrapped("", "the `null` origin too (sandboxed iframes, file: pages)", 4 + LABEL)
    out += _field("credentials", _yes_no(scope["credentials"]), lines["credentials"], home)
    out += _field("methods", _items(scope["methods"], "simple requests only (GET, HEAD, POST)"), lines["methods"], home)
    out += _field("request headers", _items(scope["headers"], "CORS-safelisted only"), lines["headers"], home)
    out += _field("exposed headers", _items(scope["exposed"], "none"), lines["exposed"], home)
    out += _field("max-age", _max_age(scope["max_age"]), lines["max_age"], home)
    preflight = scope["preflight"]
    status = "unknown status" if preflight["status"] is None else str(preflight["status"])
    out += _field("preflight", f"answered ({status})" if preflight["answered"] else f"not answered ({status})",
                  lines["preflight"], home)
    out += _field("errors keep CORS", _kept(scope["errors_keep_cors"], "error"), [], home)
    out += _field("redirects keep", _kept(scope["redirects_keep_cors"], "redirect"), [], home)
    for unknown in scope["unknowns"]:
        out += _field("unknown", text(unknown), [], home)
    return out


def _readers(origins: dict) -> str:
    kind = origins["kind"]
    if kind == "any":
        return "every origin (`*`)"
    if kind == "reflect-any":
        return "every origin (the request's Origin is echoed back)"
    if kind == "unknown":
        return "unknown (the value is decided outside these files)"
    if kind == "none":
        return "no other origin"
    listed = ", ".join(text(o) for o in origins["values"])
    if kind == "pattern":
        return listed + (" and " if listed else "") + "origins matching the patterns below"
    return listed


def _field(label: str, value: str, sources: list[dict], home: str | None) -> list[str]:
    shown = value + (f" ({_lines(sources, home)})" if sources else "")
    return _wrapped(f"    {label:<{LABEL}}", shown, 4 + LABEL)


def _lines(sources: list[dict], home: str | None) -> str:
    """Configuration lines, those of the scope's own file (`home`) as
    `line 4, 14`, the others as file:line."""
    sources = [s for s in sources if s]
    own = [str(s["line"]) for s in sources if s["path"] == home and s["line"]]
    others = [_where(s) for s in sources if s["path"] != home or not s["line"]]
    words = ([("line" if len(own) == 1 else "lines") + GLUE + ", ".join(own)] if own else []) + others
    return ", ".join(words)


def _wrapped(first: str, words: str, indent: int) -> list[str]:
    """`first` then `words`, wrapped at WIDTH with the continuation lines indented."""
    import textwrap

    lead = first or " " * indent
    wrapped = textwrap.wrap(words, WIDTH, initial_indent=lead, subsequent_indent=" " * indent,
                            break_on_hyphens=False) or [lead.rstrip()]
    return [part.replace(GLUE, " ") for part in wrapped]


def _where(source: dict | None) -> str:
    return text(view.where(source) or "unknown place")


def _yes_no(value: bool | None) -> str:
    return "unknown" if value is None else "allowed" if value else "not allowed"


def _items(items: list[str] | None, empty: str) -> str:
    if items is None:
        return "unknown"
    if items == ["*"]:
        return "any (`*`)"
    return ", ".join(text(i) for i in items) if items else empty


def _max_age(max_age: dict | None) -> str:
    if max_age is None:
        return "not sent (browsers cache a preflight 5 s)"
    if max_age["chromium"] is None:
        return "unknown"
    sent = text(str(max_age["sent"]))
    return f"{sent} s sent; Chromium keeps {max_age['chromium']} s, Firefox {max_age['firefox']} s, " \
           f"Safari {max_age['webkit']} s"


def _kept(value: bool | None, what: str) -> str:
    if value is None:
        return f"no {what} answer known"
    return "yes" if value else "no: the browser blocks them"
