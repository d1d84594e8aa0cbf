"""CORS206 and loopback origins: `http://localhost`, 127.0.0.0/8 and `[::1]`
are potentially trustworthy (W3C Secure Contexts §3.1), so only the other
http:// origins of a list are reported, each on its own line."""

from __future__ import annotations

from support import api_server, corslint, write

CREDENTIALS = "add_header Access-Control-Allow-Credentials true always;"


def _express(tmp_path, origins: list[str]) -> str:
    entries = "".join(f"  '{o}',\n" for o in origins)
    write(tmp_path / "app.js", "const express = require('express');\nconst cors = require('cors');\n"
                               "const app = express();\n"
                               f"const origins = [\n{entries}];\n"
                               "app.use(cors({ origin: origins, credentials: true }));\n"
                               "app.get('/api/x', (req, res) => res.json([]));\n")
    write(tmp_path / "package.json", '{"dependencies": {"express": "^4.21.0", "cors": "^2.8.5"}}')
    result = corslint("app.js", cwd=tmp_path)
    assert "Traceback" not in result.stderr
    return result.stdout


def test_lan_origin_after_loopback_is_reported(tmp_path):
    out = _express(tmp_path, ["http://localhost:3000", "https://app.example.com", "http://192.168.1.106:3000"])
    assert "app.js:7: CORS206" in out and "http://192.168.1.106:3000" in out
    assert "http://localhost:3000 is trusted" not in out


def test_every_insecure_origin_of_a_list_is_reported(tmp_path):
    out = _express(tmp_path, ["http://a.example.com", "http://b.example.com"])
    assert "app.js:5: CORS206" in out and "app.js:6: CORS206" in out


def test_loopback_origins_only_fp(tmp_path):
    out = _express(tmp_path, ["http://localhost:3000", "http://127.0.0.1:5173", "https://app.example.com"])
    assert "CORS206" not in out


def test_nginx_loopback_origin_fp(tmp_path):
    write(tmp_path / "api.conf", api_server('add_header Access-Control-Allow-Origin "http://localhost:3000" always;',
                                            CREDENTIALS, "add_header Vary Origin always;", 'return 200 "ok";'))
    result = corslint("api.conf", cwd=tmp_path)
    assert "CORS206" not in result.stdout, result.stdout


def test_nginx_lan_origin_fires(tmp_path):
    write(tmp_path / "api.conf", api_server('add_header Access-Control-Allow-Origin "http://10.0.0.5:3000" always;',
                                            CREDENTIALS, "add_header Vary Origin always;", 'return 200 "ok";'))
    result = corslint("api.conf", cwd=tmp_path)
    assert "api.conf:5: CORS206" in result.stdout, result.stdout
