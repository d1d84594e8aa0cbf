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

from .cors import DEFAULT_PORTS

HOSTILE = "https://evil.example"
DEFAULT_CLIENT = "https://client.example"

#: characters browsers send in a host (WHATWG allows them) that no publicly
#: trusted certificate names (CA/Browser Forum: LDH labels only): a pattern
#: that lets `https://example.com_.evil.com` in is a lesser hole (CORS205 warns)
UNCERTIFIABLE = "_!`"
#: the characters of a host name in a serialized origin (browsers send it lower-case)
_HOST_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-.")
#: a host name inside a pattern (compiled by `re`'s cache when a pattern is read)
_HOSTLIKE = r"(?i)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9-]+)+"


#: no origin is longer: scheme, a 253-character host name, a port (a longer
#: string from a hostile file is no origin, and is not worth backtracking over)
MAX_ORIGIN = 300
#: a DNS name has at most 253 characters
MAX_HOST = 253


#: states of the origin grammar (`origin_step`): what a serialized origin
#: (WHATWG URL, "origin serialization") reads as, character by character
_START, _SCHEME, _COLON, _SLASH, _HOST_START, _HOST, _V6, _V6_END, _PORT_START, _PORT = range(10)
#: where a serialized origin may end
ORIGIN_ENDS = frozenset((_HOST, _V6_END, _PORT))
_LOWER = frozenset("abcdefghijklmnopqrstuvwxyz")
_DIGITS = frozenset("0123456789")
_SCHEME_CHARS = _LOWER | _DIGITS | frozenset("+.-")
#: what a host may hold: printable ASCII but the WHATWG forbidden domain code
#: points (`%`, `/`, `:`, `@`, brackets...), upper case (hosts are serialized
#: lower-case; a browser sends punycode, never other scripts), and what marks
#: a pattern, a list, a variable or quoting in configuration (`*`, `,`, `$`,
#: quotes, braces), which no DNS name carries.  `_`, `!` or a backtick stay:
#: browsers do send them (the CORS205 special-character bypasses)
_HOST_ANY = frozenset(chr(c) for c in range(0x21, 0x7f)) - frozenset(
    '#%/:<>?@[\\]^|ABCDEFGHIJKLMNOPQRSTUVWXYZ*,$"\'{}')
_V6_CHARS = frozenset("0123456789abcdef:.")


def origin_step(state: int, ch: str) -> int:
    """The origin grammar's next state after `ch`, or -1 when no serialized
    origin continues so: `scheme://host[:port]` with a lower-case scheme, a
    host (a name, or an IPv6 literal in brackets) and a port of digits.  The
    one definition both `is_serialized_origin` and `admits_some_origin` run."""
    if state == _START:
        return _SCHEME if ch in _LOWER else -1
    if state == _SCHEME:
        return _SCHEME if ch in _SCHEME_CHARS else _COLON if ch == ":" else -1
    if state == _COLON:
        return _SLASH if ch == "/" else -1
    if state == _SLASH:
        return _HOST_START if ch == "/" else -1
    if state == _HOST_START:
        return _V6 if ch == "[" else _HOST if ch in _HOST_ANY else -1
    if state == _HOST:
        return _HOST if ch in _HOST_ANY else _PORT_START if ch == ":" else -1
    if state == _V6:
        return _V6 if ch in _V6_CHARS else _V6_END if ch == "]" else -1
    if state == _V6_END:
        return _PORT_START if ch == ":" else -1
    return _PORT if ch in _DIGITS else -1      # _PORT_START, _PORT


@lru_cache(maxsize=4096)
def is_serialized_origin(value: str) -> bool:
    """The one test of "can a browser send this as its Origin": the WHATWG
    serialization `scheme://host[:port]`, so `http://[::1]:5173` and
    `chrome-extension://<id>` are origins and `https://app.example.com/`,
    `www.example.com`, `http_origin` or a list are not.  A host has no empty
    label; a port has no leading zero (`:0` itself is one), fits 16 bits and
    is never the scheme's default (browsers leave that out)."""
    if len(value) > MAX_ORIGIN:
        return False
    if host_of(value) is None:      # the usual http(s) origin passes without stepping the grammar
        state = _START
        for ch in value:
            state = origin_step(state, ch)
            if state < 0:
                return False
        if state not in ORIGIN_ENDS:
            return False
    scheme, _sep, rest = value.partition("://")
    if rest.startswith("["):
        host, _bracket, port = rest[1:].partition("]")
        if host.count(":") < 2:
            return False
        port = port[1:]
    else:
        host, _colon, port = rest.partition(":")
        if host.startswith(".") or ".." in host:
            return False
    return not port or ((port == "0" or port[0] != "0") and int(port) <= 65535 and port != DEFAULT_PORTS.get(scheme))


@lru_cache(maxsize=1024)
def admits_some_origin(pattern: str, ignore_case: bool = False, full_match: bool = False) -> bool | None:
    """Whether any serialized origin matches the pattern (searched, or
    matched whole for `full_match`): False is a proof that the allow-list
    entry lets no page in (`^webvisor\\.com$` has no scheme,
    `^https://example\\.org/` requires a path, `^([^/:]+)?example\\.com$`
    excludes the `://` every origin has).  None when the pattern is not
    explored (Python cannot parse it, or it is too large).

    The pattern's over-approximating automaton (regexes.automaton) runs in
    step with the origin grammar (origin_step): a breadth-first search over
    pairs of states, at most MAX_STATES x 10 x 4 of them."""
    from .regexes import ALPHABET, automaton, compile_pcre

    compiled = compile_pcre(pattern, ignore_case)
    if compiled is None:
        return None
    match = compiled.fullmatch if full_match else compiled.search
    if any(match(origin) for origin in pattern_examples(pattern, ignore_case)):
        return True     # the usual answer, from examples CORS205 and the probes render anyway
    built = automaton(pattern, ignore_case)
    if built is None:
        return None
    nfa, start, accept = built
    # a search may skip text before the match (a state of its own, -1, that
    # loops and then enters the pattern) and after it (a loop on `accept`,
    # which has no edges of its own)
    before = [(ALPHABET, -1), ("", start)]
    after = [] if full_match else [(ALPHABET, accept)]
    steps: dict[tuple, frozenset] = {}
    # (automaton state, grammar state, a character read yet, the end asserted)
    todo = [(start if full_match else -1, _START, False, False)]
    seen = set(todo)
    while todo:
        state, grammar, began, ended = todo.pop()
        if state == accept and grammar in ORIGIN_ENDS:
            return True
        edges = before if state == -1 else nfa.edges[state] + after if state == accept else nfa.edges[state]
        for label, target in edges:
            if label == "":
                nexts = [(target, grammar, began, ended)]
            elif label == "^":
                nexts = [] if began else [(target, grammar, began, ended)]
            elif label == "$":
                nexts = [(target, grammar, began, True)]
            elif ended:
                nexts = []
            else:
                key = (label, grammar)
                if key not in steps:
                    steps[key] = frozenset(origin_step(grammar, ch) for ch in label) - {-1}
                nexts = [(target, g, True, False) for g in steps[key]]
            for item in nexts:
                if item not in seen:
                    seen.add(item)
                    todo.append(item)
    return False


@lru_cache(maxsize=1024)
def intended_origin(entry: str) -> str | None:
    """The origin a browser sends for the page a mistyped allow-list entry
    was written for: without a path (or trailing slash) or the default port,
    lower-case, with `https://` (`http://` for a loopback host) where a
    host name (with a dot, or loopback) misses its scheme.  None for an entry already written as browsers send
    it, and for one that is no origin either way."""
    entry = entry.strip()
    scheme, sep, rest = entry.partition("://")
    if not sep:
        scheme, rest = "https", entry
        if potentially_trustworthy_http("http://" + rest.partition("/")[0]):
            scheme = "http"
    rest = rest.partition("/")[0].lower()     # a path, or just the trailing slash
    port = DEFAULT_PORTS.get(scheme.lower())    # left out of the origin a browser sends
    if port and rest.endswith(":" + port):
        rest = rest[:-len(port) - 1]
    candidate = f"{scheme.lower()}://{rest}"
    if not sep and not ("." in rest and host_of(candidate) or potentially_trustworthy_http(candidate)):
        return None     # a word (`null`, `http_origin`), not a host name missing its scheme
    return candidate if candidate != entry and is_serialized_origin(candidate) else None


@lru_cache(maxsize=1024)
def pattern_intent(pattern: str) -> tuple[str | None, str]:
    """For a pattern no origin matches: the origin it was probably written
    for (from the strings it does match) and why it never matches."""
    from .regexes import compile_pcre, example_for

    texts = [t.lstrip("^") for t in example_for(pattern)]
    compiled = compile_pcre(pattern, False)
    # `https?://`: the https page is the likelier front end
    texts = [f"https://{t[7:]}" for t in texts if t.startswith("http://") and compiled.search(f"https://{t[7:]}")] + texts
    meant = next((o for o in map(intended_origin, texts) if o), None)
    text = texts[0] if texts else ""
    if text and "://" not in text:
        why = "it has no scheme, and an Origin is scheme://host[:port]"
    elif "/" in text.partition("://")[2]:
        why = "it requires a `/` after the host, and an Origin ends at host[:port]"
    else:
        why = "no serialized origin (scheme://host[:port], lower-case) is in its language"
    return meant, why


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
        if is_serialized_origin(origin) and compiled.search(origin) and origin not in out:
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
        if is_serialized_origin(origin) and origin not in out:
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
    from .regexes import compile_pcre, wildcard_example

    wild = (wildcard_example(pattern, ignore_case) or "").lstrip("^")
    if wild.startswith("http://"):
        add("https://" + wild[7:])
    add(wild if "://" in wild else "https://" + wild)
    add(HOSTILE)
    # a host no public certificate can name, past a "not a host character" class
    for host in hosts:
        for ch in UNCERTIFIABLE:
            add(f"https://{host}{ch}.evil.example")

    compiled = compile_pcre(pattern, ignore_case)
    if compiled is None:
        return tuple(out)
    # only origins the pattern itself matches are worth asking the model about
    return tuple(o for o in out if compiled.search(o))
