"""Acceptance: the Express model answers exactly like real Express + cors.

Oracle: the real packages (express@4, express@5, cors@2.8, passport@0.7 and
express-session@1 for the passport samples) installed with npm
into a cache folder, each app written there and started with
`node -r hook.cjs app.js`; the hook makes whatever `listen()` the app calls
bind 127.0.0.1 on a free port and print it.  Each app is stopped after its
requests (and killed after a bounded time).  Node runs only here, on the
generated apps and the samples: the linter itself never runs it.

For every sample and every generated configuration, each scope URL plus an
unknown path is probed with a preflight (PUT + content-type, and one
without request headers) and a GET, from a trusted origin, a hostile one,
`null` and an http:// origin.  Status and the ordered values of every
`access-control-*` and `vary` header must equal the model's answer; a
configuration Express refuses at startup must be a CORS502 fact of the
model.  TypeScript samples are not run (node 20 cannot run .ts directly).
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from corslint.apps.express.model import load
from corslint.apps.express.source import express_version
from corslint.model import Request

from .model_compare import cors_view, edge_origins, refused_sample

pytestmark = pytest.mark.live

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "express"
STARTUP_SECONDS = 15
ORIGINS = ("https://app.example.com", "https://evil.example", "null", "http://localhost:3000")
HOOK = r"""
const net = require('net');
const listen = net.Server.prototype.listen;
let announced = false;
net.Server.prototype.listen = function (...args) {
  const cb = args.find((a) => typeof a === 'function');
  this.once('listening', () => {
    if (!announced) { announced = true; process.stdout.write('PORT ' + this.address().port + '\n'); }
  });
  return cb ? listen.call(this, 0, '127.0.0.1', cb) : listen.call(this, 0, '127.0.0.1');
};
"""


def _missing(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


#: what the samples require besides express: cors, and passport with its session support
PACKAGES = ("cors@2.8", "passport@0.7", "express-session@1")


@pytest.fixture(scope="session")
def installs() -> dict[int, Path]:
    """express@4 / express@5 with PACKAGES, installed once per machine (cached)."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        _missing("node and npm are needed for the Express live tests")
    cache = Path(os.environ.get("CORSLINT_EXPRESS_CACHE", Path(tempfile.gettempdir()) / "corslint-express"))
    out = {}
    for major in (4, 5):
        folder = cache / f"express{major}"
        wanted = (f"express@{major}",) + PACKAGES
        if not all((folder / "node_modules" / package.rsplit("@", 1)[0]).is_dir() for package in wanted):
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "package.json").write_text(json.dumps({"name": f"oracle{major}", "private": True}))
            done = subprocess.run(["npm", "install", "--no-audit", "--no-fund", *wanted],
                                  cwd=folder, capture_output=True, text=True, timeout=300)
            if done.returncode != 0:
                _missing(f"npm install {' '.join(wanted)} failed: {done.stderr[-500:]}")
        (folder / "hook.cjs").write_text(HOOK)
        out[major] = folder
    return out


class RunningApp:
    """One app file under node; `port` is None when it exited before listening."""

    def __init__(self, folder: Path, source: str, suffix: str):
        self.file = folder / f"app_{uuid.uuid4().hex}{suffix}"
        self.file.write_text(source)
        self.proc = subprocess.Popen(["node", "-r", str(folder / "hook.cjs"), str(self.file)], cwd=folder,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.port = None
        try:
            line = _readline(self.proc, STARTUP_SECONDS)
        except TimeoutError:
            self.stop()
            raise
        if line.startswith("PORT "):
            self.port = int(line.split()[1])
        else:
            self.proc.wait(timeout=STARTUP_SECONDS)
            self.stderr = self.proc.stderr.read()

    def request(self, request: Request) -> tuple[int, dict[str, list[str]]]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request(request.method, request.target, headers=dict(request.headers))
            resp = conn.getresponse()
            resp.read()
            return resp.status, cors_view((k, v) for k, v in resp.getheaders())
        finally:
            conn.close()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)
        for stream in (self.proc.stdout, self.proc.stderr):
            stream.close()
        self.file.unlink(missing_ok=True)


def _readline(proc, seconds: float) -> str:
    import selectors

    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ)
    if not selector.select(timeout=seconds):
        raise TimeoutError("the app did not start listening in time")
    return proc.stdout.readline()


def requests_for(model) -> list[Request]:
    paths = []
    for scope in model.scopes():
        path = urlsplit(scope.url).path or "/"
        if path not in paths:
            paths.append(path)
    paths.append("/no/such/path")
    out = []
    origins = dict.fromkeys((*ORIGINS, *(o for scope in model.scopes() for o in edge_origins(scope))))
    for path in paths:
        url = "http://app.example" + path
        for origin in origins:
            out.append(Request("OPTIONS", url, (("origin", origin), ("access-control-request-method", "PUT"),
                                                ("access-control-request-headers", "content-type"))))
            out.append(Request("OPTIONS", url, (("origin", origin), ("access-control-request-method", "DELETE"))))
            out.append(Request("GET", url, (("origin", origin),)))
        out.append(Request("PUT", url, (("origin", ORIGINS[0]), ("content-type", "application/json"))))
    return out


def compare(installs, path: Path, source: str | None = None) -> int:
    """Run the app and compare every probe; returns the number of requests compared."""
    model = load(str(path), str(path))
    assert not model.parsed.errors, [str(e) for e in model.parsed.errors]
    app = RunningApp(installs[model.version], source if source is not None else path.read_text(),
                     ".mjs" if path.suffix == ".mjs" else ".js")
    try:
        rejected = [f for f in model.facts() if type(f).__name__ == "RejectedAtStartup"]
        if app.port is None:
            assert rejected, f"Express {model.version} refused the app but the model did not: {app.stderr[-400:]}"
            return 1
        assert not rejected, f"the model says Express {model.version} refuses the app, but it started"
        count = 0
        for request in requests_for(model):
            status, headers = app.request(request)
            answer = model.answer(request)
            predicted = cors_view((h.name, h.value) for h in answer.headers)
            assert (answer.status, predicted) == (status, headers), \
                f"Express {model.version}, {request.describe()}"
            count += 1
        return count
    finally:
        app.stop()


SAMPLE_FILES = sorted(p for p in SAMPLES.rglob("*") if p.suffix in (".js", ".mjs", ".cjs") and not refused_sample(p))


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: str(p.relative_to(SAMPLES)))
def test_sample_matches_real_express(installs, path):
    assert compare(installs, path) > 0


# -- generated configurations -----------------------------------------------------------------------

OPTIONS = {
    "defaults": "",
    "reflect-credentials": "{ origin: true, credentials: true }",
    "wildcard-credentials": "{ origin: '*', credentials: true }",
    "fixed-string": "{ origin: 'https://app.example.com' }",
    "list-with-null": "{ origin: ['https://app.example.com', 'null'], credentials: true }",
    "regex-unanchored": r"{ origin: /\.example\.com$/ }",
    "mixed-list-methods": r"{ origin: [/^https:\/\/app\.example\.com$/, 'http://localhost:3000'], methods: 'GET,PUT' }",
    "callback-always": "{ origin: (origin, cb) => cb(null, true) }",
    "callback-readme": """{
  origin: function (origin, callback) {
    if (!origin || ALLOWED.indexOf(origin) !== -1) {
      callback(null, true);
    } else {
      callback(new Error('Not allowed by CORS'));
    }
  },
}""",
    "origin-false": "{ origin: false }",
    "headers-maxage-status": "{ allowedHeaders: ['Content-Type', 'Authorization'], exposedHeaders: 'X-Total-Count', "
                             "maxAge: 600, optionsSuccessStatus: 200 }",
    "empty-lists": "{ allowedHeaders: '', exposedHeaders: [], maxAge: 0 }",
    "trailing-slash-lower-methods": "{ origin: 'https://app.example.com/', methods: ['get', 'put'] }",
    "callback-returns-origin": "{ origin: (o, cb) => cb(null, o && o.endsWith('.example.com') ? o : false) }",
    "const-spread": "{ ...BASE, credentials: true, exposedHeaders: ['ETag', 'Link'] }",
    "delegate": """(req, cb) => {
  const ok = ALLOWED.includes(req.header('Origin'));
  cb(null, ok ? { origin: true, credentials: true } : { origin: false });
}""",
}

HEAD = """const express = require('express');
const cors = require('cors');

const app = express();
const ALLOWED = ['https://app.example.com', 'http://localhost:3000'];
const BASE = { origin: ALLOWED, methods: ['GET', 'PUT', 'DELETE'] };
"""
ROUTES = """app.get('/api/items', (req, res) => res.json([]));
app.put('/api/items/:id', (req, res) => res.sendStatus(204));
"""
TAIL = "app.listen(3000);\n"

PLACEMENTS = {
    "global": lambda o: f"app.use(cors({o}));\n" + ROUTES,
    "after-routes": lambda o: ROUTES + f"app.use(cors({o}));\n",
    "per-route": lambda o: f"app.get('/api/items', cors({o}), (req, res) => res.json([]));\n"
                           f"app.put('/api/items/:id', cors({o}), (req, res) => res.sendStatus(204));\n",
    "per-route-options": lambda o: f"const c = cors({o});\napp.options('/api/items/:id', c);\n"
                                   "app.put('/api/items/:id', c, (req, res) => res.sendStatus(204));\n"
                                   "app.get('/api/items', c, (req, res) => res.json([]));\n",
    "options-star": lambda o: f"app.options('*', cors({o}));\n"
                              f"app.put('/api/items/:id', cors({o}), (req, res) => res.sendStatus(204));\n",
    "options-splat": lambda o: f"app.options('/{{*splat}}', cors({o}));\n"
                               f"app.put('/api/items/:id', cors({o}), (req, res) => res.sendStatus(204));\n",
    "options-regex": lambda o: f"app.options(/.*/, cors({o}));\n"
                               f"app.put('/api/items/:id', cors({o}), (req, res) => res.sendStatus(204));\n",
    "router": lambda o: f"const api = express.Router();\napi.use(cors({o}));\n"
                        "api.route('/items').get((req, res) => res.json([])).post((req, res) => res.status(201).json({}));\n"
                        "api.delete('/items/:id', (req, res) => res.sendStatus(204));\napp.use('/api', api);\n",
}

HANDWRITTEN = {
    "reflect-all": """app.use((req, res, next) => {
  res.header('Access-Control-Allow-Origin', req.headers.origin);
  res.header('Access-Control-Allow-Credentials', 'true');
  res.header('Access-Control-Allow-Methods', 'GET,PUT,POST,DELETE');
  res.header('Access-Control-Allow-Headers', 'Content-Type, Authorization');
  if (req.method === 'OPTIONS') {
    return res.sendStatus(204);
  }
  next();
});
""" + ROUTES,
    "allow-list-vary": """app.use(function (req, res, next) {
  const origin = req.get('origin');
  if (ALLOWED.includes(origin)) {
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.vary('Origin');
  }
  res.set({ 'Access-Control-Allow-Methods': 'GET, PUT', 'Access-Control-Allow-Headers': 'content-type' });
  if (req.method === 'OPTIONS') return res.status(204).end();
  next();
});
""" + ROUTES,
    "star-after-routes": ROUTES + """app.use((req, res, next) => {
  res.header('Access-Control-Allow-Origin', '*');
  next();
});
""",
    "auth-before-cors": """function requireAuth(req, res, next) {
  if (!req.headers.authorization) {
    return res.status(401).json({ error: 'unauthorized' });
  }
  next();
}
app.use(requireAuth);
app.use(cors({ origin: ALLOWED, credentials: true }));
""" + ROUTES,
    "append-expose": """app.use(cors({ exposedHeaders: 'ETag' }));
app.use((req, res, next) => {
  res.append('Access-Control-Expose-Headers', 'X-Total-Count');
  res.append('Vary', 'Accept-Encoding');
  next();
});
""" + ROUTES,
    "options-catch-all": """app.use((req, res, next) => {
  res.header('Access-Control-Allow-Origin', 'https://app.example.com');
  res.header('Vary', 'Origin');
  next();
});
app.options('*', (req, res) => {
  res.header('Access-Control-Allow-Methods', 'PUT');
  res.sendStatus(200);
});
""" + ROUTES,
}


def generated() -> list[tuple[str, int, str]]:
    out = []
    for major in (4, 5):
        for name, opts in OPTIONS.items():
            out.append((f"v{major}-global-{name}", major, HEAD + PLACEMENTS["global"](opts) + TAIL))
        for placement in ("after-routes", "per-route", "per-route-options", "options-star", "options-splat",
                          "options-regex", "router"):
            for name in ("defaults", "list-with-null"):
                out.append((f"v{major}-{placement}-{name}", major, HEAD + PLACEMENTS[placement](OPTIONS[name]) + TAIL))
        for name, body in HANDWRITTEN.items():
            out.append((f"v{major}-handwritten-{name}", major, HEAD + body + TAIL))
    return out


GENERATED = generated()


@pytest.mark.parametrize("name,major,source", GENERATED, ids=[g[0] for g in GENERATED])
def test_generated_config_matches_real_express(installs, tmp_path, name, major, source):
    app_dir = tmp_path / name
    app_dir.mkdir()
    (app_dir / "package.json").write_text(json.dumps({"dependencies": {"express": f"^{major}.0.0",
                                                                       "cors": "^2.8.5"}}))
    path = app_dir / "app.js"
    path.write_text(source)
    assert express_version(str(path)) == major
    assert compare(installs, path) > 0


def test_enough_generated_configurations():
    assert len(GENERATED) >= 40


#: options kept in modules of their own (issue 14): {module path: source}; the app requires them
MODULE_LAYOUTS = {
    "regex-with-credentials": {
        "config/corsOptions.js": "module.exports = {\n  origin: /example\\.com$/,\n  credentials: true,\n};\n"},
    "callback-over-imported-list": {
        "config/allowedOrigins.js": "module.exports = ['https://app.example.com', 'http://localhost:3000'];\n",
        "config/corsOptions.js": "const allowedOrigins = require('./allowedOrigins');\n"
                                 "module.exports = {\n  origin: (origin, callback) => {\n"
                                 "    if (allowedOrigins.indexOf(origin) !== -1 || !origin) callback(null, true);\n"
                                 "    else callback(new Error('Not allowed by CORS'));\n  },\n"
                                 "  credentials: true,\n  optionsSuccessStatus: 200,\n};\n"},
    "named-export-in-index": {
        "config/corsOptions/index.js": "exports.corsOptions = { origin: ['https://app.example.com', 'null'], "
                                       "methods: ['GET', 'PUT'] };\n"},
}


@pytest.mark.parametrize("major", (4, 5))
@pytest.mark.parametrize("layout", sorted(MODULE_LAYOUTS))
def test_options_module_matches_real_express(installs, major, layout):
    """The app requires its options from ./mods_*/config/...: Node resolves and
    runs them; the model follows the same requires without running them."""
    folder = installs[major]
    mods = folder / f"mods_{uuid.uuid4().hex}"
    files = MODULE_LAYOUTS[layout]
    named = "{ corsOptions }" if "named" in layout else "corsOptions"
    source = (f"const express = require('express');\nconst cors = require('cors');\n"
              f"const {named} = require('./{mods.name}/config/corsOptions');\n"
              f"const app = express();\napp.use(cors(corsOptions));\n"
              f"app.get('/api/x', (req, res) => res.send('ok'));\napp.put('/api/x', (req, res) => res.send('ok'));\n"
              f"app.listen(3000);\n")
    path = folder / f"app_{mods.name}.js"
    try:
        for name, text in files.items():
            (mods / name).parent.mkdir(parents=True, exist_ok=True)
            (mods / name).write_text(text)
        path.write_text(source)
        model = load(str(path), str(path))
        assert not model.parsed.notices, [str(n) for n in model.parsed.notices]
        assert compare(installs, path, source) > 0
    finally:
        path.unlink(missing_ok=True)
        shutil.rmtree(mods, ignore_errors=True)


@pytest.mark.parametrize("name,status", [("good-passport-session-before-cors.js", 204),
                                         ("cors501-passport-authenticate-before-cors.js", 401)])
def test_passport_before_cors(installs, name, status):
    """passport.initialize() and passport.session() pass a preflight on to
    cors (204 with its headers); passport.authenticate() answers it 401.
    The model says the same, and reports CORS501 only for the latter."""
    path = SAMPLES / name
    model = load(str(path), str(path))
    preflight = Request("OPTIONS", "http://app.example/api/profile",
                        (("origin", "https://app.example.com"), ("access-control-request-method", "PUT"),
                         ("access-control-request-headers", "content-type")))
    app = RunningApp(installs[model.version], path.read_text(), ".js")
    try:
        real_status, headers = app.request(preflight)
    finally:
        app.stop()
    assert real_status == status
    assert ("access-control-allow-origin" in headers) == (status == 204)
    assert model.answer(preflight).status == status
    assert bool([f for f in model.facts() if type(f).__name__ == "MiddlewareOrder"]) == (status == 401)
