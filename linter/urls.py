"""`urlsplit` for the URLs a lint run splits, without importing urllib.parse.

`urllib.parse` (with the `ipaddress` module it imports) costs a pre-commit
run 2 ms, and the lint path only ever splits the URLs the models build
(`http://host:port/path?query`).  `split` answers exactly as
`urllib.parse.urlsplit` does for printable ASCII URLs without IPv6
brackets (tests/test_urls.py holds it to urllib on generated input) and
hands anything else to urllib itself.
"""

from __future__ import annotations

from collections import namedtuple
from functools import lru_cache

_SCHEME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.")


class SplitUrl(namedtuple("SplitUrl", "scheme netloc path query fragment")):
    """The parts `urllib.parse.SplitResult` has (a namedtuple too), with its
    `hostname` and `port` (a bad port raises ValueError when read, as there)."""

    __slots__ = ()

    @property
    def hostname(self) -> str | None:
        hostname = self.netloc.rpartition("@")[2].partition(":")[0]
        if not hostname:
            return None
        host, percent, zone = hostname.partition("%")    # an IPv6 zone keeps its case
        return host.lower() + percent + zone

    @property
    def port(self) -> int | None:
        port = self.netloc.rpartition("@")[2].partition(":")[2]
        if not port:
            return None
        if not (port.isdigit() and port.isascii()):
            raise ValueError(f"Port could not be cast to integer value as {port!r}")
        if not 0 <= int(port) <= 65535:
            raise ValueError("Port out of range 0-65535")
        return int(port)


@lru_cache(maxsize=4096)
def split(url: str):
    """`urllib.parse.urlsplit(url)`: a SplitUrl, or urllib's own answer for
    a URL outside the plain subset."""
    if not (url.isascii() and url.isprintable()) or "[" in url or "]" in url or url[:1] == " ":
        from urllib.parse import urlsplit

        return urlsplit(url)
    scheme = ""
    colon = url.find(":")
    if colon > 0 and url[0].isalpha() and all(c in _SCHEME_CHARS for c in url[:colon]):
        scheme, url = url[:colon].lower(), url[colon + 1:]
    netloc = ""
    if url[:2] == "//":
        end = min((i for i in (url.find(c, 2) for c in "/?#") if i >= 0), default=len(url))
        netloc, url = url[2:end], url[end:]
    url, _, fragment = url.partition("#")
    path, _, query = url.partition("?")
    return SplitUrl(scheme, netloc, path, query, fragment)
