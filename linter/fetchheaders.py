"""What a browser's cross-origin request carries besides Origin and the CORS headers.

Servers decide on these headers too (`if ($http_user_agent = "") { return
403; }` bans clients without a User-Agent; `SetEnvIf Sec-Fetch-Site`...):
a probe without them is answered as no browser ever is, and that answer can
hide every finding of a server.  So every probe (linter/probes.py) and every
`corslint simulate` request (linter/browser.py) carries them, from a remote
client (`REMOTE_CLIENT`), the way a page somewhere on the internet calls the
server.

Recorded from Chromium 156.0.8078.114 (Debian, /usr/bin/chromium --headless
--no-sandbox --disable-gpu --disable-quic --no-first-run
--disable-background-networking --disable-component-update --disable-sync,
a new empty --user-data-dir): a page on http://127.0.0.1:P calling
http://localhost:Q with fetch() (a cross-site call), logged by the server.
The values are Chromium's except the product token: headless Chromium says
`HeadlessChrome/156.0.0.0`, the browser users run says `Chrome/156.0.0.0`.
`tests/browser/test_fetch_headers.py` records them again and compares the
header names.

Tuples built once at import: every probe shares them (a lint sends tens of
thousands of probes; see `Request.header` for the lookup).
"""

#: the client address probes and `simulate` assume (TEST-NET-3, RFC 5737):
#: a browser somewhere on the internet, not on the server's own network
REMOTE_CLIENT = "203.0.113.10"

USER_AGENT = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/156.0.0.0 Safari/537.36")
_ACCEPT_ENCODING = ("accept-encoding", "gzip, deflate, br, zstd")
_ACCEPT_LANGUAGE = ("accept-language", "en-US,en;q=0.9")
_FETCH_METADATA = (("sec-fetch-mode", "cors"), ("sec-fetch-site", "cross-site"), ("sec-fetch-dest", "empty"))

#: the OPTIONS preflight's own headers, after Origin and Access-Control-Request-*
#: (no client hints: Chromium leaves them out of preflights)
PREFLIGHT = (("accept", "*/*"), ("user-agent", USER_AGENT)) + _FETCH_METADATA + (_ACCEPT_ENCODING, _ACCEPT_LANGUAGE)

#: the actual request's headers besides Origin and what the page sets
#: (a page's own Accept or Accept-Language replaces the default)
ACTUAL = (("sec-ch-ua-platform", '"Linux"'), ("user-agent", USER_AGENT),
          ("sec-ch-ua", '"Not:A-Brand";v="8", "Chromium";v="156"'), ("sec-ch-ua-mobile", "?0"),
          ("accept", "*/*")) + _FETCH_METADATA + (_ACCEPT_ENCODING, _ACCEPT_LANGUAGE)

#: added to an actual request sent with credentials (fetch `credentials: 'include'`)
CREDENTIALED = (("sec-fetch-storage-access", "none"),)


def referer(origin: str | None) -> tuple[tuple[str, str], ...]:
    """The Referer of a page from `origin` (Chromium's default policy,
    strict-origin-when-cross-origin, sends only the origin); none for an
    opaque (`null`) origin, whose page URL nothing tells."""
    if not origin or origin == "null":
        return ()
    return (("referer", origin + "/"),)


#: the browser's own headers that a page cannot set (forbidden names):
#: `simulate --header` with one of these replaces the browser's value
#: (browser.Call.client_headers) instead of being a header the page sets
BROWSER_ONLY = frozenset(name for name, _ in PREFLIGHT + ACTUAL + CREDENTIALED + referer("x")) - {
    "accept", "accept-language"}
