"""Probe requests: how rules question a server model.

Per scope, rules ask for a handful of answers (an actual request and a
preflight, from a trusted origin, a hostile origin and `null`), exactly as
design.md describes; this module builds those requests once and caches the
answers, so every rule reads the same facts and a scope costs a few model
calls whatever the number of rules.
"""

from __future__ import annotations

from .model import Answer, Request, Scope, ServerModel
from .origins import DEFAULT_CLIENT, HOSTILE, Trust, is_origin

ACAO = "access-control-allow-origin"
ACAC = "access-control-allow-credentials"
ACAM = "access-control-allow-methods"
ACAH = "access-control-allow-headers"
ACEH = "access-control-expose-headers"
MAX_AGE = "access-control-max-age"
CORS_HEADERS = (ACAO, ACAC, ACAM, ACAH, ACEH, MAX_AGE)
#: how many candidate origins to try when looking for one a scope serves
MAX_TRUSTED_TRIES = 4


def _backend_ok():
    """Rules assume a proxied backend answers 200 with headers of its own
    that are unknown: the normal path, without inventing CORS headers."""
    from .nginx.evaluate import Upstream

    return Upstream(200, None)


class Client:
    """What a front end really sends (`[[tool.corslint.clients]]`)."""

    def __init__(self, origin: str, methods=(), headers=(), credentials: bool = False):
        self.origin = origin
        self.methods = tuple(m for m in methods)
        self.headers = tuple(h.lower() for h in headers)
        self.credentials = credentials


def per_scope(method):
    """Memoize a ProbeContext fact per scope: rules ask the same questions
    about the same scope many times over."""
    name = method.__name__

    def wrapper(self, scope):
        key = (name, id(scope))
        memo = self._facts
        if key not in memo:
            memo[key] = method(self, scope)
        return memo[key]

    wrapper.__name__ = name
    wrapper.__doc__ = method.__doc__
    return wrapper


class ProbeContext:
    """The model plus the user's intent, with cached probe answers."""

    def __init__(self, model: ServerModel, trust: Trust, clients: list[Client]):
        self.model = model
        self.trust = trust
        self.clients = clients
        self._answers: dict[tuple, Answer] = {}
        self._backend = _backend_ok()
        self._candidates: dict[str, list[str]] = {}
        self._facts: dict[tuple, object] = {}
        self._authorizing: set[str] | None = None

    # -- raw questions --------------------------------------------------------
    def ask(self, scope: Scope, method: str, origin: str | None, extra: tuple[tuple[str, str], ...] = ()) -> Answer:
        shared = origin is not None and not scope.origin_sensitive
        key = (scope.url, method, "<any origin>" if shared else origin, extra)
        answer = self._answers.get(key)
        if answer is None:
            headers = (("origin", origin),) if origin is not None else ()
            answer = self.model.answer(Request(method, scope.url, headers + extra), upstream=self._backend)
            answer.scope = scope
            self._answers[key] = answer
        return answer

    def actual(self, scope: Scope, origin: str, method: str = "GET") -> Answer:
        return self.ask(scope, method, origin)

    def preflight(self, scope: Scope, origin: str, method: str = "PUT",
                  headers: tuple[str, ...] = ("content-type",)) -> Answer:
        extra = (("access-control-request-method", method),)
        if headers:
            extra += (("access-control-request-headers", ",".join(sorted(headers))),)
        return self.ask(scope, "OPTIONS", origin, extra)

    @staticmethod
    def request_text(method: str, scope: Scope, origin: str, detail: str = "") -> str:
        from urllib.parse import urlsplit

        path = urlsplit(scope.url).path or "/"
        return f"{method} {path} from {origin}" + (f" ({detail})" if detail else "")

    # -- derived facts -------------------------------------------------------------
    def candidate_origins(self, scope: Scope) -> list[str]:
        cached = self._candidates.get(scope.url)
        if cached is None:
            cached = self._candidates[scope.url] = self._candidate_origins(scope)
        return cached

    def _candidate_origins(self, scope: Scope) -> list[str]:
        from .origins import pattern_examples

        out: list[str] = []
        for origin in [c.origin for c in self.clients] + [t for t in self.trust.trusted if "*" not in t]:
            if origin not in out:
                out.append(origin)
        for literal in scope.literal_origins:
            if is_origin(literal) and literal not in out:
                out.append(literal)
        for pattern in scope.origin_patterns:
            for origin in pattern_examples(pattern.regex, pattern.ignore_case):
                if origin not in out:
                    out.append(origin)
        out.append(DEFAULT_CLIENT)
        return out

    @per_scope
    def trusted_origin(self, scope: Scope) -> str:
        """An origin this scope serves (what its real front end would be):
        the first candidate answered with its own origin or `*`."""
        candidates = self.candidate_origins(scope)
        chosen = None
        if scope.emits_cors:
            tried = candidates[:MAX_TRUSTED_TRIES] + candidates[-1:]
            chosen = next((o for o in tried if _admits(self.actual(scope, o), o)), None)
            if chosen is None:   # some scopes only answer preflights
                chosen = next((o for o in tried if _admits(self.preflight(scope, o), o)), None)
        return chosen or candidates[0]

    @staticmethod
    def config_lines(answer: Answer, name: str):
        """The lines of a header that the configuration (not a backend) sends."""
        return answer.config_lines(name)

    @per_scope
    def is_cors_aware(self, scope: Scope) -> bool:
        """The configuration itself emits CORS headers for this scope."""
        origin = self.trusted_origin(scope)
        return any(h.value is not None for a in (self.actual(scope, origin), self.preflight(scope, origin))
                   for h in self.config_lines(a, ACAO))

    @per_scope
    def answers_preflights(self, scope: Scope) -> bool:
        """The scope deliberately answers CORS preflights: the OPTIONS answer
        is 2xx with Allow-Origin, and either the configuration shows
        preflight intent or OPTIONS has a branch of its own (the classic
        `if ($request_method = OPTIONS) { return 204; }`)."""
        origin = self.trusted_origin(scope)
        preflight = self.preflight(scope, origin)
        if not preflight.is_ok or not self.config_lines(preflight, ACAO):
            return False
        return self.expects_preflight(scope) or preflight.status_source != self.actual(scope, origin).status_source

    def credentials_allowed(self, answer: Answer) -> bool:
        return answer.get(ACAC) == "true"

    @per_scope
    def expects_preflight(self, scope: Scope) -> bool:
        """The configuration shows this scope's clients send preflights: it
        lists allowed methods or headers, serves non-simple methods, or is an
        API behind a proxy.  A static font folder with `*` is not an API."""
        origin = self.trusted_origin(scope)
        answers = (self.actual(scope, origin), self.preflight(scope, origin))
        if any(self.config_lines(a, ACAM) or self.config_lines(a, ACAH) for a in answers):
            return True
        if any(m not in ("GET", "HEAD", "POST") for m in scope.served_methods):
            return True
        return scope.proxied

    # -- helpers the rules share ----------------------------------------------------
    @property
    def scopes(self) -> list[Scope]:
        return self.model.scopes()

    def reflects(self, scope: Scope, origin: str) -> bool:
        """The configuration answers an actual request from `origin` with
        that very origin (what lets a page read the response)."""
        return any(h.value == origin for h in self.config_lines(self.actual(scope, origin), ACAO))

    def origin_dependent(self, scope: Scope, origin: str) -> bool:
        """The Allow-Origin value changes with the request's Origin."""
        seen = {tuple(self.actual(scope, o).values(ACAO)) for o in (origin, HOSTILE, "null")}
        return len(seen) > 1

    def insecure_candidates(self, scope: Scope) -> list[str]:
        """http:// origins the configuration names, and the http:// twin of
        the trusted origin where an allow-list pattern admits it."""
        from .nginx.regex import compile_pcre

        out = [o for o in scope.literal_origins if o.startswith("http://") and is_origin(o)]
        trusted = self.trusted_origin(scope)
        if trusted.startswith("http://") and trusted not in out:
            out.append(trusted)
        if trusted.startswith("https://"):
            twin = "http://" + trusted[8:]
            for pattern in scope.origin_patterns:
                compiled = compile_pcre(pattern.regex, pattern.ignore_case)
                if compiled is not None and compiled.search(twin) and twin not in out:
                    out.append(twin)
        return out

    def config_header_lines(self, *names: str):
        """(scope, answer, line) for every configured line of these headers
        in the probe answers, each line once."""
        seen = set()
        for scope in self.scopes:
            origin = self.trusted_origin(scope)
            for answer in (self.actual(scope, origin), self.preflight(scope, origin)):
                for name in names:
                    for line in self.config_lines(answer, name):
                        key = (line.source, name)
                        if key not in seen:
                            seen.add(key)
                            yield scope, answer, line

    def needed_methods(self, scope: Scope) -> list[str]:
        methods = list(scope.served_methods)
        for client in self.clients:
            methods.extend(m for m in client.methods if m not in methods)
        return methods

    def needed_headers(self, scope: Scope) -> list[str]:
        """Declared clients' headers; without clients, Content-Type (JSON
        bodies) and Authorization where the configuration shows it is sent."""
        if self.clients:
            out: list[str] = []
            for client in self.clients:
                out.extend(h for h in client.headers if h not in out)
            return out
        needed = ["content-type"]
        if scope.authenticates or self._authorization_allowed_elsewhere(scope):
            needed.append("authorization")
        return needed

    def _authorization_allowed_elsewhere(self, scope: Scope) -> bool:
        """Some scope of the same server lists Authorization in Allow-Headers."""
        if self._authorizing is None:
            self._authorizing = set()
            for other in self.scopes:
                answer = self.preflight(other, self.trusted_origin(other))
                if any(h.value and "authorization" in h.value.lower() for h in self.config_lines(answer, ACAH)):
                    self._authorizing.add(_server_of(other))
        return _server_of(scope) in self._authorizing

    def model_facts(self, kind: str) -> list:
        return [fact for fact in self.model.facts() if type(fact).__name__ == kind]


def _admits(answer: Answer, origin: str) -> bool:
    values = answer.values(ACAO)
    return origin in values or "*" in values


def _server_of(scope: Scope) -> str:
    from urllib.parse import urlsplit

    return urlsplit(scope.url).netloc


def split_list(value: str) -> list[str]:
    """A comma-separated header value as a list of trimmed, non-empty items."""
    return [item.strip() for item in value.split(",") if item.strip()]


def reflected(ctx: ProbeContext, credentials: bool):
    """CORS202/203: the hostile origin is echoed back (with or without credentials)."""
    from .diagnostics import Hit

    for scope in ctx.scopes:
        answer = ctx.actual(scope, HOSTILE)
        lines = [h for h in ctx.config_lines(answer, ACAO) if h.value == HOSTILE]
        if lines and ctx.credentials_allowed(answer) == credentials:
            what = "with credentials: any website can read authenticated responses" if credentials else \
                "without validation: equivalent to '*' but defeats caches and hides intent"
            yield Hit(lines[0].source, f"the request Origin is echoed back {what}",
                      ctx.request_text("GET", scope, HOSTILE, "credentials" if credentials else ""))
