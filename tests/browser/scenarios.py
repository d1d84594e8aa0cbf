"""The browser suite's scenarios: one cross-origin call each, and what the
loopback API server answers to it.

Together they cause every CorsError a server's answers can cause in
Chromium 156 (reference section 2.3, less the Private/Local Network Access
ones, which no response header can cause between loopback origins), for
fetch and XHR, with and without credentials, simple and preflighted, plus
passing calls, so that "allowed" is tested as hard as "blocked".
"""

from __future__ import annotations

from dataclasses import dataclass

from corslint.browser import Call, with_body
from corslint.model import Answer, HeaderLine, Request

from .chromium import Ports, Reply


@dataclass(frozen=True)
class Scenario:
    id: str
    method: str = "GET"
    headers: tuple[tuple[str, str], ...] = ()
    credentials: bool = False
    initiator: str = "fetch"
    body: str = "none"
    content_type: str | None = None
    preflight: Reply | None = None          # the answer to OPTIONS
    response: Reply | None = None           # the answer to every other method
    more: tuple[tuple[str, Reply | None, Reply | None], ...] = ()  # redirect targets: (suffix, OPTIONS, other)

    @property
    def path(self) -> str:
        return f"/c/{self.id}"

    def case(self) -> dict:
        """The case as the page runs it (the page sets only its own headers;
        the body's Content-Type comes from the browser, as in real life)."""
        headers = list(self.headers)
        if self.content_type is not None:
            headers.append(("Content-Type", self.content_type))
        return {"id": self.id, "url": "{api}" + self.path, "method": self.method,
                "headers": headers, "credentials": self.credentials,
                "initiator": self.initiator, "body": self.body}

    def routes(self) -> dict[str, dict[str, Reply]]:
        """Path -> method -> reply; `{here}` in a header value is this
        scenario's path (redirect targets live below it)."""
        routes = {}
        for path, options, other in [(self.path, self.preflight, self.response),
                                     *((self.path + suffix, o, r) for suffix, o, r in self.more)]:
            routes[path] = {k: Reply(v.status, tuple((n, x.replace("{here}", self.path))
                                                     for n, x in v.headers))
                            for k, v in (("OPTIONS", options), ("*", other)) if v is not None}
        return routes

    def call(self, ports: Ports) -> Call:
        call = Call(ports.fill("{api}" + self.path), ports.fill("{page}"), self.method,
                    self.headers, self.credentials, self.initiator)
        return with_body(call, self.body, self.content_type)

    def answer(self, ports: Ports, request: Request) -> Answer:
        """What the loopback server sends for `request` (418 without CORS
        headers when the scenario configures nothing for it)."""
        replies = self.routes().get(request.path, {})
        reply = replies.get("OPTIONS" if request.method == "OPTIONS" else "*", Reply(418))
        return Answer(reply.status, [HeaderLine(n.lower(), ports.fill(v)) for n, v in reply.headers])


# --------------------------------------------------------------------------

PAGE = ("Access-Control-Allow-Origin", "{page}")
STAR = ("Access-Control-Allow-Origin", "*")
CRED = ("Access-Control-Allow-Credentials", "true")


def acao(value):
    return ("Access-Control-Allow-Origin", value)


def acac(value):
    return ("Access-Control-Allow-Credentials", value)


def acam(value):
    return ("Access-Control-Allow-Methods", value)


def acah(value):
    return ("Access-Control-Allow-Headers", value)


def ok(*headers, status=200):
    return Reply(status, tuple(headers))


def both(id, **kw):
    """The same scenario for fetch() and for XHR (their texts differ)."""
    return [Scenario(id, **kw), Scenario(id + "-xhr", initiator="xhr", **kw)]


def simple(id, *headers, status=200, **kw):
    return both(id, response=ok(*headers, status=status), **kw)


def preflighted(id, *preflight_headers, status=204, response=None, method="PUT", **kw):
    return both(id, method=method, preflight=ok(*preflight_headers, status=status),
                response=response or ok(PAGE), **kw)


SCENARIOS: list[Scenario] = [
    # Simple requests: the CORS check on the response
    *simple("simple-star", STAR),
    *simple("simple-exact", PAGE),
    *simple("simple-cred", PAGE, CRED, credentials=True),
    *simple("simple-404-with-acao", PAGE, status=404),
    *simple("missing-acao"),
    Scenario("missing-acao-500", response=ok(status=500)),
    Scenario("missing-acao-cred", credentials=True, response=ok(CRED)),
    *simple("wildcard-cred", STAR, CRED, credentials=True),
    *simple("two-acao-lines", PAGE, PAGE),
    Scenario("two-star-lines", response=ok(STAR, STAR)),
    *simple("space-list", acao("http://a.test {page}")),
    Scenario("comma-list", response=ok(acao("{page},http://a.test"))),
    *simple("invalid-acao", acao("foo")),
    *simple("trailing-slash", acao("{page}/")),
    Scenario("acao-null", response=ok(acao("null"))),
    Scenario("other-port", response=ok(acao("http://127.0.0.1:1"))),
    Scenario("other-scheme", response=ok(acao("https://127.0.0.1"))),
    Scenario("upper-case-scheme", response=ok(acao("HTTP://127.0.0.1"))),
    *simple("acac-missing", PAGE, credentials=True),
    *simple("acac-True", PAGE, acac("True"), credentials=True),
    Scenario("acac-twice", credentials=True, response=ok(PAGE, CRED, CRED)),
    Scenario("acac-without-credentials", response=ok(PAGE, acac("yes"))),
    # What makes a request simple
    Scenario("text-body", method="POST", body="text", response=ok(PAGE)),
    Scenario("form-body-xhr", method="POST", body="form", initiator="xhr", response=ok(PAGE)),
    Scenario("multipart-body", method="POST", body="multipart", response=ok(PAGE)),
    Scenario("json-body", method="POST", body="json", preflight=ok(PAGE), response=ok(PAGE)),
    Scenario("json-body-xhr", method="POST", body="json", initiator="xhr",
             preflight=ok(PAGE, acah("x-other")), response=ok(PAGE)),
    Scenario("quoted-content-type", method="POST", body="text", content_type='text/plain; x="q"',
             preflight=ok(PAGE), response=ok(PAGE)),
    Scenario("form-content-type-mixed-case", method="POST", body="text",
             content_type="Application/X-WWW-Form-Urlencoded", response=ok(PAGE)),
    Scenario("stream-body", method="POST", body="stream", preflight=ok(status=204),
             response=ok(PAGE)),
    Scenario("upload-listener", method="POST", body="upload-listener", initiator="xhr",
             preflight=ok(PAGE), response=ok(PAGE)),
    Scenario("upload-listener-no-acao", method="POST", body="upload-listener", initiator="xhr",
             preflight=ok(status=200), response=ok(PAGE)),
    Scenario("range-simple", headers=(("Range", "bytes=0-100"),), response=ok(PAGE)),
    Scenario("range-suffix", headers=(("Range", "bytes=-500"),), preflight=ok(PAGE),
             response=ok(PAGE)),
    Scenario("client-hint-dpr", headers=(("DPR", "2"),), response=ok(PAGE)),
    Scenario("forbidden-header-dropped", headers=(("Cookie", "a=b"),), response=ok(PAGE)),
    # Preflights: redirect, CheckAccess, status, in Chromium's order
    *preflighted("pf-ok", PAGE, acam("PUT")),
    Scenario("pf-ok-cred", method="PUT", credentials=True, preflight=ok(PAGE, CRED, acam("PUT")),
             response=ok(PAGE, CRED)),
    *preflighted("pf-404-no-acao", status=404),
    *preflighted("pf-401-with-acao", PAGE, acam("PUT"), status=401),
    Scenario("pf-500-with-acao", method="DELETE", preflight=ok(PAGE, acam("DELETE"), status=500)),
    *preflighted("pf-redirect", PAGE, acam("PUT"), ("Location", "{api}/elsewhere"), status=302),
    Scenario("pf-redirect-no-acao", method="PUT",
             preflight=ok(("Location", "{api}/elsewhere"), status=307)),
    *preflighted("pf-wildcard-cred", STAR, CRED, acam("PUT"), credentials=True),
    *preflighted("pf-two-acao", PAGE, PAGE, acam("PUT")),
    Scenario("pf-invalid-acao", method="PUT", preflight=ok(acao("foo"), acam("PUT"))),
    *preflighted("pf-mismatch", acao("http://127.0.0.1:1"), acam("PUT")),
    *preflighted("pf-acac-missing", PAGE, acam("PUT"), credentials=True),
    Scenario("pf-acac-True-xhr", method="PUT", credentials=True, initiator="xhr",
             preflight=ok(PAGE, acac("True"), acam("PUT"))),
    # Preflights: Allow-Methods / Allow-Headers
    Scenario("acam-unparseable", method="PUT", preflight=ok(PAGE, acam("PUT;GET"))),
    Scenario("acah-unparseable", method="PUT", headers=(("Authorization", "x"),),
             preflight=ok(PAGE, acam("PUT"), acah("author/ization"))),
    *preflighted("method-not-allowed", PAGE, acam("GET, POST")),
    Scenario("method-case-put", method="PUT", preflight=ok(PAGE, acam("put"))),
    Scenario("method-case-patch", method="patch", preflight=ok(PAGE, acam("PATCH"))),
    Scenario("method-lowercase-delete", method="delete", preflight=ok(PAGE, acam("DELETE")),
             response=ok(PAGE)),
    Scenario("acam-star", method="DELETE", preflight=ok(PAGE, acam("*")), response=ok(PAGE)),
    *preflighted("acam-star-cred", PAGE, CRED, acam("*"), credentials=True),
    Scenario("acam-empty-items", method="PUT", preflight=ok(STAR, acam(",, PUT ,")),
             response=ok(STAR)),
    *both("header-not-allowed", method="PUT", headers=(("X-Zeta", "1"), ("X-Alpha", "2")),
          preflight=ok(PAGE, acam("PUT"), acah("X-Alpha"))),
    Scenario("header-case-insensitive", headers=(("X-Custom", "1"),),
             preflight=ok(PAGE, acah("x-CUSTOM")), response=ok(PAGE)),
    Scenario("acah-star", headers=(("X-Custom", "1"),), preflight=ok(PAGE, acah("*")),
             response=ok(PAGE)),
    Scenario("acah-star-cred", headers=(("X-Custom", "1"),), credentials=True,
             preflight=ok(PAGE, CRED, acah("*"))),
    Scenario("acah-star-authorization", headers=(("Authorization", "Bearer t"),),
             preflight=ok(PAGE, acah("*")), response=ok(PAGE)),
    Scenario("acah-star-authorization-cred", headers=(("Authorization", "Bearer t"),),
             credentials=True, initiator="xhr", preflight=ok(PAGE, CRED, acah("*"))),
    Scenario("content-type-not-allowed", method="POST", body="json",
             preflight=ok(PAGE, acah("authorization"))),
    Scenario("max-age-capped", method="PUT",
             preflight=ok(PAGE, acam("PUT"), ("Access-Control-Max-Age", "86400")),
             response=ok(PAGE)),
    # The actual response after a passing preflight
    *preflighted("pf-ok-response-no-acao", PAGE, acam("PUT"), response=ok()),
    Scenario("pf-ok-response-acac-missing", method="PUT", credentials=True,
             preflight=ok(PAGE, CRED, acam("PUT")), response=ok(PAGE)),
    # Redirects of the actual request
    *simple("redirect-no-acao", ("Location", "{api}{here}/next"), status=302),
    Scenario("redirect-same-origin", response=ok(PAGE, ("Location", "{here}/next"), status=302),
             more=(("/next", None, ok(PAGE)),)),
    Scenario("redirect-same-origin-target-fails", response=ok(PAGE, ("Location", "{here}/next"), status=301),
             more=(("/next", None, ok()),)),
    *both("redirect-cross-origin", response=ok(PAGE, ("Location", "{alt}{here}/next"), status=302),
          more=(("/next", None, ok(PAGE)),)),
    Scenario("redirect-cross-origin-target-ok",
             response=ok(PAGE, ("Location", "{alt}{here}/next"), status=302),
             more=(("/next", None, ok(PAGE)),)),
    Scenario("redirect-cross-origin-null", credentials=True,
             response=ok(PAGE, CRED, ("Location", "{alt}{here}/next"), status=302),
             more=(("/next", None, ok(acao("null"), CRED)),)),
    Scenario("redirect-cross-origin-star",
             response=ok(STAR, ("Location", "{alt}{here}/next"), status=303),
             more=(("/next", None, ok(STAR)),)),
    *simple("redirect-userinfo-cross-origin", PAGE,
            ("Location", "http://user:pass@localhost:1/next"), status=302),
    Scenario("redirect-userinfo-same-origin",
             response=ok(PAGE, ("Location", "http://user:pass@127.0.0.1:{port}{here}/next"), status=302),
             more=(("/next", None, ok(PAGE)),)),
    Scenario("redirect-put-307-preflights-again", method="PUT",
             preflight=ok(PAGE, acam("PUT")),
             response=ok(PAGE, ("Location", "{alt}{here}/next"), status=307),
             more=(("/next", ok(PAGE, acam("PUT")), ok(PAGE)),)),
    Scenario("redirect-303-json-post-becomes-get", method="POST", body="json",
             preflight=ok(PAGE, acah("content-type")),
             response=ok(PAGE, ("Location", "{alt}{here}/next"), status=303),
             more=(("/next", None, ok(STAR)),)),
]
