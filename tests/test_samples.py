"""Every sample's findings equal its `# expect: CODE` annotations, exactly.

Annotations: a trailing `# expect: CODE` on the line (nginx, Python;
`// expect: CODE` in JavaScript), or
`# expect-next-line: CODE` on the line above (Apache, which has no trailing
comments).  `expect: error` marks the line of an input error: a
configuration the real server refuses to load (`nginx -t` fails) is a
sample too, and its error must be reported at that line, no other.  A sample is a new test without new test code (like ruff's fixtures and
ansible-lint's examples): the whole samples/ tree is linted once, the way a
user would lint a folder, and each file's (line, code) set is compared with
the annotations in that file.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from corslint.config import Settings
from corslint.engine import lint
from corslint.files import classify

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
EXPECT = re.compile(r"(?:#|//)\s*expect(-next-line)?:\s*(error|[A-Z0-9, ]+)")


def sample_files() -> list[Path]:
    return sorted(p for p in SAMPLES.rglob("*") if p.is_file() and classify(str(p)) is not None)


def expected(path: Path) -> set[tuple[int, str]]:
    out = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        m = EXPECT.search(line)
        if m:   # Apache has no trailing comments: `# expect-next-line:` annotates the line below
            target = number + 1 if m.group(1) else number
            out.update((target, code.strip()) for code in m.group(2).split(",") if code.strip())
    return out


@pytest.fixture(scope="module")
def findings_by_file() -> dict[str, set[tuple[int, str]]]:
    cwd = os.getcwd()
    os.chdir(SAMPLES.parent)
    try:
        report = lint(["samples"], Settings())
    finally:
        os.chdir(cwd)
    out: dict[str, set[tuple[int, str]]] = {}
    for f in report.findings:
        out.setdefault(f.path, set()).add((f.line, f.code))
    shown = {str(p.relative_to(SAMPLES.parent)) for p in sample_files()}
    assert all(e.path in shown for e in report.errors), [str(e) for e in report.errors if e.path not in shown]
    for e in report.errors:
        out.setdefault(e.path, set()).add((e.line, "error"))
    return out


@pytest.mark.parametrize("path", sample_files(), ids=lambda p: str(p.relative_to(SAMPLES)))
def test_sample_findings_match_annotations(path: Path, findings_by_file):
    shown = str(path.relative_to(SAMPLES.parent))
    assert findings_by_file.get(shown, set()) == expected(path)


def test_every_rule_has_a_bad_sample():
    from corslint.rules import RULES

    annotated = {code for p in sample_files() for _, code in expected(p)} - {"error"}
    nginx_rules = {r.code for r in RULES if r.code < "CORS500"}
    assert nginx_rules <= annotated, sorted(nginx_rules - annotated)
