"""`corslint.fetchheaders` against the real thing: the request headers
Chromium sends with a cross-site fetch() are recorded again and compared,
name by name, with the constants every probe and `simulate` request carry.

One Chromium run (the `Oracle` harness): a page on 127.0.0.1 calls the API
server as `localhost` (another site), a GET, a PUT with a JSON body (so an
OPTIONS preflight first) and a GET with credentials.  Connection-level
headers (Host, Connection, Content-Length) and what the page sets itself
(Content-Type) are not the browser's own.  The User-Agent's product token
differs on purpose (headless Chromium says HeadlessChrome, see
fetchheaders), so only its presence is compared.  A Chromium update that
adds, drops or changes one of these headers fails here: record the new
set into linter/fetchheaders.py.

Skipped with a reason when Chromium is missing, failed instead when CI=true.
"""

from __future__ import annotations

import pytest
from corslint import fetchheaders
from corslint.cors import ACRH, ACRM, ORIGIN

from .chromium import Oracle, Reply
from .test_chromium import require_chromium

pytestmark = pytest.mark.live

#: not the browser's choice: the connection's and the page's own
NOT_OWN = {"host", "connection", "content-length", "content-type"}
ALLOW = (("Access-Control-Allow-Origin", "{page}"), ("Access-Control-Allow-Credentials", "true"),
         ("Access-Control-Allow-Methods", "PUT"), ("Access-Control-Allow-Headers", "Content-Type"))
CASES = [
    {"id": "plain", "url": "{alt}/h/plain", "method": "GET", "headers": [], "credentials": False,
     "initiator": "fetch", "body": "none"},
    {"id": "json", "url": "{alt}/h/json", "method": "PUT", "headers": [], "credentials": False,
     "initiator": "fetch", "body": "json"},
    {"id": "cookies", "url": "{alt}/h/cookies", "method": "GET", "headers": [], "credentials": True,
     "initiator": "fetch", "body": "none"},
]


@pytest.fixture(scope="module")
def recorded():
    """{case id: [(method, {header: value})]} as the API server received them."""
    require_chromium()
    with Oracle() as oracle:
        routes = {f"/h/{case['id']}": {"OPTIONS": Reply(204, ALLOW), "*": Reply(200, ALLOW)} for case in CASES}
        outcomes = oracle.run(CASES, routes, timeout=60)
        page = oracle.ports.fill("{page}")
    return page, {case_id: [(method, headers) for method, _, headers in outcome.requests]
                  for case_id, outcome in outcomes.items()}


def own(headers: dict) -> dict:
    return {name: value for name, value in headers.items() if name not in NOT_OWN}


def names(*lists) -> set[str]:
    return {name for headers in lists for name, _ in headers}


def test_preflight_headers(recorded):
    page, requests = recorded
    method, headers = requests["json"][0]
    assert method == "OPTIONS"
    assert set(own(headers)) == names(fetchheaders.PREFLIGHT, fetchheaders.referer(page)) | {ORIGIN, ACRM, ACRH}
    assert headers["referer"] == fetchheaders.referer(page)[0][1]
    for name, value in fetchheaders.PREFLIGHT:
        if name != "user-agent":
            assert headers[name] == value, name


@pytest.mark.parametrize("case_id, extra", [("plain", ()), ("json", ()), ("cookies", fetchheaders.CREDENTIALED)])
def test_actual_request_headers(recorded, case_id, extra):
    page, requests = recorded
    method, headers = requests[case_id][-1]
    assert method != "OPTIONS"
    assert set(own(headers)) == names(fetchheaders.ACTUAL, extra, fetchheaders.referer(page)) | {ORIGIN}
    for name, value in fetchheaders.ACTUAL + extra:
        if name != "user-agent":
            assert headers[name] == value, name
    assert headers["user-agent"].replace("HeadlessChrome/", "Chrome/") == fetchheaders.USER_AGENT
