"""Inputs of N items in every format whose cost grows with a count of
things rather than with lines: Apache virtual hosts, Flask and Express
routes, Ingress host rules, Traefik routers, and one nginx location holding
N CORS header lines.

Each item carries CORS configuration of its own (or sits under one that
applies to all), so the rules really probe every one: a corpus of items
that no probe looks at would measure only the reader.  The scaling
benchmark (bench_scaling.py) times 1k against 4k items; the attack tests
(tests/attacks/test_attack_linear.py) run the larger sizes under a time
limit.  Every generator is deterministic: item i is named after i.
"""

from __future__ import annotations

#: file name a corpus is written under, by kind (what corslint classifies it by)
FILE_NAMES = {
    "apache": "httpd.conf",
    "flask": "app.py",
    "express": "app.js",
    "ingress": "ingress.yaml",
    "traefik": "traefik.toml",
    "nginx-headers": "nginx.conf",
}


def apache_vhosts(count: int) -> str:
    """`count` name-based virtual hosts, each echoing a SetEnvIf-checked
    Origin with credentials and proxying to its own backend."""
    out = ["Listen 80", "LoadModule headers_module modules/mod_headers.so", ""]
    for i in range(count):
        out += [
            "<VirtualHost *:80>",
            f"    ServerName site{i}.example.com",
            f'    SetEnvIf Origin "^(https://app{i}\\.example\\.com)$" CORS_ORIGIN=$1',
            '    Header always set Access-Control-Allow-Origin "%{CORS_ORIGIN}e" env=CORS_ORIGIN',
            '    Header always set Access-Control-Allow-Credentials "true" env=CORS_ORIGIN',
            "    Header always merge Vary Origin",
            f"    ProxyPass /api/ http://127.0.0.1:{8000 + i % 1000}/api/",
            "</VirtualHost>",
        ]
    return "\n".join(out) + "\n"


def flask_routes(count: int) -> str:
    """A Flask app with flask-cors on /api/* and `count` routes under it."""
    out = [
        "from flask import Flask, jsonify",
        "from flask_cors import CORS",
        "",
        "app = Flask(__name__)",
        'CORS(app, resources={r"/api/*": {"origins": ["https://app.example.com"], '
        '"supports_credentials": True}})',
        "",
    ]
    for i in range(count):
        out += [
            "",
            f'@app.route("/api/items{i}/<int:item_id>", methods=["GET", "PUT", "DELETE"])',
            f"def item{i}(item_id):",
            "    return jsonify(id=item_id)",
            "",
        ]
    return "\n".join(out) + "\n"


def express_routes(count: int) -> str:
    """An Express app with the cors middleware and `count` routes."""
    out = [
        "const express = require('express');",
        "const cors = require('cors');",
        "",
        "const app = express();",
        "app.use(cors({ origin: ['https://app.example.com'], credentials: true }));",
        "",
    ]
    for i in range(count):
        out.append(f"app.put('/api/items{i}/:id', (req, res) => res.json({{ id: req.params.id }}));")
    out += ["", "app.listen(3000);"]
    return "\n".join(out) + "\n"


def ingress_hosts(count: int) -> str:
    """One ingress-nginx Ingress with CORS annotations and `count` host rules."""
    out = [
        "apiVersion: networking.k8s.io/v1",
        "kind: Ingress",
        "metadata:",
        "  name: many-hosts",
        "  annotations:",
        '    nginx.ingress.kubernetes.io/enable-cors: "true"',
        '    nginx.ingress.kubernetes.io/cors-allow-origin: "https://app.example.com"',
        '    nginx.ingress.kubernetes.io/cors-allow-credentials: "true"',
        "spec:",
        "  rules:",
    ]
    for i in range(count):
        out += [
            f"    - host: site{i}.example.com",
            "      http:",
            "        paths:",
            "          - path: /api",
            "            pathType: Prefix",
            "            backend:",
            "              service:",
            f"                name: svc{i}",
            "                port:",
            "                  number: 80",
        ]
    return "\n".join(out) + "\n"


def traefik_routers(count: int) -> str:
    """A Traefik file-provider TOML: one CORS headers middleware and
    `count` routers using it, written with dotted keys."""
    out = [
        "[http.middlewares.cors.headers]",
        'accessControlAllowOriginList = ["https://app.example.com"]',
        'accessControlAllowMethods = ["GET", "PUT"]',
        'accessControlAllowHeaders = ["Content-Type"]',
        "addVaryHeader = true",
        "",
        "[http.routers]",
    ]
    for i in range(count):
        out += [
            f'r{i}.rule = "Host(`site{i}.example.com`)"',
            f'r{i}.service = "svc{i}"',
            f'r{i}.middlewares = ["cors"]',
        ]
    return "\n".join(out) + "\n"


def nginx_header_lines(count: int) -> str:
    """One nginx location with `count` Allow-Origin add_header lines (each
    one a duplicate of the others)."""
    out = ["events {}", "http {", "  server {", "    listen 80;", "    server_name a.example.com;",
           "    location /api/ {"]
    out += [f'      add_header Access-Control-Allow-Origin "https://app{i}.example.com" always;'
            for i in range(count)]
    out += ["      proxy_pass http://127.0.0.1:8000;", "    }", "  }", "}"]
    return "\n".join(out) + "\n"


GENERATORS = {
    "apache": apache_vhosts,
    "flask": flask_routes,
    "express": express_routes,
    "ingress": ingress_hosts,
    "traefik": traefik_routers,
    "nginx-headers": nginx_header_lines,
}


def write(folder, kind: str, count: int):
    """Write the `kind` corpus of `count` items into `folder` (a Path,
    created if missing) and return the file's path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / FILE_NAMES[kind]
    path.write_text(GENERATORS[kind](count))
    return path
