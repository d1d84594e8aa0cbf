"""Kubernetes `Ingress` objects served by ingress-nginx (controller v1.15).

Semantics, from the controller's source:
- `internal/ingress/annotations/cors/main.go` `Parse` and `corsAnnotation`:
  defaults (origin `*`, credentials `true`, methods, headers, max-age
  1728000); a `cors-allow-origin` value that fails the whole-value
  validator (spaces removed first, `parser.ValidateRegex`) silently becomes
  `*`; list entries failing the per-entry regex are skipped; invalid
  methods/headers/credentials/max-age fall back to their defaults.
- `internal/ingress/controller/template/template.go` `buildCorsOriginRegex`
  / `buildOriginRegex`: `*` gives `set $http_origin *`; a list gives
  `if ($http_origin ~* ((a)|(b))$)` (case-insensitive, `$` but no `^`,
  `*` = one DNS label); a trailing empty entry leaves an empty alternative
  that matches every origin; an empty list emits no `if` at all.
- `rootfs/etc/nginx/template/nginx.tmpl` `define "CORS"`: `more_set_headers`
  (all statuses, replacing the backend's headers) of ACAO (`$http_origin`),
  ACAC (only when true), ACAM, ACAH, ACEH (when set), Max-Age on every
  matching response; a matching OPTIONS (any OPTIONS: ACRM is not looked
  at) is answered `204` by the controller; a non-matching one is proxied.
  No `Vary` is ever added.
"""

from __future__ import annotations

import re

from .. import saferegex, unknown
from ..backend import FileOracle, Upstream
from ..cors import ACAC, ACAH, ACAM, ACAO, ACEH, MAX_AGE, ORIGIN
from ..model import Answer, OriginPattern, RejectedAtStartup, Request, RiskyDefault, Scope, Source
from ..record import field, record
from .base import Gate, backend, local, put, scope_url
from .source import LMap

PREFIX = "nginx.ingress.kubernetes.io/"
DEFAULT_METHODS = "GET, PUT, POST, DELETE, PATCH, OPTIONS"
DEFAULT_HEADERS = "DNT,Keep-Alive,User-Agent,X-Requested-With,If-Modified-Since,Cache-Control,Content-Type,Range,Authorization"
DEFAULT_MAX_AGE = "1728000"
#: `corsOriginRegexValidator` (applied with spaces removed) and `corsOriginRegex` (per entry).
#: ingress-nginx writes them for Go's linear-time RE2; Python's `re` would
#: backtrack exponentially on their nested repeats (`([A-Za-z]+,?\s?)+` on a
#: long word that fails at the end), so they are spelled here as equivalent
#: patterns that cannot backtrack: the validator's `(scheme? (*.)? chars* (:port)? ,?)+`
#: accepts exactly the strings whose `:` starts a port or ends `http`/`https`
#: and whose `*` starts `*.`; in the lists, words are parted by a separator
#: that cannot be empty (`,` `, ` or a space; the same strings as RE2's
#: `([A-Za-z]+,?\s?)+`, and read by Python 3.10's `re`, which has no possessive `++`).
ORIGIN_VALUE = re.compile(r"^(?:(?:[A-Za-z0-9\-.,]|:\d|(?:(?<=http)|(?<=https))://|\*\.)*|\*)$")
ORIGIN_ENTRY = re.compile(r"^(https?://(\*\.)?[A-Za-z0-9\-.]*(:\d+)?|\*)?$")
METHODS = re.compile(r"^[A-Za-z]+(?:(?:,\s?|\s)[A-Za-z]+)*,?\s?$")
HEADERS = re.compile(r"^[A-Za-z0-9\-_]+(?:(?:,\s?|\s)[A-Za-z0-9\-_]+)*,?\s?$")
EXPOSE = re.compile(r"^[A-Za-z0-9\-_*]+(?:(?:,\s?|\s)[A-Za-z0-9\-_*]+)*,?\s?$")
_TRUE = ("1", "t", "T", "TRUE", "true", "True")
_FALSE = ("0", "f", "F", "FALSE", "false", "False")
CORS_KEYS = ("enable-cors", "cors-allow-origin", "cors-allow-methods", "cors-allow-headers", "cors-expose-headers",
             "cors-allow-credentials", "cors-max-age")


def parse_bool(value: str | None) -> bool | None:
    """Go's `strconv.ParseBool` (None: invalid or absent)."""
    return True if value in _TRUE else False if value in _FALSE else None


def origin_regex(origins: list[str]) -> str:
    """The nginx regex `buildCorsOriginRegex` writes for an origin list
    (matched with `~*`, i.e. a case-insensitive search)."""
    out = "("
    for index, origin in enumerate(origins):
        trimmed = origin.strip()
        if trimmed:
            out += "(" + re.escape(trimmed).replace(r"\*", r"[A-Za-z0-9\-]+", 1) + ")"
            if index != len(origins) - 1:
                out += "|"
    return out + ")$"


@record
class CorsConfig:
    """`cors.Config` as `Parse` builds it, with the line of each setting."""

    enabled: bool
    origins: list[str]
    methods: str
    headers: str
    credentials: bool
    expose: str
    max_age: str
    lines: dict = field(default_factory=dict)
    enable_line: Source | None = None
    snippet: Source | None = None

    def line(self, key: str) -> Source | None:
        return self.lines.get(key, self.enable_line)


def parse(annotations: LMap, path: str, facts: list) -> CorsConfig | None:
    """The CORS config of one Ingress, and the facts its annotations show."""
    values: dict[str, str] = {}
    lines: dict[str, Source] = {}
    for key, value in annotations.items():
        if not isinstance(key, str) or not key.startswith(PREFIX):
            continue
        name = key[len(PREFIX):]
        if name in CORS_KEYS:
            lines[name] = Source(path, annotations.line_of(key))
            if not isinstance(value, str):
                facts.append(RejectedAtStartup(lines[name], f"the annotation {name} is not a string: Kubernetes rejects "
                                                            f"the Ingress (annotation values must be quoted strings)"))
                return None
            values[name] = value
    if not values:
        return None
    snippet = annotations.get(PREFIX + "configuration-snippet")
    snippet_line = Source(path, annotations.line_of(PREFIX + "configuration-snippet")) \
        if isinstance(snippet, str) and "access-control" in snippet.lower() else None
    enabled = parse_bool(values.get("enable-cors")) is True
    if not enabled:
        first = min(lines.values(), key=lambda s: s.line)
        if any(k != "enable-cors" for k in values):
            facts.append(RiskyDefault(first, "cors-* annotations have no effect without "
                                             "nginx.ingress.kubernetes.io/enable-cors: \"true\": ingress-nginx sends no "
                                             "CORS header at all here"))
        return None
    config = CorsConfig(True, ["*"], DEFAULT_METHODS, DEFAULT_HEADERS, True, "", DEFAULT_MAX_AGE, lines,
                        lines["enable-cors"], snippet_line)
    _origins(config, values.get("cors-allow-origin"), facts)
    _fallback(config, values, facts)
    if "cors-allow-origin" not in values and "cors-allow-credentials" not in values:
        facts.append(RiskyDefault(config.enable_line,
                                  "enable-cors alone means cors-allow-origin '*' and cors-allow-credentials 'true' "
                                  "(ingress-nginx defaults): every response carries 'Access-Control-Allow-Origin: *' "
                                  "with 'Access-Control-Allow-Credentials: true', which browsers reject for credentialed "
                                  "requests; set both annotations explicitly"))
    elif "cors-allow-credentials" not in values and config.origins and config.origins != ["*"]:
        facts.append(RiskyDefault(config.enable_line,
                                  "cors-allow-credentials is not set and ingress-nginx defaults it to 'true': every "
                                  "listed origin can read credentialed responses; set it explicitly"))
    return config


def _origins(config: CorsConfig, raw: str | None, facts: list) -> None:
    """`Parse` for cors-allow-origin: validation, fallback, skipped entries."""
    if raw is None:
        return
    if unknown.holds(raw):   # a template's expression: the origins are not known
        config.origins = [unknown.TOKEN]
        return
    source = config.lines["cors-allow-origin"]
    compact = raw.replace(" ", "")
    if raw == "" or not ORIGIN_VALUE.match(compact) or "\n" in compact or "\r" in compact:
        facts.append(RiskyDefault(source, f"cors-allow-origin {raw!r} fails ingress-nginx's validation, so the "
                                          f"controller logs \"cors-allow-origin is invalid, defaulting to '*'\" and "
                                          f"allows every origin ('*'{' with credentials' if config.credentials else ''})"))
        return
    origins: list[str] = []
    for entry in raw.split(","):
        entry = entry.strip()
        if entry == "*":
            origins = ["*"]
            break
        if not ORIGIN_ENTRY.match(entry):
            facts.append(RiskyDefault(source, f"cors-allow-origin entry {entry!r} has no http:// or https:// scheme: "
                                              f"ingress-nginx skips it"))
            continue
        origins.append(entry)
    config.origins = origins
    if not origins:
        facts.append(RiskyDefault(source, "no cors-allow-origin entry is valid: ingress-nginx renders no CORS block "
                                          "and sends no CORS header at all"))
    elif origins != ["*"] and origins[-1] == "" and any(origins[:-1]):
        facts.append(RiskyDefault(source, "the trailing comma in cors-allow-origin leaves an empty alternative in the "
                                          "regex ingress-nginx generates, which matches every origin: any origin is "
                                          "echoed back"))


def _fallback(config: CorsConfig, values: dict[str, str], facts: list) -> None:
    """Methods, headers, expose headers, credentials and max-age, with their silent fallbacks."""
    checks = (("cors-allow-methods", METHODS, "methods", DEFAULT_METHODS),
              ("cors-allow-headers", HEADERS, "headers", DEFAULT_HEADERS),
              ("cors-expose-headers", EXPOSE, "expose", ""))
    for key, regex, attr, default in checks:
        if key in values:
            if unknown.holds(values[key]):
                setattr(config, attr, None)
            elif regex.match(values[key].replace(" ", "")) and regex.match(values[key]):
                setattr(config, attr, values[key])
            else:
                facts.append(RiskyDefault(config.lines[key], f"{key} {values[key]!r} is invalid: ingress-nginx silently "
                                                             f"uses {default!r} instead"))
    if "cors-allow-credentials" in values:
        parsed = parse_bool(values["cors-allow-credentials"])
        if parsed is None:
            facts.append(RiskyDefault(config.lines["cors-allow-credentials"],
                                      f"cors-allow-credentials {values['cors-allow-credentials']!r} is not a boolean: "
                                      f"ingress-nginx logs \"cors-allow-credentials is invalid, defaulting to 'true'\""))
        config.credentials = parsed is not False
    if "cors-max-age" in values:
        if re.fullmatch(r"[+-]?\d+", values["cors-max-age"]):
            config.max_age = str(int(values["cors-max-age"]))
        else:
            facts.append(RiskyDefault(config.lines["cors-max-age"], f"cors-max-age {values['cors-max-age']!r} is not an "
                                                                    f"integer: ingress-nginx uses {DEFAULT_MAX_AGE}"))


class IngressGate(Gate):
    """One Ingress host + path with its (possibly absent) CORS config."""

    def __init__(self, scope: Scope, config: CorsConfig | None):
        self.scope = scope
        self.config = config
        self.regex = None
        #: cors-allow-origin is a template's expression: every origin may be admitted, the value sent is unknown
        self.unknown_origin = config is not None and unknown.TOKEN in config.origins
        if config is not None and config.origins and config.origins != ["*"] and not self.unknown_origin:
            self.regex = saferegex.compile(origin_regex(config.origins), re.IGNORECASE)

    def admits(self, origin: str) -> bool:
        """Whether the generated CORS block sets `$cors` to 'true'."""
        if self.config is None or not self.config.origins:
            return False
        return self.regex is None or bool(self.regex.search(origin))

    def answer(self, request: Request, *, upstream: Upstream | None = None, files: FileOracle | None = None,
               client_addr: str | None = None) -> Answer:
        config = self.config
        origin = request.header(ORIGIN) or ""
        if not self.admits(origin):
            answer = backend(upstream, "ingress-nginx proxies the request to the service", self.scope.source)
            if config is not None and request.method == "OPTIONS":
                answer.trace.append(("the origin does not match cors-allow-origin: the OPTIONS request is proxied",
                                     config.line("cors-allow-origin")))
            return answer
        if request.method == "OPTIONS":
            answer = local(204, "ingress-nginx answers OPTIONS itself (return 204) for a matching origin",
                           config.enable_line)
        else:
            answer = backend(upstream, "ingress-nginx proxies the request and sets the CORS headers with "
                                       "more_set_headers", self.scope.source)
        wildcard = self.regex is None
        value = None if self.unknown_origin else "*" if wildcard else origin
        if value or self.unknown_origin:
            put(answer, ACAO, value, config.line("cors-allow-origin"))
        if config.credentials:
            put(answer, ACAC, "true", config.line("cors-allow-credentials"))
        put(answer, ACAM, config.methods, config.line("cors-allow-methods"))
        put(answer, ACAH, config.headers, config.line("cors-allow-headers"))
        if config.expose:
            put(answer, ACEH, config.expose, config.line("cors-expose-headers"))
        put(answer, MAX_AGE, config.max_age, config.line("cors-max-age"))
        if request.method == "OPTIONS":
            put(answer, "content-type", "text/plain charset=UTF-8", config.enable_line)
            put(answer, "content-length", "0", config.enable_line)
        if config.snippet is not None:
            answer.certain = False
            answer.trace.append((("a configuration-snippet also sets CORS headers (not modelled; snippets are "
                                  "disabled by default since controller v1.9)"), config.snippet))
        return answer


def lower(doc: LMap, path: str, facts: list) -> list[Gate]:
    """The gates of one `Ingress` object: one per rule host and path."""
    metadata = doc.get("metadata") if isinstance(doc.get("metadata"), LMap) else LMap()
    annotations = metadata.get("annotations") if isinstance(metadata.get("annotations"), LMap) else LMap()
    config = parse(annotations, path, facts)
    spec = doc.get("spec") if isinstance(doc.get("spec"), LMap) else LMap()
    auth = any(isinstance(k, str) and k in (PREFIX + "auth-url", PREFIX + "auth-type") for k in annotations)
    gates = []
    for rule in spec.get("rules") or []:
        if not isinstance(rule, LMap):
            continue
        http = rule.get("http") if isinstance(rule.get("http"), LMap) else LMap()
        for item in http.get("paths") or []:
            if isinstance(item, LMap):
                gates.append(_gate(config, rule.get("host"), item.get("path"), Source(path, item.line), auth))
    if not gates:
        gates.append(_gate(config, None, "/", Source(path, doc.line), auth))
    return gates


def _gate(config: CorsConfig | None, host, path_value, source: Source, auth: bool) -> IngressGate:
    name = f"Ingress {host or '*'}{path_value or '/'}"
    scope = Scope(name, scope_url(host if isinstance(host, str) else None,
                                  path_value if isinstance(path_value, str) else "/"), source, proxied=True,
                  authenticates=auth)
    gate = IngressGate(scope, config)
    scope.emits_cors = config is not None and bool(config.origins)
    scope.origin_sensitive = gate.regex is not None
    if config is not None and gate.regex is not None:
        scope.literal_origins = tuple(o for o in config.origins if o and "*" not in o and not unknown.holds(o))
        scope.origin_patterns = (OriginPattern(gate.regex.pattern, True, config.line("cors-allow-origin")),)
    return gate
