"""Building blocks for GitHub-flavoured Markdown that holds the checkout's
text: the lint's Markdown report (report/markdown.py) and the surface's
(surface/markdown.py) are read in a pull-request comment or a job summary,
where a file name or a configuration value could otherwise become a link,
an `@mention`, raw HTML, a broken table or a workflow command.

Checkout text goes only into `code` spans, after display.py's escaping: in
a code span GitHub renders no emphasis, HTML (`<script>`), link, autolink,
`@mention` or `#123` reference, so a hostile value shows as the text it is.
The span's fence is one backtick longer than any run in the text, and in a
table `|` is written `\\|` (the table, not the span, reads it).  Callers
begin every line with their own markup (`|`, `-`, `#`), never with the
checkout's text, so printed to a runner's log it holds no workflow command.

GitHub refuses a comment longer than 65,536 characters: `fit` keeps lines
within a budget (`LIMIT` for the whole report) and says how many it left out.
"""

from __future__ import annotations

import re

from .display import text

#: a report stays below GitHub's 65,536-character limit of a comment
LIMIT = 60_000
_TICKS = re.compile("`+")


def code(value: str, cell: bool = False) -> str:
    """`value` as a code span showing exactly `text(value)` ("" for no
    text); `cell`: inside a table row."""
    shown = text(value)
    if not shown:
        return ""
    fence = "`" * (max((len(run) for run in _TICKS.findall(shown)), default=0) + 1)
    if cell:
        shown = shown.replace("|", "\\|")
    return f"{fence} {shown} {fence}"


def fit(lines: list[str], room: int, more: str) -> tuple[list[str], int]:
    """The first of `lines` that fit in `room` characters, then `more`
    (formatted with how many were left out); and the room they took."""
    used = 0
    for n, line in enumerate(lines):
        if used + len(line) + 1 > room:
            return lines[:n] + [more.format(len(lines) - n)], used
        used += len(line) + 1
    return lines, used
