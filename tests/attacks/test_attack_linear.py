"""Attacks on cost: a pull request that adds thousands of hosts, routes or
header lines, or one very long TOML key, must still be linted within the
bounded run's time limit, with every finding in place.

The inputs come from tests/benchmarks/corpora.py (the scaling benchmark's
corpora), plus one last item whose finding shows that the last host or
route was still matched and judged.  The sizes are those where a scan of
every host or route per request took minutes; the linear code takes a few
seconds.  How the cost grows (4k/1k items) is measured by
tests/benchmarks/bench_scaling.py, not here.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))

import corpora  # noqa: E402
from bounded import run  # noqa: E402

SAMPLES = Path(__file__).parents[2] / "samples"


def findings(stdout: str) -> list[tuple[str, int, str]]:
    """(file name, line, code) of every finding in text output."""
    return [(Path(m.group(1)).name, int(m.group(2)), m.group(3))
            for m in re.finditer(r"^(\S+):(\d+): (CORS\d{3}) ", stdout, re.MULTILINE)]


def line_of(text: str, start: str) -> int:
    """The number of the first line of `text` that starts with `start`."""
    return next(n for n, line in enumerate(text.splitlines(), start=1) if line.startswith(start))


def test_defect_09_duplicate_header_lines_are_judged_once_per_answer(tmp_path):
    """16,000 Allow-Origin add_header lines in one location (1.1 MB): CORS402
    sorted them all once per line (53 s).  Now one finding, at the line
    applied last, pointing at the first."""
    count = 16_000
    (tmp_path / "nginx.conf").write_text(corpora.nginx_header_lines(count))
    result = run("nginx.conf", cwd=tmp_path)
    assert result.returncode == 1, result
    last, first = 7 + count - 1, 7
    assert ("nginx.conf", last, "CORS402") in findings(result.stdout), result
    assert f"related: nginx.conf:{first}: first access-control-allow-origin" in result.stdout
    assert findings(result.stdout).count(("nginx.conf", last, "CORS402")) == 1
    assert result.stderr == ""


def test_defect_09_apache_header_merge_is_not_rescanned_per_line(tmp_path):
    """16,000 `Header merge Vary` lines of distinct names in one vhost: each
    name was compared with every name merged before it (76 s)."""
    lines = ["<VirtualHost *:80>", "    ServerName a.example.com",
             "    Header always set Access-Control-Allow-Origin https://app.example.com"]
    lines += [f"    Header always merge Vary X-Name-{i}" for i in range(16_000)]
    lines += ["    ProxyPass / http://127.0.0.1:8000/", "</VirtualHost>"]
    (tmp_path / "httpd.conf").write_text("\n".join(lines) + "\n")
    result = run("httpd.conf", cwd=tmp_path)
    assert result.returncode == 1, result
    assert findings(result.stdout) == [("httpd.conf", 1, "CORS101")], result
    assert result.stderr == ""


def test_defect_10_apache_virtual_hosts_are_indexed(tmp_path):
    """4,000 name-based <VirtualHost>s, each with its own CORS headers: the
    host of every probe request was chosen by scanning all of them (4k: 11 s
    on an idle machine, a minute on a busy one).  Each host's CORS101 is
    reported at its own ProxyPass."""
    count = 4_000
    (tmp_path / "httpd.conf").write_text(corpora.apache_vhosts(count))
    result = run("httpd.conf", cwd=tmp_path)
    assert result.returncode == 1, result
    # vhost i spans lines 4 + 8i .. 11 + 8i; its ProxyPass is the 7th
    assert sorted(findings(result.stdout)) == [("httpd.conf", 10 + 8 * i, "CORS101") for i in range(count)]
    assert "request: OPTIONS /api/ from https://app3999.example.com" in result.stdout
    assert result.stderr == ""


def test_defect_10_apache_locations_are_indexed(tmp_path):
    """2,000 <Location>s of the main server: the sections of every probe
    request were found by scanning all of them (1,000: 17 s; 4,000: over
    5 minutes).  Each location's CORS201 is reported at its own line."""
    count = 2_000
    lines = ["Listen 80"]
    for i in range(count):
        lines += [f"<Location /p{i}/>", '    Header always set Access-Control-Allow-Origin "*"',
                  '    Header always set Access-Control-Allow-Credentials "true"', "</Location>"]
    (tmp_path / "httpd.conf").write_text("\n".join(lines) + "\n")
    result = run("httpd.conf", cwd=tmp_path)
    assert result.returncode == 1, result
    assert sorted(findings(result.stdout)) == [("httpd.conf", 3 + 4 * i, "CORS201") for i in range(count)]
    assert "request: GET /p1999/ from https://client.example (credentials)" in result.stdout
    assert result.stderr == ""


def test_defect_10_main_server_sections_in_every_vhost_are_bounded(tmp_path):
    """400 main-server <Location>s and 400 <VirtualHost>s (25 KB): the
    sections apply in every host, 160,000 scopes.  The inherited ones are
    probed in the first hosts only, and a notice says so; each host's own
    headers are still judged."""
    count = 400
    lines = ["Listen 80"]
    lines += [f"<Location /p{i}/>\n    Header set X-Section {i}\n</Location>" for i in range(count)]
    lines += [f"<VirtualHost *:80>\n    ServerName s{i}.example.com\n"
              f'    Header always set Access-Control-Allow-Origin "*"\n'
              f'    Header always set Access-Control-Allow-Credentials "true"\n</VirtualHost>' for i in range(count)]
    conf = "\n".join(lines) + "\n"
    (tmp_path / "httpd.conf").write_text(conf)
    result = run("httpd.conf", cwd=tmp_path)
    assert result.returncode == 1, result
    assert "the 400 sections of the main server are probed in the first 25 of the 400 virtual hosts only" \
        in result.stderr + result.stdout, result
    acao = [n for n, line in enumerate(conf.splitlines(), start=1) if "Allow-Origin" in line]
    assert sorted(findings(result.stdout)) == [("httpd.conf", n, "CORS201") for n in acao], result


def test_defect_10_flask_routes_are_indexed(tmp_path):
    """8,000 Flask routes under flask-cors: every probe request was matched
    against every route (4k: 14 s).  The last route, with a CORS decorator
    of its own, is still found and judged."""
    count = 8_000
    app = corpora.flask_routes(count).replace("from flask_cors import CORS", "from flask_cors import CORS, cross_origin")
    app += '\n@app.route("/public/last")\n@cross_origin(origins=["http://app.example.com"])\ndef last():\n    return ""\n'
    (tmp_path / "app.py").write_text(app)
    result = run("app.py", cwd=tmp_path)
    assert result.returncode == 1, result
    decorator = line_of(app, "@cross_origin(")
    assert findings(result.stdout) == [("app.py", 5, "CORS405"), ("app.py", decorator, "CORS405")], result
    assert "request: GET /public/last from http://app.example.com" in result.stdout
    assert result.stderr == ""


def test_defect_10_express_routes_are_indexed(tmp_path):
    """4,000 Express routes: every probe request walked every layer, and
    every answer rescanned the whole stack for refused paths (4k: 30 s).
    The last route's own cors() options are still judged."""
    count = 4_000
    app = corpora.express_routes(count).replace(
        "app.listen(3000);", "app.get('/public/last', cors({ origin: 'https://app.example.com/' }), "
                             "(req, res) => res.json([]));\napp.listen(3000);")
    (tmp_path / "app.js").write_text(app)
    result = run("app.js", cwd=tmp_path)
    assert result.returncode == 1, result
    assert findings(result.stdout) == [("app.js", line_of(app, "app.get('/public/last'"), "CORS207")], result
    assert result.stderr == ""


def test_defect_10_ingress_host_rules_are_indexed(tmp_path):
    """4,000 host rules in one Ingress (about 1 MB): every probe request was
    matched against every rule (260 KB: over 60 s).  The findings of the
    Ingress and of a second one after it, probed on its own host, are all
    there."""
    count = 4_000
    manifest = corpora.ingress_hosts(count)
    manifest += "---\n" + corpora.ingress_hosts(1).replace("many-hosts", "last").replace("site0", "last").replace(
        "https://app.example.com", "https://app.example.com/")
    (tmp_path / "ingress.yaml").write_text(manifest)
    result = run("ingress.yaml", cwd=tmp_path)
    assert result.returncode == 1, result
    origin = line_of(manifest, '    nginx.ingress.kubernetes.io/cors-allow-origin: "https://app.example.com/"')
    assert sorted(findings(result.stdout)) == [
        ("ingress.yaml", 6, "CORS303"), ("ingress.yaml", 7, "CORS405"),
        ("ingress.yaml", origin - 1, "CORS303"), ("ingress.yaml", origin, "CORS201"),
        ("ingress.yaml", origin, "CORS503"),
    ], result
    assert "request: GET /api from https://client.example (credentials)" in result.stdout
    assert result.stderr == ""


def test_defect_11_toml_key_with_many_quoted_dots_reads_in_one_pass(tmp_path):
    """A 160 KB quoted key full of dots in a Traefik TOML file: the dotted
    key was split by a look-ahead that rescanned the rest of the line at
    every dot (over 60 s).  The file is read, its finding reported."""
    sample = (SAMPLES / "traefik" / "cors302-no-allow-headers.toml").read_text()
    (tmp_path / "traefik.toml").write_text(sample + '\n[http.services.api.labels]\n"' + ".a" * 80_000 + '" = 1\n')
    result = run("traefik.toml", cwd=tmp_path)
    assert result.returncode == 1, result
    assert findings(result.stdout) == [("traefik.toml", 6, "CORS302")], result
    assert result.stderr == ""


def test_defect_11_toml_key_nested_80000_deep_is_an_input_error(tmp_path):
    """An 80,000-part dotted key (160 KB): `tomllib` itself spends a minute
    on it.  Refused before parsing, as an input error at its line; the
    other file's findings are still reported."""
    (tmp_path / "deep.toml").write_text("[http.middlewares.cors.headers]\n"
                                        "accessControlAllowOriginList = [\"*\"]\n" + "x" + ".a" * 80_000 + " = 1\n")
    sample = SAMPLES / "traefik" / "cors302-no-allow-headers.toml"
    (tmp_path / "other.toml").write_text(sample.read_text())
    result = run(".", cwd=tmp_path)
    assert result.returncode == 2, result
    assert "deep.toml:3: TOML error: a key with more than 32 dotted parts" in result.stderr, result
    assert findings(result.stdout) == [("other.toml", 6, "CORS302")], result
