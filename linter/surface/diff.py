"""What a change does to the CORS surface (`corslint surface --diff REV`).

Two surface documents (surface-contract: the one at REV, the working
tree's) become a list of changes in plain words, each saying whether it
*widens* the surface: lets a new origin read, turns credentials on, starts
reflecting any origin, accepts a new method or header.  A pipeline fails on
those with `--fail-on-widen`, so an exposure change needs an explicit
review; a narrowing or neutral change (a method removed, Max-Age changed)
is listed but never fails it.

Scopes are matched by (site, path, assumption): a scope moved to another
file or line is the same scope.  A value the files do not determine (null
in the document) is compared with nothing: "unknown" is no change.  Each
change points at the configuration line behind it (the policy line's
`lines`, else the scope's `source`): on the after side, on the before side
for what was removed.
"""

from __future__ import annotations

from ..display import text as escaped

#: the kinds that widen the surface (`scope-added` only when the new scope admits an origin)
WIDENING = frozenset({"scope-added", "origin-added", "pattern-added", "reflects-any", "wildcard-added",
                      "credentials-on", "null-origin-added", "methods-added", "headers-added", "exposed-added"})
#: the origin kinds under which a scope lets some origin read
_ADMITTING = ("any", "reflect-any", "list", "pattern")
#: the origin kinds under which every origin (`null` too) reads
_EVERYONE = ("any", "reflect-any")


def compare(before: dict, after: dict, rev: str = "") -> dict:
    """The diff document (surface-contract) from the surface `before`
    (at revision `rev`, as the user gave it) to `after`, the working tree's."""
    old, new = _scopes(before), _scopes(after)
    changes: list[dict] = []
    for key in sorted(old.keys() | new.keys(), key=_key_order):
        if key not in new:
            changes.append(_change(key, "scope-removed", f"{_where(key, old[key]['_host'])} is gone", old[key]))
        elif key not in old:
            changes.append(_change(key, "scope-added", f"{_where(key, new[key]['_host'])} is new: "
                                   f"{_exposure(new[key])}", new[key], widens=_admits(new[key])))
        else:
            changes.extend(_scope_changes(key, old[key], new[key]))
    changes.sort(key=lambda c: (not c["widens"], c["site"], c["scope"], c["assumption"] or "", c["kind"],
                                c["message"]))
    return {"version": 1, "before": rev, "after": "working tree", "widens": any(c["widens"] for c in changes),
            "changes": changes}


def text(diff: dict) -> str:
    """The changes as lines (`+ widens:` before each widening one, the
    file:line after each message), then a line counting them; checkout text
    escaped (display.py)."""
    changes = diff["changes"]
    if not changes:
        return "No change to the CORS surface.\n"
    out = []
    for c in changes:
        mark = "+ widens: " if c["widens"] else "  "
        out.append(mark + escaped(c["message"]) + _located(c.get("source")))
    widening = sum(c["widens"] for c in changes)
    noun = "change" if len(changes) == 1 else "changes"
    out.append(f"{len(changes)} {noun} to the CORS surface since {escaped(diff['before'] or 'the revision')}"
               f" ({widening} widen{'s' if widening == 1 else ''} it).")
    return "\n".join(out) + "\n"


def _located(source: dict | None) -> str:
    """` (path:line)` for a change's source, or nothing when unknown."""
    if not source or not source.get("path"):
        return ""
    where = escaped(source["path"])
    return f" ({where}:{source['line']})" if source.get("line") else f" ({where})"


def _scopes(doc: dict) -> dict[tuple, dict]:
    """The document's scopes by (site, path, assumption), each with its
    server's host and port as `_host` (the first of a key that repeats)."""
    out: dict[tuple, dict] = {}
    for server in doc.get("servers") or []:
        for scope in server.get("scopes") or []:
            key = (server.get("site") or "", scope.get("path") or "", scope.get("assumption"))
            if key not in out:
                out[key] = {**scope, "_host": _host(server)}
    return out


def _host(server: dict) -> str:
    """`api.example.com`, or `localhost:8080` when the site names a port."""
    site = server.get("site") or ""
    return site.split("://", 1)[-1] or server.get("host") or "?"


def _key_order(key: tuple) -> tuple:
    return key[0], key[1], key[2] or ""


def _where(key: tuple, host: str) -> str:
    """`/api/ on api.example.com`, with the assumption when there is one."""
    _, path, assumption = key
    where = f"{path or '/'} on {host}"
    return f"{where} (when {assumption})" if assumption else where


def _admits(scope: dict) -> bool:
    """Whether the scope lets some origin read (its origins' kind, or `null`)."""
    origins = scope.get("origins") or {}
    return origins.get("kind") in _ADMITTING or bool(origins.get("null"))


#: a scope's exposure (surface-contract) in words
_EXPOSURE = {"any-with-credentials": "any origin reads it with credentials",
             "pattern-with-credentials": "a pattern admitting unintended origins reads it with credentials",
             "list-with-credentials": "listed origins read it with credentials",
             "any": "any origin reads it", "pattern": "origins matching a pattern read it",
             "list": "listed origins read it", "unknown": "who may read it is unknown",
             "none": "no origin may read it"}


def _exposure(scope: dict) -> str:
    return _EXPOSURE.get(scope.get("exposure"), "who may read it is unknown")


def _source(scope: dict, field: str | None) -> dict | None:
    """The first configuration line behind `field` of the policy, else the scope's source."""
    lines = (scope.get("lines") or {}).get(field) if field else None
    return (lines[0] if lines else None) or scope.get("source")


def _change(key: tuple, kind: str, message: str, scope: dict, field: str | None = None,
            widens: bool | None = None, source: dict | None = None) -> dict:
    return {"site": key[0], "scope": key[1], "assumption": key[2], "kind": kind,
            "widens": kind in WIDENING if widens is None else widens, "message": message,
            "source": source or _source(scope, field)}


def _scope_changes(key: tuple, old: dict, new: dict) -> list[dict]:
    """The changes from one scope's policy to the other's; what was
    removed points at the before side's line."""
    where = _where(key, new["_host"])
    out: list[dict] = []

    def add(kind: str, message: str, field: str | None, source: dict | None = None):
        out.append(_change(key, kind, message, old if kind.endswith("-removed") else new, field, source=source))

    was, now = old.get("origins") or {}, new.get("origins") or {}
    _origin_lists(add, where, was, now)
    for name, on, off, says in (("reflect-any", "reflects-any", "stops-reflecting", "reflects any origin"),
                                ("any", "wildcard-added", "wildcard-removed", "lets any origin read (*)")):
        if now.get("kind") == name and was.get("kind") != name:
            with_credentials = " with credentials" if name == "reflect-any" and new.get("credentials") else ""
            add(on, f"{where} now {says}{with_credentials}", "origins")
        elif was.get("kind") == name and now.get("kind") not in (name, "unknown"):
            add(off, f"{where} no longer {says}", "origins")
    if (was.get("kind") in _EVERYONE) == (now.get("kind") in _EVERYONE):   # else "any origin" says it
        _flip(add, was.get("null"), now.get("null"), ("null-origin-added", f"{where} now admits the origin null"),
              ("null-origin-removed", f"{where} no longer admits the origin null"), "origins")
    _flip(add, old.get("credentials"), new.get("credentials"),
          ("credentials-on", f"{where} now allows credentials (cookies, HTTP authentication)"),
          ("credentials-off", f"{where} no longer allows credentials"), "credentials")
    answered, answers = (old.get("preflight") or {}).get("answered"), (new.get("preflight") or {}).get("answered")
    for field, noun, verb in (("methods", "methods", "accepts"), ("headers", "request headers", "accepts"),
                              ("exposed", "response headers", "exposes")):
        added, removed = _listed(old.get(field), new.get(field))
        if added:
            add(f"{field}-added", f"{where} now {verb} {noun} {', '.join(added)}", field)
        if removed and not (field != "exposed" and answered is True and answers is False):
            # a preflight no longer answered accepts nothing: "no longer answers preflights" says it
            add(f"{field}-removed", f"{where} no longer {verb} {noun} {', '.join(removed)}", field)
    _flip(add, answered, answers, ("preflight-answered", f"{where} now answers preflights"),
          ("preflight-not-answered", f"{where} no longer answers preflights"), "preflight")
    _flip(add, old.get("errors_keep_cors"), new.get("errors_keep_cors"),
          ("errors-keep-cors", f"error answers from {where} now carry the CORS headers"),
          ("errors-lose-cors", f"error answers from {where} no longer carry the CORS headers"), None)
    before_age, after_age = _sent(old.get("max_age")), _sent(new.get("max_age"))
    if before_age != after_age:
        add("max-age-changed", f"{where} preflight cache (Max-Age) changed from {before_age} to {after_age}",
            "max_age")
    return out


def _origin_lists(add, where: str, was: dict, now: dict) -> None:
    """Exact origins and patterns added and removed.  Under `*` or a
    reflected origin every origin reads: the origins listed beside it
    were not added (before) or removed (after): the kind's own change
    (`reflects-any`, `wildcard-removed`...) says what happened."""
    old_patterns = {p.get("regex"): p for p in was.get("patterns") or ()}
    new_patterns = {p.get("regex"): p for p in now.get("patterns") or ()}
    if was.get("kind") not in _EVERYONE:
        for origin in sorted(set(now.get("values") or ()) - set(was.get("values") or ())):
            add("origin-added", f"origin {origin} added to {where}", "origins")
        for regex in sorted(new_patterns.keys() - old_patterns.keys(), key=str):
            p = new_patterns[regex]
            add("pattern-added", f"pattern {_pattern(p)} added to {where}", "origins", p.get("source"))
    if now.get("kind") not in _EVERYONE:
        for origin in sorted(set(was.get("values") or ()) - set(now.get("values") or ())):
            add("origin-removed", f"origin {origin} removed from {where}", "origins")
        for regex in sorted(old_patterns.keys() - new_patterns.keys(), key=str):
            p = old_patterns[regex]
            add("pattern-removed", f"pattern {_pattern(p)} removed from {where}", "origins", p.get("source"))


def _flip(add, was, now, on: tuple[str, str], off: tuple[str, str], field: str | None) -> None:
    """`on` when a known false (or unknown) turns true, `off` when true turns
    known false: unknown after a known value is no change."""
    if now is True and was is not True:
        add(*on, field)
    elif was is True and now is False:
        add(*off, field)


def _listed(was: list | None, now: list | None) -> tuple[list[str], list[str]]:
    """(added, removed) between two method or header lists; a wildcard
    covers what is listed beside it (`GET, PUT` to `*` adds `*` and removes
    nothing); unknown (null) on either side compares with nothing."""
    if was is None or now is None:
        return [], []
    old, new = set(was), set(now)
    if "*" in new:
        return (["*"], []) if "*" not in old else ([], [])
    if "*" in old:
        return [], ["*"]
    return sorted(new - old), sorted(old - new)


def _pattern(p: dict) -> str:
    """A pattern as its `described` language, with the unintended origins it admits."""
    shown = p.get("described") or p.get("regex") or "?"
    admits = p.get("admits") or []
    return f"{shown} (admits {', '.join(admits)})" if admits else shown


def _sent(max_age: dict | None) -> str:
    return "none" if not max_age or max_age.get("sent") is None else f"{max_age['sent']} s"
