"""ap_expr, Apache's expression language, as far as CORS configurations use it.

`<If "...">`, `Header ... expr=...`, `SetEnvIfExpr` and `Require expr`
mostly test the request method and the Origin header:

    %{REQUEST_METHOD} == 'OPTIONS'
    %{HTTP:Origin} =~ m#^https://(www\\.)?example\\.com$#
    req('Origin') in {'https://a.example', 'https://b.example'}
    -n %{HTTP:Origin} && ! (%{REQUEST_METHOD} -strmatch 'GET')

Anything else evaluates to None (unknown) rather than to a guess.
"""

from __future__ import annotations

import fnmatch
import re

from .. import saferegex

#: the request-header variables ap_expr and mod_rewrite know by name
HEADER_VARIABLES = {"HTTP_ACCEPT": "Accept", "HTTP_COOKIE": "Cookie", "HTTP_FORWARDED": "Forwarded",
                    "HTTP_HOST": "Host", "HTTP_PROXY_CONNECTION": "Proxy-Connection", "HTTP_REFERER": "Referer",
                    "HTTP_USER_AGENT": "User-Agent"}


class Unknown(Exception):
    """The expression depends on something a static reading cannot know."""


_TOKEN = re.compile(r"""
    \s*(?:
      (?P<str>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
    | (?P<var>%\{[^}]*\})
    | (?P<regex>m(?P<delim>[#/|!,;%:])(?P<rbody>.*?)(?P=delim)(?P<rflags>i?)|/(?P<slash>(?:[^/\\]|\\.)*)/(?P<sflags>i?))
    | (?P<func>[a-z_]+)\(\s*(?P<farg>'[^']*'|"[^"]*")\s*\)
    | (?P<op>==|!=|=~|!~|<=|>=|&&|\|\||-strmatch|-strcmatch|-fnmatch|-n|-z|-eq|-ne|-lt|-le|-gt|-ge|-in|\bin\b|\bnot\b|\band\b|\bor\b|[<>!(){},])
    | (?P<word>[^\s(){},]+)
    )""", re.VERBOSE)


def tokenize(text: str) -> list[tuple[str, str]]:
    out = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise Unknown(f"cannot read {text[pos:]!r}")
        pos = m.end()
        kind = m.lastgroup
        if m.group("str") is not None:
            out.append(("str", m.group("str")[1:-1]))
        elif m.group("var") is not None:
            out.append(("var", m.group("var")[2:-1]))
        elif m.group("regex") is not None:
            body = m.group("rbody") if m.group("rbody") is not None else m.group("slash")
            flags = m.group("rflags") or m.group("sflags") or ""
            out.append(("regex", ("i" if flags else "") + ":" + body))
        elif m.group("func") is not None:
            out.append(("func", m.group("func") + ":" + m.group("farg")[1:-1]))
        elif m.group("op") is not None:
            out.append(("op", m.group("op").strip()))
        elif kind == "word" or m.group("word") is not None:
            out.append(("word", m.group("word")))
    return out


class Evaluator:
    """Evaluates one expression against a request.  `lookup(name)` gives a
    variable's value (`REQUEST_METHOD`, `HTTP:Origin`, an env var...) or
    raises Unknown."""

    def __init__(self, text: str, lookup, header, reads: list[str] | None = None):
        self.tokens = tokenize(text)
        self.pos = 0
        self.lookup = lookup
        self.header = header
        #: request headers read the way that makes Apache add them to Vary
        #: (`req()`, `http()`, `%{HTTP:X}`, `%{req:X}`, `%{HTTP_USER_AGENT}`...)
        self.reads = reads if reads is not None else []
        #: regex captures of the last successful match ($0..$9 in values)
        self.captures: list[str] = []

    def peek(self):
        return self.tokens[self.pos] if self.pos < len(self.tokens) else ("end", "")

    def take(self):
        token = self.peek()
        self.pos += 1
        return token

    def boolean(self) -> bool:
        value = self._or()
        if self.pos != len(self.tokens):
            raise Unknown("trailing tokens")
        return value

    def string(self) -> str:
        """The expression as a string value (`Header set X "expr=%{req:Origin}"`)."""
        value = self._word()
        if self.pos != len(self.tokens):
            raise Unknown("trailing tokens")
        return value

    # `&&` and `||` short-circuit as in Apache: the right side is not
    # evaluated, so the headers it reads do not go to Vary

    def _or(self) -> bool:
        value = self._and()
        while self.peek() in (("op", "||"), ("op", "or")):
            self.take()
            right = self._skipped(self._and) if value else self._and()
            value = value or right
        return value

    def _and(self) -> bool:
        value = self._not()
        while self.peek() in (("op", "&&"), ("op", "and")):
            self.take()
            right = self._skipped(self._not) if not value else self._not()
            value = value and right
        return value

    def _skipped(self, parse) -> bool:
        """Parse an operand without evaluating it (its reads are dropped)."""
        reads, header, lookup = len(self.reads), self.header, self.lookup
        self.header = lambda _name: ""
        self.lookup = lambda _name: ""
        try:
            return parse()
        finally:
            self.header, self.lookup = header, lookup
            del self.reads[reads:]

    def _not(self) -> bool:
        if self.peek() in (("op", "!"), ("op", "not")):
            self.take()
            return not self._not()
        if self.peek() == ("op", "("):
            self.take()
            value = self._or()
            if self.take() != ("op", ")"):
                raise Unknown("unbalanced parenthesis")
            return value
        return self._comparison()

    def _comparison(self) -> bool:
        kind, text = self.peek()
        if kind == "op" and text in ("-n", "-z"):
            self.take()
            value = self._word()
            return bool(value) if text == "-n" else not value
        if kind == "word" and text.lower() in ("true", "false"):
            self.take()
            return text.lower() == "true"
        left = self._word()
        kind, op = self.take()
        if kind != "op":
            raise Unknown(f"operator expected, got {op!r}")
        if op in ("=~", "!~"):
            kind, pattern = self.take()
            if kind != "regex":
                raise Unknown("regex expected")
            flags, _, body = pattern.partition(":")
            m = saferegex.search(body, left, re.IGNORECASE if "i" in flags else 0)
            if m and op == "=~":
                self.captures = [m.group(0)] + [g or "" for g in m.groups()]
            return bool(m) == (op == "=~")
        if op in ("in", "-in"):
            return left in self._list()
        right = self._word()
        if op in ("==", "-eq") and op == "==":
            return left == right
        if op == "!=":
            return left != right
        if op == "-strmatch":
            return fnmatch.fnmatchcase(left, right)
        if op in ("-strcmatch", "-fnmatch"):
            return fnmatch.fnmatch(left.lower(), right.lower())
        if op in ("<", ">", "<=", ">=", "-eq", "-ne", "-lt", "-le", "-gt", "-ge"):
            try:
                a, b = int(left), int(right)
            except ValueError:
                raise Unknown("integer comparison on a non-number") from None
            return {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b, "-eq": a == b, "-ne": a != b,
                    "-lt": a < b, "-le": a <= b, "-gt": a > b, "-ge": a >= b}[op]
        raise Unknown(f"operator {op!r}")

    def _list(self) -> list[str]:
        if self.take() != ("op", "{"):
            raise Unknown("list expected")
        items = []
        while True:
            items.append(self._word())
            kind, text = self.take()
            if (kind, text) == ("op", "}"):
                return items
            if (kind, text) != ("op", ","):
                raise Unknown("bad list")

    def _word(self) -> str:
        kind, text = self.take()
        if kind == "str":
            return self._interpolate(text)
        if kind == "var":
            return self._variable(text)
        if kind == "func":
            name, _, arg = text.partition(":")
            if name in ("req", "http", "req_novary"):
                return self._header(arg, vary=name != "req_novary")
            if name == "reqenv":   # the request's environment (SetEnvIf, [E=]...): "" when unset
                return self.lookup("ENV:" + arg)
            if name in ("tolower", "toupper"):
                return arg.lower() if name == "tolower" else arg.upper()
            raise Unknown(f"function {name}()")
        if kind == "word":
            if re.fullmatch(r"-?\d+", text):
                return text
            if re.fullmatch(r"\$\d", text):
                idx = int(text[1])
                return self.captures[idx] if idx < len(self.captures) else ""
        raise Unknown(f"value expected, got {text!r}")

    def _interpolate(self, text: str) -> str:
        def var(m):
            return self._variable(m.group(1))
        text = re.sub(r"%\{([^}]*)\}", var, text)
        return re.sub(r"\$(\d)", lambda m: self.captures[int(m.group(1))] if int(m.group(1)) < len(self.captures)
                      else "", text)

    def _variable(self, name: str) -> str:
        lower = name.lower()
        if lower.startswith(("req:", "http:", "req_novary:")):
            return self._header(name.split(":", 1)[1], vary=not lower.startswith("req_novary:"))
        if name.upper() in HEADER_VARIABLES:
            return self._header(HEADER_VARIABLES[name.upper()], vary=True)
        if name.upper().startswith("HTTP_"):
            # ap_expr knows only the HTTP_* names above: `%{HTTP_ORIGIN}` is
            # "Variable 'HTTP_ORIGIN' does not exist" at start-up
            raise Unknown(f"no variable {name}")
        return self.lookup(name)

    def _header(self, name: str, vary: bool) -> str:
        """A request header; ap_expr adds its name to Vary whether or not the
        request has it."""
        if vary:
            self.reads.append(name)
        return self.header(name) or ""


def evaluate_bool(text: str, lookup, header, reads: list[str] | None = None,
                  captures: list[str] | None = None) -> bool | None:
    """The condition's value, None when unknown; header names read for Vary
    are appended to `reads`, the groups of the last regex match ($0, $1...)
    to `captures`."""
    try:
        evaluator = Evaluator(text, lookup, header, reads)
        value = evaluator.boolean()
    except (Unknown, re.error, IndexError):
        return None
    if captures is not None:
        captures.extend(evaluator.captures)
    return value


def evaluate_string(text: str, lookup, header) -> str | None:
    try:
        return Evaluator(text, lookup, header).string()
    except (Unknown, re.error, IndexError):
        return None
