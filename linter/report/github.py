"""GitHub Actions workflow commands (`--format github`): one
`::error file=...,line=...,col=...,title=CODE::message` line per finding
(`::warning` / `::notice` by severity), shown as annotations on the pull
request's diff.  Input errors are `::error` lines too; unused suppressions
(`--strict`) are warnings; includes not read, the system files the
repository does not hold and the mappings used are `::notice` lines.
`file=` is the file's real path relative to the repository's top level
(paths.py), as GitHub reads it wherever the step ran; a finding is given
once per real file, line and rule.

What the checkout chose (paths, messages quoting its values) is escaped by
display.py first, so it holds no line break of its own: the only `%0A` in
a message are corslint's between its parts.  Then the workflow-command
rules apply: `%`, CR and LF encoded in the data, `:` and `,` too in the
properties."""

from __future__ import annotations

import os

from ..display import text
from .paths import Base

LEVELS = {"error": "error", "warning": "warning", "info": "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def _file(path: str, base: Base) -> str:
    """The path relative to the base when it lies there, as GitHub wants;
    else as given (escaped either way)."""
    return text(base.shown(path).replace(os.sep, "/"))


def _command(base: Base, level: str, path: str | None, line: int | None, column: int | None, end_line: int | None,
             title: str, message: str) -> str:
    props = []
    if path:
        props.append(f"file={_prop(_file(path, base))}")
        if line:
            props.append(f"line={line}")
            if end_line and end_line > line:
                props.append(f"endLine={end_line}")
            if column:
                props.append(f"col={column}")
    props.append(f"title={_prop(title)}")
    return f"::{level} {','.join(props)}::{_data(message)}"


def render(report, base: Base | None = None) -> str:
    """The workflow commands of `report`, paths relative to `base` (paths.py's default when None)."""
    from ..edits import line_text

    base = base or Base.find()
    lines = []
    for f in base.unique(report.findings):
        message = f"{f.code} [{f.name}] {text(f.message)}"
        if f.request:
            message += f"\nrequest: {text(f.request)}"
        for rel in f.related:
            message += f"\nrelated: {_file(rel.path, base)}:{rel.line}: {text(rel.message)}"
        if f.fix:
            message += f"\nfix: {text(f.fix)}" + (" (corslint --fix)" if f.edits else "")
        column = f.column
        if column is None:
            source = line_text(f.path, f.line)
            if source is not None and source.strip():
                column = len(source) - len(source.lstrip()) + 1
        lines.append(_command(base, LEVELS[f.severity], f.path, f.line, column, f.end_line, f.code, message))
    for e in report.errors:
        lines.append(_command(base, "error", e.path, e.line, e.column, None, "corslint: input error", text(e.message)))
    for n in report.notices:
        lines.append(_command(base, "notice", n.path, n.line, None, None, "corslint: include not read",
                              text(n.message)))
    if report.quiet:
        from .text import quiet_line

        lines.append(_command(base, "notice", None, None, None, None, "corslint", text(quiet_line(report.quiet))))
    for m in report.mappings:
        lines.append(_command(base, "notice", None, None, None, None, "corslint: mapping",
                              f"includes read through the mapping {text(m.shown())}"))
    for sup in report.unused_suppressions:
        codes = text(", ".join(sup.codes)) if sup.codes else "all"
        lines.append(_command(base, "warning", sup.path, sup.line, None, None, "corslint: unused suppression",
                              f"unused suppression ({codes}): it matches no finding"))
    return "".join(line + "\n" for line in lines)
