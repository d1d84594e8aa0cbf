"""Acceptance: the Starlette/FastAPI model answers exactly like the real app.

The oracle is the real package: each sample under samples/starlette/ and
each generated app is written to a temporary folder, imported there by this
test (never by corslint) and questioned in-process with
`starlette.testclient.TestClient`.  For every scope path, a path no route
serves and the scope path with its trailing slash toggled, the same
requests go to the model and to the app: GET/POST/OPTIONS actual requests
and preflights (several requested methods and header sets, with and
without Access-Control-Request-Private-Network) from trusted, hostile,
`null` and http:// origins and without an Origin.  Status and the ordered
values of every `access-control-*` and `vary` header must be equal; a
difference is a model bug.

Requests carry `Authorization: Bearer live-test` so that an auth middleware
or dependency in a sample lets them through, as the model assumes; where
the model reports CORS501 (a middleware in front of CORSMiddleware that
answers by itself) the test also checks that a preflight without
credentials really is answered without CORS headers.

Needs starlette, fastapi and httpx (pip); skipped with a reason when they
are missing, failed when CI=true.
"""

from __future__ import annotations

import importlib.util
import itertools
import os
import random
import re
import sys
import uuid
from pathlib import Path

import pytest
from corslint.apps.starlette.model import load
from corslint.model import Request

from .model_compare import cors_view, edge_origins

pytestmark = pytest.mark.live

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "starlette"
ORIGINS = (None, "https://app.example.com", "https://evil.example", "null", "http://app.example.com",
           "https://a.example.com", "https://app.example.org", "https://appxexample.com")
PREFLIGHTS = (("PUT", "content-type"), ("GET", None), ("DELETE", "x-custom,authorization"),
              ("POST", "X-Custom"), ("get", "accept"), ("PATCH", ""))
AUTH = ("authorization", "Bearer live-test")
CONFIGS = int(os.environ.get("CORSLINT_STARLETTE_CONFIGS", "60"))


def _require_packages():
    try:
        import fastapi  # noqa: F401
        import httpx  # noqa: F401
        import starlette  # noqa: F401
    except ImportError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"starlette live tests need starlette, fastapi and httpx: {exc}")
        pytest.skip(f"starlette live tests need starlette, fastapi and httpx (pip install starlette fastapi "
                    f"httpx): {exc}")


@pytest.fixture(scope="module")
def client_factory():
    _require_packages()
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient
    return TestClient


def _import_app(path: Path, name: str):
    """Import the app file under a unique module name (it is only ever imported here, by the test)."""
    module_name = f"corslint_live_{uuid.uuid4().hex}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.pop(module_name, None)
    return getattr(module, name)


def _requests(model) -> list[Request]:
    paths = []
    for scope in model.scopes():
        path = scope.url[len(model.base_url):] or "/"
        paths += [path] if path == "/" else [path, path.rstrip("/") if path.endswith("/") else path + "/"]
    paths += ["/no-such-path-here"]
    base = model.base_url
    out = []
    origins = dict.fromkeys((*ORIGINS, *(o for scope in model.scopes() for o in edge_origins(scope))))
    for path in dict.fromkeys(paths):
        url = base + path
        for origin in origins:
            head = ((("origin", origin),) if origin else ()) + (AUTH,)
            out += [Request("GET", url, head), Request("POST", url, head), Request("OPTIONS", url, head)]
            for method, requested in PREFLIGHTS:
                extra = (("access-control-request-method", method),)
                if requested is not None:
                    extra += (("access-control-request-headers", requested),)
                out.append(Request("OPTIONS", url, head + extra))
            out.append(Request("OPTIONS", url, head + (("access-control-request-method", "PUT"),
                                                       ("access-control-request-private-network", "true"))))
    return out


def compare(path: Path, client_factory, all_certain: bool = True) -> int:
    """Every request's model answer against the real app's; returns how
    many were compared.  An answer the model marks uncertain (a value from
    the environment) is not compared; generated apps have none."""
    model = load(str(path), str(path))
    assert not model.parsed.errors, model.parsed.errors
    app = _import_app(path, model.app.name)
    with client_factory(app, base_url=model.base_url) as client:   # one event loop for all requests
        return _compare_with(model, client, all_certain, path.name)


def _compare_with(model, client, all_certain: bool, name: str) -> int:
    mismatches = []
    requests = _requests(model)
    compared = 0
    for request in requests:
        predicted = model.answer(request)
        if not predicted.certain:
            assert not all_certain, (request.describe(), predicted.trace)
            continue
        compared += 1
        real = client.request(request.method, request.target, headers=list(request.headers),
                              follow_redirects=False)
        want = cors_view(real.headers.multi_items())
        got = cors_view((h.name, h.value) for h in predicted.headers)
        if predicted.status != real.status_code or want != got:
            mismatches.append(f"{request.describe()}: model {predicted.status} {got} / real {real.status_code} {want}")
    assert not mismatches, f"{name}: {len(mismatches)} of {len(requests)} differ:\n" + "\n".join(mismatches[:8])
    for fact in model.facts():
        if type(fact).__name__ == "MiddlewareOrder":
            _check_blocked(model, client)
    return compared


def _check_blocked(model, client) -> None:
    """CORS501 is real: a preflight without credentials gets no CORS answer."""
    real = client.request("OPTIONS", model.scopes()[0].url[len(model.base_url):] or "/",
                          headers={"origin": "https://app.example.com", "access-control-request-method": "PUT"})
    assert real.status_code != 200 or "access-control-allow-origin" not in real.headers, real.headers


def sample_paths() -> list[Path]:
    return sorted(p for p in SAMPLES.glob("*.py"))


@pytest.mark.parametrize("path", sample_paths(), ids=lambda p: p.name)
def test_sample_matches_real_app(path, client_factory, tmp_path):
    model = load(str(path), str(path))
    if model.rejected:   # CORS502: the real app must refuse to start too
        _expect_startup_failure(path, model, client_factory)
        return
    copy = tmp_path / path.name
    copy.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    assert compare(copy, client_factory, all_certain=False) > 0


def _expect_startup_failure(path: Path, model, client_factory) -> None:
    app = _import_app(path, model.app.name)
    with pytest.raises((TypeError, re.error)), client_factory(app) as client:
        client.get("/")


# -- generated apps ----------------------------------------------------------------
ORIGIN_CHOICES = (None, '["*"]', '["https://app.example.com"]', '["https://app.example.com", "null"]',
                  '["http://app.example.com", "https://app.example.com"]', '"https://app.example.com"',
                  '[]', 'ORIGINS', '("https://app.example.org/",)')
REGEX_CHOICES = (None, None, r'r"https://.*\.example\.com"', r'r"https://app\.example\.(com|org)"', '".*"',
                 r'r"https://app.example.com"')
METHOD_CHOICES = (None, '["*"]', '["GET", "POST"]', '["GET", "PUT", "DELETE"]', '["get", "put"]', '"GET,PUT"',
                  '("PUT", "GET", "PATCH")')
HEADER_CHOICES = (None, '["*"]', '["Authorization", "X-Custom"]', '["x-custom"]', '("content-type", "Accept")',
                  '"x-custom"')
CRED_CHOICES = (None, "True", "False", '"false"', "1")
EXPOSE_CHOICES = (None, '["X-Total"]', '["*"]', '"X-Total"', '["X-Total", "X-Page"]', "[]")
MAX_AGE_CHOICES = (None, "0", "86400", "None", '"3600"', "7201")
PRIVATE_CHOICES = (None, "True", "False")


def _cors_kwargs(rng: random.Random) -> str:
    parts = []
    for name, choices in (("allow_origins", ORIGIN_CHOICES), ("allow_origin_regex", REGEX_CHOICES),
                          ("allow_methods", METHOD_CHOICES), ("allow_headers", HEADER_CHOICES),
                          ("allow_credentials", CRED_CHOICES), ("expose_headers", EXPOSE_CHOICES),
                          ("max_age", MAX_AGE_CHOICES), ("allow_private_network", PRIVATE_CHOICES)):
        value = rng.choice(choices)
        if value is not None:
            parts.append(f"    {name}={value},")
    return "\n".join(parts)


def generate(seed: int) -> str:
    """One app: FastAPI or Starlette, routes of every kind, one or two
    CORSMiddleware (add_middleware or middleware=[...]) and now and then a
    pass-through middleware in front."""
    rng = random.Random(seed)
    fastapi = rng.random() < 0.6
    lines = ["from starlette.middleware import Middleware", "from starlette.middleware.cors import CORSMiddleware",
             "from starlette.responses import PlainTextResponse", "from starlette.routing import Mount, Route",
             'ORIGINS = ["https://app.example.com",', '           "https://a.example.com"]', ""]
    in_list = rng.random() < 0.4
    second = rng.random() < 0.15
    listed = f"[Middleware(CORSMiddleware,\n{_cors_kwargs(rng)}\n)]" if in_list else "[]"
    slashes = rng.choice(("", ", redirect_slashes=False"))
    if fastapi:
        prefix = rng.choice(['"/api"', '"/v1/api"', '""'])
        lines += ["from fastapi import APIRouter, FastAPI", "",
                  f"app = FastAPI(middleware={listed}{slashes})", f"router = APIRouter(prefix={prefix})", ""]
        for i, verb in enumerate(rng.sample(["get", "post", "put", "delete", "patch"], rng.randint(1, 3))):
            path = rng.choice(["/items", "/items/{item_id}", "/users/", f"/r{i}"])
            owner = rng.choice(["app", "router"])
            lines += [f'@{owner}.{verb}("{path}")', f"def endpoint_{i}():", '    return "ok"', ""]
        if rng.random() < 0.3:
            lines += ['@app.api_route("/multi", methods=["GET", "PATCH"])', "def multi():", '    return "ok"', ""]
        lines += ["app.include_router(router)", ""]
        if rng.random() < 0.3:
            lines += ['@router.get("/late")', "def late():", '    return "late"', ""]
    else:
        methods = rng.choice(['["GET", "PUT"]', '["POST"]', "None"])
        lines += ["from starlette.applications import Starlette", "", "def home(request):",
                  '    return PlainTextResponse("ok")', "",
                  "routes = [", '    Route("/", home),', f'    Route("/items", home, methods={methods}),',
                  '    Mount("/api", routes=[Route("/things/{tid:int}", home, methods=["DELETE"])]),', "]", "",
                  f"app = Starlette(routes=routes, middleware={listed})", ""]
    if rng.random() < 0.3:   # a middleware that only stamps responses, in front of the listed ones
        body = ["async def stamp(request, call_next):", "    response = await call_next(request)",
                '    response.headers["x-stamp"] = "1"', "    return response", ""]
        if fastapi:
            lines += ['@app.middleware("http")'] + body
        else:
            lines += ["from starlette.middleware.base import BaseHTTPMiddleware", ""] + body + [
                "app.add_middleware(BaseHTTPMiddleware, dispatch=stamp)", ""]
    if not in_list or second:
        lines += ["app.add_middleware(", "    CORSMiddleware,", _cors_kwargs(rng), ")", ""]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("seed", range(CONFIGS))
def test_generated_app_matches_real_app(seed, client_factory, tmp_path):
    path = tmp_path / f"app_{seed}.py"
    path.write_text(generate(seed), encoding="utf-8")
    model = load(str(path), str(path))
    if model.rejected:
        _expect_startup_failure(path, model, client_factory)
        return
    assert compare(path, client_factory) > 0


def test_generator_covers_the_constructs():
    """The generated set exercises both frameworks, both ways of adding the
    middleware, stacked CORSMiddleware and the settings' odd values."""
    sources = [generate(seed) for seed in range(CONFIGS)]
    for needle in ("FastAPI(", "Starlette(", "Middleware(CORSMiddleware", "app.add_middleware(\n    CORSMiddleware",
                   "allow_origin_regex", '"false"', "max_age=None", "Mount(", "@app.middleware"):
        assert any(needle in s for s in sources), needle
    assert any(s.count("CORSMiddleware,") >= 2 for s in sources)
    assert len(list(itertools.islice(sources, 40))) == 40


def test_http_endpoint_serves_only_the_methods_it_defines(client_factory):
    """The model's scopes of class endpoints serve the methods the classes
    define (a base class's included), and the real app answers any other
    method with 405: no client sends it, so no preflight for it is probed."""
    path = SAMPLES / "good_http_endpoint_methods.py"
    model = load(str(path), str(path))
    served = {s.url[len(model.base_url):]: set(s.served_methods) for s in model.scopes()}
    assert served == {"/orders": {"GET", "POST"}, "/catalogue": {"GET"}}
    app = _import_app(path, model.app.name)
    with client_factory(app, base_url=model.base_url) as client:
        for url, methods in served.items():
            for method in ("GET", "POST", "PUT", "DELETE", "PATCH"):
                status = client.request(method, url).status_code
                assert (status == 405) == (method not in methods), (method, url, status)
