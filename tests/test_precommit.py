"""The pre-commit hook (.pre-commit-hooks.yaml), run by the real
`pre-commit` tool the way a user's repository would: `pre-commit try-repo`
on a copy of this project, against staged files in a scratch repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest
import yaml
from support import CLEAN, WILDCARD_CREDENTIALS

from corslint.kinds import precommit_files

ROOT = Path(__file__).resolve().parent.parent

SITE_WITH_SNIPPET = textwrap.dedent("""\
    events {}
    http {
        server {
            listen 80;
            server_name tools.example.com;
            location / {
                include snippets/cors.conf;
                return 200 "ok";
            }
        }
    }
    """)

SNIPPET_GOOD = 'add_header Access-Control-Allow-Origin "https://app.example.com" always;\n'
SNIPPET_BAD = "add_header Access-Control-Allow-Origin $http_origin always;\n" \
              "add_header Access-Control-Allow-Credentials true always;\n"


def git(*args: str, cwd: Path, env: dict) -> str:
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> dict:
    if shutil.which("pre-commit") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("pre-commit is not installed (it is in the test extra)", pytrace=False)
        pytest.skip("pre-commit is not installed (pip install pre-commit)")
    home = tmp_path_factory.mktemp("precommit-home")
    return {**os.environ, "PRE_COMMIT_HOME": str(home), "GIT_AUTHOR_NAME": "corslint tests",
            "GIT_AUTHOR_EMAIL": "tests@corslint.invalid", "GIT_COMMITTER_NAME": "corslint tests",
            "GIT_COMMITTER_EMAIL": "tests@corslint.invalid", "GIT_CONFIG_GLOBAL": os.devnull,
            "PRE_COMMIT_COLOR": "never"}


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory, env) -> Path:
    """This working tree (tracked and new files, as `git ls-files` sees them)
    committed into a scratch repository: try-repo clones what is committed."""
    repo = tmp_path_factory.mktemp("hook-repo")
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            check=True, capture_output=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file() and not source.is_symlink():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, repo / name)
    git("init", "-q", "-b", "main", cwd=repo, env=env)
    git("add", "-A", cwd=repo, env=env)
    git("commit", "-q", "-m", "corslint under test", cwd=repo, env=env)
    return repo


@pytest.fixture
def project(tmp_path, env):
    repo = tmp_path / "project"
    repo.mkdir()
    git("init", "-q", "-b", "main", cwd=repo, env=env)

    def write(name: str, text: str, stage: bool = True, commit: bool = False) -> Path:
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        if stage or commit:
            git("add", name, cwd=repo, env=env)
        if commit:
            git("commit", "-q", "-m", f"add {name}", cwd=repo, env=env)
        return path

    write.root = repo
    return write


def try_repo(hook_repo: Path, project, env: dict, hook: str = "corslint") -> subprocess.CompletedProcess:
    return subprocess.run(["pre-commit", "try-repo", str(hook_repo), hook, "--verbose"], cwd=project.root,
                          env=env, capture_output=True, text=True, timeout=900)


def test_manifest_is_well_formed():
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "corslint")
    assert hook["language"] == "python"
    assert hook["entry"].split()[0] == "corslint"
    import re

    files = re.compile(hook["files"])
    for name in ("nginx.conf", "etc/nginx/sites-available/api", "conf.d/cors.conf", "snippets/cors",
                 "public/.htaccess", "settings.py", "server.js", "src/app.ts", "k8s/ingress.yaml", "traefik.toml"):
        assert files.search(name), name
    for name in ("README.md", "logo.png", "notes.txt"):
        assert not files.search(name), name


def test_manifest_files_are_the_registry_patterns():
    """The hook passes exactly the paths the input kinds' entries name
    (linter/kinds.py): a kind added or changed there shows up here."""
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    for hook in hooks:
        assert hook["files"] == precommit_files(), f"update `files` of {hook['id']} in .pre-commit-hooks.yaml " \
            f"to this pattern:\n" + precommit_files()
    assert [h["id"] for h in hooks] == ["corslint", "corslint-surface"]


def test_bad_staged_config_fails_with_corslint_message(hook_repo, project, env):
    project("nginx/api.conf", WILDCARD_CREDENTIALS)
    result = try_repo(hook_repo, project, env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "nginx/api.conf:5: CORS201 [error]" in result.stdout
    assert "Failed" in result.stdout


def test_good_staged_config_passes_and_unknown_files_are_skipped(hook_repo, project, env):
    project("nginx/fonts.conf", CLEAN)
    project("app/util.py", "def add(a, b):\n    return a + b\n")          # no CORS in it: skipped
    project("deploy/values.yaml", "replicas: 2\n")                         # not a manifest: skipped
    project("README.md", "# hello\n")                                      # not matched by `files`
    result = try_repo(hook_repo, project, env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Passed" in result.stdout


def test_only_staged_files_are_linted(hook_repo, project, env):
    project("nginx/good.conf", CLEAN)
    project("nginx/bad.conf", WILDCARD_CREDENTIALS, stage=False)                            # untracked: not linted
    result = try_repo(hook_repo, project, env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_staged_site_resolves_its_includes(hook_repo, project, env):
    project("nginx/snippets/cors.conf", SNIPPET_BAD, commit=True)          # committed, not staged again
    project("nginx/nginx.conf", SITE_WITH_SNIPPET)
    result = try_repo(hook_repo, project, env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "nginx/snippets/cors.conf:1: CORS202 [error]" in result.stdout


def test_staged_snippet_included_by_an_unstaged_site_still_lints(hook_repo, project, env):
    project("nginx/nginx.conf", SITE_WITH_SNIPPET, commit=True)
    project("nginx/snippets/cors.conf", SNIPPET_GOOD, commit=True)
    project("nginx/snippets/cors.conf", SNIPPET_BAD)                       # only the snippet is staged
    result = try_repo(hook_repo, project, env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "nginx/snippets/cors.conf:1: CORS202 [error]" in result.stdout
    project("nginx/snippets/cors.conf", SNIPPET_GOOD)
    assert try_repo(hook_repo, project, env).returncode == 0


def test_a_commit_of_other_programs_conf_files_passes(hook_repo, project, env):
    """supervisord, redis, php-fpm, systemd, logrotate, fail2ban, rsyslog and
    postgresql `.conf` files match the hook's `files` but are no web
    server's: skipped, the commit passes (they were nginx input errors)."""
    from test_kinds_by_content import NOISE, NOISE_CONF

    for name in NOISE_CONF:
        project(name, textwrap.dedent(NOISE[name]))
    result = try_repo(hook_repo, project, env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Passed" in result.stdout
    assert result.stdout.count("skipped: not a web server configuration") == len(NOISE_CONF), result.stdout


def test_surface_hook_fails_a_commit_that_widens_the_surface(hook_repo, project, env):
    """`corslint-surface`: the staged configuration against HEAD; letting
    any origin read fails the commit, taking that away passes."""
    project("nginx/fonts.conf", CLEAN.replace("*", "https://app.example.com"), commit=True)
    project("nginx/fonts.conf", CLEAN)                                     # `*` instead: widens
    project("nginx/notes.txt", "not configuration\n")
    result = try_repo(hook_repo, project, env, "corslint-surface")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "+ widens: /fonts/ on static.example.com now lets any origin read (*) (nginx/fonts.conf:5)" \
        in result.stdout
    git("commit", "-q", "-m", "fonts for everyone", cwd=project.root, env=env)
    project("nginx/fonts.conf", CLEAN.replace("*", "https://app.example.com"))   # narrows: passes
    result = try_repo(hook_repo, project, env, "corslint-surface")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no longer lets any origin read (*)" in result.stdout
