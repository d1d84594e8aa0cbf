"""Unit tests of the Express reader and model (linter/apps/express/).

The semantics asserted here were checked against express 4.22.3 / 5.3.0 and
cors 2.8.6 (tests/live/test_express_live.py compares them on every sample
and on generated apps)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support import corslint

from corslint.apps.express.model import load
from corslint.apps.express.paths import PathError, compile_path, literal_head
from corslint.apps.express.source import express_version
from corslint.model import Request

TRUSTED = "https://app.example.com"
EVIL = "https://evil.example"
HEAD = "const express = require('express');\nconst cors = require('cors');\nconst app = express();\n"


def write(tmp_path: Path, body: str, name: str = "app.js", express: str | None = "^5.1.0") -> Path:
    if express is not None:
        (tmp_path / "package.json").write_text(json.dumps({"dependencies": {"express": express}}))
    path = tmp_path / name
    path.write_text(body)
    return path


def model_of(tmp_path, body, **kw):
    path = write(tmp_path, body, **kw)
    return load(str(path), str(path))


def preflight(model, path="/api/x", origin=TRUSTED, method="PUT", headers="content-type"):
    extra = (("access-control-request-method", method),) + (
        (("access-control-request-headers", headers),) if headers else ())
    return model.answer(Request("OPTIONS", "http://app.example" + path, (("origin", origin),) + extra))


def get(model, path="/api/x", origin=TRUSTED, method="GET"):
    return model.answer(Request(method, "http://app.example" + path, (("origin", origin),)))


def headers(answer):
    return [(h.name, h.value) for h in answer.headers if h.name.startswith("access-control") or h.name == "vary"]


# -- cors options ----------------------------------------------------------------------------------

def test_defaults_wildcard_and_reflected_request_headers(tmp_path):
    m = model_of(tmp_path, HEAD + "app.use(cors());\napp.put('/api/x', (req, res) => res.send('ok'));\n")
    answer = preflight(m)
    assert (answer.status, answer.handler) == (204, "middleware")
    assert headers(answer) == [("access-control-allow-origin", "*"),
                               ("access-control-allow-methods", "GET,HEAD,PUT,PATCH,POST,DELETE"),
                               ("vary", "Access-Control-Request-Headers"),
                               ("access-control-allow-headers", "content-type")]
    assert headers(get(m)) == [("access-control-allow-origin", "*")]


def test_options_from_const_with_spread_and_option_lines(tmp_path):
    m = model_of(tmp_path, HEAD + "const BASE = { methods: ['GET', 'PUT'] };\n"
                                  "const opts = {\n  ...BASE,\n  origin: ['https://app.example.com'],\n"
                                  "  credentials: true,\n};\napp.use(cors(opts));\napp.get('/api/x', h);\n")
    answer = preflight(m)
    acao = answer.lines("access-control-allow-origin")[0]
    assert acao.value == TRUSTED and acao.source.line == 7
    assert answer.lines("access-control-allow-credentials")[0].source.line == 8
    assert answer.get("access-control-allow-methods") == "GET,PUT"
    assert not preflight(m, origin=EVIL).has("access-control-allow-origin")
    assert preflight(m, origin=EVIL).status == 204     # a disallowed origin still gets 204


def test_origin_true_reflects_and_callbacks_are_followed(tmp_path):
    reflect = model_of(tmp_path, HEAD + "app.use(cors({ origin: (o, cb) => cb(null, true), credentials: true }));\n")
    assert get(reflect, origin=EVIL).get("access-control-allow-origin") == EVIL
    readme = model_of(tmp_path, HEAD + "const ok = ['https://app.example.com'];\napp.use(cors({ origin: function (o, cb) {"
                                       " if (!o || ok.indexOf(o) !== -1) { cb(null, true) } else {"
                                       " cb(new Error('nope')) } } }));\napp.get('/api/x', h);\n")
    assert get(readme).get("access-control-allow-origin") == TRUSTED
    assert get(readme, origin=EVIL).status == 500


def test_origin_false_makes_cors_inert(tmp_path):
    m = model_of(tmp_path, HEAD + "app.use(cors({ origin: false }));\napp.get('/api/x', h);\n")
    answer = preflight(m)
    assert (answer.status, answer.handler, headers(answer)) == (200, "auto-options", [])


def test_environment_origin_is_unknown_never_guessed(tmp_path):
    m = model_of(tmp_path, HEAD + "app.use(cors({ origin: process.env.CORS_ORIGIN.split(','), credentials: true }));\n"
                                  "app.get('/api/x', h);\n")
    answer = get(m, origin=EVIL)
    assert answer.values("access-control-allow-origin") == [None]
    assert not answer.certain


def test_regex_origin_is_an_origin_pattern_with_its_line(tmp_path):
    m = model_of(tmp_path, HEAD + "app.use(cors({\n  origin: [\n    /\\.example\\.com$/i,\n  ],\n}));\n"
                                  "app.get('/api/x', h);\n")
    scope = next(s for s in m.scopes() if s.url.endswith("/api/x"))
    assert [(p.regex, p.ignore_case, p.source.line) for p in scope.origin_patterns] == [(r"\.example\.com$", True, 6)]
    assert get(m, origin="https://a.EXAMPLE.com").get("access-control-allow-origin") == "https://a.EXAMPLE.com"


# -- Express routing ---------------------------------------------------------------------------------

def test_per_route_cors_leaves_preflight_to_auto_options(tmp_path):
    m = model_of(tmp_path, HEAD + "app.get('/api/x', cors(), h);\napp.put('/api/x', cors(), h);\n")
    answer = preflight(m)
    assert (answer.status, answer.handler, headers(answer)) == (200, "auto-options", [])
    assert get(m).get("access-control-allow-origin") == "*"
    assert preflight(m, path="/nope").status == 404


def test_cors_after_routes_misses_actual_responses_and_is_a_fact(tmp_path):
    m = model_of(tmp_path, HEAD + "app.get('/api/x', h);\napp.use(cors());\n")
    assert get(m).headers == [] and preflight(m).status == 204
    facts = [f for f in m.facts() if type(f).__name__ == "MiddlewareOrder"]
    assert [f.source.line for f in facts] == [5]


def test_options_star_depends_on_the_version(tmp_path):
    body = HEAD + "app.options('*', cors());\napp.put('/api/x', cors(), h);\n"
    v4 = model_of(tmp_path, body, express="^4.21.0")
    assert preflight(v4).status == 204 and not list(v4.facts())
    v5 = model_of(tmp_path, body, express="^5.0.0")
    rejected = [f for f in v5.facts() if type(f).__name__ == "RejectedAtStartup"]
    assert [f.source.line for f in rejected] == [4] and "Missing parameter name" in rejected[0].message
    assert preflight(v5).status is None


def test_splat_never_matches_on_express4(tmp_path):
    body = HEAD + "app.options('/{*splat}', cors());\napp.put('/api/x', cors(), h);\n"
    assert preflight(model_of(tmp_path, body, express="4.x")).handler == "auto-options"
    assert preflight(model_of(tmp_path, body, express="5.x")).handler == "middleware"


def test_version_unknown_without_package_json(tmp_path):
    path = write(tmp_path, HEAD, express=None)
    assert express_version(str(path)) is None or (tmp_path / ".." / "package.json").exists()
    assert express_version(str(write(tmp_path, HEAD, express="~4.21.2"))) == 4


def test_unknown_version_explores_both_majors(tmp_path):
    if (tmp_path / ".." / "package.json").exists():
        pytest.skip(f"{tmp_path.parent}/package.json names a version")
    m = model_of(tmp_path, HEAD + "app.get('/api/x', cors(), (req, res) => res.json([]));\n", express=None)
    assert [(condition, alt.version) for condition, alt in m.alternatives] == [
        ("if the app runs Express 4", 4), ("if the app runs Express 5", 5)]
    assert model_of(tmp_path, HEAD, express="^5.1.0").alternatives == []


UNPINNED_STAR = HEAD + ("const h = (req, res) => res.json([]);\n"
                        "app.use(cors({ origin: ['https://app.example.com', 'http://app.example.com'], "
                        "credentials: true }));\napp.options('*', cors());\napp.put('/api/x', h);\n")


def test_unknown_version_startup_refusal_is_a_warning_and_options_are_judged(tmp_path):
    write(tmp_path, UNPINNED_STAR, express=None)
    result = corslint("app.js", cwd=tmp_path)
    out = result.stdout
    assert "app.js:6: CORS502 [warning] if the app runs Express 5: Express 5 refuses the path '*'" in out, out
    assert "assumed" not in out
    assert "app.js:5: CORS206 [warning] the insecure origin http://app.example.com" in out, out   # judged under 4
    assert result.returncode == 1 and "Traceback" not in result.stderr


def test_known_version_startup_refusal_stays_an_error_fp(tmp_path):
    write(tmp_path, UNPINNED_STAR, express="^5.1.0")
    out = corslint("app.js", cwd=tmp_path).stdout
    assert "app.js:6: CORS502 [error] Express 5 refuses the path '*'" in out and "if the app runs" not in out, out
    assert "CORS206" not in out, out     # the application never starts: nothing is answered
    write(tmp_path, UNPINNED_STAR, express="4.x")
    out = corslint("app.js", cwd=tmp_path).stdout
    assert "CORS502" not in out and "app.js:5: CORS206" in out and "if the app runs" not in out, out


def test_unknown_version_finding_of_one_major_says_so(tmp_path):
    write(tmp_path, HEAD + "const h = (req, res) => res.json([]);\napp.options('/{*splat}', cors());\n"
                           "app.put('/api/x', cors(), h);\n", express=None)
    out = corslint("app.js", cwd=tmp_path).stdout
    assert "app.js:6: CORS101 [error] if the app runs Express 4: nothing answers the CORS preflight" in out, out


def test_unknown_version_finding_of_both_majors_is_plain_fp(tmp_path):
    write(tmp_path, HEAD + "app.use(cors({ origin: true, credentials: true }));\n"
                           "app.get('/api/x', (req, res) => res.json([]));\n", express=None)
    out = corslint("app.js", cwd=tmp_path).stdout
    assert "CORS202" in out and "if the app runs" not in out, out


def test_route_chain_and_router_prefix(tmp_path):
    m = model_of(tmp_path, HEAD + "const api = express.Router();\napi.use(cors({ origin: 'https://app.example.com' }));\n"
                                  "api.route('/items').get(h).put(h);\napp.use('/api', api);\n")
    scope = next(s for s in m.scopes() if s.url.endswith("/api/items"))
    assert scope.served_methods == ("GET", "PUT")
    assert get(m, "/api/items", method="PUT").status == 200
    assert get(m, "/items").status == 404


@pytest.mark.parametrize("pattern, head", [
    ("/api/items0/:id", "/api/items0/"),     # a required parameter keeps the `/` before it: indexed by segment
    ("/api/:id(\\d+)", "/api/"),
    ("/api/:id?", "/api"),                   # optional: `/api` matches too, so the `/` is not part of the head
    ("/api/:id(\\d+)?", "/api"),
    ("/a/.:ext", "/a"),
])
def test_express4_literal_heads(pattern, head):
    assert literal_head(pattern, 4, True) == head
    assert all(compile_path(pattern, 4, True).match(path) is None or path.startswith(head)
               for path in ("/api", "/api/7", "/api/items0/7", "/a", "/a/.json"))


def test_path_syntax_per_version():
    assert compile_path("/users/:id?", 4, True).match("/users") is not None
    with pytest.raises(PathError):
        compile_path("/users/:id?", 5, True)
    assert compile_path("/users{/:id}", 5, True).match("/USERS/7/") is not None


# -- hand-written middleware ---------------------------------------------------------------------------

def test_handwritten_reflection_and_preflight(tmp_path):
    m = model_of(tmp_path, HEAD + "app.use((req, res, next) => {\n"
                                  "  res.header('Access-Control-Allow-Origin', req.headers.origin);\n"
                                  "  if (req.method === 'OPTIONS') return res.sendStatus(204);\n  next();\n});\n"
                                  "app.get('/api/x', h);\n")
    answer = preflight(m, origin=EVIL)
    assert (answer.status, answer.get("access-control-allow-origin")) == (204, EVIL)
    assert answer.status_source.line == 6


def test_handwritten_unknown_condition_gives_unknown_values(tmp_path):
    m = model_of(tmp_path, HEAD + "app.use((req, res, next) => {\n  if (isAllowed(req.get('origin'))) {\n"
                                  "    res.header('Access-Control-Allow-Origin', req.get('origin'));\n  }\n"
                                  "  next();\n});\napp.get('/api/x', h);\n")
    answer = get(m, origin=EVIL)
    assert answer.values("access-control-allow-origin") == [None] and not answer.certain


def test_typescript_and_es_modules(tmp_path):
    ts = model_of(tmp_path, "import express, { Request, Response } from 'express';\nimport cors, { CorsOptions } "
                            "from 'cors';\nconst app = express();\nconst o: CorsOptions = { origin: true } as CorsOptions;"
                            "\napp.use(cors(o));\napp.get('/x', (req: Request, res: Response) => res.json({}));\n",
                  name="server.ts")
    assert get(ts, "/x", origin=EVIL).get("access-control-allow-origin") == EVIL


def test_syntax_error_is_an_input_error_not_a_traceback(tmp_path):
    path = write(tmp_path, HEAD + "app.use(cors({ origin: [ }));\n")
    model = load(str(path), str(path))
    assert model.parsed.errors and model.parsed.errors[0].line == 4
    done = corslint(str(path))
    assert done.returncode == 2 and "Traceback" not in done.stderr and ":4" in done.stdout + done.stderr


def test_linting_never_runs_the_application(tmp_path):
    marker = tmp_path / "executed"
    path = write(tmp_path, HEAD + f"require('fs').writeFileSync({json.dumps(str(marker))}, 'ran');\n"
                                  "process.exit(3);\nthrow new Error('must not run');\n"
                                  "app.use(cors({ origin: true, credentials: true }));\napp.get('/x', h);\n")
    done = corslint(str(path))
    assert "CORS202" in done.stdout
    assert not marker.exists()
