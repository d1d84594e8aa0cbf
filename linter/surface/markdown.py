"""The CORS surface as Markdown (`corslint surface -f markdown`), for a
pull-request comment or `$GITHUB_STEP_SUMMARY`: one table per host, widest
exposure first (who may read, credentials, methods, headers, preflight,
whether errors keep CORS, the source line), then what the files leave
unknown and the run's input errors.  `render_diff` writes the changes a
`--diff` found as a list, widening ones first and marked.

The checkout's text goes only into code spans and the report stays within a
comment's size: gfm.py's rules, shared with the lint's Markdown report.
"""

from __future__ import annotations

from ..gfm import LIMIT, code, fit
from . import view

#: a table's head and its headings take less than this
_HEAD_ROOM = 500
_MORE_ROWS = "| … and {} more scopes not shown (the report is kept within a comment's size) |" + " |" * 7
_HEAD = ["| Scope | Who may read | Credentials | Methods | Headers | Preflight | Errors keep CORS | Source |",
         "| --- | --- | --- | --- | --- | --- | --- | --- |"]


def render(doc: dict) -> str:
    """The surface document `doc` (the contract's shape) as Markdown."""
    groups = view.by_host(doc)
    scopes = sum(len(s) for _, servers in groups for _, s in servers)
    errors = [f"- {code(view.error_line(e))}" for e in doc.get("errors") or []]
    title = f"### CORS surface: {view.count(scopes, 'scope')} on {view.count(len(groups), 'host')}"
    out = [title + (f", {view.count(len(errors), 'input error')}" if errors else ""), ""]
    if not scopes:
        out += ["No server or scope with a CORS policy was found.", ""]
    reserved = min(_size(errors), (LIMIT - 1_000) // 2)    # the errors keep up to half
    room = LIMIT - 1_000 - reserved
    unknowns: list[str] = []
    hidden, full = 0, False
    for host, servers in groups:
        rows = [_row(server, scope, len(servers) > 1) for server, scope_list in servers for scope in scope_list]
        if not rows:
            continue
        if full or room < _size(rows[:1]) + _HEAD_ROOM:     # no room for this table's head and a row
            hidden, full = hidden + len(rows), True
            continue
        exposure = view.EXPOSURE_WORDS.get(servers[0][0].get("exposure"), "unknown")
        shown, used = fit(rows, room - _HEAD_ROOM, _MORE_ROWS)
        out += [f"#### {code(host) or 'no host'}: {exposure}", "", *_HEAD, *shown, ""]
        room -= used + _HEAD_ROOM
        full = shown[-1] != rows[-1]
        unknowns += [f"- {_md(view.scope_name(scope))} on {code(host)}: {code(sentence)}"
                     for _, scope_list in servers for scope in scope_list for sentence in scope.get("unknowns") or []]
    if hidden:
        out += [f"… and {view.count(hidden, 'more scope')} on other hosts not shown (the report is kept within"
                " a comment's size).", ""]
    if unknowns:
        items, used = fit(unknowns, max(room, 0), "- … and {} more (not shown)")
        out += ["**Unknown**: what these files do not determine.", "", *items, ""]
        room -= used
    if errors:
        items, _ = fit(errors, max(room, 0) + reserved, "- … and {} more (not shown)")
        out += ["**The run is incomplete**: what could not be read or parsed is not in the surface.", "", *items, ""]
    return "\n".join(out).rstrip("\n") + "\n"


def render_diff(diff: dict) -> str:
    """The diff document `diff` (the contract's shape) as a Markdown list:
    widening changes first, each marked, with its file:line."""
    changes = sorted(diff.get("changes") or [], key=lambda c: not c.get("widens"))
    since = code(str(diff.get("before") or ""))
    widening = sum(1 for c in changes if c.get("widens"))
    title = f"### CORS surface changes since {since}"
    if not changes:
        return f"{title}\n\nNo change to the CORS surface.\n"
    out = [f"{title}: {view.count(len(changes), 'change')}" + (f", {widening} widen{'s' if widening == 1 else ''}"
                                                           " the exposure" if widening else ""), ""]
    items = [f"- {'⚠ **widens**: ' if c.get('widens') else ''}{code(c.get('message') or c.get('kind') or '')}"
             + (f" ({code(str(at))})" if (at := view.where(c.get("source"))) else "") for c in changes]
    shown, _ = fit(items, LIMIT - 1_000, "- … and {} more changes not shown (kept within a comment's size)")
    return "\n".join([*out, *shown]) + "\n"


def _row(server: dict, scope: dict, with_site: bool) -> str:
    name = _md(view.scope_name(scope), cell=True)
    if with_site:
        name += f"<br>on {code(server.get('site') or '', cell=True)}"
    cells = [
        name,
        "<br>".join(_md(line, cell=True) for line in view.readers(scope.get("origins"))),
        view.flag(scope.get("credentials")),
        _md(view.names(scope.get("methods"), "safelisted only"), cell=True),
        _md(view.names(scope.get("headers"), "safelisted only"), cell=True),
        view.preflight(scope.get("preflight")),
        view.flag(scope.get("errors_keep_cors"), "—"),
        code(view.where(scope.get("source")) or "", cell=True),
    ]
    return "| " + " | ".join(cells) + " |"


def _md(parts: list, cell: bool = False) -> str:
    """Parts (view.py) as Markdown: the checkout's values in code spans."""
    return "".join(code(part, cell) if isinstance(part, view.Value) else part for part in parts)


def _size(lines: list[str]) -> int:
    return sum(len(line) + 1 for line in lines)
