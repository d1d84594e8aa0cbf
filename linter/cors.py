"""The CORS protocol's own facts, in one place: header names, what the
Fetch standard safelists and forbids, and how browsers read
Access-Control-Max-Age.

Rules, probes, `browser` (Chromium's side of `simulate`) and `simulate`
read these; nothing here knows a server format.  Values are what the
Fetch standard says, with each browser's deviation named as such
(Chromium 156, Firefox, WebKit: shared/reference/browser-cors.md).
Standard library only (`re`, which every run imports anyway), and
nothing compiled at import.
"""

from __future__ import annotations

import re

# --------------------------------------------------------------------------- header names (lower-case)

ORIGIN = "origin"
VARY = "vary"
ACAO = "access-control-allow-origin"
ACAC = "access-control-allow-credentials"
ACAM = "access-control-allow-methods"
ACAH = "access-control-allow-headers"
ACEH = "access-control-expose-headers"
MAX_AGE = "access-control-max-age"
#: the response headers of the CORS protocol, all of which start with CORS_PREFIX
CORS_HEADERS = (ACAO, ACAC, ACAM, ACAH, ACEH, MAX_AGE)
CORS_PREFIX = "access-control-"
#: what a preflight asks for
ACRM = "access-control-request-method"
ACRH = "access-control-request-headers"

# --------------------------------------------------------------------------- methods

#: CORS-safelisted methods: they never cause a preflight
SAFELISTED_METHODS = frozenset({"GET", "HEAD", "POST"})
#: Fetch "normalize": only these are uppercased, so `patch` stays `patch`
NORMALIZED_METHODS = frozenset({"DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"})
#: methods fetch() and XHR refuse to send
FORBIDDEN_METHODS = frozenset({"CONNECT", "TRACE", "TRACK"})

# --------------------------------------------------------------------------- request headers

#: request headers a page cannot set (the `Headers` guard "request" drops
#: them silently), so they never cause a preflight; so are `proxy-*` and
#: `sec-*` (FORBIDDEN_HEADER_PREFIXES)
FORBIDDEN_HEADERS = frozenset({
    "accept-charset", "accept-encoding", ACRH, ACRM, "connection", "content-length", "cookie",
    "cookie2", "date", "dnt", "expect", "host", "keep-alive", ORIGIN,
    "referer", "set-cookie", "te", "trailer", "transfer-encoding", "upgrade",
    "via",
})
FORBIDDEN_HEADER_PREFIXES = ("proxy-", "sec-")
#: Chromium also drops these (net/http/http_util.cc; User-Agent for crbug 571722)
CHROMIUM_FORBIDDEN_HEADERS = FORBIDDEN_HEADERS | {
    "access-control-request-private-network", "user-agent",
}
#: forbidden when their value names a forbidden method
METHOD_OVERRIDE_HEADERS = frozenset({
    "x-http-method", "x-http-method-override", "x-method-override",
})

#: the CORS-safelisted request headers are Accept, Accept-Language,
#: Content-Language, Content-Type and Range, each with a condition on its
#: value: the Content-Type values (MIME essence) that keep a request simple
SAFELISTED_CONTENT_TYPES = frozenset({
    "application/x-www-form-urlencoded", "multipart/form-data", "text/plain",
})
#: bytes that make an Accept / Content-Type value unsafe
UNSAFE_BYTES = frozenset('"():<>?@[\\]{}\x7f') | {chr(c) for c in range(0x20) if c != 0x09}
#: the characters an Accept-Language / Content-Language value may hold
LANGUAGE_CHARS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz *,-.;=")
#: a safelisted value is at most this long, and all of them together at most MAX_SAFELISTED_TOTAL
MAX_SAFELISTED_VALUE = 128
MAX_SAFELISTED_TOTAL = 1024

# --------------------------------------------------------------------------- origins

#: the default port of each special scheme: a browser leaves it out of an
#: origin it serializes (`https://a.example:443` is sent as `https://a.example`)
DEFAULT_PORTS = {"http": "80", "https": "443", "ws": "80", "wss": "443", "ftp": "21"}

# --------------------------------------------------------------------------- Access-Control-Max-Age

#: seconds a preflight is cached without (or with an unparseable) Max-Age
DEFAULT_MAX_AGE = 5
CHROMIUM_MAX_AGE_CAP = 7200
FIREFOX_MAX_AGE_CAP = 86400
WEBKIT_MAX_AGE_CAP = 600

#: base::StringToInt64's grammar (compiled by `re`'s cache on first use)
_INT64 = r"[+-]?[0-9]+"


def max_age_text(value: str) -> str:
    """The Max-Age value as browsers parse it: trimmed of HTTP tabs and spaces."""
    return value.strip(" \t")


def max_age_seconds(value: str) -> int | None:
    """Access-Control-Max-Age as Chromium reads it (base::StringToInt64 of
    the trimmed value): an optional sign and ASCII digits within 64 bits,
    leading zeros allowed; None for anything else (`5.5`, `1d`, `٥`, a
    number past 2**63).  Negative values are returned as such."""
    text = max_age_text(value)
    if not re.fullmatch(_INT64, text):
        return None
    number = int(text)
    return number if -2**63 <= number < 2**63 else None
