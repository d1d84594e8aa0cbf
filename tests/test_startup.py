"""The start-up budget: a one-file lint imports only what its kind needs.

corslint runs as a pre-commit hook, so every commit pays for its start-up;
the modules a one-file nginx lint avoids (argparse, dataclasses, typing,
urllib.parse, the Apache grammar, the framework and YAML readers...) are
milliseconds each.  Each test lints one small file in a fresh interpreter
the way the console script (or `python -m corslint`) does and fails with
the name of any module on its kind's forbidden list that was imported.

The interpreter runs without `site` (-S), with corslint and the installed
packages on its path: what `site` imports differs between installs (an
editable install's finder imports pathlib and urllib.parse before corslint
starts) and is not corslint's doing.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import corslint
import corslint.rules

#: heavy standard modules no one-file lint of a server configuration needs
_STDLIB_HEAVY = ("argparse", "importlib.metadata", "email", "http", "urllib.request", "pathlib", "ipaddress",
                 "urllib.parse")
#: what each kind of one-file lint must not import
FORBIDDEN = {
    "nginx": (*_STDLIB_HEAVY, "dataclasses", "typing", "inspect", "ast", "tokenize", "hashlib", "pkgutil",
              "importlib", "importlib.util", "logging", "tempfile", "tomllib", "yaml", "lark", "tree_sitter", "regex",
              "corslint.apache", "corslint.apps", "corslint.platforms", "corslint.browser", "corslint.simulate",
              "corslint.fixes", "corslint.deploy.compose", "corslint.deploy.dockerfile", "shlex", "corslint.templates",
              "corslint.surface"),
    "apache": (*_STDLIB_HEAVY, "tomllib", "yaml", "tree_sitter", "corslint.apps", "corslint.platforms",
               "corslint.browser", "corslint.simulate", "corslint.fixes"),
    "django": ("argparse", "importlib.metadata", "dataclasses", "hashlib", "pkgutil", "pathlib", "tomllib", "yaml",
               "lark", "tree_sitter", "corslint.apache", "corslint.platforms", "corslint.browser",
               "corslint.simulate", "corslint.fixes"),
    "express": ("argparse", "importlib.metadata", "yaml", "lark", "corslint.apache", "corslint.platforms",
                "corslint.browser", "corslint.simulate", "corslint.fixes"),
    "yaml": ("argparse", "importlib.metadata", "lark", "tree_sitter", "corslint.apache", "corslint.browser",
             "corslint.simulate", "corslint.fixes"),
}
#: (file name, content, the package that reads it) of the one file each kind's lint reads
FILES = {
    "nginx": ("site.conf", textwrap.dedent("""\
        server {
            listen 80;
            location / {
                add_header Access-Control-Allow-Origin "https://app.example.com" always;
                return 200;
            }
        }
        """), "corslint.nginx"),
    "apache": ("site.conf", textwrap.dedent("""\
        <VirtualHost *:80>
            Header always set Access-Control-Allow-Origin "https://app.example.com"
        </VirtualHost>
        """), "corslint.apache"),
    "django": ("settings.py", "CORS_ALLOWED_ORIGINS = ['https://app.example.com']\n", "corslint.apps"),
    "express": ("server.js", textwrap.dedent("""\
        const express = require('express');
        const cors = require('cors');
        const app = express();
        app.use(cors({ origin: 'https://app.example.com' }));
        app.get('/', (req, res) => res.send('ok'));
        """), "corslint.apps"),
    "yaml": ("ingress.yaml", textwrap.dedent("""\
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: api
          annotations:
            nginx.ingress.kubernetes.io/enable-cors: "true"
            nginx.ingress.kubernetes.io/cors-allow-origin: "https://app.example.com"
        """), "corslint.platforms"),
}
#: how the interpreter is started: the console script's `entry()`, or `python -m corslint`
#: (runpy's own imports are taken before the baseline); os._exit, which both end in, first
#: writes the modules imported since the baseline to the file named by argv[1]
PROBE = textwrap.dedent("""\
    import os, sys
    sys.path[:0] = {path!r}
    {runner_import}
    baseline = set(sys.modules)
    exit_now, listing = os._exit, sys.argv.pop(1)

    def _exit(code):
        with open(listing, "w") as fh:
            fh.write("\\n".join(sorted(set(sys.modules) - baseline)))
        exit_now(code)

    os._exit = _exit
    {runner}
    """)
RUNNERS = {
    "script": ("", "from corslint.cli import entry; entry()"),
    "module": ("import runpy", "runpy.run_module('corslint', run_name='__main__', alter_sys=True)"),
}


@pytest.fixture(scope="module")
def package_path(tmp_path_factory) -> list[str]:
    """A folder holding corslint as installed (its files linked; the rules
    package, which an editable install maps from elsewhere, linked in),
    then the folders this interpreter finds the installed packages in."""
    root = tmp_path_factory.mktemp("startup")
    package = root / "corslint"
    package.mkdir()
    source = Path(corslint.__file__).parent
    for entry in source.iterdir():
        if entry.name not in ("__pycache__", "rules"):
            (package / entry.name).symlink_to(entry)
    (package / "rules").symlink_to(Path(corslint.rules.__file__).parent)
    return [str(root), *(entry for entry in sys.path if entry and os.path.isdir(entry))]


def imported_by_lint(package_path: list[str], folder: Path, name: str, runner: str) -> set[str]:
    """The modules a one-file lint of `folder/name` imports."""
    runner_import, run = RUNNERS[runner]
    probe = PROBE.format(path=package_path, runner_import=runner_import, runner=run)
    listing = folder / "modules.txt"
    run = subprocess.run([sys.executable, "-I", "-S", "-c", probe, str(listing), name], cwd=folder,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode in (0, 1), run.stdout + run.stderr
    assert "Traceback" not in run.stderr, run.stderr
    return set(listing.read_text().split())


@pytest.mark.parametrize("kind, runner", [("nginx", "script"), ("nginx", "module"), ("apache", "script"),
                                          ("django", "script"), ("express", "script"), ("yaml", "script")])
def test_one_file_lint_imports_nothing_it_should_avoid(package_path, tmp_path, kind, runner):
    name, text, reader = FILES[kind]
    (tmp_path / name).write_text(text)
    modules = imported_by_lint(package_path, tmp_path, name, runner)
    assert reader in modules, f"{name} was not read as {kind}"
    crept_in = sorted(m for m in FORBIDDEN[kind] if m in modules)
    assert not crept_in, (f"a one-file {kind} lint imports {', '.join(crept_in)}; find the importer with "
                          f"`python -X importtime -m corslint {name}`")


def test_another_programs_conf_imports_no_reader(package_path, tmp_path):
    """A supervisord `.conf` the hook passes is judged by its lines
    (corslint.serverkind) and skipped: no reader, not even crossplane's
    directive table, is imported for it."""
    (tmp_path / "supervisord.conf").write_text("[supervisord]\nnodaemon=true\n\n[program:web]\ncommand=/bin/web\n")
    modules = imported_by_lint(package_path, tmp_path, "supervisord.conf", "script")
    assert "corslint.serverkind" in modules
    crept_in = sorted(m for m in ("crossplane", "corslint.nginx", "corslint.apache", "lark", *FORBIDDEN["nginx"])
                      if m in modules)
    assert not crept_in, crept_in
