"""A Markdown report (`--format markdown`) for a GitHub Actions job summary
(`>> $GITHUB_STEP_SUMMARY`) or a pull-request comment: a heading with the
counts, a table of the findings (where, the rule linked to its page,
severity, message with its request, related lines and fix), the input
errors, and the run's other remarks (skipped files, notes, unused
suppressions) folded away.

Everything the checkout chose (paths, messages quoting its values) is
rendered inside code spans (gfm.py says why that keeps it inert), and the
report stays within a comment's size: rows stop before it would pass
`gfm.LIMIT`, and a last row says how many were left out.
"""

from __future__ import annotations

from ..gfm import LIMIT, code, fit
from .paths import Base
from .text import found, remarks


def _url(url: str) -> str:
    """A link destination that stays one: characters that could end it, or
    the table cell, percent-encoded (the docs base URL may be configured)."""
    from urllib.parse import quote

    return quote(url, safe=":/?#@!$&'*+,;=%~")


def _row(f, base, docs_url: str | None) -> str:
    from ..ruledocs import rule_url

    message = code(f.message.rstrip(), cell=True)
    if f.request:
        message += f"<br>request: {code(f.request, cell=True)}"
    for rel in f.related:
        message += f"<br>related: {code(f'{base.shown(rel.path)}:{rel.line}: {rel.message}', cell=True)}"
    if f.fix:
        message += f"<br>fix: {code(f.fix, cell=True)}" + (" (`corslint --fix`)" if f.edits else "")
    rule = f'[{f.code}]({_url(rule_url(f.code, docs_url))} "{f.name}")'
    return f"| {code(f'{base.shown(f.path)}:{f.line}', cell=True)} | {rule} | {f.severity} | {message} |"


def render(report, base: Base | None = None, docs_url: str | None = None) -> str:
    """The Markdown report of `report`, paths relative to `base` (paths.py's
    default when None) as in the other review formats, rule codes linked to
    their pages under `docs_url` (ruledocs.rule_url)."""
    base = base or Base.find()
    room = LIMIT - 1_000     # the headings, the table's head and the "more" lines
    n = len(report.errors)
    out = [f"### corslint: {found(report)}" + (f", {n} input error{'s' if n != 1 else ''}" if n else ""), ""]
    errors = [f"- {code(str(e))}" for e in report.errors]
    if report.findings:     # the errors keep the room they need, up to half of it
        rows, used = fit([_row(f, base, docs_url) for f in base.unique(report.findings)],
                          room - min(sum(len(e) + 1 for e in errors), room // 2),
                          "| | | | … and {} more (not shown: the report is kept within a comment's size) |")
        room -= used
        out += ["| Where | Rule | Severity | Message |", "| --- | --- | --- | --- |", *rows, ""]
    if errors:
        items, used = fit(errors, room, "- … and {} more (not shown)")
        room -= used
        out += ["**The run is incomplete**: what could not be read or parsed was not linted.", "", *items, ""]
    said = remarks(report)
    if said:
        items, _ = fit([f"- {code(r)}" for r in said], room, "- … and {} more (not shown)")
        out += [f"<details><summary>{len(said)} note{'s' if len(said) != 1 else ''}</summary>", "", *items, "",
                "</details>", ""]
    return "\n".join(out).rstrip("\n") + "\n"
