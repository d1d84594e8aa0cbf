"""Application CORS options kept in modules of their own (issue 14, item 5).

Express: relative `require`/`import` of an options object or an origin list
is followed (linter/code/jsmodules.py), and an options module linted alone
is judged as passed to `cors()`.  Each layout is built in a temporary folder
and linted the way a user would: `corslint app.js` and `corslint .` from the
project's root, no flags.  Node's resolution of the specifiers was checked
with node 20 (`require.resolve`): `./config/corsOptions` -> corsOptions.js,
a folder -> its index.js."""

from __future__ import annotations

import json
import os
from pathlib import Path

from support import corslint, write

APP_CJS = """const express = require('express');
const cors = require('cors');
const corsOptions = require('./config/corsOptions');

const app = express();
app.use(cors(corsOptions));
app.get('/api/me', (req, res) => res.json({}));
app.listen(3000);
"""

#: planted: a suffix regex that admits https://evilexample.com, with credentials
OPTIONS_CJS = """const corsOptions = {
  origin: /example\\.com$/,
  credentials: true,
};

module.exports = corsOptions;
"""

ALLOWED_CJS = """const allowedOrigins = [
  'https://app.example.com',
  'http://intranet.example.com',
];
module.exports = allowedOrigins;
"""

#: the tutorials' layout: an origin callback over a list from a third module
OPTIONS_CALLBACK_CJS = """const allowedOrigins = require('./allowedOrigins');

const corsOptions = {
  origin: (origin, callback) => {
    if (allowedOrigins.indexOf(origin) !== -1 || !origin) {
      callback(null, true);
    } else {
      callback(new Error('Not allowed by CORS'));
    }
  },
  credentials: true,
};

module.exports = corsOptions;
"""


def project(tmp_path: Path, files: dict[str, str]) -> Path:
    write(tmp_path / "package.json", json.dumps({"dependencies": {"express": "^4.21.0", "cors": "^2.8.5"}}))
    for name, text in files.items():
        write(tmp_path / name, text)
    return tmp_path


def codes(out: str) -> list[tuple[str, str]]:
    """(file:line, code) of every finding printed."""
    found = []
    for line in out.splitlines():
        parts = line.split(": ", 1)
        if len(parts) == 2 and parts[1].startswith("CORS"):
            found.append((parts[0], parts[1].split()[0]))
    return found


def test_options_module_followed_from_the_app(tmp_path):
    root = project(tmp_path, {"app.js": APP_CJS, "config/corsOptions.js": OPTIONS_CJS})
    result = corslint("app.js", cwd=root)
    assert result.returncode == 1, result.stdout + result.stderr
    assert ("config/corsOptions.js:2", "CORS205") in codes(result.stdout)
    assert "in 2 files" in result.stdout


def test_options_module_followed_in_a_folder_walk_and_reported_once(tmp_path):
    root = project(tmp_path, {"app.js": APP_CJS, "config/corsOptions.js": OPTIONS_CJS})
    result = corslint(".", cwd=root)
    assert result.returncode == 1, result.stdout + result.stderr
    found = codes(result.stdout)
    assert found.count(("config/corsOptions.js:2", "CORS205")) == 1
    assert "judged as passed to cors()" not in result.stdout    # linted in the app's context


def test_options_module_alone_is_judged_as_passed_to_cors(tmp_path):
    root = project(tmp_path, {"config/corsOptions.js": OPTIONS_CJS})
    result = corslint("config/corsOptions.js", cwd=root)
    assert result.returncode == 1, result.stdout + result.stderr
    assert ("config/corsOptions.js:2", "CORS205") in codes(result.stdout)
    assert "judged as passed to cors()" in result.stdout
    walked = corslint(".", cwd=root)
    assert ("config/corsOptions.js:2", "CORS205") in codes(walked.stdout)


def test_origin_list_from_a_third_module_reflected_with_credentials(tmp_path):
    root = project(tmp_path, {"app.js": APP_CJS, "config/corsOptions.js": OPTIONS_CALLBACK_CJS,
                              "config/allowedOrigins.js": ALLOWED_CJS})
    result = corslint("app.js", cwd=root)
    # the callback admits the list's http:// origin with credentials: found through two imports
    assert "http://intranet.example.com" in result.stdout, result.stdout + result.stderr
    assert "in 3 files" in result.stdout
    assert ("config/allowedOrigins.js:3", "CORS206") in codes(result.stdout) or \
        ("config/corsOptions.js:4", "CORS206") in codes(result.stdout)


def test_reflect_any_with_credentials_in_an_esm_options_module(tmp_path):
    root = project(tmp_path, {
        "app.mjs": "import express from 'express';\nimport cors from 'cors';\n"
                   "import corsOptions from './config/corsOptions.js';\n\n"
                   "const app = express();\napp.use(cors(corsOptions));\n"
                   "app.get('/api/me', (req, res) => res.json({}));\n",
        "config/corsOptions.js": "export default {\n  origin: (origin, cb) => cb(null, true),\n"
                                 "  credentials: true,\n};\n"})
    result = corslint("app.mjs", cwd=root)
    assert result.returncode == 1, result.stdout + result.stderr
    assert any(where.startswith("config/corsOptions.js:") for where, _code in codes(result.stdout))


def test_named_import_of_typescript_options_without_extension(tmp_path):
    root = project(tmp_path, {
        "src/app.ts": "import express from 'express';\nimport cors from 'cors';\n"
                      "import { corsOptions } from './config/cors';\n\n"
                      "const app = express();\napp.use(cors(corsOptions));\n"
                      "app.get('/api/me', (req, res) => res.json({}));\n",
        "src/config/cors/index.ts": "import { CorsOptions } from 'cors';\n\n"
                                    "export const corsOptions: CorsOptions = {\n"
                                    "  origin: /example\\.com$/,\n  credentials: true,\n};\n"})
    result = corslint("src/app.ts", cwd=root)
    assert ("src/config/cors/index.ts:4", "CORS205") in codes(result.stdout), result.stdout + result.stderr


def test_destructured_require_and_module_exports_property(tmp_path):
    root = project(tmp_path, {
        "app.js": APP_CJS.replace("const corsOptions = require('./config/corsOptions');",
                                  "const { corsOptions } = require('./config/corsOptions');"),
        "config/corsOptions.js": "exports.corsOptions = {\n  origin: /example\\.com$/,\n  credentials: true,\n};\n"})
    result = corslint("app.js", cwd=root)
    assert ("config/corsOptions.js:2", "CORS205") in codes(result.stdout), result.stdout + result.stderr


def test_package_require_stays_unknown_fp(tmp_path):
    """A package's options are not followed: no confident finding, no notice, exit 0."""
    root = project(tmp_path, {"app.js": APP_CJS.replace("'./config/corsOptions'", "'@acme/cors-options'")})
    result = corslint("app.js", cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "CORS" not in result.stdout


def test_missing_options_module_is_a_notice_at_the_require(tmp_path):
    root = project(tmp_path, {"app.js": APP_CJS})
    result = corslint("app.js", cwd=root)
    out = result.stdout + result.stderr
    assert "No problems found" not in out or "app.js" in out
    assert "app.js:3: note: require('./config/corsOptions'): not followed: no such module" in out
    assert "CORS205" not in out


def test_options_module_through_a_link_out_of_the_root_is_refused(tmp_path):
    outside = write(tmp_path / "elsewhere" / "corsOptions.js", OPTIONS_CJS)
    root = project(tmp_path / "repo", {"app.js": APP_CJS})
    (root / "config").mkdir()
    os.symlink(outside, root / "config" / "corsOptions.js")
    result = corslint("app.js", cwd=root)
    out = result.stdout + result.stderr
    assert "app.js:3: note: require('./config/corsOptions'): not followed" in out
    assert "outside the configuration root" in out
    assert "CORS205" not in out


def test_cycle_and_depth_are_bounded(tmp_path):
    files = {"app.js": APP_CJS,
             "config/corsOptions.js": "const a = require('./a');\nmodule.exports = { origin: a, credentials: true };\n",
             "config/a.js": "module.exports = require('./b');\n",
             "config/b.js": "module.exports = require('./a');\n"}
    result = corslint("app.js", cwd=project(tmp_path, files))
    out = result.stdout + result.stderr
    assert "Traceback" not in out
    assert "cycle" in out


def test_ordinary_modules_are_not_claimed_fp(tmp_path):
    root = project(tmp_path, {
        "config/settings.js": "module.exports = {\n  port: 3000,\n  origin: 'https://app.example.com',\n};\n",
        "socket.js": "const { Server } = require('socket.io');\nmodule.exports = (server) => new Server(server, {\n"
                     "  cors: {\n    origin: ['https://app.example.com'],\n    methods: ['GET'],\n  },\n});\n",
        "lib/util.js": "export const add = (a, b) => a + b;\n"})
    walked = corslint(".", cwd=root)
    assert walked.returncode == 0, walked.stdout + walked.stderr
    assert "in 0 files" in walked.stdout
    alone = corslint("config/settings.js", cwd=root)
    assert "skipped: no CORS configuration here" in alone.stdout


def test_good_options_module_fp(tmp_path):
    root = project(tmp_path, {"app.js": APP_CJS, "config/corsOptions.js":
                              "module.exports = {\n  origin: ['https://app.example.com'],\n  credentials: true,\n};\n"})
    for target in ("app.js", ".", "config/corsOptions.js"):
        result = corslint(target, cwd=root)
        assert result.returncode == 0, (target, result.stdout + result.stderr)


# -- Python settings packages ----------------------------------------------------------------------

SETTINGS_BASE = """INSTALLED_APPS = ["django.contrib.contenttypes", "corsheaders"]
MIDDLEWARE = [
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
]
"""


def test_django_settings_import_origins_from_a_sibling_module(tmp_path):
    write(tmp_path / "core/settings/__init__.py", "")
    write(tmp_path / "core/settings/cors.py", 'CORS_ALLOWED_ORIGINS = [\n    "https://app.example.com",\n'
                                              '    "http://intranet.example.com",\n]\n')
    write(tmp_path / "core/settings/base.py", SETTINGS_BASE + "from .cors import CORS_ALLOWED_ORIGINS\n"
                                              "CORS_ALLOW_CREDENTIALS = True\n")
    result = corslint("core/settings/base.py", cwd=tmp_path)
    assert ("core/settings/cors.py:3", "CORS206") in codes(result.stdout), result.stdout + result.stderr
    walked = corslint(".", cwd=tmp_path)
    assert codes(walked.stdout).count(("core/settings/cors.py:3", "CORS206")) == 1, walked.stdout


def test_django_star_imports_combine_and_the_importer_overrides(tmp_path):
    write(tmp_path / "core/settings/__init__.py", "")
    write(tmp_path / "core/settings/base.py", SETTINGS_BASE)
    write(tmp_path / "core/settings/cors.py", "CORS_ALLOW_ALL_ORIGINS = True\nCORS_ALLOW_CREDENTIALS = True\n")
    write(tmp_path / "core/settings/local.py", "from .base import *\nfrom .cors import *\n")
    write(tmp_path / "core/settings/production.py", "from .base import *\nfrom .cors import *\n\n"
                                                    "CORS_ALLOW_ALL_ORIGINS = False\n"
                                                    "CORS_ALLOWED_ORIGINS = ['https://app.example.com']\n")
    local = corslint("core/settings/local.py", cwd=tmp_path)
    assert ("core/settings/cors.py:1", "CORS202") in codes(local.stdout), local.stdout + local.stderr
    production = corslint("core/settings/production.py", cwd=tmp_path)
    assert production.returncode == 0, production.stdout + production.stderr


def test_django_split_settings_include(tmp_path):
    write(tmp_path / "server/settings/__init__.py",
          'from split_settings.tools import include\n\ninclude(\n    "components/common.py",\n'
          '    "components/cors.py",\n)\n')
    write(tmp_path / "server/settings/components/__init__.py", "")
    write(tmp_path / "server/settings/components/common.py", SETTINGS_BASE)
    write(tmp_path / "server/settings/components/cors.py",
          "CORS_ALLOW_ALL_ORIGINS = True\nCORS_ALLOW_CREDENTIALS = True\n")
    result = corslint("server/settings/", cwd=tmp_path)
    assert codes(result.stdout) == [("server/settings/components/cors.py:1", "CORS202")], result.stdout
    assert "in 3 files" in result.stdout


def test_missing_settings_module_is_a_notice_and_leaves_settings_unknown(tmp_path):
    write(tmp_path / "core/settings/__init__.py", "")
    write(tmp_path / "core/settings/base.py", SETTINGS_BASE + "from .cors import *\nCORS_ALLOW_CREDENTIALS = True\n")
    result = corslint("core/settings/base.py", cwd=tmp_path)
    out = result.stdout + result.stderr
    assert "core/settings/base.py:6: note: from .cors import *: not followed: no such module" in out
    assert "CORS2" not in out


def test_environment_values_are_unknown_not_their_default_fp(tmp_path):
    """django-environ's env.list(default=...) and os.environ.get(..., default).split(','):
    the deployment decides, so no confident finding on the default."""
    write(tmp_path / "settings.py", SETTINGS_BASE + 'import os\nimport environ\nenv = environ.Env()\n'
          'CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=["http://localhost:3000"])\n'
          'CORS_ALLOWED_ORIGIN_REGEXES = os.environ.get("CORS_REGEXES", r"^https://.*example\\.com$").split(",")\n'
          'CORS_ALLOW_CREDENTIALS = True\n')
    result = corslint("settings.py", cwd=tmp_path)
    assert "CORS206" not in result.stdout and "CORS205" not in result.stdout, result.stdout
    assert "Traceback" not in result.stderr


def test_flask_origins_from_a_config_class_of_the_package(tmp_path):
    write(tmp_path / "app/__init__.py", "")
    write(tmp_path / "app/config.py", "INTRANET = 'http://intranet.example.com'\n\n\n"
                                      "class Config:\n    DEBUG = False\n\n\nclass ProdConfig(Config):\n"
                                      "    ORIGINS = ['https://app.example.com', INTRANET]\n")
    write(tmp_path / "app/main.py", "from flask import Flask\nfrom flask_cors import CORS\n"
                                    "from .config import ProdConfig\n\napp = Flask(__name__)\n"
                                    "CORS(app, origins=ProdConfig.ORIGINS, supports_credentials=True)\n\n\n"
                                    "@app.route('/api/me')\ndef me():\n    return {}\n")
    result = corslint("app/main.py", cwd=tmp_path)
    assert "CORS206" in result.stdout and "http://intranet.example.com" in result.stdout, result.stdout + result.stderr
    assert "in 2 files" in result.stdout


def test_flask_origins_from_the_environment_stay_unknown_fp(tmp_path):
    """04mg/flask-api-boilerplate's layout: os.getenv('CORS_ORIGINS', '').split(',') in a Config class."""
    write(tmp_path / "app/__init__.py", "")
    write(tmp_path / "app/config.py", "import os\n\n\nclass Config:\n    CORS_ORIGINS = "
                                      "os.getenv('CORS_ORIGINS', 'http://localhost:3000').split(',')\n")
    write(tmp_path / "app/main.py", "from flask import Flask\nfrom flask_cors import CORS\n"
                                    "from .config import Config\n\napp = Flask(__name__)\n"
                                    "CORS(app, origins=Config.CORS_ORIGINS, supports_credentials=True)\n")
    result = corslint("app/main.py", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_specifiers_resolve_as_node_require_does(tmp_path):
    """The files node 20's require.resolve picked for this layout (checked by hand)."""
    from corslint.code.jsmodules import Graph

    write(tmp_path / "config/corsOptions.js", "module.exports = {};\n")
    write(tmp_path / "config/cors/index.js", "module.exports = {};\n")
    write(tmp_path / "lib/package.json", '{"main": "m.js"}')
    write(tmp_path / "lib/m.js", "module.exports = {};\n")
    write(tmp_path / "lib/index.js", "module.exports = {};\n")
    write(tmp_path / "o.json", '["https://app.example.com"]')
    write(tmp_path / "ts/opts.ts", "export default {};\n")
    graph = Graph(str(tmp_path))
    app = str(tmp_path / "app.js")
    expected = {"./config/corsOptions": "config/corsOptions.js", "./config/cors": "config/cors/index.js",
                "./lib": "lib/m.js", "./o": "o.json", "./missing": None}
    for spec, want in expected.items():
        found = graph._resolve(app, spec)
        assert (os.path.relpath(found, tmp_path) if found else None) == want, spec
    assert graph._resolve(str(tmp_path / "app.ts"), "./ts/opts.js") == str(tmp_path / "ts/opts.ts")


def test_split_settings_include_outside_the_root_is_not_globbed(tmp_path):
    write(tmp_path / "settings/__init__.py", 'from split_settings.tools import include\n\n'
                                             'include("/*/*/*.py", "../../*.py")\nCORS_ALLOW_ALL_ORIGINS = True\n')
    result = corslint("settings/__init__.py", cwd=tmp_path)
    out = result.stdout + result.stderr
    assert "include('/*/*/*.py'): not followed: it names files outside the configuration root" in out
    assert "include('../../*.py'): not followed" in out


def test_options_sniff_claims_the_field_options_modules_and_no_other_corpus_file():
    """The recognition of an options module linted alone, on real files: the
    field corpus's three `config/corsOptions.js` are claimed; no JavaScript file
    of the shared corpus or the samples that does not use cors itself is."""
    from corpus_files import REPO, require_corpus

    from corslint.apps.express.sniff import looks_like_app, uses_cors

    corpus = require_corpus()
    field = corpus.parent / "field"
    claimed = []
    for base in (corpus, field, REPO / "samples"):
        for path in sorted(base.rglob("*")):
            if path.suffix in (".js", ".mjs", ".cjs", ".ts") and path.is_file():
                head = path.read_bytes()[:1 << 20]
                if looks_like_app(head) and not uses_cors(head):
                    claimed.append(str(path.relative_to(base.parent)))
    assert sorted(claimed) == sorted(f"field/{repo}/config/corsOptions.js" for repo in (
        "AbdellahEdaoudi__Server-Chat-Application", "Abiodun-Samuel__shopfair-backend",
        "AldoHub__Node-JWT-Refresh-Token-Rotation"))


#: the field corpus's application repositories (class 5), linted with the manifest's
#: command: (folder, command, findings as (file:line, code)); judged against the frameworks:
#: - AbdellahEdaoudi: cors 2.8 with an origin array and credentials: true reflects the LAN
#:   origin http://192.168.1.106:3000 with credentials (CORS206, true; the loopback
#:   http://localhost:3000 listed first is potentially trustworthy and not reported);
#: - melax08: django-cors-headers with CORS_ALLOW_ALL_ORIGINS and CORS_ALLOW_CREDENTIALS
#:   sends the request's origin back with credentials (CORS202, true), found in the
#:   split-settings package whose __init__.py include()s components/cors.py;
#: - luizlimads: CORS_ALLOW_ALL_ORIGINS without credentials is '*' (local), production's
#:   origins come from the environment (unknown): no finding;
#: - 04mg: flask-cors origins from the environment (unknown): no finding;
#: - riad-azz: app/extensions/cors.py's `CORS(resources={r"/api/*": {"origins": "*"}})`,
#:   applied by the factory's `cors.init_app(app)` (judged as applied), reflects any
#:   origin on /api/* without credentials, as flask-cors' default does (CORS203, true).
FIELD_APPS = [
    ("AbdellahEdaoudi__Server-Chat-Application", "index.js", [("config/corsOptions.js:6", "CORS206")]),
    ("melax08__pet_alert", "server/settings/", [("server/settings/components/cors.py:1", "CORS202")]),
    ("luizlimads__mvcore_back", "core/settings/", []),
    ("04mg__flask-api-boilerplate", "app/", []),
    ("riad-azz__flask-template", "app/", [("app/extensions/cors.py:5", "CORS203")]),
]


def test_field_application_modules():
    from corpus_files import require_corpus

    field = require_corpus().parent / "field"
    for folder, target, expected in FIELD_APPS:
        result = corslint(target, cwd=field / folder)
        assert codes(result.stdout) == expected, (folder, result.stdout + result.stderr)
        assert "Traceback" not in result.stderr and result.returncode in (0, 1), (folder, result.stderr)


def test_starlette_origins_from_a_settings_module(tmp_path):
    write(tmp_path / "api/__init__.py", "")
    write(tmp_path / "api/settings.py", "ORIGINS = [\n    'https://app.example.com',\n"
                                        "    'http://intranet.example.com',\n]\n")
    write(tmp_path / "api/main.py", "from fastapi import FastAPI\nfrom fastapi.middleware.cors import CORSMiddleware\n"
                                    "from .settings import ORIGINS\n\napp = FastAPI()\n"
                                    "app.add_middleware(CORSMiddleware, allow_origins=ORIGINS, allow_credentials=True)\n\n"
                                    "\n@app.get('/api/me')\ndef me():\n    return {}\n")
    result = corslint("api/main.py", cwd=tmp_path)
    assert "CORS206" in result.stdout and "http://intranet.example.com" in result.stdout, result.stdout + result.stderr
    assert "in 2 files" in result.stdout
