"""The Flask + flask-cors model: extraction from the file and flask-cors semantics.

tests/live/test_flask_live.py compares the model with the real packages;
these tests pin the individual behaviours without them.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

from corslint.apps.flask.model import load
from corslint.config import Settings
from corslint.engine import lint
from corslint.model import Request
from support import corslint

EVIL = "https://evil.example"
PREFLIGHT = (("access-control-request-method", "PUT"), ("access-control-request-headers", "content-type"))


def model_of(tmp_path: Path, source: str, name: str = "app.py"):
    path = tmp_path / name
    path.write_text("from flask import Flask, Blueprint\nfrom flask_cors import CORS, cross_origin\n"
                    + textwrap.dedent(source), encoding="utf-8")
    return load(str(path), str(path))


def ask(model, method: str, path: str, origin: str | None = EVIL, extra=()):
    headers = ((("origin", origin),) if origin else ()) + tuple(extra)
    return model.answer(Request(method, "http://app.example" + path, headers))


def cors(answer) -> dict[str, list]:
    out: dict[str, list] = {}
    for line in answer.headers:
        if line.name.startswith("access-control-") or line.name == "vary":
            out.setdefault(line.name, []).append(line.value)
    return out


def codes(tmp_path: Path, source: str) -> set[tuple[int, str]]:
    model_of(tmp_path, source)
    report = lint([str(tmp_path / "app.py")], Settings(), forced_kind="flask")
    assert not report.errors, [str(e) for e in report.errors]
    return {(f.line, f.code) for f in report.findings}


# -- extraction -----------------------------------------------------------------------------
def test_routes_blueprint_prefix_and_methods(tmp_path):
    model = model_of(tmp_path, """
        app = Flask(__name__)
        bp = Blueprint("api", __name__, url_prefix="/api")
        @bp.route("/users/<int:uid>", methods=["get", "DELETE"])
        def user(uid): ...
        @app.put("/things")
        def things(): ...
        app.register_blueprint(bp, url_prefix="/v2")
    """)
    routes = {r.pattern: r.methods for r in model.routes}
    assert routes == {"/v2/users/<int:uid>": ("GET", "HEAD", "DELETE", "OPTIONS"), "/things": ("PUT", "OPTIONS")}
    assert [s.url for s in model.scopes()] == ["http://app.example/v2/users/1", "http://app.example/things"]
    assert model.app.complete


def test_blueprint_from_another_module_makes_routes_incomplete(tmp_path):
    model = model_of(tmp_path, """
        from .views import api
        app = Flask(__name__)
        app.register_blueprint(api)
        CORS(app, supports_credentials=True)
    """)
    assert not model.app.complete
    assert [s.url for s in model.scopes()] == ["http://app.example/"]
    answer = ask(model, "GET", "/anything")
    assert (answer.status, answer.certain) == (200, False)
    assert cors(answer)["access-control-allow-origin"] == [EVIL]


def test_config_is_read_at_init_time_by_cors_and_at_request_time_by_cross_origin(tmp_path):
    model = model_of(tmp_path, """
        app = Flask(__name__)
        CORS(app, resources=r"/a")
        app.config["CORS_SUPPORTS_CREDENTIALS"] = True
        @app.route("/a")
        def a(): ...
        @app.route("/b")
        @cross_origin()
        def b(): ...
    """)
    assert "access-control-allow-credentials" not in cors(ask(model, "GET", "/a"))
    assert cors(ask(model, "GET", "/b"))["access-control-allow-credentials"] == ["true"]


def test_keyword_lines_are_the_header_sources(tmp_path):
    model = model_of(tmp_path, """
        app = Flask(__name__)
        CORS(app,
             origins=["https://a.example.com", "https://b.example.com"],
             max_age=600)
        @app.route("/x", methods=["PUT"])
        def x(): ...
    """)
    answer = ask(model, "OPTIONS", "/x", "https://a.example.com", PREFLIGHT)
    lines = {h.name: h.source.line for h in answer.headers}
    assert lines["access-control-allow-origin"] == 6 and lines["access-control-max-age"] == 7
    assert answer.handler == "auto-options" and answer.status_source.line == 8


# -- flask-cors semantics ----------------------------------------------------------------------
def test_default_reflects_origin_and_answers_preflight_through_auto_options(tmp_path):
    model = model_of(tmp_path, """
        app = Flask(__name__)
        CORS(app)
        @app.route("/x", methods=["GET", "PUT"])
        def x(): ...
    """)
    answer = ask(model, "OPTIONS", "/x", extra=PREFLIGHT)
    assert (answer.status, answer.handler) == (200, "auto-options")
    assert cors(answer) == {"access-control-allow-origin": [EVIL], "access-control-allow-headers": ["content-type"],
                            "access-control-allow-methods": ["DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT"],
                            "vary": ["Origin"]}
    assert cors(ask(model, "GET", "/x", origin=None)) == {"access-control-allow-origin": ["*"]}
    missing = ask(model, "GET", "/missing")
    assert (missing.status, cors(missing)["access-control-allow-origin"]) == (404, [EVIL])


def test_glob_looking_origin_is_a_start_anchored_regex(tmp_path):
    model = model_of(tmp_path, """
        app = Flask(__name__)
        CORS(app, origins="https://*.good.example")
        @app.route("/x")
        def x(): ...
    """)
    for origin, allowed in (("https://xgood.example", True), ("https://a.good.example", False),
                            ("https://good.example.evil.net", True)):
        assert ("access-control-allow-origin" in cors(ask(model, "GET", "/x", origin))) is allowed, origin
    assert [p.regex for p in model.scopes()[0].origin_patterns] == ["https://*.good.example"]


def test_methods_are_sorted_and_checked_as_a_substring(tmp_path):
    model = model_of(tmp_path, """
        app = Flask(__name__)
        CORS(app, methods="GET, PUT", max_age=0, allow_headers=["X-Only"])
        @app.route("/x", methods=["PUT"])
        def x(): ...
    """)
    answer = ask(model, "OPTIONS", "/x", extra=(("access-control-request-method", "PU"),
                                                ("access-control-request-headers", "content-type")))
    assert cors(answer) == {"access-control-allow-origin": [EVIL], "access-control-allow-methods": ["GET, PUT"],
                            "vary": ["Origin"]}


def test_single_literal_origin_has_no_vary(tmp_path):
    model = model_of(tmp_path, """
        app = Flask(__name__)
        CORS(app, origins="https://app.example.com")
        @app.route("/x")
        def x(): ...
    """)
    assert cors(ask(model, "GET", "/x", "https://APP.example.com")) == {
        "access-control-allow-origin": ["https://APP.example.com"]}
    assert cors(ask(model, "GET", "/x")) == {}


def test_resources_literal_paths_first_and_blueprint_layers_skip_routing_errors(tmp_path):
    model = model_of(tmp_path, """
        app = Flask(__name__)
        bp = Blueprint("api", __name__, url_prefix="/api")
        @bp.route("/y")
        def y(): ...
        app.register_blueprint(bp)
        CORS(bp, origins=["https://a.example", "https://evil.example"])
        CORS(app, resources={r"/api/.*": {"origins": "https://x.example"}, "/api/y": {"send_wildcard": True}})
    """)
    assert cors(ask(model, "GET", "/api/y"))["access-control-allow-origin"] == [EVIL]    # blueprint hook first
    wrong_method = ask(model, "PUT", "/api/y")    # 405: no blueprint; the literal resource sorts first
    assert (wrong_method.status, cors(wrong_method)) == (405, {"access-control-allow-origin": ["*"]})
    assert cors(ask(model, "GET", "/api/z")) == {}   # 404: the regex resource wants https://x.example


def test_cross_origin_answers_options_itself(tmp_path):
    model = model_of(tmp_path, """
        app = Flask(__name__)
        @app.route("/d", methods=["PUT"])
        @cross_origin(origins="https://evil.example", supports_credentials=True)
        def d(): ...
        @app.route("/f", methods=["PUT"])
        @cross_origin(automatic_options=False)
        def f(): ...
    """)
    d = ask(model, "OPTIONS", "/d", extra=PREFLIGHT)
    assert (d.handler, cors(d)["access-control-allow-credentials"]) == ("middleware", ["true"])
    f = ask(model, "OPTIONS", "/f", extra=PREFLIGHT)
    assert (f.status, f.handler, cors(f)) == (200, "auto-options", {})


# -- unknown values ------------------------------------------------------------------------------
def test_environment_origins_are_unknown_never_guessed(tmp_path):
    source = """
        import os
        app = Flask(__name__)
        CORS(app, origins=os.environ["CORS_ORIGINS"].split(","), supports_credentials=True)
        @app.route("/x", methods=["GET", "PUT"])
        def x(): ...
    """
    answer = ask(model_of(tmp_path, source), "GET", "/x")
    assert cors(answer)["access-control-allow-origin"] == [None] and not answer.certain
    assert codes(tmp_path, source) == set()


def test_layer_inside_if_is_uncertain(tmp_path):
    model = model_of(tmp_path, """
        import os
        app = Flask(__name__)
        if os.environ.get("ENABLE_CORS"):
            CORS(app)
        @app.route("/x")
        def x(): ...
    """)
    answer = ask(model, "GET", "/x")
    assert set(cors(answer)["access-control-allow-origin"]) == {None} and not answer.certain


def test_kwargs_unpacking_makes_unset_options_unknown(tmp_path):
    model = model_of(tmp_path, """
        app = Flask(__name__)
        CORS(app, **load_settings(), methods=["GET"])
        @app.route("/x")
        def x(): ...
    """)
    answer = ask(model, "GET", "/x")
    assert cors(answer)["access-control-allow-origin"] == [None] and not answer.certain


# -- facts and rules ----------------------------------------------------------------------------
def test_send_wildcard_with_credentials_is_rejected_at_the_keyword(tmp_path):
    found = codes(tmp_path, """
        app = Flask(__name__)
        CORS(app,
             send_wildcard=True,
             supports_credentials=True)
        @app.route("/x")
        def x(): ...
    """)
    assert found == {(6, "CORS502")}


def test_cross_origin_above_route_is_an_order_problem(tmp_path):
    found = codes(tmp_path, """
        app = Flask(__name__)
        @cross_origin()
        @app.route("/x")
        def x(): ...
    """)
    assert found == {(5, "CORS501")}


def test_syntax_error_is_an_input_error(tmp_path):
    path = tmp_path / "app.py"
    path.write_text("from flask_cors import CORS\nCORS(app,\n", encoding="utf-8")
    model = load(str(path), str(path))
    assert model.parsed.errors and model.parsed.errors[0].line in (2, 3)
    run = corslint("--type", "flask", str(path), timeout=60)
    assert run.returncode == 2 and "Traceback" not in run.stderr


def test_linting_never_imports_or_runs_the_file(tmp_path):
    marker = tmp_path / "imported.marker"
    path = tmp_path / "app.py"
    path.write_text(textwrap.dedent(f"""
        import pathlib
        pathlib.Path({str(marker)!r}).write_text("imported")
        raise SystemExit("the linter must never import this file")
        from flask import Flask
        from flask_cors import CORS
        app = Flask(__name__)
        CORS(app, supports_credentials=True)
        @app.route("/x")
        def x(): ...
    """), encoding="utf-8")
    before = set(sys.modules)
    report = lint([str(path)], Settings())
    assert {f.code for f in report.findings} == {"CORS202"}
    assert not marker.exists()
    assert not [name for name in set(sys.modules) - before
                if getattr(sys.modules[name], "__file__", None) == str(path) or name.startswith("flask")]
