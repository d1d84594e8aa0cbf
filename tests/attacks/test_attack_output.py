"""Attacks on what corslint prints: file names, include patterns,
configuration values and command-line arguments chosen by a hostile pull
request must not forge GitHub Actions workflow commands, drive the
terminal, or crash a reporter; bad settings and bad `simulate --url`
values are usage errors (exit 2), never internal errors.

Every line corslint prints is read the way the Actions runner reads a step's
log (`workflow_commands`): a line that starts with `::NAME` after leading
white space, or holds `##[NAME` anywhere (the runner's legacy syntax), is a
command.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from bounded import run  # noqa: E402
from corslint.display import text  # noqa: E402

#: an nginx server that CORS201 flags (line 4)
FLAGGED = """\
server {
    listen 80;
    location / {
        add_header Access-Control-Allow-Origin * always;
        add_header Access-Control-Allow-Credentials true always;
    }
}
"""
#: an nginx file that cannot be parsed: an input error on stderr
BROKEN = "server { listen 80\n"

FORGED = "x\n::error file=README.md,line=1::All checks passed\n.conf"
#: names that would be workflow commands if printed raw at a line's start or anywhere
HOSTILE_NAMES = [FORGED, "::add-mask::hunter2.conf", "::stop-commands::tok.conf", " ::error::lead.conf",
                 "y##[error]legacy.conf", "z\r::warning::cr.conf"]
#: what the runner knows (a name outside it is printed as text, not run)
RUNNER_COMMANDS = {"set-env", "set-output", "save-state", "add-mask", "add-path", "add-matcher", "remove-matcher",
                   "debug", "warning", "error", "notice", "group", "endgroup", "echo", "stop-commands"}
FORMATS = ("text", "json", "sarif", "github")
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def workflow_commands(output: str) -> list[tuple[str, str]]:
    """(name, line) of every line the Actions runner would run as a command
    (none between `::stop-commands::TOKEN` and `::TOKEN::`)."""
    found = []
    stopped = None
    for line in re.split(r"\r\n|\r|\n", output):
        text = line.lstrip()
        name = None
        if text.startswith("::") and text.find("::", 2) > 0:
            name = text[2:text.find("::", 2)].partition(" ")[0]
        elif "##[" in line and "]" in line[line.find("##[") + 3:]:
            at = line.find("##[")
            name = line[at + 3:line.index("]", at + 3)].partition(" ")[0]
        if stopped is not None:
            if name == stopped:
                stopped = None
            continue
        if name in RUNNER_COMMANDS:
            found.append((name, line))
            if name == "stop-commands":
                stopped = text[text.find("::", 2) + 2:]
    return found


def properties(command: str) -> dict[str, str]:
    """The properties of a `::name k=v,k=v::data` line as the runner unescapes them."""
    info = command.lstrip()[2:command.lstrip().index("::", 2)]
    pairs = (p.split("=", 1) for p in info.partition(" ")[2].split(",") if "=" in p)
    unescape = (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%"))
    out = {}
    for key, value in pairs:
        for code, char in unescape:
            value = value.replace(code, char)
        out[key] = value
    return out


def hostile_checkout(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    for name in HOSTILE_NAMES:
        (repo / name).write_text(FLAGGED)
        (repo / ("broken-" + name.lstrip())).write_text(BROKEN)
    (repo / "::warning::broken.conf").write_text(BROKEN)    # an input error: its line on stderr starts with it
    return repo


@pytest.mark.parametrize("fmt", FORMATS)
def test_defect_08_file_names_forge_no_workflow_command(tmp_path, fmt):
    repo = hostile_checkout(tmp_path)
    # pre-commit passes the staged files themselves: names lead the printed lines
    names = sorted(p.name for p in repo.iterdir())
    done = run("--format", fmt, *names, cwd=repo)
    assert done.returncode == 2, done           # the broken files are input errors
    commands = workflow_commands(done.stdout) + workflow_commands(done.stderr)
    if fmt == "github":
        # only corslint's own annotations, each on a hostile file's line
        assert {name for name, _ in commands} <= {"error", "warning", "notice"}, commands
        files = [properties(line)["file"] for _, line in commands]
        expected = [text(name) for name in HOSTILE_NAMES] + ["broken-" + text(name.lstrip()) for name in HOSTILE_NAMES]
        assert sorted(files) == sorted(expected + ["::warning::broken.conf"]), files
        assert "x\\n::error file=README.md,line=1::All checks passed\\n.conf" in files
    else:
        assert commands == [], commands
    assert "##[" not in done.stdout + done.stderr
    # the names are shown, escaped, with their findings and errors
    if fmt == "text":
        assert "x\\n::error file=README.md,line=1::All checks passed\\n.conf:4: CORS201" in done.stdout
        assert "./::add-mask::hunter2.conf:4: CORS201" in done.stdout
        assert "./ ::error::lead.conf:4: CORS201" in done.stdout
        assert "y##\\x5berror]legacy.conf:4: CORS201" in done.stdout
    if fmt in ("json", "sarif"):
        json.loads(done.stdout)
    if fmt == "json":
        paths = {f["path"] for f in json.loads(done.stdout)["findings"]}
        assert paths == set(HOSTILE_NAMES)      # JSON keeps the exact names (escaped by JSON itself)
    assert "broken-x\\n::error file=README.md,line=1::All checks passed\\n.conf:1:" in done.stderr
    assert "./::warning::broken.conf:1:" in done.stderr


def test_defect_08_folder_walk_and_diff_stderr(tmp_path):
    repo = hostile_checkout(tmp_path)
    for args in (("--format", "github", "."), ("--diff", "."), ("--format", "text", "--strict", ".")):
        done = run(*args, cwd=repo)
        commands = [c for c in workflow_commands(done.stdout + "\n" + done.stderr)
                    if args[:2] != ("--format", "github") or c[0] not in ("error", "warning", "notice")]
        assert commands == [], (args, commands)
        assert not re.search(r"^\s*::", done.stderr, re.M), done


def test_defect_08_diff_of_hostile_lines(tmp_path):
    """`--diff` prints the checkout's own lines (here a quoted value whose
    second line reads `::error::...`, and `##[add-mask]`): the headers
    are escaped, and on GitHub Actions the diff is fenced with
    stop-commands so that no line of it runs."""
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "x\n::error::diff.conf").write_text(
        'server {\n    listen 80;\n    location / {\n'
        '        add_header Access-Control-Allow-Origin https://a.example always;\n'
        '        add_header X-Note "##[add-mask]x\n::error file=README.md::forged" always;\n'
        '        add_header Access-Control-Allow-Credentials True always;\n    }\n}\n')
    done = run("--diff", ".", cwd=repo, env={"GITHUB_ACTIONS": "true"})
    assert done.returncode == 1, done
    assert "--- a/x\\n::error::diff.conf\n+++ b/x\\n::error::diff.conf\n" in done.stdout
    assert "+        add_header Access-Control-Allow-Credentials true always;" in done.stdout
    assert [name for name, _ in workflow_commands(done.stdout)] == ["stop-commands"], done
    assert workflow_commands(done.stderr) == [], done


def test_defect_14_control_characters_escaped(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "clear\x1b[2J\x1b[H.conf").write_text(FLAGGED)
    (repo / "bell\x07\x9b31m.conf").write_text(BROKEN)
    (repo / "site.conf").write_text('server {\n    listen 80;\n    include "/tmp/\x1b]0;owned\x07/*.conf";\n}\n')
    for fmt in FORMATS:
        done = run("--format", fmt, ".", cwd=repo)
        assert done.returncode == 2, done
        assert not CONTROLS.search(done.stdout), (fmt, done.stdout)
        assert not CONTROLS.search(done.stderr), (fmt, done.stderr)
    done = run(".", cwd=repo)
    assert "clear\\x1b[2J\\x1b[H.conf:4: CORS201" in done.stdout
    assert "include /tmp/\\x1b]0;owned\\x07/*.conf: not read" in done.stdout
    assert "bell\\x07\\x9b31m.conf:1:" in done.stderr
    # configured values printed by simulate
    (repo / "evil.conf").write_text('server {\n    listen 80;\n    location / {\n'
                                    '        add_header X-Evil "a\n::error::forged\x1b[2J" always;\n    }\n}\n')
    done = run("simulate", "evil.conf", "--url", "http://a.example/", cwd=repo)
    assert done.returncode == 0, done
    assert "x-evil: a\\n::error::forged\\x1b[2J  (evil.conf:4)" in done.stdout, done
    assert not CONTROLS.search(done.stdout) and workflow_commands(done.stdout) == [], done
    # arguments echoed in usage errors too
    done = run("--select", "CORS2\x1b[2J", "site.conf", cwd=repo)
    assert done.returncode == 2 and "\\x1b[2J" in done.stderr and not CONTROLS.search(done.stderr), done
    done = run("--no-such\n::error::x", cwd=repo)
    assert done.returncode == 2 and workflow_commands(done.stderr) == [], done


@pytest.mark.parametrize("fmt", FORMATS)
def test_defect_15_non_utf8_name(tmp_path, fmt):
    repo = tmp_path / "repo"
    (repo / "sub").mkdir(parents=True)
    (repo / "sub" / "ok.conf").write_text(FLAGGED)
    raw = bytes(repo / "sub") + b"/n\xff\xfe.conf"
    with open(raw, "w") as fh:
        fh.write(FLAGGED)
    with open(bytes(repo) + b"/b\xff.conf", "w") as fh:
        fh.write(BROKEN)
    strict = {"LC_ALL": "C.UTF-8", "PYTHONIOENCODING": "utf-8:strict"}
    done = run("--format", fmt, ".", cwd=repo, env=strict, text=False)
    assert done.returncode == 2, done
    out, err = done.stdout.decode("utf-8"), done.stderr.decode("utf-8")     # valid UTF-8 on both streams
    assert "internal error" not in err
    assert "b\\xff.conf:1:" in err
    if fmt == "sarif":
        sarif = json.loads(out)
        uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]]
        assert sorted(uris) == ["sub/n%FF%FE.conf", "sub/ok.conf"], uris
        notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        assert [n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for n in notes] == ["b%FF.conf"]
        assert "\\udc" not in out      # no lone surrogates for code scanning to reject
    elif fmt == "json":
        assert {f["path"] for f in json.loads(out)["findings"]} == {"sub/ok.conf", "sub/n\udcff\udcfe.conf"}
    else:
        assert "n\\xff\\xfe.conf" in out and "sub/ok.conf" in out


@pytest.mark.parametrize("setting, key", [
    ("clients = 5", "clients"),
    ("clients = [5]", "clients"),
    ('[[tool.corslint.clients]]\norigin = 5', "clients"),
    ('[[tool.corslint.clients]]\norigin = "https://a.example"\nmethods = "GET"', "clients"),
    ('[[tool.corslint.clients]]\norigin = "https://a.example"\ncredentials = "yes"', "clients"),
    ("trusted-origins = 5", "trusted-origins"),
    ("trusted-origins = [[1]]", "trusted-origins"),
    ("per-file-ignores = 5", "per-file-ignores"),
    ("fail-on = []", "fail-on"),
    ("select = " + "[" * 100_000 + "]" * 100_000, None),
    ("per-file-ignores = " + "{a=" * 2000 + "1" + "}" * 2000, None),
], ids=lambda value: value if value is None or len(value) < 40 else value[:30] + "...")
def test_defect_20_ill_typed_config(tmp_path, setting, key):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "site.conf").write_text(FLAGGED)
    (repo / "pyproject.toml").write_text(f"[tool.corslint]\n{setting}\n")
    done = run("site.conf", cwd=repo)
    assert done.returncode == 2, done
    assert "internal error" not in done.stderr, done
    assert done.stderr.startswith(f"corslint: {repo / 'pyproject.toml'}"), done
    if key:
        assert key in done.stderr, done
    else:
        assert "nested too deeply" in done.stderr, done


@pytest.mark.parametrize("url", ["http://[::1", "http://[::1]:70000/", "http://a.example:99999/",
                                 "http://a.example:x/", "http://a.example:-1/", "not a url", "ftp://a.example/",
                                 "http:///path", ""])
def test_defect_22_simulate_bad_url(tmp_path, url):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "site.conf").write_text(FLAGGED)
    done = run("simulate", "site.conf", "--url", url, cwd=repo)
    assert done.returncode == 2, done
    assert done.stdout == ""
    assert done.stderr.startswith("corslint simulate: --url"), done
    assert "internal error" not in done.stderr, done


def test_defect_22_simulate_good_urls_still_work(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "site.conf").write_text(FLAGGED)
    for url in ("http://[::1]:8080/x", "https://a.example/", "http://a.example:80/p?q=1"):
        done = run("simulate", "site.conf", "--url", url, cwd=repo)
        assert done.returncode == 0, done
        assert done.stdout.startswith("Request: GET "), done
