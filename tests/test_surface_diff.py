"""`corslint surface --diff REV`: what a change does to the CORS surface.

compare() is checked on small surface documents (surface-contract) for
every kind of change; revision.document_at on a scratch repository whose
history a hostile author wrote; and the command end to end on a scratch
repository whose commits widen and narrow an nginx policy."""

from __future__ import annotations

import copy
import os
import subprocess
from pathlib import Path

import pytest

from corslint.args import UsageError
from corslint.surface import diff, revision

SITE = "https://api.example.com"


def scope(path: str = "/api/", **policy) -> dict:
    """A scope of the surface document: `https://app.example.com` may read
    `/api/` without credentials, GET and POST, a preflight answered."""
    lines = {name: [] for name in ("origins", "credentials", "methods", "headers", "exposed", "max_age",
                                   "preflight")}
    lines["origins"] = [{"path": "deploy/nginx/api.conf", "line": 16}]
    out = {"name": f"location {path}", "path": path, "source": {"path": "deploy/nginx/api.conf", "line": 14},
           "assumption": None, "exposure": "list",
           "origins": {"kind": "list", "values": ["https://app.example.com"], "patterns": [], "null": False},
           "access": {}, "credentials": False, "methods": ["GET", "POST"], "headers": ["content-type"],
           "exposed": [], "max_age": None, "preflight": {"answered": True, "status": 204},
           "errors_keep_cors": True, "redirects_keep_cors": None, "unknowns": [], "lines": lines}
    out.update(policy)
    return out


def document(*scopes: dict, site: str = SITE) -> dict:
    host = site.split("://")[1]
    return {"version": 1, "tool": {"name": "corslint", "version": "0.1.0"}, "origins_probed": [],
            "servers": [{"site": site, "host": host, "port": 443, "source": None, "exposure": "list",
                         "scopes": list(scopes)}] if scopes else [], "errors": []}


def changed(before: dict, after: dict) -> list[tuple[str, bool, str]]:
    return [(c["kind"], c["widens"], c["message"]) for c in diff.compare(before, after, "HEAD~1")["changes"]]


def with_origins(kind: str, values=(), patterns=(), null=False, **policy) -> dict:
    return scope(origins={"kind": kind, "values": list(values), "patterns": list(patterns), "null": null}, **policy)


EVIL = {"regex": "^https://.*example\\.com$", "described": "https://<anything>example.com",
        "admits": ["https://evil-example.com"], "source": {"path": "deploy/nginx/api.conf", "line": 9}}
WHERE = "/api/ on api.example.com"


def test_no_change():
    doc = document(scope())
    result = diff.compare(doc, copy.deepcopy(doc), "HEAD")
    assert result == {"version": 1, "before": "HEAD", "after": "working tree", "widens": False, "changes": []}
    assert diff.text(result) == "No change to the CORS surface.\n"


@pytest.mark.parametrize("before, after, expected", [
    (scope(), with_origins("list", ["https://app.example.com", "https://partner.example"]),
     [("origin-added", True, f"origin https://partner.example added to {WHERE}")]),
    (with_origins("list", ["https://app.example.com", "https://partner.example"]), scope(),
     [("origin-removed", False, f"origin https://partner.example removed from {WHERE}")]),
    (scope(), with_origins("pattern", ["https://app.example.com"], [EVIL]),
     [("pattern-added", True, f"pattern https://<anything>example.com (admits https://evil-example.com) added to "
                              f"{WHERE}")]),
    (with_origins("pattern", ["https://app.example.com"], [EVIL]), scope(),
     [("pattern-removed", False, f"pattern https://<anything>example.com (admits https://evil-example.com) removed "
                                 f"from {WHERE}")]),
    # the listed origin still reads under a reflected origin: no origin-removed
    (scope(), with_origins("reflect-any", credentials=True),
     [("credentials-on", True, f"{WHERE} now allows credentials (cookies, HTTP authentication)"),
      ("reflects-any", True, f"{WHERE} now reflects any origin with credentials")]),
    (with_origins("reflect-any"), scope(),
     [("stops-reflecting", False, f"{WHERE} no longer reflects any origin")]),
    (scope(), with_origins("any"), [("wildcard-added", True, f"{WHERE} now lets any origin read (*)")]),
    (with_origins("any"), scope(), [("wildcard-removed", False, f"{WHERE} no longer lets any origin read (*)")]),
    (scope(), scope(credentials=True),
     [("credentials-on", True, f"{WHERE} now allows credentials (cookies, HTTP authentication)")]),
    (scope(credentials=True), scope(), [("credentials-off", False, f"{WHERE} no longer allows credentials")]),
    (scope(), with_origins("list", ["https://app.example.com"], null=True),
     [("null-origin-added", True, f"{WHERE} now admits the origin null")]),
    (with_origins("list", ["https://app.example.com"], null=True), scope(),
     [("null-origin-removed", False, f"{WHERE} no longer admits the origin null")]),
    (scope(), scope(methods=["DELETE", "GET", "POST", "PUT"]),
     [("methods-added", True, f"{WHERE} now accepts methods DELETE, PUT")]),
    (scope(), scope(methods=["GET"]), [("methods-removed", False, f"{WHERE} no longer accepts methods POST")]),
    (scope(), scope(methods=["*"]), [("methods-added", True, f"{WHERE} now accepts methods *")]),
    (scope(), scope(headers=["authorization", "content-type"]),
     [("headers-added", True, f"{WHERE} now accepts request headers authorization")]),
    (scope(), scope(headers=[]),
     [("headers-removed", False, f"{WHERE} no longer accepts request headers content-type")]),
    (scope(), scope(exposed=["x-request-id"]),
     [("exposed-added", True, f"{WHERE} now exposes response headers x-request-id")]),
    (scope(exposed=["x-request-id"]), scope(),
     [("exposed-removed", False, f"{WHERE} no longer exposes response headers x-request-id")]),
    (scope(preflight={"answered": False, "status": 405}), scope(),
     [("preflight-answered", False, f"{WHERE} now answers preflights")]),
    (scope(), scope(preflight={"answered": False, "status": None}),
     [("preflight-not-answered", False, f"{WHERE} no longer answers preflights")]),
    (scope(), scope(errors_keep_cors=False),
     [("errors-lose-cors", False, f"error answers from {WHERE} no longer carry the CORS headers")]),
    (scope(errors_keep_cors=False), scope(),
     [("errors-keep-cors", False, f"error answers from {WHERE} now carry the CORS headers")]),
    (scope(), scope(max_age={"sent": 86400, "chromium": 7200, "firefox": 86400, "webkit": 600}),
     [("max-age-changed", False, f"{WHERE} preflight cache (Max-Age) changed from none to 86400 s")]),
    # what the files do not determine compares with nothing
    (scope(), scope(credentials=None, methods=None, errors_keep_cors=None), []),
])
def test_each_kind_of_change(before, after, expected):
    assert changed(document(before), document(after)) == expected


def test_scopes_added_and_removed():
    admin = with_origins("list", ["https://admin.example.com"])
    closed = with_origins("none", path="/health", exposure="none")
    assert changed(document(scope()), document(scope(), {**admin, "path": "/admin/", "exposure": "list"}, closed)) \
        == [("scope-added", True, "/admin/ on api.example.com is new: listed origins read it"),
            ("scope-added", False, "/health on api.example.com is new: no origin may read it")]
    removed = diff.compare(document(scope(), scope("/old/")), document(scope()))["changes"]
    assert [(c["kind"], c["widens"], c["message"], c["source"]) for c in removed] == [
        ("scope-removed", False, "/old/ on api.example.com is gone", {"path": "deploy/nginx/api.conf", "line": 14})]


def test_scopes_match_by_site_path_and_assumption():
    """A scope moved to another line is the same scope; one per assumption
    (alternatives) compares with the same assumption's."""
    moved = scope(source={"path": "deploy/nginx/api.conf", "line": 40})
    assert changed(document(scope()), document(moved)) == []
    guarded = scope(assumption="$http_x_debug is set", credentials=True)
    assert changed(document(scope(), guarded), document(scope(), {**guarded, "credentials": False})) == [
        ("credentials-off", False, f"{WHERE} (when $http_x_debug is set) no longer allows credentials")]
    other_site = changed(document(scope()), document(scope(), site="http://localhost:8080"))
    assert other_site == [("scope-added", True, "/api/ on localhost:8080 is new: listed origins read it"),
                          ("scope-removed", False, f"{WHERE} is gone")]


def test_sorted_widening_first_and_sourced_from_the_policy_line():
    before = document(scope(), scope("/b/"))
    after = document(scope(methods=["GET"], credentials=True,
                           lines={"origins": [], "credentials": [{"path": "deploy/nginx/api.conf", "line": 17}]}),
                     with_origins("any", path="/b/"))
    result = diff.compare(before, after, "main")
    assert result["widens"] is True
    assert [(c["scope"], c["kind"], c["source"]) for c in result["changes"]] == [
        ("/api/", "credentials-on", {"path": "deploy/nginx/api.conf", "line": 17}),
        ("/b/", "wildcard-added", {"path": "deploy/nginx/api.conf", "line": 16}),
        ("/api/", "methods-removed", {"path": "deploy/nginx/api.conf", "line": 14})]
    assert diff.text(result).splitlines() == [
        f"+ widens: {WHERE} now allows credentials (cookies, HTTP authentication) (deploy/nginx/api.conf:17)",
        "+ widens: /b/ on api.example.com now lets any origin read (*) (deploy/nginx/api.conf:16)",
        f"  {WHERE} no longer accepts methods POST (deploy/nginx/api.conf:14)",
        "3 changes to the CORS surface since main (2 widen it)."]


def test_text_escapes_what_the_checkout_chose():
    hostile = "https://a.example\n::error::pwned"
    result = diff.compare(document(scope()), document(with_origins("list", ["https://app.example.com", hostile])),
                          "HEAD")
    shown = diff.text(result)
    assert "\n::error" not in shown and "https://a.example\\n::error::pwned" in shown


# --- the surface at a revision (revision.document_at) ---

def git(repo: Path, *args: str, stdin: str | None = None) -> str:
    return subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                          input=stdin, capture_output=True, text=True, check=True).stdout.strip()


def listing(paths: list[str], folder: str) -> dict:
    """A stand-in for the survey: the paths given and every file and link
    below the folder (relative to it), with a file's text or a link's target."""
    found = {}
    for top, folders, names in os.walk(folder):
        for name in folders + names:
            full = os.path.join(top, name)
            rel = os.path.relpath(full, folder)
            if os.path.islink(full):
                found[rel] = "-> " + os.readlink(full)
            elif os.path.isfile(full):
                found[rel] = Path(full).read_text()
    return {"paths": sorted(os.path.relpath(p, folder) for p in paths), "files": found, "folder": folder}


def test_document_at_reads_git_objects_and_leaves_the_working_tree_alone(tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    git(tmp_path, "init", "-q", str(repo))
    (repo / "deploy" / "nginx").mkdir(parents=True)
    (repo / "deploy" / "nginx" / "api.conf").write_text("old\n")
    (repo / "sites-available").mkdir()
    (repo / "sites-available" / "api").write_text("site\n")
    (repo / "sites-enabled").mkdir()
    os.symlink("../sites-available/api", repo / "sites-enabled" / "api")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "one")
    (repo / "deploy" / "nginx" / "api.conf").write_text("new\n")
    (repo / "deploy" / "new.conf").write_text("untracked\n")
    status = git(repo, "status", "--porcelain")
    monkeypatch.chdir(repo / "deploy")
    doc = revision.document_at("HEAD", ["nginx", "new.conf", "../sites-enabled"], listing)
    assert doc["paths"] == ["deploy/nginx", "sites-enabled"]      # new.conf did not exist at HEAD
    assert doc["files"] == {"deploy/nginx/api.conf": "old\n", "sites-available/api": "site\n",
                            "sites-enabled/api": "-> ../sites-available/api"}
    assert not os.path.exists(doc["folder"])                       # removed after
    assert git(repo, "status", "--porcelain") == status
    assert revision.document_at("HEAD", ["new.conf"], listing)["servers"] == []
    for rev, says in (("HEAD~3", "no such revision"), ("--output=x", "not a revision")):
        with pytest.raises(UsageError, match=says):
            revision.document_at(rev, ["."], listing)
    with pytest.raises(UsageError, match="outside the repository"):
        revision.document_at("HEAD", [str(tmp_path)], listing)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UsageError, match="needs a git repository"):
        revision.document_at("HEAD", ["."], listing)


def test_a_hostile_tree_writes_nothing_outside_and_no_escaping_link(tmp_path, monkeypatch):
    """A crafted commit (git mktree takes any name): `..` and `.git`
    entries, links to an absolute path, out of the tree, and through
    another link out of it."""
    repo = tmp_path / "repo"
    git(tmp_path, "init", "-q", str(repo))

    def blob(data: str) -> str:
        return git(repo, "hash-object", "-w", "--stdin", stdin=data)

    def tree(*entries: tuple[str, str, str]) -> str:
        return git(repo, "mktree", stdin="".join(f"{mode} {'tree' if mode == '040000' else 'blob'} {obj}\t{name}\n"
                                                 for mode, obj, name in entries))

    conf = blob("server {}\n")
    evil = tree(("100644", blob("pwned\n"), "evil"))
    inner = tree(("120000", blob("../.."), "up"), ("120000", blob("../ok.conf"), "back"))
    root = tree(("040000", evil, ".."), ("040000", evil, ".git"), ("040000", evil, ".GIT"),
                ("100644", conf, "ok.conf"), ("040000", inner, "d"),
                ("120000", blob("/etc/passwd"), "abs"), ("120000", blob("../../../../../etc"), "out"),
                ("120000", blob("d/up/../x"), "through"), ("120000", blob("ok.conf"), "in"))
    commit = git(repo, "commit-tree", root, "-m", "hostile")
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(scratch))
    monkeypatch.chdir(repo)
    doc = revision.document_at(commit, ["."], listing)
    assert doc["paths"] == ["."]
    # `through` led out through `d/up`; with that link gone it names `d/x`, which is not there
    assert doc["files"] == {"ok.conf": "server {}\n", "in": "-> ok.conf", "d/back": "-> ../ok.conf",
                            "through": "-> d/up/../x"}
    assert sorted(os.listdir(tmp_path)) == ["repo", "tmp"] and os.listdir(scratch) == []
    assert not list(tmp_path.rglob("evil"))


# --- the acceptance test: `corslint surface --diff REV` on a repository's history ---

#: an nginx API: https://app.example.com reads /api/, preflights are answered (204) for GET, POST, PUT
API = """\
server {
    listen 443 ssl;
    server_name api.example.com;
    location /api/ {
        if ($http_origin = "https://app.example.com") { set $cors $http_origin; }
        add_header Access-Control-Allow-Origin $cors always;
        add_header Access-Control-Allow-Methods "GET, POST, PUT" always;
        if ($request_method !~ ^(GET|POST|PUT|OPTIONS)$) { return 405; }
        if ($request_method = OPTIONS) { return 204; }
        return 200 "ok";
    }
}
"""
#: (commit message, (old text, new text), the changes `--diff HEAD~1` reports: kind, widens, source line)
HISTORY = [
    ("add an origin", ('$cors $http_origin; }\n', '$cors $http_origin; }\n'
                       '        if ($http_origin = "https://partner.example") { set $cors $http_origin; }\n'),
     [("origin-added", True, 5)]),
    ("turn credentials on", ('"GET, POST, PUT" always;\n', '"GET, POST, PUT" always;\n'
                             '        add_header Access-Control-Allow-Credentials true always;\n'),
     [("credentials-on", True, 9)]),
    ("reflect any origin", ("Allow-Origin $cors", "Allow-Origin $http_origin"), [("reflects-any", True, 7)]),
    ("remove a method", ('"GET, POST, PUT"', '"GET, POST"'), [("methods-removed", False, 8)]),
    ("drop preflight handling", ("|OPTIONS)$", ")$"), [("preflight-not-answered", False, 10)]),
]


def test_diff_reports_what_each_commit_widens_and_narrows(tmp_path):
    from support import corslint, write

    repo = tmp_path / "repo"
    conf = write(repo / "deploy" / "nginx" / "api.conf", API)
    git(tmp_path, "init", "-q", str(repo))
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "the API")
    for message, (old, new), expected in HISTORY:
        text = conf.read_text()
        assert text.count(old) == 1, message
        conf.write_text(text.replace(old, new))
        git(repo, "commit", "-qam", message)
        status = git(repo, "status", "--porcelain", "--ignored")
        result = corslint("surface", "--diff", "HEAD~1", "-f", "json", "deploy", cwd=repo)
        assert result.returncode == 0, result.stderr
        doc = __import__("json").loads(result.stdout)
        assert [(c["kind"], c["widens"], c["source"]["line"]) for c in doc["changes"]] == expected, message
        assert {c["source"]["path"] for c in doc["changes"]} == {"deploy/nginx/api.conf"}
        assert doc["before"] == "HEAD~1" and doc["widens"] == expected[0][1]
        gate = corslint("surface", "--diff", "HEAD~1", "--fail-on-widen", "nginx", cwd=repo / "deploy")
        assert gate.returncode == (1 if expected[0][1] else 0), (message, gate.stdout, gate.stderr)
        mark = "+ widens: " if expected[0][1] else "  "
        assert gate.stdout.startswith(mark) and "(deploy/nginx/api.conf:" in gate.stdout
        assert git(repo, "status", "--porcelain", "--ignored") == status       # the working tree is left alone
    # the whole history at once, and an uncommitted change against HEAD
    everything = corslint("surface", "--diff", "HEAD~5", "deploy/nginx/api.conf", cwd=repo)
    assert everything.returncode == 0 and "+ widens: /api/ on api.example.com now reflects any origin with " \
        "credentials (deploy/nginx/api.conf:7)" in everything.stdout
    assert "no longer answers preflights" in everything.stdout
    conf.write_text(API)
    back = corslint("surface", "--diff", "HEAD", "--fail-on-widen", "deploy", cwd=repo)
    assert back.returncode == 1 and "now answers preflights" in back.stdout, back.stdout
    assert "+ widens: /api/ on api.example.com now accepts methods GET, POST, PUT" in back.stdout


def test_diff_usage_errors(tmp_path):
    from support import CLEAN, corslint, write

    write(tmp_path / "plain" / "site.conf", CLEAN)
    outside = corslint("surface", "--diff", "HEAD", "site.conf", cwd=tmp_path / "plain")
    assert outside.returncode == 2 and "needs a git repository" in outside.stderr, outside.stderr
    assert "Traceback" not in outside.stderr
    repo = tmp_path / "plain"
    git(tmp_path, "init", "-q", str(repo))
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "one")
    unknown = corslint("surface", "--diff", "no-such-branch", "site.conf", cwd=repo)
    assert unknown.returncode == 2 and "no such revision" in unknown.stderr
    assert corslint("surface", "--diff", "HEAD", "site.conf", cwd=repo).stdout == "No change to the CORS surface.\n"
    # no PATH: the current folder, as `git diff HEAD` reads it
    assert corslint("surface", "--diff", "HEAD", cwd=repo).stdout == "No change to the CORS surface.\n"


def test_diff_against_head_before_the_first_commit(tmp_path):
    """The pre-commit hook's `--diff HEAD` in a new repository: every scope is new."""
    from support import CLEAN, corslint, write

    repo = tmp_path / "new"
    write(repo / "site.conf", CLEAN)
    git(tmp_path, "init", "-q", str(repo))
    git(repo, "add", "-A")
    result = corslint("surface", "--diff", "HEAD", "--fail-on-widen", "site.conf", cwd=repo)
    assert result.returncode == 1, result.stderr
    assert result.stdout == ("+ widens: /fonts/ on static.example.com is new: any origin reads it (site.conf:4)\n"
                             "1 change to the CORS surface since HEAD (1 widens it).\n")
