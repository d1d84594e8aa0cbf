"""nginx variables, `map` blocks and `if` conditions, evaluated for one request.

A value that depends on something the configuration cannot tell (the
client address, a file on disk, an upstream header the user did not
describe) evaluates to None: *unknown*, never a guess.
"""

from __future__ import annotations

import re
from collections import namedtuple
from functools import lru_cache

from ..regexes import compile_pcre
from ..unknown import holds

_VAR = re.compile(r"\$(?:\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))")


@lru_cache(maxsize=8192)
def split_value(text: str) -> tuple[tuple[bool, str], ...]:
    """`"$scheme://$host"` -> [(True, "scheme"), (False, "://"), (True, "host")]."""
    parts: list[tuple[bool, str]] = []
    pos = 0
    for m in _VAR.finditer(text):
        if m.start() > pos:
            parts.append((False, text[pos:m.start()]))
        parts.append((True, m.group(1) or m.group(2)))
        pos = m.end()
    if pos < len(text):
        parts.append((False, text[pos:]))
    return tuple(parts)


@lru_cache(maxsize=8192)
def variables_in(text: str) -> tuple[str, ...]:
    return tuple(name for is_var, name in split_value(text) if is_var)


#: a `map` entry's result template (exact key or default) and its line
MapEntry = namedtuple("MapEntry", "value source")
#: a `map` entry whose key is a regex (`~`, or `~*`: icase)
MapRegex = namedtuple("MapRegex", "pattern icase value source")
#: a `hostnames` map entry with a wildcard key (`*.example.com`, `mail.*`)
MapMask = namedtuple("MapMask", "mask value source")


class MapBlock:
    """`map SOURCE $var { ... }` with nginx's matching order: exact string
    (case-insensitive), then regexes in order of appearance, then default."""

    def __init__(self, source_value: str, variable: str, src, hostnames: bool = False):
        self.source_value = source_value
        self.variable = variable
        self.source = src
        self.hostnames = hostnames
        self.default = MapEntry("", src)
        self.exact: dict[str, MapEntry] = {}
        self.regexes: list[MapRegex] = []
        self.masks: list[MapMask] = []
        #: `volatile`: evaluated on every use instead of once per request
        self.volatile = False

    #: values are plain strings, not templates with variables (geo)
    literal = False

    def add(self, key: str, value: str, src) -> None:
        if key == "default":
            self.default = MapEntry(value, src)
        elif key.startswith("~*"):
            self.regexes.append(MapRegex(key[2:], True, value, src))
        elif key.startswith("~"):
            self.regexes.append(MapRegex(key[1:], False, value, src))
        else:
            if key.startswith("\\"):
                key = key[1:]
            if self.hostnames and (key.startswith("*.") or key.startswith(".") or key.endswith(".*")):
                self.masks.append(MapMask(key.lower(), value, src))
            else:
                self.exact.setdefault(key.lower(), MapEntry(value, src))

    def lookup_match(self, value: str) -> tuple[str, object, list[str], dict[str, str]]:
        """`lookup` plus the named captures of a matching regex entry."""
        template, src, captures = self.lookup(value)
        named: dict[str, str] = {}
        if captures:
            for entry in self.regexes:
                if entry.source is src:
                    compiled = compile_pcre(entry.pattern, entry.icase)
                    m = compiled.search(value) if compiled is not None else None
                    if m is not None:
                        named = {k: v or "" for k, v in m.groupdict().items()}
                    break
        return template, src, captures, named

    def lookup(self, value: str) -> tuple[str, object, list[str]]:
        """(result template, source line, regex captures) for a source value."""
        hit = self.exact.get(value.lower())
        if hit is not None:
            return hit.value, hit.source, []
        if self.hostnames:
            host = value.lower().rstrip(".")
            best = None
            for entry in self.masks:
                if _mask_matches(entry.mask, host) and (best is None or len(entry.mask) > len(best.mask)):
                    best = entry
            if best is not None:
                return best.value, best.source, []
        for entry in self.regexes:
            compiled = compile_pcre(entry.pattern, entry.icase)
            if compiled is None:
                continue
            m = compiled.search(value)
            if m:
                return entry.value, entry.source, [m.group(0)] + [g or "" for g in m.groups()]
        return self.default.value, self.default.source, []


class GeoBlock(MapBlock):
    """`geo [$address] $var { ... }`: the value of the longest network that
    holds the client address ($remote_addr unless another variable is
    named), else `default`.  Values are plain strings (geo does not expand
    variables); an `include` the model cannot read, or `proxy` (the address
    comes from X-Forwarded-For), makes every value unknown."""

    literal = True

    def __init__(self, source_value: str, variable: str, src):
        super().__init__(source_value, variable, src)
        self.networks: list[tuple[object, MapEntry]] = []
        self.ranges = False
        self.unknown = False

    def add(self, key: str, value: str, src) -> None:
        import ipaddress   # only configurations with a geo block pay for it

        if key == "default":
            self.default = MapEntry(value, src)
            return
        try:
            if self.ranges and "-" in key:
                first, last = (ipaddress.ip_address(a) for a in key.split("-", 1))
                self.networks.extend((net, MapEntry(value, src))
                                     for net in ipaddress.summarize_address_range(first, last))
            else:
                self.networks.append((ipaddress.ip_network(key, strict=False), MapEntry(value, src)))
        except (ValueError, TypeError):
            self.unknown = True   # nginx refuses it; nothing here is certain then

    def lookup_match(self, value: str) -> tuple[str | None, object, list[str], dict[str, str]]:
        import ipaddress

        if self.unknown:
            return None, self.source, [], {}
        try:
            address = ipaddress.ip_address(value)
        except ValueError:
            return self.default.value, self.default.source, [], {}
        best = None
        for net, entry in self.networks:   # a network given twice: the later value wins, as in nginx
            if address in net and (best is None or net.prefixlen >= best[0].prefixlen):
                best = (net, entry)
        entry = best[1] if best else self.default
        return entry.value, entry.source, [], {}


def _mask_matches(mask: str, host: str) -> bool:
    if mask.startswith("*."):
        return host.endswith(mask[1:])
    if mask.startswith("."):
        return host == mask[1:] or host.endswith(mask)
    if mask.endswith(".*"):
        return host.startswith(mask[:-1])
    return False


def normalize_uri(path: str) -> str:
    """$uri as nginx makes it from the request path (ngx_http_parse_complex_uri
    with merge_slashes on): %XX decoded, a decoded `/` or `.` counting as
    one, `//` merged, `.` and `..` segments resolved (never above `/`)."""
    if "%" in path:
        from urllib.parse import unquote

        text = unquote(path, errors="surrogateescape")
    else:
        text = path
    if "//" not in text and "/." not in text:
        return text or "/"
    parts: list[str] = []
    segments = text.split("/")
    for segment in segments[1:] if text.startswith("/") else segments:
        if segment in ("", "."):
            continue
        if segment == "..":
            if parts:
                parts.pop()
            continue
        parts.append(segment)
    trailing = segments[-1] in ("", ".", "..") and bool(parts)
    return "/" + "/".join(parts) + ("/" if trailing else "")


class RequestVars:
    """The variable space of one request while nginx processes it."""

    #: values assumed for variables set outside the linted files (nginx/unknowns.py); an
    #: instance gets its own only then: thousands of answers are kept, each with its variables
    assumed: dict[str, str] = {}

    def __init__(self, request, maps: dict[str, MapBlock], server_name: str, client_addr: str | None,
                 upstream_headers: list[tuple[str, str]] | None):
        self.request = request
        self.maps = maps
        self.server_name = server_name
        self.client_addr = client_addr
        self.upstream_headers = upstream_headers
        self.uri = normalize_uri(request.path)
        self.args = request.query
        self.user: dict[str, str | None] = {}
        self.captures: list[str] = []
        self.map_hits: list[object] = []   # map entries that decided a value (for explanations)
        self.via: dict[str, tuple] = {}     # user variable -> the lines that decided its value
        self.map_cache: dict[str, tuple[str | None, object]] = {}   # map variable -> (value, entry)
        self.depth = 0
        #: the method as nginx sees it now: an error_page redirect makes it GET
        self.method: str | None = None
        #: variables some `set` declares (HttpConf.declared): empty until set
        self.declared: frozenset[str] | set[str] = frozenset()
        #: $http_origin was read: the request's Origin header decided something
        self.origin_read = False
        #: $remote_addr was read: the client address decided something
        self.address_read = False

    def get(self, name: str) -> str | None:
        if name.isdigit():
            idx = int(name)
            return self.captures[idx] if idx < len(self.captures) else ""
        if name in self.user:
            return self.user[name]
        block = self.maps.get(name)
        if block is not None:
            return self._map(block)
        value = self._builtin(name)
        if value is None:
            if name in self.declared:
                return ""   # declared by a `set` that did not run for this request
            return self.assumed.get(name)   # set outside the files: unknown unless a variant assumes it
        return value

    def _map(self, block: MapBlock) -> str | None:
        """nginx evaluates a map once per request (its value is cached,
        unless `volatile`), at first use; a regex entry that matches sets
        $1.. (and named captures) for whatever is evaluated after it."""
        cached = self.map_cache.get(block.variable)
        if cached is not None:
            value, entry = cached
            self.map_hits.append(entry)
            return value
        if self.depth > 20:   # a map that feeds on itself: nginx would loop too
            return None
        self.depth += 1
        try:
            source = self.evaluate(block.source_value)
            if source is None:
                return None
            template, src, captures, named = block.lookup_match(source)
            self.map_hits.append(src)
            if captures:
                self.captures = captures
                self.user.update(named)
            value = template if block.literal or template is None else self.evaluate(template)
            if not block.volatile:
                self.map_cache[block.variable] = (value, src)
            return value
        finally:
            self.depth -= 1

    def _builtin(self, name: str) -> str | None:
        req = self.request
        if name.startswith("http_"):
            header = name[5:].replace("_", "-")
            if header.lower() == "origin":
                self.origin_read = True
            value = req.header(header)
            return value if value is not None else ""
        if name == "request_method":
            return self.method or req.method
        if name == "uri" or name == "document_uri":
            return self.uri
        if name == "request_uri":
            return req.target
        if name in ("args", "query_string"):
            return self.args
        if name == "is_args":
            return "?" if self.args else ""
        if name.startswith("arg_"):
            from urllib.parse import parse_qsl

            for key, value in parse_qsl(self.args, keep_blank_values=True):
                if key.lower() == name[4:].lower():
                    return value
            return ""
        if name == "scheme":
            return req.scheme
        if name == "host":
            return req.host
        if name == "server_name":
            return self.server_name
        if name == "server_port":
            return str(req.port)
        if name == "content_type":
            return req.header("content-type") or ""
        if name == "cookie" or name.startswith("cookie_"):
            return "" if req.header("cookie") is None else None
        if name == "remote_addr" or name == "binary_remote_addr":
            self.address_read = True
            return self.client_addr
        if name.startswith("upstream_http_"):
            if self.upstream_headers is None:
                return None
            wanted = name[14:].replace("_", "-")
            values = [v for n, v in self.upstream_headers if n.lower() == wanted]
            return values[0] if values else ""
        return None

    def evaluate_with_via(self, template: str) -> tuple[str | None, tuple]:
        """The value and the configuration lines (map entries, `if`s) that decided it."""
        self.map_hits = []
        value = self.evaluate(template)
        via = tuple(self.map_hits)
        for name in variables_in(template):
            via += self.via.get(name, ())
        return value, via

    def evaluate(self, template: str) -> str | None:
        """Interpolate variables; None when any part is unknown (a
        template's expression included: `unknown.holds`)."""
        if holds(template):
            return None
        if "$" not in template:
            return template
        out = []
        for is_var, text in split_value(template):
            if not is_var:
                out.append(text)
                continue
            value = self.get(text)
            if value is None:
                return None
            out.append(value)
        return "".join(out)

    def condition(self, args: list[str]) -> bool | None:
        """An `if (...)` condition: True/False, or None when unknown."""
        if not args:
            return None
        if len(args) == 1:
            value = self.evaluate(args[0])
            if value is None:
                return None
            return value not in ("", "0")
        if args[0] in ("-f", "!-f", "-d", "!-d", "-e", "!-e", "-x", "!-x"):
            return None   # file tests depend on the server's disk
        if len(args) != 3:
            return None
        left, op, right = args
        value = self.evaluate(left)
        if value is None:
            return None
        if op in ("=", "!="):
            target = self.evaluate(right)
            if target is None:
                return None
            return (value == target) == (op == "=")
        if op in ("~", "~*", "!~", "!~*"):
            compiled = compile_pcre(right, "*" in op)
            if compiled is None:
                return None
            m = compiled.search(value)
            # ngx_http_script_regex_start_code: a match sets the captures
            # (`!~` too), a miss clears $1..$9; named captures stay
            if m:
                self.captures = [m.group(0)] + [g or "" for g in m.groups()]
                for key, group in m.groupdict().items():
                    self.user[key] = group or ""
            else:
                self.captures = []
            return bool(m) != op.startswith("!")
        return None
