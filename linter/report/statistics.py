"""`--statistics`: how many findings each rule has, most first (as ruff's
`--statistics`), as text lines or a JSON list; the findings themselves are
not listed."""

from __future__ import annotations


def counts(report) -> list[dict]:
    """One entry per rule with findings: code, name, count, and how many
    of them `--fix` repairs; by count (most first), then code."""
    by_code: dict[str, dict] = {}
    for f in report.findings:
        entry = by_code.setdefault(f.code, {"code": f.code, "name": f.name, "count": 0, "fixable": 0})
        entry["count"] += 1
        entry["fixable"] += bool(f.edits)
    return sorted(by_code.values(), key=lambda e: (-e["count"], e["code"]))


def render(report, form: str) -> str:
    entries = counts(report)
    if form == "json":
        import json

        return json.dumps(entries, indent=2) + "\n"
    width = max((len(str(e["count"])) for e in entries), default=1)
    return "".join(f"{e['count']:>{width}}  {e['code']}  {'[*] ' if e['fixable'] else ''}{e['name']}\n"
                   for e in entries)
