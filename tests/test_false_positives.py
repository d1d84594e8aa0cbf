"""Issue 15's false positives and hidden findings: what each finding names.

The samples test holds which lines fire; these tests hold the concrete
request a finding names (rules.md: every message names the request that
shows the problem), which must be one the scope's clients really send.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from corslint.config import Settings
from corslint.engine import lint

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def findings(*parts: str) -> list:
    report = lint([str(SAMPLES.joinpath(*parts))], Settings(), None)
    assert not report.errors, report.errors
    return report.findings


@pytest.mark.parametrize("kind", ["nginx", "apache"])
def test_a_get_post_scope_is_asked_for_post_with_a_json_body(kind):
    (finding,) = findings(kind, "cors302-post-json-without-content-type.conf")
    assert finding.code == "CORS302"
    assert finding.request.endswith("(POST, content-type)"), finding.request


@pytest.mark.parametrize("kind", ["nginx", "apache"])
def test_a_refused_preflight_does_not_hide_the_method_gap(kind):
    codes = sorted(f.code for f in findings(kind, "cors301-hidden-behind-limitexcept.conf" if kind == "apache"
                                                  else "cors301-hidden-behind-limit-except.conf"))
    assert codes == ["CORS102", "CORS301"]


def test_a_prefix_location_below_an_exact_one_is_probed_below_it():
    by_code = {f.code: f for f in findings("nginx", "cors105-limit-except-auth-below-exact-root.conf")}
    assert sorted(by_code) == ["CORS105", "CORS302"]
    assert by_code["CORS105"].request.startswith("OPTIONS /a ")
    assert by_code["CORS302"].request.endswith("(GET, authorization)")
