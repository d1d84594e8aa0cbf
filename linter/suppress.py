"""Inline suppressions: `# corslint: ignore[CORS203] reason` on the
offending line or the line above it (`//` in JavaScript)."""

from __future__ import annotations

import re

#: compiled at the first file that has a `corslint:` comment at all
_COMMENT = r"(?:#|//)\s*corslint:\s*ignore(?:\[([A-Za-z0-9_,\s-]*)\])?"


class Suppression:
    __slots__ = ("path", "line", "codes", "used")

    def __init__(self, path: str, line: int, codes: list[str] | None):
        self.path = path
        self.line = line
        self.codes = codes      # None: every code
        self.used = False

    def covers(self, code: str, name: str) -> bool:
        if self.codes is None:
            return True
        return any(code.startswith(c.upper()) or c.lower() == name for c in self.codes)


def scan(path: str) -> list[Suppression]:
    from .confine import read

    try:
        text = read(path).decode("utf-8", errors="replace")
    except OSError:
        return []
    if "corslint:" not in text:
        return []
    out = []
    comment = re.compile(_COMMENT)
    for number, line in enumerate(text.splitlines(), start=1):
        m = comment.search(line) if "corslint:" in line else None    # the test first: 68k lines in 5 ms
        if m:
            codes = [c.strip() for c in m.group(1).split(",") if c.strip()] if m.group(1) is not None else None
            out.append(Suppression(path, number, codes))
    return out


def apply(findings: list, suppressions: dict[str, list[Suppression]]) -> list:
    """Drop suppressed findings (and mark the suppressions that matched)."""
    by_line: dict[tuple[str, int], list[Suppression]] = {}
    for path, sups in suppressions.items():
        for sup in sups:
            by_line.setdefault((path, sup.line), []).append(sup)
    kept = []
    for finding in findings:
        matched = False
        for line in (finding.line, finding.line - 1):
            for sup in by_line.get((finding.path, line), ()):
                if sup.covers(finding.code, finding.name):
                    sup.used = True
                    matched = True
        if not matched:
            kept.append(finding)
    return kept
