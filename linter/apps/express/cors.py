"""The `cors` npm package (2.8.x, `lib/index.js`) as the model runs it.

One `CorsCall` is one `cors(options)` in the app.  `apply` does what the
package's middleware does for a request: resolve the options (a static
object or an options callback), merge them over the defaults with
`Object.assign` semantics, resolve `origin` (a callback's answer, `false`
turns cors off entirely), then set the headers in the package's order and
either end a preflight (any OPTIONS request) with `optionsSuccessStatus` or
hand on.  Every header line points at the option that decides it, or at
the `cors(...)` call for a default.
"""

from __future__ import annotations


from ...code.javascript import UNDEFINED, JsFunction, JsRegex, to_string, truthy
from ...code.values import Unknown, is_unknown
from ...cors import ACAC, ACAH, ACAM, ACAO, ACEH, ACRH, MAX_AGE, ORIGIN
from ...model import Handler, OriginPattern, Request, Source
from ...record import field, record
from .runtime import Outcome, Req, Response, call_back

DEFAULTS = {"origin": "*", "methods": "GET,HEAD,PUT,PATCH,POST,DELETE", "preflightContinue": False,
            "optionsSuccessStatus": 204}


@record
class CorsCall:
    """`cors(arg)`: its options (a dict, an options callback, UNDEFINED or Unknown),
    the call's line and the line of each option key."""

    arg: object
    source: Source
    option_lines: dict[str, int] = field(default_factory=dict)
    #: line of each allow-list entry (string or regex) of `origin`, by position
    entry_lines: list[int] = field(default_factory=list)
    #: the file the options object is written in, when not the call's (an imported module)
    options_path: str = ""
    #: the file the `origin` allow-list is written in, when not the options'
    entries_path: str = ""

    def line_of(self, option: str) -> Source:
        line = self.option_lines.get(option)
        return Source(self.options_path or self.source.path, line) if line else self.source

    def entry_source(self, index: int) -> Source:
        """Where the `index`th entry of the `origin` allow-list is written."""
        if index >= len(self.entry_lines):
            return self.line_of("origin")
        return Source(self.entries_path or self.options_path or self.source.path, self.entry_lines[index])

    # -- static facts for scopes ----------------------------------------------------------------
    def static_origin(self):
        if isinstance(self.arg, dict):
            return self.arg.get("origin", DEFAULTS["origin"])
        return DEFAULTS["origin"] if self.arg is UNDEFINED else Unknown("options callback")

    def origin_sensitive(self) -> bool:
        origin = self.static_origin()
        return not (isinstance(origin, str) or origin is False or origin is None or origin is UNDEFINED)

    def origin_patterns(self) -> list[OriginPattern]:
        out = []
        for value in _entries(self.static_origin()):
            if isinstance(value, JsRegex):
                out.append(OriginPattern(value.pattern, "i" in value.flags, Source(value.path or self.source.path,
                                                                                   value.line)))
        return out

    def literal_origins(self) -> list[str]:
        origin = self.static_origin()
        if isinstance(origin, JsFunction):      # an origin callback checking a list of its module's
            return list(function_origins(origin))
        return [v for v in _entries(origin) if isinstance(v, str) and v != "*"]

    def origin_entries(self) -> list[tuple[str, Source]]:
        """The strings of an `origin: [...]` array with their lines (compared
        with the Origin; a lone string is sent as it is instead)."""
        origin = self.static_origin()
        if not isinstance(origin, list):
            return []
        return [(value, self.entry_source(i)) for i, value in enumerate(origin)
                if isinstance(value, str) and value != "*"]

    # -- the middleware ----------------------------------------------------------------------------
    def apply(self, module, request: Request, response: Response, route_path: str) -> Outcome:
        options = self.arg
        if isinstance(options, JsFunction):      # cors((req, cb) => cb(null, {...}))
            result = call_back(module, options, [Req(request, route_path)], response)
            if result is None:
                return self._unknown(response, "the options callback cannot be followed")
            err, options = result
            if truthy(err) is True:
                return Outcome("error", err)
        if options is UNDEFINED or options is None:
            options = {}
        if not isinstance(options, dict):
            return self._unknown(response, "the cors options are not known")
        merged = dict(DEFAULTS, **options)
        origin = merged["origin"]
        if isinstance(origin, JsFunction):
            result = call_back(module, origin, [request.header(ORIGIN) or UNDEFINED], response)
            if result is None:
                return self._unknown(response, "the origin callback cannot be followed")
            err, origin = result
            if truthy(err) is True:
                return Outcome("error", err)
        allowed = truthy(origin)
        if is_unknown(allowed):
            response.certain = False
        elif not allowed:
            response.trace.append(("cors: origin resolves to a falsy value, so cors sends nothing", self.source))
            return Outcome("next")
        self._origin(origin, request, response)
        self._credentials(merged, response)
        if request.method.upper() != "OPTIONS":
            self._exposed(merged, response)
            return Outcome("next")
        self._set(response, ACAM, _joined(merged["methods"]), "methods")
        self._allowed_headers(merged, request, response)
        self._max_age(merged, response)
        self._exposed(merged, response)
        if truthy(merged["preflightContinue"]) is True:
            return Outcome("next")
        status = merged["optionsSuccessStatus"]
        response.end(status if isinstance(status, int) else None, self.line_of("optionsSuccessStatus"),
                     Handler.MIDDLEWARE)
        response.set("content-length", ["0"], self.source)
        return Outcome("end")

    def _unknown(self, response: Response, why: str) -> Outcome:
        response.certain = False
        response.trace.append((f"cors: {why}", self.source))
        response.set(ACAO, [None], self.line_of("origin"))
        return Outcome("unknown")

    def _set(self, response: Response, name: str, value, option: str) -> None:
        if is_unknown(value):
            response.certain = False
            response.set(name, [None], self.line_of(option))
        elif truthy(value):
            response.set(name, [to_string(value)], self.line_of(option))

    def _origin(self, origin, request: Request, response: Response) -> None:
        """`configureOrigin`: '*', a fixed string, or the request's origin if allowed."""
        source = self.line_of("origin")
        if is_unknown(origin):
            response.set(ACAO, [None], source)
            response.vary("Origin", self.source)
            return
        if origin == "*":
            response.set(ACAO, ["*"], source)
            return
        if isinstance(origin, str):
            response.set(ACAO, [origin], source)
            response.vary("Origin", self.source)
            return
        request_origin = request.header(ORIGIN)
        entry = _allowed(request_origin, origin)
        if is_unknown(entry):
            response.certain = False
            response.set(ACAO, [None], source)
        elif entry is not False and request_origin:
            response.set(ACAO, [request_origin], source)
            if type(entry) is int and entry < len(self.entry_lines):
                response.headers[ACAO][0].via = (self.entry_source(entry),)
        response.vary("Origin", self.source)

    def _credentials(self, merged: dict, response: Response) -> None:
        credentials = merged.get("credentials", UNDEFINED)
        if is_unknown(credentials):
            response.certain = False
            response.set(ACAC, [None], self.line_of("credentials"))
        elif credentials is True:
            response.set(ACAC, ["true"], self.line_of("credentials"))

    def _allowed_headers(self, merged: dict, request: Request, response: Response) -> None:
        option, value = "allowedHeaders", merged.get("allowedHeaders", UNDEFINED)
        if truthy(value) is False:      # `options.allowedHeaders || options.headers`
            option, value = "headers", merged.get("headers", UNDEFINED)
        if is_unknown(value):
            self._set(response, ACAH, value, option)
            return
        if not truthy(value):     # reflect the request's Access-Control-Request-Headers
            response.vary("Access-Control-Request-Headers", self.source)
            requested = request.header(ACRH)
            if requested:
                response.set(ACAH, [requested], self.source)
            return
        self._set(response, ACAH, _joined(value), option)

    def _max_age(self, merged: dict, response: Response) -> None:
        value = merged.get("maxAge", UNDEFINED)
        if isinstance(value, (int, float)) and not isinstance(value, bool) or is_unknown(value):
            self._set(response, MAX_AGE, value if is_unknown(value) else to_string(value), "maxAge")
        elif truthy(value) is True:
            self._set(response, MAX_AGE, to_string(value), "maxAge")

    def _exposed(self, merged: dict, response: Response) -> None:
        value = merged.get("exposedHeaders", UNDEFINED)
        if is_unknown(value) or truthy(value):
            self._set(response, ACEH, _joined(value), "exposedHeaders")


def function_origins(fn: JsFunction):
    """The origins a function spells: string literals in its body and the
    lists of origins its names refer to (constants of its module, or imported)."""
    from ...code.javascript import Interpreter, descendants
    from ...origins import is_serialized_origin

    module = fn.env.module
    for node in descendants(fn.node):
        if node.type in ("string", "identifier"):
            value = module.binding(node.text.decode()) if node.type == "identifier" else \
                Interpreter(module).eval(node, module.root)
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, str) and is_serialized_origin(item):
                    yield item


def _joined(value):
    """`value.join ? value.join(',') : value`."""
    if isinstance(value, list):
        return ",".join(to_string(v) for v in value)
    return value


def _entries(origin) -> list:
    return origin if isinstance(origin, list) else [origin]


def _allowed(request_origin: str | None, allowed):
    """`isOriginAllowed`: False, True, the index of the matching array entry, or Unknown."""
    origin = UNDEFINED if request_origin is None else request_origin
    if isinstance(allowed, list):
        for i, entry in enumerate(allowed):
            hit = _allowed(request_origin, entry)
            if is_unknown(hit):
                return hit
            if hit is not False:
                return i
        return False
    if isinstance(allowed, str):
        return origin == allowed
    if isinstance(allowed, JsRegex):
        hit = allowed.test(origin)
        return hit if is_unknown(hit) else bool(hit)
    if is_unknown(allowed):
        return allowed
    return bool(truthy(allowed))
