"""A hostile checkout cannot make corslint read or write outside it.

Every read (walked files, explicit files, includes of every format,
`package.json` lookups, `--config`) and every write (`--output`, `--fix`)
goes through one confinement: a walked file or an include whose real path
leaves the root is refused and listed, procfs/sysfs and non-regular files
are never read, reads stop at the size limit, a symlink swapped in after
the check is not followed, and outputs are never written through a link.
Each attack runs the console script bounded in time and memory.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from bounded import run  # noqa: E402

SECRET = "SECRET-VALUE-1f2e3d"

#: an nginx file with one finding that --fix repairs (CORS404: add_header without `always`)
FIXABLE = ('server {\n    listen 80;\n    location /api/ {\n'
           '        add_header Access-Control-Allow-Origin "https://app.example.com";\n'
           '        proxy_pass http://127.0.0.1:8000;\n    }\n}\n')

#: an nginx file whose finding echoes the configured value
ECHOES = 'server { location / { add_header Access-Control-Allow-Origin "%s"; ' \
         'add_header Access-Control-Allow-Credentials "true"; } }\n'
#: an Express app that Express 5 refuses to start (and Express 4 runs)
EXPRESS_APP = ("const express = require('express');\nconst cors = require('cors');\nconst app = express();\n"
               "app.use(cors());\napp.get('*', (req, res) => res.send('ok'));\n")
#: the same for Apache
APACHE_ECHOES = 'Header always set Access-Control-Allow-Origin "%s"\n' \
                'Header always set Access-Control-Allow-Credentials "true"\n'


def _secret(tmp_path: Path, text: str) -> Path:
    """A file outside the checkout that holds the secret."""
    folder = tmp_path / "secret"
    folder.mkdir(exist_ok=True)
    path = folder / "s.conf"
    path.write_text(text)
    return path


def _skipped(result) -> dict[str, str]:
    return {s["path"]: s["reason"] for s in json.loads(result.stdout).get("skipped", [])}


# -- 1: outputs are never written through a link ---------------------------------------------------

@pytest.mark.parametrize("extra", [("--format", "sarif"), ("--diff",), ()], ids=["sarif", "diff", "text"])
def test_defect_01_output_through_a_committed_symlink_is_refused(tmp_path, extra):
    home = tmp_path / "home"
    home.mkdir()
    (home / ".bashrc").write_text("echo hello\n")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "site.conf").write_text(FIXABLE)
    os.symlink("../home/.bashrc", repo / "corslint.sarif")
    result = run(*extra, "--output", "corslint.sarif", "site.conf", cwd=repo)
    assert result.returncode == 2, result
    assert "corslint.sarif" in result.stderr and "symbolic link" in result.stderr, result
    assert (home / ".bashrc").read_text() == "echo hello\n"
    assert os.path.islink(repo / "corslint.sarif")


def test_defect_01_output_in_a_symlinked_folder_is_refused(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "site.conf").write_text(FIXABLE)
    os.symlink("../home", repo / "reports")
    result = run("--output", "reports/corslint.txt", "site.conf", cwd=repo)
    assert result.returncode == 2 and "reports" in result.stderr and "symbolic link" in result.stderr, result
    assert list(home.iterdir()) == []


def test_defect_01_output_replaces_a_regular_file(tmp_path):
    (tmp_path / "site.conf").write_text(FIXABLE)
    (tmp_path / "out.json").write_text("old")
    os.link(tmp_path / "out.json", tmp_path / "hardlink")   # a second name of the old report keeps it
    result = run("--format", "json", "--output", "out.json", "site.conf", cwd=tmp_path)
    assert result.returncode == 1, result
    assert "CORS404" in {f["code"] for f in json.loads((tmp_path / "out.json").read_text())["findings"]}
    assert (tmp_path / "hardlink").read_text() == "old"
    assert [p.name for p in tmp_path.iterdir() if "corslint" in p.name] == []   # no temporary file left


def test_defect_01_output_to_the_users_own_devices_still_works(tmp_path):
    (tmp_path / "site.conf").write_text(FIXABLE)
    result = run("--output", "/dev/stdout", "site.conf", cwd=tmp_path)
    assert result.returncode == 1 and "CORS404" in result.stdout, result
    result = run("--output", "/dev/null", "site.conf", cwd=tmp_path)
    assert result.returncode == 1 and stat.S_ISCHR(os.stat("/dev/null").st_mode), result


# -- 2: a folder walk stays in the folder; procfs is never read ------------------------------------

def test_defect_02_walk_refuses_symlinks_out_of_the_tree(tmp_path):
    _secret(tmp_path, ECHOES % SECRET)
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "good.conf").write_text(FIXABLE)
    os.symlink("../secret/s.conf", repo / "evil.conf")
    os.symlink("/etc/passwd", repo / "passwd.conf")
    os.symlink("/proc/self/pagemap", repo / "pm.conf")
    os.symlink("/proc/self/environ", repo / "env.conf")
    os.symlink("good.conf", repo / "alias.conf")      # a link inside the tree is fine
    # run from the checkout (the configuration root: the current folder)
    result = run("--format", "json", ".", cwd=repo)
    assert SECRET not in result.stdout + result.stderr
    assert result.seconds < 10 and result.returncode == 1, result
    skipped = _skipped(result)
    for name in ("evil.conf", "passwd.conf", "pm.conf", "env.conf"):
        assert "outside" in skipped[name], skipped
    # the link inside the tree is read: as the file it names, linted once
    assert {f["path"] for f in json.loads(result.stdout)["findings"]} == {"good.conf"}


@pytest.mark.parametrize("target", ["/proc/self/pagemap", "/proc/self/environ", "/sys/kernel/mm/transparent_hugepage/enabled"],
                         ids=["pagemap", "environ", "sysfs"])
def test_defect_02_procfs_named_explicitly_is_never_read(tmp_path, target):
    os.symlink(target, tmp_path / "pm.conf")
    (tmp_path / "good.conf").write_text(FIXABLE)
    result = run("--format", "json", "pm.conf", "good.conf", cwd=tmp_path)
    assert result.returncode == 2 and result.seconds < 10, result
    errors = json.loads(result.stdout)["errors"]
    assert [e["path"] for e in errors] == ["pm.conf"] and "not read" in errors[0]["message"], errors
    assert json.loads(result.stdout)["findings"][0]["path"] == "good.conf"


# -- 3: an Apache folder include stays in the root ------------------------------------------------

def test_defect_03_apache_include_folder_refuses_symlinks_out_of_the_root(tmp_path):
    _secret(tmp_path, APACHE_ECHOES % SECRET)
    conf = tmp_path / "repo"
    (conf / "conf.d").mkdir(parents=True)
    (conf / "httpd.conf").write_text("ServerName example.com\nInclude conf.d\n")
    (conf / "conf.d" / "ok.conf").write_text(APACHE_ECHOES % "*")
    os.symlink("../../secret/s.conf", conf / "conf.d" / "evil.conf")
    result = run("--format", "json", "httpd.conf", cwd=conf)
    assert SECRET not in result.stdout + result.stderr, result
    assert result.returncode == 1, result
    notices = [n for n in json.loads(result.stdout)["notices"] if n["path"] == "httpd.conf"]
    assert len(notices) == 1 and notices[0]["line"] == 2, notices
    assert "evil.conf" in notices[0]["message"] and "outside the configuration root" in notices[0]["message"]
    assert {f["path"] for f in json.loads(result.stdout)["findings"]} == {"conf.d/ok.conf"}


# -- 4: --fix writes nothing outside the checkout --------------------------------------------------

def test_defect_04_fix_on_a_folder_leaves_files_outside_alone(tmp_path):
    outside = _secret(tmp_path, FIXABLE)
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "good.conf").write_text(FIXABLE)
    os.symlink("../secret/s.conf", repo / "evil.conf")
    result = run("--fix", ".", cwd=repo)
    assert outside.read_text() == FIXABLE, result
    assert os.path.islink(repo / "evil.conf")
    assert "always" in (repo / "good.conf").read_text(), result    # the checkout's own file is fixed
    assert "evil.conf: skipped" in result.stdout, result


# -- 7: the include cap bounds time ---------------------------------------------------------------

def test_defect_07_include_globs_are_bounded_in_time(tmp_path):
    (tmp_path / "g").mkdir()
    for i in range(25):
        (tmp_path / "g" / f"f{i:02}.conf").write_text("include g/*.conf;\n")
    (tmp_path / "main.conf").write_text("include g/*.conf;\n" + ECHOES % "*")
    result = run("--format", "json", "main.conf", cwd=tmp_path, seconds=30)
    assert result.seconds < 8, result
    assert result.returncode == 2, result
    messages = [e["message"] for e in json.loads(result.stdout)["errors"]]
    assert any("the remaining includes were not read" in m for m in messages), messages
    assert json.loads(result.stdout)["findings"], result     # the root file is still judged


# -- 17: package.json is looked up only inside the checkout ---------------------------------------

def test_defect_17_express_package_json_above_the_root_is_not_read(tmp_path):
    (tmp_path / "package.json").write_text(json.dumps({"dependencies": {"express": "^4.18.0"}}))
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "app.js").write_text(EXPRESS_APP)
    for args in (("app.js",), (".",)):
        result = run("--format", "json", *args, cwd=repo)
        messages = [f["message"] for f in json.loads(result.stdout)["findings"]]
        assert any("if the app runs Express 5:" in m for m in messages), (args, result)   # version unknown
    # inside the checkout it is found
    (repo / "package.json").write_text(json.dumps({"dependencies": {"express": "^4.18.0"}}))
    result = run("--format", "json", "app.js", cwd=repo)
    assert json.loads(result.stdout)["findings"] == [], result


def test_defect_17_package_json_symlink_out_of_the_checkout_is_not_read(tmp_path):
    (tmp_path / "outside.json").write_text(json.dumps({"dependencies": {"express": "^4.18.0"}}))
    repo = tmp_path / "repo"
    repo.mkdir()
    os.symlink("../outside.json", repo / "package.json")
    (repo / "app.js").write_text(EXPRESS_APP)
    result = run("--format", "json", ".", cwd=repo)
    assert any("if the app runs Express 5:" in f["message"] for f in json.loads(result.stdout)["findings"]), result


# -- 18: a symlink swapped in after the check is not followed -------------------------------------

def test_defect_18_symlink_swapped_after_the_check_is_not_followed(tmp_path, monkeypatch):
    """The window between the check and the open, made certain: the link
    is swapped right after the confinement resolved it."""
    from corslint import confine

    secret = _secret(tmp_path, ECHOES % SECRET)
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "ok.conf").write_text(ECHOES % "*")
    (repo / "inner").mkdir()
    (repo / "inner" / "x.conf").write_text(ECHOES % "*")
    checked = confine.checked_path

    def swap_after_check(path, root=None):
        real = checked(path, root)
        link = repo / "evil.conf"
        if os.path.islink(link) or link.exists():
            os.unlink(link)
        os.symlink(secret, link)
        return real

    os.symlink("ok.conf", repo / "evil.conf")
    monkeypatch.setattr(confine, "checked_path", swap_after_check)
    assert confine.read(str(repo / "evil.conf"), str(repo)) == (ECHOES % "*").encode()   # what was checked

    # a folder on the way swapped for a link: the file opened is not the one checked
    def swap_folder(path, root=None):
        real = checked(path, root)
        os.rename(repo / "inner", repo / "inner.old")
        os.symlink(secret.parent, repo / "inner")
        os.rename(secret, secret.parent / "x.conf")
        return real

    monkeypatch.setattr(confine, "checked_path", swap_folder)
    with pytest.raises(OSError, match="changed|symbolic link"):
        confine.read(str(repo / "inner" / "x.conf"), str(repo))


# -- 19: --fix keeps the file's owner and respects read-only files -------------------------------

def test_defect_19_fix_refuses_a_read_only_file(tmp_path):
    path = tmp_path / "site.conf"
    path.write_text(FIXABLE)
    path.chmod(0o444)
    result = run("--fix", "site.conf", cwd=tmp_path)
    assert path.read_text() == FIXABLE and stat.S_IMODE(path.stat().st_mode) == 0o444, result
    assert "site.conf: not fixed" in result.stderr and "read-only" in result.stderr, result
    assert result.returncode == 1, result


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can hand a file to another owner")
def test_defect_19_fix_keeps_another_owners_file_owner(tmp_path):
    path = tmp_path / "site.conf"
    path.write_text(FIXABLE)
    os.chown(path, 65534, 65534)
    path.chmod(0o640)
    result = run("--fix", "site.conf", cwd=tmp_path)
    assert "always" in path.read_text(), result
    st = path.stat()
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (65534, 65534, 0o640)


# -- 21: --config reads only a regular file -------------------------------------------------------

@pytest.mark.parametrize("target", ["/dev/zero", "fifo"])
def test_defect_21_config_that_never_ends_is_refused(tmp_path, target):
    if target == "fifo":
        os.mkfifo(tmp_path / "fifo")
    os.symlink(target, tmp_path / "corslint.toml")
    (tmp_path / "site.conf").write_text(FIXABLE)
    result = run("--config", "corslint.toml", "site.conf", cwd=tmp_path, seconds=10)
    assert result.returncode == 2, result
    assert "corslint.toml" in result.stderr and "not a regular file" in result.stderr, result


@pytest.mark.parametrize("target", ["/proc/self/pagemap", "/proc/self/environ"])
def test_defect_21_discovered_config_on_procfs_is_not_read(tmp_path, target):
    os.symlink(target, tmp_path / ".corslint.toml")
    (tmp_path / "site.conf").write_text(FIXABLE)
    result = run("site.conf", cwd=tmp_path, seconds=10)
    assert result.returncode == 2 and ".corslint.toml" in result.stderr and "not read" in result.stderr, result
