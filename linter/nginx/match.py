"""Which `server` and which `location` nginx picks for a request.

Location search follows ngx_http_core_find_location: an exact (`=`) match
ends the search; otherwise the longest prefix wins, its nested locations
are searched, and then, unless that prefix was `^~`, the regex locations of
the level are tried in order of appearance (a nested match wins over the
level's regexes).  Prefix lookups walk the URI's own prefixes through a
dict, so cost does not grow with the number of locations.
"""

from __future__ import annotations

from collections import namedtuple

from ..regexes import compile_pcre
from .conf import HttpConf, Level, Location, Server

#: find() results besides a Location
AUTO_REDIRECT = "auto-redirect"


class LocationIndex:
    """Per-level lookup tables, built once per level on first use."""

    __slots__ = ("exact", "prefix", "regexes", "named", "max_len")

    def __init__(self, level: Level):
        self.exact: dict[str, Location] = {}
        self.prefix: dict[str, Location] = {}
        self.regexes: list[Location] = []
        self.named: dict[str, Location] = {}
        for loc in level.locations:
            if loc.modifier == "=":
                self.exact.setdefault(loc.pattern, loc)
            elif loc.modifier in ("", "^~"):
                self.prefix.setdefault(loc.pattern, loc)
            elif loc.modifier in ("~", "~*"):
                self.regexes.append(loc)
            elif loc.modifier == "@":
                self.named.setdefault(loc.pattern, loc)
        self.max_len = max((len(p) for p in self.prefix), default=0)


def index_of(level: Level) -> LocationIndex:
    idx = getattr(level, "_index", None)
    if idx is None:
        idx = LocationIndex(level)
        level._index = idx  # type: ignore[attr-defined]
    return idx


def find_location(level: Level, uri: str):
    """The Location for `uri` below `level`, AUTO_REDIRECT (the location
    that redirects `/api` to `/api/`), or None.  Memoized per level: probes
    ask for the same URIs over and over."""
    memo = level.__dict__.get("_found")
    if memo is None:
        memo = level._found = {}  # type: ignore[attr-defined]
    try:
        return memo[uri]
    except KeyError:
        found = memo[uri] = _find(level, uri)[0]
        return found


def _find(level: Level, uri: str):
    """(location, final): final when an exact or regex match ended the search."""
    idx = index_of(level)
    exact = idx.exact.get(uri)
    if exact is not None:
        return exact, True
    slashed = idx.prefix.get(uri + "/")
    if slashed is not None and slashed.auto_redirect:
        return AUTO_REDIRECT, True
    result: Location | None = None
    for length in range(min(len(uri), idx.max_len), 0, -1):
        result = idx.prefix.get(uri[:length])
        if result is not None:
            break
    noregex = False
    if result is not None:
        noregex = result.modifier == "^~"
        if result.locations:
            nested, final = _find(result, uri)
            if final:
                return nested, True
            if nested is not None:
                result = nested
    if not noregex:
        for loc in idx.regexes:
            if loc.regex is not None and loc.regex.search(uri):
                if loc.locations:
                    nested, _final = _find(loc, uri)
                    if nested is not None:
                        return nested, True
                return loc, True
    return result, False


def named_location(server: Server, name: str) -> Location | None:
    return index_of(server).named.get(name)


#: the servers that listen on one port, in order, and their exact names
PortServers = namedtuple("PortServers", "servers names")


def select_server(conf: HttpConf, host: str, port: int) -> Server | None:
    cache = conf.__dict__.setdefault("_server_cache", {})
    key = (host, port)
    if key not in cache:
        cache[key] = _select_server(conf, host, port)
    return cache[key]


def _select_server(conf: HttpConf, host: str, port: int) -> Server | None:
    """nginx's virtual server choice: by port, then server_name (exact,
    leading wildcard, trailing wildcard, regex), then the default server.
    Ports and exact names are indexed once per configuration."""
    index = getattr(conf, "_server_index", None)
    if index is None:
        index = {}
        for server in conf.servers:
            for listen in server.listen:
                entry = index.setdefault(listen.port, PortServers([], {}))
                if server not in entry.servers:
                    entry.servers.append(server)
                    for name in server.names:
                        entry.names.setdefault(name, server)
        conf._server_index = index  # type: ignore[attr-defined]
    host = host.lower().rstrip(".")
    entry = index.get(port)
    if entry is None:
        candidates = [s for s in conf.servers if s.implicit] or conf.servers
        if not candidates:
            return None
    else:
        candidates = entry.servers
        exact_hit = entry.names.get(host)
        if exact_hit is not None:
            return exact_hit
    # the longest leading wildcard name
    best: Server | None = None
    best_length = 0
    for server in candidates:
        for name in server.names:
            if name.startswith("*.") and host.endswith(name[1:]) or name.startswith(".") and (
                    host == name[1:] or host.endswith(name)):
                if best is None or len(name) > best_length:
                    best, best_length = server, len(name)
    if best is not None:
        return best
    for server in candidates:
        for name in server.names:
            if name.endswith(".*") and host.startswith(name[:-1]):
                return server
    for server in candidates:
        for name in server.names:
            if name.startswith("~"):
                compiled = compile_pcre(name[1:], False)
                if compiled is not None and compiled.search(host):
                    return server
    for server in candidates:
        if any(listen.port == port and listen.default for listen in server.listen):
            return server
    return candidates[0]
