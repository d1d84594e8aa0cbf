"""corslint's browser model against the real thing: headless Chromium.

Every scenario (scenarios.py) runs in ONE Chromium process against a
loopback server that sends the scenario's status and headers.  For each,
`browser.evaluate()` fed with the same answers must agree with Chromium on
whether the page can read the response, on the exact console line, on the
CorsError kind, and on the requests sent (preflight or not, its Origin and
Access-Control-Request-Headers).  A few end-to-end cases run
`corslint simulate` on an nginx configuration and let the server replay the
answers simulate predicted.

Skipped with a reason when Chromium is missing, failed instead when CI=true.
Chromium: `apt-get install -y chromium` (Debian's build, run with --no-sandbox).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import time

import pytest
from corslint import cli
from corslint.browser import actual_request, console_line, evaluate, needs_preflight, preflight_request

from .chromium import CHROMIUM, Oracle, Reply
from .scenarios import SCENARIOS

pytestmark = pytest.mark.live


def require_chromium() -> None:
    if os.access(CHROMIUM, os.X_OK):
        return
    reason = f"{CHROMIUM} not found (apt-get install -y chromium)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"the browser suite needs Chromium in CI: {reason}", pytrace=False)
    pytest.skip(f"browser suite skipped: {reason}")


# --------------------------------------------------------------------------
# End to end: `corslint simulate` on nginx, Chromium on the replayed answers

NGINX = """
server {
    listen 127.0.0.1:@@PORT@@;
    server_name 127.0.0.1;
    location /e2e/ok/ {
        if ($request_method = OPTIONS) {
            add_header Access-Control-Allow-Origin @@PAGE@@;
            add_header Access-Control-Allow-Methods "GET, PUT";
            add_header Access-Control-Allow-Headers "Content-Type";
            return 204;
        }
        add_header Access-Control-Allow-Origin @@PAGE@@ always;
        return 200 "ok";
    }
    location /e2e/if-drops-origin/ {
        add_header Access-Control-Allow-Origin @@PAGE@@ always;
        if ($request_method = OPTIONS) {
            add_header Access-Control-Allow-Methods "PUT";
            return 204;
        }
        return 200 "ok";
    }
    location /e2e/no-always/ {
        add_header Access-Control-Allow-Origin @@PAGE@@;
        return 404;
    }
    location /e2e/wildcard-credentials/ {
        add_header Access-Control-Allow-Origin *;
        add_header Access-Control-Allow-Credentials true;
        return 200 "ok";
    }
    location /e2e/twice/ {
        add_header Access-Control-Allow-Origin *;
        add_header Access-Control-Allow-Origin @@PAGE@@;
        return 200 "ok";
    }
    location /e2e/methods/ {
        add_header Access-Control-Allow-Origin @@PAGE@@ always;
        add_header Access-Control-Allow-Methods "GET, POST" always;
        if ($request_method = OPTIONS) { return 204; }
        return 200 "ok";
    }
}
"""

# (id, path, simulate options); the id is also the page's case id
E2E = [
    ("e2e-ok", "/e2e/ok/items", ["--method", "PUT", "--body", "json"]),
    ("e2e-ok-simple", "/e2e/ok/simple", ["--initiator", "xhr"]),
    ("e2e-if-drops-origin", "/e2e/if-drops-origin/items", ["--method", "PUT"]),
    ("e2e-no-always", "/e2e/no-always/x", []),
    ("e2e-wildcard-credentials", "/e2e/wildcard-credentials/x", ["--credentials", "--initiator", "xhr"]),
    ("e2e-twice", "/e2e/twice/x", []),
    ("e2e-methods", "/e2e/methods/x", ["--method", "DELETE"]),
]


def _simulate(args: list[str]) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli.main(["simulate", *args]) == 0
    return out.getvalue()


def _replay(answer: dict | None) -> Reply | None:
    """simulate's predicted answer, as the loopback server sends it."""
    if answer is None:
        return None
    assert answer["status"] is not None, "the end-to-end configuration must decide every status"
    return Reply(answer["status"], tuple(
        (name, value) for name, values in answer["headers"].items()
        for value in values if name not in ("content-length", "transfer-encoding")))


def _e2e_cases(oracle: Oracle, tmp_path_factory) -> tuple[list[dict], dict, dict]:
    ports = oracle.ports
    config = tmp_path_factory.mktemp("e2e") / "api.conf"
    config.write_text(NGINX.replace("@@PORT@@", str(ports.api)).replace("@@PAGE@@", ports.fill("{page}")))
    cases, routes, expected = [], {}, {}
    for case_id, path, options in E2E:
        args = [str(config), "--url", ports.fill("{api}") + path, "--origin", ports.fill("{page}"), *options]
        predicted = json.loads(_simulate([*args, "--format", "json"]))
        text = _simulate(args)
        routes[path] = {k: r for k, r in (("OPTIONS", _replay(predicted["preflight"])),
                                          ("*", _replay(predicted["response"]))) if r}
        request = predicted["request"]
        method = options[options.index("--method") + 1] if "--method" in options else "GET"
        cases.append({"id": case_id, "url": "{api}" + path, "method": method, "headers": [],
                      "credentials": request["credentials"],
                      "initiator": "xhr" if "xhr" in options else "fetch",
                      "body": options[options.index("--body") + 1] if "--body" in options else "none"})
        expected[case_id] = (predicted["verdict"], text)
    return cases, routes, expected


# --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def chromium(tmp_path_factory):
    """One Chromium run for the whole module: (ports, outcomes, e2e expectations)."""
    require_chromium()
    assert len({s.id for s in SCENARIOS}) == len(SCENARIOS)
    with Oracle() as oracle:
        cases = [s.case() for s in SCENARIOS]
        routes = {path: r for s in SCENARIOS for path, r in s.routes().items()}
        e2e_cases, e2e_routes, e2e_expected = _e2e_cases(oracle, tmp_path_factory)
        started = time.monotonic()
        outcomes = oracle.run(cases + e2e_cases, {**routes, **e2e_routes}, timeout=60)
        print(f"\nChromium ran {len(cases) + len(e2e_cases)} cases in {time.monotonic() - started:.1f} s")
        yield oracle.ports, outcomes, e2e_expected


def test_enough_scenarios():
    assert len(SCENARIOS) + len(E2E) >= 60
    assert {s.initiator for s in SCENARIOS} == {"fetch", "xhr"}


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_model_agrees_with_chromium(chromium, scenario):
    ports, outcomes, _ = chromium
    seen = outcomes[scenario.id]
    call = scenario.call(ports)

    def answer(request):
        return scenario.answer(ports, request)

    preflight = answer(preflight_request(call)) if needs_preflight(call) else None
    verdict = evaluate(call, preflight, answer(actual_request(call)), follow=answer)

    first = seen.requests[0] if seen.requests else None
    assert first is not None, f"Chromium sent nothing (page result: {seen.result!r})"
    if preflight is not None:
        expected = preflight_request(call)
        assert (first[0], first[2].get("origin"), first[2].get("access-control-request-headers")) == (
            "OPTIONS", expected.header("origin"), expected.header("access-control-request-headers"))
    else:
        assert first[0] != "OPTIONS", "Chromium sent a preflight the model did not predict"
        assert first[0] == actual_request(call).method
    assert verdict.allowed is not None, verdict.reason
    assert seen.result.startswith("ok") == verdict.allowed, seen.console
    expected_line = console_line(call, verdict)
    assert seen.console == ([expected_line] if expected_line else [])
    assert [kind for kind, _ in seen.cors_errors] == ([verdict.kind] if verdict.kind else [])


@pytest.mark.parametrize("case_id", [case[0] for case in E2E])
def test_simulate_agrees_with_chromium_end_to_end(chromium, case_id):
    _, outcomes, expected = chromium
    seen = outcomes[case_id]
    verdict, text = expected[case_id]
    assert seen.result.startswith("ok") == verdict["allowed"], seen.console
    blocked = [line for line in text.splitlines() if line.startswith("Access to ")]
    assert seen.console == blocked
    if not verdict["allowed"]:
        assert seen.console[0].endswith(verdict["error"])


# Every CorsError a server's answers can cause (reference 2.3; the Private/
# Local Network Access kinds depend on address spaces, not on headers).
SERVER_CAUSED = {
    f"{prefix}{kind}" for prefix in ("", "Preflight") for kind in (
        "WildcardOriginNotAllowed", "MissingAllowOriginHeader", "MultipleAllowOriginValues",
        "InvalidAllowOriginValue", "AllowOriginMismatch", "InvalidAllowCredentials")
} | {"PreflightInvalidStatus", "PreflightDisallowedRedirect", "InvalidAllowMethodsPreflightResponse",
     "InvalidAllowHeadersPreflightResponse", "MethodDisallowedByPreflightResponse",
     "HeaderDisallowedByPreflightResponse", "RedirectContainsCredentials"}


def test_chromium_reported_every_server_caused_error(chromium):
    _, outcomes, _ = chromium
    seen = {(kind, case_id.endswith("-xhr")) for case_id, outcome in outcomes.items()
            for kind, _ in outcome.cors_errors}
    assert {kind for kind, _ in seen} == SERVER_CAUSED
    assert {xhr for _, xhr in seen} == {False, True}
