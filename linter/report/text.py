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
    lines += remarks(report, quiet)
    if quiet:
        return "".join(shown + "\n" for shown in lines)
    if report.findings or not report.errors:
        lines.append(found(report) + ".")
    if report.errors:
        n = len(report.errors)
        lines.append(f"{n} input error{'s' if n != 1 else ''} (listed on stderr): the run is incomplete.")
    return "\n".join(lines) + "\n"


def found(report) -> str:
    """`Found 3 problems (2 errors, 1 warning) in 2 files`, or `No problems
    found in 2 files (1 skipped)`: the run's count."""
    files = f"{report.files} file{'s' if report.files != 1 else ''}"
    total = len(report.findings)
    if not total:
        return f"No problems found in {files}" + (f" ({len(report.skipped)} skipped)" if report.skipped else "")
    counts = {s: sum(1 for f in report.findings if f.severity == s) for s in ("error", "warning", "info")}
    detail = ", ".join(f"{n} {s}{'s' if n != 1 else ''}" for s, n in counts.items() if n)
    return f"Found {total} problem{'s' if total != 1 else ''} ({detail}) in {files}"


def remarks(report, quiet: bool = False) -> list[str]:
    """What a run says besides its findings, a line each: the files
    skipped, the notes, the unused suppressions (only these when `quiet`:
    under --strict they fail the run like findings)."""
    out = [] if quiet else [f"{line(path)}: skipped: {text(reason)}" for path, reason in report.skipped] + notes(report)
    for sup in report.unused_suppressions:
        codes = text(", ".join(sup.codes)) if sup.codes else "all"
        out.append(f"{line(sup.path)}:{sup.line}: unused suppression ({codes}): it matches no finding")
    return out


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
