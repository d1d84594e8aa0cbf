"""Probe requests: how rules question a server model.

Per scope, rules look at a handful of answers (an actual request and a
preflight, from a trusted origin, a hostile origin and `null`), exactly as
design.md describes.  `ProbeContext.probes` gives one `Probe` per scope
with those answers and the facts derived from them, each computed once, so
every rule reads the same facts and a scope costs a few model calls
whatever the number of rules.
"""

from __future__ import annotations

from functools import cached_property, lru_cache

from . import fetchheaders
from .backend import UNREACHABLE_UPSTREAM
from .cors import ACAC, ACAH, ACAM, ACAO, ACRH, ACRM, ORIGIN, SAFELISTED_METHODS
from .model import Answer, Handler, HeaderLine, Request, Scope, ServerModel
from .origins import DEFAULT_CLIENT, HOSTILE, Trust, is_serialized_origin
from .urls import split as split_url

#: how many guessed origins to try when looking for one a scope serves
MAX_TRUSTED_TRIES = 3
#: what the probe preflight asks for: a JSON write, the most common API call
#: (PUT unless the scope shows which methods it serves, see preflight_method)
PROBE_METHOD = "PUT"
PROBE_HEADERS = ("content-type",)
#: methods whose requests carry a body (a JSON body needs Content-Type allowed)
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: who refuses a preflight that the user fixes first and then meets the
#: allow-lists (CORS102 `deny`, CORS105 authentication)
REFUSALS = Handler.AUTHENTICATION | {Handler.DENY}


class Client:
    """What a front end really sends (`[[tool.corslint.clients]]`)."""

    def __init__(self, origin: str, methods=(), headers=(), credentials: bool = False):
        self.origin = origin
        self.methods = tuple(m for m in methods)
        self.headers = tuple(h.lower() for h in headers)
        self.credentials = credentials


def _backend_ok():
    """Rules assume a proxied backend answers 200 with headers of its own
    that are unknown: the normal path, without inventing CORS headers."""
    from .backend import Upstream

    return Upstream(200, None)


class Probe:
    """One scope's standard answers and what they show.

    `origin` is an origin the scope serves (its real front end, as far as
    the configuration tells); `actual` and `preflight` are the answers to a
    GET and to a PUT+Content-Type preflight from it.
    """

    def __init__(self, ctx: "ProbeContext", scope: Scope):
        self.ctx = ctx
        self.scope = scope
        self.path = split_url(scope.url).path or "/"

    @cached_property
    def origin(self) -> str:
        return self.ctx.trusted_origin(self.scope)

    @cached_property
    def actual(self) -> Answer:
        return self.ctx.actual(self.scope, self.origin)

    @cached_property
    def preflight(self) -> Answer:
        return self.ctx.preflight(self.scope, self.origin)

    @cached_property
    def backend_down(self) -> Answer | None:
        """The actual request while the proxied backend cannot be reached,
        asked only where an error page answers that (Scope.backend_error_page):
        the model's answer `simulate --upstream-down` shows."""
        if not self.scope.backend_error_page:
            return None
        return self.ctx.ask(self.scope, actual_method(self.scope), self.origin, down=True)

    def answers(self) -> tuple[tuple[Answer, str], ...]:
        """(answer, method) for the actual request and the preflight."""
        return self._answer_pairs

    @cached_property
    def _answer_pairs(self) -> tuple[tuple[Answer, str], ...]:
        """Built once: rules ask for both answers about ten times per scope."""
        return ((self.actual, actual_method(self.scope)), (self.preflight, "OPTIONS"))

    def request(self, method: str | None = None, origin: str | None = None, detail: str = "") -> str:
        """The request in the words findings use: `OPTIONS /api/ from https://a.example (PUT, content-type)`;
        without a method, the actual request."""
        method = method or actual_method(self.scope)
        origin = origin or self.origin
        if method == "OPTIONS" and not detail:
            detail = ", ".join((preflight_method(self.scope),) + PROBE_HEADERS)
        text = f"{method} {self.path} from {origin}" + (f" ({detail})" if detail else "")
        if not self.ctx.address_decided:
            return text
        answer = self.ctx.preflight(self.scope, origin) if method == "OPTIONS" else \
            self.ctx.actual(self.scope, origin, method)
        if answer.client_addr is not None:
            text += f" for a remote client ({answer.client_addr})"
        return text

    @cached_property
    def closed_to_remote_clients(self) -> bool:
        """The client address refuses (4xx) both the actual request and the
        preflight of a remote client (`allow 127.0.0.1; deny all;`,
        `Require ip 10.0.0.0/8`, a `geo` variable's `return 403`): no page
        on the internet can call this scope, so whether its preflight works
        does not matter (CORS101, CORS102; CORS104 needs a 2xx preflight)."""
        answers = self.answers()   # asked first: they may be what sets ctx.address_decided
        return self.ctx.address_decided and all(a.client_addr is not None and a.status is not None
                                                and 400 <= a.status < 500 for a, _ in answers)

    @cached_property
    def cors_aware(self) -> bool:
        """The configuration itself sends Allow-Origin here (a known value)."""
        return any(h.value is not None for a, _ in self.answers() for h in a.config_lines(ACAO))

    @cached_property
    def expects_preflight(self) -> bool:
        """The configuration shows this scope's clients send preflights: it
        lists allowed methods or headers, serves non-simple methods, or is an
        API behind a proxy.  A static font folder with `*` is not an API."""
        if any(a.config_lines(ACAM) or a.config_lines(ACAH) for a, _ in self.answers()):
            return True
        if any(m not in SAFELISTED_METHODS for m in self.scope.served_methods):
            return True
        return self.scope.proxied

    @cached_property
    def answers_preflights(self) -> bool:
        """The scope deliberately answers CORS preflights: the OPTIONS answer
        is 2xx with Allow-Origin, and either the configuration shows
        preflight intent or OPTIONS has a branch of its own (the classic
        `if ($request_method = OPTIONS) { return 204; }`)."""
        preflight = self.preflight
        if not preflight.is_ok or not preflight.config_lines(ACAO):
            return False
        return self.expects_preflight or preflight.status_source != self.actual.status_source

    @cached_property
    def lists(self) -> Answer | None:
        """The answer whose Access-Control-Allow-Methods and -Headers count
        (CORS301/302): the preflight answer where the scope answers
        preflights.  Where access control or authentication refuses a
        CORS-aware scope's preflight (CORS102/105), the answer that carries
        the lists this scope sends (the preflight's own, else the actual
        request's): fixing the refusal only leads the user to the next error,
        so both are reported at once.  None elsewhere."""
        if self.answers_preflights:
            return self.preflight
        if self.preflight.handler not in REFUSALS or not (self.cors_aware and self.expects_preflight):
            return None
        return next((a for a in (self.preflight, self.actual) if a.config_lines(ACAM) or a.config_lines(ACAH)), None)

    @cached_property
    def methods(self) -> tuple[str, ...] | None:
        """The methods clients call this scope with, as far as the
        configuration says: those its Allow-Methods lists that it serves;
        None where it does not say (no list, an unknown value, `*`, or no
        listed method served)."""
        answer = self.lists
        if answer is None:
            return None
        items = allow_list(answer, ACAM)[1]
        if not items or wildcard_applies(answer, items):
            return None
        served = self.scope.served_methods
        return tuple(m for m in items if m != "OPTIONS" and (not served or m in served)) or None

    @cached_property
    def client_method(self) -> str:
        """The method of the preflight a client of this scope sends: a
        method it allows and serves that preflights, one with a body first
        (a JSON write), else POST (a JSON body), else the first it allows;
        preflight_method where the configuration does not say."""
        methods = self.methods
        if not methods:
            return preflight_method(self.scope)
        writes = [m for m in methods if m not in SAFELISTED_METHODS]
        return next((m for m in writes if m in BODY_METHODS), writes[0] if writes else
                    "POST" if "POST" in methods else methods[0])

    @cached_property
    def redirect_location(self) -> str | None:
        """Where the actual request is redirected, as an absolute URL, when
        that is on the same server (a resource moved within it; an https
        upgrade or another host is where the page should call instead)."""
        answer = self.actual
        location = answer.get("location") if answer.is_redirect else None
        if not location:
            return None
        here = split_url(self.scope.url)
        if location.startswith("/") and not location.startswith("//"):
            location = f"{here.scheme}://{here.netloc}{location}"
        there = split_url(location)
        return location if (there.scheme, there.netloc) == (here.scheme, here.netloc) else None

    @cached_property
    def redirect_target(self) -> Answer | None:
        """The answer to `redirect_location` (the browser's next request;
        `simulate` follows the same hops); None without one."""
        location = self.redirect_location
        return None if location is None else self.ctx.ask_url(location, actual_method(self.scope), self.origin)

    def allowing(self, origin: str) -> tuple[Answer, list[HeaderLine]]:
        """The answer to an actual request from `origin`, and its configured
        Allow-Origin lines that name that very origin."""
        answer = self.ctx.actual(self.scope, origin)
        return answer, [h for h in answer.config_lines(ACAO) if h.value == origin]

    def reflects(self, origin: str) -> bool:
        """An actual request from `origin` is answered with that very origin
        (what lets a page from there read the response)."""
        return bool(self.allowing(origin)[1])

    @cached_property
    def checks_origins(self) -> bool:
        """The scope sends CORS headers and does not echo just any origin:
        which origins it admits is a decision worth judging (CORS204/206)."""
        return self.scope.emits_cors and not self.reflects(HOSTILE)

    @cached_property
    def origin_dependent(self) -> bool:
        """The Allow-Origin value changes with the request's Origin."""
        seen = {tuple(self.ctx.actual(self.scope, o).values(ACAO)) for o in (self.origin, HOSTILE, "null")}
        return len(seen) > 1


class ProbeContext:
    """The model plus the user's intent, with cached probe answers."""

    def __init__(self, model: ServerModel, trust: Trust, clients: list[Client]):
        self.model = model
        self.trust = trust
        self.clients = clients
        self._answers: dict[tuple, Answer] = {}
        self._backend = _backend_ok()
        self._probes: list[Probe] | None = None
        self._authorizing: set[str] | None = None
        self._facts: dict[type, list] | None = None
        #: some answer was decided by the client address: findings name the client
        self.address_decided = False

    def close(self) -> None:
        """Drop the cached answers and probes once the rules are done: each
        Probe refers back to this context, a cycle that only the cyclic
        collector (disabled for a lint run) would free."""
        self._answers.clear()
        self._probes = None

    @property
    def scopes(self) -> list[Scope]:
        return self.model.scopes()

    @property
    def probes(self) -> list[Probe]:
        if self._probes is None:
            self._probes = [Probe(self, scope) for scope in self.model.scopes()]
        return self._probes

    def preflight_lists(self):
        """(probe, answer) where Allow-Methods and -Headers count: see Probe.lists."""
        return ((p, p.lists) for p in self.probes if p.lists is not None)

    # -- raw questions --------------------------------------------------------
    def ask(self, scope: Scope, method: str, origin: str | None, extra: tuple[tuple[str, str], ...] = (),
            down: bool = False) -> Answer:
        """The model's answer, shared between origins where the scope never
        reads the Origin header, or where answering this request did not
        read it (a GET past an `if ($request_method = OPTIONS)` that alone
        looks at the origin).  `down`: the proxied backend cannot be reached."""
        key = (id(scope), method, origin if scope.origin_sensitive or origin is None else "<any origin>", extra, down)
        answer = self._answers.get(key)
        if answer is None and origin is not None:
            answer = self._answers.get((id(scope), method, "<origin not read>", extra, down))
        if answer is None:
            request = Request(method, scope.url, browser_headers(origin, extra))
            answer = self.model.answer(request, upstream=UNREACHABLE_UPSTREAM if down else self._backend,
                                       client_addr=fetchheaders.REMOTE_CLIENT)
            answer.scope = scope
            self._answers[key] = answer
            if answer.client_addr is not None:
                self.address_decided = True
            if origin is not None and not answer.reads_origin:
                self._answers[(id(scope), method, "<origin not read>", extra, down)] = answer
        return answer

    def ask_url(self, url: str, method: str, origin: str) -> Answer:
        """The model's answer for a URL no scope names (a redirect's target), uncached."""
        return self.model.answer(Request(method, url, browser_headers(origin, ())), upstream=self._backend,
                                 client_addr=fetchheaders.REMOTE_CLIENT)

    def actual(self, scope: Scope, origin: str, method: str | None = None) -> Answer:
        """The actual request: a GET, or the first method a scope serves when
        GET is not one of them (a DELETE-only route answers GET with 404)."""
        return self.ask(scope, method or actual_method(scope), origin)

    def preflight(self, scope: Scope, origin: str, method: str | None = None,
                  headers: tuple[str, ...] = PROBE_HEADERS) -> Answer:
        method = method or preflight_method(scope)
        extra = ((ACRM, method),)
        if headers:
            extra += ((ACRH, ",".join(sorted(headers))),)
        return self.ask(scope, "OPTIONS", origin, extra)

    # -- the trusted origin ------------------------------------------------------
    def candidate_origins(self, scope: Scope):
        """Origins this scope's real front end probably has, most likely
        first: declared clients, trusted origins, origins the configuration
        spells, examples of its allow-list patterns; at most
        MAX_TRUSTED_TRIES of them, then the generic client.  Lazy: the
        examples of a pattern cost a regex parse, paid only when the
        origins before them were not enough."""
        seen: list[str] = []
        for origin in self._origin_guesses(scope):
            if origin not in seen:
                seen.append(origin)
                yield origin
                if len(seen) == MAX_TRUSTED_TRIES:
                    break
        if DEFAULT_CLIENT not in seen:
            yield DEFAULT_CLIENT

    def _origin_guesses(self, scope: Scope):
        from .origins import pattern_examples

        yield from (c.origin for c in self.clients)
        yield from (t for t in self.trust.trusted if "*" not in t)
        yield from (o for o in scope.literal_origins if is_serialized_origin(o))
        for pattern in scope.origin_patterns:
            yield from pattern_examples(pattern.regex, pattern.ignore_case)

    def trusted_origin(self, scope: Scope) -> str:
        """An origin this scope serves: the first candidate answered with its
        own origin or `*` (on the actual request, else on the preflight)."""
        tried: list[str] = []
        if scope.emits_cors:
            for origin in self.candidate_origins(scope):
                tried.append(origin)
                if admits(self.actual(scope, origin), origin):
                    return origin
            for origin in tried:     # some scopes only answer preflights
                if admits(self.preflight(scope, origin), origin):
                    return origin
        return tried[0] if tried else next(self.candidate_origins(scope))

    # -- what the clients need -------------------------------------------------------
    def foreign_candidates(self, pattern):
        """The origins an allow-list pattern may admit by mistake
        (origins.attack_candidates) that lie outside the trusted domains:
        what CORS205 asks the scope and the surface lists as "also admits"."""
        from .origins import attack_candidates

        return (c for c in attack_candidates(pattern.regex, pattern.ignore_case)
                if not self.trust.is_trusted(c, pattern.regex))

    def insecure_candidates(self, probe: Probe) -> list[str]:
        """http:// origins the configuration names, and the http:// twins of
        the trusted origin and of each allow-list pattern's own examples
        where the pattern admits them (`https?://app\\.example\\.com` next
        to a localhost pattern that gave the trusted origin)."""
        from .origins import pattern_examples
        from .regexes import compile_pcre

        scope = probe.scope
        out = [o for o in scope.literal_origins if o.startswith("http://") and is_serialized_origin(o)]
        trusted = probe.origin
        if trusted.startswith("http://") and trusted not in out:
            out.append(trusted)
        for pattern in scope.origin_patterns:
            compiled = compile_pcre(pattern.regex, pattern.ignore_case)
            if compiled is None:
                continue
            for origin in (trusted, *pattern_examples(pattern.regex, pattern.ignore_case)):
                twin = "http://" + origin[8:] if origin.startswith("https://") else origin
                if twin.startswith("http://") and compiled.search(twin):
                    if twin not in out:
                        out.append(twin)
                    break   # one per pattern: each costs the rule a model call
        return out

    def config_header_lines(self, *names: str):
        """(probe, answer, line) for every configured line of these headers
        in the probe answers, each line once."""
        seen = set()
        for probe in self.probes:
            for answer, _method in probe.answers():
                for name in names:
                    for line in answer.config_lines(name):
                        key = (line.source, name)
                        if key not in seen:
                            seen.add(key)
                            yield probe, answer, line

    def needed_methods(self, scope: Scope) -> list[str]:
        """The methods the scope serves and the declared clients use; not
        OPTIONS, which the preflight itself uses and no client calls."""
        methods = [m for m in scope.served_methods if m != "OPTIONS"]
        for client in self.clients:
            methods.extend(m for m in client.methods if m not in methods)
        return methods

    def needed_headers(self, scope: Scope, methods: tuple[str, ...] | None) -> list[str]:
        """Declared clients' headers; without clients, Content-Type (JSON
        bodies) where the scope's `methods` (None: not known) carry a body,
        and Authorization where the configuration shows it is sent."""
        if self.clients:
            out: list[str] = []
            for client in self.clients:
                out.extend(h for h in client.headers if h not in out)
            return out
        needed = [] if methods and not any(m.upper() in BODY_METHODS for m in methods) else ["content-type"]
        if scope.authenticates or self._authorization_allowed_elsewhere(scope):
            needed.append("authorization")
        return needed

    def _authorization_allowed_elsewhere(self, scope: Scope) -> bool:
        """Some scope of the same server lists Authorization in Allow-Headers
        (as a whole name: `X-Authorization` is another header)."""
        if self._authorizing is None:
            self._authorizing = {_server_of(p.scope) for p in self.probes
                                 if any(h.value and "authorization" in h.value.lower()
                                        and "authorization" in {t.lower() for t in split_list(h.value)}
                                        for h in p.preflight.config_lines(ACAH))}
        return _server_of(scope) in self._authorizing

    def model_facts(self, kind: type) -> list:
        """The model's facts of one class (model.DroppedHeaders,
        model.MiddlewareOrder...), collected once for every rule that asks."""
        if self._facts is None:
            self._facts = {}
            for fact in self.model.facts():
                self._facts.setdefault(type(fact), []).append(fact)
        return self._facts.get(kind, [])


@lru_cache(maxsize=256)
def browser_headers(origin: str | None, extra: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """A probe's request headers as Chromium sends them (fetchheaders):
    Origin, the Access-Control-Request-* in `extra`, then the browser's own
    for a preflight or an actual request.  One tuple per distinct
    (origin, extra), shared by every probe that sends it."""
    own = ((ORIGIN, origin),) if origin is not None else ()
    browser = fetchheaders.PREFLIGHT if any(name == ACRM for name, _ in extra) else fetchheaders.ACTUAL
    return own + extra + browser + fetchheaders.referer(origin)


def preflight_method(scope: Scope) -> str:
    """The method a scope's preflight asks for: the first non-simple method
    it serves; else the first method it serves (a GET with a JSON or
    Authorization header still preflights); PUT when the configuration does
    not say."""
    served = scope.served_methods
    if not served:
        return PROBE_METHOD
    return next((m for m in served if m not in SAFELISTED_METHODS), served[0])


def actual_method(scope: Scope) -> str:
    served = scope.served_methods
    return "GET" if not served or "GET" in served else served[0]


def credentials_allowed(answer: Answer) -> bool:
    return answer.get(ACAC) == "true"


def admits(answer: Answer, origin: str) -> bool:
    """The answer lets a page from `origin` read it: Allow-Origin is that origin or `*`."""
    values = answer.values(ACAO)
    return origin in values or "*" in values


def _server_of(scope: Scope) -> str:
    return split_url(scope.url).netloc


def split_list(value: str) -> list[str]:
    """A comma-separated header value as a list of trimmed, non-empty items."""
    return [item.strip() for item in value.split(",") if item.strip()]


def allow_list(answer: Answer, name: str) -> tuple[list[HeaderLine], list[str] | None]:
    """An allow-list header (Allow-Methods, Allow-Headers) as the
    configuration sends it: its lines, and their items as one list (None
    when a value is unknown)."""
    lines = answer.config_lines(name)
    if any(h.value is None for h in lines):
        return lines, None
    return lines, split_list(", ".join(h.value for h in lines))   # type: ignore[misc]


def wildcard_applies(answer: Answer, items) -> bool:
    """`*` in Allow-Methods or Allow-Headers allows everything, unless
    credentials are allowed: then it is a literal name."""
    return "*" in items and not credentials_allowed(answer)


def decided_by(line: HeaderLine):
    """The line a finding about a header value should point at: the `map`
    entry or `if` that produced the value, else the header directive."""
    return line.via[0] if line.via else line.source


def fact_hits(ctx: ProbeContext, kind: type):
    """CORS501/502/503: a finding per model fact of one class (message, source and related lines)."""
    from .diagnostics import Hit, Related

    for fact in ctx.model_facts(kind):
        yield Hit(fact.source, fact.message, related=[Related(src.path, src.line, text) for src, text in fact.related])


def reflected(ctx: ProbeContext, credentials: bool):
    """CORS202/203: the hostile origin is echoed back (with or without credentials)."""
    from .diagnostics import Hit

    for probe in ctx.probes:
        answer, lines = probe.allowing(HOSTILE)
        if lines and credentials_allowed(answer) == credentials:
            what = "with credentials: any website can read authenticated responses" if credentials else \
                "without validation: equivalent to '*' but defeats caches and hides intent"
            yield Hit(lines[0].source, f"the request Origin is echoed back {what}",
                      probe.request(None, HOSTILE, "credentials" if credentials else ""))
