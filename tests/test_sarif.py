"""Review-pipeline output: SARIF 2.1.0 (`--format sarif`, checked against
the official OASIS schema, read in place from ../shared/data) and GitHub
Actions annotations (`--format github`)."""

from __future__ import annotations

import functools
import json
import textwrap
from pathlib import Path

import jsonschema
import pytest
from corpus_files import SHARED_DATA, require_shared
from support import ALLOW_ANY, ALLOW_CREDENTIALS, api_server, corslint

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"

WILDCARD = api_server(ALLOW_ANY, ALLOW_CREDENTIALS, "proxy_pass http://127.0.0.1:8000;")

NO_ALWAYS = textwrap.dedent("""\
    server {
        listen 80;
        location /api/ {
            add_header Access-Control-Allow-Origin "https://app.example.com";
            add_header Access-Control-Allow-Credentials "true";
            proxy_pass http://127.0.0.1:8000;
        }
    }
    """)


@functools.cache
def schema() -> dict:
    """The OASIS SARIF 2.1.0 schema (public data: ../shared/data, never copied into the project)."""
    return json.loads((require_shared(SHARED_DATA, "shared data") / "sarif-schema-2.1.0.json").read_text())


def validate(doc: dict) -> None:
    validator = jsonschema.Draft4Validator(schema(), format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def sarif(*args: str, cwd: Path) -> dict:
    result = corslint(*args, "--format", "sarif", cwd=cwd)
    assert result.returncode in (0, 1, 2), result.stderr
    doc = json.loads(result.stdout)
    validate(doc)
    return doc


def test_the_shared_schema_is_the_official_one():
    assert schema()["id"].endswith("/sarif-schema-2.1.0.json")
    assert "oasis-open.org" in schema()["id"]


@pytest.fixture(scope="module")
def samples_sarif() -> dict:
    return sarif("samples", cwd=ROOT)


def test_sarif_for_every_sample_validates(samples_sarif):
    run = samples_sarif["runs"][0]
    assert samples_sarif["version"] == "2.1.0"
    json_report = json.loads(corslint("samples", "--format", "json", cwd=ROOT).stdout)
    assert len(run["results"]) == len(json_report["findings"]) > 100
    # every kind of input is there
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].split("/")[1] for r in run["results"]}
    assert uris >= {"nginx", "apache", "django", "flask", "starlette", "express", "kubernetes", "traefik", "aws"}


@pytest.mark.parametrize("folder", sorted(p.name for p in SAMPLES.iterdir() if p.is_dir()))
def test_sarif_for_each_sample_folder_validates(folder):
    doc = sarif(f"samples/{folder}", cwd=ROOT)
    assert doc["runs"][0]["results"], folder


def test_rules_are_described_from_their_docs(samples_sarif):
    from corslint.rules import RULES, find

    rules = samples_sarif["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [rule.code for rule in RULES]
    by_id = {r["id"]: r for r in rules}
    r201 = by_id["CORS201"]
    assert r201["name"] == "wildcard-with-credentials"
    assert r201["defaultConfiguration"]["level"] == "error"
    assert by_id["CORS303"]["defaultConfiguration"]["level"] == "note"
    assert by_id["CORS404"]["defaultConfiguration"]["level"] == "warning"
    assert r201["shortDescription"]["text"] == find("CORS201").summary
    assert r201["fullDescription"]["text"].startswith("Fires when")
    assert "## Why is this bad?" in r201["help"]["markdown"]
    assert r201["help"]["markdown"].startswith("# CORS201: wildcard-with-credentials")
    assert "Use instead" in r201["help"]["text"]
    for result in samples_sarif["runs"][0]["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_help_uri_points_at_the_rule_page(tmp_path):
    (tmp_path / "api.conf").write_text(WILDCARD)
    rules = sarif("api.conf", cwd=tmp_path)["runs"][0]["tool"]["driver"]["rules"]
    assert rules[0]["helpUri"] == f"https://github.com/corslint/corslint/blob/main/docs/rules/{rules[0]['id']}.md"
    assert (ROOT / "docs" / "rules" / f"{rules[0]['id']}.md").is_file()
    (tmp_path / ".corslint.toml").write_text('docs-url = "https://docs.example.org/corslint/rules/"\n')
    doc = sarif("api.conf", cwd=tmp_path)
    rule = doc["runs"][0]["tool"]["driver"]["rules"][0]
    assert rule["helpUri"] == f"https://docs.example.org/corslint/rules/{rule['id']}.md"
    assert doc["runs"][0]["tool"]["driver"]["informationUri"] == "https://github.com/corslint/corslint"


@pytest.mark.parametrize("value", ['"javascript:alert(1)"', '"https://a.example/x y"', '"https://a.example/\\u0007"',
                                   "5", '"https://a.example/\\"><b>"'])
def test_a_bad_docs_url_is_an_input_error(tmp_path, value):
    (tmp_path / "api.conf").write_text(WILDCARD)
    (tmp_path / ".corslint.toml").write_text(f"docs-url = {value}\n")
    result = corslint("api.conf", "--format", "sarif", cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert ".corslint.toml: docs-url must be an https:// URL" in result.stderr, result.stderr


def test_result_locations_related_lines_and_fixes(tmp_path):
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "api.conf").write_text(WILDCARD)
    (tmp_path / "conf" / "payments.conf").write_text(NO_ALWAYS)
    doc = sarif("conf", cwd=tmp_path)
    run = doc["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.resolve().as_uri() + "/"
    results = {r["ruleId"]: r for r in run["results"]}
    r201 = results["CORS201"]
    location = r201["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "conf/api.conf", "uriBaseId": "%SRCROOT%"}
    assert location["region"]["startLine"] == 5
    assert location["region"]["startColumn"] == 9          # where the directive starts
    assert location["region"]["endLine"] == 5
    assert r201["level"] == "error"
    assert "request: GET /api/" in r201["message"]["text"]
    # GitHub shows a related location only when the message links it
    assert r201["message"]["text"].endswith(" Related: [Access-Control-Allow-Credentials: true](1).")
    related = r201["relatedLocations"][0]
    assert related["id"] == 1
    assert related["physicalLocation"]["region"]["startLine"] == 6
    assert related["physicalLocation"]["artifactLocation"]["uri"] == "conf/api.conf"
    assert "Credentials" in related["message"]["text"]
    fix = results["CORS404"]["fixes"][0]
    replacements = fix["artifactChanges"][0]["replacements"]
    assert {r["insertedContent"]["text"] for r in replacements} == {" always"}
    assert sorted(r["deletedRegion"]["startLine"] for r in replacements) == [4, 5]
    assert run["invocations"][0]["executionSuccessful"] is True


def test_line_hashes_survive_edits_above(tmp_path):
    """primaryLocationLineHash (the only key GitHub reads) hashes the line
    and what follows it, not its number."""
    def hashes(results):
        return [r["partialFingerprints"]["primaryLocationLineHash"] for r in results]

    (tmp_path / "api.conf").write_text(WILDCARD)
    before = sarif("api.conf", cwd=tmp_path)["runs"][0]["results"]
    (tmp_path / "api.conf").write_text("# a comment\n# and another one\n\n" + WILDCARD)
    after = sarif("api.conf", cwd=tmp_path)["runs"][0]["results"]
    assert [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in after] == \
        [r["locations"][0]["physicalLocation"]["region"]["startLine"] + 3 for r in before]
    assert hashes(after) == hashes(before)
    assert all(r["partialFingerprints"].keys() == {"primaryLocationLineHash"} for r in after)
    # a different offending line is a different finding
    (tmp_path / "api.conf").write_text(WILDCARD.replace("location /api/", "location /v2/"))
    def by_rule(results):
        return {r["ruleId"]: r["partialFingerprints"] for r in results}

    moved = by_rule(sarif("api.conf", cwd=tmp_path)["runs"][0]["results"])
    assert moved["CORS201"] == by_rule(before)["CORS201"]          # its line and the ones after read the same
    assert moved["CORS101"] != by_rule(before)["CORS101"]          # it points at the `location` line
    (tmp_path / "api.conf").write_text(WILDCARD.replace("Origin * always", "Origin '*' always"))
    changed = by_rule(sarif("api.conf", cwd=tmp_path)["runs"][0]["results"])
    assert changed["CORS201"] != by_rule(before)["CORS201"]


def test_input_errors_are_tool_execution_notifications(tmp_path):
    (tmp_path / "api.conf").write_text(WILDCARD)
    (tmp_path / "broken.conf").write_text("server {\n    listen 80;\n    location / {\n")
    result = corslint("api.conf", "broken.conf", "--format", "sarif", cwd=tmp_path)
    assert result.returncode == 2
    doc = json.loads(result.stdout)
    validate(doc)
    invocation = doc["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    notes = invocation["toolExecutionNotifications"]
    assert notes[0]["level"] == "error"
    assert notes[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "broken.conf"
    assert doc["runs"][0]["results"], "the other file is still linted"


def test_files_outside_the_working_directory_get_absolute_uris(tmp_path):
    (tmp_path / "api.conf").write_text(WILDCARD)
    (tmp_path / "work").mkdir()
    doc = sarif(str(tmp_path / "api.conf"), cwd=tmp_path / "work")
    uri = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert uri == {"uri": (tmp_path / "api.conf").resolve().as_uri()}


def test_output_file_and_unused_suppressions(tmp_path):
    (tmp_path / "api.conf").write_text("# corslint: ignore[CORS303] nothing here\n" + WILDCARD)
    result = corslint("api.conf", "--strict", "--format", "sarif", "--output", "out.sarif", cwd=tmp_path)
    assert result.returncode == 1 and result.stdout == ""
    doc = json.loads((tmp_path / "out.sarif").read_text())
    validate(doc)
    notes = doc["runs"][0]["invocations"][0]["toolConfigurationNotifications"]
    assert "unused suppression (CORS303)" in notes[0]["message"]["text"]


# --------------------------------------------------------------------------- GitHub annotations


def test_github_annotations(tmp_path):
    (tmp_path / "api.conf").write_text(WILDCARD)
    (tmp_path / "payments.conf").write_text(NO_ALWAYS)
    (tmp_path / "broken.conf").write_text("server {\n")
    result = corslint("api.conf", "payments.conf", "broken.conf", "--format", "github", cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stdout.splitlines()
    assert all(line.startswith("::") for line in lines), lines
    error = next(line for line in lines if "title=CORS201" in line)
    assert error.startswith("::error file=api.conf,line=5,col=9,title=CORS201::CORS201 [wildcard-with-credentials] ")
    assert "%0Arequest: GET /api/" in error and "\n" not in error
    warning = next(line for line in lines if "title=CORS404" in line)
    assert warning.startswith("::warning file=payments.conf,line=4,")
    assert "(corslint --fix)" in warning
    assert any(line.startswith("::error file=broken.conf") and "input error" in line for line in lines)


def test_github_notice_for_info_and_escaping(tmp_path):
    (tmp_path / "a,b.conf").write_text(WILDCARD.replace("add_header Access-Control-Allow-Credentials true always;",
                                                        "add_header Access-Control-Max-Age 100%;"))
    result = corslint("a,b.conf", "--format", "github", "--select", "CORS303", cwd=tmp_path)
    assert result.stdout.startswith("::notice file=a%2Cb.conf,line=6,col=9,title=CORS303::")
    assert "'100%25'" in result.stdout
