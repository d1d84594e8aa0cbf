"""Run a real Apache httpd (2.4) on 127.0.0.1 for live tests (stdlib only,
plus pytest for ``require_apache``). The counterpart of ``nginx_harness``.

Usage::

    from .apache_harness import ApacheServer, Upstream, require_apache, vhost_block

    def test_something():
        require_apache()
        with Upstream() as up, ApacheServer(
            vhost_block('''
                <Directory @@ROOT@@>
                    AllowOverride All
                </Directory>
                ProxyPass /api/ http://@@UPSTREAM@@/api/
                Header always set X-A 1
            '''),
            files={"index.html": b"hi"},
            htaccess={"": "Header set X-B 2"},
            upstream=up,
        ) as apache:
            status, headers = apache.request("GET", "/", headers=[("Origin", "https://a.example")])

Placeholders (substituted in ``site_config`` and in ``htaccess`` texts):

- ``@@PORT@@``      the port Apache listens on (``Listen 127.0.0.1:<port>`` is
                    generated; use ``<VirtualHost *:@@PORT@@>`` for vhosts)
- ``@@UPSTREAM@@``  ``127.0.0.1:<port>`` of the ``Upstream`` passed as ``upstream=``
- ``@@ROOT@@``      absolute path of the temporary docroot (``files`` are created there)
- ``@@PREFIX@@``    absolute path of the temporary ServerRoot (conf, logs, runtime)
- ``@@HTPASSWD@@``  a generated htpasswd file (``htpasswd=`` users, default
                    ``user``/``pass``), for ``AuthUserFile``

The generated ``httpd.conf`` never reads ``/etc/apache2``: it loads the
modules in ``DEFAULT_MODULES`` (plus ``extra_modules=``) from the Debian module
directory, uses mpm_event with a handful of threads, keeps PidFile, ErrorLog,
Mutex and DefaultRuntimeDir in the prefix, and sets ``User``/``Group``
(``www-data``, else ``nobody``) only when running as root (Apache refuses to
serve as root), in which case the prefix is made world-readable. The server
level has ``ServerName localhost``, ``DocumentRoot @@ROOT@@``,
``<Directory />`` denied with ``AllowOverride None`` and
``<Directory @@PREFIX@@>`` granted; ``site_config`` follows at server level.
The config is checked with ``apache2 -t`` first (``ApacheError`` carries
stderr and the config); Apache runs with ``-DFOREGROUND`` in its own process
group; every wait is bounded; the temp prefix is always removed (set
``CORSLINT_KEEP_APACHE_PREFIX=1`` to keep it). Start-up takes ~20-40 ms.

``ApacheServer.from_site_config(text, ...)`` adapts a complete sample vhost /
site file: see its docstring.
"""

from __future__ import annotations

import base64
import hashlib
import os
import pwd
import re
import shutil
from collections.abc import Iterable, Mapping

from .server_process import START_TIMEOUT, LoopbackServer, write_files
from .upstream import Upstream

__all__ = [
    "DEFAULT_MODULES",
    "ApacheError",
    "ApacheServer",
    "Upstream",
    "apache_available",
    "apache_module_dir",
    "require_apache",
    "vhost_block",
]

APACHE_CANDIDATES = ("/usr/sbin/apache2", "/usr/sbin/httpd", "/usr/local/apache2/bin/httpd")
MODULE_DIRS = ("/usr/lib/apache2/modules", "/usr/lib64/httpd/modules", "/usr/local/apache2/modules")

# (module identifier, file name). Order matters only for mpm (first).
DEFAULT_MODULES: tuple[tuple[str, str], ...] = (
    ("mpm_event_module", "mod_mpm_event.so"),
    ("unixd_module", "mod_unixd.so"),  # built in on Debian; loaded only if a .so exists
    ("authz_core_module", "mod_authz_core.so"),
    ("authz_host_module", "mod_authz_host.so"),
    ("authz_user_module", "mod_authz_user.so"),
    ("authn_core_module", "mod_authn_core.so"),
    ("authn_file_module", "mod_authn_file.so"),
    ("auth_basic_module", "mod_auth_basic.so"),
    ("headers_module", "mod_headers.so"),
    ("rewrite_module", "mod_rewrite.so"),
    ("setenvif_module", "mod_setenvif.so"),
    ("alias_module", "mod_alias.so"),
    ("dir_module", "mod_dir.so"),
    ("mime_module", "mod_mime.so"),
    ("env_module", "mod_env.so"),
    ("proxy_module", "mod_proxy.so"),
    ("proxy_http_module", "mod_proxy_http.so"),
    ("log_config_module", "mod_log_config.so"),  # built in on Debian
    ("autoindex_module", "mod_autoindex.so"),
)

class ApacheError(RuntimeError):
    """apache2 -t failed, Apache did not start, or did not answer in time."""


# --------------------------------------------------------------------------- discovery


def apache_available() -> str | None:
    """Path of a usable apache2/httpd binary, or None. ``$CORSLINT_APACHE`` overrides."""
    override = os.environ.get("CORSLINT_APACHE")
    if override:
        return override if os.access(override, os.X_OK) else None
    for cand in APACHE_CANDIDATES:
        if os.access(cand, os.X_OK):
            return cand
    for name in ("apache2", "httpd"):
        found = shutil.which(name)
        if found:
            return found
    return None


def apache_module_dir() -> str | None:
    """Directory holding mod_headers.so etc. ``$CORSLINT_APACHE_MODULES`` overrides."""
    dirs = [os.environ["CORSLINT_APACHE_MODULES"]] if os.environ.get("CORSLINT_APACHE_MODULES") else MODULE_DIRS
    for d in dirs:
        if os.path.isfile(os.path.join(d, "mod_headers.so")):
            return d
    return None


def require_apache() -> str:
    """Return the apache binary path; skip the test (visibly) when Apache or its
    modules are missing, but fail it in CI (``CI=true``)."""
    import pytest

    missing = None
    binary = apache_available()
    if binary is None:
        missing = "apache2 binary not found (set CORSLINT_APACHE or install apache2)"
    elif apache_module_dir() is None:
        missing = "Apache module directory with mod_headers.so not found (set CORSLINT_APACHE_MODULES)"
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"live test needs Apache in CI: {missing}", pytrace=False)
        pytest.skip(f"live Apache test skipped: {missing}")
    assert binary is not None
    return binary


# --------------------------------------------------------------------------- helpers


def vhost_block(body: str, server_name: str = "localhost", aliases: Iterable[str] = ()) -> str:
    """A ``<VirtualHost *:@@PORT@@>`` with ``ServerName`` and ``DocumentRoot @@ROOT@@``."""
    alias_line = f"    ServerAlias {' '.join(aliases)}\n" if aliases else ""
    return (
        "<VirtualHost *:@@PORT@@>\n"
        f"    ServerName {server_name}\n"
        f"{alias_line}"
        "    DocumentRoot @@ROOT@@\n"
        f"{body}\n"
        "</VirtualHost>\n"
    )


def _run_as() -> tuple[str, str] | None:
    """(user, group) for User/Group when root, else None."""
    if os.geteuid() != 0:
        return None
    for user, group in (("www-data", "www-data"), ("daemon", "daemon"), ("nobody", "nogroup"), ("nobody", "nobody")):
        try:
            pwd.getpwnam(user)
            import grp

            grp.getgrnam(group)
            return user, group
        except KeyError:
            continue
    raise ApacheError("running as root but no unprivileged user (www-data/daemon/nobody) exists")


def _htpasswd_line(user: str, password: str) -> str:
    digest = base64.b64encode(hashlib.sha1(password.encode()).digest()).decode()  # Apache {SHA} scheme
    return f"{user}:{{SHA}}{digest}\n"


# --------------------------------------------------------------------------- server


class ApacheServer(LoopbackServer):
    """A real Apache on 127.0.0.1 with a random free port; a context manager.

    ``site_config`` goes at server level after the harness' base config (see
    the module docstring for placeholders). ``files`` maps docroot-relative
    paths to contents (``"sub/"`` with an empty value makes just a directory).
    ``htaccess`` maps docroot-relative directories (``""`` is the docroot) to
    ``.htaccess`` texts. ``htpasswd`` maps users to passwords for
    ``@@HTPASSWD@@``. ``extra_modules`` are module file stems or file names
    (``"cgi"``, ``"mod_cgi.so"``) loaded as well."""

    NAME = "apache"
    CHECK = "apache2 -t"
    Error = ApacheError
    KEEP_PREFIX_ENV = "CORSLINT_KEEP_APACHE_PREFIX"
    RUN_ARGS = ("-DFOREGROUND",)    # SIGTERM (the default stop) is Apache's immediate stop

    def __init__(
        self,
        site_config: str,
        files: Mapping[str, bytes] | None = None,
        upstream: Upstream | None = None,
        htaccess: Mapping[str, str] | None = None,
        *,
        htpasswd: Mapping[str, str] | None = None,
        extra_modules: Iterable[str] = (),
        log_level: str = "warn",
        binary: str | None = None,
        start_timeout: float = START_TIMEOUT,
    ) -> None:
        super().__init__(binary or apache_available(), start_timeout, upstream)
        self.site_config = site_config
        self.files = dict(files or {})
        self.htaccess = dict(htaccess or {})
        self.htpasswd = dict(htpasswd) if htpasswd is not None else {"user": "pass"}
        self.extra_modules = list(extra_modules)
        self.log_level = log_level
        self.htpasswd_path = ""

    # ---------------------------------------------------------------- config

    def _placeholders(self) -> dict[str, str]:
        return {**super()._placeholders(), "@@HTPASSWD@@": self.htpasswd_path}

    def _module_lines(self) -> str:
        mdir = apache_module_dir()
        if mdir is None:
            raise ApacheError("Apache module directory (with mod_headers.so) not found")
        wanted = list(DEFAULT_MODULES)
        for extra in self.extra_modules:
            stem = extra.removesuffix(".so").removeprefix("mod_")
            wanted.append((f"{stem}_module", f"mod_{stem}.so"))
        lines, seen = [], set()
        for ident, fname in wanted:
            if ident in seen:
                continue
            seen.add(ident)
            path = os.path.join(mdir, fname)
            if os.path.isfile(path):
                lines.append(f"LoadModule {ident} {path}")
            elif ident not in ("unixd_module", "log_config_module"):  # usually compiled in
                raise ApacheError(f"Apache module {fname} not found in {mdir}")
        return "\n".join(lines) + "\n"

    def render_config(self) -> str:
        p = self.prefix
        run_as = _run_as()
        user = f"User {run_as[0]}\nGroup {run_as[1]}\n" if run_as else ""
        types = "TypesConfig /etc/mime.types\n" if os.path.isfile("/etc/mime.types") else (
            "AddType text/html .html .htm\nAddType application/json .json\nAddType text/css .css\n"
        )
        return (
            f"ServerRoot {p}\n"
            f"{self._module_lines()}"
            f"{user}"
            f"Listen 127.0.0.1:{self.port}\n"
            "ServerName localhost\n"
            f"PidFile {p}/logs/httpd.pid\n"
            f"DefaultRuntimeDir {p}/run\n"
            f"Mutex file:{p}/run default\n"
            f"ErrorLog {p}/logs/error.log\n"
            f"LogLevel {self.log_level}\n"
            'LogFormat "%h %l %u %t \\"%r\\" %>s %b" common\n'
            f"CustomLog {p}/logs/access.log common\n"
            "StartServers 1\nServerLimit 1\nThreadLimit 16\nThreadsPerChild 16\n"
            "MaxRequestWorkers 16\nMinSpareThreads 1\nMaxSpareThreads 16\n"
            "KeepAlive Off\nTimeout 10\n"
            f"{types}"
            "DirectoryIndex index.html\n"
            f"DocumentRoot {self.root}\n"
            "<Directory />\n    AllowOverride None\n    Require all denied\n</Directory>\n"
            f"<Directory {p}>\n    Require all granted\n</Directory>\n"
            "# ---- test config ----\n"
            f"{self._substitute(self.site_config)}\n"
        )

    # ---------------------------------------------------------------- lifecycle

    def _prepare_prefix(self) -> None:
        p = self.prefix
        self.root = os.path.join(p, "htdocs")
        for d in ("htdocs", "logs", "run", "conf"):
            os.makedirs(os.path.join(p, d), exist_ok=True)
        if os.geteuid() == 0:
            os.chmod(p, 0o755)  # children run as www-data and must read the docroot
        write_files(self.root, self.files)
        self.htpasswd_path = os.path.join(p, "conf", "htpasswd")
        with open(self.htpasswd_path, "w", encoding="utf-8") as fh:
            fh.writelines(_htpasswd_line(u, pw) for u, pw in self.htpasswd.items())
        self.conf_path = os.path.join(p, "conf", "httpd.conf")

    def _before_attempt(self) -> None:
        for rel, text in self.htaccess.items():   # they may name @@PORT@@
            path = os.path.join(self.root, rel.strip("/"))
            if os.path.basename(path) != ".htaccess":
                path = os.path.join(path, ".htaccess")
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(self._substitute(text))

    def _cmd(self, *extra: str) -> list[str]:
        assert self.binary is not None
        return [self.binary, "-f", self.conf_path, "-d", self.prefix, *extra]

    # ---------------------------------------------------------------- samples

    @classmethod
    def from_site_config(
        cls,
        text: str,
        files: Mapping[str, bytes] | None = None,
        upstream: Upstream | None = None,
        htaccess: Mapping[str, str] | None = None,
        **kwargs: object,
    ) -> ApacheServer:
        """Build a server from a complete sample site file (Debian
        ``sites-available/*.conf``, an ``httpd.conf`` fragment, or bare
        directives).

        Rewrites so it can run here: ``Listen``, ``NameVirtualHost``,
        ``ServerRoot``, ``PidFile``, ``User``/``Group``, ``Mutex``,
        ``LoadModule``, ``Include*``, ``ErrorLog``/``CustomLog``/``LogLevel``/
        ``LogFormat``, ``SSL*``, ``Protocols`` and ``DefaultRuntimeDir`` lines
        are dropped; every ``<VirtualHost ...>`` becomes
        ``<VirtualHost *:@@PORT@@>``; ``<IfModule mod_ssl.c>`` wrappers are
        unwrapped (kept content); each ``DocumentRoot X`` becomes
        ``@@ROOT@@`` and paths under X in ``<Directory>``/``<DirectoryMatch>``/
        ``Alias*``/``ScriptAlias`` become ``@@ROOT@@/...``, other absolute
        paths there (except ``<Directory />``) become ``@@ROOT@@<path>``;
        ``ProxyPass``/``ProxyPassMatch``/``ProxyPassReverse``/``BalancerMember``
        and ``[P]`` ``RewriteRule`` targets to http(s)/ws(s) hosts go to
        ``@@UPSTREAM@@`` (scheme http) when an upstream is given;
        ``AuthUserFile`` becomes ``@@HTPASSWD@@``."""
        return cls(adapt_site_config(text, has_upstream=upstream is not None), files=files,
                   upstream=upstream, htaccess=htaccess, **kwargs)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- sample adaptation

_DROP = {
    "listen", "namevirtualhost", "serverroot", "pidfile", "user", "group", "mutex", "loadmodule",
    "loadfile", "include", "includeoptional", "errorlog", "customlog", "transferlog", "loglevel",
    "logformat", "protocols", "defaultruntimedir", "scoreboardfile", "startservers", "serverlimit",
    "maxrequestworkers", "threadsperchild", "keepalive",
}
_PATH_DIRECTIVES = {"alias", "aliasmatch", "scriptalias", "scriptaliasmatch"}
_PROXY = {"proxypass", "proxypassmatch", "proxypassreverse", "balancermember"}
_URL = re.compile(r"^(?:https?|wss?|h2c?)://[^/\s\"]*", re.IGNORECASE)


def _split_args(rest: str) -> list[str]:
    return re.findall(r'"(?:\\.|[^"\\])*"|\S+', rest)


def _unq(s: str) -> str:
    return s[1:-1] if len(s) >= 2 and s[0] == s[-1] and s[0] in "\"'" else s


def adapt_site_config(text: str, has_upstream: bool) -> str:
    """See ``ApacheServer.from_site_config``."""
    # Join continuation lines first.
    text = re.sub(r"\\\n", " ", text)
    lines = text.splitlines()
    docroots: list[str] = []
    for line in lines:
        m = re.match(r"\s*DocumentRoot\s+(\S+)", line, re.IGNORECASE)
        if m:
            docroots.append(_unq(m.group(1)).rstrip("/"))
    docroots.sort(key=len, reverse=True)

    def map_path(p: str) -> str:
        quoted = p[:1] == '"'
        raw = _unq(p)
        if not raw.startswith("/") or raw == "/":
            return p
        for dr in docroots:
            if dr and (raw == dr or raw.startswith(dr + "/")):
                out = "@@ROOT@@" + raw[len(dr):]
                break
        else:
            out = "@@ROOT@@" + raw
        return f'"{out}"' if quoted else out

    def map_regex(rx: str) -> str:
        for dr in docroots:
            for lit in (dr, re.escape(dr), dr.replace(".", r"\.")):
                if lit and lit in rx:
                    return rx.replace(lit, "@@ROOT@@")
        return rx

    def to_upstream(target: str) -> str:
        quoted = target[:1] == '"'
        raw = _unq(target)
        m = _URL.match(raw)
        if not m:
            return target
        out = "http://@@UPSTREAM@@" + raw[m.end():]
        return f'"{out}"' if quoted else out

    out: list[str] = []
    skip_ifmodule_close: list[bool] = []
    for line in lines:
        stripped = line.strip()
        indent = line[: len(line) - len(line.lstrip())]
        if not stripped or stripped.startswith("#"):
            out.append(line)
            continue
        low = stripped.lower()
        if low.startswith("<ifmodule"):
            unwrap = "ssl" in low
            skip_ifmodule_close.append(unwrap)
            if not unwrap:
                out.append(line)
            continue
        if low.startswith("</ifmodule"):
            if skip_ifmodule_close and skip_ifmodule_close.pop():
                continue
            out.append(line)
            continue
        if low.startswith("<virtualhost"):
            out.append(f"{indent}<VirtualHost *:@@PORT@@>")
            continue
        m = re.match(r"<(Directory|DirectoryMatch)\s+(.+?)\s*>$", stripped, re.IGNORECASE)
        if m:
            arg = m.group(2)
            if m.group(1).lower() == "directory" and not arg.startswith("~"):
                arg = map_path(arg)
            else:
                arg = map_regex(arg)
            out.append(f"{indent}<{m.group(1)} {arg}>")
            continue
        name, _, rest = stripped.partition(" ")
        lname = name.lower()
        if lname in _DROP or lname.startswith("ssl"):
            continue
        args = _split_args(rest)
        if lname == "documentroot":
            out.append(f"{indent}DocumentRoot @@ROOT@@")
            continue
        if lname == "authuserfile":
            out.append(f"{indent}AuthUserFile @@HTPASSWD@@")
            continue
        if lname in _PATH_DIRECTIVES and len(args) >= 2:
            target = map_path(args[-1])
            out.append(f"{indent}{name} {' '.join(args[:-1])} {target}")
            continue
        if has_upstream and lname in _PROXY and args:
            out.append(f"{indent}{name} {' '.join(to_upstream(a) for a in args)}")
            continue
        if has_upstream and lname == "rewriterule" and len(args) >= 3 and re.search(r"\bP\b", args[2].upper()):
            out.append(f"{indent}{name} {args[0]} {to_upstream(args[1])} {' '.join(args[2:])}")
            continue
        out.append(line)
    return "\n".join(out) + "\n"
