"""`path:line: CODE message` lines, like ruff and shellcheck, plus a summary.
Paths and messages are printed escaped (display.py): they come from the
checkout."""

from __future__ import annotations

from ..display import line, text


def render(report, color: bool = False) -> str:
    lines = []
    for f in report.findings:
        code = f"\033[1;31m{f.code}\033[0m" if color and f.severity == "error" else f.code
        shown = f"{line(f.path)}:{f.line}: {code} [{f.severity}] {text(f.message)}"
        if f.request:
            shown += f"\n    request: {text(f.request)}"
        for rel in f.related:
            shown += f"\n    related: {text(rel.path)}:{rel.line}: {text(rel.message)}"
        lines.append(shown)
    for path, reason in report.skipped:
        lines.append(f"{line(path)}: skipped: {text(reason)}")
    for sup in report.unused_suppressions:
        codes = text(", ".join(sup.codes)) if sup.codes else "all"
        lines.append(f"{line(sup.path)}:{sup.line}: unused suppression ({codes}): it matches no finding")
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
