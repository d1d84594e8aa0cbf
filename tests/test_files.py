"""corslint.files and the kinds registry: how a file's kind is told from its
name and content."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corslint.files import _sniffs, classify
from corslint.kinds import KINDS, imported, load_function

FRAGMENTS = ["Header set X y", "header  always unset Vary", "add_header X y;", "<VirtualHost *:80>",
             "<location /x>", "RewriteEngine On", "SetEnvIf Origin x", "server {", "  ", "\t", "\r", "\n",
             "\x0c", "# Header set", "Headers", "x", "\r\n"]
SHORTCUT_KINDS = [name for name, kind in KINDS.items() if kind.sniff_lines]


@pytest.mark.parametrize("kind", SHORTCUT_KINDS)
@settings(max_examples=2000, derandomize=True, database=None)
@given(parts=st.lists(st.sampled_from(FRAGMENTS), max_size=12))
def test_the_line_start_shortcut_agrees_with_the_pattern(kind, parts):
    head = "".join(parts).encode()
    assert _sniffs(KINDS[kind], head) == (re.search(KINDS[kind].sniff, head) is not None)


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_names_a_loader_and_a_way_to_be_recognised(kind):
    entry = KINDS[kind]
    assert callable(load_function(kind)), entry.loader
    if isinstance(entry.sniff, str):
        assert callable(imported(entry.sniff)), entry.sniff
    assert entry.extensions or entry.names or entry.name_endings or entry.endings or entry.marker, \
        f"{kind}: no file is ever recognised as this kind"
    assert set(entry.defer_to) <= set(KINDS) - {kind}, entry.defer_to
    assert entry.hook_extensions or entry.hook_paths, f"{kind}: the pre-commit hook never passes its files"
    assert entry.seeds, f"{kind}: no fuzz seeds"


@pytest.mark.parametrize("name, content, kind", [
    ("settings.py", b"from flask_cors import CORS\nfrom starlette.middleware.cors import CORSMiddleware\n",
     "starlette"),    # flask defers to starlette when both sniffs match
    ("app.py", b"from flask_cors import CORS\n", "flask"),
    ("site.conf", b"Header set X y\n", "apache"),
    ("site.conf", b"Header set X y\nadd_header X y;\n", "nginx"),   # .conf is nginx's unless only Apache's
    ("site.conf", b"anything\n", None),                              # another program's (serverkind)
    ("cors", b"server {\n}\n", "nginx"),                             # nginx's content alone
    ("cors", b"server {\n}\nHeader set X y\n", None),
    (".htaccess", b"", "apache"),
    ("notes.txt", b"server {\n}\n", None),
])
def test_classify(tmp_path, name, content, kind):
    path = tmp_path / name
    path.write_bytes(content)
    assert classify(str(path)) == kind


SITE = """server {
    listen 80;
    server_name app.example.com;
    location /api/ {
        add_header Access-Control-Allow-Origin * always;
        add_header Access-Control-Allow-Credentials true always;
        return 200;
    }
}
"""


def test_a_linked_site_is_linted_once_at_its_real_path(tmp_path, monkeypatch, capsys):
    """Debian's `sites-enabled/app -> ../sites-available/app`: one file,
    one finding, named where the file lies (code scanning cannot show a
    result on a link)."""
    from corslint.cli import main

    (tmp_path / "sites-available").mkdir()
    (tmp_path / "sites-enabled").mkdir()
    (tmp_path / "sites-available" / "app").write_text(SITE)
    (tmp_path / "sites-enabled" / "app").symlink_to("../sites-available/app")
    monkeypatch.chdir(tmp_path)
    assert main(["--format", "json", "."]) == 1
    import json

    report = json.loads(capsys.readouterr().out)
    assert [(f["path"], f["line"], f["code"]) for f in report["findings"]] == [
        ("sites-available/app", 5, "CORS201")]
