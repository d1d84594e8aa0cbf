"""The GitHub Action (action.yml) run as a runner runs a composite action:
each `run:` step's script with `bash --noprofile --norc -eo pipefail`, in
a scratch git repository, with the environment the step declares (its
`${{ inputs.x }}` and `${{ github.action_path }}` substituted, in `env:`
values only: a `run:` script holds no expression), `GITHUB_STEP_SUMMARY`
and `GITHUB_OUTPUT` as files, and the steps stopping at the first that
fails.  `corslint` on the PATH is this interpreter's corslint; the install
step is run with `install: false`, or with a `python` that records what it
was asked to install: the tests never reach a package index."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import yaml
from corpus_files import REPO, require_shared
from support import CLEAN, WILDCARD_CREDENTIALS, write

ACTION = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
#: the expressions the runner substitutes in the steps' `env:`
EXPRESSION = re.compile(r"\$\{\{\s*(inputs|github)\.([\w-]+)\s*\}\}")


def steps() -> list[dict]:
    return [step for step in ACTION["runs"]["steps"] if "run" in step]


def tool(folder: Path, name: str, body: str) -> None:
    write(folder / name, f"#!/bin/sh\n{body}\n")
    (folder / name).chmod(0o755)


def run_action(tmp_path: Path, repo: Path, only: list[dict] | None = None, **given: str):
    """(the steps' results, the job summary, the step outputs) of the action
    (or of the steps `only`) run in `repo` with these inputs (`sarif_file`
    for `sarif-file`)."""
    inputs = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
    inputs.update({name.replace("_", "-"): value for name, value in given.items()})
    context = {"inputs": inputs, "github": {"action_path": str(REPO)}}
    bin_folder = tmp_path / "bin"
    tool(bin_folder, "corslint", f'exec "{sys.executable}" -m corslint "$@"')
    summary, outputs = tmp_path / "summary.md", tmp_path / "outputs"
    summary.write_text("")
    outputs.write_text("")
    results = []
    for n, step in enumerate(only or steps()):
        assert step["shell"] == "bash"
        env = {key: EXPRESSION.sub(lambda m: context[m[1]][m[2]], str(value))
               for key, value in step.get("env", {}).items()}
        assert not any("${{" in value for value in env.values()), env
        script = write(tmp_path / f"step{n}.sh", step["run"])
        result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=repo,
                                capture_output=True, text=True, timeout=300, check=False,
                                env={**os.environ, "PATH": f"{bin_folder}{os.pathsep}{os.environ['PATH']}",
                                     "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary),
                                     "GITHUB_OUTPUT": str(outputs), **env})
        results.append(result)
        if result.returncode:
            break
    said = dict(line.split("=", 1) for line in outputs.read_text().splitlines())
    return results, summary.read_text(), said


def scratch_repository(tmp_path: Path, config: str) -> Path:
    repo = tmp_path / "repo"
    write(repo / "deploy" / "nginx" / "api.conf", config)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    return repo


def validate(doc: dict) -> None:
    schema_file = require_shared(REPO.parent / "shared" / "data", "shared data") / "sarif-schema-2.1.0.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(doc)]
    assert not errors, "\n".join(errors[:10])


def test_inputs_reach_the_scripts_through_env_only():
    """Script-injection hardening: a `${{ }}` in a script is pasted into it
    before bash reads it; through `env:` it is only ever a value."""
    for step in steps():
        assert "${{" not in step["run"], step["name"]
    used = {m[2] for step in steps() for value in step.get("env", {}).values()
            for m in EXPRESSION.finditer(str(value)) if m[1] == "inputs"}
    assert used == set(ACTION["inputs"])        # every input is used, and none but those declared


def test_the_action_writes_sarif_annotations_and_a_summary_then_fails(tmp_path):
    repo = scratch_repository(tmp_path, WILDCARD_CREDENTIALS)
    results, summary, outputs = run_action(tmp_path, repo, install="false")
    assert len(results) == len(steps())
    lint = results[-1]
    assert lint.returncode == 1, lint.stderr
    assert outputs == {"exit-code": "1", "sarif-file": "corslint.sarif"}
    doc = json.loads((repo / "corslint.sarif").read_text(encoding="utf-8"))
    validate(doc)
    located = {(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
               for r in doc["runs"][0]["results"]}
    assert ("CORS201", "deploy/nginx/api.conf") in located
    assert "::error file=deploy/nginx/api.conf,line=5,col=9,title=CORS201::" in lint.stdout
    assert summary.startswith("### corslint: Found ")
    assert "| ` deploy/nginx/api.conf:5 ` | [CORS201](" in summary


def test_a_clean_repository_passes_with_the_text_report(tmp_path):
    repo = scratch_repository(tmp_path, CLEAN)
    results, summary, outputs = run_action(tmp_path, repo, install="false", sarif_file="", annotations="false",
                                           fail_on="error")
    assert [r.returncode for r in results] == [0] * len(steps())
    assert outputs == {"exit-code": "0", "sarif-file": ""}
    assert not (repo / "corslint.sarif").exists()
    assert "No problems found in 1 file." in results[-1].stdout
    assert summary == "### corslint: No problems found in 1 file\n"


def test_paths_and_args_are_words_never_code(tmp_path):
    """`paths` and `args` are split on white space and nothing else: a
    `$(...)` or `;` in them is a file name or an option, never run."""
    repo = scratch_repository(tmp_path, WILDCARD_CREDENTIALS)
    results, summary, outputs = run_action(tmp_path, repo, install="false", summary="false",
                                           paths="deploy/nginx/api.conf\n  $(touch pwned)`touch pwned`",
                                           args="--select CORS201 ;touch pwned")
    assert not (repo / "pwned").exists()
    assert results[-1].returncode == 2          # `;touch` and `$(touch` are not files to lint
    assert "CORS201" in results[-1].stdout and outputs["exit-code"] == "2"
    assert summary == ""


def test_install_step_installs_the_action_or_the_version_given(tmp_path):
    install = steps()[0]
    assert "pip install" in install["run"]
    repo = scratch_repository(tmp_path, CLEAN)
    asked = tmp_path / "asked"
    tool(tmp_path / "bin", "python", f'printf "%s\\n" "$@" >> "{asked}"')
    for version, spec in (("", str(REPO)), ("0.1.0", "corslint==0.1.0"),
                          ("corslint @ git+https://example.org/corslint@v1", None)):
        asked.write_text("")
        [result], _, _ = run_action(tmp_path, repo, only=[install], version=version)
        assert result.returncode == 0, result.stderr
        assert asked.read_text().splitlines() == ["-m", "pip", "install", "--disable-pip-version-check", "--quiet",
                                                  "--", spec or version]


def test_surface_diff_goes_to_the_summary_and_fails_on_widening_when_asked(tmp_path):
    """`surface-diff: HEAD~1` in a repository whose last commit adds an
    origin: the Markdown diff joins the job summary after the lint's, and
    with `surface-fail-on-widen` the step fails once everything is written."""
    repo = scratch_repository(tmp_path, CLEAN)
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "fonts"], check=True)
    conf = repo / "deploy" / "nginx" / "api.conf"
    conf.write_text(CLEAN.replace("    location /fonts/ {", "    location /api/ {\n        add_header "
                                  "Access-Control-Allow-Origin https://app.example.com;\n        root /var/www;\n"
                                  "    }\n    location /fonts/ {"))
    subprocess.run([*git, "commit", "-qam", "an API for the app"], check=True)
    results, summary, outputs = run_action(tmp_path, repo, install="false", annotations="false",
                                           surface_diff="HEAD~1", surface_fail_on_widen="true")
    status = subprocess.run([*git, "status", "--porcelain"], capture_output=True, text=True).stdout
    assert status == "?? corslint.sarif\n"
    assert results[-1].returncode == 1, results[-1].stderr
    assert outputs == {"exit-code": "1", "sarif-file": "corslint.sarif"}
    assert (repo / "corslint.sarif").exists() and "No problems found in 1 file." in results[-1].stdout
    lint_summary, surface = summary.split("### CORS surface changes since ")
    assert lint_summary == "### corslint: No problems found in 1 file\n"
    assert "**widens**" in surface and "/api/ on static.example.com is new" in surface
    assert "deploy/nginx/api.conf:4" in surface
    # not asked to fail: the lint's status
    results, summary, outputs = run_action(tmp_path, repo, install="false", annotations="false", summary="false",
                                           surface_diff="HEAD~1")
    assert results[-1].returncode == 0 and outputs["exit-code"] == "0"
    assert summary.startswith("### CORS surface changes since ")
    results, summary, _ = run_action(tmp_path, repo, install="false", surface_diff="HEAD~1",
                                     surface_fail_on_widen="yes")
    assert results[-1].returncode == 2 and "surface-fail-on-widen are true or false" in results[-1].stdout
    assert subprocess.run([*git, "status", "--porcelain"], capture_output=True, text=True).stdout == status
