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


def _express(body: list[str], use: str) -> str:
    return "\n".join(["const express = require('express');", "const cors = require('cors');", *body,
                      "const app = express();", f"app.use(cors({{ origin: {use}, credentials: true }}));",
                      "app.get('/api/x', (req, res) => res.json({}));", ""])


def test_defect_06_javascript_doubling_becomes_unknown(tmp_path):
    bombs = {
        "spread.js": ["const A0 = ['https://a.example.com'];"]
                     + [f"const A{i} = [...A{i - 1}, ...A{i - 1}];" for i in range(1, DEPTH + 1)],
        "concat.js": ["const A0 = 'https://a.example.com';"]
                     + [f"const A{i} = A{i - 1} + A{i - 1};" for i in range(1, DEPTH + 1)],
        "template.js": ["const A0 = 'https://a.example.com';"]
                       + [f"const A{i} = `${{A{i - 1}}}${{A{i - 1}}}`;" for i in range(1, DEPTH + 1)],
        "nested.js": ["const A0 = ['https://a.example.com'];"]
                     + [f"const A{i} = [A{i - 1}, A{i - 1}];" for i in range(1, DEPTH + 1)]
                     + [f"const S = A{DEPTH}.join('');"],
        "digits.js": ["const A0 = 0xffffffffffff;"]
                     + [f"const A{i} = A{i - 1} * A{i - 1};" for i in range(1, DEPTH + 1)],
    }
    for name, body in bombs.items():
        use = "S" if name == "nested.js" else f"A{DEPTH}"
        if name == "digits.js":
            use = f"'https://a.example.com:' + A{DEPTH}"
        (tmp_path / name).write_text(_express(body, use))
    (tmp_path / "other.js").write_text((SAMPLES / "express/cors201-wildcard-credentials.js").read_text())
    result = run("--format", "json", *bombs, "other.js", cwd=tmp_path)
    report = _json(result)
    assert report["errors"] == [], report["errors"]
    assert result.returncode == 1, result
    assert result.seconds < 15, result
    assert _codes_by_file(report).get("other.js") == {"CORS201"}, report
    assert report["files"] == len(bombs) + 1


def test_defect_06_python_constant_folding_becomes_unknown(tmp_path):
    head = ["from flask import Flask", "from flask_cors import CORS", "app = Flask(__name__)"]
    big = "https://" + "a" * (64 * 1024) + ".example.com"
    origins = ", ".join(f"'https://h{i}.example.com'" for i in range(4000))
    bombs = {
        "concat.py": [f"A0 = {big!r}"] + [f"A{i} = A{i - 1} + A{i - 1}" for i in range(1, DEPTH + 1)],
        "lists.py": [f"A0 = [{origins}]"] + [f"A{i} = A{i - 1} + A{i - 1}" for i in range(1, DEPTH + 1)],
        "starred.py": [f"A0 = [{origins}]"] + [f"A{i} = [*A{i - 1}, *A{i - 1}]" for i in range(1, DEPTH + 1)],
        "fstring.py": [f"A0 = {big!r}"] + [f"A{i} = f'{{A{i - 1}}}{{A{i - 1}}}'" for i in range(1, DEPTH + 1)],
    }
    for name, body in bombs.items():
        lines = head + body + [f"CORS(app, origins=A{DEPTH}, supports_credentials=True)", "",
                               "@app.route('/api/x')", "def x():", "    return ''", ""]
        (tmp_path / name).write_text("\n".join(lines))
    # Django settings fold products too (`60 * 60 * 24`): squaring doubles the digits
    (tmp_path / "settings.py").write_text("\n".join([
        "INSTALLED_APPS = ['corsheaders']",
        "MIDDLEWARE = ['corsheaders.middleware.CorsMiddleware', 'django.middleware.common.CommonMiddleware']",
        "CORS_ALLOW_ALL_ORIGINS = True", "CORS_ALLOW_CREDENTIALS = True", "N0 = 99999999999",
        *(f"N{i} = N{i - 1} * N{i - 1}" for i in range(1, DEPTH + 1)), f"CORS_PREFLIGHT_MAX_AGE = N{DEPTH}", ""]))
    (tmp_path / "other.py").write_text((SAMPLES / "flask/cors206-http-origin.py").read_text())
    result = run("--format", "json", *bombs, "settings.py", "other.py", cwd=tmp_path)
    report = _json(result)
    assert report["errors"] == [], report["errors"]
    assert result.seconds < 15, result
    codes = _codes_by_file(report)
    assert codes.get("other.py") == {"CORS206"}, report
    assert "CORS202" in codes.get("settings.py", set()), report
    assert report["files"] == len(bombs) + 2


#: an nginx file of `x;` lines: the directive tree of one MiB of it takes about 100 MiB
TINY_DIRECTIVES = "x;\n" * (1024 * 1024 // 3)
WILDCARD_WITH_CREDENTIALS = """server {
    listen 80;
    location / {
        add_header Access-Control-Allow-Origin * always;
        add_header Access-Control-Allow-Credentials true always;
    }
}
"""


def test_defect_12_each_model_is_dropped_before_the_next_file(tmp_path):
    names = [f"site{i}.conf" for i in range(5)]
    for name in names:
        (tmp_path / name).write_text(WILDCARD_WITH_CREDENTIALS + TINY_DIRECTIVES)
    # one file's model fits in this cap, five at once do not
    result = run("--type", "nginx", "--format", "json", *names, cwd=tmp_path, memory=320 << 20, seconds=60)
    report = _json(result)
    assert report["errors"] == [], report["errors"]
    assert result.returncode == 1, result
    assert _codes_by_file(report) == {name: {"CORS201"} for name in names}, report


def test_defect_12_memory_error_is_an_input_error_for_that_file(tmp_path):
    (tmp_path / "huge.conf").write_text(WILDCARD_WITH_CREDENTIALS + TINY_DIRECTIVES * 4)
    (tmp_path / "small.conf").write_text(WILDCARD_WITH_CREDENTIALS)
    result = run("--type", "nginx", "--format", "json", "huge.conf", "small.conf", cwd=tmp_path,
                 memory=300 << 20, seconds=60)
    assert "Traceback" not in result.stderr, result
    assert result.returncode == 2, result
    report = _json(result)
    assert [(e["path"], e["line"]) for e in report["errors"]] == [("huge.conf", None)], report["errors"]
    assert "memory" in report["errors"][0]["message"], report["errors"]
    assert _codes_by_file(report) == {"small.conf": {"CORS201"}}, report


def test_defect_16_an_exception_in_one_file_is_an_input_error_and_the_report_is_written(tmp_path):
    (tmp_path / "bad.conf").write_text("<IfVersion ~ (>\n    Header set X-A b\n</IfVersion>\n"
                                       "<VirtualHost *:80>\n    ServerName a.example.com\n</VirtualHost>\n")
    (tmp_path / "other.conf").write_text((SAMPLES / "apache/cors201-wildcard-credentials.conf").read_text())
    result = run("--type", "apache", "--format", "sarif", "bad.conf", "other.conf", cwd=tmp_path)
    assert result.returncode == 2, result
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr, result
    assert "bad.conf" in result.stderr, result
    sarif = json.loads(result.stdout)
    run_ = sarif["runs"][0]
    assert {r["ruleId"] for r in run_["results"]} == {"CORS201"}, run_["results"]
    invocation = run_["invocations"][0]
    assert not invocation["executionSuccessful"]
    notes = invocation["toolExecutionNotifications"]
    assert [n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for n in notes] == ["bad.conf"], notes
