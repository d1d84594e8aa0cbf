"""`corslint simulate`'s command line as a user meets it: usage errors for
a URL, origin or header no browser sends, `--expect` for CI checks,
`--curl` with DevTools' "Copy as cURL", and a folder given as PATH."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from support import corslint, write

API = """\
events {}
http {
    server {
        listen 80;
        server_name api.example.com;
        location /api/ {
            if ($http_sec_gpc) {
                return 403;
            }
            add_header Access-Control-Allow-Origin https://app.example.com always;
            add_header Access-Control-Allow-Credentials true always;
            add_header Access-Control-Allow-Headers "Content-Type, X-Note" always;
            add_header Access-Control-Allow-Methods "GET, PUT" always;
            if ($request_method = OPTIONS) {
                return 204;
            }
            return 200 "ok";
        }
    }
}
"""
ROOT = Path(__file__).resolve().parent.parent
URL = "http://api.example.com/api/items"
FROM_APP = ("--origin", "https://app.example.com")

#: a call copied with Chromium's "Copy as cURL (bash)", written by hand in
#: its exact format (DevTools' NetworkLogView.generateCurlCommand): single
#: quotes, `[]` escaped in the URL for curl's globbing, cookies as -b,
#: $'...' for values holding ' or !, `priority` and the "Disable cache"
#: pair, lines joined with " \\"
CHROMIUM_COPY = r"""curl 'http://api.example.com/api/items?ids\[\]=1' \
  -X 'PUT' \
  -H 'accept: application/json, text/plain, */*' \
  -H 'accept-language: en-US,en;q=0.9' \
  -H 'cache-control: no-cache' \
  -H 'content-type: application/json' \
  -b 'session=4f2a; theme=dark' \
  -H 'origin: https://app.example.com' \
  -H 'pragma: no-cache' \
  -H 'priority: u=1, i' \
  -H 'referer: https://app.example.com/' \
  -H 'sec-ch-ua: "Chromium";v="156", "Not:A-Brand";v="8"' \
  -H 'sec-ch-ua-mobile: ?0' \
  -H 'sec-ch-ua-platform: "Linux"' \
  -H 'sec-fetch-dest: empty' \
  -H 'sec-fetch-mode: cors' \
  -H 'sec-fetch-site: same-site' \
  -H 'user-agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36' \
  -H $'x-note: it\'s done\u0021' \
  --data-raw $'{"name":"it\'s","done":true}'"""


@pytest.fixture
def api(tmp_path):
    write(tmp_path / "nginx.conf", API)
    return tmp_path


def simulate(api, *args: str) -> subprocess.CompletedProcess:
    return corslint("simulate", "nginx.conf", *args, cwd=api)


def usage_error(result: subprocess.CompletedProcess) -> str:
    """The one stderr line of a usage error (exit 2, nothing on stdout)."""
    assert result.returncode == 2, result
    assert result.stdout == "" and "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize("url, said", [
    ("api.example.com/api/items", "--url 'api.example.com/api/items': not an absolute URL: give its scheme too, "
                                  "such as https://api.example.com/api/items"),
    ("localhost:8080/api/", "such as https://localhost:8080/api/"),
    ("ftp://api.example.com/api/", "http:// and https:// URLs only, not ftp://"),
    ("http:api.example.com", "it names no host"),
])
def test_a_url_browsers_never_call_is_a_usage_error(api, url, said):
    assert said in usage_error(simulate(api, "--url", url))


@pytest.mark.parametrize("origin, said", [
    ("app.example.com", "--origin 'app.example.com': not an origin: give scheme://host[:port], such as "
                        "https://app.example.com, or null"),
    ("https://app.example.com/login", "an origin has no path, query or user: give https://app.example.com"),
    ("ftp://files.example.com", "browsers no longer load ftp:// pages"),
    ("file:///home/me/page.html", "browsers send Origin: null (--origin null)"),
    ("https://app..example.com", "not an origin a browser sends"),
])
def test_an_origin_no_page_has_is_a_usage_error(api, origin, said):
    assert said in usage_error(simulate(api, "--url", URL, "--origin", origin))


def test_origins_are_taken_as_browsers_serialize_them_and_null_is_one(api):
    typed = simulate(api, "--url", URL, "--origin", "HTTPS://App.Example.com:443/")
    assert typed.stdout.startswith(f"Request: GET {URL} from https://app.example.com (fetch)\n"), typed.stderr
    assert "Verdict: allowed" in typed.stdout
    opaque = simulate(api, "--url", URL, "--origin", "null")
    assert opaque.stdout.startswith(f"Request: GET {URL} from null (fetch)\n"), opaque.stderr
    assert "'Access-Control-Allow-Origin' header has a value 'https://app.example.com'" in opaque.stdout
    app = simulate(api, "--url", URL, "--origin", "capacitor://localhost")    # a mobile app's web view
    assert app.returncode == 0 and "from capacitor://localhost" in app.stdout


@pytest.mark.parametrize("header, instead", [
    ("Origin: https://app.example.com", "give the page's origin with --origin"),
    ("Cookie: session=1", "give --credentials"),
    ("Host: api.example.com", "the host and port of --url"),
    ("Access-Control-Request-Method: PUT", "give --method"),
    ("Access-Control-Request-Headers: x-note", "give each with --header"),
    ("Content-Length: 10", "give --body"),
    ("Connection: close", "simulate does not model it"),
    ("Proxy-Authorization: Basic eA==", "simulate does not model it"),
])
def test_a_header_no_page_can_set_is_a_usage_error_saying_what_to_use(api, header, instead):
    said = usage_error(simulate(api, "--url", URL, "--header", header))
    name = header.partition(":")[0]
    assert said.startswith(f"corslint simulate: --header '{name}': a page cannot set {name} "
                           "(a forbidden header name): ")
    assert instead in said


def test_a_method_override_naming_a_forbidden_method_is_refused(api):
    said = usage_error(simulate(api, "--url", URL, "--header", "X-HTTP-Method-Override: TRACE"))
    assert "browsers drop X-HTTP-Method-Override when it names CONNECT, TRACE, TRACK" in said


def test_browser_own_headers_chromium_does_not_send_by_default_are_added(api):
    """Sec-GPC (the Global Privacy Control some browsers send) is no header
    a page sets: `--header` adds it to the browser's own, and the server's
    rule on it decides."""
    args = ("--url", URL, *FROM_APP, "--format", "json")
    plain = json.loads(simulate(api, *args).stdout)
    assert plain["response"]["status"] == 200
    gpc = json.loads(simulate(api, *args, "--header", "Sec-GPC: 1").stdout)
    assert gpc["response"]["status"] == 403
    assert gpc["request"]["headers"] == []      # no preflight: the page set nothing


def test_expect_turns_the_verdict_into_the_exit_status(api):
    args = ("--url", URL, *FROM_APP)
    allowed = simulate(api, *args, "--expect", "allowed")
    assert (allowed.returncode, allowed.stderr) == (0, "")
    assert "Verdict: allowed" in allowed.stdout
    wrong = simulate(api, *args, "--expect", "blocked")
    assert wrong.returncode == 1 and "Verdict: allowed" in wrong.stdout
    assert wrong.stderr == "corslint simulate: --expect blocked: the call is allowed\n"
    blocked = simulate(api, "--url", URL, "--origin", "https://evil.example", "--expect", "allowed")
    assert blocked.returncode == 1
    assert blocked.stderr.startswith("corslint simulate: --expect allowed: the call is blocked at the response: "
                                     "The 'Access-Control-Allow-Origin' header has a value")
    assert len(blocked.stderr.splitlines()) == 1
    assert simulate(api, "--url", URL, "--origin", "https://evil.example").returncode == 0   # without --expect


def test_expect_is_not_met_when_the_configuration_cannot_tell(tmp_path):
    """A snippet on its own: what includes it answers, so neither verdict is certain."""
    write(tmp_path / "cors-snippet.conf", "add_header X-Frame-Options DENY always;\n")
    for expected in ("allowed", "blocked"):
        result = corslint("simulate", "cors-snippet.conf", "--url", URL, "--expect", expected, "--format", "json",
                          cwd=tmp_path)
        assert result.returncode == 1
        assert json.loads(result.stdout)["verdict"]["allowed"] is None
        assert result.stderr.startswith(f"corslint simulate: --expect {expected}: the configuration cannot tell: "
                                        "response: Access-Control-Allow-Origin is not set by the configuration")


def test_expect_holds_only_under_every_assumption():
    """`$cors` is set outside the snippet: allowed when it is 'true', not
    known otherwise; the message names the assumption that fails."""
    result = corslint("simulate", str(ROOT / "samples" / "nginx" / "snippets" / "cors-flag-unknown.conf"), "--url",
                      "http://localhost/", "--origin", "https://evil.example", "--credentials", "--expect", "allowed")
    assert result.returncode == 1
    assert result.stderr.startswith("corslint simulate: --expect allowed: the configuration cannot tell: ")
    assert result.stderr.endswith(" (when $cors is empty (set outside these files))\n")


def test_curl_reads_chromiums_copy_as_curl(api):
    result = simulate(api, "--curl", CHROMIUM_COPY, "--format", "json", "--expect", "allowed")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["request"] == {
        "url": "http://api.example.com/api/items?ids[]=1", "origin": "https://app.example.com", "method": "PUT",
        # the browser's own (sec-*, user-agent, priority, the no-cache pair) are no headers the page set
        "headers": ["x-note", "content-type"], "credentials": True, "initiator": "fetch"}
    assert payload["preflight"]["status"] == 204
    assert payload["verdict"]["allowed"] is True


def test_curl_copy_of_a_blocked_call_ends_with_chromiums_console_line(api):
    copy = CHROMIUM_COPY.replace("origin: https://app.example.com", "origin: https://shop.example.com")
    result = simulate(api, "--curl", copy)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == (
        "Access to fetch at 'http://api.example.com/api/items?ids[]=1' from origin 'https://shop.example.com' has "
        "been blocked by CORS policy: Response to preflight request doesn't pass access control check: The "
        "'Access-Control-Allow-Origin' header has a value 'https://app.example.com' that is not equal to the "
        "supplied origin. Have the server send the header with a valid value.")


def test_options_given_with_curl_win(api):
    result = simulate(api, "--curl", CHROMIUM_COPY, "--method", "DELETE", "--origin", "https://shop.example.com",
                      "--header", "Content-Type: text/plain", "--format", "json")
    request = json.loads(result.stdout)["request"]
    assert (request["method"], request["origin"]) == ("DELETE", "https://shop.example.com")
    assert request["headers"] == ["x-note"]     # the copy's JSON type replaced by a safelisted one


def test_curl_reads_the_command_from_stdin(api):
    """`--curl -`: paste with a here-document, no quoting of the quotes."""
    result = subprocess.run([sys.executable, "-m", "corslint", "simulate", "nginx.conf", "--curl", "-", "--format",
                             "json"], input=CHROMIUM_COPY, capture_output=True, text=True, cwd=api,
                            env=dict(os.environ), timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["request"]["method"] == "PUT"


def test_curl_hand_written_forms(api):
    """Bundled short options, a body without Content-Type (curl sends a
    form: a simple POST) and harmless flags."""
    result = simulate(api, "--curl", f"curl -sSL --compressed --insecure -XPOST {URL} -H 'Origin: "
                      "https://app.example.com' -d 'a=1'", "--format", "json")
    request = json.loads(result.stdout)["request"]
    assert (request["method"], request["headers"], request["credentials"]) == ("POST", [], False)
    assert json.loads(result.stdout)["preflight"] is None


@pytest.mark.parametrize("command, said", [
    (f"curl -u me:secret {URL}", "curl option -u is not modelled (it may change the request): give --header "
                                 "'Authorization: Basic ...' instead"),
    (f"curl --digest {URL}", "curl option --digest is not modelled"),
    (f"curl {URL} -X OPTIONS -H 'origin: https://app.example.com' -H 'access-control-request-method: PUT'",
     "this is a preflight"),
    (f"curl ^\"{URL}^\" -H ^\"origin: https://app.example.com^\"", "copy as cURL (bash) instead"),
    (f"curl {URL} -H \"Authorization: Bearer $TOKEN\"", "the command uses the shell"),
    (f"curl '{URL}' ; curl '{URL}'", "one curl command only"),
    (f"curl '{URL}", "a ' is not closed"),
    (f"curl '{URL}'", "the request carries no Origin header"),
    ("curl -H 'origin: https://app.example.com' api.example.com/api/", "--curl 'api.example.com/api/': not an "
                                                                      "absolute URL"),
])
def test_curl_commands_simulate_cannot_model_are_usage_errors(api, command, said):
    assert said in usage_error(simulate(api, "--curl", command))


def test_curl_words_read_devtools_escaping_back():
    """Every value DevTools' escapeStringPosix writes (restated here) reads
    back as it was."""
    from corslint.curl import words

    def devtools(value: str) -> str:
        if any(c in "'!" or ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in value):
            escaped = value.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n").replace("\r", "\\r")
            return "$'" + "".join(f"\\u{ord(c):04x}" if c == "!" or ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F
                                  else c for c in escaped) + "'"
        return f"'{value}'"

    values = ["it's !important", 'C:\\temp\\new', '"Chromium";v="156"', "tab\there", "line\nbreak\r",
              "$HOME `x` $(id)", "a|b<c>d^e;f&g", "caf\u00e9 \u2603", "\x7f\x9f", ""]
    command = "curl \\\n  " + " \\\n  ".join(f"-H {devtools(v)}" for v in values)
    assert words(command) == ["curl"] + [w for v in values for w in ("-H", v)]


def test_a_folder_stands_for_its_main_file(tmp_path):
    write(tmp_path / "deploy" / "nginx.conf", API)
    args = ("--url", URL, *FROM_APP)
    result = corslint("simulate", "deploy", *args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Verdict: allowed" in result.stdout
    write(tmp_path / "empty" / "README", "")
    assert usage_error(corslint("simulate", "empty", *args, cwd=tmp_path)) == (
        "corslint simulate: empty: a folder without nginx.conf, apache2.conf, httpd.conf, conf/httpd.conf: "
        "give the file to ask")
    write(tmp_path / "deploy" / "apache2.conf", "ServerName api.example.com\n")
    assert "holds deploy/nginx.conf and deploy/apache2.conf: give the one to ask" in usage_error(
        corslint("simulate", "deploy", *args, cwd=tmp_path))
    picked = corslint("simulate", "deploy", "--type", "nginx", *args, cwd=tmp_path)
    assert picked.returncode == 0 and "Verdict: allowed" in picked.stdout
    assert "give the express file itself" in usage_error(
        corslint("simulate", "deploy", "--type", "express", *args, cwd=tmp_path))
