"""`path:line: CODE message` lines, like ruff and shellcheck, plus a summary."""

from __future__ import annotations


def render(report, color: bool = False) -> str:
    lines = []
    for f in report.findings:
        code = f"\033[1;31m{f.code}\033[0m" if color and f.severity == "error" else f.code
        text = f"{f.path}:{f.line}: {code} [{f.severity}] {f.message}"
        if f.request:
            text += f"\n    request: {f.request}"
        for rel in f.related:
            text += f"\n    related: {rel.path}:{rel.line}: {rel.message}"
        lines.append(text)
    for path, reason in report.skipped:
        lines.append(f"{path}: skipped: {reason}")
    for sup in report.unused_suppressions:
        codes = ", ".join(sup.codes) if sup.codes else "all"
        lines.append(f"{sup.path}:{sup.line}: unused suppression ({codes}): it matches no finding")
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
