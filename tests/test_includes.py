"""Includes resolved as the server resolves them (linter/includes.py): the
configuration root and the prefix, absolute includes through mappings
(--map, `[tool.corslint] paths`, the server's conventional prefixes), and
includes that are not read reported as notices in every format.

Every test builds a repository in a temporary folder and runs `corslint`
from its root, as a user or CI does."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from support import corslint, write

NGINX_CONF = """events {}
http {
    include mime.types;
    include /etc/nginx/conf.d/*.conf;
    include /etc/nginx/sites-enabled/*;
}
"""
APP = """server {
    listen 80;
    location /api/ {
        include snippets/cors.conf;
        return 200;
    }
}
"""
# reflects any origin with credentials (CORS202) and sends Vary: Origin
REFLECTING = """add_header Access-Control-Allow-Origin $http_origin always;
add_header Access-Control-Allow-Credentials true always;
add_header Vary Origin always;
"""


def debian_tree(repo: Path, app: str = APP) -> Path:
    """etc/nginx as Debian lays it out: nginx.conf, sites-available/app,
    the sites-enabled/app link, snippets/cors.conf, an empty conf.d/."""
    etc = repo / "etc" / "nginx"
    write(etc / "nginx.conf", NGINX_CONF)
    (etc / "conf.d").mkdir()
    write(etc / "sites-available" / "app", app)
    write(etc / "snippets" / "cors.conf", REFLECTING)
    (etc / "sites-enabled").mkdir()
    os.symlink("../sites-available/app", etc / "sites-enabled" / "app")
    return etc


def findings(run) -> list[tuple[str, int, str]]:
    return sorted((f["path"], f["line"], f["code"]) for f in json.loads(run.stdout)["findings"])


def reflected(run) -> list[tuple[str, int, str]]:
    return [f for f in findings(run) if f[2] == "CORS202"]


# -- the Debian layout: relative includes against the folder holding nginx.conf -------------------

@pytest.mark.parametrize("args", [(), ("etc/nginx/nginx.conf",), ("etc/nginx/sites-enabled/",),
                                  ("etc/nginx/sites-available/app",), ("etc",)],
                         ids=["root", "nginx.conf", "sites-enabled", "sites-available-app", "folder"])
def test_debian_tree_snippet_is_found_once(tmp_path, args):
    debian_tree(tmp_path)
    run = corslint("--format", "json", *(args or (".",)), cwd=tmp_path)
    assert run.returncode == 1, (run.stdout, run.stderr)
    assert reflected(run) == [("etc/nginx/snippets/cors.conf", 1, "CORS202")], run.stdout
    payload = json.loads(run.stdout)
    assert payload["errors"] == [] and "notices" not in payload and "skipped" not in payload, payload
    # nothing is ever reported at the link: the file lies in sites-available
    assert all("sites-enabled" not in f[0] for f in findings(run))


def test_debian_tree_text_output_names_the_mapping_and_the_quiet_system_file(tmp_path):
    debian_tree(tmp_path)
    run = corslint("etc/nginx/nginx.conf", cwd=tmp_path)
    assert run.returncode == 1, run
    assert "etc/nginx/snippets/cors.conf:1: CORS202" in run.stdout
    assert "note: includes read through the mapping /etc/nginx -> etc/nginx (the folder holding nginx.conf)" \
        in run.stdout, run.stdout
    assert "note: not in the repository, no CORS: mime.types (1 include not read)" in run.stdout
    assert "skipped" not in run.stdout


def test_snippets_in_a_repository_without_nginx_conf(tmp_path):
    """sites-available/app beside snippets/ (no nginx.conf): the parent is the prefix."""
    write(tmp_path / "nginx" / "sites-available" / "app", APP)
    write(tmp_path / "nginx" / "snippets" / "cors.conf", REFLECTING)
    run = corslint("--format", "json", "nginx/sites-available/app", cwd=tmp_path)
    assert reflected(run) == [("nginx/snippets/cors.conf", 1, "CORS202")], run.stdout


def test_relative_include_is_not_resolved_against_the_includers_folder_fp(tmp_path):
    """nginx reads `include snippets/cors.conf;` from the prefix, never from
    sites-available/snippets/ (checked against nginx -t: "open() failed")."""
    etc = tmp_path / "etc" / "nginx"
    write(etc / "nginx.conf", "events {}\nhttp { include sites-available/*; }\n")
    write(etc / "sites-available" / "app", APP)
    write(etc / "sites-available" / "snippets" / "cors.conf", REFLECTING)
    run = corslint("--format", "json", "etc/nginx/nginx.conf", cwd=tmp_path)
    assert run.returncode == 0 and reflected(run) == [], run.stdout
    notices = json.loads(run.stdout)["notices"]
    assert [(n["path"], n["line"]) for n in notices] == [("etc/nginx/sites-available/app", 4)], notices
    assert "no such file etc/nginx/snippets/cors.conf" in notices[0]["message"]


# -- absolute includes: the prefix mapping, --map, [tool.corslint] paths -----------------------------

def test_absolute_include_resolved_by_the_prefix_mapping(tmp_path):
    app = APP.replace("include snippets/cors.conf;", "include /etc/nginx/snippets/cors.conf;")
    debian_tree(tmp_path, app)
    run = corslint("--format", "json", cwd=tmp_path, *["etc/nginx/sites-available/app"])
    assert reflected(run) == [("etc/nginx/snippets/cors.conf", 1, "CORS202")], run.stdout
    mappings = json.loads(run.stdout)["mappings"]
    assert mappings == [{"target": "/etc/nginx", "source": str(tmp_path / "etc" / "nginx"),
                         "origin": "the folder holding nginx.conf"}]


def _docker_repo(repo: Path) -> None:
    """deploy/nginx/default.conf including /etc/nginx/snippets/cors.conf (no nginx.conf: no prefix mapping)."""
    write(repo / "deploy" / "nginx" / "default.conf",
          APP.replace("include snippets/cors.conf;", "include /etc/nginx/snippets/cors.conf;"))
    write(repo / "deploy" / "nginx" / "snippets" / "cors.conf", REFLECTING)


def test_unmapped_absolute_include_is_a_notice_fp(tmp_path):
    _docker_repo(tmp_path)
    run = corslint("--format", "json", "deploy/nginx/default.conf", cwd=tmp_path)
    assert run.returncode == 0 and reflected(run) == [], run
    notices = json.loads(run.stdout)["notices"]
    assert [(n["path"], n["line"]) for n in notices] == [("deploy/nginx/default.conf", 4)]
    assert "no mapping covers it" in notices[0]["message"] and "--map /etc/nginx/snippets=DIR" in \
        notices[0]["message"]


def test_map_option_reads_the_deployed_path_from_the_repository(tmp_path):
    _docker_repo(tmp_path)
    run = corslint("--format", "json", "--map", "/etc/nginx=deploy/nginx", "deploy/nginx/default.conf",
                   cwd=tmp_path)
    assert reflected(run) == [("deploy/nginx/snippets/cors.conf", 1, "CORS202")], run
    payload = json.loads(run.stdout)
    assert "notices" not in payload
    assert payload["mappings"] == [{"target": "/etc/nginx", "source": str(tmp_path / "deploy" / "nginx"),
                                    "origin": "--map"}]
    text = corslint("--map", "/etc/nginx=deploy/nginx", "deploy/nginx/default.conf", cwd=tmp_path)
    assert "note: includes read through the mapping /etc/nginx -> deploy/nginx (--map)" in text.stdout


def test_paths_setting_maps_relative_to_the_configuration_file(tmp_path):
    _docker_repo(tmp_path)
    write(tmp_path / "pyproject.toml", '[tool.corslint]\npaths = {"/etc/nginx" = "deploy/nginx"}\n')
    run = corslint("--format", "json", "deploy/", cwd=tmp_path)
    assert reflected(run) == [("deploy/nginx/snippets/cors.conf", 1, "CORS202")], run
    assert json.loads(run.stdout)["mappings"][0]["origin"] == "pyproject.toml"
    # the same from a subfolder: the source stays relative to pyproject.toml's folder
    run = corslint("--format", "json", "--root", str(tmp_path), "nginx/default.conf", cwd=tmp_path / "deploy")
    assert reflected(run) == [("nginx/snippets/cors.conf", 1, "CORS202")], run


@pytest.mark.parametrize("value, says", [
    ("/etc/nginx=..", "outside the configuration root"),
    ("/etc/nginx=/", "outside the configuration root"),
    ("etc/nginx=deploy", "must be absolute"),
    ("/etc/nginx", "expected TARGET=SOURCE"),
    ("/=deploy", "whole file system"),
    ("/etc/nginx=", "needs a deployed path and a repository path"),
])
def test_bad_map_is_a_usage_error(tmp_path, value, says):
    _docker_repo(tmp_path)
    run = corslint("--map", value, "deploy/nginx/default.conf", cwd=tmp_path)
    assert run.returncode == 2 and says in run.stderr and run.stdout == "", run
    sim = corslint("simulate", "--map", value, "deploy/nginx/default.conf", "--url", "http://a.example/api/",
                   cwd=tmp_path)
    assert sim.returncode == 2 and says in sim.stderr, sim


def test_paths_source_outside_the_root_is_refused(tmp_path):
    repo = tmp_path / "repo"
    _docker_repo(repo)
    write(repo / ".corslint.toml", 'paths = {"/etc/nginx" = "../elsewhere"}\n')
    (tmp_path / "elsewhere").mkdir()
    run = corslint("deploy/nginx/default.conf", cwd=repo)
    assert run.returncode == 2 and "outside the configuration root" in run.stderr, run
    write(repo / ".corslint.toml", 'paths = {"etc/nginx" = "deploy"}\n')
    run = corslint("deploy/nginx/default.conf", cwd=repo)
    assert run.returncode == 2 and "must be absolute" in run.stderr, run


def test_symlink_in_a_mapped_folder_pointing_outside_the_root_is_refused(tmp_path):
    repo = tmp_path / "repo"
    _docker_repo(repo)
    write(tmp_path / "secret" / "cors.conf", REFLECTING.replace("$http_origin", "SECRET-VALUE"))
    os.remove(repo / "deploy" / "nginx" / "snippets" / "cors.conf")
    os.symlink("../../../../secret/cors.conf", repo / "deploy" / "nginx" / "snippets" / "cors.conf")
    run = corslint("--format", "json", "--map", "/etc/nginx=deploy/nginx", "deploy/nginx/default.conf", cwd=repo)
    assert run.returncode == 0 and "SECRET-VALUE" not in run.stdout + run.stderr, run
    notices = json.loads(run.stdout)["notices"]
    assert len(notices) == 1 and "outside the configuration root" in notices[0]["message"], notices


def test_simulate_reads_through_the_map(tmp_path):
    _docker_repo(tmp_path)
    args = ("simulate", "deploy/nginx/default.conf", "--url", "http://a.example/api/", "--origin",
            "https://evil.example", "--credentials", "--format", "json")
    with_map = corslint(*args[:1], "--map", "/etc/nginx=deploy/nginx", *args[1:], cwd=tmp_path)
    assert with_map.returncode == 0, with_map
    assert "https://evil.example" in json.dumps(json.loads(with_map.stdout)), with_map.stdout


# -- notices in every format; --strict ---------------------------------------------------------------

def _missing_include(repo: Path) -> None:
    write(repo / "site.conf", "server {\n    listen 80;\n    include snippets/missing.conf;\n"
                              "    include fastcgi_params;\n    include /etc/nginx/mime.types;\n}\n")


def test_missing_include_notice_in_every_format(tmp_path):
    _missing_include(tmp_path)
    text = corslint("site.conf", cwd=tmp_path)
    assert text.returncode == 0, text
    assert "site.conf:3: note: include snippets/missing.conf: not read: no such file snippets/missing.conf" \
        in text.stdout, text.stdout
    assert "note: not in the repository, no CORS: fastcgi_params, mime.types (2 includes not read)" in text.stdout
    assert "No problems found in 1 file." in text.stdout and "skipped" not in text.stdout

    payload = json.loads(corslint("--format", "json", "site.conf", cwd=tmp_path).stdout)
    assert [(n["path"], n["line"]) for n in payload["notices"]] == [("site.conf", 3)]
    assert payload["not_in_repository"] == [{"name": "fastcgi_params", "includes": 1},
                                            {"name": "mime.types", "includes": 1}]
    assert payload["errors"] == [] and "skipped" not in payload

    sarif = json.loads(corslint("--format", "sarif", "site.conf", cwd=tmp_path).stdout)
    invocation = sarif["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is True
    notes = [n for n in invocation["toolExecutionNotifications"] if n["descriptor"]["id"] == "include-not-read"]
    assert len(notes) == 1 and notes[0]["level"] == "note"
    location = notes[0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "site.conf" and location["region"]["startLine"] == 3

    github = corslint("--format", "github", "site.conf", cwd=tmp_path)
    assert github.returncode == 0
    assert "::notice file=site.conf,line=3,title=corslint%3A include not read::include snippets/missing.conf" \
        in github.stdout, github.stdout


def test_strict_makes_a_missing_include_an_input_error(tmp_path):
    _missing_include(tmp_path)
    run = corslint("--strict", "--format", "json", "site.conf", cwd=tmp_path)
    assert run.returncode == 2, run
    errors = json.loads(run.stdout)["errors"]
    assert [(e["path"], e["line"]) for e in errors] == [("site.conf", 3)], errors
    assert "site.conf:3: include snippets/missing.conf: not read" in run.stderr
    # the quiet system files stay quiet
    assert "mime.types" not in run.stderr


def test_notice_exit_1_on_findings(tmp_path):
    write(tmp_path / "site.conf", "server {\n    listen 80;\n    include missing.conf;\n"
                                  "    add_header Access-Control-Allow-Origin $http_origin always;\n"
                                  "    add_header Access-Control-Allow-Credentials true always;\n}\n")
    run = corslint("site.conf", cwd=tmp_path)
    assert run.returncode == 1 and "site.conf:3: note: include missing.conf" in run.stdout, run


def test_system_files_are_one_quiet_line_for_the_run(tmp_path):
    for name in ("a.conf", "b.conf", "c.conf"):
        write(tmp_path / "sites" / name, "server {\n    listen 80;\n    include /etc/nginx/mime.types;\n"
                                          "    include fastcgi_params;\n}\n")
    run = corslint("sites/", cwd=tmp_path)
    assert run.returncode == 0, run
    lines = [line for line in run.stdout.splitlines() if "note" in line]
    assert lines == ["note: not in the repository, no CORS: fastcgi_params, mime.types (6 includes not read)"], \
        run.stdout


def test_glob_over_a_missing_sites_enabled_folder_says_where_the_sites_are(tmp_path):
    etc = tmp_path / "etc" / "nginx"
    write(etc / "nginx.conf", "events {}\nhttp { include /etc/nginx/sites-enabled/*; }\n")
    write(etc / "sites-available" / "app", APP)
    run = corslint("--format", "json", "etc/nginx/nginx.conf", cwd=tmp_path)
    notices = json.loads(run.stdout)["notices"]
    assert len(notices) == 1 and "no such folder etc/nginx/sites-enabled" in notices[0]["message"]
    assert "etc/nginx/sites-available/" in notices[0]["message"]


def test_glob_matching_nothing_in_an_existing_folder_is_quiet_fp(tmp_path):
    """nginx accepts `include conf.d/*.conf;` that matches nothing: no notice."""
    write(tmp_path / "nginx.conf", "events {}\nhttp { include conf.d/*.conf; }\n")
    (tmp_path / "conf.d").mkdir()
    run = corslint("--format", "json", "nginx.conf", cwd=tmp_path)
    assert run.returncode == 0 and "notices" not in json.loads(run.stdout), run.stdout


# -- Apache: ServerRoot -------------------------------------------------------------------------------

APACHE_SITE = """<VirtualHost *:80>
    ServerName app.example
    SetEnvIf Origin "(.*)" ORIGIN=$1
    Header always set Access-Control-Allow-Origin "%{ORIGIN}e"
    Header always set Access-Control-Allow-Credentials "true"
    Header always set Vary "Origin"
</VirtualHost>
"""


def test_apache_debian_tree_with_server_root(tmp_path):
    write(tmp_path / "apache" / "apache2.conf", 'ServerRoot "/etc/apache2"\nInclude ports.conf\n'
                                                "IncludeOptional mods-enabled/*.load\n"
                                                "IncludeOptional sites-enabled/*.conf\n")
    write(tmp_path / "apache" / "sites-enabled" / "app.conf", APACHE_SITE)
    run = corslint("--format", "json", "apache/apache2.conf", cwd=tmp_path)
    assert reflected(run) == [("apache/sites-enabled/app.conf", 4, "CORS202")], run
    payload = json.loads(run.stdout)
    assert payload["errors"] == [] and "notices" not in payload, payload
    assert payload["not_in_repository"] == [{"name": "ports.conf", "includes": 1}]
    assert payload["mappings"][0]["target"] == "/etc/apache2"


def test_apache_rhel_tree_server_root_mapped(tmp_path):
    """conf/httpd.conf with ServerRoot /etc/httpd: conf.d/ is the prefix's, read through the mapping."""
    write(tmp_path / "httpd" / "conf" / "httpd.conf", 'ServerRoot "/etc/httpd"\nInclude conf.d/*.conf\n'
                                                      "Include /etc/httpd/extra/missing.conf\n")
    write(tmp_path / "httpd" / "conf.d" / "cors.conf", APACHE_SITE)
    run = corslint("--format", "json", "httpd/conf/httpd.conf", cwd=tmp_path)
    assert reflected(run) == [("httpd/conf.d/cors.conf", 4, "CORS202")], run
    notices = json.loads(run.stdout)["notices"]
    assert [(n["path"], n["line"]) for n in notices] == [("httpd/conf/httpd.conf", 3)], notices
    assert "no such file httpd/extra/missing.conf" in notices[0]["message"]


def test_apache_server_root_outside_the_repository_is_not_mapped_fp(tmp_path):
    """A lone vhost (no apache2.conf/httpd.conf): ServerRoot's value maps nothing, its includes are notices."""
    write(tmp_path / "vhost.conf", 'ServerRoot "/srv/www"\nInclude conf/cors.conf\n')
    write(tmp_path / "conf" / "cors.conf", APACHE_SITE)
    run = corslint("--format", "json", "--type", "apache", "vhost.conf", cwd=tmp_path)
    assert reflected(run) == [], run
    notices = json.loads(run.stdout)["notices"]
    assert len(notices) == 1 and "outside the configuration root" in notices[0]["message"], notices


def test_sites_enabled_outside_the_current_folder_admits_links_into_its_prefix(tmp_path):
    """`corslint /srv/etc/nginx/sites-enabled/` from elsewhere: the root is the folder holding nginx.conf."""
    etc = debian_tree(tmp_path / "srv")
    (tmp_path / "elsewhere").mkdir()
    run = corslint("--format", "json", str(etc / "sites-enabled"), cwd=tmp_path / "elsewhere")
    assert reflected(run) == [(str(etc / "snippets" / "cors.conf"), 1, "CORS202")], run
    assert "skipped" not in json.loads(run.stdout)


def test_sites_enabled_link_out_of_the_root_is_still_refused_fp(tmp_path):
    """Run from inside sites-enabled/: the current folder is the root, the link leaves it."""
    etc = debian_tree(tmp_path)
    run = corslint("--format", "json", ".", cwd=etc / "sites-enabled")
    assert run.returncode == 0 and reflected(run) == [], run
    skipped = json.loads(run.stdout)["skipped"]
    assert [s["path"] for s in skipped] == ["app"] and "outside the configuration root" in skipped[0]["reason"]


# -- the field corpus's host-style trees (class 3), read in place ----------------------------------

FIELD = Path(__file__).resolve().parent.parent.parent / "shared" / "field"


def _host_rows() -> list[tuple[str, str]]:
    """(folder, the command's arguments) of the manifest's class 3 rows."""
    import re

    manifest = FIELD / "MANIFEST.md"
    if not manifest.is_file():
        return [("<field corpus missing>", "")]
    rows = re.findall(r"^\| `([^`]+)/` \| 3 \| \d+ \| `corslint ?([^`]*)` \|", manifest.read_text(), re.MULTILINE)
    return rows or [("<no class 3 rows>", "")]


@pytest.mark.parametrize("folder, args", _host_rows(), ids=lambda v: v.split("__")[-1] if v else "")
def test_field_host_trees_lint_without_input_errors_or_silent_skips(folder, args):
    if not (FIELD / folder).is_dir():
        message = f"field corpus not found at {FIELD}"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (required on CI)")
        pytest.skip(message)
    run = corslint("--format", "json", *(args.split() or ["."]), cwd=FIELD / folder)
    assert run.returncode in (0, 1) and "Traceback" not in run.stderr, run
    payload = json.loads(run.stdout)
    assert payload["errors"] == [] and "skipped" not in payload, payload
    # every include not read is said at its line: nothing the repository holds is left silently
    for notice in payload.get("notices", []):
        assert notice["line"] and ": not read: " in notice["message"], notice


def test_apache_sites_enabled_link_is_reported_where_the_file_lies(tmp_path):
    write(tmp_path / "apache2" / "apache2.conf", "IncludeOptional sites-enabled/*.conf\n")
    write(tmp_path / "apache2" / "sites-available" / "app.conf", APACHE_SITE)
    (tmp_path / "apache2" / "sites-enabled").mkdir()
    os.symlink("../sites-available/app.conf", tmp_path / "apache2" / "sites-enabled" / "app.conf")
    run = corslint("--format", "json", ".", cwd=tmp_path)
    assert reflected(run) == [("apache2/sites-available/app.conf", 4, "CORS202")], run
