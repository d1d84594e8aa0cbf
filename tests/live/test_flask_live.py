"""Acceptance: the Flask model answers exactly like Flask + flask-cors.

For every sample in samples/flask/ and for generated applications, the
file is copied into a temporary folder and imported *there* by this test
(the linter itself never imports it); the app's test client is the oracle.
Each scope URL, a path no route serves, and a route with a method it does
not serve are asked a preflight (OPTIONS + Access-Control-Request-Method
PUT or DELETE + Access-Control-Request-Headers), a GET and a PUT, from the
scope's trusted origins, from https://evil.example, from null and without
Origin.  Status and the ordered values of every access-control-* and vary
header predicted by the model must equal the real response.

Needs flask and flask-cors (6.x) importable; skipped with a reason
otherwise, failed when CI=true.
"""

from __future__ import annotations

import importlib.util
import os
import random
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from corslint.apps.flask.model import load
from corslint.model import Request
from corslint.origins import Trust
from corslint.probes import ProbeContext

from .model_compare import cors_view, edge_origins

pytestmark = pytest.mark.live

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "flask"
SAMPLE_FILES = sorted(SAMPLES.glob("*.py"))
HOSTILE, NULL = "https://evil.example", "null"
GENERATED = 60


def require_flask():
    try:
        import flask  # noqa: F401
        import flask_cors  # noqa: F401
    except ImportError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"flask and flask-cors must be installed in CI: {exc}")
        pytest.skip(f"flask / flask-cors not installed ({exc}); pip install flask 'flask-cors>=6'")


def import_app(path: Path):
    """Import the app file from its temp folder; None when flask-cors refuses it at import."""
    from flask import Flask

    name = f"corslint_flask_live_{uuid.uuid4().hex}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(path.parent))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(path.parent))
    app = next((v for v in vars(module).values() if isinstance(v, Flask)), None)
    if app is None and hasattr(module, "create_app"):
        app = module.create_app()
    if app is None:     # an extension module: the factory the model assumes (flask/source.py, adopt)
        from flask_cors import CORS

        app = Flask(name)
        for extension in (v for v in vars(module).values() if isinstance(v, CORS)):
            extension.init_app(app)
    app.logger.disabled = True     # views that fail on purpose would print tracebacks
    return app


def requests_for(model) -> list[Request]:
    """The probe requests for every scope, plus an unknown path and a wrong method."""
    ctx = ProbeContext(model, Trust(), [])
    out = []
    paths = {urlsplit(s.url).path: s for s in model.scopes()}
    paths.setdefault("/no-such-path", None)
    for path, scope in paths.items():
        origins = [HOSTILE, NULL, None] + (list(ctx.candidate_origins(scope)) + edge_origins(scope) if scope
                                           else ["https://app.example.com"])
        for origin in dict.fromkeys(origins):
            base = (("origin", origin),) if origin is not None else ()
            for method, headers in (("PUT", "content-type"), ("DELETE", "authorization,x-request-id")):
                out.append(Request("OPTIONS", "http://app.example" + path, base + (
                    ("access-control-request-method", method), ("access-control-request-headers", headers))))
            out.append(Request("OPTIONS", "http://app.example" + path, base))
            out.append(Request("GET", "http://app.example" + path, base))
            out.append(Request("PUT", "http://app.example" + path, base))
    return out


def real_answer(client, request: Request) -> tuple[int, dict[str, list[str]]]:
    headers = [(name.title(), value) for name, value in request.headers]
    response = client.open(request.path, method=request.method, headers=headers)
    return response.status_code, cors_view(response.headers)


def predicted(model, request: Request) -> tuple[int | None, dict[str, list[str | None]]]:
    answer = model.answer(request)
    return answer.status, cors_view((line.name, line.value) for line in answer.headers)


def stand_in_views(app) -> None:
    """The views a file does not show (they live in modules the entry point
    imports), as the model assumes them: every path answers every method
    with 200, OPTIONS automatically."""
    methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    app.add_url_rule("/", "corslint_stand_in_root", lambda: "ok", methods=methods)
    app.add_url_rule("/<path:rest>", "corslint_stand_in", lambda rest: "ok", methods=methods)


def check_file(path: Path) -> int:
    """Compare every probe request on one app file; returns how many were compared."""
    model = load(str(path), str(path))
    assert not model.parsed.errors, [str(e) for e in model.parsed.errors]
    rejected = [f for f in model.facts() if type(f).__name__ == "RejectedAtStartup"
                and "every request" not in f.message]
    try:
        app = import_app(path)
    except ValueError as exc:
        assert rejected, f"{path.name}: flask-cors raised {exc} but the model predicts no startup error"
        return 0
    assert not rejected, f"{path.name}: the model predicts {rejected[0].message} but the app started"
    if not model.app.complete:
        stand_in_views(app)
    client = app.test_client()
    requests = requests_for(model)
    for request in requests:
        want, got = real_answer(client, request), predicted(model, request)
        assert got == want, f"{path.name}: {request.describe()}: model {got} != flask {want}"
    return len(requests)


@pytest.mark.parametrize("sample", SAMPLE_FILES, ids=lambda p: p.name)
def test_sample_matches_real_flask(sample: Path, tmp_path: Path):
    require_flask()
    target = tmp_path / sample.name
    target.write_text(sample.read_text(encoding="utf-8"), encoding="utf-8")
    check_file(target)


#: what the samples that read os.environ are also run with: values that would
#: open them up if the app config or the keywords they feed won
HOSTILE_ENVIRONMENT = {"CORS_ORIGINS": "https://evil.example", "CORS_CREDENTIALS": "1", "CORS_SEND_WILDCARD": "1"}


@pytest.mark.parametrize("environment", [{}, HOSTILE_ENVIRONMENT], ids=["unset", "hostile"])
@pytest.mark.parametrize("sample", [p for p in SAMPLE_FILES if "os.environ" in p.read_text(encoding="utf-8")],
                         ids=lambda p: p.name)
def test_environment_loses_to_explicit_options(sample: Path, environment: dict, tmp_path: Path, monkeypatch):
    """Environment values are unknown to the model, yet where flask-cors
    lets a later level win (CORS() keywords over app.config, per-resource
    options over keywords) its answers are known, and equal flask's
    whatever the environment holds."""
    require_flask()
    for name in HOSTILE_ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    target = tmp_path / sample.name
    target.write_text(sample.read_text(encoding="utf-8"), encoding="utf-8")
    assert check_file(target)


# -- generated applications -----------------------------------------------------------------
ORIGINS = ["'*'", "'https://app.example.com'", "['https://app.example.com', 'https://admin.example.com']",
           "r'https://.*\\.example\\.com'", "'https://*.example.com'", "['https://app.example.com', 'null']",
           "[re.compile(r'^https://[a-z]+\\.example\\.com$')]", "['http://app.example.com', r'https://\\w+\\.example\\.org']"]
OPTIONS = {
    "supports_credentials": ["True", "False"],
    "methods": ["['GET', 'POST']", "['GET', 'PUT', 'DELETE']", "'GET, PUT'", "['get', 'put', 'patch']", "'*'"],
    "allow_headers": ["'*'", "['Content-Type']", "['Content-Type', 'Authorization']", "r'x-.*'", "[]"],
    "expose_headers": ["['X-Total', 'X-Page']", "'X-Request-Id'", "'*'", "[]"],
    "max_age": ["600", "0", "'86400'", "timedelta(hours=1)", "-5"],
    "send_wildcard": ["True", "False"],
    "vary_header": ["True", "False"],
    "always_send": ["True", "False"],
    "intercept_exceptions": ["True", "False"],
}
ROUTES = [("/api/users", "['GET', 'POST']"), ("/api/users/<int:user_id>", "['GET', 'PUT', 'DELETE']"),
          ("/health", None), ("/api/items/", "['GET', 'PATCH']"), ("/upload", "['POST', 'OPTIONS']")]


def random_options(rng: random.Random, count: int) -> list[str]:
    out = [f"origins={rng.choice(ORIGINS)}"] if rng.random() < 0.8 else []
    for name in rng.sample(sorted(OPTIONS), count):
        out.append(f"{name}={rng.choice(OPTIONS[name])}")
    return out


def generate(seed: int) -> str:
    """A small app: routes (some in a blueprint), CORS(app) or init_app with
    resources and config, sometimes @cross_origin views."""
    rng = random.Random(seed)
    lines = ["import re", "from datetime import timedelta", "from flask import Flask, Blueprint",
             "from flask_cors import CORS, cross_origin", "", "app = Flask(__name__)"]
    if rng.random() < 0.3:
        lines.append(f"app.config['CORS_SUPPORTS_CREDENTIALS'] = {rng.choice(['True', 'False'])}")
    if rng.random() < 0.3:
        lines.append(f"app.config.update(CORS_ORIGINS={rng.choice(ORIGINS)})")
    use_bp = rng.random() < 0.4
    if use_bp:
        lines.append("bp = Blueprint('api', __name__, url_prefix='/v2')")
    for index, (rule, methods) in enumerate(rng.sample(ROUTES, rng.randint(2, len(ROUTES)))):
        owner = "bp" if use_bp and rng.random() < 0.5 else "app"
        lines.append(f"@{owner}.route('{rule}'" + (f", methods={methods})" if methods else ")"))
        if rng.random() < 0.25:
            lines.append(f"@cross_origin({', '.join(random_options(rng, rng.randint(0, 3)))})")
        args = "user_id" if "<int:user_id>" in rule else ""
        lines += [f"def view_{index}({args}):", "    return 'ok'", ""]
    if use_bp:
        if rng.random() < 0.5:
            lines.append(f"CORS(bp, {', '.join(random_options(rng, rng.randint(0, 2)))})")
        lines.append("app.register_blueprint(bp)")
    style = rng.choice(["plain", "resources", "init_app", "none"])
    options = ", ".join(random_options(rng, rng.randint(0, 4)))
    if style == "plain":
        lines.append(f"CORS(app, {options})")
    elif style == "resources":
        inner = ", ".join(f"'{o.split('=', 1)[0]}': {o.split('=', 1)[1]}" for o in random_options(rng, 2))
        pattern = rng.choice(["r'/api/*'", "'/health'", "r'/v2/.*'", "'*'"])
        lines.append(f"CORS(app, resources={{{pattern}: {{{inner}}}, r'/api/users.*': {{'origins': '*'}}}}, {options})")
    elif style == "init_app":
        lines += [f"cors = CORS({options})", f"cors.init_app(app, {', '.join(random_options(rng, 1))})"]
    if rng.random() < 0.2:
        lines.append(f"CORS(app, {', '.join(random_options(rng, 2))})")
    return "\n".join(lines) + "\n"


def test_generated_apps_match_real_flask(tmp_path: Path):
    require_flask()
    compared = 0
    for seed in range(GENERATED):
        target = tmp_path / f"gen_{seed}.py"
        target.write_text(generate(seed), encoding="utf-8")
        compared += check_file(target)
    assert compared > 1000
