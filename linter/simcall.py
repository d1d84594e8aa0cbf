"""What `corslint simulate`'s command line says: the call, the file to ask,
and whether the verdict is the one `--expect` wants.

A URL without a scheme, an origin with a path, or a header no page can set
(`Origin`, `Cookie`...) would otherwise be simulated as a call no browser
makes: an answer that looks right and is not.  So each is a usage error,
said before any configuration is read, naming the option and what to give
instead.  `--curl` (curl.py) fills in what the options leave unsaid; an
option given explicitly wins over the pasted command.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from .browser import Call, is_browser_own, is_forbidden_header, is_forbidden_method, url_origin, with_body
from .cors import ACRH, ACRM, FORBIDDEN_METHODS, METHOD_OVERRIDE_HEADERS
from .includes import APACHE_MAIN
from .origins import DEFAULT_CLIENT, is_serialized_origin

#: the WHATWG URL "special" schemes besides http(s): no page has such an origin
_NOT_PAGE_SCHEMES = {
    "file": "a file:// page has an opaque origin: browsers send Origin: null (--origin null)",
    "ftp": "browsers no longer load ftp:// pages",
    "ws": "a WebSocket URL is no page", "wss": "a WebSocket URL is no page",
}
_CREDENTIALS = "the browser sends its cookies itself: give --credentials (credentials: 'include' / withCredentials)"
_BODY = "the browser sets it from the body: give --body"
#: forbidden request headers another option describes, and what to give instead
_USE_INSTEAD = {
    "origin": "give the page's origin with --origin",
    "cookie": _CREDENTIALS, "cookie2": _CREDENTIALS,
    "host": "the browser sends the host and port of --url",
    ACRM: "the browser sends it in the preflight, from the call's method: give --method",
    ACRH: "the browser lists the headers the page sets in the preflight itself: give each with --header",
    "access-control-request-private-network": "Private Network Access preflights are not simulated",
    "content-length": _BODY, "transfer-encoding": _BODY,
    "set-cookie": "it is a response header (a backend's: --upstream-header)",
}
#: the files a folder given as PATH is asked through, by server kind
MAIN_FILES = {"nginx": ("nginx.conf",), "apache": APACHE_MAIN + ("conf/httpd.conf",)}


def url_problem(url: str) -> str | None:
    """Why `url` cannot be what a page calls, or None: a browser sends CORS
    requests only to an absolute http(s) URL with a host and a port in
    range.  Checked before the model is asked, so a bad `--url` is a usage
    error rather than a failure deep in the model."""
    try:
        parts = urlsplit(url)
        parts.port      # noqa: B018 (reading the port checks it)
    except ValueError as exc:
        return f"not a valid URL ({exc})"
    if parts.scheme.lower() in ("http", "https"):
        return None if parts.hostname else "it names no host: give the whole URL, such as https://api.example.com/items"
    if "://" not in url:
        return f"not an absolute URL: give its scheme too, such as https://{url.lstrip('/')}"
    return (f"fetch() and XMLHttpRequest make CORS requests to http:// and https:// URLs only, not {parts.scheme}:// "
            "(such as https://api.example.com/items)")


def page_origin(text: str) -> str:
    """The Origin header a page of origin `text` sends: `null` (sandboxed
    iframes, file:// pages, data: URLs), or `scheme://host[:port]`
    serialized as browsers do (scheme and host lower-case, a default port
    and one trailing `/` dropped: what an address bar shows is accepted).
    ValueError says why `text` is no origin."""
    if text == "null":
        return text
    example = "such as https://app.example.com, or null"
    try:
        parts = urlsplit(text)
        parts.port      # noqa: B018 (reading the port checks it)
    except ValueError as exc:
        raise ValueError(f"not an origin ({exc}): give scheme://host[:port], {example}") from None
    scheme = parts.scheme.lower()
    if scheme in _NOT_PAGE_SCHEMES:
        raise ValueError(f"{_NOT_PAGE_SCHEMES[scheme]}: give scheme://host[:port], {example}")
    if "://" not in text or not parts.netloc:
        raise ValueError(f"not an origin: give scheme://host[:port], {example}")
    origin = url_origin(text)
    if parts.path not in ("", "/") or parts.query or parts.fragment or "@" in parts.netloc:
        raise ValueError(f"an origin has no path, query or user: give {origin}")
    if not is_serialized_origin(origin):
        raise ValueError(f"not an origin a browser sends: give scheme://host[:port], {example}")
    return origin


def header_problem(name: str, value: str) -> str | None:
    """Why the page cannot set the header, and what to give instead; None
    when it can (or when it is the browser's own: `is_browser_own`)."""
    key = name.lower()
    if is_browser_own(key) or not is_forbidden_header(key, value):
        return None
    if key in METHOD_OVERRIDE_HEADERS:
        return (f"browsers drop {name} when it names {', '.join(sorted(FORBIDDEN_METHODS))}: leave it out, "
                "the call is sent without it")
    why = _USE_INSTEAD.get(key, "simulate does not model it: leave it out")
    return f"a page cannot set {name} (a forbidden header name): {why}"


def build(options, headers: list[tuple[str, str]], copied=None) -> Call:
    """The call `options` (simulate's parsed command line, with its
    `--header`s parsed into `headers`) describes, over what the pasted
    command `copied` (curl.Copied, or None) says.  ValueError names the
    option at fault."""
    url = options.url or (copied.url if copied else None)
    if url is None:
        raise ValueError("--url is required (or --curl)")
    problem = url_problem(url)
    if problem:
        raise ValueError(f"{'--url' if options.url else '--curl'} {url!r}: {problem}")
    origin = options.origin or (copied.origin if copied else DEFAULT_CLIENT)
    if origin is None:
        raise ValueError("--curl: the request carries no Origin header (it was no cross-origin call): give the "
                         "calling page's origin with --origin")
    try:
        origin = page_origin(origin)
    except ValueError as exc:
        raise ValueError(f"{'--origin' if options.origin else '--curl (its Origin header)'} {origin!r}: "
                         f"{exc}") from None
    method = options.method or (copied.method if copied else "GET")
    if is_forbidden_method(method):
        raise ValueError(f"browsers refuse to send {method.upper()} at all")
    given = {name.lower() for name, _ in headers}
    page, client = [], []
    for name, value in [h for h in (copied.headers if copied else []) if h[0].lower() not in given] + headers:
        problem = header_problem(name, value)
        if problem:
            raise ValueError(f"--header {name!r}: {problem}")
        (client if is_browser_own(name) else page).append((name, value))
    content_type = options.content_type
    if content_type is None and copied and not options.body and "content-type" not in given:
        content_type = copied.content_type
    call = Call(url=url, origin=origin, method=method, headers=tuple(page),
                credentials=options.credentials or bool(copied and copied.credentials),
                initiator=options.initiator or "fetch", client_headers=tuple(client))
    return with_body(call, options.body or (copied.body if copied else "none"), content_type)


def read_curl(value: str):
    """The pasted command of `--curl VALUE` (`-`: standard input), parsed
    (curl.Copied); ValueError says what is wrong with it."""
    from . import curl

    if value == "-":
        import sys

        value = sys.stdin.read(curl.MAX_TEXT + 1)
    try:
        return curl.parse(value)
    except ValueError as exc:
        raise ValueError(f"--curl: {exc}") from None


def main_file(folder: str, kind: str | None) -> str:
    """The file a folder given as PATH stands for: its `nginx.conf`, or its
    Apache main file (`MAIN_FILES`), of the kind `--type` names if given.
    ValueError when there is none, or more than one."""
    from .display import shown_path

    kinds = [kind] if kind else list(MAIN_FILES)
    if any(k not in MAIN_FILES for k in kinds):
        raise ValueError(f"{shown_path(folder)}: a folder: give the {kind} file itself")
    names = [name for k in kinds for name in MAIN_FILES[k]]
    found = [os.path.join(folder, name) for name in names if os.path.isfile(os.path.join(folder, name))]
    if not found:
        raise ValueError(f"{shown_path(folder)}: a folder without {', '.join(names)}: give the file to ask")
    if len(found) > 1:
        raise ValueError(f"{shown_path(folder)}: holds {' and '.join(shown_path(f) for f in found)}: "
                         "give the one to ask")
    return found[0]


def unmet(sims, expected: str) -> str | None:
    """Why the verdicts (simulate.run_each: one per assumption) are not all
    `expected` ("allowed" or "blocked"), or None.  "Cannot tell" meets
    neither: a check that must hold cannot rest on a guess."""
    for condition, sim in sims:
        verdict = sim.verdict
        if verdict.allowed is (expected == "allowed"):
            continue
        what = ("the call is allowed" if verdict.allowed else
                f"the call is blocked at the {verdict.stage}: {verdict.error}" if verdict.allowed is False else
                f"the configuration cannot tell: {verdict.reason}")
        return what + (f" ({condition})" if condition else "")
    return None
