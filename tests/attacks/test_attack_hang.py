"""Attacks that made a few hundred bytes run for minutes or hours: regexes
that backtrack polynomially, a regex budget that was per match instead of
per run, `<IfVersion>` regexes matched (or refused) outside the guard, name
bindings evaluated again at every use, regex examples rendered at any size.
Each run is bounded (bounded.run) and must end with the safe outcome: the
pattern reported at its file and line, the other files still linted."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from bounded import run  # noqa: E402

#: what a guarded run may take here (the attacks took minutes to hours)
QUICK = 10

#: a second file with a finding of its own, which every attack must leave reported
GOOD_NGINX = """\
server {
    listen 80;
    location /api/ {
        add_header Access-Control-Allow-Origin $http_origin;
        add_header Access-Control-Allow-Credentials true;
    }
}
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text) if text.startswith("\n") else text, encoding="utf-8")
    return path


def other_file(tmp_path: Path) -> Path:
    return write(tmp_path / "other" / "nginx.conf", GOOD_NGINX)


def findings(done) -> list[dict]:
    return json.loads(done.stdout)["findings"]


def errors(done) -> list[dict]:
    return json.loads(done.stdout)["errors"]


def assert_other_file_linted(done) -> None:
    assert any(f["path"] == "other/nginx.conf" and f["line"] == 4 and f["code"] == "CORS202"
               for f in findings(done)), done


def assert_backtracks_at(done, path: str, line: int, pattern: str) -> None:
    found = [e for e in errors(done) if e["path"] == path]
    assert found and all(e["line"] == line and "backtracks" in e["message"] and pattern in e["message"]
                         for e in found), done


# -- defect 5: polynomial regexes, matched outside the guard -------------------------------------------

EXPRESS4 = '{"dependencies": {"express": "^4.18.0", "cors": "^2.8.5"}}\n'

#: polynomial (a*a*a*a* then a class, not a literal: the `regex` engine that
#: runs risky patterns skips a search whose required literal is absent, so
#: `a*a*a*b` is no attack on it), as messages show it (backslash escaped)
DISPLAYED = "a*a*a*a*\\\\d"

POLYNOMIAL = {   # the file, what it holds besides, the line of the pattern, the pattern
    "nginx location": ("site/nginx.conf", {}, 4, DISPLAYED, f"""\
server {{
    listen 80;
    location /{"a" * 2000} {{ return 200; }}
    location ~ a*a*a*a*\\d {{ add_header Access-Control-Allow-Origin *; }}
}}
"""),
    "apache LocationMatch": ("site/httpd.conf", {}, 9, DISPLAYED, f"""\
<VirtualHost *:80>
    ServerName api.example.com
    <Location /{"a" * 2000}>
        Header set X-A b
    </Location>
    <LocationMatch "\\d+\\d+\\d+x">
        Header set X-B c
    </LocationMatch>
    <LocationMatch "a*a*a*a*\\d">
        Header always set Access-Control-Allow-Origin "*"
    </LocationMatch>
</VirtualHost>
"""),
    "express route": ("app/app.js", {"app/package.json": EXPRESS4}, 6, DISPLAYED, f"""\
const express = require('express');
const cors = require('cors');
const app = express();
app.use(cors({{ origin: 'https://app.example.com' }}));
app.get('/{"a" * 2000}', (req, res) => res.send('x'));
app.get(/a*a*a*a*\\d/, (req, res) => res.send('y'));
app.listen(3000);
"""),
}


@pytest.mark.parametrize("case", POLYNOMIAL, ids=list(POLYNOMIAL))
def test_defect_05_polynomial_pattern_is_guarded(tmp_path, case):
    """A long prefix makes the probe a polynomial pattern backtracks on."""
    path, beside, line, pattern, text = POLYNOMIAL[case]
    for name, content in beside.items():
        write(tmp_path / name, content)
    write(tmp_path / path, text)
    other_file(tmp_path)
    done = run("--format", "json", path, "other/nginx.conf", cwd=tmp_path)
    assert done.returncode == 2 and done.seconds < QUICK, done
    assert_backtracks_at(done, path, line, pattern)
    assert_other_file_linted(done)


def test_defect_05_express5_optional_groups_are_not_flattened(tmp_path):
    """path-to-regexp 8 syntax: 30 optional groups were 2^30 alternatives."""
    groups = "".join(f"{{/x{i}}}" for i in range(30))
    write(tmp_path / "app" / "package.json", EXPRESS4.replace("^4.18.0", "^5.0.0"))
    write(tmp_path / "app" / "app.js", f"""\
const express = require('express');
const cors = require('cors');
const app = express();
app.get('/r{groups}', cors({{ origin: true, credentials: true }}), (req, res) => res.send('x'));
app.listen(3000);
""")
    done = run("--format", "json", "app/app.js", cwd=tmp_path)
    assert done.returncode == 1 and done.seconds < QUICK, done
    assert [(f["line"], f["code"]) for f in findings(done)] == [(4, "CORS202")], done


def test_defect_05_simulate_url_against_a_polynomial_location(tmp_path):
    write(tmp_path / "nginx.conf", """\
server {
    listen 80;
    location ~ \\d+\\d+\\d+\\d+\\D { add_header Access-Control-Allow-Origin *; }
    location / { return 200; }
}
""")
    done = run("simulate", "nginx.conf", "--url", f"http://localhost/{'1' * 3000}",
               "--origin", "https://app.example.com", cwd=tmp_path)
    assert done.returncode == 2 and done.seconds < QUICK, done
    assert "backtracks" in done.stderr and "\\\\d+\\\\d+\\\\d+\\\\d+\\\\D" in done.stderr, done


def ifversion_site(tmp_path: Path, condition: str) -> None:
    """An Apache file whose line 1 is `<IfVersion condition>` and whose line
    4 is a finding (CORS201), and the other file."""
    write(tmp_path / "site" / "httpd.conf", f"""\
<IfVersion {condition}>
    Header always set X-Old 1
</IfVersion>
Header always set Access-Control-Allow-Origin "*"
Header always set Access-Control-Allow-Credentials "true"
""")
    other_file(tmp_path)


def assert_ifversion_site_linted(done) -> None:
    assert any(f["path"] == "site/httpd.conf" and f["line"] == 4 and f["code"] == "CORS201"
               for f in findings(done)), done
    assert_other_file_linted(done)


def test_defect_05_ifversion_regex_is_guarded(tmp_path):
    ifversion_site(tmp_path, "~ (.?|.?){40}\\D")
    done = run("--format", "json", "site/httpd.conf", "other/nginx.conf", cwd=tmp_path)
    assert done.returncode == 2 and done.seconds < QUICK, done
    assert_backtracks_at(done, "site/httpd.conf", 1, "(.?|.?){40}\\\\D")
    assert_ifversion_site_linted(done)


def test_defect_05_name_bindings_are_evaluated_once(tmp_path):
    """`B1 = B0 * B0` ... 40 deep: 2^40 evaluations of B0 without memoization."""
    chain = "\n".join(f"B{i} = B{i - 1} * B{i - 1}" for i in range(1, 41))
    write(tmp_path / "settings.py", f"""\
INSTALLED_APPS = ["corsheaders"]
MIDDLEWARE = ["corsheaders.middleware.CorsMiddleware", "django.middleware.common.CommonMiddleware"]
B0 = 1
{chain}
CORS_PREFLIGHT_MAX_AGE = B40
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = True
""")
    done = run("--format", "json", "settings.py", cwd=tmp_path)
    assert done.returncode == 1 and done.seconds < QUICK, done
    assert [(f["line"], f["code"]) for f in findings(done)] == [(45, "CORS202")], done


# -- defect 6: a regex example rendered at any size ----------------------------------------------------

def test_defect_06_regex_examples_are_capped(tmp_path):
    """`((a{1000}){1000}){1000}` rendered into a probe path was 10^9 characters.
    PCRE2 refuses to compile it ("regular expression is too large"), so nginx
    does not start: an input error at its line, and the rest is still judged."""
    write(tmp_path / "site" / "nginx.conf", """\
server {
    listen 80;
    location ~ "^/a{60000}$" { add_header Access-Control-Allow-Origin *; }
    location ~ "^/((a{1000}){1000}){1000}$" { add_header Access-Control-Allow-Origin *; }
    location /api/ {
        add_header Access-Control-Allow-Origin $http_origin;
        add_header Access-Control-Allow-Credentials true;
    }
}
""")
    done = run("--format", "json", "site/nginx.conf", cwd=tmp_path, memory=1 << 30)
    assert done.returncode == 2 and done.seconds < QUICK, done
    assert [(e["line"], "too large" in e["message"]) for e in errors(done)] == [(4, True)], done
    assert (6, "CORS202") in [(f["line"], f["code"]) for f in findings(done)], done


# -- defect 13: the regex budget is per run --------------------------------------------------------------

def test_defect_13_regex_budget_is_per_run(tmp_path):
    """60 servers, each with a pattern that stays just under the per-match
    budget on the probe its long prefix location makes: minutes, before."""
    servers = "\n".join(f"""\
server {{
    listen 80;
    server_name s{i}.example.com;
    location /{"a" * 18}! {{ add_header X-P 1; }}
    location ~ ^/(a|a)+\\D{i}$ {{ add_header X-A {i}; }}
}}""" for i in range(60))
    write(tmp_path / "site" / "nginx.conf", servers + "\n")
    other_file(tmp_path)
    done = run("--format", "json", "site/nginx.conf", "other/nginx.conf", cwd=tmp_path)
    assert done.returncode == 2 and done.seconds < QUICK, done
    uncertain = [e for e in errors(done) if e["message"].startswith("uncertain:")]
    assert len(uncertain) == 1 and uncertain[0]["path"] == "site/nginx.conf", done
    assert "budget" in uncertain[0]["message"], done
    assert_other_file_linted(done)


# -- defect 16: an invalid <IfVersion> regex -------------------------------------------------------------

def test_defect_16_invalid_ifversion_regex_is_an_input_error(tmp_path):
    ifversion_site(tmp_path, "~ 2\\.4(")
    done = run("--format", "sarif", "site/httpd.conf", "other/nginx.conf", cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done
    assert "site/httpd.conf:1: <IfVersion> regex" in done.stderr and "does not compile" in done.stderr, done
    results = json.loads(done.stdout)["runs"][0]["results"]
    located = {(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], r["ruleId"]) for r in results}
    assert ("other/nginx.conf", "CORS202") in located and ("site/httpd.conf", "CORS201") in located, located
    done = run("--format", "json", "site/httpd.conf", "other/nginx.conf", cwd=tmp_path)
    assert [(e["path"], e["line"]) for e in errors(done)] == [("site/httpd.conf", 1)], done
    assert_ifversion_site_linted(done)
