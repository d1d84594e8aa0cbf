"""Hostile input (issue 8): limits with clear messages, no read outside the
configuration root, no silent pass of a broken file, nothing executed.

The property tests are in tests/test_fuzz.py and the minimal crash inputs
in tests/test_regressions.py; these are the contracts, each shown once.
"""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest

from corslint.config import Settings
from corslint.confine import MAX_FILE_BYTES
from corslint.engine import lint

from support import corslint, time_limit, write

REPO = Path(__file__).resolve().parent.parent


def lint_one(path: Path, kind: str | None = None, root: str | None = None):
    with time_limit(30):
        return lint([str(path)], Settings(), kind, root)


# -- limits ------------------------------------------------------------------------------------

DEEP = 3000


@pytest.mark.parametrize("name, kind, text, refused", [
    ("deep.conf", "nginx", "server {\n" + "location / {\n" * DEEP + "}\n" * DEEP + "}\n", True),
    ("deep.conf", "apache", "<Directory />\n" * DEEP + "</Directory>\n" * DEEP, True),
    ("settings.py", "django", "CORS_ALLOWED_ORIGINS = " + "[" * DEEP + "]" * DEEP + "\n", True),
    ("ingress.yaml", "yaml", "a: " + "[" * DEEP + "]" * DEEP + "\n", True),
    # tree-sitter reads any depth; the interpreter gives up on the value (unknown)
    ("app.js", "express", "const cors = require('cors');\napp.use(cors({origin: " + "[" * DEEP + "]" * DEEP
     + "}));\n", False),
], ids=["nginx", "apache", "django", "yaml", "express"])
def test_deep_nesting_is_an_input_error_not_a_crash(tmp_path, name, kind, text, refused):
    report = lint_one(write(tmp_path / name, text), kind)
    assert bool(report.errors) == refused
    assert all(e.path.endswith(name) and e.message for e in report.errors)

@pytest.mark.parametrize("name, kind", [("big.conf", "nginx"), ("big.conf", "apache"), ("settings.py", "django"),
                                        ("app.js", "express"), ("ingress.yaml", "yaml")])
def test_file_larger_than_the_limit_is_an_input_error(tmp_path, name, kind):
    path = write(tmp_path / name, b"#" * (MAX_FILE_BYTES + 1))
    report = lint_one(path, kind)
    assert len(report.errors) == 1
    assert report.errors[0].path == str(path) and "MiB" in report.errors[0].message


def test_included_file_larger_than_the_limit_is_an_input_error(tmp_path):
    write(tmp_path / "big.conf", b"#" * (MAX_FILE_BYTES + 1))
    main = write(tmp_path / "nginx.conf", "http {\n    include big.conf;\n}\n")
    report = lint_one(main)
    assert [("big.conf" in e.path, "MiB" in e.message) for e in report.errors] == [(True, True)]


def test_large_file_in_a_folder_walk_is_reported_only_when_it_is_configuration(tmp_path):
    write(tmp_path / "data.json", b"0" * (MAX_FILE_BYTES + 1))          # not configuration: not read, not reported
    write(tmp_path / "huge.conf", b"server {\n" + b"#" * (MAX_FILE_BYTES + 1) + b"\n}\n")
    report = lint_one(tmp_path)
    assert [Path(e.path).name for e in report.errors] == ["huge.conf"]


def test_nginx_include_depth_is_limited(tmp_path):
    for i in range(40):
        write(tmp_path / f"l{i}.conf", f"include l{i + 1}.conf;\n")
    write(tmp_path / "l40.conf", "add_header X-Deep 1;\n")
    report = lint_one(tmp_path / "l0.conf", "nginx")
    assert [e.message for e in report.errors] == ["includes nested deeper than 32"]


@pytest.mark.parametrize("kind, include", [("nginx", "include {};"), ("apache", "Include {}")])
def test_include_cycle_reported_once(tmp_path, kind, include):
    """a -> b -> c -> b and a -> c -> b -> c: one cycle, reported once per line."""
    write(tmp_path / "a.conf", include.format("b.conf") + "\n" + include.format("c.conf") + "\n")
    write(tmp_path / "b.conf", include.format("c.conf") + "\n")
    write(tmp_path / "c.conf", include.format("b.conf") + "\n")
    report = lint_one(tmp_path / "a.conf", kind)
    messages = [str(e) for e in report.errors]
    assert messages and all("include cycle" in m for m in messages)
    assert len(messages) == len(set(messages)) <= 2


@pytest.mark.parametrize("kind, include", [("nginx", "include {};"), ("apache", "Include {}")])
def test_include_diamond_bomb_is_bounded(tmp_path, kind, include):
    """Each level includes the next one twice: 2**30 reads without a cap."""
    for i in range(30):
        write(tmp_path / f"d{i}.conf", (include.format(f"d{i + 1}.conf") + "\n") * 2)
    write(tmp_path / "d30.conf", "# leaf\n")
    report = lint_one(tmp_path / "d0.conf", kind)
    assert len(report.errors) == 1 and "included files" in report.errors[0].message


@pytest.mark.parametrize("kind, include", [("nginx", "include {};"), ("apache", "IncludeOptional {}")])
def test_symlink_loop_in_an_include_is_reported(tmp_path, kind, include):
    os.symlink("loop-b.conf", tmp_path / "loop-a.conf")
    os.symlink("loop-a.conf", tmp_path / "loop-b.conf")
    main = write(tmp_path / "main.conf", include.format("loop-*.conf") + "\n")
    report = lint_one(main, kind)
    assert report.errors and all("symlink loop" in e.message for e in report.errors)


def test_symlink_loop_given_on_the_command_line(tmp_path):
    os.symlink("b.conf", tmp_path / "a.conf")
    os.symlink("a.conf", tmp_path / "b.conf")
    run = corslint(str(tmp_path / "a.conf"), str(tmp_path))      # explicitly, and in a folder walk
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert run.stderr.count("symlink loop") == 1, run.stderr


# -- regexes bounded in time --------------------------------------------------------------------------

CATASTROPHIC = {
    "nginx map": ("site.conf", "nginx", f"""\
        map $http_origin $cors {{
            default "";
            "~^https://(x+x+)+y$" $http_origin;
        }}
        server {{
            listen 80;
            location /{"x" * 40} {{ return 200; }}
            location ~ ^/(x+x+)+y$ {{ return 200; }}
            location / {{
                add_header Access-Control-Allow-Origin $cors always;
                return 200;
            }}
        }}
        """),
    "apache": ("site.conf", "apache", f"""\
        <VirtualHost *:80>
            ServerName api.example.com
            <Location /{"a" * 40}>
                Header set X-A b
            </Location>
            <LocationMatch "(a+)+$">
                Header always set Access-Control-Allow-Origin "*"
            </LocationMatch>
        </VirtualHost>
        """),
    "django": ("settings.py", "django", f"""\
        INSTALLED_APPS = ["corsheaders"]
        MIDDLEWARE = ["corsheaders.middleware.CorsMiddleware", "django.middleware.common.CommonMiddleware"]
        CORS_ALLOWED_ORIGIN_REGEXES = [r"^https://(a+)+$"]
        CORS_ALLOWED_ORIGINS = ["https://{"a" * 40}.example"]
        CORS_URLS_REGEX = r"^/(a+)+$"
        """),
    "express": ("app.js", "express", f"""\
        const express = require('express');
        const cors = require('cors');
        const app = express();
        app.use(cors({{ origin: [/^https:\\/\\/(a+)+$/, 'https://{"a" * 40}.example'], credentials: true }}));
        app.get('/{"a" * 40}!', (req, res) => res.send('x'));
        app.get(/^\\/(a+)+$/, (req, res) => res.send('y'));
        """),
}


@pytest.mark.parametrize("case", CATASTROPHIC, ids=list(CATASTROPHIC))
def test_catastrophic_regex_does_not_stall(tmp_path, case):
    name, kind, text = CATASTROPHIC[case]
    report = lint_one(write(tmp_path / name, textwrap.dedent(text)), kind)
    for error in report.errors:      # uncertain answers are input errors that name the pattern's line
        assert "backtracks" in error.message and error.line, error


def test_regex_budget_is_per_match_and_guarded_only_when_risky():
    import re
    import time

    from corslint.saferegex import Guarded, RegexTimeout, compile, risky

    assert isinstance(compile(r"\.(css|js)$"), re.Pattern)              # plain patterns cost nothing extra
    assert risky(r"(a+)+$") and risky(r"(x+x+)+y") and risky(r"(a|aa)+") and risky(r"(\w+)\1")
    guarded = compile(r"^(a|aa)+$")
    assert isinstance(guarded, Guarded) and guarded.search("aaaa")
    start = time.process_time()
    with pytest.raises(RegexTimeout):
        guarded.search("a" * 60 + "!")
    assert time.process_time() - start < 2
    with pytest.raises(RegexTimeout):                                   # a pattern that timed out once fails at once
        guarded.search("a")


# -- includes stay below the configuration root ---------------------------------------------------------

def test_nginx_include_outside_the_root_is_refused(tmp_path):
    secret = write(tmp_path / "secret" / "passwd", "add_header Access-Control-Allow-Origin * always;\n")
    main = write(tmp_path / "etc" / "nginx" / "nginx.conf", textwrap.dedent(f"""\
        http {{
            include ../../../../../../../../../../etc/passwd;
            include ../../secret/passwd;
            include {secret};
            server {{ listen 80; }}
        }}
        """))
    report = lint_one(main, "nginx")     # outside the current folder: the root is etc/nginx (nginx.conf's)
    assert report.errors == [] and report.skipped == []
    assert str(secret) not in {p for p in _files_read(main)}
    notes = [(n.line, n.message) for n in report.notices]
    assert [line for line, _ in notes] == [2, 3, 4], notes
    assert all("outside the configuration root" in m for _, m in notes[:2]), notes
    assert "/etc/passwd" in notes[0][1]
    assert "no mapping covers it" in notes[2][1]      # an absolute path of the deployed machine, not mapped
    run = corslint(str(main))
    assert run.returncode == 0 and f"{main}:2: note: include ../../../../../../../../../../etc/passwd: not read" \
        in run.stdout, run.stdout


def _files_read(main: Path, root: str | None = None) -> list[str]:
    from corslint.nginx.parse import parse

    return [os.path.realpath(f) for f in parse(str(main), str(main), root).files]


def test_nginx_include_inside_the_root_and_root_option(tmp_path):
    """/etc/nginx/nginx.conf including conf.d/*.conf and /etc/nginx/conf.d/*.conf: the root is /etc/nginx."""
    etc = tmp_path / "etc" / "nginx"
    write(etc / "conf.d" / "api.conf", "server { listen 80; add_header Access-Control-Allow-Origin * always; }\n")
    write(tmp_path / "usr" / "share" / "modules.conf", "# load_module ...;\n")
    main = write(etc / "nginx.conf", f"http {{\n    include conf.d/*.conf;\n    include {etc}/conf.d/*.conf;\n"
                                     f"    include {tmp_path}/usr/share/modules.conf;\n}}\n")
    report = lint_one(main, "nginx")
    assert [Path(f).name for f in _files_read(main)] == ["nginx.conf", "api.conf", "api.conf"]
    assert len(report.notices) == 1 and "modules.conf" in report.notices[0].message
    # --root covering both folders lets the last include in (relative includes still resolve against nginx.conf's)
    assert [Path(f).name for f in _files_read(main, str(tmp_path))] == ["nginx.conf", "api.conf", "api.conf",
                                                                        "modules.conf"]
    assert lint_one(main, "nginx", root=str(tmp_path)).notices == []


def test_nginx_symlink_pointing_outside_the_root_is_refused(tmp_path):
    secret = write(tmp_path / "secret.conf", "add_header X-Secret 1;\n")
    conf = tmp_path / "conf"
    write(conf / "sites" / "ok.conf", "add_header X-Ok 1;\n")
    os.symlink(secret, conf / "sites" / "evil.conf")
    main = write(conf / "nginx.conf", "server {\n    listen 80;\n    include sites/*.conf;\n}\n")
    report = lint_one(main, "nginx")
    assert [Path(f).name for f in _files_read(main)] == ["nginx.conf", "ok.conf"]
    assert len(report.notices) == 1 and "evil.conf" in report.notices[0].message


def test_apache_include_outside_the_root_is_refused(tmp_path):
    secret = write(tmp_path / "secret" / "passwd", 'Header always set Access-Control-Allow-Origin "*"\n')
    main = write(tmp_path / "etc" / "apache2" / "apache2.conf",
                 "Include ../../../../../../../../../../etc/passwd\nInclude ../../secret/passwd\n"
                 f"IncludeOptional {tmp_path}/secret/*\nInclude {tmp_path}/secret\n")
    report = lint_one(main, "apache")
    assert report.errors == [] and report.files == 1
    notes = [n.message for n in report.notices]
    assert [n.line for n in report.notices] == [1, 2, 3, 4], notes
    assert all("outside the configuration root" in n for n in notes), notes
    assert "/etc/passwd" in notes[0]
    run = corslint("--type", "apache", str(main))
    assert run.returncode == 0 and "Include ../../../../../../../../../../etc/passwd: not read" in run.stdout
    assert str(secret) not in run.stdout.split("not read")[0]


def test_apache_server_root_above_conf_folder_is_the_root(tmp_path):
    """RHEL's /etc/httpd/conf/httpd.conf with ServerRoot /etc/httpd includes conf.d/*.conf."""
    httpd = tmp_path / "etc" / "httpd"
    write(httpd / "conf.d" / "cors.conf", 'Header always set Access-Control-Allow-Origin "*"\n')
    main = write(httpd / "conf" / "httpd.conf", f'ServerRoot "{httpd}"\nInclude conf.d/*.conf\n')
    report = lint_one(main, "apache")
    assert report.errors == [] and report.notices == [] and report.files == 2
    # a ServerRoot outside the configuration root does not open the file system
    other = write(tmp_path / "repo" / "httpd.conf", 'ServerRoot "/"\nInclude etc/passwd\n')
    report = lint_one(other, "apache")
    assert report.files == 1 and "outside the configuration root" in report.notices[0].message


# -- broken input is never a silent pass -------------------------------------------------------------

BROKEN = {
    "nginx": ("sites-enabled/broken.conf", "server {\n    listen 80;\n    location / {\n        return 200;\n"),
    "apache": ("httpd.conf", "<VirtualHost *:80>\n    Header set X-A b\n"),
    "django": ("settings.py", 'INSTALLED_APPS = ["corsheaders"\nCORS_ALLOW_ALL_ORIGINS = True\n'),
    "flask": ("app.py", "from flask_cors import CORS\nCORS(app, origins=[\n"),
    "starlette": ("main.py", "from starlette.middleware.cors import CORSMiddleware\napp.add_middleware(CORSMiddleware,\n"),
    "express": ("app.js", "const cors = require('cors');\napp.use(cors({ origin: 'https://a.example' );\n"),
    "yaml": ("ingress.yaml", "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  annotations:\n"
                             "    nginx.ingress.kubernetes.io/enable-cors: [true\n"),
    "toml": ("dynamic.toml", "[http.middlewares.cors.headers]\naccessControlAllowOriginList = ['https://a.example'\n"),
}
CLEAN = "server {\n    listen 80;\n    location /fonts/ {\n        add_header Access-Control-Allow-Origin *;\n    }\n}\n"


@pytest.mark.parametrize("kind", BROKEN)
def test_unparseable_file_fails_the_run_even_next_to_clean_files(tmp_path, kind):
    name, text = BROKEN[kind]
    broken = write(tmp_path / "repo" / name, text)
    write(tmp_path / "repo" / "clean.conf", CLEAN)
    run = corslint("--format", "json", str(tmp_path / "repo"))
    assert run.returncode == 2, (run.stdout, run.stderr)
    payload = json.loads(run.stdout)
    assert [e["path"] for e in payload["errors"]] == [str(broken)], payload
    assert payload["files"] >= 2 or kind in ("yaml", "toml")     # the clean file is still linted
    assert f"{broken}:" in run.stderr


def test_template_that_only_parses_once_rendered_is_rendered_and_linted(tmp_path):
    write(tmp_path / "nginx.conf.tmpl", "server {\n    listen {{ .Port }};\n    location / {\n{{ if .X }}\n"
                                        "        return 204;\n{{ end }}\n    }\n}\n")
    write(tmp_path / "clean.conf", CLEAN)
    run = corslint("--format", "json", "--type", "nginx", str(tmp_path / "nginx.conf.tmpl"), str(tmp_path / "clean.conf"))
    payload = json.loads(run.stdout)
    assert run.returncode == 0 and payload["errors"] == [] and not payload.get("skipped"), payload


def test_template_that_cannot_be_rendered_is_an_input_error_and_the_others_are_linted(tmp_path):
    write(tmp_path / "nginx.conf.tmpl", "server {\n    listen {{ .Port }};\n    location / {{ if .X }}\n")
    write(tmp_path / "bad.conf", "server {\n  location / {\n    add_header Access-Control-Allow-Origin * always;\n"
                                 "    add_header Access-Control-Allow-Credentials true always;\n  }\n}\n")
    run = corslint("--format", "json", str(tmp_path / "nginx.conf.tmpl"), str(tmp_path / "bad.conf"))
    payload = json.loads(run.stdout)
    assert run.returncode == 2 and [e["line"] for e in payload["errors"]] == [3], payload
    assert any(f["code"] == "CORS201" for f in payload["findings"]), payload


# -- sources are parsed, never run ---------------------------------------------------------------------

def test_no_source_is_executed_in_a_folder_of_every_language(tmp_path):
    marker = tmp_path / "executed"
    touch = f"open({str(marker)!r}, 'w').write('ran')"
    repo = tmp_path / "repo"
    write(repo / "settings.py", f"import os\n{touch}\nINSTALLED_APPS = ['corsheaders']\nCORS_ALLOW_ALL_ORIGINS = True\n")
    write(repo / "app.py", f"{touch}\nfrom flask import Flask\nfrom flask_cors import CORS\napp = Flask(__name__)\n"
                           f"CORS(app)\n")
    write(repo / "main.py", f"{touch}\nfrom starlette.applications import Starlette\n"
                            f"from starlette.middleware.cors import CORSMiddleware\napp = Starlette()\n"
                            f"app.add_middleware(CORSMiddleware, allow_origins=['*'])\n")
    write(repo / "conftest.py", f"{touch}\n")
    write(repo / "setup.py", f"{touch}\n")
    write(repo / "__init__.py", f"{touch}\n")
    write(repo / "server.js", f"require('fs').writeFileSync({json.dumps(str(marker))}, 'ran');\n"
                              f"const cors = require('cors');\nconst app = require('express')();\napp.use(cors());\n")
    write(repo / "app.mjs", f"import fs from 'fs';\nfs.writeFileSync({json.dumps(str(marker))}, 'ran');\n"
                            f"import cors from 'cors';\n")
    write(repo / "package.json", json.dumps({"scripts": {"preinstall": f"touch {marker}"},
                                             "dependencies": {"express": "4.21.0", "cors": "2.8.5"}}))
    write(repo / "template.yaml", "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\n"
                                  f"Resources:\n  Api:\n    Type: !Sub '{{{{ {marker} }}}}'\n"
                                  "    Properties:\n      Cors: \"'*'\"\n")
    write(repo / "unsafe.yaml", f"apiVersion: v1\nkind: Ingress\nx: !!python/object/apply:os.system ['touch {marker}']\n"
                                "metadata: {annotations: {nginx.ingress.kubernetes.io/enable-cors: 'true'}}\n")
    run = corslint("--format", "json", str(repo), cwd=tmp_path)
    assert "Traceback" not in run.stderr, run.stderr
    assert run.returncode in (1, 2), run.stderr
    assert json.loads(run.stdout)["files"] >= 5
    assert not marker.exists(), "a source file was executed"
