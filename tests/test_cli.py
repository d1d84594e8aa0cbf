"""The command-line contract of shared/spec/cli.md, exercised as a user would:
the installed `corslint` entry point in a subprocess."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from support import CLEAN, WILDCARD_CREDENTIALS, api_server, corslint

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples" / "nginx"

def test_findings_exit_1_with_file_and_line(files, tmp_path):
    files("api.conf", WILDCARD_CREDENTIALS)
    result = corslint("api.conf", cwd=tmp_path)
    assert result.returncode == 1
    assert "api.conf:5: CORS201 [error]" in result.stdout
    assert "request: GET /api/" in result.stdout
    assert result.stderr == ""


def test_clean_file_exits_0(files, tmp_path):
    files("fonts.conf", CLEAN)
    result = corslint("fonts.conf", cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    assert "No problems found in 1 file." in result.stdout


def test_json_output_follows_the_contract(files, tmp_path):
    files("api.conf", WILDCARD_CREDENTIALS)
    result = corslint("api.conf", "--format", "json", cwd=tmp_path)
    payload = json.loads(result.stdout)
    assert set(payload) >= {"version", "findings", "errors", "files"}
    finding = next(f for f in payload["findings"] if f["code"] == "CORS201")
    assert finding["name"] == "wildcard-with-credentials"
    assert finding["severity"] == "error"
    assert finding["path"] == "api.conf"        # as given: relative stays relative
    assert finding["line"] == 5
    assert finding["request"].startswith("GET /api/ from ")
    assert finding["related"][0]["line"] == 6
    assert payload["errors"] == [] and payload["files"] == 1


def test_unparseable_file_exits_2_and_others_are_still_linted(files, tmp_path):
    files("broken.conf", "server {\n    location / {\n        add_header X 1;\n")
    files("api.conf", WILDCARD_CREDENTIALS)
    result = corslint("broken.conf", "api.conf", "--format", "json", cwd=tmp_path)
    assert result.returncode == 2
    payload = json.loads(result.stdout)
    assert [e["path"] for e in payload["errors"]] == ["broken.conf"]
    assert payload["errors"][0]["line"] == 3
    assert any(f["code"] == "CORS201" for f in payload["findings"])
    assert "broken.conf:3: unexpected end of file" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_file_is_an_error_not_a_traceback(tmp_path):
    result = corslint("nope.conf", cwd=tmp_path)
    assert result.returncode == 2
    assert "nope.conf: no such file or directory" in result.stderr
    assert "Traceback" not in result.stderr


def test_binary_input_never_crashes(files, tmp_path):
    (tmp_path / "blob.conf").write_bytes(bytes(range(256)) * 8)
    result = corslint("blob.conf", cwd=tmp_path)
    assert result.returncode in (0, 1, 2)
    assert "Traceback" not in result.stderr


def test_select_ignore_and_fail_on(files, tmp_path):
    files("api.conf", WILDCARD_CREDENTIALS)
    assert corslint("api.conf", "--ignore", "CORS201", "--select", "CORS2", cwd=tmp_path).returncode == 0
    assert corslint("api.conf", "--select", "wildcard-with-credentials", cwd=tmp_path).returncode == 1
    assert corslint("api.conf", "--select", "CORS303", cwd=tmp_path).returncode == 0
    result = corslint("api.conf", "--select", "CORS9", cwd=tmp_path)
    assert result.returncode == 2 and "unknown rule code" in result.stderr


def test_fail_on_error_lets_warnings_pass(files, tmp_path):
    files("reflect.conf", textwrap.dedent("""\
        server {
            listen 80;
            location / {
                add_header Access-Control-Allow-Origin $http_origin always;
                add_header Vary Origin always;
                return 204;
            }
        }
        """))
    assert corslint("reflect.conf", cwd=tmp_path).returncode == 1              # CORS203 is a warning
    assert corslint("reflect.conf", "--fail-on", "error", cwd=tmp_path).returncode == 0


def test_inline_suppression_with_reason_and_strict(files, tmp_path):
    text = WILDCARD_CREDENTIALS.replace(
        "add_header Access-Control-Allow-Origin * always;",
        "add_header Access-Control-Allow-Origin * always;  # corslint: ignore[CORS201] legacy partner")
    files("api.conf", text)
    assert corslint("api.conf", cwd=tmp_path).returncode == 0
    files("fonts.conf", "# corslint: ignore[CORS203]\n" + CLEAN)
    result = corslint("fonts.conf", "--strict", cwd=tmp_path)
    assert result.returncode == 1
    assert "fonts.conf:1: unused suppression (CORS203)" in result.stdout


def test_config_file_per_file_ignores_and_cli_precedence(files, tmp_path):
    files("legacy/api.conf", WILDCARD_CREDENTIALS)
    files(".corslint.toml", '[per-file-ignores]\n"legacy/*.conf" = ["CORS201"]\n')
    assert corslint("legacy/api.conf", cwd=tmp_path).returncode == 0
    files(".corslint.toml", 'ignore = ["CORS201"]\n')
    assert corslint("legacy/api.conf", cwd=tmp_path).returncode == 0
    files("pyproject.toml", '[tool.corslint]\nignore = []\n')
    other = files("other.toml", 'select = ["CORS201"]\n')
    assert corslint("legacy/api.conf", "--config", str(other), cwd=tmp_path).returncode == 1


def test_bad_config_is_a_usage_error(files, tmp_path):
    files(".corslint.toml", 'selekt = ["CORS2"]\n')
    files("fonts.conf", CLEAN)
    result = corslint("fonts.conf", cwd=tmp_path)
    assert result.returncode == 2
    assert "unknown corslint setting(s): selekt" in result.stderr


def test_trusted_origins_and_clients_from_config(files, tmp_path):
    files("api.conf", textwrap.dedent("""\
        server {
            listen 80;
            server_name api.example.com;
            location /api/ {
                add_header Access-Control-Allow-Origin https://app.example.com always;
                add_header Access-Control-Allow-Methods "GET, POST" always;
                add_header Access-Control-Allow-Headers "Content-Type" always;
                if ($request_method = OPTIONS) { return 204; }
                return 200 "ok";
            }
        }
        """))
    assert corslint("api.conf", cwd=tmp_path).returncode == 0
    files(".corslint.toml", textwrap.dedent("""\
        [[clients]]
        origin = "https://app.example.com"
        methods = ["GET", "DELETE"]
        headers = ["content-type", "x-request-id"]
        """))
    result = corslint("api.conf", "--format", "json", cwd=tmp_path)
    codes = sorted((f["code"], f["line"]) for f in json.loads(result.stdout)["findings"])
    assert codes == [("CORS301", 6), ("CORS302", 7)]


def test_rules_and_explain():
    result = corslint("rules")
    assert result.returncode == 0
    assert "CORS201  wildcard-with-credentials" in result.stdout
    explained = corslint("explain", "wildcard-with-credentials")
    assert explained.returncode == 0
    for heading in ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## References"):
        assert heading in explained.stdout
    assert corslint("explain", "CORS999").returncode == 2


def test_no_arguments_is_a_usage_error():
    result = corslint()
    assert result.returncode == 2 and "no PATH given" in result.stderr


def test_simulate_json_contract():
    result = corslint("simulate", str(SAMPLES / "cors104-options-if-drops-origin.conf"),
                      "--url", "http://profile.example.com/api/items", "--origin", "https://app.example.com",
                      "--method", "PUT", "--header", "Content-Type: application/json", "--format", "json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["request"]["method"] == "PUT"
    assert payload["request"]["headers"] == ["content-type"]
    assert payload["preflight"]["status"] == 204
    assert "access-control-allow-origin" not in payload["preflight"]["headers"]
    assert payload["verdict"] == {
        **payload["verdict"], "allowed": False, "stage": "preflight",
        "error": "Response to preflight request doesn't pass access control check: No "
                 "'Access-Control-Allow-Origin' header is present on the requested resource."}


def test_simulate_text_ends_with_the_console_line():
    result = corslint("simulate", str(SAMPLES / "cors201-wildcard-credentials.conf"),
                      "--url", "http://status.example.net/widget/api/x", "--origin", "https://app.example.com",
                      "--credentials", "--upstream-status", "200")
    assert result.returncode == 0, result.stderr
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith("Access to fetch at 'http://status.example.net/widget/api/x' from origin "
                           "'https://app.example.com' has been blocked by CORS policy: ")


def test_simulate_upstream_down_goes_through_the_error_page():
    """`--upstream-down`: nginx answers 502 itself and the error page's
    location (without CORS headers) answers it: the answer CORS404 probes."""
    result = corslint("simulate", str(SAMPLES / "cors404-error-page-backend-down.conf"),
                      "--url", "http://orders.example.com/api/orders", "--origin", "https://shop.example.com",
                      "--upstream-down")
    assert result.returncode == 0, result.stderr
    assert "Response: GET /api/orders -> 502" in result.stdout
    assert "error_page 502 (line 8) -> /50x.json" in result.stdout
    assert "from the error page's own location or URL" in result.stdout
    assert "No 'Access-Control-Allow-Origin' header is present" in result.stdout.strip().splitlines()[-1]


def test_simulate_sends_the_browser_headers_and_header_overrides_them():
    """The empty-User-Agent ban lets Chromium through (it always sends one);
    `--header 'User-Agent:'` asks as a client that sends it empty."""
    args = ("simulate", str(SAMPLES / "cors202-empty-user-agent-guard.conf"), "--url",
            "http://partners.example.com/api/", "--origin", "https://evil.example", "--credentials",
            "--upstream-status", "200", "--format", "json")
    browser = json.loads(corslint(*args).stdout)
    assert (browser["response"]["status"], browser["verdict"]["allowed"]) == (200, True)
    empty = json.loads(corslint(*args, "--header", "User-Agent:").stdout)
    assert (empty["response"]["status"], empty["verdict"]["allowed"]) == (403, False)
    assert empty["request"]["headers"] == []    # the browser's own header, not one the page sets


def test_simulate_assumes_a_remote_client_unless_client_ip_says_otherwise():
    args = ("simulate", str(SAMPLES / "good-local-only-admin.conf"), "--url", "http://ops.example.com/metrics/",
            "--origin", "https://dashboard.example.com", "--upstream-status", "200")
    remote = corslint(*args).stdout
    assert "-> 403" in remote and "for the client 203.0.113.10" in remote
    assert "-> 200" in corslint(*args, "--client-ip", "127.0.0.1").stdout


def test_given_file_of_another_language_without_cors_is_skipped_not_parsed_as_nginx(files, tmp_path):
    files("configmap.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  a: b\n")
    files("app.py", "print('no CORS here')\n")
    files("api-cors", "add_header Access-Control-Allow-Origin * always;\n")   # a snippet: no telling name
    result = corslint("configmap.yaml", "app.py", "api-cors", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "configmap.yaml: skipped: no CORS configuration here" in result.stdout
    assert "app.py: skipped: no CORS configuration here" in result.stdout
    assert "(2 skipped)" in result.stdout
    forced = corslint("--type", "nginx", "app.py", cwd=tmp_path)
    assert forced.returncode == 2 and "app.py:1:" in forced.stderr


def test_type_offers_the_registered_kinds_in_both_commands(tmp_path):
    """`--type` of lint and simulate lists the kinds of linter/kinds.py, as
    the README does."""
    from corslint.kinds import KINDS

    for command in ((), ("simulate",)):
        result = corslint(*command, "--type", "no-such-kind", "x.conf", cwd=tmp_path)
        assert result.returncode == 2
        assert f"--type must be one of {', '.join(KINDS)} (not 'no-such-kind')" in result.stderr, result.stderr
    assert f"`--type {'|'.join(KINDS)}`" in (ROOT / "README.md").read_text()


def test_stdin_with_a_file_name_and_its_usage_errors(files, tmp_path):
    import subprocess
    import sys

    files("snippets/cors.conf", "add_header Access-Control-Allow-Credentials true always;\n")

    def piped(*args, text=WILDCARD_CREDENTIALS):
        return subprocess.run([sys.executable, "-m", "corslint", *args], input=text, capture_output=True,
                              text=True, cwd=tmp_path, timeout=120, check=False)

    result = piped("-", "--stdin-filename", "sites/api.conf", "-f", "json")
    assert result.returncode == 1, result.stderr
    assert {f["path"] for f in json.loads(result.stdout)["findings"]} == {"sites/api.conf"}
    # includes resolve relative to the name given
    included = api_server("add_header Access-Control-Allow-Origin * always;", "include ../snippets/cors.conf;",
                          'return 200 "ok";')
    result = piped("-", "--stdin-filename", "sites/api.conf", "--select", "CORS201", text=included)
    assert result.returncode == 1 and "sites/api.conf:5: CORS201" in result.stdout, result.stderr
    # suppressions in the text read
    assert piped("-", "--type", "nginx", "--select", "CORS201",
                 text="# corslint: ignore[CORS201] reviewed\n" + WILDCARD_CREDENTIALS.replace(
                     "    location", "    # corslint: ignore[CORS201] reviewed\n    location")).returncode in (0, 1)
    assert "-:5: CORS201" in piped("-", "--type", "nginx").stdout
    for args, message in ((["-"], "needs --stdin-filename NAME or --type"),
                          (["-", "x.conf", "--type", "nginx"], "must be the only PATH"),
                          (["x.conf", "--stdin-filename", "y.conf"], "give - as the PATH")):
        result = piped(*args)
        assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr
    from corslint.confine import MAX_FILE_BYTES

    result = piped("-", "--type", "nginx", text="#" * (MAX_FILE_BYTES + 1))
    assert result.returncode == 2 and "larger than" in result.stderr


def test_exit_zero_quiet_statistics_and_short_options(files, tmp_path):
    files("api.conf", WILDCARD_CREDENTIALS)
    assert corslint("api.conf", "--exit-zero", cwd=tmp_path).returncode == 0
    assert corslint("nope.conf", "--exit-zero", cwd=tmp_path).returncode == 2      # input errors still fail
    quiet = corslint("api.conf", "-q", cwd=tmp_path)
    assert quiet.returncode == 1 and "api.conf:5: CORS201" in quiet.stdout and "Found" not in quiet.stdout
    stats = corslint("api.conf", "--statistics", cwd=tmp_path)
    assert stats.returncode == 1 and "CORS201  wildcard-with-credentials" in stats.stdout
    assert "api.conf:5" not in stats.stdout
    entries = json.loads(corslint("api.conf", "--statistics", "-f", "json", cwd=tmp_path).stdout)
    assert {"code": "CORS201", "name": "wildcard-with-credentials", "count": 1, "fixable": 0} in entries
    assert corslint("api.conf", "--statistics", "-f", "sarif", cwd=tmp_path).returncode == 2
    payload = json.loads(corslint("api.conf", "-fjson", cwd=tmp_path).stdout)
    assert all(isinstance(f["fixable"], bool) for f in payload["findings"])
    assert corslint("api.conf", "-f", "json", "-o", "reports/new/corslint.json", cwd=tmp_path).returncode == 1
    assert json.loads((tmp_path / "reports/new/corslint.json").read_text())["findings"]
    version = corslint("-V", cwd=tmp_path)
    assert version.returncode == 0 and version.stdout.startswith("corslint ")
    help_text = corslint("-h", cwd=tmp_path).stdout
    for option in ("-f, --format", "-o, --output", "-q, --quiet", "--exit-zero", "--statistics", "--color",
                   "--stdin-filename", "-V, --version"):
        assert option in help_text
        assert option.split(", ")[-1] in (ROOT / "README.md").read_text()


def test_color_flag_and_environment(files, tmp_path):
    files("api.conf", WILDCARD_CREDENTIALS)
    red = "\033[1;31mCORS201"
    assert red not in corslint("api.conf", cwd=tmp_path, env={"NO_COLOR": "", "FORCE_COLOR": ""}).stdout
    assert red in corslint("api.conf", cwd=tmp_path, env={"FORCE_COLOR": "1", "NO_COLOR": ""}).stdout
    assert red not in corslint("api.conf", cwd=tmp_path, env={"FORCE_COLOR": "1", "NO_COLOR": "1"}).stdout
    assert red in corslint("api.conf", "--color", "always", cwd=tmp_path, env={"NO_COLOR": "1"}).stdout
    assert red not in corslint("api.conf", "--color", "never", cwd=tmp_path, env={"FORCE_COLOR": "1"}).stdout


def test_folder_walk_respects_gitignore_inside_a_repository(files, tmp_path):
    import shutil
    import subprocess

    if shutil.which("git") is None:
        import pytest

        pytest.skip("git is not installed")
    files("site/api.conf", WILDCARD_CREDENTIALS)
    files("site/build/api.conf", WILDCARD_CREDENTIALS)
    files("site/.gitignore", "build/\n")
    files("outside/build/api.conf", WILDCARD_CREDENTIALS)
    files("outside/.gitignore", "build/\n")
    # a checkout's fsmonitor would run a program: corslint turns it off
    marker = tmp_path / "ran"
    subprocess.run(["git", "init", "-q", str(tmp_path / "site")], check=True)
    subprocess.run(["git", "-C", str(tmp_path / "site"), "config", "core.fsmonitor",
                    f"touch {marker}; false"], check=True)
    result = corslint("site", "-f", "json", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert {f["path"] for f in json.loads(result.stdout)["findings"]} == {"site/api.conf"}
    assert not marker.exists()
    # a file named is always linted; outside a repository every file is walked
    assert corslint("site/build/api.conf", cwd=tmp_path).returncode == 1
    assert "outside/build/api.conf" in corslint("outside", cwd=tmp_path).stdout
