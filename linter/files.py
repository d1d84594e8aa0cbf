"""Which files to lint and what kind each one is.

Folders are walked (hidden folders, `node_modules` and virtualenvs are
skipped); a file is classified by its name first and its content second,
reading only its first few kilobytes.
"""

from __future__ import annotations

import os
import re

KINDS = ("nginx", "apache", "django", "flask", "starlette", "express", "yaml")
_SKIP_DIRS = {"node_modules", "__pycache__", "venv", ".venv", "site-packages"}
#: lines that only Apache (or only nginx) configuration starts with; patterns
#: that `re`'s cache compiles when a file needs them
_APACHE_HINT = (rb"(?im)^\s*(<VirtualHost|<Directory|<IfModule|<Location|Header\s+(always\s+)?"
                rb"(set|add|append|merge|unset)|RewriteRule|RewriteEngine|SetEnvIf)")
_NGINX_HINT = (rb"(?m)^\s*(server\s*\{|location\s|add_header\s|more_set_headers|proxy_pass\s|map\s+\$|"
               rb"if\s*\(\s*\$|http\s*\{|events\s*\{|upstream\s+\S+\s*\{|include\s+\S+;|return\s+\d)")


#: how a line that _APACHE_HINT matches starts (lower-cased, after its indentation)
_APACHE_LINE_STARTS = (b"<virtualhost", b"<directory", b"<ifmodule", b"<location", b"header", b"rewriterule",
                       b"rewriteengine", b"setenvif")


def _looks_apache(head: bytes) -> bool:
    """_APACHE_HINT matches: a line-start test first, so an nginx file never
    compiles the pattern (a third of a millisecond of a pre-commit run)."""
    if not any(line.lstrip().startswith(_APACHE_LINE_STARTS) for line in head.lower().splitlines()):
        return False
    return re.search(_APACHE_HINT, head) is not None


#: endings of files that are never server configuration (docs, data, code of other kinds)
_NOT_CONFIG = (".md", ".rst", ".txt", ".json", ".lock", ".png", ".jpg", ".gif", ".svg", ".html", ".css",
               ".pem", ".key", ".crt", ".gz", ".zip", ".pyc", ".sh", ".toml", ".ini", ".cfg", ".erb", ".tpl",
               ".j2", ".jinja", ".example", ".sample")
_MANIFESTS = (".yaml", ".yml", ".toml")
_PYTHON = (".py",)
_JAVASCRIPT = (".js", ".mjs", ".cjs", ".ts", ".mts", ".cts")


def classify(path: str) -> str | None:
    """The kind of a file, or None when corslint has nothing to say about it."""
    name = os.path.basename(path)
    lower = name.lower()
    if lower.endswith(_PYTHON + _JAVASCRIPT):
        return _application_kind(path, lower)
    if lower.endswith(_MANIFESTS):
        from .platforms.sniff import looks_like_manifest

        head = _head(path, 1 << 20)
        return "yaml" if head and looks_like_manifest(head) else None
    if lower.endswith(_NOT_CONFIG):
        return None
    parent = os.path.basename(os.path.dirname(path))
    if name in ("httpd.conf", "apache2.conf", ".htaccess") or name.endswith(".htaccess"):
        return "apache"
    head = _head(path)
    if head is None:
        return None
    if name == "nginx.conf" or name.endswith(".nginx"):
        return "nginx"
    if name.endswith(".conf") or parent.startswith(("sites-", "conf.d", "snippets")) or name in ("nginx.tmpl",):
        if _looks_apache(head) and not re.search(_NGINX_HINT, head):
            return "apache"
        if name.endswith(".conf") or re.search(_NGINX_HINT, head):
            return "nginx"
    if b"{" in head and re.search(_NGINX_HINT, head) and not _looks_apache(head):
        return "nginx"
    return None


def explicit_kind(path: str) -> str | None:
    """The kind of a file named on the command line: as classified, else
    nginx (snippets such as `cors` or `api.inc` have no telling name), unless
    the name says it is another language (`app.py` without CORS settings, a
    ConfigMap manifest, `README.md`): then None, nothing to read."""
    kind = classify(path)
    if kind is None and not path.lower().endswith(_PYTHON + _JAVASCRIPT + _MANIFESTS + _NOT_CONFIG):
        return "nginx"
    return kind


def _head(path: str, size: int = 8192) -> bytes | None:
    if not os.path.isfile(path):
        return None    # a FIFO or a device would block or never end
    try:
        with open(path, "rb") as fh:
            return fh.read(size)
    except OSError:
        return None


def expand(paths: list[str]) -> list[tuple[str, bool]]:
    """(path, given explicitly) for every file below the given paths."""
    out: list[tuple[str, bool]] = []
    for path in paths:
        if os.path.isdir(path):
            for folder, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIP_DIRS)
                for name in sorted(files):
                    if name.startswith(".") and name != ".htaccess":
                        continue
                    # normalized, so `corslint .` names files as their includers do
                    full = os.path.normpath(os.path.join(folder, name))
                    if not os.path.isfile(full):
                        continue    # FIFOs, sockets, devices, dangling links: never configuration
                    out.append((full, False))
        else:
            out.append((path, True))
    return out


_TEMPLATE_MARKUP = (("{{", "Go/Helm/Jinja"), ("{%", "Jinja"), ("<%", "ERB"))


def template_kind(path: str) -> str | None:
    """The template language a file is written in (`{{ }}`, `{% %}`,
    `<% %>`), or None.  Such a file is not configuration until rendered."""
    head = _head(path, 1 << 20) or b""
    for marker, kind in _TEMPLATE_MARKUP:
        if marker.encode() in head:
            return kind
    return None


#: what an application file that configures CORS contains (patterns, compiled
#: by `re`'s cache at first use: a run without such files never pays for them)
_DJANGO = (rb"corsheaders|\bCORS_(ALLOWED_ORIGINS|ALLOW_ALL_ORIGINS|ORIGIN_WHITELIST|ORIGIN_ALLOW_ALL|"
           rb"ALLOWED_ORIGIN_REGEXES|ORIGIN_REGEX_WHITELIST)\b")
_FLASK = rb"\bflask_cors\b"
_STARLETTE = rb"\bCORSMiddleware\b"
_EXPRESS = (rb"""require\(\s*['"]cors['"]\s*\)|from\s+['"]cors['"]|"""
            rb"""(?i:access-control-allow-origin)['"]?\s*[,)]""")


def _application_kind(path: str, lower: str) -> str | None:
    """The framework an application file configures CORS for, by its content."""
    head = _head(path, 1 << 20)
    if head is None:
        return None
    if lower.endswith(_PYTHON):
        if re.search(_DJANGO, head):
            return "django"
        if re.search(_STARLETTE, head):
            return "starlette"
        if re.search(_FLASK, head):
            return "flask"
        return None
    return "express" if re.search(_EXPRESS, head) else None
