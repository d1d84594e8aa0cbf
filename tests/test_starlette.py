"""The Starlette / FastAPI model: what it reads from an app file and how it
answers (starlette 1.x `CORSMiddleware` semantics; the live tests in
tests/live/test_starlette_live.py check the same answers against the real
package)."""

from __future__ import annotations

import textwrap

import pytest
from support import corslint
from corslint.apps.starlette.model import load
from corslint.model import Request

TRUSTED = "https://app.example.com"
EVIL = "https://evil.example"
PREFLIGHT_VARY = ("Origin, Access-Control-Request-Method, Access-Control-Request-Headers, "
                  "Access-Control-Request-Private-Network")


def model_of(tmp_path, body: str, name: str = "main.py"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return load(str(path), name)


def fastapi_app(cors: str, routes: str = "") -> str:
    return ("from fastapi import FastAPI, APIRouter\n"
            "from fastapi.middleware.cors import CORSMiddleware\n"
            "app = FastAPI()\n"
            f"{textwrap.dedent(routes)}\n"
            f"app.add_middleware(CORSMiddleware, {cors})\n")


def ask(model, method, path="/x", origin=TRUSTED, **extra):
    headers = (("origin", origin),) if origin else ()
    headers += tuple((k.replace("_", "-"), v) for k, v in extra.items())
    return model.answer(Request(method, model.base_url + path, headers))


def preflight(model, path="/x", origin=TRUSTED, method="PUT", headers=None):
    extra = {"access_control_request_method": method}
    if headers is not None:
        extra["access_control_request_headers"] = headers
    return ask(model, "OPTIONS", path, origin, **extra)


def cors(answer) -> dict[str, list]:
    out: dict[str, list] = {}
    for h in answer.headers:
        out.setdefault(h.name, []).append(h.value)
    return out


# -- preflights ----------------------------------------------------------------------
def test_default_methods_reject_put_with_400_and_keep_cors_headers(tmp_path):
    m = model_of(tmp_path, fastapi_app('allow_origins=["https://app.example.com"]'))
    a = preflight(m)
    assert (a.status, a.handler) == (400, "middleware")
    assert a.status_source.line == 5      # the middleware call: allow_methods is the default
    assert cors(a) == {
        "vary": [PREFLIGHT_VARY],
        "access-control-allow-methods": ["GET"], "access-control-max-age": ["600"],
        "access-control-allow-headers": ["Accept, Accept-Language, Content-Language, Content-Type"],
        "access-control-allow-origin": [TRUSTED]}


def test_disallowed_origin_preflight_is_400_with_credentials_but_no_origin(tmp_path):
    m = model_of(tmp_path, fastapi_app('allow_origins=["https://app.example.com"], allow_methods=["*"], '
                                       'allow_credentials=True'))
    a = preflight(m, origin=EVIL)
    assert a.status == 400
    assert "access-control-allow-origin" not in cors(a)
    assert cors(a)["access-control-allow-credentials"] == ["true"]
    assert "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT, QUERY" in cors(a)["access-control-allow-methods"]


def test_wildcard_with_credentials_reflects_any_origin(tmp_path):
    m = model_of(tmp_path, fastapi_app('allow_origins=["*"], allow_credentials=True, allow_methods=["*"], '
                                       'allow_headers=["*"]'))
    a = preflight(m, origin=EVIL, headers="x-custom")
    assert a.status == 200
    assert cors(a)["access-control-allow-origin"] == [EVIL]
    assert cors(a)["access-control-allow-headers"] == ["x-custom"]
    actual = ask(m, "GET", origin=EVIL)
    assert cors(actual)["access-control-allow-origin"] == [EVIL]
    assert cors(actual)["access-control-allow-credentials"] == ["true"]
    assert actual.headers[0].source.line == 5


def test_wildcard_without_credentials_sends_star(tmp_path):
    m = model_of(tmp_path, fastapi_app('allow_origins=["*"]'))
    assert cors(preflight(m, method="GET", origin=EVIL))["access-control-allow-origin"] == ["*"]
    assert cors(ask(m, "GET", origin=EVIL)) == {"access-control-allow-origin": ["*"], "vary": ["Origin"]}
    assert not m.scopes()[0].origin_sensitive


def test_requested_headers_are_checked_case_insensitively(tmp_path):
    m = model_of(tmp_path, fastapi_app('allow_origins=["https://app.example.com"], allow_methods=["PUT"], '
                                       'allow_headers=["X-Custom"]'))
    assert preflight(m, headers="x-custom, Content-Type").status == 200
    assert preflight(m, headers="authorization").status == 400


def test_regex_is_fullmatched(tmp_path):
    m = model_of(tmp_path, fastapi_app(r'allow_origin_regex=r"https://app\.example\.com", allow_methods=["PUT"]'))
    assert preflight(m).status == 200
    assert preflight(m, origin="https://app.example.com.evil.net").status == 400
    pattern = m.scopes()[0].origin_patterns[0]
    assert pattern.full_match and pattern.source.line == 5


def test_options_without_request_method_goes_to_the_router(tmp_path):
    m = model_of(tmp_path, fastapi_app('allow_origins=["*"]', '@app.get("/x")\ndef x():\n    return 1\n'))
    a = ask(m, "OPTIONS")
    assert (a.status, a.handler) == (405, "not-found")
    assert cors(a) == {"access-control-allow-origin": ["*"], "vary": ["Origin"]}


# -- actual requests -------------------------------------------------------------------
def test_disallowed_origin_still_gets_credentials_and_expose_headers(tmp_path):
    m = model_of(tmp_path, fastapi_app('allow_origins=["https://app.example.com"], allow_credentials=True, '
                                       'expose_headers=["X-Total"]'))
    assert cors(ask(m, "GET", origin=EVIL)) == {"access-control-allow-credentials": ["true"],
                                                "access-control-expose-headers": ["X-Total"], "vary": ["Origin"]}
    assert cors(ask(m, "GET", origin=None)) == {"vary": ["Origin"]}


def test_not_found_method_not_allowed_and_slash_redirect_carry_cors_headers(tmp_path):
    m = model_of(tmp_path, fastapi_app('allow_origins=["https://app.example.com"]',
                                       '@app.get("/items")\ndef items():\n    return []\n'))
    assert ask(m, "GET", "/items").status == 200
    assert ask(m, "HEAD", "/items").status == 405      # FastAPI adds no HEAD to GET routes
    assert ask(m, "GET", "/items/").status == 307
    missing = ask(m, "GET", "/nothing")
    assert (missing.status, missing.handler) == (404, "not-found")
    assert cors(missing)["access-control-allow-origin"] == [TRUSTED]


def test_string_allow_origins_is_a_substring_test(tmp_path):
    m = model_of(tmp_path, fastapi_app('allow_origins="https://app.example.com"'))
    assert cors(ask(m, "GET", origin="https://app.example.co"))["access-control-allow-origin"] == \
        ["https://app.example.co"]


def test_environment_values_are_unknown_not_guessed(tmp_path):
    m = model_of(tmp_path, "import os\n" + fastapi_app('allow_origins=os.environ["ORIGINS"].split(","), '
                                                       'allow_credentials=True'))
    a = ask(m, "GET", origin=EVIL)
    assert not a.certain
    assert cors(a)["access-control-allow-origin"] == [None]
    assert cors(a)["access-control-allow-credentials"] == ["true"]


# -- extraction ----------------------------------------------------------------------
def test_routes_prefixes_and_late_router_routes(tmp_path):
    m = model_of(tmp_path, """
        from fastapi import APIRouter, FastAPI
        from fastapi.middleware.cors import CORSMiddleware
        app = FastAPI(docs_url=None)
        api = APIRouter(prefix="/api")
        @api.put("/items/{item_id}")
        def put_item(item_id: int): ...
        app.include_router(api, prefix="/v1")
        @api.delete("/late")
        def late(): ...
        @app.api_route("/multi", methods=["get", "PATCH"])
        def multi(): ...
        app.add_middleware(CORSMiddleware, allow_origins=["*"])
        """)
    scopes = {s.url[len(m.base_url):]: s.served_methods for s in m.scopes()}
    # every route's methods are known: no "/" stands in for unseen routes (it would probe methods no route serves)
    assert scopes == {"/v1/api/items/1": ("PUT",), "/v1/api/late": ("DELETE",), "/multi": ("GET", "PATCH")}


def test_starlette_routes_mounts_and_head(tmp_path):
    m = model_of(tmp_path, """
        from starlette.applications import Starlette
        from starlette.middleware import Middleware
        from starlette.middleware.cors import CORSMiddleware
        from starlette.responses import PlainTextResponse
        from starlette.routing import Mount, Route
        from starlette.staticfiles import StaticFiles
        async def home(request): return PlainTextResponse("ok")
        routes = [Route("/", home), Mount("/api", routes=[Route("/t/{n:int}", home, methods=["DELETE"])]),
                  Mount("/static", app=StaticFiles(directory="static"))]
        app = Starlette(routes=routes, middleware=[Middleware(CORSMiddleware, allow_origins=["*"])])
        """)
    assert ask(m, "HEAD", "/").status == 200        # Starlette adds HEAD to GET routes
    assert ask(m, "DELETE", "/api/t/7").status == 200
    assert ask(m, "DELETE", "/api/t/x").status == 404
    assert ask(m, "GET", "/static/app.js").handler == "static"
    assert [s.static for s in m.scopes()] == [False, False, True]


def test_bearer_dependency_marks_the_scope_authenticating(tmp_path):
    m = model_of(tmp_path, fastapi_app('allow_origins=["*"]', """
        from fastapi import Depends
        from fastapi.security import OAuth2PasswordBearer
        scheme = OAuth2PasswordBearer(tokenUrl="token")
        def user(token: str = Depends(scheme)): ...
        @app.get("/me")
        def me(u=Depends(user)): ...
        @app.get("/open")
        def open_(): ...
        """))
    assert {s.url[len(m.base_url):]: s.authenticates for s in m.scopes()} == {"/me": True, "/open": False}


def test_last_added_middleware_runs_first(tmp_path):
    m = model_of(tmp_path, """
        from fastapi import FastAPI
        from fastapi.responses import JSONResponse
        from fastapi.middleware.cors import CORSMiddleware
        app = FastAPI()
        app.add_middleware(CORSMiddleware, allow_origins=["*"])
        @app.middleware("http")
        async def auth(request, call_next):
            if "authorization" not in request.headers:
                return JSONResponse({}, status_code=401)
            return await call_next(request)
        @app.middleware("http")
        async def passes(request, call_next):
            response = await call_next(request)
            return response
        """)
    assert [layer.spec.name for layer in m.layers] == ["passes", "auth", "CORSMiddleware"]
    facts = list(m.facts())
    assert [type(f).__name__ for f in facts] == ["MiddlewareOrder"]
    assert facts[0].source.line == 6 and facts[0].related[0][0].line == 7


def test_middleware_added_before_cors_is_no_finding(tmp_path):
    m = model_of(tmp_path, """
        from fastapi import FastAPI
        from fastapi.responses import JSONResponse
        from fastapi.middleware.cors import CORSMiddleware
        app = FastAPI()
        @app.middleware("http")
        async def auth(request, call_next):
            return JSONResponse({}, status_code=401)
        app.add_middleware(CORSMiddleware, allow_origins=["*"])
        """)
    assert list(m.facts()) == []


@pytest.mark.parametrize("cors, line, text", [
    ('allow_origin=["*"]', 5, "does not accept allow_origin"),
    ('allow_origin_regex="https://(a"', 5, "not a valid regular expression"),
    ('allow_methods=None', 5, "TypeError"),
])
def test_configurations_starlette_refuses(tmp_path, cors, line, text):
    m = model_of(tmp_path, fastapi_app(cors))
    facts = list(m.facts())
    assert len(facts) == 1 and type(facts[0]).__name__ == "RejectedAtStartup"
    assert facts[0].source.line == line and text in facts[0].message
    assert ask(m, "GET").status is None


def test_syntax_error_is_an_input_error(tmp_path):
    m = model_of(tmp_path, "from starlette.middleware.cors import CORSMiddleware\napp = (\n")
    assert [(e.line, "syntax" in e.message) for e in m.parsed.errors] == [(2, True)]


def test_linting_never_imports_or_runs_the_app(tmp_path):
    marker = tmp_path / "imported.marker"
    app = tmp_path / "app.py"
    app.write_text(textwrap.dedent(f"""
        import pathlib
        pathlib.Path({str(marker)!r}).write_text("imported")
        raise SystemExit("the linted app was executed")
        from fastapi import FastAPI
        from fastapi.middleware.cors import CORSMiddleware
        app = FastAPI()
        app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)
        """), encoding="utf-8")
    done = corslint("--format", "json", str(app), timeout=120)
    assert not marker.exists()
    assert '"CORS202"' in done.stdout, done.stderr


def test_kwargs_and_conditional_middleware_make_answers_uncertain(tmp_path):
    m = model_of(tmp_path, """
        import os
        from fastapi import FastAPI
        from fastapi.middleware.cors import CORSMiddleware
        SETTINGS = {"allow_origins": ["*"]}
        app = FastAPI()
        if os.environ.get("DEV"):
            app.add_middleware(CORSMiddleware, allow_origins=["https://dev.example.com"])
        app.add_middleware(CORSMiddleware, **SETTINGS)
        @app.get("/files/{file_id:uuid}")
        def file(file_id): ...
        """)
    scope = m.scopes()[0]
    assert scope.url.endswith("/files/00000000-0000-0000-0000-000000000000")
    a = m.answer(Request("GET", scope.url, (("origin", EVIL),)))
    assert a.status == 200 and not a.certain
    assert cors(a)["access-control-allow-origin"] == [None]
