"""Expansion bombs, models piling up, and failures that must stay reports.

A few hundred bytes that double a value forty times (Apache `Define`,
JavaScript spreads and concatenation, Python constant folding) must end in
a value corslint treats as unknown, or an input error at the line, within
seconds; files linted one after another must not hold each other's models;
and whatever goes wrong in one file (an exception, running out of memory)
is an input error for that file while the others' findings and the whole
JSON/SARIF report are still written.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bounded import run  # noqa: E402

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
DEPTH = 40   # 2**40 copies: a terabyte from a line each


def _json(result) -> dict:
    assert result.stdout.strip(), result
    return json.loads(result.stdout)


def _codes_by_file(report: dict) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for finding in report["findings"]:
        out.setdefault(Path(finding["path"]).name, set()).add(finding["code"])
    return out


def test_defect_06_apache_define_doubling_is_an_input_error_at_the_line(tmp_path):
    lines = ["Define X0 aaaaaaaa"] + [f"Define X{i} ${{X{i - 1}}}${{X{i - 1}}}" for i in range(1, DEPTH + 1)]
    lines += ["<VirtualHost *:80>", "    ServerName bomb.example.com",
              f'    Header always set X-Bomb "${{X{DEPTH}}}"', "</VirtualHost>"]
    (tmp_path / "bomb.conf").write_text("\n".join(lines) + "\n")
    (tmp_path / "other.conf").write_text((SAMPLES / "apache/cors201-wildcard-credentials.conf").read_text())
    result = run("--type", "apache", "--format", "json", "bomb.conf", "other.conf", cwd=tmp_path)
    assert result.returncode == 2, result
    report = _json(result)
    # X0 is 8 characters, X17 the first value past 1 MiB: its Define (line 19) is refused
    errors = [(e["path"], e["line"]) for e in report["errors"]]
    assert errors == [("bomb.conf", 19)], report["errors"]
    assert "expand" in report["errors"][0]["message"]
    assert "bomb.conf:19:" in result.stderr
    assert _codes_by_file(report).get("other.conf") == {"CORS201"}, report
