"""mod_headers: Header actions on httpd's two response header tables.

headers_out holds what the handler (and ap_expr/mod_rewrite's Vary) put
there; the `always` actions work on err_headers_out.  A response on the
error path (errors, redirects, `R=` with a non-3xx status) carries only
err_headers_out; a normal response carries both, and Apache sends their
Vary values as one line.  Functions take `ev`, the request's `Evaluation`
(evaluate.py).
"""

from __future__ import annotations

import re

from .. import saferegex
from ..cors import CORS_PREFIX, VARY
from ..model import Answer, Handler, HeaderLine, Source
from ..record import replace
from .. import unknown
from .conf import HeaderAction
from .expr import evaluate_string
from .outcome import Done


#: the Header actions that put a line in their table
ADDING = frozenset({"set", "add", "append", "merge", "setifempty"})


def answer(ev, done: Done) -> Answer:
    """Build the response headers as mod_headers does: the `always`
    actions (err_headers_out) first, then, on a normal response, the
    onsuccess actions on headers_out.  On the error path only the
    `always` table is sent; the CORS lines the onsuccess table would have
    added are kept as `Answer.withheld` (values not evaluated: that a
    line applies here is what a finding needs)."""
    out = headers_out(ev, done)
    always: list[HeaderLine] = []
    stripped: list[tuple[str, Source]] = []
    actions = [action for ctx in ev.contexts or ev.server_contexts() for action in ctx.headers]
    ev.vary_sink = out
    for seq, action in enumerate(actions, start=1):
        if action.always:
            apply(ev, action, always, stripped, seq)
    withheld: list[HeaderLine] = []
    for seq, action in enumerate(actions, start=1):
        if not action.always:
            if not done.error_path:
                apply(ev, action, out, stripped, seq)
            elif action.name.lower().startswith(CORS_PREFIX) and action.action in ADDING and _would_hold(ev, action):
                withheld.append(HeaderLine(action.name.lower(), None, action.source, on_errors=False, seq=seq))
    ev.vary_sink = None
    own = [HeaderLine(n, v, done.source) for n, v in done.headers]
    headers = _merge_vary(always + (own + out if done.error_path else out + own))
    if done.upstream is None and done.handler == Handler.PROXY:
        ev.upstream_headers_unknown = True
    return Answer(done.status, headers, done.source, done.handler, ev.upstream_headers_unknown,
                  ev.trace, ev.certain, stripped=stripped, withheld=withheld,
                  client_addr=ev.client_addr if ev.address_decides else None)


def headers_out(ev, done: Done) -> list[HeaderLine]:
    """headers_out as the handler leaves it.  A proxied response's
    header block replaces it (the Vary ap_expr/mod_rewrite put there
    before is lost); an error response starts a new one, except for 204
    and 304, which Apache sends without swapping the tables."""
    if done.handler == Handler.PROXY:
        return [HeaderLine(n.lower(), v, None, from_upstream=True) for n, v in (done.upstream or [])]
    if done.error_path and done.status not in (204, 304):
        return []
    return copy_table(ev.early_out)


def apply(ev, action: HeaderAction, table: list[HeaderLine], stripped, seq: int) -> None:
    """One Header action on its table; `seq` is the action's place in
    the configuration (HeaderLine.seq: which of two lines came last)."""
    if not holds(ev, action):
        return
    name = action.name.lower()
    verb = action.action
    if verb == "unset":
        if name.startswith(CORS_PREFIX):
            stripped.append((name, action.source))
        table[:] = [h for h in table if h.name != name]
        return
    if verb in ("edit", "edit*"):
        for h in table:
            if h.name == name and h.value is not None and action.value is not None:
                try:
                    h.value = re.sub(action.value, (action.replacement or "").replace("$", "\\"), h.value,
                                     count=0 if verb == "edit*" else 1)
                except re.error:
                    h.value = None
        return
    if verb == "echo":
        try:
            pattern = saferegex.compile(action.name, re.IGNORECASE)
        except re.error:
            return
        for n, v in ev.request.headers:
            if pattern.search(n):
                table.append(HeaderLine(n, v, action.source))
        return
    value, via = header_value(ev, action.value or "")
    existing = [h for h in table if h.name == name]
    line = HeaderLine(name, value, action.source, on_errors=action.always, via=via, seq=seq)
    if verb == "set":
        table[:] = [h for h in table if h.name != name]
        table.append(line)
    elif verb == "setifempty":
        if not existing:
            table.append(line)
    elif verb == "add":
        table.append(line)
    elif verb in ("append", "merge"):
        if not existing:
            table.append(line)
            return
        first = existing[0]
        if verb == "merge" and value is not None and value in (first.value or "") and \
                value in [t.strip() for t in (first.value or "").split(",")]:
            return      # (split only when it may be there: thousands of merges would split every time)
        first.value = None if first.value is None or value is None else f"{first.value}, {value}"
        first.source = action.source
        first.via = first.via + via


def _would_hold(ev, action: HeaderAction) -> bool:
    """`holds` for a line that is not sent: asking must neither make the
    answer uncertain nor add the headers its expression reads to Vary."""
    certain, sink = ev.certain, ev.vary_sink
    ev.vary_sink = []
    held = holds(ev, action)
    ev.certain, ev.vary_sink = certain, sink
    return held


def holds(ev, action: HeaderAction) -> bool:
    """Whether a Header action's condition (`env=`, `env=!`, `expr=`) holds;
    an expression that cannot be decided counts as false and makes the
    answer uncertain."""
    if action.condition is None:
        return True
    kind, arg = action.condition
    if kind == "env":
        return arg in ev.env
    if kind == "!env":
        return arg not in ev.env
    held = ev.expression(arg)
    if held is None:
        ev.certain = False
        return False
    return held


def header_value(ev, template: str) -> tuple[str | None, tuple[Source, ...]]:
    """A Header value: `%{VAR}e`, `%{Header}i`, `expr=...`; unknown parts give None."""
    via: tuple[Source, ...] = ()
    if unknown.holds(template):   # a template's expression (`unknown.holds`)
        return None, via
    if template.startswith("expr="):
        # a string expression does not add to Vary (measured)
        value = evaluate_string(template[5:], ev.variable, ev.header)
        if value is None:
            ev.certain = False
        return value, via
    out = []
    pos = 0
    for m in re.finditer(r"%\{([^}]*)\}([eis])|%%", template):
        out.append(template[pos:m.start()])
        pos = m.end()
        if m.group(0) == "%%":
            out.append("%")
            continue
        name, kind = m.group(1), m.group(2)
        if kind == "e":
            # an unset variable prints as "(null)" (mod_headers' format)
            value = ev.env.get(name, "(null)")
            if value is None:   # set outside the files: its value is unknown
                return None, via
            out.append(value)
            via += ev.env_via.get(name, ())
        else:
            # mod_headers has no request-header format: %{X}i is `%i`, the
            # server's idle percentage ("i=93"), whatever X says
            ev.certain = False
            out.append("i=<idle percentage>" if kind == "i" else "<ssl variable>")
    out.append(template[pos:])
    return "".join(out), via


def copy_table(table: list[HeaderLine]) -> list[HeaderLine]:
    """A copy of a header table whose lines can change without touching the original."""
    return [replace(h) for h in table]


def table_merge(table: list[HeaderLine], line: HeaderLine) -> None:
    """apr_table_merge: append the value to the first line of that name."""
    for h in table:
        if h.name == line.name:
            h.value = None if h.value is None or line.value is None else f"{h.value}, {line.value}"
            return
    table.append(line)


def _merge_vary(headers: list[HeaderLine]) -> list[HeaderLine]:
    """Apache sends every Vary value of both tables as one line, each name
    once (case-insensitively), joined by "," without a space."""
    lines = [h for h in headers if h.name == VARY]
    if len(lines) < 2 and not (lines and lines[0].value and "," in lines[0].value):
        return headers
    names: list[str] = []
    seen: set[str] = set()
    unknown = False
    for line in lines:
        if line.value is None:
            unknown = True
            continue
        for item in line.value.split(","):
            item = item.strip()
            if item and item.lower() not in seen:
                seen.add(item.lower())
                names.append(item)
    first = lines[0]
    merged = HeaderLine(VARY, None if unknown else ",".join(names), first.source, first.from_upstream,
                        first.on_errors, tuple(v for line in lines for v in line.via))
    out = []
    for h in headers:
        if h.name != VARY:
            out.append(h)
        elif h is first:
            out.append(merged)
    return out
