"""Review pipelines as users wire them: SARIF, annotations and JSON name
each file at its real path relative to the repository's top level, whatever
folder the step runs in (`working-directory: deploy`) and whatever link
the file was read through (`sites-enabled/`); SARIF carries what GitHub's
SARIF support reads (security-severity, tags, helpUri, the line hash its
upload action computes)."""

from __future__ import annotations

import json
import os
import subprocess

import pytest
from support import corslint, write
from test_sarif import validate

REFLECTED = """\
server {
    listen 80;
    server_name api.example.com;
    location /api/ {
        add_header Access-Control-Allow-Origin $http_origin always;
        add_header Access-Control-Allow-Credentials true always;
        proxy_pass http://127.0.0.1:8000;
    }
}
"""
NGINX_CONF = "events {}\nhttp {\n    include sites-enabled/*;\n}\n"
REAL = "deploy/nginx/sites-available/api"


def scratch_repository(tmp_path):
    """A git repository whose nginx enables a site through a link, as Debian does."""
    repo = tmp_path / "repo"
    write(repo / "deploy/nginx/nginx.conf", NGINX_CONF)
    write(repo / REAL, REFLECTED)
    (repo / "deploy/nginx/sites-enabled").mkdir()
    os.symlink("../sites-available/api", repo / "deploy/nginx/sites-enabled/api")
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    return repo


def uris(doc: dict) -> list[str]:
    run = doc["runs"][0]
    locations = [loc for r in run["results"] for loc in r["locations"] + r.get("relatedLocations", [])]
    locations += [loc for n in run["invocations"][0].get("toolExecutionNotifications", []) for loc in n.get("locations", [])]
    return [loc["physicalLocation"]["artifactLocation"]["uri"] for loc in locations]


@pytest.mark.parametrize("paths", [("nginx",), ("nginx/sites-enabled/api",),
                                   ("nginx/sites-enabled/api", "nginx/sites-available/api")],
                         ids=["walk", "link", "link-and-target"])
def test_paths_from_a_subfolder_and_through_a_link_name_the_real_file_from_the_top(tmp_path, paths):
    repo = scratch_repository(tmp_path)
    deploy = repo / "deploy"
    done = corslint(*paths, "--format", "sarif", cwd=deploy)
    assert done.returncode == 1, done.stderr
    doc = json.loads(done.stdout)
    validate(doc)
    run = doc["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == repo.resolve().as_uri() + "/"
    assert set(uris(doc)) == {REAL}
    keys = [(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in run["results"]]
    assert ("CORS202", 5) in keys and len(keys) == len(set(keys)), keys     # once per real file and line
    rules = run["tool"]["driver"]["rules"]
    for rule in rules:
        tags = rule["properties"]["tags"]
        assert ("security" in tags) == ("security-severity" in rule["properties"]), rule["id"]
        assert ("security" in tags) != ("correctness" in tags), rule["id"]
    assert all(r["partialFingerprints"]["primaryLocationLineHash"] for r in run["results"])

    annotations = corslint(*paths, "--format", "github", cwd=deploy).stdout.splitlines()
    files = [line.split("file=", 1)[1].split(",", 1)[0] for line in annotations if "file=" in line]
    assert files and set(files) == {REAL}, annotations
    assert len(files) == len(keys)

    report = json.loads(corslint(*paths, "--format", "json", cwd=deploy).stdout)
    assert {f["path"] for f in report["findings"]} == {REAL}
    assert len(report["findings"]) == len(keys)
    assert REAL in report["read"]


def test_text_output_keeps_the_paths_as_typed(tmp_path):
    repo = scratch_repository(tmp_path)
    done = corslint("nginx/sites-enabled/api", cwd=repo / "deploy")
    assert done.stdout.startswith("nginx/sites-enabled/api:4: CORS101"), done.stdout


def test_base_overrides_the_repository_root(tmp_path):
    repo = scratch_repository(tmp_path)
    done = corslint("nginx/sites-enabled/api", "--format", "sarif", "--base", "nginx", cwd=repo / "deploy")
    doc = json.loads(done.stdout)
    validate(doc)
    assert set(uris(doc)) == {"sites-available/api"}
    assert doc["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] == (repo / "deploy/nginx").resolve().as_uri() + "/"
    done = corslint("nginx", "--format", "json", "--base", "missing", cwd=repo / "deploy")
    assert done.returncode == 2 and done.stderr == "corslint: --base missing: not a folder\n"


def test_a_worktree_or_submodule_top_level_is_found_by_its_gitdir_file(tmp_path):
    """`.git` is a file in a worktree or a submodule: its folder is the top level."""
    write(tmp_path / "outer/.git/HEAD", "ref: refs/heads/main\n")
    write(tmp_path / "outer/sub/.git", "gitdir: ../.git/modules/sub\n")
    write(tmp_path / "outer/sub/deploy/api.conf", REFLECTED)
    write(tmp_path / "outer/sub/deploy/.git", "not a git file\n")     # ignored: no `gitdir:`
    report = json.loads(corslint("api.conf", "--format", "json", cwd=tmp_path / "outer/sub/deploy").stdout)
    assert {f["path"] for f in report["findings"]} == {"deploy/api.conf"}


def test_outside_any_repository_paths_are_relative_to_the_working_directory(tmp_path):
    write(tmp_path / "work/deploy/api.conf", REFLECTED)
    report = json.loads(corslint("deploy/api.conf", "--format", "json", cwd=tmp_path / "work").stdout)
    assert {f["path"] for f in report["findings"]} == {"deploy/api.conf"}


def test_a_link_out_of_the_repository_is_reported_where_the_link_is(tmp_path):
    """A real path outside the base is never printed: the file (named on
    the command line, so read) is shown at its link."""
    repo = scratch_repository(tmp_path)
    write(tmp_path / "elsewhere/secret-name.conf", REFLECTED)
    os.symlink(tmp_path / "elsewhere/secret-name.conf", repo / "deploy/out.conf")
    for fmt in ("sarif", "github", "json"):
        done = corslint("out.conf", "--format", fmt, cwd=repo / "deploy")
        assert "secret-name" not in done.stdout and "deploy/out.conf" in done.stdout, (fmt, done.stdout)


# --------------------------------------------------------------------------- the line hash


def hashes(text: str) -> list[str]:
    from corslint.report.linehash import hashes

    lines = len(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    got = hashes(text.encode(), set(range(1, lines + 1)))
    return [got[n] for n in range(1, lines + 1)]


# codeql-action's own expectations (src/fingerprints.test.ts): the same text
# with every kind of line break hashes the same
HELLO = ["e9496ae3ebfced30:1", "fb7c023a8b9ccb3f:1", "ce8ba1a563dcdaca:1", "e20e36e16fcb0cc8:1",
         "b3edc88f2938467e:1", "c8e28b0b4002a3a0:1", "c129715d7a2bc9a3:1"]


@pytest.mark.parametrize("text, expected", [
    ("", ["c129715d7a2bc9a3:1"]),
    (" a\nb\n  \t\tc\n d", ["271789c17abda88f:1", "54703d4cd895b18:1", "180aee12dab6264:1", "a23a3dc5e078b07b:1"]),
    (" hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End",
     ["8b7cf3e952e7aeb2:1", "b1ae1287ec4718d9:1", "bff680108adb0fcc:1", "c6805c5e1288b612:1",
      "b86d3392aea1be30:1", "e6ceba753e1a442:1"]),
    (" hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End\n", HELLO),
    (" hello; \t\nworld!!!\r\r\r  \t\tGreetings\r End\r", HELLO),
    (" hello; \t\r\nworld!!!\r\n\r\n\r\n  \t\tGreetings\r\n End\r\n", HELLO),
    (" hello; \t\nworld!!!\r\n\n\r  \t\tGreetings\r End\r\n", HELLO),
    ("Lorem ipsum dolor sit amet.\n" * 10,
     [f"a7f2ff13bc495cf2:{n}" for n in range(1, 7)] +
     ["a7f2ff1481e87703:1", "a9cf91f7bbf1862b:1", "55ec222b86bcae53:1", "cc97dc7b1d7d8f7b:1", "c129715d7a2bc9a3:1"]),
], ids=["empty", "blanks", "no-final-break", "LF", "CR", "CRLF", "mixed", "repeated"])
def test_line_hash_is_the_upload_actions(text, expected):
    assert hashes(text) == expected


def test_line_hash_of_one_line_counts_the_lines_before_it():
    from corslint.report.linehash import hashes as of

    text = ("Lorem ipsum dolor sit amet.\n" * 10).encode()
    assert of(text, {5}) == {5: "a7f2ff13bc495cf2:5"}
    assert of(text, {99}) == {}


# --------------------------------------------------------------------------- security-severity


def cvss31(vector: str) -> float:
    """The CVSS 3.1 base score of a vector (scope unchanged), as FIRST's specification computes it."""
    m = dict(part.split(":") for part in vector.split("/"))
    assert m["S"] == "U"
    weights = {"AV": {"N": 0.85, "A": 0.62, "L": 0.55, "P": 0.2}, "AC": {"L": 0.77, "H": 0.44},
               "PR": {"N": 0.85, "L": 0.62, "H": 0.27}, "UI": {"N": 0.85, "R": 0.62}}
    cia = {"H": 0.56, "L": 0.22, "N": 0.0}
    iss = 1 - (1 - cia[m["C"]]) * (1 - cia[m["I"]]) * (1 - cia[m["A"]])
    impact = 6.42 * iss
    exploitability = 8.22 * weights["AV"][m["AV"]] * weights["AC"][m["AC"]] * weights["PR"][m["PR"]] * \
        weights["UI"][m["UI"]]
    if impact <= 0:
        return 0.0
    raw = round(min(impact + exploitability, 10) * 100000)      # the specification's Roundup
    return raw / 100000.0 if raw % 10000 == 0 else (raw // 10000 + 1) / 10.0


def test_security_severity_is_the_cvss_score_of_its_vector():
    from corslint.report.sarif import SECURITY
    from corslint.rules import find

    assert set(SECURITY) == {"CORS202", "CORS204", "CORS205", "CORS206"}
    for code, (score, vector) in SECURITY.items():
        assert find(code) is not None
        assert score == f"{cvss31(vector):.1f}", code
