"""The browser model behind `corslint simulate`.

Expected console lines are copied from shared/reference/browser-cors.md
(section 2.3/9 verbatim bodies and the Chromium 156 transcript in 2.4), not
built with the code under test.
"""

import pytest
from corslint import fetchheaders
from corslint.browser import (
    STREAM_NOTE,
    Call,
    actual_request,
    console_line,
    evaluate,
    max_age_effect,
    needs_preflight,
    normalize_method,
    preflight_request,
    unsafe_header_names,
    with_body,
)
from corslint.model import Answer, HeaderLine

PAGE = "http://127.0.0.1:8001"
#: what Chromium adds itself to a cross-origin preflight / actual request from PAGE
PREFLIGHT_OWN = fetchheaders.PREFLIGHT + (("referer", PAGE + "/"),)
ACTUAL_OWN = fetchheaders.ACTUAL + (("referer", PAGE + "/"),)
API = "http://127.0.0.1:8002"


def answer(status, *lines, upstream_unknown=False):
    return Answer(status, [HeaderLine(name.lower(), value) for name, value in lines],
                  upstream_headers_unknown=upstream_unknown)


def call(path="x", method="GET", headers=(), credentials=False, initiator="fetch", **kw):
    return Call(f"{API}/{path}", PAGE, method, tuple(headers), credentials, initiator, **kw)


ACAO = ("Access-Control-Allow-Origin", PAGE)
ACAC = ("Access-Control-Allow-Credentials", "true")
PUT_OK = (ACAO, ("Access-Control-Allow-Methods", "PUT"))


# --------------------------------------------------------------------------
# Method normalization and the preflight decision

@pytest.mark.parametrize("method, expected", [
    ("get", "GET"), ("Post", "POST"), ("delete", "DELETE"), ("options", "OPTIONS"),
    ("put", "PUT"), ("head", "HEAD"), ("patch", "patch"), ("PATCH", "PATCH"),
    ("Purge", "Purge"),
])
def test_normalize_method(method, expected):
    assert normalize_method(method) == expected


@pytest.mark.parametrize("method, preflight", [
    ("GET", False), ("HEAD", False), ("POST", False), ("get", False), ("post", False),
    ("PUT", True), ("DELETE", True), ("patch", True), ("OPTIONS", True),
])
def test_safelisted_methods(method, preflight):
    assert needs_preflight(call(method=method)) is preflight


def test_method_normalization_reaches_the_preflight():
    assert preflight_request(call(method="delete")).header("access-control-request-method") == "DELETE"
    assert preflight_request(call(method="patch")).header("access-control-request-method") == "patch"


@pytest.mark.parametrize("name, value", [
    ("Accept", "application/json"),
    ("Accept", "*/*"),
    ("Accept-Language", "en-US,en;q=0.9"),
    ("Content-Language", "de-DE"),
    ("Content-Type", "text/plain"),
    ("Content-Type", "text/plain; charset=utf-8"),
    ("Content-Type", "Application/X-WWW-Form-Urlencoded"),
    ("Content-Type", "multipart/form-data; boundary=abc"),
    ("Content-Type", "  text/plain  "),          # values are trimmed first
    ("Range", "bytes=0-100"),
    ("Range", "bytes=100-"),
    ("DPR", "2"),                                 # Chromium client hints
    ("Device-Memory", "0.5"),
    ("Width", "1200"),
    ("Viewport-Width", "800"),
    ("RTT", "50"),
    ("Downlink", "1.5"),
    ("ECT", "4g"),
    ("Save-Data", "on"),
    ("Intervention", "<https://example.com>; level=\"warning\""),
])
def test_safelisted_headers_need_no_preflight(name, value):
    assert unsafe_header_names([(name, value)]) == []
    assert not needs_preflight(call(headers=[(name, value)]))


@pytest.mark.parametrize("name, value", [
    ("Content-Type", "application/json"),
    ("Content-Type", 'text/plain; x="q"'),        # '"' is an unsafe byte
    ("Content-Type", "text/plain\x01"),
    ("Content-Type", "text/plain; charset=" + "a" * 120),  # > 128 bytes
    ("Content-Type", "text"),
    ("Accept", 'application/"json"'),
    ("Accept", "a" * 129),
    ("Accept-Language", "en_US"),
    ("Content-Language", "de(DE)"),
    ("Range", "bytes=-500"),
    ("Range", "bytes=0-1,3-4"),
    ("Range", "bytes = 0-100"),
    ("Range", "bytes=5-1"),
    ("Range", "items=0-1"),
    ("DPR", "2x"),
    ("Width", "1.5"),
    ("ECT", "5g"),
    ("Save-Data", "off"),
    ("Authorization", "Bearer x"),
    ("X-Requested-With", "XMLHttpRequest"),
])
def test_unsafe_headers_need_a_preflight(name, value):
    assert unsafe_header_names([(name, value)]) == [name.lower()]
    assert needs_preflight(call(headers=[(name, value)]))


def test_client_hints_are_chromium_only():
    assert unsafe_header_names([("DPR", "2")]) == []
    assert unsafe_header_names([("DPR", "2")], chromium=False) == ["dpr"]


def test_content_type_whitespace_around_slash_is_chromium_only():
    assert unsafe_header_names([("Content-Type", "text / plain")]) == []
    assert unsafe_header_names([("Content-Type", "text / plain")], chromium=False) == ["content-type"]


@pytest.mark.parametrize("name, value", [
    ("Cookie", "a=b"), ("Origin", "https://evil.example"), ("Host", "x"),
    ("Content-Length", "5"), ("Referer", "https://x"), ("Connection", "close"),
    ("Access-Control-Request-Method", "PUT"), ("Access-Control-Request-Headers", "x"),
    ("Sec-Fetch-Mode", "no-cors"), ("Proxy-Authorization", "x"), ("User-Agent", "bot"),
    ("X-HTTP-Method-Override", "TRACE"), ("X-Method-Override", "get, connect"),
])
def test_forbidden_headers_are_dropped(name, value):
    assert unsafe_header_names([(name, value)]) == []
    assert not needs_preflight(call(headers=[(name, value)]))
    assert actual_request(call(headers=[(name, value)])).headers == (("origin", PAGE),) + ACTUAL_OWN


def test_method_override_with_an_allowed_method_is_unsafe():
    assert unsafe_header_names([("X-HTTP-Method-Override", "PATCH")]) == ["x-http-method-override"]


def test_unsafe_names_keep_request_order_lower_case_and_unique():
    headers = [("X-Zeta", "1"), ("Accept", "*/*"), ("X-Alpha", "2"), ("x-zeta", "3")]
    assert unsafe_header_names(headers) == ["x-zeta", "x-alpha"]


def test_repeated_names_merge_before_the_length_limit_in_chromium():
    headers = [("Accept", "a" * 100), ("Accept", "b" * 100)]
    assert unsafe_header_names(headers) == ["accept"]
    assert unsafe_header_names(headers, chromium=False) == []


def test_safelisted_values_over_1024_bytes_in_total_become_unsafe():
    names = ["Accept", "Accept-Language", "Content-Language", "Intervention",
             "DPR", "Width", "Viewport-Width", "RTT", "Device-Memory"]
    headers = [(name, "1" * 128) for name in names]
    assert unsafe_header_names(headers) == [name.lower() for name in names]
    assert unsafe_header_names(headers[:8]) == []
    assert unsafe_header_names([("Accept", "a" * 128)] * 9, chromium=False) == ["accept"]


def test_force_preflight_makes_a_simple_call_preflight():
    pf = preflight_request(call(method="POST", force_preflight=True))
    assert needs_preflight(call(method="POST", force_preflight=True))
    assert pf.headers == (("origin", PAGE), ("access-control-request-method", "POST")) + PREFLIGHT_OWN


def test_same_origin_calls_skip_cors():
    same = Call(f"{PAGE}/api", PAGE, "PUT", (("X-Custom", "1"),))
    assert not needs_preflight(same)
    assert evaluate(same, None, answer(200)).allowed is True
    request = actual_request(Call(f"{PAGE}/api", PAGE))
    assert request.header("origin") is None and request.header("sec-fetch-site") == "same-origin"


def test_call_rejects_unknown_initiators():
    with pytest.raises(ValueError):
        Call(API, PAGE, initiator="img")


# --------------------------------------------------------------------------
# The requests the server receives

@pytest.mark.parametrize("headers, expected", [
    ([("Content-Type", "application/json"), ("X-Custom-Thing", "1")], "content-type,x-custom-thing"),
    ([("X-Zeta", "1"), ("X-Alpha", "2")], "x-alpha,x-zeta"),
    ([("Authorization", "Bearer t"), ("Accept", "*/*")], "authorization"),
])
def test_access_control_request_headers_format(headers, expected):
    request = preflight_request(call(method="PUT", headers=headers))
    assert request.method == "OPTIONS"
    assert request.url == f"{API}/x"
    assert request.headers == (("origin", PAGE), ("access-control-request-method", "PUT"),
                               ("access-control-request-headers", expected)) + PREFLIGHT_OWN


def test_no_access_control_request_headers_without_unsafe_headers():
    request = preflight_request(call(method="PUT", headers=[("Accept", "*/*")]))
    assert request.header("access-control-request-headers") is None


def test_actual_request():
    request = actual_request(call(method="patch", headers=[
        ("X-A", " 1 "), ("Cookie", "a=b"), ("Content-Type", "text/plain"), ("x-a", "2")]))
    assert request.method == "patch"
    assert request.headers == (("origin", PAGE), ("x-a", "1, 2"), ("content-type", "text/plain")) + ACTUAL_OWN


def test_the_page_accept_replaces_the_browser_default_on_the_actual_request_only():
    page = call(method="PUT", headers=[("Accept", "application/json"), ("X-A", "1")])
    assert actual_request(page).header("accept") == "application/json"
    assert preflight_request(page).header("accept") == "*/*"


def test_client_headers_replace_the_browser_own_values_in_every_request():
    other = call(method="PUT", headers=[("X-A", "1")], client_headers=(("User-Agent", ""),))
    assert actual_request(other).header("user-agent") == ""
    assert preflight_request(other).header("user-agent") == ""
    assert preflight_request(call(method="PUT")).header("user-agent") == fetchheaders.USER_AGENT


def test_credentialed_calls_say_so_in_sec_fetch_storage_access():
    assert actual_request(call(credentials=True)).header("sec-fetch-storage-access") == "none"
    assert actual_request(call()).header("sec-fetch-storage-access") is None


# --------------------------------------------------------------------------
# Every server-caused Chromium message: exact console lines

def fetch_line(path, text):
    return (f"Access to fetch at '{API}/{path}' from origin '{PAGE}' "
            f"has been blocked by CORS policy: {text}")


RESPONSE_CASES = [
    # (id, credentials, response lines, kind, fetch text, xhr text or None if the same)
    ("missing-acao", False, [],
     "MissingAllowOriginHeader",
     "No 'Access-Control-Allow-Origin' header is present on the requested resource.", None),
    ("wildcard-credentials", True, [("Access-Control-Allow-Origin", "*"), ACAC],
     "WildcardOriginNotAllowed",
     "The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'.",
     "The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'. The credentials mode of requests initiated by the XMLHttpRequest is controlled by the withCredentials attribute."),
    ("two-acao-lines", False, [ACAO, ACAO],
     "MultipleAllowOriginValues",
     "The 'Access-Control-Allow-Origin' header contains multiple values 'http://127.0.0.1:8001, http://127.0.0.1:8001', but only one is allowed. Have the server send the header with a valid value.",
     "The 'Access-Control-Allow-Origin' header contains multiple values 'http://127.0.0.1:8001, http://127.0.0.1:8001', but only one is allowed."),
    ("two-wildcard-lines", False, [("Access-Control-Allow-Origin", "*")] * 2,
     "MultipleAllowOriginValues",
     "The 'Access-Control-Allow-Origin' header contains multiple values '*, *', but only one is allowed. Have the server send the header with a valid value.",
     "The 'Access-Control-Allow-Origin' header contains multiple values '*, *', but only one is allowed."),
    ("space-list", False, [("Access-Control-Allow-Origin", "http://a.test http://127.0.0.1:8001")],
     "MultipleAllowOriginValues",
     "The 'Access-Control-Allow-Origin' header contains multiple values 'http://a.test http://127.0.0.1:8001', but only one is allowed. Have the server send the header with a valid value.",
     "The 'Access-Control-Allow-Origin' header contains multiple values 'http://a.test http://127.0.0.1:8001', but only one is allowed."),
    ("invalid-value", False, [("Access-Control-Allow-Origin", "foo")],
     "InvalidAllowOriginValue",
     "The 'Access-Control-Allow-Origin' header contains the invalid value 'foo'. Have the server send the header with a valid value.",
     "The 'Access-Control-Allow-Origin' header contains the invalid value 'foo'."),
    ("trailing-slash", False, [("Access-Control-Allow-Origin", "http://127.0.0.1:8001/")],
     "AllowOriginMismatch",
     "The 'Access-Control-Allow-Origin' header has a value 'http://127.0.0.1:8001/' that is not equal to the supplied origin. Have the server send the header with a valid value.",
     "The 'Access-Control-Allow-Origin' header has a value 'http://127.0.0.1:8001/' that is not equal to the supplied origin."),
    ("null", False, [("Access-Control-Allow-Origin", "null")],
     "AllowOriginMismatch",
     "The 'Access-Control-Allow-Origin' header has a value 'null' that is not equal to the supplied origin. Have the server send the header with a valid value.",
     "The 'Access-Control-Allow-Origin' header has a value 'null' that is not equal to the supplied origin."),
    ("other-port", False, [("Access-Control-Allow-Origin", "http://127.0.0.1:8003")],
     "AllowOriginMismatch",
     "The 'Access-Control-Allow-Origin' header has a value 'http://127.0.0.1:8003' that is not equal to the supplied origin. Have the server send the header with a valid value.",
     "The 'Access-Control-Allow-Origin' header has a value 'http://127.0.0.1:8003' that is not equal to the supplied origin."),
    ("acac-missing", True, [ACAO],
     "InvalidAllowCredentials",
     "The value of the 'Access-Control-Allow-Credentials' header in the response is '' which must be 'true' when the request's credentials mode is 'include'.",
     "The value of the 'Access-Control-Allow-Credentials' header in the response is '' which must be 'true' when the request's credentials mode is 'include'. The credentials mode of requests initiated by the XMLHttpRequest is controlled by the withCredentials attribute."),
    ("acac-True", True, [ACAO, ("Access-Control-Allow-Credentials", "True")],
     "InvalidAllowCredentials",
     "The value of the 'Access-Control-Allow-Credentials' header in the response is 'True' which must be 'true' when the request's credentials mode is 'include'.",
     "The value of the 'Access-Control-Allow-Credentials' header in the response is 'True' which must be 'true' when the request's credentials mode is 'include'. The credentials mode of requests initiated by the XMLHttpRequest is controlled by the withCredentials attribute."),
    ("acac-twice", True, [ACAO, ACAC, ACAC],
     "InvalidAllowCredentials",
     "The value of the 'Access-Control-Allow-Credentials' header in the response is 'true, true' which must be 'true' when the request's credentials mode is 'include'.",
     "The value of the 'Access-Control-Allow-Credentials' header in the response is 'true, true' which must be 'true' when the request's credentials mode is 'include'. The credentials mode of requests initiated by the XMLHttpRequest is controlled by the withCredentials attribute."),
    ("redirect-with-userinfo", False, [ACAO, ("Location", "http://user:pass@localhost:8002/next")],
     "RedirectContainsCredentials",
     "Redirect location '' contains a username and password, which is disallowed for cross-origin requests.",
     None),
]


@pytest.mark.parametrize("credentials, lines, kind, fetch_text, xhr_text",
                         [case[1:] for case in RESPONSE_CASES],
                         ids=[case[0] for case in RESPONSE_CASES])
@pytest.mark.parametrize("initiator", ["fetch", "xhr"])
def test_response_errors(initiator, credentials, lines, kind, fetch_text, xhr_text):
    status = 302 if kind == "RedirectContainsCredentials" else 200
    c = call("simple", credentials=credentials, initiator=initiator)
    assert not needs_preflight(c)
    verdict = evaluate(c, None, answer(status, *lines))
    text = fetch_text if initiator == "fetch" else (xhr_text or fetch_text)
    api = "fetch" if initiator == "fetch" else "XMLHttpRequest"
    assert (verdict.allowed, verdict.stage, verdict.kind) == (False, "response", kind)
    assert verdict.error == text
    assert console_line(c, verdict) == (
        f"Access to {api} at 'http://127.0.0.1:8002/simple' from origin 'http://127.0.0.1:8001' "
        f"has been blocked by CORS policy: {text}")


def test_observed_xhr_wildcard_credentials_line():
    c = call("xhr_wildcard_cred", credentials=True, initiator="xhr")
    verdict = evaluate(c, None, answer(200, ("Access-Control-Allow-Origin", "*")))
    assert console_line(c, verdict) == (
        "Access to XMLHttpRequest at 'http://127.0.0.1:8002/xhr_wildcard_cred' from origin "
        "'http://127.0.0.1:8001' has been blocked by CORS policy: The value of the "
        "'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' "
        "when the request's credentials mode is 'include'. The credentials mode of requests "
        "initiated by the XMLHttpRequest is controlled by the withCredentials attribute.")


def test_observed_preflight_404_without_acao_line():
    """ACAO is checked before the status: a 404 without ACAO reports the ACAO."""
    c = call("pf_404_no_acao", method="PUT")
    verdict = evaluate(c, answer(404), None)
    assert verdict.kind == "PreflightMissingAllowOriginHeader"
    assert console_line(c, verdict) == (
        "Access to fetch at 'http://127.0.0.1:8002/pf_404_no_acao' from origin "
        "'http://127.0.0.1:8001' has been blocked by CORS policy: Response to preflight "
        "request doesn't pass access control check: No 'Access-Control-Allow-Origin' header "
        "is present on the requested resource.")


def test_observed_preflight_two_acao_headers_line():
    c = call("pf_two_acao_headers", method="PUT")
    verdict = evaluate(c, answer(204, ACAO, ACAO, ("Access-Control-Allow-Methods", "PUT")), None)
    assert verdict.kind == "PreflightMultipleAllowOriginValues"
    assert console_line(c, verdict) == (
        "Access to fetch at 'http://127.0.0.1:8002/pf_two_acao_headers' from origin "
        "'http://127.0.0.1:8001' has been blocked by CORS policy: Response to preflight "
        "request doesn't pass access control check: The 'Access-Control-Allow-Origin' header "
        "contains multiple values 'http://127.0.0.1:8001, http://127.0.0.1:8001', but only one "
        "is allowed. Have the server send the header with a valid value.")


PREFIX = "Response to preflight request doesn't pass access control check: "

PREFLIGHT_CASES = [
    # (id, call kwargs, preflight status, lines, kind, fetch text, xhr text or None)
    ("status-404", {}, 404, PUT_OK,
     "PreflightInvalidStatus", PREFIX + "It does not have HTTP ok status.", None),
    ("status-500", {}, 500, PUT_OK,
     "PreflightInvalidStatus", PREFIX + "It does not have HTTP ok status.", None),
    ("status-300-with-location-is-no-redirect", {}, 300, PUT_OK + (("Location", "/y"),),
     "PreflightInvalidStatus", PREFIX + "It does not have HTTP ok status.", None),
    ("redirect-301", {}, 301, PUT_OK + (("Location", f"{API}/y"),),
     "PreflightDisallowedRedirect", PREFIX + "Redirect is not allowed for a preflight request.", None),
    ("redirect-307-without-acao", {}, 307, [("Location", "/y")],
     "PreflightDisallowedRedirect", PREFIX + "Redirect is not allowed for a preflight request.", None),
    ("missing-acao-204", {}, 204, [("Access-Control-Allow-Methods", "PUT")],
     "PreflightMissingAllowOriginHeader",
     PREFIX + "No 'Access-Control-Allow-Origin' header is present on the requested resource.", None),
    ("wildcard-credentials", {"credentials": True}, 204,
     [("Access-Control-Allow-Origin", "*"), ACAC, ("Access-Control-Allow-Methods", "PUT")],
     "PreflightWildcardOriginNotAllowed",
     PREFIX + "The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'.",
     PREFIX + "The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'. The credentials mode of requests initiated by the XMLHttpRequest is controlled by the withCredentials attribute."),
    ("acac-missing", {"credentials": True}, 204, PUT_OK,
     "PreflightInvalidAllowCredentials",
     PREFIX + "The value of the 'Access-Control-Allow-Credentials' header in the response is '' which must be 'true' when the request's credentials mode is 'include'.",
     PREFIX + "The value of the 'Access-Control-Allow-Credentials' header in the response is '' which must be 'true' when the request's credentials mode is 'include'. The credentials mode of requests initiated by the XMLHttpRequest is controlled by the withCredentials attribute."),
    ("invalid-value", {}, 204, [("Access-Control-Allow-Origin", "foo")],
     "PreflightInvalidAllowOriginValue",
     PREFIX + "The 'Access-Control-Allow-Origin' header contains the invalid value 'foo'. Have the server send the header with a valid value.",
     PREFIX + "The 'Access-Control-Allow-Origin' header contains the invalid value 'foo'."),
    ("mismatch", {}, 204, [("Access-Control-Allow-Origin", "https://127.0.0.1:8001")],
     "PreflightAllowOriginMismatch",
     PREFIX + "The 'Access-Control-Allow-Origin' header has a value 'https://127.0.0.1:8001' that is not equal to the supplied origin. Have the server send the header with a valid value.",
     PREFIX + "The 'Access-Control-Allow-Origin' header has a value 'https://127.0.0.1:8001' that is not equal to the supplied origin."),
    ("acam-unparseable", {}, 204, [ACAO, ("Access-Control-Allow-Methods", "PUT;GET")],
     "InvalidAllowMethodsPreflightResponse",
     "Cannot parse Access-Control-Allow-Methods response header field in preflight response.", None),
    ("acah-unparseable", {"headers": [("Authorization", "Bearer t")]}, 204,
     PUT_OK + (("Access-Control-Allow-Headers", "author/ization"),),
     "InvalidAllowHeadersPreflightResponse",
     "Cannot parse Access-Control-Allow-Headers response header field in preflight response.", None),
    ("acam-parsed-before-acah", {}, 204,
     [ACAO, ("Access-Control-Allow-Methods", "PUT GET"), ("Access-Control-Allow-Headers", "a b")],
     "InvalidAllowMethodsPreflightResponse",
     "Cannot parse Access-Control-Allow-Methods response header field in preflight response.", None),
    ("method-case", {}, 204, [ACAO, ("Access-Control-Allow-Methods", "put")],
     "MethodDisallowedByPreflightResponse",
     "Method PUT is not allowed by Access-Control-Allow-Methods in preflight response.", None),
    ("method-patch-lower-case", {"method": "patch"}, 204, [ACAO, ("Access-Control-Allow-Methods", "PATCH")],
     "MethodDisallowedByPreflightResponse",
     "Method patch is not allowed by Access-Control-Allow-Methods in preflight response.", None),
    ("method-missing", {"method": "DELETE"}, 204, PUT_OK,
     "MethodDisallowedByPreflightResponse",
     "Method DELETE is not allowed by Access-Control-Allow-Methods in preflight response.", None),
    ("method-wildcard-credentials", {"credentials": True}, 204,
     [ACAO, ACAC, ("Access-Control-Allow-Methods", "*")],
     "MethodDisallowedByPreflightResponse",
     "Method PUT is not allowed by Access-Control-Allow-Methods in preflight response.", None),
    ("first-failing-header-in-request-order", {"headers": [("X-Zeta", "1"), ("X-Alpha", "2")]}, 204,
     PUT_OK + (("Access-Control-Allow-Headers", "x-other"),),
     "HeaderDisallowedByPreflightResponse",
     "Request header field x-zeta is not allowed by Access-Control-Allow-Headers in preflight response.", None),
    ("header-lower-cased", {"headers": [("X-Alpha", "1"), ("Content-Type", "application/json")]}, 204,
     PUT_OK + (("Access-Control-Allow-Headers", "X-ALPHA"),),
     "HeaderDisallowedByPreflightResponse",
     "Request header field content-type is not allowed by Access-Control-Allow-Headers in preflight response.", None),
    ("header-wildcard-credentials", {"credentials": True, "headers": [("X-Custom", "1")]}, 204,
     PUT_OK + (ACAC, ("Access-Control-Allow-Headers", "*")),
     "HeaderDisallowedByPreflightResponse",
     "Request header field x-custom is not allowed by Access-Control-Allow-Headers in preflight response.", None),
]


@pytest.mark.parametrize("kwargs, status, lines, kind, fetch_text, xhr_text",
                         [case[1:] for case in PREFLIGHT_CASES],
                         ids=[case[0] for case in PREFLIGHT_CASES])
@pytest.mark.parametrize("initiator", ["fetch", "xhr"])
def test_preflight_errors(initiator, kwargs, status, lines, kind, fetch_text, xhr_text):
    c = call("pf", **{"method": "PUT", **kwargs}, initiator=initiator)
    assert needs_preflight(c)
    verdict = evaluate(c, answer(status, *lines), None)
    text = fetch_text if initiator == "fetch" else (xhr_text or fetch_text)
    api = "fetch" if initiator == "fetch" else "XMLHttpRequest"
    assert (verdict.allowed, verdict.stage, verdict.kind) == (False, "preflight", kind)
    assert console_line(c, verdict) == (
        f"Access to {api} at 'http://127.0.0.1:8002/pf' from origin 'http://127.0.0.1:8001' "
        f"has been blocked by CORS policy: {text}")


def test_acao_is_checked_before_the_status():
    c = call(method="PUT")
    assert evaluate(c, answer(401, ("Access-Control-Allow-Methods", "PUT")), None).kind == \
        "PreflightMissingAllowOriginHeader"
    assert evaluate(c, answer(401, *PUT_OK), None).kind == "PreflightInvalidStatus"


def test_preflight_checks_acac_with_the_actual_credentials_mode():
    c = call(method="PUT", credentials=True)
    verdict = evaluate(c, answer(204, *PUT_OK, ACAC), answer(200, ACAO, ACAC))
    assert verdict.allowed is True


def test_hint_bytes_outside_printable_ascii_are_escaped():
    verdict = evaluate(call(), None, answer(200, ("Access-Control-Allow-Origin", "https://é.example")))
    assert verdict.error.startswith(
        "The 'Access-Control-Allow-Origin' header has a value 'https://\\u00C3\\u00A9.example'")


def test_console_line_uses_chromium_url_form():
    c = Call("HTTPS://API.Example.com:443", PAGE)
    verdict = evaluate(c, None, answer(200))
    assert console_line(c, verdict).startswith(
        f"Access to fetch at 'https://api.example.com/' from origin '{PAGE}' has been blocked")


# --------------------------------------------------------------------------
# Passing calls and notes

@pytest.mark.parametrize("kwargs, lines", [
    ({}, [("Access-Control-Allow-Methods", "*"), ACAO]),
    ({"method": "patch"}, [ACAO, ("Access-Control-Allow-Methods", "GET, patch")]),
    ({"headers": [("X-Custom", "1")]}, PUT_OK + (("Access-Control-Allow-Headers", "X-CUSTOM"),)),
    ({"headers": [("X-Custom", "1")]}, PUT_OK + (("Access-Control-Allow-Headers", "*"),)),
    ({"credentials": True, "headers": [("X-Custom", "1")]},
     PUT_OK + (ACAC, ("Access-Control-Allow-Headers", "x-custom"))),
    ({}, [("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Methods", ",, PUT ,")]),
])
def test_preflight_passes(kwargs, lines):
    c = call(**{"method": "PUT", **kwargs})
    response = answer(200, ACAO, ACAC) if c.credentials else answer(500, ("Access-Control-Allow-Origin", "*"))
    verdict = evaluate(c, answer(204, *lines), response)
    assert (verdict.allowed, verdict.stage, verdict.kind, verdict.error) == (True, None, None, None)
    assert console_line(c, verdict) is None


def test_forced_preflight_for_a_safelisted_method_needs_no_acam():
    c = call(method="POST", force_preflight=True, initiator="xhr")
    assert evaluate(c, answer(200, ACAO), answer(200, ACAO)).allowed is True


def test_wildcard_acah_covers_authorization_in_chromium_only():
    c = call(method="PUT", headers=[("Authorization", "Bearer t")])
    verdict = evaluate(c, answer(204, *PUT_OK, ("Access-Control-Allow-Headers", "*")), answer(200, ACAO))
    assert verdict.allowed is True
    assert verdict.notes == ["passes in Chromium 156, fails per the Fetch standard: "
                             "Access-Control-Allow-Headers: * does not cover Authorization"]


def test_null_origin_matches_acao_null():
    c = Call(f"{API}/x", "null", credentials=True)
    verdict = evaluate(c, None, answer(200, ("Access-Control-Allow-Origin", "null"), ACAC))
    assert verdict.allowed is True


def test_response_status_does_not_matter_to_cors():
    assert evaluate(call(), None, answer(None, ACAO)).allowed is True
    assert evaluate(call(), None, answer(404, ACAO)).allowed is True


@pytest.mark.parametrize("value, effect", [
    (None, (5, 5, 5)),
    ("600", (600, 600, 600)),
    ("7200", (7200, 7200, 600)),
    ("86400", (7200, 86400, 600)),
    ("0", (0, 0, 0)),
    ("-1", (0, 0, 0)),
    ("abc", (5, 0, 5)),
    ("5.5", (5, 0, 5)),
    ("600, 600", (5, 0, 5)),
    ("99999999999999999999", (5, 0, 5)),
])
def test_max_age_effect(value, effect):
    assert tuple(max_age_effect(value)[:3]) == effect


def test_max_age_notes():
    assert max_age_effect("600").note is None
    assert "capped at 7200 s by Chromium" in max_age_effect("86400").note
    assert max_age_effect("3600").note == ("Access-Control-Max-Age: 3600 is capped at 600 s by "
                                           "Safari (Chromium allows up to 7200 s)")
    assert "negative" in max_age_effect("-1").note
    assert "not a number" in max_age_effect("abc").note
    verdict = evaluate(call(method="PUT"),
                       answer(204, *PUT_OK, ("Access-Control-Max-Age", "86400")), answer(200, ACAO))
    assert verdict.allowed is True
    assert verdict.notes == ["Access-Control-Max-Age: 86400 is capped at 7200 s by Chromium "
                             "(Firefox caps at 86400 s, Safari at 600 s)"]


# --------------------------------------------------------------------------
# What the configuration cannot tell

def test_unknown_acao_value():
    verdict = evaluate(call(), None, answer(200, ("Access-Control-Allow-Origin", None)))
    assert (verdict.allowed, verdict.stage, verdict.kind) == (None, "response", None)
    assert "Access-Control-Allow-Origin" in verdict.reason
    assert console_line(call(), verdict) is None


def test_unknown_preflight_status():
    verdict = evaluate(call(method="PUT"), answer(None, *PUT_OK), answer(200, ACAO))
    assert (verdict.allowed, verdict.stage) == (None, "preflight")
    assert "status" in verdict.reason


def test_known_failure_before_the_unknown_status_decides():
    verdict = evaluate(call(method="PUT"), answer(None), None)
    assert verdict.kind == "PreflightMissingAllowOriginHeader"


def test_unknown_status_with_location_may_be_a_redirect():
    verdict = evaluate(call(method="PUT"), answer(None, *PUT_OK, ("Location", "/y")), None)
    assert (verdict.allowed, verdict.stage) == (None, "preflight")


def test_unknown_credentials_value_matters_only_with_credentials():
    lines = (ACAO, ("Access-Control-Allow-Credentials", None))
    assert evaluate(call(), None, answer(200, *lines)).allowed is True
    assert evaluate(call(credentials=True), None, answer(200, *lines)).allowed is None


def test_missing_header_is_unknown_when_the_backend_may_send_it():
    verdict = evaluate(call(), None, answer(200, upstream_unknown=True))
    assert verdict.allowed is None
    assert "Access-Control-Allow-Origin" in verdict.reason
    verdict = evaluate(call(), None, answer(200, ACAO, upstream_unknown=True))
    assert verdict.allowed is True
    assert any("backend" in note for note in verdict.notes)


def test_unknown_preflight_notes_a_response_that_fails_anyway():
    verdict = evaluate(call(method="PUT"), answer(None, *PUT_OK), answer(200))
    assert verdict.allowed is None
    assert verdict.notes == ["even if the preflight passes, the response is blocked: "
                             "No 'Access-Control-Allow-Origin' header is present on the "
                             "requested resource."]


@pytest.mark.parametrize("location, target", [
    ("https://other.example/next", "https://other.example/next"),
    ("/next", "http://127.0.0.1:8002/next"),
])
def test_redirected_response_leaves_the_configuration(location, target):
    verdict = evaluate(call(), None, answer(302, ACAO, ("Location", location)))
    assert (verdict.allowed, verdict.stage) == (None, "response")
    assert verdict.reason == f"redirected to {target}; the target's answer is outside this configuration"


def test_redirect_without_acao_fails_on_the_redirect():
    verdict = evaluate(call(), None, answer(302, ("Location", "https://other.example/")))
    assert verdict.kind == "MissingAllowOriginHeader"


def test_evaluate_insists_on_the_answers_the_call_needs():
    with pytest.raises(ValueError):
        evaluate(call(method="PUT"), None, answer(200, ACAO))
    with pytest.raises(ValueError):
        evaluate(call(), answer(204, ACAO), answer(200, ACAO))
    with pytest.raises(ValueError):
        evaluate(call(method="PUT"), answer(204, *PUT_OK), None)


# --------------------------------------------------------------------------
# Bodies: what makes a request simple

@pytest.mark.parametrize("body, initiator, content_type, preflight", [
    ("text", "fetch", "text/plain;charset=UTF-8", False),
    ("form", "xhr", "application/x-www-form-urlencoded;charset=UTF-8", False),
    ("multipart", "fetch", "multipart/form-data; boundary=----WebKitFormBoundaryCorslint0001", False),
    ("json", "fetch", "application/json", True),
    ("stream", "fetch", None, True),
    ("upload-listener", "xhr", "text/plain;charset=UTF-8", True),
])
def test_bodies(body, initiator, content_type, preflight):
    c = with_body(call(method="POST", initiator=initiator), body)
    assert dict(c.headers).get("Content-Type") == content_type
    assert needs_preflight(c) is preflight


def test_a_stream_body_passing_cors_is_noted_as_needing_http2():
    c = with_body(call(method="POST"), "stream")
    verdict = evaluate(c, answer(204, ACAO, ("Access-Control-Allow-Methods", "POST")), answer(200, ACAO))
    assert verdict.allowed is True
    assert verdict.notes == [STREAM_NOTE] and "ERR_H2_OR_QUIC_REQUIRED" in STREAM_NOTE
    assert evaluate(with_body(call(method="POST"), "text"), None, answer(200, ACAO)).notes == []


def test_an_explicit_content_type_wins_over_the_body():
    c = with_body(call(method="POST", headers=[("content-type", "text/plain")]), "json")
    assert c.headers == (("content-type", "text/plain"),)
    c = with_body(call(method="POST"), "text", "application/xml")
    assert c.headers == (("Content-Type", "application/xml"),)
    assert needs_preflight(c)


@pytest.mark.parametrize("method, body, initiator", [
    ("GET", "text", "fetch"), ("head", "json", "xhr"), ("POST", "stream", "xhr"),
    ("POST", "upload-listener", "fetch"), ("POST", "yaml", "fetch"),
])
def test_bodies_browsers_refuse(method, body, initiator):
    with pytest.raises(ValueError):
        with_body(call(method=method, initiator=initiator), body)


# --------------------------------------------------------------------------
# Following redirects

def routes(table):
    """A `follow` that answers (method or "OPTIONS", path) from a table."""
    def follow(request):
        key = ("OPTIONS" if request.method == "OPTIONS" else "*", request.path)
        return table.get(key)
    return follow


def test_cross_origin_redirect_taints_the_origin():
    c = call("start")
    first = answer(302, ACAO, ("Location", "http://localhost:8002/next"))
    follow = routes({("*", "/next"): answer(200, ACAO)})
    verdict = evaluate(c, None, first, follow)
    assert verdict.kind == "AllowOriginMismatch"
    assert verdict.url == "http://localhost:8002/next"
    assert console_line(c, verdict) == (
        "Access to fetch at 'http://localhost:8002/next' (redirected from "
        "'http://127.0.0.1:8002/start') from origin 'http://127.0.0.1:8001' has been blocked by "
        "CORS policy: The 'Access-Control-Allow-Origin' header has a value "
        "'http://127.0.0.1:8001' that is not equal to the supplied origin. Have the server send "
        "the header with a valid value.")
    null = routes({("*", "/next"): answer(200, ("Access-Control-Allow-Origin", "null"))})
    assert evaluate(c, None, first, null).allowed is True


def test_same_origin_redirect_keeps_the_origin_and_preflights_again():
    c = call("start", method="PUT", headers=[("Authorization", "t")])
    preflight = answer(204, *PUT_OK, ("Access-Control-Allow-Headers", "authorization"))
    first = answer(307, ACAO, ("Location", "/next"))
    follow = routes({("OPTIONS", "/next"): answer(204, *PUT_OK), ("*", "/next"): answer(200, ACAO)})
    verdict = evaluate(c, preflight, first, follow)
    assert verdict.kind == "HeaderDisallowedByPreflightResponse"
    assert verdict.url == f"{API}/next"


def test_cross_origin_redirect_drops_authorization_and_303_drops_the_body():
    c = with_body(call("start", method="POST", headers=[("Authorization", "t")]), "json")
    preflight = answer(204, ACAO, ("Access-Control-Allow-Headers", "authorization, content-type"))
    first = answer(303, ACAO, ("Location", "http://localhost:8002/next"))
    follow = routes({("*", "/next"): answer(200, ("Access-Control-Allow-Origin", "*"))})
    assert evaluate(c, preflight, first, follow).allowed is True  # a simple GET: no preflight


def test_redirect_to_a_url_with_userinfo_fails_even_to_the_same_origin():
    first = answer(302, ACAO, ("Location", "http://user:pw@127.0.0.1:8002/next"))
    verdict = evaluate(call(), None, first, routes({("*", "/next"): answer(200, ACAO)}))
    assert (verdict.kind, verdict.url) == ("RedirectContainsCredentials", None)


def test_unknown_redirect_target():
    first = answer(302, ACAO, ("Location", "/next"))
    verdict = evaluate(call(), None, first, routes({}))
    assert (verdict.allowed, verdict.reason) == (
        None, f"redirected to {API}/next; the target's answer is outside this configuration")


def test_too_many_redirects():
    loop = answer(302, ACAO, ("Location", "/x"))
    verdict = evaluate(call(), None, loop, lambda request: loop)
    assert (verdict.allowed, verdict.reason) == (None, "more than 20 redirects")


def test_verdict_names_the_failed_parameter():
    c = call(method="PUT", headers=[("X-Zeta", "1")])
    verdict = evaluate(c, answer(204, *PUT_OK), None)
    assert verdict.parameter == "x-zeta"


# --------------------------------------------------------------------------
# simulate's report

class FakeModel:
    """Answers by (method or "OPTIONS", path); records what it was asked."""

    def __init__(self, table):
        self.table, self.asked = table, []

    def answer(self, request, *, upstream=None, files=None, client_addr=None):
        self.asked.append(request.url)
        return self.table[("OPTIONS" if request.method == "OPTIONS" else "*", request.path)]


def test_simulate_report_ends_with_cause_fix_and_console_line():
    from corslint import simulate
    from corslint.model import Source

    acao = HeaderLine("access-control-allow-origin", PAGE, Source("api.conf", 5))
    model = FakeModel({("OPTIONS", "/x"): Answer(204, [], status_source=Source("api.conf", 8)),
                       ("*", "/x"): Answer(200, [acao])})
    text = simulate.to_text(simulate.run(model, call(method="PUT")))
    assert text.splitlines()[-5:-1] == [
        "Verdict: blocked at the preflight.",
        "Caused by: status 204 (api.conf:8), with no access-control-allow-origin line",
        "Caused by: the actual request gets access-control-allow-origin from api.conf:5, "
        "the preflight does not",
        f"Fix: send Access-Control-Allow-Origin: {PAGE} on the preflight (OPTIONS) response",
    ]
    assert text.splitlines()[-1] == (
        f"Access to fetch at '{API}/x' from origin '{PAGE}' has been blocked by CORS policy: "
        "Response to preflight request doesn't pass access control check: No "
        "'Access-Control-Allow-Origin' header is present on the requested resource.")
    assert "  sent because the method PUT is not GET, HEAD or POST" in text


def test_simulate_follows_redirects_on_the_same_server_only():
    from corslint import simulate

    model = FakeModel({("*", "/x"): answer(302, ACAO, ("Location", "/y")),
                       ("*", "/y"): answer(200, ACAO)})
    sim = simulate.run(model, call())
    assert sim.verdict.allowed is True
    assert [r.url for r, _ in sim.hops] == [f"{API}/y"]
    model = FakeModel({("*", "/x"): answer(302, ACAO, ("Location", "https://login.example/y"))})
    sim = simulate.run(model, call())
    assert sim.verdict.allowed is None and sim.hops == []
    assert simulate.to_json(sim)["redirects"] == []
