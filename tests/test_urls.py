"""corslint.urls.split answers exactly as urllib.parse.urlsplit."""

from __future__ import annotations

import sys
from urllib.parse import urlsplit

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from corslint.urls import split

PARTS = ("scheme", "netloc", "path", "query", "fragment", "hostname", "port")


def parts(result) -> list:
    out = []
    for name in PARTS:
        try:
            out.append(getattr(result, name))
        except ValueError as exc:   # a bad port raises when read
            out.append(("ValueError", str(exc)))
    return out


def outcome(url: str) -> list | str:
    try:
        return parts(split(url))
    except ValueError as exc:
        return f"ValueError: {exc}"


def expected(url: str) -> list | str:
    try:
        return parts(urlsplit(url))
    except ValueError as exc:
        return f"ValueError: {exc}"


URLISH = st.text(alphabet="aZ09:/?#@.-+%_ ~;=&[]\t\né", max_size=24)
PREFIXES = st.sampled_from(["", "http://", "https://", "HTTP://", "//", "x:", "1a:", " http://", "http://[::1]"])


@settings(max_examples=3000, derandomize=True, database=None)
@given(PREFIXES, URLISH)
def test_split_matches_urllib(prefix, rest):
    url = prefix + rest
    if sys.version_info < (3, 11):  # 3.10's urlsplit takes a scheme that does not start with a letter
        scheme = expected(url)[0] if isinstance(expected(url), list) else ""
        assume(scheme[:1].isalpha() or not scheme)
    assert outcome(url) == expected(url)


def test_split_examples():
    url = split("http://API.example.com:8080/a/b?x=1#f")
    assert (url.scheme, url.hostname, url.port, url.path, url.query) == ("http", "api.example.com", 8080, "/a/b", "x=1")
    assert split("http://h:99999/").netloc == "h:99999"
    assert expected("http://h:99999/") == outcome("http://h:99999/")
