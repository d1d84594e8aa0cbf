"""The browser side of `corslint simulate`: what Chromium does with the
server's answers to one cross-origin call.

Everything here follows Chromium 156 (the browser people debug with) and
says so in `Verdict.notes` where the Fetch standard or other browsers
disagree.  The order of the checks and the console texts are Chromium's
(`services/network/cors/`, `cors_error_string.cc`); see
shared/reference/browser-cors.md sections 1, 2, 8 and 9.

Pure functions over `Request` / `Answer` from `model`: no I/O, standard
library only.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple
from urllib.parse import urljoin, urlsplit

from . import fetchheaders
from .cors import (
    ACAC,
    ACAH,
    ACAM,
    ACAO,
    ACRH,
    ACRM,
    CHROMIUM_FORBIDDEN_HEADERS,
    CHROMIUM_MAX_AGE_CAP,
    DEFAULT_MAX_AGE,
    DEFAULT_PORTS,
    FIREFOX_MAX_AGE_CAP,
    FORBIDDEN_HEADER_PREFIXES,
    FORBIDDEN_HEADERS,
    FORBIDDEN_METHODS,
    LANGUAGE_CHARS,
    MAX_AGE,
    MAX_SAFELISTED_TOTAL,
    MAX_SAFELISTED_VALUE,
    METHOD_OVERRIDE_HEADERS,
    NORMALIZED_METHODS,
    ORIGIN,
    SAFELISTED_CONTENT_TYPES,
    SAFELISTED_METHODS,
    UNSAFE_BYTES,
    WEBKIT_MAX_AGE_CAP,
    max_age_seconds,
    max_age_text,
)
from .model import Answer, Request
from .record import field, record, replace

_HTTP_WHITESPACE = " \t\r\n"

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_SIMPLE_RANGE = re.compile(r"bytes=([0-9]+)-([0-9]*)", re.IGNORECASE)
_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_INTEGER = re.compile(r"[0-9]+")
_EFFECTIVE_CONNECTION_TYPES = frozenset({"slow-2g", "2g", "3g", "4g"})

# Only these statuses make Chromium follow a Location (net::HttpResponseHeaders).
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 20
# Dropped with the body when a redirect turns the request into a GET.
_BODY_HEADERS = frozenset({"content-encoding", "content-language", "content-location", "content-type"})


@record(frozen=True)
class Call:
    """The cross-origin call a page makes with `fetch()` or XHR.

    `origin` is the page origin as the browser serializes it
    (`https://app.example.com`, or `null` for opaque origins); `credentials`
    is fetch `credentials: 'include'` / XHR `withCredentials`;
    `force_preflight` is the use-CORS-preflight flag (XHR upload listeners,
    a ReadableStream body).
    """

    url: str
    origin: str
    method: str = "GET"
    headers: tuple[tuple[str, str], ...] = ()
    credentials: bool = False
    initiator: str = "fetch"
    force_preflight: bool = False
    #: the body is a ReadableStream (fetch with `duplex: 'half'`)
    streams: bool = False
    #: values for headers the browser sends itself and a page cannot set
    #: (User-Agent, Accept-Encoding, Referer, Sec-*, DNT: `is_browser_own`),
    #: replacing Chromium's in every request, or added to every request when
    #: Chromium sends no such header by default: another client, or a
    #: browser configured otherwise (`simulate --header 'User-Agent: '`)
    client_headers: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if self.initiator not in ("fetch", "xhr"):
            raise ValueError(f"initiator must be 'fetch' or 'xhr', not {self.initiator!r}")
        object.__setattr__(self, "headers", tuple((n, v) for n, v in self.headers))


@record
class Verdict:
    """What the browser decides about a call.

    allowed
        True/False, or None when the configuration cannot tell (`reason`).
    stage
        "preflight" or "response": where it was blocked or became unknown.
    kind
        Chromium's CorsError name as the DevTools protocol reports it.
    error
        the text Chromium prints after "has been blocked by CORS policy: ".
    notes
        facts worth knowing that do not change Chromium's verdict (spec
        deviations, Max-Age caps, uncertain answers).
    parameter
        what the error is about (the header value, method or header name),
        as the DevTools protocol's `failedParameter`.
    url
        the URL whose answer decided, when a redirect was followed to it
        (Chromium then names it first, "(redirected from <the call's URL>)").
    """

    allowed: bool | None
    stage: str | None = None
    kind: str | None = None
    error: str | None = None
    notes: list[str] = field(default_factory=list)
    reason: str | None = None
    parameter: str | None = None
    url: str | None = None


#: what CORS does not decide about a streaming body (seen in the Chromium suite:
#: over HTTP/1.1 the fetch fails after a preflight that passes)
STREAM_NOTE = ("Chromium sends a ReadableStream body only over HTTP/2 or HTTP/3: over HTTP/1.1 this fetch() "
               "fails with net::ERR_H2_OR_QUIC_REQUIRED whatever the CORS answers are")

# What a request body makes the browser do: the Content-Type it sets unless
# the page set one (for "json" the page sets it: nobody sends JSON as
# text/plain on purpose), and whether it sets the use-CORS-preflight flag
# (a ReadableStream body; XHR upload listeners), which preflights even a
# "simple" POST.
BODIES: dict[str, tuple[str | None, bool]] = {
    "none": (None, False),
    "text": ("text/plain;charset=UTF-8", False),
    "form": ("application/x-www-form-urlencoded;charset=UTF-8", False),
    "multipart": ("multipart/form-data; boundary=----WebKitFormBoundaryCorslint0001", False),
    "json": ("application/json", False),
    "stream": (None, True),
    "upload-listener": ("text/plain;charset=UTF-8", True),
}


def with_body(call: Call, body: str, content_type: str | None = None) -> Call:
    """The call as the page sends it with this kind of body and, optionally,
    an explicit Content-Type (which wins over the body's default, as a
    Content-Type the page sets does).  Raises ValueError for calls a browser
    refuses: a body on GET/HEAD, a stream from XHR, upload listeners on fetch."""
    if body not in BODIES:
        raise ValueError(f"unknown body kind {body!r} (one of {', '.join(BODIES)})")
    default_type, forced = BODIES[body]
    if body != "none" and normalize_method(call.method) in ("GET", "HEAD"):
        raise ValueError(f"a {call.method.upper()} request cannot have a body")
    if body == "stream" and call.initiator != "fetch":
        raise ValueError("only fetch() can send a stream body")
    if body == "upload-listener" and call.initiator != "xhr":
        raise ValueError("upload listeners exist on XMLHttpRequest only")
    headers = list(call.headers)
    if content_type is not None:
        headers = [(n, v) for n, v in headers if n.lower() != "content-type"]
        headers.append(("Content-Type", content_type))
    elif default_type and not any(n.lower() == "content-type" for n, _ in headers):
        headers.append(("Content-Type", default_type))
    return replace(call, headers=tuple(headers), force_preflight=call.force_preflight or forced,
                   streams=call.streams or body == "stream")


class MaxAge(NamedTuple):
    """How long each engine caches a preflight for one Access-Control-Max-Age
    value, and why it differs from what the value seems to say (or None)."""

    chromium: int
    firefox: int
    webkit: int
    note: str | None


# --------------------------------------------------------------------------
# The request side: what the browser sends

def normalize_method(method: str) -> str:
    """Fetch's method normalization: the six well-known methods are
    uppercased, every other method keeps its case (servers then see `patch`)."""
    upper = method.upper()
    return upper if upper in NORMALIZED_METHODS else method


def is_forbidden_method(method: str) -> bool:
    """CONNECT, TRACE and TRACK make fetch()/XHR throw before any request."""
    return method.upper() in FORBIDDEN_METHODS


def unsafe_header_names(headers, *, chromium: bool = True) -> list[str]:
    """The CORS-unsafe request-header names: lower-case, in request order,
    de-duplicated.  Non-empty means the call needs a preflight.

    Forbidden headers are dropped first, as the page's `Headers` object does.
    `chromium=True` applies Chromium's deviations: repeated names are merged
    into one value (its header map does that), a few client hints are
    safelisted, User-Agent is forbidden, and Content-Type whitespace around
    the `/` is tolerated.  `chromium=False` is the Fetch standard.
    """
    unsafe: list[str] = []
    safe: list[str] = []
    safe_total = 0
    for name, value in _sendable_headers(headers, chromium):
        if _is_safelisted(name, value, chromium):
            safe.append(name)
            safe_total += len(value)
        else:
            unsafe.append(name)
    # Many small safelisted values together can still smuggle data.
    if safe_total > MAX_SAFELISTED_TOTAL:
        unsafe += safe
    return list(dict.fromkeys(unsafe))


def needs_preflight(call: Call) -> bool:
    """Whether Chromium sends an OPTIONS preflight before the call (ignoring
    its preflight cache)."""
    if _same_origin(call):
        return False
    return (call.force_preflight
            or normalize_method(call.method) not in SAFELISTED_METHODS
            or bool(unsafe_header_names(call.headers)))


def preflight_request(call: Call) -> Request:
    """The OPTIONS request the browser sends first.  It carries no cookies
    and no Authorization; Access-Control-Request-Headers is joined with ","
    and no space, as the standard prescribes."""
    headers = [(ORIGIN, call.origin), (ACRM, normalize_method(call.method))]
    unsafe = unsafe_header_names(call.headers)
    if unsafe:
        headers.append((ACRH, ",".join(sorted(unsafe))))
    headers += _browser_own(call, fetchheaders.PREFLIGHT, ())
    return Request("OPTIONS", call.url, tuple(headers))


def actual_request(call: Call) -> Request:
    """The request itself, with the headers the page could set (one line per
    name, as Chromium sends them) and Origin (omitted only for a same-origin
    GET/HEAD, as in the standard)."""
    method = normalize_method(call.method)
    headers = _sendable_headers(call.headers, chromium=True)
    own = fetchheaders.ACTUAL + (fetchheaders.CREDENTIALED if call.credentials else ())
    headers += _browser_own(call, own, {name for name, _ in headers})
    if not (_same_origin(call) and method in ("GET", "HEAD")):
        headers.insert(0, (ORIGIN, call.origin))
    return Request(method, call.url, tuple(headers))


def _browser_own(call: Call, defaults, page_set) -> list[tuple[str, str]]:
    """The headers Chromium adds itself (fetchheaders), minus those the
    page set (Accept), with the call's `client_headers` in their place
    and after them."""
    replaced = {name.lower(): value for name, value in call.client_headers}
    if _same_origin(call):
        replaced.setdefault("sec-fetch-site", "same-origin")
    own = [(name, replaced.get(name, value)) for name, value in defaults + fetchheaders.referer(call.origin)
           if name not in page_set]
    # what Chromium does not send by default (DNT, Sec-Fetch-User, more client hints): in every request
    return own + [(name, value) for name, value in replaced.items()
                  if name not in fetchheaders.BROWSER_ONLY and name not in page_set]


def is_browser_own(name: str) -> bool:
    """Whether the header `name` is one the browser sends itself and a page
    cannot set, so that `Call.client_headers` describes it: those Chromium
    sends (fetchheaders.BROWSER_ONLY), any other `Sec-*` (client hints,
    Sec-Fetch-User, Sec-GPC) and DNT (sent when the user turns it on)."""
    name = name.lower()
    return name in fetchheaders.BROWSER_ONLY or name.startswith("sec-") or name == "dnt"


def _sendable_headers(headers, chromium: bool) -> list[tuple[str, str]]:
    """The header list after the page set it: lower-case names, values
    trimmed of HTTP whitespace, forbidden headers dropped; for Chromium,
    repeated names merged with ", " at the first occurrence."""
    entries = []
    for name, value in headers:
        name, value = name.lower(), value.strip(_HTTP_WHITESPACE)
        if not is_forbidden_header(name, value, chromium):
            entries.append((name, value))
    if not chromium:
        return entries
    merged: dict[str, list[str]] = {}
    for name, value in entries:
        merged.setdefault(name, []).append(value)
    return [(name, ", ".join(values)) for name, values in merged.items()]


def is_forbidden_header(name: str, value: str, chromium: bool = True) -> bool:
    """A header a page cannot set (`name` lower-case): the browser's
    `Headers` drops it silently (shared/reference/browser-cors.md 1.1)."""
    forbidden = CHROMIUM_FORBIDDEN_HEADERS if chromium else FORBIDDEN_HEADERS
    if name in forbidden or name.startswith(FORBIDDEN_HEADER_PREFIXES):
        return True
    if name in METHOD_OVERRIDE_HEADERS:
        return any(is_forbidden_method(m.strip(" \t")) for m in value.split(","))
    return False


def _is_safelisted(name: str, value: str, chromium: bool) -> bool:
    """The CORS-safelisted request-header test (plus Chromium's client hints)."""
    if len(value) > MAX_SAFELISTED_VALUE:
        return False
    if name == "accept":
        return not _has_unsafe_byte(value)
    if name in ("accept-language", "content-language"):
        return set(value) <= LANGUAGE_CHARS
    if name == "content-type":
        return (not _has_unsafe_byte(value)
                and _mime_essence(value, chromium) in SAFELISTED_CONTENT_TYPES)
    if name == "range":
        return _is_simple_range(value)
    return chromium and _is_chromium_client_hint(name, value)


def _has_unsafe_byte(value: str) -> bool:
    return any(c in UNSAFE_BYTES for c in value)


def _mime_essence(value: str, chromium: bool) -> str | None:
    """Lower-case type/subtype, ignoring parameters; None if it does not
    parse.  Chromium trims whitespace around the `/`, WHATWG MIME parsing
    does not."""
    type_, slash, subtype = value.split(";", 1)[0].partition("/")
    if chromium:
        type_, subtype = type_.strip(_HTTP_WHITESPACE), subtype.strip(_HTTP_WHITESPACE)
    else:
        subtype = subtype.rstrip(_HTTP_WHITESPACE)
    if not slash or not _TOKEN.fullmatch(type_) or not _TOKEN.fullmatch(subtype):
        return None
    return f"{type_}/{subtype}".lower()


def _is_simple_range(value: str) -> bool:
    """`bytes=START-` or `bytes=START-END` with START <= END: no suffix
    ranges, no lists, no whitespace."""
    match = _SIMPLE_RANGE.fullmatch(value)
    if not match:
        return False
    start, end = match.groups()
    return not end or int(start) <= int(end)


def _is_chromium_client_hint(name: str, value: str) -> bool:
    """Client hints Chromium safelists although the standard does not
    (services/network/public/cpp/cors/cors.cc, IsCorsSafelistedHeader)."""
    if name in ("device-memory", "dpr", "downlink"):
        return bool(_DECIMAL.fullmatch(value))
    if name in ("width", "viewport-width", "rtt"):
        return bool(_INTEGER.fullmatch(value))
    if name == "ect":
        return value in _EFFECTIVE_CONNECTION_TYPES
    if name == "save-data":
        return value.lower() == "on"
    return name == "intervention"


# --------------------------------------------------------------------------
# The browser's decision


class _Unknown(Exception):
    """A check needs something the configuration cannot tell."""


def evaluate(call: Call, preflight: Answer | None, response: Answer | None,
             follow: Callable[[Request], Answer | None] | None = None) -> Verdict:
    """Chromium's verdict on the call, given the server's answers.

    `preflight` answers `preflight_request(call)` and must be given exactly
    when `needs_preflight(call)`; `response` answers `actual_request(call)`
    and may be None only when the preflight already decides.  Checks run in
    Chromium's order; the first failure decides, and the first unknown value
    before any failure makes the verdict unknown (allowed=None).

    A redirect is followed only with `follow`, which answers the requests
    sent after it (the target's preflight, then the request itself) or
    returns None when it cannot tell; without it the verdict is unknown.
    """
    if needs_preflight(call) != (preflight is not None):
        raise ValueError("pass a preflight answer exactly when needs_preflight(call)")
    if _same_origin(call):
        return Verdict(True, notes=["same-origin request: CORS does not apply"])
    notes: list[str] = [STREAM_NOTE] if call.streams else []
    hop = call
    for redirects in range(MAX_REDIRECTS + 1):
        if redirects:  # a followed redirect: ask for the target's answers
            preflight = response = None
            if needs_preflight(hop):
                preflight = follow(preflight_request(hop))
                if preflight is None:
                    return _finish(_outside(hop), notes, hop, call)
        if preflight is not None:
            notes += _answer_notes(preflight, "preflight response")
            verdict = _run("preflight", _check_preflight, hop, preflight, notes)
            if verdict is not None:
                if verdict.allowed is None and response is not None:
                    notes += _fails_anyway(hop, response)
                return _finish(verdict, notes, hop, call)
        if redirects:
            response = follow(actual_request(hop))
            if response is None:
                return _finish(_outside(hop), notes, hop, call)
        if response is None:
            raise ValueError("the response answer is needed: the preflight does not decide")
        notes += _answer_notes(response, "response")
        verdict = _run("response", _check_response, hop, response, notes)
        if not isinstance(verdict, _Redirect):
            return _finish(verdict or Verdict(True), notes, hop, call)
        target = verdict.target
        parts = urlsplit(target)
        if parts.username or parts.password:
            # Chromium fails every cross-origin call here, even where the
            # standard lets a same-origin hop pass (observed); 156 prints ''
            # instead of the location.
            return _finish(_fail(hop, "response", "RedirectContainsCredentials", ""), notes, hop, call)
        hop = _redirected(hop, response, target, url_origin(target) != url_origin(hop.url))
        if follow is None:
            return _finish(_outside(hop), notes, call, call)
    return _finish(Verdict(None, "response", reason=f"more than {MAX_REDIRECTS} redirects"),
                   notes, hop, call)


def console_line(call: Call, verdict: Verdict) -> str | None:
    """The error line Chromium's console shows for a blocked call, None
    unless it is blocked.  After redirects it names the URL that failed and
    the one the page asked for; the origin stays the page's even when the
    redirect made the browser send `Origin: null`."""
    if verdict.allowed is not False:
        return None
    kind = "XMLHttpRequest" if call.initiator == "xhr" else "fetch"
    url = f"'{_display_url(verdict.url or call.url)}'"
    if verdict.url and verdict.url != call.url:
        url += f" (redirected from '{_display_url(call.url)}')"
    return (f"Access to {kind} at {url} from origin "
            f"'{call.origin}' has been blocked by CORS policy: {verdict.error}")


def max_age_effect(value: str | None) -> MaxAge:
    """What an Access-Control-Max-Age value does in each engine (reference
    section 4).  Chromium: unparseable -> 5 s, negative -> 0 (no caching),
    capped at 7200 s; Firefox caps at 86400 s and does not cache anything but
    plain digits; WebKit caps at 600 s."""
    if value is None:
        return MaxAge(DEFAULT_MAX_AGE, DEFAULT_MAX_AGE, DEFAULT_MAX_AGE, None)
    text = max_age_text(value)
    seconds = max_age_seconds(value)
    if seconds is None:
        return MaxAge(DEFAULT_MAX_AGE, 0, DEFAULT_MAX_AGE,
                      f"Access-Control-Max-Age: {value} is not a number of seconds: "
                      f"Chromium and Safari use the default {DEFAULT_MAX_AGE} s, "
                      "Firefox does not cache the preflight")
    if seconds < 0:
        return MaxAge(0, 0, 0,
                      f"Access-Control-Max-Age: {value} is negative: browsers do not cache "
                      "the preflight, but the Fetch standard treats it as invalid "
                      f"(default {DEFAULT_MAX_AGE} s); use 0")
    firefox = min(seconds, FIREFOX_MAX_AGE_CAP) if _INTEGER.fullmatch(text) else 0
    note = None
    if WEBKIT_MAX_AGE_CAP < seconds <= CHROMIUM_MAX_AGE_CAP:
        note = (f"Access-Control-Max-Age: {value} is capped at {WEBKIT_MAX_AGE_CAP} s by "
                f"Safari (Chromium allows up to {CHROMIUM_MAX_AGE_CAP} s)")
    if seconds > CHROMIUM_MAX_AGE_CAP:
        note = (f"Access-Control-Max-Age: {value} is capped at {CHROMIUM_MAX_AGE_CAP} s by "
                f"Chromium (Firefox caps at {FIREFOX_MAX_AGE_CAP} s, Safari at "
                f"{WEBKIT_MAX_AGE_CAP} s)")
    return MaxAge(min(seconds, CHROMIUM_MAX_AGE_CAP), firefox,
                  min(seconds, WEBKIT_MAX_AGE_CAP), note)


_Check = Callable[[Call, Answer, list[str]], Verdict | None]


def _run(stage: str, check: _Check, call: Call, answer: Answer,
         notes: list[str]) -> Verdict | None:
    """Run one stage's checks, turning an unknown into allowed=None."""
    try:
        return check(call, answer, notes)
    except _Unknown as unknown:
        label = "preflight response" if stage == "preflight" else "response"
        return Verdict(None, stage, reason=f"{label}: {unknown}")


def _check_preflight(call: Call, answer: Answer, notes: list[str]) -> Verdict | None:
    """Chromium's preflight checks in order (preflight_controller.cc,
    preflight_result.cc): redirect, CheckAccess, status, ACAM/ACAH parse,
    method, headers.  None means the preflight passes."""
    if _is_redirect(answer):
        return _fail(call, "preflight", "PreflightDisallowedRedirect")
    blocked = _check_access(call, answer, "preflight")
    if blocked:
        return blocked
    if not 200 <= _status(answer) <= 299:
        return _fail(call, "preflight", "PreflightInvalidStatus")
    methods = _allow_list(answer, ACAM)
    if methods is None:
        return _fail(call, "preflight", "InvalidAllowMethodsPreflightResponse")
    allowed_headers = _allow_list(answer, ACAH)
    if allowed_headers is None:
        return _fail(call, "preflight", "InvalidAllowHeadersPreflightResponse")
    blocked = (_check_method(call, answer, methods)
               or _check_headers(call, answer, {h.lower() for h in allowed_headers}, notes))
    if blocked:
        return blocked
    notes += _max_age_notes(answer)
    return None


def _check_method(call: Call, answer: Answer, methods: list[str]) -> Verdict | None:
    """The method must be listed byte-exactly (`put` does not allow PUT), be
    safelisted, or be covered by `*` when no credentials are sent."""
    method = normalize_method(call.method)
    if (method in methods or method in SAFELISTED_METHODS
            or ("*" in methods and not call.credentials)):
        return None
    _unless_backend_adds(answer, _title(ACAM))
    return _fail(call, "preflight", "MethodDisallowedByPreflightResponse", method)


def _check_headers(call: Call, answer: Answer, allowed: set[str],
                   notes: list[str]) -> Verdict | None:
    """Every unsafe header must be listed (case-insensitively), in request
    order so the first failing one is reported, unless `*` applies (no
    credentials).  Chromium 156 lets `*` cover Authorization; the standard
    does not."""
    unsafe = unsafe_header_names(call.headers)
    if "*" in allowed and not call.credentials:
        if "authorization" in unsafe and "authorization" not in allowed:
            notes.append("passes in Chromium 156, fails per the Fetch standard: "
                         "Access-Control-Allow-Headers: * does not cover Authorization")
        return None
    for name in unsafe:
        if name not in allowed:
            _unless_backend_adds(answer, _title(ACAH))
            return _fail(call, "preflight", "HeaderDisallowedByPreflightResponse", name)
    return None


class _Redirect(NamedTuple):
    """The response passed the CORS check and redirects to `target`."""

    target: str


def _check_response(call: Call, answer: Answer, notes: list[str]) -> Verdict | _Redirect | None:
    """The actual response: the CORS check applies whatever the status,
    each redirect included."""
    blocked = _check_access(call, answer, "response")
    if blocked or not _is_redirect(answer):
        return blocked
    location = answer.values("location")[0]
    if location is None:
        raise _Unknown("redirected to an unknown Location")
    return _Redirect(urljoin(call.url, location.strip(" \t")))


def _redirected(call: Call, answer: Answer, target: str, crosses: bool) -> Call:
    """The call as the browser continues it at `target` (Fetch "HTTP-redirect
    fetch"): leaving the URL's origin taints the Origin to `null` (the call
    is cross-origin from the start) and drops Authorization; 301/302 turn a
    POST, 303 anything but GET/HEAD, into a GET without the body's headers."""
    method, headers = normalize_method(call.method), call.headers
    if (answer.status in (301, 302) and method == "POST"
            or answer.status == 303 and method not in ("GET", "HEAD")):
        method = "GET"
        headers = tuple((n, v) for n, v in headers if n.lower() not in _BODY_HEADERS)
    if crosses:
        headers = tuple((n, v) for n, v in headers if n.lower() != "authorization")
    return replace(call, url=target, method=method, headers=headers,
                   origin="null" if crosses else call.origin)


def _outside(hop: Call) -> Verdict:
    return Verdict(None, "response", reason=f"redirected to {hop.url}; "
                                            "the target's answer is outside this configuration")


def _finish(verdict: Verdict, notes: list[str], hop: Call, call: Call) -> Verdict:
    verdict.notes = notes + verdict.notes
    if hop.url != call.url and verdict.allowed is False:
        verdict.url = hop.url
    return verdict


def _check_access(call: Call, answer: Answer, stage: str) -> Verdict | None:
    """Chromium's CheckAccess (ACAO, then ACAC for credentialed calls), which
    runs on the preflight with the actual call's credentials mode."""
    prefix = "Preflight" if stage == "preflight" else ""
    origin = _combined(answer, ACAO)
    if origin == "*":
        return _fail(call, stage, prefix + "WildcardOriginNotAllowed") if call.credentials else None
    if origin is None:
        _unless_backend_adds(answer, _title(ACAO))
        return _fail(call, stage, prefix + "MissingAllowOriginHeader")
    if origin != call.origin:
        return _fail(call, stage, prefix + _origin_mismatch_kind(origin), origin)
    if not call.credentials:
        return None
    allow = _combined(answer, ACAC)
    if allow == "true":
        return None
    if allow is None:
        _unless_backend_adds(answer, _title(ACAC))
    return _fail(call, stage, prefix + "InvalidAllowCredentials", allow or "")


def _origin_mismatch_kind(value: str) -> str:
    """Chromium's diagnosis of an ACAO value that is not the origin: a space
    or comma means several values (two header lines join as "a, b")."""
    if " " in value or "," in value:
        return "MultipleAllowOriginValues"
    if value != "null" and not _parses_as_url(value):
        return "InvalidAllowOriginValue"
    return "AllowOriginMismatch"


_URL_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_HOST_PORT = re.compile(r"(\[[^\]]*\]|[^:]*)(?::(.*))?")
_FORBIDDEN_HOST_CHARS = frozenset("\x00\t\n\r #/:<>?@[\\]^|")


def _parses_as_url(value: str) -> bool:
    """Close to Chromium's GURL validity, which decides between
    InvalidAllowOriginValue (`foo`) and AllowOriginMismatch: a scheme, and
    for http(s)-like schemes a usable host and port."""
    scheme = _URL_SCHEME.match(value)
    if not scheme:
        return False
    if scheme.group()[:-1].lower() not in DEFAULT_PORTS:
        return True
    rest = value[scheme.end():].lstrip("/\\")
    authority = re.split(r"[/\\?#]", rest, maxsplit=1)[0].rpartition("@")[2]
    host, port = _HOST_PORT.fullmatch(authority).groups()
    if not host or (not host.startswith("[") and set(host) & _FORBIDDEN_HOST_CHARS):
        return False
    return not port or (port.isdigit() and int(port) <= 65535)


def _allow_list(answer: Answer, name: str) -> list[str] | None:
    """ACAM/ACAH as Chromium parses them: comma list, items trimmed, empty
    items skipped; None when an item is not an HTTP token (`PUT;GET`)."""
    items = [item.strip(" \t") for item in (_combined(answer, name) or "").split(",")]
    items = [item for item in items if item]
    return items if all(_TOKEN.fullmatch(item) for item in items) else None


def _combined(answer: Answer, name: str) -> str | None:
    """The header's value as the browser reads it (lines joined by ", "),
    None when absent; unknown when any line's value is unknown."""
    values = answer.values(name)
    if any(value is None for value in values):
        raise _Unknown(f"the value of {_title(name)} is unknown")
    return ", ".join(value.strip(" \t") for value in values) if values else None


def _unless_backend_adds(answer: Answer, header: str) -> None:
    """A failure caused by a missing header is not certain when the backend's
    own headers are unknown: it may send that header itself."""
    if answer.upstream_headers_unknown:
        raise _Unknown(f"{header} is not set by the configuration and the backend "
                       "may send it (its headers are unknown)")


def _status(answer: Answer) -> int:
    if answer.status is None:
        raise _Unknown("the status is unknown")
    return answer.status


def _is_redirect(answer: Answer) -> bool:
    """Chromium follows (and a preflight then fails on) 301/302/303/307/308
    with a Location; any other status with a Location is a plain response."""
    if not answer.has("location"):
        return False
    return _status(answer) in _REDIRECT_STATUSES


def _answer_notes(answer: Answer, label: str) -> list[str]:
    notes = []
    if not answer.certain:
        notes.append(f"the {label} depends on a condition the configuration cannot decide")
    if answer.upstream_headers_unknown:
        notes.append(f"the backend's own headers on the {label} are unknown; "
                     "CORS headers it adds combine with the ones shown")
    return notes


def _max_age_notes(answer: Answer) -> list[str]:
    values = answer.values(MAX_AGE)
    if not values or any(value is None for value in values):
        return []
    note = max_age_effect(", ".join(values)).note
    return [note] if note else []


def _fails_anyway(call: Call, response: Answer) -> list[str]:
    """When the preflight is undecided, say so if the response would be
    blocked whatever the preflight does."""
    later = _run("response", _check_response, call, response, [])
    if not isinstance(later, Verdict) or later.allowed is not False:
        return []
    return [f"even if the preflight passes, the response is blocked: {later.error}"]


# --------------------------------------------------------------------------
# Chromium's texts (third_party/blink/renderer/platform/loader/cors/cors_error_string.cc)

_PREFLIGHT_PREFIX = "Response to preflight request doesn't pass access control check: "
_SUFFIXES = {
    "fetch": " Have the server send the header with a valid value.",
    "xhr": " The credentials mode of requests initiated by the XMLHttpRequest is "
           "controlled by the withCredentials attribute.",
}
# kind (without the "Preflight" of the CheckAccess variants) -> (body, the
# initiator that gets its suffix)
_BODIES: dict[str, tuple[str, str | None]] = {
    "WildcardOriginNotAllowed": (
        "The value of the 'Access-Control-Allow-Origin' header in the response must not "
        "be the wildcard '*' when the request's credentials mode is 'include'.", "xhr"),
    "MissingAllowOriginHeader": (
        "No 'Access-Control-Allow-Origin' header is present on the requested resource.", None),
    "MultipleAllowOriginValues": (
        "The 'Access-Control-Allow-Origin' header contains multiple values '{hint}', "
        "but only one is allowed.", "fetch"),
    "InvalidAllowOriginValue": (
        "The 'Access-Control-Allow-Origin' header contains the invalid value '{hint}'.",
        "fetch"),
    "AllowOriginMismatch": (
        "The 'Access-Control-Allow-Origin' header has a value '{hint}' that is not equal "
        "to the supplied origin.", "fetch"),
    "InvalidAllowCredentials": (
        "The value of the 'Access-Control-Allow-Credentials' header in the response is "
        "'{hint}' which must be 'true' when the request's credentials mode is 'include'.",
        "xhr"),
    "PreflightInvalidStatus": ("It does not have HTTP ok status.", None),
    "PreflightDisallowedRedirect": ("Redirect is not allowed for a preflight request.", None),
    "InvalidAllowMethodsPreflightResponse": (
        "Cannot parse Access-Control-Allow-Methods response header field in preflight "
        "response.", None),
    "InvalidAllowHeadersPreflightResponse": (
        "Cannot parse Access-Control-Allow-Headers response header field in preflight "
        "response.", None),
    "MethodDisallowedByPreflightResponse": (
        "Method {hint} is not allowed by Access-Control-Allow-Methods in preflight "
        "response.", None),
    "HeaderDisallowedByPreflightResponse": (
        "Request header field {hint} is not allowed by Access-Control-Allow-Headers in "
        "preflight response.", None),
    "RedirectContainsCredentials": (
        "Redirect location '{hint}' contains a username and password, which is "
        "disallowed for cross-origin requests.", None),
}


def _fail(call: Call, stage: str, kind: str, hint: str | None = None) -> Verdict:
    return Verdict(False, stage, kind, _error_text(kind, hint, call.initiator), parameter=hint or "")


def _error_text(kind: str, hint: str | None, initiator: str) -> str:
    """Prefix (Preflight* kinds only), body, and the fetch-/XHR-only suffix."""
    body, suffixed = _BODIES[kind if kind in _BODIES else kind.removeprefix("Preflight")]
    text = body.format(hint=_encode_hint(hint or ""))
    if suffixed == initiator:
        text += _SUFFIXES[initiator]
    return (_PREFLIGHT_PREFIX if kind.startswith("Preflight") else "") + text


def _encode_hint(hint: str) -> str:
    """Chromium prints each byte outside printable ASCII as \\uXXXX."""
    return "".join(chr(b) if 0x20 <= b < 0x7F else f"\\u{b:04X}" for b in hint.encode("utf-8"))


def _title(name: str) -> str:
    return "-".join(part.capitalize() for part in name.split("-"))


def _display_url(url: str) -> str:
    """The URL as Chromium prints it (GURL canonical form, roughly): scheme
    and host lower-case, default port dropped, empty path shown as "/"."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.netloc:
        return url
    return parts._replace(scheme=scheme, netloc=_canonical_host_port(scheme, parts.netloc),
                          path=parts.path or "/").geturl()


def _canonical_host_port(scheme: str, netloc: str) -> str:
    userinfo, at, host_port = netloc.rpartition("@")
    host, port = _HOST_PORT.fullmatch(host_port).groups()
    port = "" if port in (None, "", DEFAULT_PORTS[scheme]) else f":{port}"
    return f"{userinfo}{at}{host.lower()}{port}"


def url_origin(url: str) -> str:
    """The origin of an http(s) URL as a browser serializes it
    (`HTTPS://App.example.com:443/x` -> `https://app.example.com`)."""
    parts = urlsplit(_display_url(url))
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"


def _same_origin(call: Call) -> bool:
    """Same-origin calls skip CORS entirely."""
    return url_origin(call.url) == call.origin
