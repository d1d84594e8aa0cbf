"""Configuration as review pipelines and pre-commit meet it: the nearest
`.corslint.toml` / `pyproject.toml` walking up from the current folder, the
command line above the file, per-file-ignores globs, inline suppressions
with a reason (`#` and `//`), and `--strict` for suppressions that match
nothing."""

from __future__ import annotations

import subprocess
import textwrap

import pytest
from support import ALLOW_ANY, ALLOW_CREDENTIALS, api_server, corslint

WILDCARD = api_server(ALLOW_ANY, ALLOW_CREDENTIALS, "add_header Access-Control-Max-Age 86400 always;",
                      'return 200 "ok";')

EXPRESS = textwrap.dedent("""\
    const express = require('express');
    const cors = require('cors');

    const app = express();

    app.use(cors({
      origin: '*', // corslint: ignore[CORS201] public widget, cookies are never read
      credentials: true,
    }));

    app.get('/api/session', (req, res) => res.json({ user: null }));

    app.listen(3000);
    """)


def codes(result: subprocess.CompletedProcess) -> set[str]:
    import json

    assert result.returncode in (0, 1), result.stderr
    return {f["code"] for f in json.loads(result.stdout)["findings"]}


def test_baseline(files, tmp_path):
    files("api.conf", WILDCARD)
    assert codes(corslint("api.conf", "--format", "json", cwd=tmp_path)) == {"CORS201", "CORS303"}


def test_nearest_config_walking_up_from_the_file(files, tmp_path):
    files("project/sub/deeper/conf/api.conf", WILDCARD)
    files("project/.corslint.toml", 'ignore = ["CORS303"]\n')
    deep = tmp_path / "project" / "sub" / "deeper"
    deep.mkdir(parents=True, exist_ok=True)
    assert codes(corslint("conf/api.conf", "--format", "json", cwd=deep)) == {"CORS201"}
    # a nearer file wins over the farther one (no merging)
    files("project/sub/.corslint.toml", 'ignore = ["CORS201"]\n')
    assert codes(corslint("conf/api.conf", "--format", "json", cwd=deep)) == {"CORS303"}
    # a pyproject.toml without [tool.corslint] is not a corslint configuration: the walk goes on
    files("project/sub/deeper/pyproject.toml", '[project]\nname = "x"\n')
    assert codes(corslint("conf/api.conf", "--format", "json", cwd=deep)) == {"CORS303"}
    files("project/sub/deeper/pyproject.toml", '[project]\nname = "x"\n[tool.corslint]\nselect = ["CORS3"]\n')
    assert codes(corslint("conf/api.conf", "--format", "json", cwd=deep)) == {"CORS303"}
    # .corslint.toml is preferred to pyproject.toml in the same folder
    files("project/sub/deeper/.corslint.toml", 'select = ["CORS2"]\n')
    assert codes(corslint("conf/api.conf", "--format", "json", cwd=deep)) == {"CORS201"}


def test_each_file_is_judged_by_its_nearest_configuration(files, tmp_path):
    """ruff's hierarchical configuration: select/ignore/per-file-ignores of
    the file nearest to each linted file, wherever corslint runs; the
    command line stays above them all; --config turns discovery off."""
    (tmp_path / ".git").mkdir()
    files(".corslint.toml", 'ignore = ["CORS303"]\n')
    files("api.conf", WILDCARD)
    files("legacy/api.conf", WILDCARD)
    files("legacy/.corslint.toml", 'ignore = ["CORS201"]\n')

    def found(*args, cwd=tmp_path):
        import json

        result = corslint(*args, "-f", "json", cwd=cwd)
        assert result.returncode in (0, 1), result.stderr
        return {(f["path"], f["code"]) for f in json.loads(result.stdout)["findings"]}

    assert found(".") == {("api.conf", "CORS201"), ("legacy/api.conf", "CORS303")}
    # JSON paths are from the repository's top level, wherever corslint runs (report/paths.py)
    assert found("../api.conf", cwd=tmp_path / "legacy") == {("api.conf", "CORS201")}
    assert found(".", "--ignore", "CORS303") == {("api.conf", "CORS201")}
    assert found(".", "--select", "CORS3") == {("api.conf", "CORS303"), ("legacy/api.conf", "CORS303")}
    assert found(".", "--config", ".corslint.toml") == {("api.conf", "CORS201"), ("legacy/api.conf", "CORS201")}
    # a nearer file that is not valid: an input error naming it, the run's settings judge its folder
    files("legacy/.corslint.toml", 'ignore = "CORS201"\nselect = 3\n')
    result = corslint(".", cwd=tmp_path)
    assert result.returncode == 2 and "legacy/.corslint.toml" in result.stderr and "Traceback" not in result.stderr


def test_config_accepts_a_pyproject_and_reports_unknown_codes_at_their_line(files, tmp_path):
    files("api.conf", WILDCARD)
    files("ci/pyproject.toml", '[project]\nname = "x"\n\n[tool.corslint]\nselect = ["CORS2"]\n')
    assert codes(corslint("api.conf", "-f", "json", "--config", "ci/pyproject.toml", cwd=tmp_path)) == {"CORS201"}
    files("ci/pyproject.toml", '[project]\nname = "x"\n')
    result = corslint("api.conf", "--config", "ci/pyproject.toml", cwd=tmp_path)
    assert result.returncode == 2 and "ci/pyproject.toml: no [tool.corslint] table" in result.stderr
    files(".corslint.toml", 'select = ["CORS"]\nignore = [\n  "CORS303",\n  "CORS9",\n]\n')
    result = corslint("api.conf", cwd=tmp_path)
    assert result.returncode == 2
    assert ".corslint.toml:4: unknown rule code or slug 'CORS9'" in result.stderr
    files(".corslint.toml", '[per-file-ignores]\n"*.conf" = ["wildcard-with-credential"]\n')
    result = corslint("api.conf", cwd=tmp_path)
    assert result.returncode == 2 and ".corslint.toml:2: unknown rule code or slug" in result.stderr


def test_command_line_over_file(files, tmp_path):
    files("api.conf", WILDCARD)
    files("pyproject.toml", '[tool.corslint]\nselect = ["CORS3"]\nignore = ["CORS201"]\nfail-on = "warning"\n')
    assert codes(corslint("api.conf", "--format", "json", cwd=tmp_path)) == {"CORS303"}
    assert corslint("api.conf", cwd=tmp_path).returncode == 0                    # CORS303 is info
    assert corslint("api.conf", "--fail-on", "info", cwd=tmp_path).returncode == 1
    # --select starts a fresh selection: the file's select and ignore give way
    assert codes(corslint("api.conf", "--format", "json", "--select", "CORS201", cwd=tmp_path)) == {"CORS201"}
    assert codes(corslint("api.conf", "--format", "json", "--select", "CORS", "--ignore", "CORS303",
                          cwd=tmp_path)) == {"CORS201"}
    # --ignore adds to the file's ignore
    assert codes(corslint("api.conf", "--format", "json", "--ignore", "CORS303", cwd=tmp_path)) == set()
    # --config replaces discovery altogether
    files("ci/corslint.toml", 'select = ["CORS2"]\n')
    assert codes(corslint("api.conf", "--format", "json", "--config", "ci/corslint.toml", cwd=tmp_path)) == \
        {"CORS201"}


def test_per_file_ignores_globs_relative_to_the_config(files, tmp_path):
    files("legacy/old/api.conf", WILDCARD)
    files("new/api.conf", WILDCARD)
    files(".corslint.toml", '[per-file-ignores]\n"legacy/**/*.conf" = ["CORS201"]\n"*.conf" = ["max-age-ignored"]\n')
    assert codes(corslint("legacy/old/api.conf", "--format", "json", cwd=tmp_path)) == set()
    assert codes(corslint("new/api.conf", "--format", "json", cwd=tmp_path)) == {"CORS201"}
    # run from elsewhere: the patterns still mean paths below the configuration file
    assert codes(corslint("old/api.conf", "--format", "json", cwd=tmp_path / "legacy")) == set()
    assert codes(corslint("./legacy/old/api.conf", "--format", "json", cwd=tmp_path)) == set()


def test_inline_suppressions_with_reasons(files, tmp_path):
    text = WILDCARD.replace("add_header Access-Control-Allow-Origin * always;",
                            "# corslint: ignore[CORS201] legacy partner, see TICKET-12\n"
                            "        add_header Access-Control-Allow-Origin * always;")
    text = text.replace("86400 always;", "86400 always;  # corslint: ignore[max-age-ignored] CDN decides")
    files("api.conf", text)
    assert codes(corslint("api.conf", "--format", "json", "--strict", cwd=tmp_path)) == set()
    assert corslint("api.conf", "--strict", cwd=tmp_path).returncode == 0


def test_javascript_suppression_uses_double_slash(files, tmp_path):
    files("server.js", EXPRESS)
    assert corslint("server.js", "--strict", cwd=tmp_path).returncode == 0
    files("server.js", EXPRESS.replace("// corslint", "/* corslint").replace("read\n", "read */\n"))
    assert "CORS201" in codes(corslint("server.js", "--format", "json", cwd=tmp_path))


def test_strict_reports_suppressions_that_match_nothing(files, tmp_path):
    files("server.js", EXPRESS.replace("ignore[CORS201]", "ignore[CORS203]"))
    files("api.conf", "# corslint: ignore[CORS404] was needed once\n" + WILDCARD)
    result = corslint("server.js", "api.conf", "--strict", "--select", "CORS3", cwd=tmp_path)
    assert result.returncode == 1
    assert "server.js:7: unused suppression (CORS203): it matches no finding" in result.stdout
    assert "api.conf:1: unused suppression (CORS404): it matches no finding" in result.stdout
    github = corslint("server.js", "--strict", "--select", "CORS3", "--format", "github", cwd=tmp_path)
    assert "::warning file=server.js,line=7,title=corslint%3A unused suppression::" in github.stdout
    # without --strict they are not reported
    assert "unused" not in corslint("server.js", "api.conf", "--select", "CORS3", cwd=tmp_path).stdout


@pytest.mark.parametrize("text, configures", [
    ('[project]\nname = "corslint-rules"\n', False),          # names corslint, configures nothing
    ('[project.scripts]\ncorslint = "corslint.cli:entry"\n', False),
    ('[tool.corslint]\nselect = ["CORS2"]\n', True),
    ('[ tool . "corslint" ]\nselect = ["CORS2"]\n', True),
    ('[tool]\ncorslint = { select = ["CORS2"] }\n', True),
    ('[tool]\ncorslint.select = ["CORS2"]\n', True),
    ('tool.corslint.select = ["CORS2"]\n', True),
    ('tool = { corslint = { select = ["CORS2"] } }\n', True),
])
def test_every_spelling_of_the_tool_corslint_table_is_read(tmp_path, text, configures):
    from corslint.config import find_config

    (tmp_path / "pyproject.toml").write_text(text)
    found = find_config(str(tmp_path))
    assert (found is not None and found[1] == {"select": ["CORS2"]}) == configures
