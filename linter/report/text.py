"""`path:line: CODE message` lines, like ruff and shellcheck, plus a summary.
Paths and messages are printed escaped (display.py): they come from the
checkout."""

from __future__ import annotations

from ..display import line, text


def render(report, color: bool = False, quiet: bool = False) -> str:
    """The findings (and, under --strict, the unused suppressions); unless
    `quiet` (-q), the skipped files, the notes and the summary too."""
    lines = []
    for f in report.findings:
        code = f"\033[1;31m{f.code}\033[0m" if color and f.severity == "error" else f.code
        shown = f"{line(f.path)}:{f.line}: {code} [{f.severity}] {text(f.message)}"
        if f.request:
            shown += f"\n    request: {text(f.request)}"
        for rel in f.related:
            shown += f"\n    related: {text(rel.path)}:{rel.line}: {text(rel.message)}"
        lines.append(shown)
    if not quiet:
        lines += [f"{line(path)}: skipped: {text(reason)}" for path, reason in report.skipped]
        lines += notes(report)
    for sup in report.unused_suppressions:
        codes = text(", ".join(sup.codes)) if sup.codes else "all"
        lines.append(f"{line(sup.path)}:{sup.line}: unused suppression ({codes}): it matches no finding")
    if quiet:
        return "".join(shown + "\n" for shown in lines)
    counts = {s: sum(1 for f in report.findings if f.severity == s) for s in ("error", "warning", "info")}
    total = len(report.findings)
    if total:
        detail = ", ".join(f"{n} {s}{'s' if n != 1 else ''}" for s, n in counts.items() if n)
        lines.append(f"Found {total} problem{'s' if total != 1 else ''} ({detail}) in {report.files} "
                     f"file{'s' if report.files != 1 else ''}.")
    elif not report.errors:
        skipped = f" ({len(report.skipped)} skipped)" if report.skipped else ""
        lines.append(f"No problems found in {report.files} file{'s' if report.files != 1 else ''}{skipped}.")
    if report.errors:
        n = len(report.errors)
        lines.append(f"{n} input error{'s' if n != 1 else ''} (listed on stderr): the run is incomplete.")
    return "\n".join(lines) + "\n"


def notes(report) -> list[str]:
    """The run's notes: includes not read (`path:line: note: ...`), the
    well-known system files the repository does not hold (one line), the
    mappings includes were read through."""
    out = [f"{line(n.path)}:{n.line}: note: {text(n.message)}" if n.line else f"{line(n.path)}: note: {text(n.message)}"
           for n in report.notices]
    if report.quiet:
        out.append("note: " + text(quiet_line(report.quiet)))
    out += [f"note: includes read through the mapping {text(m.shown())}" for m in report.mappings]
    return out


def quiet_line(quiet: dict[str, int]) -> str:
    """`not in the repository, no CORS: mime.types, fastcgi_params (3 includes)`."""
    count = sum(quiet.values())
    return (f"not in the repository, no CORS: {', '.join(sorted(quiet))} ({count} include{'s' if count != 1 else ''}"
            f" not read)")
