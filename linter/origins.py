"""Origins: their syntax, who is trusted, and which foreign origins an
allow-list pattern lets in.

CORS205 must name a concrete origin the pattern admits that lies outside
the trusted domains.  Candidates are built from the classic mistakes
(missing label boundary, missing end anchor, unescaped dot, `.*`) applied
to the hosts the pattern itself spells; the server model then decides
whether each candidate is really admitted and echoed back.
"""

from __future__ import annotations

import re
from functools import lru_cache

HOSTILE = "https://evil.example"
DEFAULT_CLIENT = "https://client.example"

#: the characters of a host name in a serialized origin (browsers send it lower-case)
_HOST_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-.")
#: a host name inside a pattern (compiled by `re`'s cache when a pattern is read)
_HOSTLIKE = r"(?i)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9-]+)+"


#: no origin is longer: scheme, a 253-character host name, a port (a longer
#: string from a hostile file is no origin, and is not worth backtracking over)
MAX_ORIGIN = 300
#: a DNS name has at most 253 characters
MAX_HOST = 253


def is_origin(value: str) -> bool:
    """A serialized origin as browsers send it (lower-case, no path)."""
    return host_of(value) is not None


def host_of(origin: str) -> str | None:
    """The host of `http(s)://host[:port]` (labels of a-z, 0-9 and inner
    hyphens, a port of 1-5 digits), or None for anything else.  String
    operations, not a regex: as fast, and nothing to compile at start-up."""
    if len(origin) > MAX_ORIGIN:
        return None
    scheme, sep, rest = origin.partition("://")
    if not sep or scheme not in ("http", "https"):
        return None
    host, colon, port = rest.partition(":")
    if colon and not (len(port) <= 5 and port.isdigit() and port.isascii()):
        return None
    if not host or not _HOST_CHARS.issuperset(host):
        return None
    for label in host.split("."):
        if not label or label[0] == "-" or label[-1] == "-":
            return None
    return host


def potentially_trustworthy_http(origin: str) -> bool:
    """An `http://` origin that W3C Secure Contexts §3.1 ("Is origin
    potentially trustworthy?") nevertheless trusts: a loopback host
    (`localhost` and `*.localhost`, 127.0.0.0/8, `[::1]`).  Browsers treat
    it as a secure context and never send it over the network, so no
    network attacker can act as it.  String operations, bounded by
    MAX_ORIGIN: no `ipaddress` import at start-up."""
    if len(origin) > MAX_ORIGIN or not origin.startswith("http://"):
        return False
    rest = origin[7:]
    if rest.startswith("[::1]"):
        host, port = "[::1]", rest[5:]
    else:
        host, _colon, tail = rest.partition(":")
        port = ":" + tail if _colon else ""
    if port and not (port[0] == ":" and 1 < len(port) <= 6 and port[1:].isdigit() and port.isascii()):
        return False
    host = host.lower()
    if host == "[::1]" or host == "localhost" or host.endswith(".localhost"):
        return True
    octets = host.split(".")
    return (len(octets) == 4 and octets[0] == "127"
            and all(o.isdigit() and o.isascii() and len(o) <= 3 and int(o) <= 255 for o in octets))


@lru_cache(maxsize=2)
def _psl(punycode: bool):
    """The Public Suffix List.  Its IDN rules in punycode (`xn--55qx5d.xn--j6w193g`)
    cost two thirds of its loading time and decide only hosts that have a
    punycoded label, so only those load them."""
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList(accept_encoded_idn=punycode)


@lru_cache(maxsize=4096)
def registrable_domain(host: str) -> str:
    """`api.eu.example.co.uk` -> `example.co.uk` (Public Suffix List)."""
    host = host.lower().strip(".")
    try:
        domain = _psl("xn--" in host).privatesuffix(host)
    except Exception:
        domain = None
    if domain:
        return domain
    labels = host.split(".")
    return ".".join(labels[-2:]) if len(labels) >= 2 else host


@lru_cache(maxsize=1024)
def hosts_spelled(pattern: str) -> tuple[str, ...]:
    """Host names a regex spells out: `^https://(.*\\.)?example\\.com$` -> [example.com]."""
    text = pattern.replace("\\.", ".").replace("\\-", "-")
    text = re.sub(r"\(\?[:!=<]*|[()^$?*+|\[\]{}]", " ", text)
    hosts = []
    # a match never spans a character outside [a-z0-9.-]: searching each run
    # of those (at most a host name long) keeps a 100 kB pattern linear
    runs = (run for run in re.findall(r"[a-z0-9.-]+", text, re.IGNORECASE) if len(run) <= MAX_HOST)
    for m in (m for run in runs for m in re.finditer(_HOSTLIKE, run)):
        host = m.group(0).strip(".").lower()
        if host.startswith(("http.", "https.")):
            continue
        if "." in host and not host.split(".")[-1].isdigit() and host not in hosts:
            hosts.append(host)
    return tuple(hosts)


@lru_cache(maxsize=1024)
def pattern_examples(pattern: str, ignore_case: bool = False) -> tuple[str, ...]:
    """Origins an allow-list pattern admits, https first: what its real
    front end probably is (`(.*\\.example\\.com)` -> https://a.example.com)."""
    from .regexes import compile_pcre, example_for

    compiled = compile_pcre(pattern, ignore_case)
    if compiled is None:
        return ()
    candidates: list[str] = []
    for host in hosts_spelled(pattern):
        candidates += [f"https://{host}", f"https://www.{host}", f"https://a.{host}"]
    for text in example_for(pattern):
        text = text.lstrip("^")
        if text.startswith("http://"):
            candidates += ["https://" + text[7:], text]
        elif text.startswith("https://"):
            candidates.append(text)
        else:
            candidates += ["https://a" + text if text.startswith(".") else "https://" + text]
    out = []
    for origin in candidates:
        if is_origin(origin) and compiled.search(origin) and origin not in out:
            out.append(origin)
    return tuple(out)


class Trust:
    """Which origins the user means to trust.

    Configured `trusted-origins` win (`https://*.example.com` allows every
    subdomain); without them, the registrable domains a pattern spells are
    its intended domains.
    """

    def __init__(self, trusted: list[str] | None = None):
        self.trusted = [t.lower().rstrip("/") for t in (trusted or [])]

    def is_trusted(self, origin: str, pattern: str | None = None) -> bool:
        if origin == "null":
            return False
        host = host_of(origin)
        if host is None:
            return False
        if self.trusted:
            for entry in self.trusted:
                scheme, _, rest = entry.partition("://")
                if not origin.startswith(scheme + "://"):
                    continue
                if rest.startswith("*."):
                    if host.endswith(rest[1:]):
                        return True
                elif origin == entry:
                    return True
            return False
        if pattern is None:
            return False
        domains = {registrable_domain(h) for h in hosts_spelled(pattern)}
        return registrable_domain(host) in domains


@lru_cache(maxsize=1024)
def attack_candidates(pattern: str, ignore_case: bool = False) -> tuple[str, ...]:
    """Foreign origins worth trying against an allow-list pattern."""
    out: list[str] = []

    def add(origin: str) -> None:
        if is_origin(origin) and origin not in out:
            out.append(origin)

    hosts = list(hosts_spelled(pattern))
    # the hosts of origins the pattern really admits (`(app|portal)\.example\.com`
    # spells only example.com, but admits app.example.com)
    hosts += [h for h in (host_of(e) for e in pattern_examples(pattern, ignore_case)) if h and h not in hosts]
    for host in hosts:
        domain = registrable_domain(host)
        for scheme in ("https",):
            add(f"{scheme}://evil{domain}")
            add(f"{scheme}://evil{host}")
            add(f"{scheme}://evil-{domain}")
            add(f"{scheme}://{host}.evil.example")
            add(f"{scheme}://{domain}.evil.example")
            add(f"{scheme}://a.{host}.evil.example")
            add(f"{scheme}://{host}evil.example")
            for i, ch in enumerate(host):
                if ch == ".":
                    add(f"{scheme}://{host[:i]}x{host[i + 1:]}")
                    add(f"{scheme}://{host[:i]}-{host[i + 1:]}")
                    add(f"{scheme}://a.{host[:i]}x{host[i + 1:]}")
    add(HOSTILE)
    from .regexes import compile_pcre

    compiled = compile_pcre(pattern, ignore_case)
    if compiled is None:
        return tuple(out)
    # only origins the pattern itself matches are worth asking the model about
    return tuple(o for o in out if compiled.search(o))
