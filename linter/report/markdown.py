"""A Markdown report (`--format markdown`) for a GitHub Actions job summary
(`>> $GITHUB_STEP_SUMMARY`) or a pull-request comment: a heading with the
counts, a table of the findings (where, the rule linked to its page,
severity, message with its request, related lines and fix), the input
errors, and the run's other remarks (skipped files, notes, unused
suppressions) folded away.

Everything the checkout chose (paths, messages quoting its values) is
rendered inside code spans, after display.py's escaping: in a code span
GitHub renders no emphasis, HTML (`<script>`), link, autolink, `@mention`
or `#123` reference, so a hostile file name or value shows as the text it
is.  The span's fence is one backtick longer than any run in the text, and
in a table `|` is written `\\|` (the table, not the span, reads it).  No
line of the report begins with the checkout's text (rows begin with `|`,
items with `-`), so printed to a runner's log it holds no workflow command.

GitHub refuses a comment longer than 65,536 characters: rows stop before
the report would pass `LIMIT`, and a last row says how many were left out.
"""

from __future__ import annotations

import re

from ..display import text
from .paths import Base
from .text import found, remarks

#: the report stays below GitHub's 65,536-character limit of a comment
LIMIT = 60_000
_TICKS = re.compile("`+")


def _code(value: str, cell: bool = False) -> str:
    """`value` as a code span showing exactly `text(value)`; `cell`: inside a table row."""
    shown = text(value)
    if not shown:
        return ""
    fence = "`" * (max((len(run) for run in _TICKS.findall(shown)), default=0) + 1)
    if cell:
        shown = shown.replace("|", "\\|")
    return f"{fence} {shown} {fence}"


def _url(url: str) -> str:
    """A link destination that stays one: characters that could end it, or
    the table cell, percent-encoded (the docs base URL may be configured)."""
    from urllib.parse import quote

    return quote(url, safe=":/?#@!$&'*+,;=%~")


def _row(f, base, docs_url: str | None) -> str:
    from ..ruledocs import rule_url

    message = _code(f.message.rstrip(), cell=True)
    if f.request:
        message += f"<br>request: {_code(f.request, cell=True)}"
    for rel in f.related:
        message += f"<br>related: {_code(f'{base.shown(rel.path)}:{rel.line}: {rel.message}', cell=True)}"
    if f.fix:
        message += f"<br>fix: {_code(f.fix, cell=True)}" + (" (`corslint --fix`)" if f.edits else "")
    rule = f'[{f.code}]({_url(rule_url(f.code, docs_url))} "{f.name}")'
    return f"| {_code(f'{base.shown(f.path)}:{f.line}', cell=True)} | {rule} | {f.severity} | {message} |"


def _fit(lines: list[str], room: int, more: str) -> tuple[list[str], int]:
    """The first of `lines` that fit in `room` characters, then `more`
    (formatted with how many were left out); and the room they took."""
    used = 0
    for n, line in enumerate(lines):
        if used + len(line) + 1 > room:
            return lines[:n] + [more.format(len(lines) - n)], used
        used += len(line) + 1
    return lines, used


def render(report, base: Base | None = None, docs_url: str | None = None) -> str:
    """The Markdown report of `report`, paths relative to `base` (paths.py's
    default when None) as in the other review formats, rule codes linked to
    their pages under `docs_url` (ruledocs.rule_url)."""
    base = base or Base.find()
    room = LIMIT - 1_000     # the headings, the table's head and the "more" lines
    n = len(report.errors)
    out = [f"### corslint: {found(report)}" + (f", {n} input error{'s' if n != 1 else ''}" if n else ""), ""]
    errors = [f"- {_code(str(e))}" for e in report.errors]
    if report.findings:     # the errors keep the room they need, up to half of it
        rows, used = _fit([_row(f, base, docs_url) for f in base.unique(report.findings)],
                          room - min(sum(len(e) + 1 for e in errors), room // 2),
                          "| | | | … and {} more (not shown: the report is kept within a comment's size) |")
        room -= used
        out += ["| Where | Rule | Severity | Message |", "| --- | --- | --- | --- |", *rows, ""]
    if errors:
        items, used = _fit(errors, room, "- … and {} more (not shown)")
        room -= used
        out += ["**The run is incomplete**: what could not be read or parsed was not linted.", "", *items, ""]
    said = remarks(report)
    if said:
        items, _ = _fit([f"- {_code(r)}" for r in said], room, "- … and {} more (not shown)")
        out += [f"<details><summary>{len(said)} note{'s' if len(said) != 1 else ''}</summary>", "", *items, "",
                "</details>", ""]
    return "\n".join(out).rstrip("\n") + "\n"
