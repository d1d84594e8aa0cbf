"""Run a real nginx on 127.0.0.1 for live tests (stdlib only, plus pytest for
``require_nginx``).

Usage::

    from .nginx_harness import NginxServer, Upstream, require_nginx, server_block

    def test_something():
        require_nginx()
        with Upstream() as up, NginxServer(
            '''
            server {
                listen 127.0.0.1:@@PORT@@;
                root @@ROOT@@;
                location /api/ { proxy_pass http://@@UPSTREAM@@; }
                location / { add_header X-A 1; }
            }
            ''',
            files={"index.html": b"hi"},
            upstream=up,
        ) as ngx:
            status, headers = ngx.request("GET", "/", headers=[("Origin", "https://a.example")])

Placeholders (chosen so they never clash with nginx braces or ``$vars``):

- ``@@PORT@@``     the port nginx listens on (pick ``listen 127.0.0.1:@@PORT@@;``)
- ``@@UPSTREAM@@`` ``127.0.0.1:<port>`` of the ``Upstream`` passed as ``upstream=``
- ``@@ROOT@@``     absolute path of the temporary docroot (``files`` are created there)
- ``@@PREFIX@@``   absolute path of the temporary nginx prefix (conf, logs, temp dirs)

The generated ``nginx.conf`` loads the headers-more module when present, runs
in the foreground (``daemon off``) with one worker, keeps pid/logs/temp paths
inside the prefix and uses ``user root;`` only when running as root. The config
is checked with ``nginx -t`` first; failures raise ``NginxError`` carrying
nginx's stderr and the generated config. Every wait is bounded; the process
group and temp directory are cleaned up on exit, even when start-up fails.

``NginxServer.from_full_config(text, ...)`` adapts a complete sample config
(``http { ... }`` with ``user``/``pid``/``events``..., or just ``server``
blocks) so it can run here: see its docstring.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
from collections.abc import Mapping

from .server_process import START_TIMEOUT, STOP_TIMEOUT, LoopbackServer, write_files
from .upstream import Upstream

__all__ = [
    "HEADERS_MORE_MODULE",
    "NginxError",
    "NginxServer",
    "Upstream",
    "headers_more_module",
    "nginx_available",
    "require_nginx",
    "server_block",
]

NGINX_CANDIDATES = ("/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx")
HEADERS_MORE_MODULE = "ngx_http_headers_more_filter_module.so"
MODULE_DIRS = ("/usr/lib/nginx/modules", "/usr/lib64/nginx/modules", "/usr/local/nginx/modules")

class NginxError(RuntimeError):
    """nginx -t failed, nginx did not start, or did not answer in time."""


# --------------------------------------------------------------------------- discovery


def nginx_available() -> str | None:
    """Path of a usable nginx binary, or None. ``$CORSLINT_NGINX`` overrides."""
    override = os.environ.get("CORSLINT_NGINX")
    if override:
        return override if os.access(override, os.X_OK) else None
    found = shutil.which("nginx")
    if found:
        return found
    for cand in NGINX_CANDIDATES:
        if os.access(cand, os.X_OK):
            return cand
    return None


def headers_more_module() -> str | None:
    """Path of the headers-more dynamic module, or None.
    ``$CORSLINT_NGINX_MODULES`` (a directory) overrides the search path."""
    dirs = [os.environ["CORSLINT_NGINX_MODULES"]] if os.environ.get("CORSLINT_NGINX_MODULES") else MODULE_DIRS
    for d in dirs:
        path = os.path.join(d, HEADERS_MORE_MODULE)
        if os.path.isfile(path):
            return path
    return None


def require_nginx(headers_more: bool = False) -> str:
    """Return the nginx path; skip the test (visibly) when nginx is missing,
    but fail it when running in CI (``CI=true``), where nginx must be there."""
    import pytest

    missing = None
    binary = nginx_available()
    if binary is None:
        missing = "nginx binary not found (set CORSLINT_NGINX or install nginx)"
    elif headers_more and headers_more_module() is None:
        missing = f"nginx module {HEADERS_MORE_MODULE} not found (install libnginx-mod-http-headers-more-filter)"
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"live test needs nginx in CI: {missing}", pytrace=False)
        pytest.skip(f"live nginx test skipped: {missing}")
    assert binary is not None
    return binary


# --------------------------------------------------------------------------- helpers


def server_block(body: str, server_name: str = "localhost", extra_listen: str = "") -> str:
    """A ``server { ... }`` listening on ``127.0.0.1:@@PORT@@`` with ``root @@ROOT@@``."""
    return (
        "server {\n"
        f"    listen 127.0.0.1:@@PORT@@{(' ' + extra_listen) if extra_listen else ''};\n"
        f"    server_name {server_name};\n"
        "    root @@ROOT@@;\n"
        f"{body}\n"
        "}\n"
    )


def _mime_types_include() -> str:
    if os.path.isfile("/etc/nginx/mime.types"):
        return "include /etc/nginx/mime.types;"
    return "types { text/html html htm; text/css css; application/javascript js; application/json json; }"


# --------------------------------------------------------------------------- server


class NginxServer(LoopbackServer):
    """A real nginx on 127.0.0.1 with a random free port; a context manager.

    ``http_config`` goes inside ``http { ... }``; see the module docstring for
    placeholders. ``files`` maps docroot-relative paths to contents.
    ``main_prefix_config`` goes at the top of nginx.conf (main context, before
    ``events``)."""

    NAME = "nginx"
    CHECK = "nginx -t"
    Error = NginxError
    KEEP_PREFIX_ENV = "CORSLINT_KEEP_NGINX_PREFIX"
    #: graceful (SIGQUIT) first, then fast
    STOP_SIGNALS = ((signal.SIGQUIT, STOP_TIMEOUT), (signal.SIGTERM, 2.0))

    def __init__(
        self,
        http_config: str,
        files: Mapping[str, bytes] | None = None,
        main_prefix_config: str = "",
        upstream: Upstream | None = None,
        *,
        headers_more: bool | None = None,
        binary: str | None = None,
        start_timeout: float = START_TIMEOUT,
    ) -> None:
        super().__init__(binary or nginx_available(), start_timeout, upstream)
        self.http_config = http_config
        self.files = dict(files or {})
        self.main_prefix_config = main_prefix_config
        # None: load headers-more when installed; True: require it; False: never.
        self.headers_more = headers_more

    # ---------------------------------------------------------------- config

    def render_config(self) -> str:
        load = ""
        module = None if self.headers_more is False else headers_more_module()
        if self.headers_more and module is None:
            raise NginxError(f"headers-more requested but {HEADERS_MORE_MODULE} not found")
        if module:
            load = f"load_module {module};\n"
        user = "user root;\n" if os.geteuid() == 0 else ""
        p = self.prefix
        return (
            f"{load}{user}"
            "daemon off;\n"
            "master_process on;\n"
            "worker_processes 1;\n"
            f"pid {p}/nginx.pid;\n"
            f"error_log {p}/logs/error.log info;\n"
            f"{self._substitute(self.main_prefix_config)}\n"
            "events { worker_connections 64; }\n"
            "http {\n"
            f"    {_mime_types_include()}\n"
            "    default_type application/octet-stream;\n"
            f"    access_log {p}/logs/access.log;\n"
            f"    client_body_temp_path {p}/tmp/client_body;\n"
            f"    proxy_temp_path {p}/tmp/proxy;\n"
            f"    fastcgi_temp_path {p}/tmp/fastcgi;\n"
            f"    uwsgi_temp_path {p}/tmp/uwsgi;\n"
            f"    scgi_temp_path {p}/tmp/scgi;\n"
            "    # ---- test config ----\n"
            f"{self._substitute(self.http_config)}\n"
            "}\n"
        )

    # ---------------------------------------------------------------- lifecycle

    def _prepare_prefix(self) -> None:
        p = self.prefix
        self.root = os.path.join(p, "html")
        for d in ("html", "logs", "tmp", "conf"):
            os.makedirs(os.path.join(p, d), exist_ok=True)
        write_files(self.root, self.files)
        self.conf_path = os.path.join(p, "conf", "nginx.conf")

    def _cmd(self, *extra: str) -> list[str]:
        assert self.binary is not None
        return [self.binary, "-p", self.prefix + "/", "-e", f"{self.prefix}/logs/error.log", "-c", self.conf_path, *extra]

    # ---------------------------------------------------------------- samples

    @classmethod
    def from_full_config(
        cls,
        text: str,
        files: Mapping[str, bytes] | None = None,
        upstream: Upstream | None = None,
        *,
        rewrite_root: bool = True,
        **kwargs: object,
    ) -> NginxServer:
        """Build a server from a complete sample config (``nginx.conf`` with
        ``http { ... }``, or a bare ``server { ... }`` / conf.d snippet).

        Rewrites so it can run unprivileged in a sandbox: keeps only the
        ``http`` block's body (drops main/events directives: user, pid,
        worker_*, error_log, include of modules); in every ``server`` the first
        ``listen`` becomes ``listen 127.0.0.1:@@PORT@@`` and further ones are
        dropped (no ssl/http2/default_server flags); ``ssl_*`` directives,
        ``access_log``/``error_log`` and ``include`` of anything but
        ``mime.types`` are dropped; ``proxy_pass``/``fastcgi_pass``/... to any
        host go to ``@@UPSTREAM@@`` when an upstream is given; ``root`` and
        ``alias`` point into ``@@ROOT@@`` when ``rewrite_root``
        (``root /var/www/x`` -> ``@@ROOT@@``; ``alias /srv/a/`` ->
        ``@@ROOT@@/srv/a/``). ``upstream {}`` blocks get their ``server``
        lines replaced by ``@@UPSTREAM@@`` when an upstream is given."""
        tree = _parse(text)
        http_blocks = [d for d in tree if d.name == "http"]
        body = http_blocks[0].block if http_blocks else [
            d for d in tree if d.name not in _MAIN_ONLY and d.name != "events"
        ]
        body = _adapt(body or [], upstream is not None, rewrite_root, parent=None)
        return cls(_dump(body), files=files, upstream=upstream, **kwargs)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- mini parser for samples

_MAIN_ONLY = {
    "user", "pid", "worker_processes", "worker_rlimit_nofile", "worker_cpu_affinity",
    "error_log", "load_module", "daemon", "master_process", "env", "pcre_jit", "include",
}
_PASS = {"proxy_pass", "fastcgi_pass", "uwsgi_pass", "scgi_pass", "grpc_pass"}
_TOKEN = re.compile(r"""\s+|#[^\n]*|"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|[{};]|(?:\\.|\$\{|[^\s{};"'])+""")


class _Directive:
    __slots__ = ("name", "args", "block")

    def __init__(self, name: str, args: list[str], block: list[_Directive] | None) -> None:
        self.name, self.args, self.block = name, args, block


def _parse(text: str) -> list[_Directive]:
    tokens = [t for t in _TOKEN.findall(text) if t.strip() and not t.startswith("#")]
    pos = 0

    def parse_block() -> list[_Directive]:
        nonlocal pos
        out: list[_Directive] = []
        words: list[str] = []
        while pos < len(tokens):
            tok = tokens[pos]
            pos += 1
            if tok == ";":
                if words:
                    out.append(_Directive(words[0], words[1:], None))
                words = []
            elif tok == "{":
                name, args = (words[0], words[1:]) if words else ("", [])
                out.append(_Directive(name, args, parse_block()))
                words = []
            elif tok == "}":
                return out
            else:
                words.append(tok)
        return out

    return parse_block()


def _dump(block: list[_Directive], indent: int = 0) -> str:
    pad = "    " * indent
    lines = []
    for d in block:
        head = " ".join([d.name, *d.args])
        if d.block is None:
            lines.append(f"{pad}{head};")
        else:
            lines.append(f"{pad}{head} {{")
            lines.append(_dump(d.block, indent + 1))
            lines.append(f"{pad}}}")
    return "\n".join(lines)


def _unquote(s: str) -> str:
    return s[1:-1] if len(s) >= 2 and s[0] == s[-1] and s[0] in "\"'" else s


def _adapt(block: list[_Directive], has_upstream: bool, rewrite_root: bool, parent: str | None) -> list[_Directive]:
    out: list[_Directive] = []
    seen_listen = False
    for d in block:
        name = d.name
        if name in ("access_log", "error_log", "http2") or name.startswith("ssl_"):
            continue
        if name == "listen" and parent != "server":
            continue
        if name == "include":
            continue  # mime.types is already included by the harness; other files are not here
        if name == "listen":
            if seen_listen:
                continue
            seen_listen = True
            out.append(_Directive("listen", ["127.0.0.1:@@PORT@@"], None))
            continue
        if name in _PASS and has_upstream and d.args:
            target = _unquote(d.args[0])
            m = re.match(r"^(\w+://)?([^/]*)(.*)$", target)
            scheme = "http://" if name == "proxy_pass" else ""
            path = m.group(3) if m else ""
            out.append(_Directive(name, [f"{scheme}@@UPSTREAM@@{path}"], None))
            continue
        if parent == "upstream" and name == "server":
            if has_upstream:
                if not any(x.name == "server" for x in out):
                    out.append(_Directive("server", ["@@UPSTREAM@@"], None))
                continue
        if rewrite_root and name == "root" and d.args:
            out.append(_Directive("root", ["@@ROOT@@"], None))
            continue
        if rewrite_root and name == "alias" and d.args:
            out.append(_Directive("alias", ["@@ROOT@@" + _unquote(d.args[0])], None))
            continue
        if d.block is not None:
            out.append(_Directive(name, d.args, _adapt(d.block, has_upstream, rewrite_root, name)))
        else:
            out.append(d)
    if parent == "server" and not seen_listen:
        out.insert(0, _Directive("listen", ["127.0.0.1:@@PORT@@"], None))
    return out
