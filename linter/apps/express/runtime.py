"""The objects a middleware sees (`req`, `res`, `next`), for the interpreter.

`Response` keeps the outgoing headers the way Node does (one entry per
name, in the order first set; an array value is sent as several lines;
`vary()` folds every Vary line into one), because rules compare header
lines and the live tests compare them with what node sends.
`run_handler` runs one hand-written middleware or route handler against a
request and says how it ended: handed on (`next()`), answered, failed, or
in a way the linter cannot follow.
"""

from __future__ import annotations


from ...code.javascript import UNDEFINED, Interpreter, JsFunction, Stop, Thrown, to_string
from ...code.values import Unknown, is_unknown
from ...cors import VARY
from ...model import Handler, HeaderLine, Request, Source
from ...record import record


class Response:
    """What Express will send: status, header lines, who answered, how sure we are."""

    def __init__(self):
        self.headers: dict[str, list[HeaderLine]] = {}
        self.status: int | None = 200
        self.status_source: Source | None = None
        self.handler = ""
        self.certain = True
        self.trace: list[tuple[str, Source | None]] = []

    def set(self, name: str, values: list, source: Source | None | list) -> None:
        """`res.setHeader(name, value)`: replaces the header, keeping its place.
        `source` may give one source per value (`res.append` keeps the earlier lines' sources)."""
        lower = name.lower()
        sources = source if isinstance(source, list) else [source] * len(values)
        self.headers[lower] = [HeaderLine(lower, None if is_unknown(v) or v is None else str(v), src)
                               for v, src in zip(values, sources)]

    def values(self, name: str) -> list[str | None]:
        return [h.value for h in self.headers.get(name.lower(), [])]

    def remove(self, name: str) -> None:
        self.headers.pop(name.lower(), None)

    def vary(self, field_name, source: Source | None) -> None:
        """The `vary` package: append the field to one combined Vary line."""
        lines = self.headers.get(VARY, [])
        first = lines[0].source if lines else source
        if is_unknown(field_name) or any(h.value is None for h in lines):
            self.set(VARY, [None], first)
            return
        header = ", ".join(h.value for h in lines)
        fields = [f.strip() for f in to_string(field_name).split(",") if f.strip()]
        present = [v.strip().lower() for v in header.split(",") if v.strip()]
        if header.strip() == "*" or "*" in present or "*" in fields:
            value = "*"
        else:
            value = header
            for f in fields:
                if f.lower() not in present:
                    present.append(f.lower())
                    value = f"{value}, {f}" if value else f
        if value:
            self.set(VARY, [value], first)

    def end(self, status, source: Source | None, handler: str) -> None:
        if status is not None:
            self.status = status if isinstance(status, int) else None
        self.status_source = source
        self.handler = handler

    def lines(self) -> list[HeaderLine]:
        return [line for lines in self.headers.values() for line in lines]


@record
class Outcome:
    """How one handler finished: "next", "end", "error", "route" (next('route')),
    "unknown" (it calls code the linter cannot see, or never finishes)."""

    kind: str
    value: object = None


class _Headers:
    def __init__(self, request: Request):
        self.request = request

    def member(self, name):
        value = self.request.header(str(name).lower())
        return UNDEFINED if value is None else value


class Req:
    """`req`: its method, path and headers are known; anything else is not."""

    def __init__(self, request: Request, path: str):
        self.request = request
        self.path = path

    def member(self, name):
        if name == "headers":
            return _Headers(self.request)
        if name == "method":
            return self.request.method
        if name == "path":
            return self.path
        if name in ("url", "originalUrl"):
            return self.request.target
        return Unknown(f"req.{name}")

    def call(self, name, args, node):
        if name in ("get", "header") and args and isinstance(args[0], str):
            wanted = args[0].lower()
            value = self.request.header("referer" if wanted == "referrer" else wanted)
            return UNDEFINED if value is None else value
        return Unknown(f"req.{name}()")


class Res:
    """`res`: the Express response methods that set headers or answer."""

    ENDERS = ("end", "send", "json", "jsonp", "sendFile", "render", "download")

    def __init__(self, response: Response, interp: Interpreter, path: str, handler: str):
        self.response = response
        self.interp = interp
        self.path = path
        self.handler = handler

    def _source(self, node) -> Source:
        return Source(self.path, node.start_point[0] + 1)

    def _value(self, value):
        return None if self.interp.uncertain else value

    def member(self, name):
        if name == "statusCode":
            return self.response.status
        return Unknown(f"res.{name}")

    def set_member(self, name, value, node) -> None:
        if name == "statusCode" and not self.interp.uncertain:
            self.response.status = value if isinstance(value, int) else None

    def call(self, name, args, node):
        source = self._source(node)
        arg = args[0] if args else UNDEFINED
        if name in ("header", "set") and isinstance(arg, dict):
            for key, value in arg.items():
                self._express_set(key, value, source)
        elif name in ("header", "set") and len(args) >= 2:
            self._express_set(arg, args[1], source)
        elif name == "setHeader" and len(args) >= 2:
            if args[1] is UNDEFINED:
                raise Thrown(f"TypeError [ERR_HTTP_INVALID_HEADER_VALUE] (line {source.line})")
            self._set(arg, args[1] if isinstance(args[1], list) else [args[1]], source)
        elif name == "append" and len(args) >= 2:
            prev = self.response.headers.get(to_string(arg).lower(), [])
            extra = [to_string(v) for v in (args[1] if isinstance(args[1], list) else [args[1]])]
            self._set(arg, [h.value for h in prev] + extra, [h.source for h in prev] + [source] * len(extra))
        elif name == "vary":
            self.response.vary(self._value(arg) if not self.interp.uncertain else Unknown("vary"), source)
        elif name == "removeHeader":
            if not self.interp.uncertain:
                self.response.remove(to_string(arg))
        elif name == "getHeader" or name == "get":
            values = self.response.values(to_string(arg))
            return UNDEFINED if not values else values[0] if len(values) == 1 else values
        elif name == "status":
            if not self.interp.uncertain:
                self.response.status = arg if isinstance(arg, int) else None
                self.response.status_source = source
            return self
        elif name == "sendStatus":
            self._finish(arg, source)
        elif name == "redirect":
            status, target = (arg, args[1]) if len(args) > 1 else (302, arg)
            self._set("location", [target], source)
            if not self.interp.uncertain:    # res.redirect answers through res.format: Vary: Accept
                self.response.vary("Accept", source)
            self._finish(status, source, Handler.REDIRECT)
        elif name == "writeHead":
            if len(args) > 1 and isinstance(args[-1], dict):
                for key, value in args[-1].items():
                    self._set(key, value if isinstance(value, list) else [value], source)
            if not self.interp.uncertain:
                self.response.status = arg if isinstance(arg, int) else None
                self.response.status_source = source
            return self
        elif name in self.ENDERS:
            self._finish(None, source)
        else:
            self.response.certain = False
            return Unknown(f"res.{name}()")
        return self

    def _express_set(self, name, value, source: Source) -> None:
        """`res.set`/`res.header`: values become strings (`undefined` too)."""
        values = [to_string(v) for v in value] if isinstance(value, list) else [value if is_unknown(value)
                                                                                 else to_string(value)]
        self._set(name, values, source)

    def _set(self, name, values: list, source: Source | list) -> None:
        if is_unknown(name):
            self.response.certain = False
            return
        if self.interp.uncertain:
            values = [None for _ in values]
            self.response.certain = False
        self.response.set(to_string(name), [v if is_unknown(v) or v is None else to_string(v) for v in values],
                          source)

    def _finish(self, status, source: Source, handler: str | None = None) -> None:
        if self.interp.uncertain:
            self.response.certain = False
            return
        if status is None and self.response.status_source is not None:
            status, source = self.response.status, self.response.status_source
        self.response.end(status if status is not None else 200, source, handler or self.handler)
        raise Stop


class Continuation:
    """A function the handler is handed and calls to finish (`next`, a `cb`):
    the call stops the handler and `received` keeps what it meant.  A call
    under an uncertain branch is not taken as the finish: it returns
    `undefined` and the handler runs on."""

    def __init__(self, interp: Interpreter):
        self.interp = interp
        self.received = None

    def invoke(self, args, node):
        if self.interp.uncertain:
            return UNDEFINED
        self.received = self.meaning(args)
        raise Stop

    @staticmethod
    def meaning(args: list):
        raise NotImplementedError


class Next(Continuation):
    """`next`: hand on, hand on with an error, or skip to the next route."""

    @staticmethod
    def meaning(args: list) -> Outcome:
        arg = args[0] if args else UNDEFINED
        if arg is UNDEFINED or arg is None:
            return Outcome("next")
        if arg == "route":
            return Outcome("route")
        return Outcome("error", arg)


class Callback(Continuation):
    """A `cb(err, value)` argument (cors' origin and options callbacks): (err, value)."""

    @staticmethod
    def meaning(args: list) -> tuple:
        return args[0] if args else UNDEFINED, args[1] if len(args) > 1 else UNDEFINED


def run_handler(module, fn: JsFunction, request: Request, response: Response, path: str, route_path: str,
                final: bool) -> Outcome:
    """Run a hand-written middleware (or the last handler of a route, `final`)."""
    interp = make_interpreter(module, response)
    nxt = Next(interp)
    res = Res(response, interp, path, Handler.APP if final else Handler.MIDDLEWARE)
    try:
        interp.call_function(fn, [Req(request, route_path), res, nxt])
    except Stop:
        return nxt.received or Outcome("end")
    except Thrown as exc:
        return Outcome("error", exc.value)
    if final:        # the response is made in code the linter does not follow (a promise, a callback)
        return Outcome("end")
    response.certain = False
    return Outcome("unknown")


def call_back(module, fn: JsFunction, args: list, response: Response):
    """Run `fn(*args, cb)` and return what it passed to `cb`: (err, value), or None."""
    interp = make_interpreter(module, response)
    cb = Callback(interp)
    try:
        interp.call_function(fn, args + [cb])
    except Stop:
        pass
    except Thrown:
        return None
    return cb.received


def make_interpreter(module, response: Response) -> Interpreter:
    def unknown_call(_callee, _node):
        response.certain = False

    return Interpreter(module, on_unknown_call=unknown_call)
