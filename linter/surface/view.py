"""What the surface's views (markdown.py, html.py) say the same way: the
order of servers and scopes (widest exposure first, the contract's rank)
and the words for a policy's values.

Words come back as lists of parts: a plain `str` is corslint's own wording,
a `Value` is text the checkout chose (an origin, a path, a method) that
each view must show escaped and set apart (a Markdown code span, an HTML
`<code>`), so one wording serves both formats without either trusting it.
"""

from __future__ import annotations

#: the contract's exposures, widest first
EXPOSURES = ("any-with-credentials", "pattern-with-credentials", "list-with-credentials",
             "any", "pattern", "list", "unknown", "none")

#: what each exposure means to a reader
EXPOSURE_WORDS = {
    "any-with-credentials": "any origin, with credentials",
    "pattern-with-credentials": "a pattern wider than it looks, with credentials",
    "list-with-credentials": "listed origins, with credentials",
    "any": "any origin, without credentials",
    "pattern": "a pattern wider than it looks",
    "list": "listed origins",
    "unknown": "unknown",
    "none": "no cross-origin reads",
}

#: the access an origin has, in words short enough for a matrix cell
ACCESS_WORDS = {"none": "none", "read": "read", "read-credentials": "read + credentials",
                "unknown": "unknown"}


class Value(str):
    """Text the checkout chose: shown escaped and set apart, never as markup."""


def rank(exposure) -> int:
    """The position of `exposure` in `EXPOSURES` (an unknown word last)."""
    return EXPOSURES.index(exposure) if exposure in EXPOSURES else len(EXPOSURES)


def ordered(doc: dict) -> list[tuple[dict, list[dict]]]:
    """Each server with its scopes, widest exposure first, then by site and
    path (and assumption, so alternatives keep a stable order)."""
    servers = sorted(doc.get("servers", []), key=lambda s: (rank(s.get("exposure")), s.get("site") or ""))
    return [(server, sorted(server.get("scopes", []),
                            key=lambda c: (rank(c.get("exposure")), c.get("path") or "", c.get("assumption") or "")))
            for server in servers]


def by_host(doc: dict) -> list[tuple[str, list[tuple[dict, list[dict]]]]]:
    """`ordered(doc)` grouped by host; a host comes where its widest server does."""
    groups: dict[str, list[tuple[dict, list[dict]]]] = {}
    for server, scopes in ordered(doc):
        groups.setdefault(server.get("host") or "", []).append((server, scopes))
    return list(groups.items())


def where(source) -> Value | None:
    """`path:line` of a contract `source` (None when there is none)."""
    if not source or not source.get("path"):
        return None
    line = source.get("line")
    return Value(f"{source['path']}:{line}" if line else source["path"])


def scope_name(scope: dict) -> list:
    """The scope's path, its configuration name when that says more, and
    the assumption its policy holds under."""
    path = scope.get("path") or ""
    parts: list = [Value(path)]
    name = scope.get("name") or ""
    if name and name != path:
        parts += [" (", Value(name), ")"]
    if scope.get("assumption"):
        parts += [" when ", Value(scope["assumption"])]
    return parts


def readers(origins: dict | None) -> list[list]:
    """Who may read the scope's answers: one line (a list of parts) per
    kind of admission, patterns with the origins they admit unintended."""
    origins = origins or {}
    kind = origins.get("kind")
    lines: list[list] = []
    lead = {"none": "no origin", "any": ["any origin (", Value("*"), ")"], "reflect-any": "any origin (reflected)",
            "unknown": "unknown (the files do not say)"}.get(kind)
    if lead:
        lines.append(lead if isinstance(lead, list) else [lead])
    elif kind not in ("list", "pattern"):
        lines.append([Value(str(kind))])
    values = origins.get("values") or []
    if values:
        lines.append(_joined(values))
    for pattern in origins.get("patterns") or []:
        line = ["pattern ", Value(pattern.get("described") or pattern.get("regex") or "")]
        admits = pattern.get("admits") or []
        if admits:
            line += [" — also admits ", *_joined(admits)]
        lines.append(line)
    if origins.get("null"):
        lines.append(["the ", Value("null"), " origin (sandboxed pages, file: URLs)"])
    return lines or [["no origin"]]


def flag(value, absent: str = "unknown") -> str:
    """yes / no for a bool; `absent` for null."""
    return absent if value is None else ("yes" if value else "no")


def names(values, empty: str) -> list:
    """A list of methods or headers: the names, `empty` for none, unknown for null."""
    if values is None:
        return ["unknown"]
    return _joined(values) if values else [empty]


def preflight(answer: dict | None) -> str:
    """Whether preflights are answered, and with what status."""
    if not answer:
        return "unknown"
    if answer.get("answered"):
        status = answer.get("status")
        return f"answered ({status})" if isinstance(status, int) else "answered"
    return "not answered" if answer.get("answered") is False else "unknown"


def max_age(value: dict | None) -> str:
    """The Max-Age sent and what each browser keeps of it."""
    if not value:
        return "none sent"
    sent = value.get("sent")
    kept = ", ".join(f"{browser} {value[browser]}" for browser in ("chromium", "firefox", "webkit")
                     if isinstance(value.get(browser), int))
    return f"{sent} s sent" + (f" (kept: {kept})" if kept else "")


def error_line(error: dict) -> Value:
    """An input error of the document as the lint prints it: `path:line: message`."""
    at = where(error)
    return Value(f"{at}: {error.get('message', '')}" if at else str(error.get("message", "")))


def count(n: int, noun: str) -> str:
    """`3 scopes`, `1 scope`."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _joined(values) -> list:
    """`values` as Values separated by commas."""
    parts: list = []
    for n, value in enumerate(values):
        parts += ([", "] if n else []) + [Value(str(value))]
    return parts
