"""Acceptance: the model's answers equal real Apache's for generated vhosts.

A seeded generator writes one ``<VirtualHost>`` per seed (ServerName
``cN.test``, DocumentRoot ``@@ROOT@@/cN``) out of the constructs Apache CORS
configurations are made of: ``Header`` in both tables (``set``, ``always
set``, ``add``, ``append``, ``merge``, ``unset``, ``setifempty``, with
``env=``/``env=!`` and ``expr=`` conditions and ``expr=`` values),
``SetEnvIf``/``SetEnvIfNoCase`` allow-lists (anchored, unanchored and
plain-string patterns, ``$0``/``$1``, unsetting), ``SetEnvIfExpr``,
``RewriteCond %{HTTP:Origin}`` (and the always-empty ``%{HTTP_ORIGIN}``)
with ``[E=...]``, ``<If>``/``<ElseIf>``/``<Else>`` on the method and on the
Origin, ``RewriteRule`` answers (``[R=204]``, ``[R=200]``, ``[R=301]``,
``[F]``, ``[G]``) in the vhost and in ``<Directory>``/``<Location>``/
``.htaccess``, per-directory rewrites to another file (an internal redirect:
``REDIRECT_*`` variables), ``[P]``, ``Redirect``/``RedirectMatch``, access
control (``Require`` all/method/ip/local/valid-user, ``<Limit>``/
``<LimitExcept>``, ``<RequireAny>``/``<RequireAll>`` with ``Require not``,
Basic auth), ``ProxyPass``/``ProxyPassMatch`` (vhost level and in
``<Location>``) to a test backend that sends its own
Access-Control-Allow-Origin (statuses 200/404/500, and for OPTIONS 204/200/
404/405), static files present and missing, directories with and without
index, ``Options Indexes``, ``DirectorySlash``, ``ErrorDocument`` (local
file, text, full URL), ``<Files>``/``<FilesMatch>``/``<LocationMatch>``,
``Header edit``, ``.htaccess`` files (AllowOverride All/FileInfo/
AuthConfig/None, including directives the override does not admit: 500),
and User-Agent conditions (``RewriteCond %{HTTP_USER_AGENT}`` bans,
``SetEnvIf User-Agent``, ``<If "%{HTTP_USER_AGENT} ...">``): requests carry
Chromium's own headers, and a vhost with such a condition is also asked
with an empty User-Agent and curl's.

``BATCH`` vhosts share one Apache (distinct ServerNames and docroots), so the
suite starts few Apache processes; per batch the server level adds a few
lines every vhost inherits.  Per vhost, 1-3 paths get a preflight (OPTIONS +
Access-Control-Request-Method PUT + Access-Control-Request-Headers
content-type) and a GET from a trusted origin, ``https://evil.example`` and
``null``; status and the ordered values of every ``access-control-*`` and
``vary`` header predicted by ``corslint.simulate`` must equal Apache's.  Any
difference is a model bug.

Nothing here is unknowable to the model: the client address is 127.0.0.1
(given), files are looked up on disk (``FileOracle(on_disk=True)``), the
model is told about every ``.htaccess`` file, and the backend's answer is
described to it exactly.  The backend learns which vhost a request came
from through ``ProxyPreserveHost On`` (the Host header), so its answer
depends on the vhost and the method only.
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass, field

import pytest
from corslint.apache.model import load
from corslint.backend import Upstream as ModelUpstream

from .apache_compare import HOSTILE, NULL, differences
from .apache_harness import ApacheError, ApacheServer, Upstream, require_apache
from .model_compare import OTHER_CLIENTS
from .server_process import Batches

pytestmark = pytest.mark.live

#: vhosts in the suite; CORSLINT_RANDOM_CONFIGS / CORSLINT_RANDOM_FIRST widen or move the window
#: for a longer fuzzing run (the seeds are stable, so a failing seed can be rerun alone)
CONFIGS = int(os.environ.get("CORSLINT_RANDOM_CONFIGS", "240"))
FIRST = int(os.environ.get("CORSLINT_RANDOM_FIRST", "0"))
BATCH = 30
SEEDS = range(FIRST, FIRST + CONFIGS)

TRUSTED = "https://app.example.com"
BACKEND_ORIGIN = "https://backend.example"
ALLOW_RE = r"^https://(app|admin)\.example\.com$"

FILES = {
    "index.html": b"<!doctype html><title>index of the test site</title>\n",
    "a.txt": b"plain text file for the live test\n",
    "data.json": b'{"items": [1, 2, 3]}\n',
    "dir/index.html": b"<!doctype html><title>dir index</title>\n",
    "noindex/x.txt": b"x\n",
    "sub/b.txt": b"b in sub\n",
    "sub/deep/c.json": b'{"deep": true}\n',
    "private/secret.txt": b"secret\n",
    "fonts/a.woff2": b"wOF2 not really a font\n",
    "errors/404.html": b"<!doctype html><title>custom not found</title>\n",
}


# ----------------------------------------------------------------------------- generator


@dataclass
class Backend:
    """What the test backend answers for one vhost: per method."""

    get_status: int
    options_status: int
    headers: list[tuple[str, str]]

    def answer(self, method: str) -> tuple[int, list[tuple[str, str]], bytes]:
        status = self.options_status if method == "OPTIONS" else self.get_status
        body = b"" if status in (204, 304) else b'{"backend": "answer body"}'
        headers = list(self.headers)
        if status not in (204, 304):
            headers.append(("Content-Type", "application/json"))
        return status, headers, body


@dataclass
class Config:
    seed: int
    host: str
    vhost: str = ""
    paths: list[str] = field(default_factory=list)
    htaccess: dict[str, str] = field(default_factory=dict)   # docroot-relative dir -> text
    #: the vhost has User-Agent conditions: also asked as OTHER_CLIENTS
    reads_user_agent: bool = False
    backend: Backend | None = None


def _section(header: str, body: list[str]) -> list[str]:
    name = header[1:].split()[0].rstrip(">")
    return [header, *[f"    {x}" for x in body], f"</{name}>"]


class Gen:
    """One random vhost; everything named after the seed."""

    def __init__(self, seed: int):
        self.seed = seed
        self.r = random.Random(seed * 7919 + 23)
        self.p = f"c{seed}"
        self.host = f"{self.p}.test"
        self.root = f"@@ROOT@@/{self.p}"
        self.paths: list[str] = []
        self.htaccess: dict[str, str] = {}
        self.override = "None"
        self.has_allowlist = False
        #: User-Agent conditions draw from a stream of their own, so adding
        #: them left every other construct of a seed as it was
        self.ua = random.Random(seed * 7919 + 29)

    def chance(self, p: float) -> bool:
        return self.r.random() < p

    # -- Header lines ----------------------------------------------------------
    def table(self) -> str:
        return self.r.choice(["", "always ", "always ", "onsuccess "])

    def acao_value(self) -> str:
        choices = ['"*"', TRUSTED, '"expr=%{req:Origin}"']
        if self.has_allowlist:
            choices += ['"%{CORS_ORIGIN}e" env=CORS_ORIGIN'] * 4 + ['"%{CORS_ORIGIN}e"']
        if self.chance(0.05):
            choices.append('"%{Origin}i"')   # mod_headers' %i is the idle percentage, not the header
        return self.r.choice(choices)

    def condition(self) -> str:
        r = self.r
        conds = ["", "", "", "",
                 "\"expr=%{REQUEST_METHOD} == 'OPTIONS'\"",
                 "\"expr=%{HTTP:Origin} =~ m#^https://app\\.example\\.com$#\"",
                 "\"expr=req('Origin') == 'null'\"",
                 "env=CORS_OK", "env=!CORS_OK"]
        if self.has_allowlist:
            conds += ["env=CORS_ORIGIN", "env=!CORS_ORIGIN"]
        c = r.choice(conds)
        return f" {c}" if c else ""

    def header_lines(self, full: bool | None = None) -> list[str]:
        """mod_headers lines for a CORS answer (some may be missing, doubled or
        in the other table)."""
        r = self.r
        t = self.table
        verb = r.choice(["set", "set", "set", "add", "append", "merge", "setifempty"])
        acao = self.acao_value()
        cond = "" if " env=" in acao else self.condition()
        lines = [f"Header {t()}{verb} Access-Control-Allow-Origin {acao}{cond}"]
        if full is None:
            full = self.chance(0.6)
        if self.chance(0.4):
            creds = '"%{CORS_ORIGIN}e" env=CORS_ORIGIN' if self.has_allowlist and self.chance(0.3) else "true"
            cond = "" if " env=" in creds else self.condition()
            lines.append(f"Header {t()}set Access-Control-Allow-Credentials {creds}{cond}")
        if full:
            lines.append(f'Header {t()}set Access-Control-Allow-Methods "GET, POST, PUT, OPTIONS"{self.condition()}')
            lines.append(f'Header {t()}{r.choice(["set", "append", "merge"])} Access-Control-Allow-Headers '
                         f'"Content-Type, Authorization"')
            if self.chance(0.3):
                lines.append(f"Header {t()}set Access-Control-Max-Age 600")
        if self.chance(0.5):
            lines.append(f"Header {t()}{r.choice(['merge', 'merge', 'append', 'add', 'set'])} Vary Origin")
        if self.chance(0.2):
            lines.append(f'Header {t()}set Access-Control-Expose-Headers "X-Total-Count"')
        if self.chance(0.15):   # a second Allow-Origin line
            lines.append(f"Header {t()}{r.choice(['add', 'set', 'append'])} Access-Control-Allow-Origin "
                         f"https://second.example")
        if self.chance(0.12):
            lines.append(f"Header {t()}unset Access-Control-Allow-Origin")
        if self.chance(0.06):
            lines.append(f"Header {t()}unset Vary")
        if self.chance(0.05):
            lines.append(f'Header {t()}{r.choice(["edit", "edit*"])} Access-Control-Allow-Origin "^https://" "http://"')
        if self.chance(0.08):
            lines.append(f"Header {t()}setifempty Access-Control-Allow-Credentials false")
        r.shuffle(lines)
        return lines

    # -- environment ------------------------------------------------------------
    def allowlist(self) -> list[str]:
        """SetEnvIf / SetEnvIfExpr / RewriteCond lines that set CORS_ORIGIN (and CORS_OK)."""
        r = self.r
        self.has_allowlist = True
        pick = r.randrange(11)
        if pick == 0:
            lines = [f'SetEnvIf Origin "{ALLOW_RE}" CORS_ORIGIN=$0']
        elif pick == 1:
            lines = [r'SetEnvIf Origin "^(https://app\.example\.com)$" CORS_ORIGIN=$1']
        elif pick == 2:   # unanchored: admits https://app.example.com.evil.net too
            lines = [r'SetEnvIf Origin "https://(app|admin)\.example\.com" CORS_ORIGIN=$0']
        elif pick == 3:   # no regex syntax: a plain substring, and $0 stays literal
            lines = [r'SetEnvIf Origin "app\.example\.com" CORS_ORIGIN=$0',
                     'SetEnvIf Origin "example" CORS_OK']
        elif pick == 4:
            lines = [r'SetEnvIfNoCase Origin "^https://APP\.example\.com$" CORS_ORIGIN=$0']
        elif pick == 5:
            lines = [r'SetEnvIfExpr "%{HTTP:Origin} =~ m#^https://(app|admin)\.example\.com$#" CORS_ORIGIN=$0']
        elif pick == 6:
            lines = ["SetEnvIfExpr \"req('Origin') -in {'https://app.example.com', 'null'}\" CORS_OK=1",
                     'SetEnvIf Origin "^(.+)$" CORS_ORIGIN=$1']
        elif pick == 7:
            lines = ['SetEnvIf Origin ".*" CORS_ORIGIN=$0',   # set (empty) even without Origin
                     'SetEnvIf Origin "evil" !CORS_ORIGIN']
        elif pick == 8:
            lines = ["RewriteEngine On", r"RewriteCond %{HTTP:Origin} ^https://(app|admin)\.example\.com$",
                     "RewriteRule ^ - [E=CORS_ORIGIN:%{HTTP:Origin}]"]
        elif pick == 9:   # mod_rewrite has no %{HTTP_ORIGIN}: it is always empty
            lines = ["RewriteEngine On", r"RewriteCond %{HTTP_ORIGIN} ^https://app\.example\.com$ [OR]",
                     r"RewriteCond %{HTTP:Origin} ^null$",
                     "RewriteRule ^ - [E=CORS_ORIGIN:%{HTTP:Origin}]"]
        else:   # the preflight flagged by method
            lines = ['SetEnvIf Request_Method "^OPTIONS$" CORS_OK=1',
                     r'SetEnvIfNoCase Origin "^https://app\.example\.com$" CORS_ORIGIN=$0']
        if self.chance(0.2):
            lines.append('SetEnvIf Origin "^null$" CORS_ORIGIN=null')
        if self.chance(0.2):
            lines.append("SetEnv CORS_OK 1")
        return lines

    # -- <If> ---------------------------------------------------------------------
    def if_block(self) -> list[str]:
        r = self.r
        cond = r.choice(["%{REQUEST_METHOD} == 'OPTIONS'",
                         "%{REQUEST_METHOD} != 'OPTIONS'",
                         "%{HTTP:Origin} == 'https://app.example.com'",
                         r"%{HTTP:Origin} =~ m#^https://(app|admin)\.example\.com#",
                         "req('Origin') =~ /example/",
                         "-n %{HTTP:Access-Control-Request-Method}",
                         "%{REQUEST_METHOD} == 'OPTIONS' && -n req('Origin')"])
        out = _section(f'<If "{cond}">', self.header_lines(full=self.chance(0.5)))
        if self.chance(0.25):
            out += _section("<ElseIf \"%{REQUEST_METHOD} == 'GET'\">", self.header_lines(full=False))
        if self.chance(0.3):
            out += _section("<Else>", self.header_lines(full=False) if self.chance(0.7) else
                            ["Header always unset Access-Control-Allow-Origin"])
        return out

    # -- mod_rewrite --------------------------------------------------------------
    def preflight_rewrite(self, pattern: str) -> list[str]:
        r = self.r
        lines = ["RewriteEngine On", "RewriteCond %{REQUEST_METHOD} OPTIONS"]
        if self.chance(0.3):
            lines.append("RewriteCond %{HTTP:Access-Control-Request-Method} !^$")
        flag = r.choice(["R=204,L", "R=204,L", "R=200,L", "R=204"])
        target = "$1" if flag.startswith("R=200") and pattern.endswith("(.*)$") and self.chance(0.5) else "-"
        lines.append(f"RewriteRule {pattern} {target} [{flag}]")
        return lines

    def access(self, kind: str | None = None) -> list[str]:
        """Access control for a section."""
        r = self.r
        kind = kind or r.choice(["user", "limit", "limitexcept-options", "limitexcept-get", "denied-except",
                                 "method", "any", "denied", "granted", "ip"])
        auth = ["AuthType Basic", 'AuthName "live test"', "AuthUserFile @@HTPASSWD@@"]
        return {
            "user": [*auth, "Require valid-user"],
            "limit": [*auth, *_section("<Limit GET POST PUT>", ["Require valid-user"])],
            "limitexcept-options": [*auth, *_section("<LimitExcept OPTIONS>", ["Require valid-user"])],
            "limitexcept-get": [*auth, *_section("<LimitExcept GET POST>", ["Require valid-user"])],
            "denied-except": ["Require all granted", *_section("<LimitExcept GET POST>", ["Require all denied"])],
            "method": ["Require method GET POST PUT"],
            "any": [*auth, *_section("<RequireAny>", ["Require method OPTIONS", "Require valid-user"])],
            "denied": ["Require all denied"],
            "granted": ["Require all granted"],
            "ip": r.choice([["Require ip 127.0.0.1"], ["Require ip 10.0.0.0/8"], ["Require local"],
                            _section("<RequireAll>", ["Require all granted", "Require not ip 127.0.0.1"])])
            if kind == "ip" else [],
        }[kind]

    # -- slots: parts of the vhost with the paths they are probed at ----------------
    def user_agent_lines(self) -> list[str]:
        """A condition on the User-Agent at vhost level: a ban of empty, bot
        or curl User-Agents (mod_rewrite), or CORS lines for browsers only
        (SetEnvIf, <If>)."""
        ua = self.ua
        pick = ua.randrange(3)
        if pick == 0:
            return ["RewriteEngine On", ua.choice(["RewriteCond %{HTTP_USER_AGENT} ^$",
                                                   "RewriteCond %{HTTP_USER_AGENT} (bot|curl) [NC]",
                                                   "RewriteCond %{HTTP:User-Agent} !Mozilla"]),
                    ua.choice(["RewriteRule ^ - [F]", "RewriteRule ^ - [R=400,L]", "RewriteRule ^ - [G]"])]
        if pick == 1:
            setenv = ua.choice(['SetEnvIf User-Agent "Chrome/" UA_BROWSER=1',
                                'SetEnvIfNoCase User-Agent "^mozilla" UA_BROWSER=1',
                                'SetEnvIf Sec-Fetch-Mode "^cors$" UA_BROWSER=1'])
            table = ua.choice(["always ", ""])
            return [setenv, f'Header {table}set Access-Control-Allow-Origin "{TRUSTED}" env=UA_BROWSER']
        condition = ua.choice(["=~ /Chrome/", "== ''", "!~ /bot/"])
        return _section(f'<If "%{{HTTP_USER_AGENT}} {condition}">',
                        ['Header always set Access-Control-Allow-Origin "*"'])

    def slot_root(self) -> list[str]:
        """The docroot's <Directory>: static files, directories, maybe headers."""
        self.paths += ["/", "/a.txt", "/missing.txt", "/dir", "/dir/", "/noindex/", "/data.json"]
        body = [self.r.choice(["Options -Indexes", "Options -Indexes", "Options +Indexes"]),
                f"AllowOverride {self.override}", "Require all granted"]
        if self.chance(0.15):
            body.append("DirectorySlash Off")
        if self.chance(0.3):
            body += self.header_lines()
        if self.chance(0.15):
            body += self.allowlist()
        if self.chance(0.12):
            body += self.preflight_rewrite("^")
        if self.chance(0.1):
            body += self.if_block()
        if self.chance(0.15):
            body += self.slot_files()
        return _section(f"<Directory {self.root}>", body)

    def slot_api(self) -> list[str]:
        """A proxied /api/: ProxyPass at vhost level or in <Location>."""
        self.paths += ["/api/users", "/api/", "/api"]
        body: list[str] = []
        if self.chance(0.6):
            body += self.header_lines()
        if self.chance(0.2):
            body += self.access()
        if self.chance(0.15):   # per-directory rewrite in a <Location>
            body += self.preflight_rewrite(self.r.choice(["^", ".*", "^/api/", "api"]))
        if self.chance(0.15):
            body += self.if_block()
        if self.chance(0.15):   # a rewrite that proxies
            self.paths += ["/rapi/x", "/rapi/"]
            out = ["RewriteEngine On", r"RewriteRule ^/rapi/(.*)$ http://@@UPSTREAM@@/api/$1 [P]"]
            return out + (_section("<Location /rapi/>", body) if body else [])
        if self.chance(0.5):
            return _section("<Location /api/>", [*body, "ProxyPass http://@@UPSTREAM@@/api/"])
        out = ["ProxyPass /api/ http://@@UPSTREAM@@/api/"]
        return out + (_section("<Location /api/>", body) if body else [])

    def slot_versioned(self) -> list[str]:
        """ProxyPassMatch with a <LocationMatch>."""
        self.paths += ["/v1/items", "/v2/x"]
        out = [r"ProxyPassMatch ^/(v[0-9]+/.*)$ http://@@UPSTREAM@@/$1"]
        body = self.header_lines() if self.chance(0.7) else []
        if self.chance(0.2):
            body += self.if_block()
        return out + (_section('<LocationMatch "^/v[0-9]+/">', body) if body else [])

    def slot_private(self) -> list[str]:
        """A <Directory> with access control."""
        self.paths += ["/private/secret.txt", "/private/missing.txt", "/private/"]
        body = self.access()
        if self.chance(0.5):
            body += self.header_lines()
        if self.chance(0.2):
            body += self.preflight_rewrite("^")
        return _section(f"<Directory {self.root}/private>", body)

    def slot_files(self) -> list[str]:
        """<Files>/<FilesMatch> headers (inside the docroot's directory or at vhost level)."""
        self.paths += ["/data.json", "/sub/deep/c.json", "/fonts/a.woff2", "/fonts/none.woff2"]
        header = self.r.choice(['<FilesMatch "\\.json$">', '<FilesMatch "\\.(woff2?|ttf)$">', "<Files data.json>"])
        return _section(header, self.header_lines(full=False))

    def slot_redirects(self) -> list[str]:
        """Redirects and refusals answered before any content handler."""
        r = self.r
        self.paths += ["/old/x", "/blocked", "/gone"]
        lines = ["RewriteEngine On"]
        pick = r.randrange(4)
        if pick == 0:
            lines.append(f"Redirect 301 /old/ http://{self.host}/new/")
        elif pick == 1:
            lines.append("RewriteRule ^/old/(.*)$ /a.txt [R=301,L]")
        elif pick == 2:
            lines.append("RedirectMatch 302 ^/old/(.*)$ https://other.example/$1")
        else:
            lines.append("RewriteRule ^/old/ - [R=410]")
        lines.append(r.choice(["RewriteRule ^/blocked - [F]", "RewriteRule ^/blocked - [G]",
                               "RewriteRule ^/blocked$ - [R=403,L]"]))
        return lines

    def slot_location(self) -> list[str]:
        """A static <Location> with headers."""
        self.paths += ["/sub/b.txt", "/sub/", "/sub", "/sub/missing.txt"]
        body = self.header_lines()
        if self.chance(0.3):
            body += self.allowlist()
        if self.chance(0.2):
            body += self.access()
        if self.chance(0.2):
            body += self.preflight_rewrite(self.r.choice(["^", "sub", "^/sub/"]))
        return _section("<Location /sub>", body)

    def slot_htaccess(self) -> list[str]:
        """An .htaccess in the docroot or in sub/ (the docroot's AllowOverride decides)."""
        where = self.r.choice(["", "sub"])
        self.paths += ["/sub/b.txt", "/sub/deep/c.json", "/sub/none.txt", "/a.txt", "/sub"]
        lines: list[str] = []
        if self.chance(0.4):
            lines += self.allowlist()
        lines += self.header_lines()
        if self.chance(0.3):
            lines += self.preflight_rewrite(self.r.choice(["^", "^(.*)$", "^b\\.txt$"]))
        if self.chance(0.15):
            lines += self.if_block()
        if self.chance(0.1):
            lines += _section('<FilesMatch "\\.json$">', self.header_lines(full=False))
        if self.chance(0.12):   # needs AllowOverride AuthConfig, else every request below is a 500
            lines += self.access(self.r.choice(["user", "limitexcept-options", "limitexcept-get"]))
        if self.chance(0.05):   # needs AllowOverride Options
            lines.append("Options +Indexes")
        self.htaccess[where] = "\n".join(lines) + "\n"
        return []

    def slot_internal_rewrite(self) -> list[str]:
        """A per-directory rewrite to another file: an internal redirect
        (the environment comes back as REDIRECT_*)."""
        self.paths += ["/alias.txt", "/alias.json", "/sub/alias.txt"]
        lines = ["RewriteEngine On", r"RewriteRule ^alias\.(txt|json)$ data.json [E=RWE:yes,L]",
                 "Header always set Access-Control-Allow-Origin https://app.example.com env=RWE",
                 'Header always set Access-Control-Allow-Credentials "%{REDIRECT_RWE}e" env=REDIRECT_RWE']
        if self.override in ("All", "FileInfo", "FileInfo AuthConfig") and "" not in self.htaccess \
                and self.chance(0.5):
            self.htaccess[""] = "\n".join(lines) + "\n"
            return []
        return _section(f"<Directory {self.root}/sub>", lines) if self.chance(0.3) else \
            _section(f"<Directory {self.root}>", lines)

    def slot_errors(self) -> list[str]:
        self.paths += ["/missing.txt", "/private/secret.txt"]
        return [self.r.choice(["ErrorDocument 404 /errors/404.html", 'ErrorDocument 404 "not here"',
                               "ErrorDocument 404 https://errors.example/404",
                               "ErrorDocument 403 /errors/404.html", 'ErrorDocument 401 "who are you"'])]

    # -- the vhost ----------------------------------------------------------------
    def build(self) -> Config:
        r = self.r
        self.override = r.choice(["None", "All", "All", "FileInfo", "FileInfo AuthConfig"])
        vhost: list[str] = [f"ServerName {self.host}", f"DocumentRoot {self.root}", "ProxyPreserveHost On"]
        if self.chance(0.45):
            vhost += self.allowlist()
        if self.chance(0.45):
            vhost += self.header_lines()
        if self.chance(0.35):
            vhost += self.preflight_rewrite(r.choice(["^/api/", "^/", "^/(api|sub)/", "^(.*)$"]))
        if self.chance(0.25):
            vhost += self.if_block()
        reads_user_agent = self.ua.random() < 0.2
        if reads_user_agent:
            vhost += self.user_agent_lines()
        slots = [Gen.slot_api, Gen.slot_versioned, Gen.slot_private, Gen.slot_files, Gen.slot_redirects,
                 Gen.slot_location, Gen.slot_htaccess, Gen.slot_errors, Gen.slot_internal_rewrite]
        sections = self.slot_root()
        for slot in r.sample(slots, r.randint(1, 4)):
            sections += slot(self)
        if self.chance(0.3):   # the docroot <Directory> need not come first
            vhost += sections
        else:
            vhost = vhost[:3] + sections + vhost[3:]
        paths = sorted(set(self.paths))
        r.shuffle(paths)
        text = "<VirtualHost *:@@PORT@@>\n" + "\n".join(f"    {x}" for x in vhost) + "\n</VirtualHost>\n"
        return Config(self.seed, self.host, text, paths[: r.randint(1, 3)], dict(self.htaccess), reads_user_agent,
                      Backend(get_status=r.choice([200, 200, 404, 500]),
                              options_status=r.choice([204, 200, 404, 405]),
                              headers=r.choice([
                                  [("Access-Control-Allow-Origin", BACKEND_ORIGIN), ("Vary", "Origin")],
                                  [("Access-Control-Allow-Origin", "*"), ("Vary", "Accept-Encoding"),
                                   ("Access-Control-Allow-Credentials", "true")],
                                  [("Vary", "Origin"), ("X-Other", "1")],
                                  [("Access-Control-Allow-Origin", BACKEND_ORIGIN),
                                   ("Access-Control-Allow-Methods", "GET, PUT")],
                              ])))


def generate(seed: int) -> Config:
    return Gen(seed).build()


# ----------------------------------------------------------------------------- batches


#: per batch (round robin): what the server level adds for every vhost
SERVER_LEVEL = [
    [],
    ["Header always set Access-Control-Expose-Headers X-Server-Level", "Header merge Vary Accept-Encoding"],
    [r'SetEnvIf Origin "^https://admin\.example\.com$" CORS_OK=1',
     "Header always set X-Server-Level yes env=CORS_OK"],
]


class Batch:
    """One Apache with BATCH generated vhosts and one backend."""

    def __init__(self, index: int):
        self.index = index
        self.configs = {seed: generate(seed) for seed in range(index * BATCH, (index + 1) * BATCH)}
        self.by_host = {c.host: c for c in self.configs.values()}
        self.upstream = Upstream(responder=self.respond)
        self.apache: ApacheServer | None = None
        self.model = None
        self.error: str | None = None

    def respond(self, method: str, path: str, headers):
        """Answer as the vhost's Backend (the Host header names the vhost)."""
        sent = {n.lower(): v for n, v in headers}
        config = self.by_host.get(sent.get("host", "").split(":")[0])
        if config is None or config.backend is None:
            return 599, [], b"unknown vhost"
        return config.backend.answer(method)

    def site_config(self) -> str:
        lines = list(SERVER_LEVEL[self.index % len(SERVER_LEVEL)])
        lines += [c.vhost for c in self.configs.values()]
        return "\n".join(lines) + "\n"

    def files(self) -> dict[str, bytes]:
        return {f"c{seed}/{rel}": content for seed in self.configs for rel, content in FILES.items()}

    def htaccess(self) -> dict[str, str]:
        return {f"c{seed}/{rel}".rstrip("/"): text for seed, config in self.configs.items()
                for rel, text in config.htaccess.items()}

    def start(self) -> None:
        self.upstream.start()
        try:
            self.apache = ApacheServer(self.site_config(), files=self.files(), upstream=self.upstream,
                                       htaccess=self.htaccess())
            self.apache.start()
        except ApacheError as exc:
            self.error = str(exc)
            return
        self.model = load(self.apache.conf_path)
        assert not self.model.parsed.errors, self.model.parsed.errors
        for rel in self.htaccess():
            directory = os.path.join(self.apache.root, rel)
            errors = self.model.add_htaccess(directory, os.path.join(directory, ".htaccess"))
            assert not errors, errors

    def stop(self) -> None:
        if self.apache is not None:
            self.apache.stop()
        self.upstream.stop()


@pytest.fixture(scope="module")
def batches():
    holder = Batches(Batch, BATCH)
    yield holder
    holder.close()


@pytest.mark.parametrize("seed", SEEDS)
def test_generated_vhost_matches_apache(seed: int, batches: Batches) -> None:
    require_apache()
    batch = batches.get(seed)
    if batch.error:
        pytest.fail(f"batch of seed {seed} did not start:\n{batch.error}", pytrace=False)
    assert batch.apache is not None and batch.model is not None
    config = batch.configs[seed]
    backend = config.backend
    assert backend is not None

    def upstream_for(method: str) -> ModelUpstream:
        status, headers, _ = backend.answer(method)
        return ModelUpstream(status, headers)

    base = f"http://{config.host}:{batch.apache.port}"
    urls = [base + path for path in config.paths]
    _, problems = differences(batch.apache, batch.model, urls, (TRUSTED, HOSTILE, NULL), upstream_for)
    for client in OTHER_CLIENTS if config.reads_user_agent else ():
        problems += differences(batch.apache, batch.model, urls, (TRUSTED, HOSTILE), upstream_for,
                                label=f"[{client[0][1] or 'empty User-Agent'}] ", client_headers=client)[1]
    if problems:
        htaccess = "".join(f"\n--- .htaccess in /{rel} ---\n{text}" for rel, text in config.htaccess.items())
        pytest.fail(f"vhost {seed}: {len(problems)} answers differ from Apache\n" + "\n".join(problems)
                    + "\n--- vhost ---\n" + config.vhost + htaccess + f"\n--- backend: {backend}"
                    + f"\n--- server level: {SERVER_LEVEL[seed // BATCH % len(SERVER_LEVEL)]}", pytrace=False)
