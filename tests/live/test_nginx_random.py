"""Acceptance: the model's answers equal real nginx's for generated configs.

A seeded generator writes one ``server`` block per seed (server_name
``cN.test``) out of the constructs CORS configs are made of: prefix, ``=``,
``^~``, regex and nested locations, named locations, ``if`` on the method
and on ``$http_origin`` (with ``set`` and with ``add_header``), ``map`` on
``$http_origin`` (exact, ``~``, ``~*``, ``default``, empty values),
``limit_except`` with ``deny`` or basic auth, ``auth_basic``, ``allow``/
``deny``, ``add_header`` at server/location/``if`` level with and without
``always``, ``more_set_headers``/``more_clear_headers`` (with ``-s``),
``proxy_pass`` to a test backend that sends its own Access-Control-Allow-
Origin and Vary (status 200 or 500), ``proxy_hide_header`` at server and
location level, ``proxy_intercept_errors``, ``return`` and ``rewrite``
redirects, static files (present and missing) with ``root``/``alias``/
``try_files``/``index``, ``error_page`` (URIs, named locations, ``=code``),
and now and then ``gzip_vary``; a quarter of the proxying configs have their
backend down (a closed port) and an ``error_page`` for the 502; ``if`` on
``$http_user_agent`` (and ``$http_sec_fetch_mode``) at server and location
level: bans of empty or bot User-Agents, CORS lines for browsers only;
``geo`` on the client address with ``if`` on its variable.  A location may
test a variable its server never sets (``if ($cN_flag0 = "on")``...): nginx
gets the value from an http-level ``map`` the model does not read
(``OUTSIDE``, as a site's includer would set it), so the model holds it
unknown; the value must be one of those the model explores
(``corslint.nginx.unknowns``), and the model's answers assuming it must equal
nginx's.

``BATCH`` configs share one nginx (distinct server names, per-config map and
variable names), so the suite starts few nginx processes.  Per config, 1-3
paths get a preflight (OPTIONS + Access-Control-Request-Method PUT +
Access-Control-Request-Headers content-type) and a GET from a trusted
origin, ``https://evil.example`` and ``null``; status and the ordered values
of every ``access-control-*`` and ``vary`` header predicted by
``corslint.simulate`` must equal nginx's.  Any difference is a model bug.

Nothing else here is unknowable to the model: the client address is 127.0.0.1
(given), files are looked up on disk (``FileOracle(on_disk=True)``), and
the backend's answer is described to it exactly.  Requests carry
Chromium's own headers (``corslint.fetchheaders``); a config with
User-Agent conditions is also asked with an empty User-Agent and curl's.
The backend learns which config a request came from, and the client's
method, through
``proxy_set_header`` at http level (never overridden below), so its answer
depends on the config and the client's method only.
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass, field

import pytest
from corslint.backend import UNREACHABLE_UPSTREAM
from corslint.backend import Upstream as ModelUpstream
from corslint.nginx.model import load
from corslint.nginx.unknowns import outside

from .model_compare import HOSTILE, NULL, OTHER_CLIENT_ADDR, OTHER_CLIENTS, differences
from .nginx_harness import NginxError, NginxServer, Upstream, require_nginx
from .server_process import Batches

pytestmark = pytest.mark.live

#: configs in the suite; CORSLINT_RANDOM_CONFIGS / CORSLINT_RANDOM_FIRST widen or move the window
#: for a longer fuzzing run (the seeds are stable, so a failing seed can be rerun alone)
CONFIGS = int(os.environ.get("CORSLINT_RANDOM_CONFIGS", "240"))
FIRST = int(os.environ.get("CORSLINT_RANDOM_FIRST", "0"))
BATCH = 20
SEEDS = range(FIRST, FIRST + CONFIGS)

TRUSTED = "https://app.example.com"
TRUSTED_SUB = "https://eu.trusted.example"
ORIGIN_REGEX = r"^https://(app|admin)\.example\.com$"
BACKEND_ORIGIN = "https://backend.example"
#: marks the lines that set a variable outside the files the model reads
OUTSIDE = "# set outside the model's files"
#: where a config whose backend is down proxies to (upstream.CLOSED_PORT)
CLOSED_BACKEND = Upstream.closed().address

FILES = {
    "index.html": b"<!doctype html><title>index of the test site</title>\n",
    "a.txt": b"plain text file for the live test, long enough to compress\n",
    "small.txt": b"tiny\n",
    "data.json": b'{"items": [1, 2, 3], "note": "json file for the live test"}\n',
    "dir/index.html": b"<!doctype html><title>dir index</title>\n",
    "noindex/x.txt": b"x\n",
    "assets/app.js": b"console.log('asset served by the live test');\n",
    "img/a.jpg": b"\xff\xd8\xff\xe0 not really a jpeg but long enough\n",
    "img/logo.PNG": b"\x89PNG not really a png but long enough for gzip\n",
    "files/a.txt": b"aliased file for the live test, long enough to compress\n",
    "v1/index.html": b"<!doctype html><title>v1</title>\n",
    "v1/r.csv": b"a,b,c\n1,2,3\n",
    "v1/admin/index.html": b"<!doctype html><title>admin</title>\n",
    "404.html": b"<!doctype html><title>custom not found page</title>\n",
    "50x.html": b"<!doctype html><title>custom server error page</title>\n",
    "exact": b"the exact file\n",
}


# ----------------------------------------------------------------------------- generator


@dataclass
class Backend:
    """What the test backend answers for one config: per method."""

    get_status: int
    options_status: int
    headers: list[tuple[str, str]]
    #: the config's proxies go to a closed port (see Gen.maybe_down)
    down: bool = False

    def answer(self, method: str) -> tuple[int, list[tuple[str, str]], bytes]:
        status = self.options_status if method == "OPTIONS" else self.get_status
        body = b"" if status in (204, 304) else b'{"backend": "answer body for the live test"}'
        headers = list(self.headers)
        if status not in (204, 304):
            headers.append(("Content-Type", "application/json"))
            headers.append(("Content-Length", str(len(body))))
        return status, headers, body


@dataclass
class Config:
    seed: int
    host: str
    maps: list[str] = field(default_factory=list)
    server: str = ""
    paths: list[str] = field(default_factory=list)
    trusted: str = TRUSTED
    backend: Backend | None = None
    #: variables set outside the model's files -> the value nginx gets
    outside: dict[str, str] = field(default_factory=dict)
    #: the config has `if ($http_user_agent ...)`: also compared for clients
    #: that are not Chromium (OTHER_CLIENTS)
    reads_user_agent: bool = False
    #: the config has a `geo` block: also asked from OTHER_CLIENT_ADDR
    has_geo: bool = False


class Gen:
    """One random server block; everything named after the seed."""

    def __init__(self, seed: int):
        self.seed = seed
        self.r = random.Random(seed * 7919 + 17)
        #: User-Agent conditions draw from a stream of their own, so adding
        #: them left every other construct of a seed as it was
        self.ua = random.Random(seed * 7919 + 29)
        self.reads_user_agent = False
        #: a `geo` block on the client address, from a stream of its own too
        self.geo = random.Random(seed * 7919 + 31)
        self.has_geo = False
        self.p = f"c{seed}"
        self.host = f"{self.p}.test"
        self.maps: list[str] = []
        self.named: dict[str, list[str]] = {}   # named locations to define
        self.exact_internal: dict[str, list[str]] = {}   # `location = /404.html { internal; ... }`
        self.extra: dict[str, list[str]] = {}   # further locations: "modifier pattern" -> body
        self.origin_vars: list[str] = ["$http_origin"]
        self.has_map = False
        self.server_cors_var = False
        self.proxied = False
        self.paths: list[str] = []
        self.trusted = TRUSTED
        #: its own stream, so the configs of the other seeds stay what they were
        self.ru = random.Random(seed * 104729 + 3)   # (maybe_down draws from + 7)
        self.outside: dict[str, str] = {}

    # -- small pieces ---------------------------------------------------------
    def chance(self, p: float) -> bool:
        return self.r.random() < p

    def always(self) -> str:
        return " always" if self.chance(0.5) else ""

    def acao_value(self) -> str:
        choices = ['"*"', TRUSTED, "$http_origin"]
        if self.has_map:
            choices += [f"${self.p}_origin"] * 3
        if self.server_cors_var:
            choices += [f"${self.p}_cors"] * 2
        return self.r.choice(choices)

    def cors_lines(self, full: bool | None = None) -> list[str]:
        """add_header lines for a CORS answer (some may be missing or doubled)."""
        a = self.always
        lines = [f"add_header Access-Control-Allow-Origin {self.acao_value()}{a()};"]
        if full is None:
            full = self.chance(0.6)
        if self.chance(0.4):
            lines.append(f"add_header Access-Control-Allow-Credentials true{a()};")
        if full:
            lines.append(f'add_header Access-Control-Allow-Methods "GET, POST, PUT, OPTIONS"{a()};')
            lines.append(f'add_header Access-Control-Allow-Headers "Content-Type, Authorization"{a()};')
            if self.chance(0.3):
                lines.append(f"add_header Access-Control-Max-Age 600{a()};")
        if self.chance(0.5):
            lines.append(f"add_header Vary Origin{a()};")
        if self.chance(0.2):
            lines.append(f'add_header Access-Control-Expose-Headers "X-Total-Count"{a()};')
        if self.chance(0.15):   # a second Allow-Origin line (duplicates are kept in order)
            lines.append(f"add_header Access-Control-Allow-Origin https://second.example{a()};")
        if self.has_map and self.chance(0.2):   # a map fed by a map
            lines.append(f"add_header Access-Control-Allow-Credentials ${self.p}_creds{a()};")
        if self.has_map and self.chance(0.2):   # a map value that is often empty: the line is omitted
            lines.append(f"add_header X-Empty-Maybe ${self.p}_maybe{a()};")
            lines.append(f"add_header Access-Control-Allow-Private-Network ${self.p}_maybe{a()};")
        self.r.shuffle(lines)
        return lines

    def more_lines(self) -> list[str]:
        r = self.r
        out = []
        status = r.choice(["", "", "-s 200 ", '-s "200 204" ', "-s 404 ", "-t text/html ",
                           '-t "application/json text/plain" ', "-s 200 -t application/json "])
        pick = r.randrange(5)
        if pick == 0:
            value = r.choice([TRUSTED, "*"])
            out.append(f'more_set_headers {status}"Access-Control-Allow-Origin: {value}";')
        elif pick == 1:
            out.append(f'more_clear_headers {status}"Access-Control-Allow-Origin";')
        elif pick == 2:
            out.append(f'more_clear_headers {status}"Access-Control-*";')
        elif pick == 3:
            out.append(f'more_set_headers {status}"Vary: Origin" "Access-Control-Allow-Credentials: true";')
        else:
            out.append(f"more_clear_headers {status}Vary;")
        return out

    def preflight_if(self) -> list[str]:
        inner = self.cors_lines(full=True) if self.chance(0.6) else []
        if self.chance(0.15):
            inner += self.more_lines()
        code = self.r.choice(["204", "204", "200", '200 "preflight ok"'])
        return ["if ($request_method = OPTIONS) {", *[f"    {x}" for x in inner], f"    return {code};", "}"]

    def origin_if(self) -> list[str]:
        r = self.r
        op, pattern = r.choice([
            ("~*", f'"{ORIGIN_REGEX}"'),
            ("~", r'"^https://[a-z]+\.trusted\.example$"'),
            ("=", TRUSTED),
            ("~*", r'"^https://.*example\.com$"'),
            ("!~*", f'"{ORIGIN_REGEX}"'),
            ("!=", TRUSTED),
            ("", ""),   # `if ($http_origin)`: any Origin at all
        ])
        if "trusted" in pattern:
            self.trusted = TRUSTED_SUB
        condition = f"$http_origin {op} {pattern}" if op else "$http_origin"
        if op.startswith("!") and self.chance(0.5):   # refuse foreign origins outright
            return [f"if ({condition}) {{", f"    return {r.choice(['403', '204', '400'])};", "}"]
        if self.chance(0.5):
            self.server_cors_var = True
            return [f"if ({condition}) {{", f"    set ${self.p}_cors $http_origin;", "}"]
        return [f"if ({condition}) {{",
                *[f"    {x}" for x in self.cors_lines(full=False)], "}"]

    def outside_if(self, location: list[str]) -> list[str]:
        """Now and then an `if` first in the location on a variable set
        outside the model's files, with the value nginx gets (or empty)."""
        ru = self.ru
        if ru.random() >= 0.3:
            return location
        name = f"{self.p}_flag{len(self.outside)}"
        test, value = ru.choice([(f'${name} = "on"', "on"), (f'${name} != "off"', "off"), (f"${name}", "1"),
                                 (f'${name} ~* "^(on|true)$"', "on")])
        self.outside[name] = value if ru.random() < 0.5 else ""
        inner = ru.choice([["add_header Access-Control-Allow-Origin $http_origin always;",
                            "add_header Access-Control-Allow-Credentials true always;"],
                           ["add_header Access-Control-Allow-Origin *;", "add_header Vary Origin always;"],
                           ["return 204;"], ["return 403;"]])
        return [location[0], f"    if ({test}) {{", *[f"        {x}" for x in inner], "    }", *location[1:]]

    def user_agent_if(self, server_level: bool) -> list[str]:
        """An `if` on the User-Agent (Chromium's passes some, fails others):
        a ban of clients without one or of bots, or, in a location, CORS
        lines or the CORS variable for browsers only."""
        ua = self.ua
        self.reads_user_agent = True
        condition = ua.choice(['$http_user_agent = ""', '$http_user_agent ~* "(bot|curl|python)"',
                               '$http_user_agent !~ "Mozilla"', "$http_user_agent", '$http_user_agent ~ "Chrome/"',
                               '$http_sec_fetch_mode = "cors"'])
        refuse = condition.startswith("$http_user_agent =") or "bot" in condition or "!~" in condition
        if server_level or refuse:
            return [f"if ({condition}) {{", f"    return {ua.choice(['403', '403', '400'])};", "}"]
        if ua.random() < 0.5:
            self.server_cors_var = True
            return [f"if ({condition}) {{", f"    set ${self.p}_cors $http_origin;", "}"]
        return [f"if ({condition}) {{", *[f"    {x}" for x in self.cors_lines(full=False)], "}"]

    def geo_block(self) -> str:
        """`geo $cN_geo` on the client address (127.0.0.1 in this suite)."""
        geo = self.geo
        self.has_geo = True
        entries = ["    default " + geo.choice(["0", "1", '""']) + ";"]
        entries += geo.sample(["    127.0.0.1 1;", "    127.0.0.0/8 local;", "    10.0.0.0/8 0;",
                               "    127.0.0.1/32 0;", "    192.168.0.0/16 1;"], geo.randint(1, 3))
        return f"geo ${self.p}_geo {{\n" + "\n".join(entries) + "\n}"

    def geo_if(self) -> list[str]:
        geo = self.geo
        condition = geo.choice([f"${self.p}_geo = 0", f"${self.p}_geo", f"${self.p}_geo != 1",
                                f"${self.p}_geo = local"])
        if geo.random() < 0.6:
            return [f"if ({condition}) {{", f"    return {geo.choice(['403', '404', '204'])};", "}"]
        return [f"if ({condition}) {{", *[f"    {x}" for x in self.cors_lines(full=False)], "}"]

    def limit_except(self) -> list[str]:
        methods = self.r.choice(["GET", "GET POST", "GET POST OPTIONS", "GET OPTIONS", "POST"])
        if self.chance(0.5):
            body = ["deny all;"]
        elif self.chance(0.5):
            body = ['auth_basic "writes";', "auth_basic_user_file @@ROOT@@/htpasswd;"]
        else:
            body = ["allow 127.0.0.1;", "deny all;"]
        return [f"limit_except {methods} {{", *[f"    {x}" for x in body], "}"]

    def content(self, kind: str, prefix: str) -> list[str]:
        """The content part of a location: proxy, static, return or redirect."""
        r = self.r
        if kind == "proxy":
            self.proxied = True
            out = ["proxy_pass http://@@UPSTREAM@@;"]
            if self.chance(0.3):
                hidden = r.choice(["Access-Control-Allow-Origin", "Vary", "X-Other"])
                out.append(f"proxy_hide_header {hidden};")
            if self.chance(0.2):
                out.append("proxy_hide_header Access-Control-Allow-Credentials;")
            if self.chance(0.2):
                out.append("proxy_intercept_errors on;")
                out.append(r.choice(["error_page 500 /50x.html;", "error_page 500 =200 @fallback;",
                                     "error_page 500 502 = @fallback;"]))
                if "@fallback" in out[-1]:
                    self.named.setdefault("@fallback", [])
                else:
                    self.exact_internal.setdefault("/50x.html", [])
            return out
        if kind == "return":
            return [r.choice(['return 200 "ok from nginx";', "return 204;", "return 403;", "return 404;",
                              'return 200 "a body that is long enough to be compressed by gzip";',
                              "return 418;", "return 200;", "return 200 $http_origin;", "return 401;",
                              'return 404 "not here";', "return 500;"])]
        if kind == "redirect":
            return [r.choice(["return 301 https://other.example$request_uri;", "return 302 /index.html;",
                              f"rewrite ^{prefix}(.*)$ /index.html redirect;",
                              f"rewrite ^{prefix}(.*)$ https://other.example/$1 permanent;",
                              "return 307 /a.txt;"])]
        if kind == "rewrite":   # an internal rewrite into another location
            return [r.choice([f"rewrite ^{prefix}(.*)$ /a.txt last;", f"rewrite ^{prefix}(.*)$ /$1 break;",
                              "rewrite ^ /data.json last;"])]
        # static
        out = []
        pick = r.randrange(7)
        if pick == 1:
            out.append(r.choice(["try_files $uri =404;", "try_files $uri =403;"]))
        elif pick == 2:
            out.append("try_files $uri $uri/ /index.html;")
        elif pick == 3:
            self.named.setdefault("@fallback", [])
            out.append("try_files $uri @fallback;")
        elif pick == 4:
            out.append("try_files $uri $uri/ =404;")
        elif pick == 5:
            out.append(r.choice(["index missing.html index.html;", "index /a.txt;", "index missing.html;"]))
        elif pick == 6 and self.chance(0.5):
            out.append("try_files $uri $uri.json /data.json;")
        if self.chance(0.25):
            out.append(r.choice(["error_page 404 /404.html;", "error_page 404 = @fallback;",
                                 "error_page 405 =200 @preflight;", "error_page 404 =200 /a.txt;",
                                 "error_page 403 404 /404.html;",
                                 "error_page 404 @nowhere;",   # nginx -t accepts a missing one
                                 "error_page 404 =301 https://other.example/;",
                                 "error_page 404 https://other.example/missing;"]))
            if "@fallback" in out[-1]:
                self.named.setdefault("@fallback", [])
            elif "@preflight" in out[-1]:
                self.named.setdefault("@preflight", [])
            elif "404.html" in out[-1]:
                self.exact_internal.setdefault("/404.html", [])
        return out

    def location_body(self, prefix: str, kind: str, regex: bool = False) -> list[str]:
        r = self.r
        body: list[str] = []
        if self.chance(0.55):
            body += self.cors_lines()
        if self.chance(0.15):
            body.append(f"add_header X-Loc {self.p}{self.always()};")
        if self.chance(0.3):
            body += self.origin_if()
        if self.chance(0.4):
            body += self.preflight_if()
        if self.chance(0.1):
            body += self.preflight_if()   # a second if: the last matching one wins
        if self.chance(0.15):
            body += self.limit_except()
        access = r.random()   # at most one access setup per location (nginx refuses duplicates)
        if access < 0.1:
            body += ['auth_basic "site";', "auth_basic_user_file @@ROOT@@/htpasswd;"]
        elif access < 0.18:
            body += r.choice([["deny 10.0.0.0/8;", "allow all;"], ["allow 127.0.0.1;", "deny all;"],
                              ["deny all;"], ["satisfy any;", "allow 127.0.0.1;", "deny all;",
                                              'auth_basic "any";', "auth_basic_user_file @@ROOT@@/htpasswd;"]])
        if self.chance(0.2):
            body += self.more_lines()
        if self.ua.random() < 0.15:
            body += self.user_agent_if(server_level=False)
        if self.has_geo and self.geo.random() < 0.5:
            body += self.geo_if()
        if kind == "proxy" and self.chance(0.2):
            body += self.origin_if()
        if self.chance(0.08):   # `break` stops the rewrite module: a later `if`/`return` never runs
            body.append("break;")
        if self.chance(0.1):
            self.server_cors_var = True
            body.append(f"set ${self.p}_cors {r.choice(['$http_origin', TRUSTED, chr(34) * 2])};")
        if self.chance(0.06):   # preflights rewritten to a location of their own
            body += ["if ($request_method = OPTIONS) {", "    rewrite ^ /preflight last;", "}"]
            self.extra["= /preflight"] = self.cors_lines(full=True) + ["return 204;"]
            self.paths.append("/preflight")
        if kind == "static" and self.chance(0.06):   # a content handler inside an `if`
            body += [f"if ($http_origin = {TRUSTED}) {{", "    proxy_pass http://@@UPSTREAM@@;", "}"]
            self.proxied = True
        if kind == "static" and self.chance(0.06):
            body.append("autoindex on;")
        body += self.content(kind, prefix if not regex else "/")
        blocks = _blocks(body)
        r.shuffle(blocks)   # rewrite-module order matters to nginx: the model must follow it
        return [line for block in blocks for line in block]

    # -- the server -----------------------------------------------------------
    def build(self) -> Config:
        r = self.r
        p = self.p
        if self.chance(0.45):
            self.has_map = True
            default = r.choice(['""', '""', "$http_origin", "https://fallback.example"])
            entries = [f"    default {default};",
                       f'    "{TRUSTED}" $http_origin;']
            if self.chance(0.5):
                entries.append(r'    ~^https://[a-z]+\.trusted\.example$ $http_origin;')
                if self.chance(0.5):
                    self.trusted = TRUSTED_SUB
            if self.chance(0.3):
                entries.append(r'    ~*^https://ADMIN\.example\.com$ "https://admin.example.com";')
            if self.chance(0.2):
                entries.append('    "null" "null";')
            if self.chance(0.2):
                entries.append(r'    ~^https://(?<sub>[a-z]+)\.example\.com$ "https://$sub.example.com";')
            if self.chance(0.2):   # a numbered capture: also changes $1 for what is evaluated later
                entries.append(r'    ~^https://([a-z]+)\.example\.com$ "https://$1.example.com";')
            self.maps.append(f"map $http_origin ${p}_origin {{\n" + "\n".join(entries) + "\n}")
            self.maps.append(f'map $http_origin ${p}_maybe {{\n    default "";\n    "{TRUSTED}" "true";\n}}')
            self.maps.append(f'map ${p}_origin ${p}_creds {{\n    default "";\n    ~. "true";\n}}')
            if self.chance(0.2):   # exact map keys match case-insensitively
                self.trusted = "https://APP.example.com"

        if self.geo.random() < 0.15:
            self.maps.append(self.geo_block())
        server: list[str] = [f"server_name {self.host};", f"root @@ROOT@@/{p};"]
        if self.chance(0.1):
            server += ["gzip on;", "gzip_vary on;",
                       r.choice(["gzip_types application/json;", "gzip_types *;", "gzip_min_length 100;", ""])]
        if self.chance(0.3):
            server += [f"set ${p}_cors \"\";"]
            self.server_cors_var = True
            server += [f'if ($http_origin ~* "{ORIGIN_REGEX}") {{', f"    set ${p}_cors $http_origin;", "}"]
        if self.chance(0.35):
            server += self.cors_lines()
        if self.ua.random() < 0.15:
            server += self.user_agent_if(server_level=True)
        if self.chance(0.12):
            server += ["if ($request_method = OPTIONS) {", "    return 204;", "}"]
        if self.chance(0.08):
            server += ["if ($request_method !~ ^(GET|HEAD|POST|PUT)$) {", "    return 405;", "}"]
        if self.chance(0.2):
            hidden = r.choice(["Access-Control-Allow-Origin", "Vary"])
            server.append(f"proxy_hide_header {hidden};")
        if self.chance(0.15):
            server += self.more_lines()
        if self.chance(0.1):   # server-level rewrites run before any location is chosen
            server.append(r.choice(["rewrite ^/old/(.*)$ /api/$1 last;", "rewrite ^/moved/ https://other.example/ permanent;",
                                    "rewrite ^/old/(.*)$ /a.txt break;"]))
            self.paths += ["/old/users", "/moved/x"]
        if self.chance(0.1):
            server.append(r.choice(["error_page 404 /404.html;", "error_page 405 =204 @preflight;"]))
            if "@preflight" in server[-1]:
                self.named.setdefault("@preflight", [])
            else:
                self.exact_internal.setdefault("/404.html", [])

        slots = r.sample(SLOTS, r.randint(1, 4))
        kinds = ["static", "static", "proxy", "proxy", "return", "redirect", "rewrite"]
        for slot in slots:
            server += self.outside_if(slot(self, r.choice(kinds)))
        defined: set[str] = set()
        while set(self.named) - defined:   # a named location's content may name another one
            name = min(set(self.named) - defined)
            defined.add(name)
            body = []
            if self.chance(0.6):
                body += self.cors_lines(full=name == "@preflight")
            body += [r.choice(["return 204;", "return 200;", 'return 200 "named";'])] if name == "@preflight" \
                else self.content(r.choice(["static", "proxy", "return"]), "/")
            server += [f"location {name} {{", *[f"    {x}" for x in body], "}"]
        for spec, body in self.extra.items():
            server += [f"location {spec} {{", *[f"    {x}" for x in body], "}"]
        for uri in self.exact_internal:
            body = ["internal;"] + (self.cors_lines(full=False) if self.chance(0.5) else [])
            server += [f"location = {uri} {{", *[f"    {x}" for x in body], "}"]

        paths = sorted(set(self.paths))
        r.shuffle(paths)
        config = Config(self.seed, self.host, self.maps,
                        "server {\n    listen 127.0.0.1:@@PORT@@;\n" + "\n".join(f"    {x}" for x in server) + "\n}",
                        paths[: r.randint(1, 3)], self.trusted, outside=self.outside)
        config.reads_user_agent = self.reads_user_agent
        config.has_geo = self.has_geo
        config.backend = Backend(
            get_status=r.choice([200, 200, 500]),
            options_status=r.choice([204, 200, 405]),
            headers=r.choice([
                [("Access-Control-Allow-Origin", BACKEND_ORIGIN), ("Vary", "Origin")],
                [("Access-Control-Allow-Origin", "*"), ("Vary", "Accept-Encoding"),
                 ("Access-Control-Allow-Credentials", "true")],
                [("Vary", "Origin"), ("X-Other", "1")],
                [("Access-Control-Allow-Origin", BACKEND_ORIGIN), ("Access-Control-Allow-Methods", "GET, PUT"),
                 ("Vary", "Origin, Accept-Encoding")],
            ]))
        self.maybe_down(config)
        return config

    def maybe_down(self, config: Config) -> None:
        """Now and then a proxying config's backend is down: its proxies go to
        a closed port and the server gets an error_page for the 502.  Drawn
        from a Random of its own, so every other seed's config stays as it was."""
        down = random.Random(self.seed * 104729 + 7)
        if not self.proxied or down.random() >= 0.25:
            return
        assert config.backend is not None
        config.backend.down = True
        page = down.choice(["error_page 502 504 /50x.html;", "error_page 502 =503 /50x.html;",
                            "error_page 502 /index.html;", "error_page 502 https://status.example/;", ""])
        head = "server {\n    listen 127.0.0.1:@@PORT@@;\n"
        config.server = config.server.replace("@@UPSTREAM@@", CLOSED_BACKEND).replace(
            head, head + (f"    {page}\n" if page else ""), 1)


def _blocks(lines: list[str]) -> list[list[str]]:
    """Group lines so a shuffle keeps `if {...}` / `limit_except {...}` whole."""
    out: list[list[str]] = []
    depth = 0
    for line in lines:
        if depth == 0:
            out.append([line])
        else:
            out[-1].append(line)
        depth += line.count("{") - line.count("}")
    return out


def _location(header: str, body: list[str]) -> list[str]:
    return [header + " {", *[f"    {x}" for x in body], "}"]


def slot_root(g: Gen, kind: str) -> list[str]:
    g.paths += ["/", "/index.html", "/a.txt", "/missing.txt", "/dir", "/dir/", "/noindex/", "/small.txt", "/dir/./"]
    return _location("location /", g.location_body("/", kind))


def slot_api(g: Gen, kind: str) -> list[str]:
    g.paths += ["/api/", "/api/users", "/api", "/api//users"]
    return _location("location /api/", g.location_body("/api/", kind))


def slot_exact(g: Gen, kind: str) -> list[str]:
    g.paths += ["/exact", "/exact/x"]
    return _location("location = /exact", g.location_body("/exact", kind))


def slot_assets(g: Gen, kind: str) -> list[str]:
    g.paths += ["/assets/app.js", "/assets/missing.js", "/assets/a.json", "/assets/%61pp.js"]
    return _location("location ^~ /assets/", g.location_body("/assets/", kind))


def slot_json(g: Gen, kind: str) -> list[str]:
    g.paths += ["/data.json", "/api/x.json", "/assets/a.json", "/missing.json", "/x/%2e%2e/data.json"]
    return _location(r"location ~ \.json$", g.location_body("/", kind, regex=True))


def slot_images(g: Gen, kind: str) -> list[str]:
    g.paths += ["/img/a.jpg", "/img/logo.PNG", "/img/none.png"]
    return _location(r"location ~* \.(png|jpg)$", g.location_body("/", kind, regex=True))


def slot_alias(g: Gen, kind: str) -> list[str]:
    g.paths += ["/static/a.txt", "/static/missing.txt", "/static/"]
    body = g.location_body("/static/", kind if kind != "static" else "static")
    return _location("location /static/", [f"alias @@ROOT@@/{g.p}/files/;", *body])


def slot_nested(g: Gen, kind: str) -> list[str]:
    g.paths += ["/v1/", "/v1/r.csv", "/v1/admin/", "/v1/admin/x", "/v1/other"]
    inner = _location("location /v1/admin/", g.location_body("/v1/admin/", g.r.choice(["static", "proxy", "return"])))
    inner += _location(r"location ~ \.csv$", g.location_body("/", g.r.choice(["static", "return"]), regex=True))
    internal = ["internal;"] if g.chance(0.1) else []   # inherited by the nested locations
    return _location("location /v1/", [*internal, *g.location_body("/v1/", kind), *inner])


def slot_version_regex(g: Gen, kind: str) -> list[str]:
    g.paths += ["/v2/items", "/v1/x"]
    return _location("location ~ ^/v[0-9]+/", g.location_body("/", kind, regex=True))


def slot_tenant(g: Gen, kind: str) -> list[str]:
    """A regex location whose captures build the Allow-Origin."""
    g.paths += ["/tenant/app/x", "/tenant/evil/y.json"]
    header, var = g.r.choice([(r"location ~ ^/tenant/(?<tenant>[a-z]+)/", "$tenant"),
                              (r"location ~ ^/tenant/([a-z]+)/", "$1")])
    line = f"add_header Access-Control-Allow-Origin https://{var}.example.com{g.always()};"
    body = g.location_body("/", kind, regex=True)
    at = g.r.choice([i for i in range(len(body) + 1) if i == 0 or body[i - 1] == "}" or
                     body[i - 1].endswith(";") and not body[i - 1].startswith(" ")])   # header order: when maps run
    return _location(header, [*body[:at], line, *body[at:]])


SLOTS = [slot_tenant, slot_root, slot_api, slot_exact, slot_assets, slot_json, slot_images, slot_alias, slot_nested,
         slot_version_regex]


def generate(seed: int) -> Config:
    return Gen(seed).build()


# ----------------------------------------------------------------------------- batches


#: per batch (round robin): what the http block adds for every server
HTTP_LEVEL = [
    [],
    ["add_header Access-Control-Allow-Origin https://http-level.example always;", "add_header Vary X-Http;"],
    ['more_set_headers "Access-Control-Allow-Credentials: true";', "proxy_hide_header Vary;",
     "error_page 404 /404.html;"],
]


class Batch:
    """One nginx with BATCH generated server blocks and one backend."""

    def __init__(self, index: int):
        self.index = index
        self.configs = {seed: generate(seed) for seed in range(index * BATCH, (index + 1) * BATCH)}
        self.by_host = {c.host: c for c in self.configs.values()}
        self.upstream = Upstream(responder=self.respond)
        self.nginx: NginxServer | None = None
        self.model = None
        self.error: str | None = None

    def respond(self, method: str, path: str, headers):
        """Answer as the config's Backend for the client's original method
        (`$request` is the original request line: an error_page redirect
        turns the method nginx proxies into GET, not the backend's answer)."""
        sent = {n.lower(): v for n, v in headers}
        config = self.by_host.get(sent.get("x-test-host", ""))
        if config is None or config.backend is None:
            return 599, [], b"unknown config"
        return config.backend.answer(sent.get("x-test-request", method).split(" ")[0])

    def http_config(self) -> str:
        parts = ["proxy_set_header X-Test-Host $host;", "proxy_set_header X-Test-Request $request;",
                 "proxy_set_header Host $host;"]
        # http-level settings every server of the batch inherits (unless it has its own)
        parts += HTTP_LEVEL[self.index % len(HTTP_LEVEL)]
        for config in self.configs.values():
            parts += config.maps
            parts += [f'map $host ${name} {{ default "{value}"; }}  {OUTSIDE}' for name, value in config.outside.items()]
        parts += [c.server for c in self.configs.values()]
        return "\n".join(parts)

    def files(self) -> dict[str, bytes]:
        out = {"htpasswd": b"user:{PLAIN}secret\n"}
        for config in self.configs.values():
            for rel, content in FILES.items():
                out[f"c{config.seed}/{rel}"] = content
        return out

    def start(self) -> None:
        self.upstream.start()
        try:
            self.nginx = NginxServer(self.http_config(), files=self.files(), upstream=self.upstream,
                                     headers_more=True)
            self.nginx.start()
        except NginxError as exc:
            self.error = str(exc)
            return
        self.model = load(model_file(self.nginx.conf_path))

    def stop(self) -> None:
        if self.nginx is not None:
            self.nginx.stop()
        self.upstream.stop()


def model_file(conf_path: str) -> str:
    """The nginx.conf without the lines that set variables OUTSIDE, beside it."""
    with open(conf_path) as f:
        text = "".join(line for line in f if OUTSIDE not in line)
    path = os.path.join(os.path.dirname(conf_path), "model.conf")
    with open(path, "w") as f:
        f.write(text)
    return path


@pytest.fixture(scope="module")
def batches():
    holder = Batches(Batch, BATCH)
    yield holder
    holder.close()


@pytest.mark.parametrize("seed", SEEDS)
def test_generated_config_matches_nginx(seed: int, batches: Batches) -> None:
    require_nginx(headers_more=True)
    batch = batches.get(seed)
    if batch.error:
        pytest.fail(f"batch of seed {seed} did not start:\n{batch.error}", pytrace=False)
    assert batch.nginx is not None and batch.model is not None
    config = batch.configs[seed]
    backend = config.backend
    assert backend is not None

    def upstream_for(method: str) -> ModelUpstream:
        if backend.down:
            return UNREACHABLE_UPSTREAM
        status, headers, _ = backend.answer(method)
        return ModelUpstream(status, headers)

    explored = outside(batch.model.conf)
    for name, value in config.outside.items():
        assert value in explored.get(name, ()), f"config {seed}: ${name} = {value!r} is not among {explored.get(name)}"
    model = batch.model.assuming(config.outside) if config.outside else batch.model
    base = f"http://{config.host}:{batch.nginx.port}"
    urls = [base + path for path in config.paths]
    _, problems = differences(batch.nginx, model, urls, (config.trusted, HOSTILE, NULL), upstream_for)
    for client in OTHER_CLIENTS if config.reads_user_agent else ():
        problems += differences(batch.nginx, model, urls, (config.trusted, HOSTILE), upstream_for,
                                label=f"[{client[0][1] or 'empty User-Agent'}] ", client_headers=client)[1]
    if config.has_geo:
        problems += differences(batch.nginx, model, urls, (config.trusted, HOSTILE), upstream_for,
                                label=f"[from {OTHER_CLIENT_ADDR}] ", client_addr=OTHER_CLIENT_ADDR)[1]
    if problems:
        pytest.fail(f"config {seed}: {len(problems)} answers differ from nginx\n" + "\n".join(problems)
                    + "\n--- config ---\n" + "\n".join(config.maps) + "\n" + config.server
                    + f"\n--- set outside the model's files: {config.outside}"
                    + f"\n--- backend: {backend}", pytrace=False)
