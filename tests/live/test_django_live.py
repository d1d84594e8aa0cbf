"""Acceptance: the Django model's answers equal real Django + django-cors-headers.

For every sample in samples/django/ and for generated settings modules, the
settings file is both linted (corslint reads it with `ast`) and imported by
this test (the oracle: the test, not the linter, runs it).  The real side is
Django's test client against a minimal project built in a temp dir: the
sample's CORS_* settings and MIDDLEWARE (applied with override_settings;
middleware that is not installed here is replaced by a pass-through), and a
catch-all view answering 200 with no CORS headers of its own, which is what
the model assumes of the unknown application.  Host checks and HTTPS
redirects are kept out of the way (ALLOWED_HOSTS=['*'], https requests),
since probes use an invented host.

Each scope URL, plus `/` and a path outside CORS_URLS_REGEX, is asked a
preflight (PUT, content-type), a preflight with private-network access, an
OPTIONS without Access-Control-Request-Method and a GET, from the scope's
trusted origin, https://evil.example and null.  Status and the ordered
values of every access-control-* and vary header must be equal; a header
the model marks unknown (its value depends on a setting read from the
environment, so it may or may not be sent) only has to be predicted
whenever it is sent, and only in an answer the model marks uncertain.

Sample projects with a ROOT_URLCONF (samples/django/append-slash-*/) run
with their own urls.py and views: each route is asked with and without its
trailing slash (GET, POST and the preflight), so APPEND_SLASH's 301, the
resolver's 404 and what the middleware order leaves on them are compared
too.

Needs: Django (5.2) and django-cors-headers (4.9).
"""

from __future__ import annotations

import importlib.util
import itertools
import os
import random
import sys
import textwrap
from pathlib import Path

import pytest
from corslint.apps.django.model import load
from corslint.model import Request
from corslint.origins import HOSTILE, Trust
from corslint.probes import ProbeContext

from .model_compare import edge_origins, refused_sample

pytestmark = pytest.mark.live

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "django"
SAMPLE_FILES = sorted(p for p in SAMPLES.glob("*.py") if not refused_sample(p))
#: sample projects whose settings name a urls.py next to them
URLCONF_SAMPLES = sorted(SAMPLES.glob("*/*/settings.py"))
KEPT = ("MIDDLEWARE", "APPEND_SLASH", "DEBUG")
#: paths asked of a project with a urlconf: its routes with and without the slash, and none
URLCONF_PATHS = ("/api/items", "/api/items/", "/api/orders/7", "/api/orders/7/", "/api/orders/x",
                 "/api/legacy/old-name", "/api/legacy/old-name/", "/nothing")


def _require_django():
    try:
        import corsheaders  # noqa: F401
        import django  # noqa: F401
    except ImportError as exc:
        message = f"Django and django-cors-headers are needed for this test ({exc})"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def django_project(tmp_path_factory):
    """Configure Django once for this process: a catch-all urlconf in a temp dir."""
    _require_django()
    import django
    from django.conf import settings

    folder = tmp_path_factory.mktemp("djproject")
    (folder / "corslint_live_urls.py").write_text(textwrap.dedent("""
        from django.http import HttpResponse
        from django.urls import re_path
        from django.views.decorators.csrf import csrf_exempt

        @csrf_exempt
        def anything(request, *args, **kwargs):
            return HttpResponse("ok")

        urlpatterns = [re_path(r"^.*$", anything)]
    """))
    (folder / "corslint_live_stub.py").write_text(textwrap.dedent("""
        class Passthrough:
            def __init__(self, get_response):
                self.get_response = get_response

            def __call__(self, request):
                return self.get_response(request)
    """))
    sys.path.insert(0, str(folder))
    if not settings.configured:
        settings.configure(
            DEBUG=False, SECRET_KEY="corslint-live", ALLOWED_HOSTS=["*"], ROOT_URLCONF="corslint_live_urls",
            INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "django.contrib.sessions",
                            "corsheaders"],
            MIDDLEWARE=[], DATABASES={}, USE_I18N=True, USE_TZ=True)
        django.setup()
    yield folder
    sys.path.remove(str(folder))


def _real_settings(path: Path, model=None) -> dict:
    """The sample's settings as Django would see them (the test imports it);
    its ROOT_URLCONF where the model read it (its project folder on sys.path;
    without a model, none: a sample the linter refuses has no model)."""
    spec = importlib.util.spec_from_file_location(f"corslint_live_{abs(hash(str(path)))}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = {k: getattr(module, k) for k in dir(module) if k.startswith("CORS_") or k in KEPT}
    if "MIDDLEWARE" in out:
        out["MIDDLEWARE"] = [m if _importable(m) else "corslint_live_stub.Passthrough" for m in out["MIDDLEWARE"]]
    else:   # a settings fragment: the project puts CorsMiddleware first
        out["MIDDLEWARE"] = ["corsheaders.middleware.CorsMiddleware"]
    if model is not None and model.urlconf is not None:
        out["ROOT_URLCONF"] = module.ROOT_URLCONF
    return out


def _importable(dotted: str) -> bool:
    module, _, name = dotted.rpartition(".")
    try:
        return hasattr(importlib.import_module(module), name)
    except ImportError:
        return False


def _requests(model) -> list[Request]:
    """The probe requests for one settings module."""
    ctx = ProbeContext(model, Trust([]), [])
    out = []
    urls = {s.url: s for s in model.scopes()}
    extra = URLCONF_PATHS if model.urlconf is not None else ("/", "/elsewhere/x")
    for url in list(urls) + [model.base_url + p for p in extra]:
        scope = urls.get(url)
        trusted = ctx.trusted_origin(scope) if scope is not None else "https://client.example"
        edge = edge_origins(scope) if scope is not None else []
        for origin in dict.fromkeys((trusted, HOSTILE, "null", *edge)):
            o = (("origin", origin),)
            out += [Request("OPTIONS", url, o + (("access-control-request-method", "PUT"),
                                                 ("access-control-request-headers", "content-type"))),
                    Request("OPTIONS", url, o + (("access-control-request-method", "GET"),
                                                 ("access-control-request-private-network", "true"))),
                    Request("OPTIONS", url, o),
                    Request("GET", url, o)]
            if model.urlconf is not None:
                out.append(Request("POST", url, o))
        out.append(Request("GET", url))
    return out


def _real_answer(client, request: Request) -> tuple[int, dict[str, list[str]]]:
    headers = {name: value for name, value in request.headers}
    response = client.generic(request.method, request.path, secure=True, headers=headers, HTTP_HOST="app.example")
    return response.status_code, {name.lower(): [value] for name, value in response.headers.items()
                                  if _compared(name)}


def _compared(name: str) -> bool:
    return name.lower().startswith("access-control-") or name.lower() == "vary"


def compare(path: Path) -> int:
    """Every probe's predicted status and CORS headers equal the real ones;
    returns how many requests were compared."""
    from django.test import Client
    from django.test.utils import override_settings

    model = load(str(path), str(path))
    assert not model.parsed.errors, model.parsed.errors
    requests = _requests(model)
    with override_settings(**_real_settings(path, model)):
        client = Client(raise_request_exception=False)   # DEBUG's APPEND_SLASH RuntimeError is a 500
        for request in requests:
            status, real = _real_answer(client, request)
            predicted = model.answer(request)
            shown = {}
            for line in predicted.headers:
                if _compared(line.name):
                    shown.setdefault(line.name, []).append(line.value)
            where = f"{path.name}: {request.describe()}"
            assert predicted.status == status, where
            assert set(real) <= set(shown), f"{where}: predicted {shown}, real {real}"
            for name, values in shown.items():
                if None not in values:
                    assert values == real.get(name), f"{where}: {name} predicted {values}, real {real.get(name)}"
                else:   # unknown (from the environment): maybe sent, with any value
                    assert not predicted.certain, where
    return len(requests)


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.name)
def test_sample_matches_real_django(path, django_project):
    assert compare(path) > 0


@pytest.mark.parametrize("path", URLCONF_SAMPLES, ids=lambda p: p.parent.parent.name)
def test_append_slash_matches_real_django(path, django_project, monkeypatch):
    """APPEND_SLASH's 301 (and what CORS headers it keeps, by middleware
    order), the resolver's 404 and resolved views, on real Django."""
    monkeypatch.syspath_prepend(str(path.parent.parent))
    model = load(str(path), str(path))
    assert model.urlconf is not None
    assert model.answer(Request("GET", model.base_url + "/api/items")).status == 301
    assert compare(path) > 0


# -- generated settings ---------------------------------------------------------------------
ORIGIN_LISTS = [
    ["https://app.example.com"],
    ["https://app.example.com", "http://localhost:3000"],
    ["https://app.example.com/"],
    ["https://app.example.com:443"],
    ["null", "https://app.example.com"],
    ["app.example.com"],
    ["file://", "https://a.example.org"],
    [],
]
REGEX_LISTS = [
    [r"^https://\w+\.example\.com$"],
    [r"^https://\w+\.example\.com"],
    [r"https://.*example\.com"],
    ["RE:^https://(app|admin)\\.example\\.org$"],
    [r".*"],
    [],
]
MIDDLEWARES = [
    ["corsheaders.middleware.CorsMiddleware", "django.middleware.common.CommonMiddleware"],
    ["django.middleware.common.CommonMiddleware", "corsheaders.middleware.CorsMiddleware"],
    ["django.middleware.security.SecurityMiddleware", "django.contrib.sessions.middleware.SessionMiddleware",
     "django.middleware.locale.LocaleMiddleware", "corsheaders.middleware.CorsMiddleware",
     "django.middleware.common.CommonMiddleware"],
    ["corsheaders.middleware.CorsMiddleware", "django.middleware.locale.LocaleMiddleware",
     "django.middleware.common.CommonMiddleware", "django.middleware.csrf.CsrfViewMiddleware"],
    ["django.middleware.common.CommonMiddleware"],
    None,
]


def _literal(value) -> str:
    if isinstance(value, list) and value and all(isinstance(v, str) and v.startswith("RE:") for v in value):
        return "[" + ", ".join(f"re.compile({v[3:]!r}, re.I)" for v in value) + "]"
    return repr(value)


def generated_settings(seed: int) -> str:
    """One random, realistic settings module."""
    rng = random.Random(seed)
    lines = ["import re", "from corsheaders.defaults import default_headers, default_methods", ""]
    middleware = rng.choice(MIDDLEWARES)
    if middleware is not None:
        lines.append(f"MIDDLEWARE = {middleware!r}")
    if rng.random() < 0.3:
        lines.append(f"{rng.choice(['CORS_ALLOW_ALL_ORIGINS', 'CORS_ORIGIN_ALLOW_ALL'])} = {rng.random() < 0.8}")
    if rng.random() < 0.7:
        name = rng.choice(["CORS_ALLOWED_ORIGINS", "CORS_ORIGIN_WHITELIST"])
        lines.append(f"{name} = {_literal(rng.choice(ORIGIN_LISTS))}")
    if rng.random() < 0.4:
        name = rng.choice(["CORS_ALLOWED_ORIGIN_REGEXES", "CORS_ORIGIN_REGEX_WHITELIST"])
        lines.append(f"{name} = {_literal(rng.choice(REGEX_LISTS))}")
    if rng.random() < 0.5:
        lines.append(f"CORS_ALLOW_CREDENTIALS = {rng.choice(['True', 'False', '1'])}")
    if rng.random() < 0.4:
        lines.append("CORS_ALLOW_METHODS = " + rng.choice(
            ['["GET", "POST"]', '("get", "put")', "(*default_methods, 'PURGE')", '["*"]', "{'GET', 'PUT'}"]))
    if rng.random() < 0.4:
        lines.append("CORS_ALLOW_HEADERS = " + rng.choice(
            ["list(default_headers) + ['x-api-key']", '["*"]', '"content-type"', '("accept",)', "[]"]))
    if rng.random() < 0.3:
        lines.append("CORS_EXPOSE_HEADERS = " + rng.choice(['["x-total-count", "etag"]', "[]", '["*"]']))
    if rng.random() < 0.4:
        lines.append(f"CORS_PREFLIGHT_MAX_AGE = {rng.choice(['0', '600', '-1', repr('3600'), 'None'])}")
    if rng.random() < 0.4:
        lines.append("CORS_URLS_REGEX = " + rng.choice(
            ['r"^/api/.*$"', 're.compile(r"^/(api|graphql)/")', 'r"^/api/"', 'r"/api/"']))
    if rng.random() < 0.3:
        lines.append(f"CORS_ALLOW_PRIVATE_NETWORK = {rng.random() < 0.8}")
    return "\n".join(lines) + "\n"


GENERATED = 60


@pytest.mark.parametrize("seed", range(GENERATED))
def test_generated_settings_match_real_django(seed, django_project, tmp_path):
    path = tmp_path / f"settings_{seed}.py"
    path.write_text(generated_settings(seed))
    assert compare(path) > 0


def test_generators_cover_the_interesting_cases():
    text = "".join(generated_settings(seed) for seed in range(GENERATED))
    for needle in ("CORS_ORIGIN_ALLOW_ALL", "CORS_ORIGIN_WHITELIST", "re.compile", "CORS_URLS_REGEX",
                   "CORS_ALLOW_PRIVATE_NETWORK", "'null'", "{'GET', 'PUT'}", "LocaleMiddleware"):
        assert needle in text, needle
    assert len(set(itertools.islice((generated_settings(s) for s in range(GENERATED)), GENERATED))) == GENERATED
