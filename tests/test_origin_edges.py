"""Findings at the edge of an allow-list (issue 15): the severity of a
bypass through a host no public certificate names, and what CORS207 says
about an entry or a pattern no Origin can equal."""

from __future__ import annotations

from pathlib import Path

from corslint.config import Settings
from corslint.engine import lint

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def findings(path: Path, code: str):
    report = lint([str(path)], Settings())
    assert not report.errors, report.errors
    return sorted((f.line, f.severity, f.message) for f in report.findings if f.code == code)


def test_an_uncertifiable_host_is_a_warning_unless_plain_http_is_admitted():
    found = findings(SAMPLES / "nginx" / "cors205-special-char-suffix.conf", "CORS205")
    assert [(line, severity) for line, severity, _ in found] == [(9, "warning"), (30, "error")]
    assert "https://example.com_.evil.example" in found[0][2] and "certificate" in found[0][2]
    assert "http://example.org_.evil.example" in found[1][2]


def test_dead_entries_name_the_origin_probably_meant():
    found = {line: message for line, _, message in findings(SAMPLES / "nginx" / "cors207-map-entries-never-match.conf",
                                                            "CORS207")}
    assert "'https://www.example.com'" in found[7] and "scheme" in found[7]
    assert "'https://webvisor.com'" in found[9]
    assert "'https://example.org'" in found[10] and "/" in found[10]
    assert "'http_origin'" in found[19]


def test_valid_origin_forms_are_no_finding():
    for path in (SAMPLES / "nginx" / "good-origin-forms.conf", SAMPLES / "starlette" / "good_origin_forms.py",
                 SAMPLES / "django" / "good-origin-forms.py"):
        assert findings(path, "CORS207") == []
