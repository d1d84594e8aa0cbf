"""nginx variables set outside the linted files are unknown, judged both
ways (linter/nginx/unknowns.py): never empty, and a finding that needs a
value says which."""

from __future__ import annotations

import os
from pathlib import Path

from corslint.config import Settings
from corslint.engine import lint
from corslint.nginx.model import load
from corslint.alternatives import MAX_VARIANTS
from corslint.nginx.unknowns import outside

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "nginx"
WHEN_TRUE = "when $cors is 'true' (set outside these files): "


def findings(path: Path):
    cwd = os.getcwd()
    os.chdir(path.parent)
    try:
        report = lint([path.name], Settings())
    finally:
        os.chdir(cwd)
    assert not report.errors, [str(e) for e in report.errors]
    return report


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "snippet.conf"
    path.write_text(text)
    return path


def test_the_snippet_sample_says_which_value_its_findings_need():
    report = findings(SAMPLES / "snippets" / "cors-flag-unknown.conf")
    assert sorted((f.code, f.line) for f in report.findings) == [("CORS104", 15), ("CORS202", 7)]
    assert all(f.message.startswith(WHEN_TRUE) for f in report.findings)


def test_set_in_the_same_files_is_known_and_needs_no_wording():
    report = findings(SAMPLES / "cors202-flag-set-true.conf")
    assert {f.code for f in report.findings} == {"CORS202", "CORS104"}
    assert not any("outside these files" in f.message for f in report.findings)
    assert load(str(SAMPLES / "good-flag-set-by-origin.conf")).alternatives == []


def test_the_values_each_condition_tells_apart(tmp_path):
    model = load(str(write(tmp_path, """\
        if ($a = "on") { add_header X-A 1; }
        if ($b ~* "^(yes|true)$") { add_header X-B 1; }
        if ($c) { add_header X-C 1; }
        if ($a != "off") { add_header X-D 1; }
        """)))
    assert outside(model.conf) == {"a": ["on", "off", ""], "b": ["yes", ""], "c": ["1", ""]}
    assert len(model.alternatives) == 3 * 2   # $c left out: 12 combinations are more than MAX_VARIANTS
    assert MAX_VARIANTS < 12
    assert [str(n) for n in model.parsed.notices] == [
        f"{model.path}: $c: set outside these files, and judging every value would take more than "
        f"{MAX_VARIANTS} combinations: conditions on them are taken as false"]
    assert model.alternatives[0][0] == "when $a is 'on' and $b is 'yes' (set outside these files)"
    assert model.alternatives[-1][0] == "when $a is empty and $b is empty (set outside these files)"


def test_what_the_files_define_is_not_unknown(tmp_path):
    model = load(str(write(tmp_path, """\
        geo $office { default 0; 10.0.0.0/8 1; }
        split_clients "${remote_addr}" $bucket { 50% a; * b; }
        map $http_origin $allowed { default ""; }
        server {
            listen 80;
            location ~ ^/t/(?<tenant>[a-z]+)/ {
                if ($office) { return 204; }
                if ($bucket = a) { return 204; }
                if ($allowed) { return 204; }
                if ($tenant = x) { return 204; }
                if ($later = x) { return 204; }
                if ($http_x_flag) { return 204; }
                if ($ssl_client_verify = SUCCESS) { return 204; }
                set $later y;
                return 200;
            }
        }
        """)))
    assert outside(model.conf) == {}
    assert model.alternatives == []


def test_a_variant_answers_with_its_assumption(tmp_path):
    from corslint.model import Request

    model = load(str(SAMPLES / "snippets" / "cors-flag-unknown.conf"))
    request = Request("GET", "http://localhost/", headers=(("origin", "https://evil.example"),))
    answers = {condition: [h.value for h in variant.answer(request).headers
                           if h.name.lower() == "access-control-allow-origin"]
               for condition, variant in model.alternatives}
    assert answers == {"when $cors is 'true' (set outside these files)": ["https://evil.example"],
                       "when $cors is empty (set outside these files)": []}


def test_simulate_shows_the_answer_under_each_assumption():
    import json

    from support import corslint

    args = ("simulate", str(SAMPLES / "snippets" / "cors-flag-unknown.conf"), "--url", "http://localhost/",
            "--origin", "https://evil.example", "--credentials")
    text = corslint(*args)
    assert text.returncode == 0, text.stderr
    first, second = text.stdout.split("\n\nAssuming: ")
    assert first.startswith("Assuming: when $cors is 'true' (set outside these files)\n")
    assert "access-control-allow-origin: https://evil.example" in first
    assert second.startswith("when $cors is empty (set outside these files)\n")
    assert "access-control-allow-origin" not in second
    data = json.loads(corslint(*args, "--format", "json").stdout)
    assert [(a["assumption"], a["response"]["headers"].get("access-control-allow-origin"))
            for a in data["alternatives"]] == [("when $cors is 'true' (set outside these files)",
                                                ["https://evil.example"]),
                                               ("when $cors is empty (set outside these files)", None)]
