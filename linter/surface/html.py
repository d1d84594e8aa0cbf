"""The CORS surface as one self-contained HTML page (`corslint surface -f
html`): a matrix of scopes (rows: host and path) by the probed origins
(columns), each cell coloured by the access that origin has -- none, read,
read with credentials, unknown -- and labelled in words too (colour is not
the only signal), a legend, then each scope's details (who may read,
credentials, methods, headers, exposed headers, Max-Age, preflight, the
configuration lines) and the run's input errors.  `render_diff` shows the
changes a `--diff` found in the same style, widening ones first.

The page is opened from disk or from a build's artifacts, so it needs
nothing outside itself: inline CSS, no script, and a Content-Security-Policy
that forbids loading anything (`default-src 'none'`), so even a value that
slipped through could fetch nothing.  Every text the checkout chose goes
through display.py's escaping (no control character, no `##[`) and then
`html.escape(quote=True)`; every line of the page begins with corslint's
own markup, so printed to a runner's log it holds no workflow command.
"""

from __future__ import annotations

from html import escape

from ..display import text
from . import view

_CSP = "default-src 'none'; style-src 'unsafe-inline'"

_STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #1b1f24; background: #fff; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 1.5em; } h3 { font-size: 1em; }
code { font: 12px ui-monospace, monospace; background: #f3f4f6; padding: 0 .2em; overflow-wrap: anywhere; }
table { border-collapse: collapse; }
th, td { border: 1px solid #c9ced6; padding: .3em .5em; vertical-align: top; text-align: left; }
.wide { overflow-x: auto; }
table.matrix thead th.origin { writing-mode: vertical-rl; transform: rotate(180deg); }
table.matrix td { text-align: center; font-size: 12px; white-space: nowrap; }
table.matrix tbody th { min-width: 12em; }
table.matrix tbody th code { overflow-wrap: break-word; }
.access-none { background: #eef0f3; color: #4b5563; }
.access-read { background: #fde68a; color: #3f2d00; }
.access-read-credentials { background: #b91c1c; color: #fff; font-weight: bold; }
.access-unknown { background: repeating-linear-gradient(45deg, #e9d5ff, #e9d5ff 4px, #f5edff 4px, #f5edff 8px);
                  color: #3b0764; }
ul.legend { list-style: none; padding: 0; display: flex; gap: 1em; flex-wrap: wrap; }
ul.legend li span { display: inline-block; padding: .1em .5em; border: 1px solid #c9ced6; }
dl { display: grid; grid-template-columns: max-content auto; gap: .2em 1em; }
dt { font-weight: bold; } dd { margin: 0; }
.widens { color: #b91c1c; font-weight: bold; }
section.scope { border-top: 1px solid #c9ced6; }
"""

_LEGEND = ("none", "read", "read-credentials", "unknown")
_ACCESS_MEANS = {"none": "the origin cannot read the answers",
                 "read": "the origin can read the answers, without credentials",
                 "read-credentials": "the origin can read the answers of requests that carry the user's cookies",
                 "unknown": "the files do not determine it"}


def render(doc: dict) -> str:
    """The surface document `doc` (the contract's shape) as an HTML page."""
    rows = [(server, scope) for server, scopes in view.ordered(doc) for scope in scopes]
    origins = [str(o) for o in doc.get("origins_probed") or []]
    errors = doc.get("errors") or []
    out = [*_head("CORS surface"), "<h1>CORS surface</h1>",
           f"<p>{view.count(len(rows), 'scope')} on {view.count(len({s.get('host') for s, _ in rows}), 'host')}, "
           f"{view.count(len(origins), 'origin')} probed"
           + (f", {view.count(len(errors), 'input error')}" if errors else "") + ".</p>"]
    if not rows:
        out.append("<p>No server or scope with a CORS policy was found.</p>")
    out += ['<ul class="legend">', *(f'<li><span class="access-{a}">{view.ACCESS_WORDS[a]}</span> '
                                      f'{_ACCESS_MEANS[a]}</li>' for a in _LEGEND), "</ul>"]
    out += ['<div class="wide"><table class="matrix">', "<thead>",
            '<tr><th scope="col">Host</th><th scope="col">Scope</th><th scope="col">Exposure</th>',
            *(f'<th scope="col" class="origin">{_esc(o)}</th>' for o in origins), "</tr>", "</thead>", "<tbody>"]
    for n, (server, scope) in enumerate(rows):
        access = scope.get("access") or {}
        out.append(f'<tr><th scope="row">{_esc(server.get("host") or server.get("site") or "")}</th>'
                   f'<th scope="row"><a href="#scope-{n}">{_parts(view.scope_name(scope))}</a></th>'
                   f'<td class="exposure">{_esc(view.EXPOSURE_WORDS.get(scope.get("exposure"), "unknown"))}</td>')
        for origin in origins:
            kind = access.get(origin)
            kind = kind if kind in view.ACCESS_WORDS else "unknown"
            out.append(f'<td class="access-{kind}" title="{_esc(origin)}: {_ACCESS_MEANS[kind]}">'
                       f"{view.ACCESS_WORDS[kind]}</td>")
        out.append("</tr>")
    out += ["</tbody>", "</table></div>", "<h2>Scopes</h2>"]
    for n, (server, scope) in enumerate(rows):
        out += _details(n, server, scope)
    if errors:
        out += ["<h2>Input errors</h2>",
                "<p>The run is incomplete: what could not be read or parsed is not in the surface.</p>", "<ul>",
                *(f"<li>{_parts([view.error_line(e)])}</li>" for e in errors), "</ul>"]
    return "\n".join([*out, "</body>", "</html>"]) + "\n"


def render_diff(diff: dict) -> str:
    """The diff document `diff` (the contract's shape) as an HTML page:
    widening changes first, each marked, with its file:line."""
    changes = sorted(diff.get("changes") or [], key=lambda c: not c.get("widens"))
    widening = sum(1 for c in changes if c.get("widens"))
    out = [*_head("CORS surface changes"), "<h1>CORS surface changes</h1>",
           f"<p>Since <code>{_esc(str(diff.get('before') or ''))}</code>, against "
           f"{_esc(str(diff.get('after') or 'the working tree'))}: "
           + (f"{view.count(len(changes), 'change')}, {widening} widening the exposure.</p>" if changes
              else "No change to the CORS surface.</p>")]
    if changes:
        out += ['<table class="changes">', "<thead>",
                '<tr><th scope="col">Exposure</th><th scope="col">Change</th><th scope="col">Source</th></tr>',
                "</thead>", "<tbody>"]
        for change in changes:
            at = view.where(change.get("source"))
            out.append(f'<tr class="{"widens" if change.get("widens") else "does-not-widen"}">'
                       f'<td>{"⚠ widens" if change.get("widens") else "does not widen"}</td>'
                       f"<td>{_esc(change.get('message') or change.get('kind') or '')}</td>"
                       f"<td>{_parts([at]) if at else ''}</td></tr>")
        out += ["</tbody>", "</table>"]
    return "\n".join([*out, "</body>", "</html>"]) + "\n"


def _head(title: str) -> list[str]:
    return ["<!doctype html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{title} (corslint)</title>", f"<style>{_STYLE}</style>", "</head>", "<body>"]


def _details(n: int, server: dict, scope: dict) -> list[str]:
    """One scope's policy, line by line, each with the configuration lines
    behind it (the document's `lines` under the key named)."""
    policy = [
        ("exposure", None, [view.EXPOSURE_WORDS.get(scope.get("exposure"), "unknown")]),
        ("who may read", "origins", _lines(view.readers(scope.get("origins")))),
        ("credentials", "credentials", [view.flag(scope.get("credentials"))]),
        ("methods", "methods", view.names(scope.get("methods"), "CORS-safelisted only (GET, HEAD, POST)")),
        ("headers", "headers", view.names(scope.get("headers"), "CORS-safelisted only")),
        ("exposed headers", "exposed", view.names(scope.get("exposed"), "none")),
        ("Max-Age", "max_age", [view.max_age(scope.get("max_age"))]),
        ("preflight", "preflight", [view.preflight(scope.get("preflight"))]),
        ("errors keep CORS", None, [view.flag(scope.get("errors_keep_cors"), "no such answer, or unknown")]),
        ("redirects keep CORS", None, [view.flag(scope.get("redirects_keep_cors"), "no such answer, or unknown")]),
    ]
    lines = scope.get("lines") or {}
    at = view.where(scope.get("source"))
    out = [f'<section class="scope" id="scope-{n}">',
           f"<h3>{_parts(view.scope_name(scope))} on {_parts([view.Value(server.get('site') or '')])}"
           + (f" ({_parts([at])})" if at else "") + "</h3>", "<dl>"]
    for title, key, parts in policy:
        behind = [where for where in map(view.where, lines.get(key) or []) if where] if key else []
        out.append(f"<dt>{title}</dt><dd>{_parts(parts)}"
                   + (f" <small>from {' '.join(_parts([where]) for where in behind)}</small>" if behind else "")
                   + "</dd>")
    unknowns = scope.get("unknowns") or []
    if unknowns:
        out.append("<dt>unknown</dt><dd><ul>" + "".join(f"<li>{_esc(u)}</li>" for u in unknowns) + "</ul></dd>")
    return [*out, "</dl>", "</section>"]


def _lines(lines: list[list]) -> list:
    """Several lines of parts as one list, a line break between them."""
    parts: list = []
    for n, line in enumerate(lines):
        parts += ([_BREAK] if n else []) + line
    return parts


class _Markup(str):
    """corslint's own markup among parts (only `_BREAK`)."""


_BREAK = _Markup("<br>")


def _parts(parts: list) -> str:
    """Parts (view.py) as HTML: the checkout's values escaped in `<code>`,
    corslint's words escaped too (they may quote a number from the document)."""
    return "".join(part if isinstance(part, _Markup) else
                   f"<code>{_esc(part)}</code>" if isinstance(part, view.Value) else _esc(part) for part in parts)


def _esc(value: str) -> str:
    """Checkout text for HTML: display.py's escaping, then HTML's."""
    return escape(text(str(value)), quote=True)
