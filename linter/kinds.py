"""The input kinds corslint reads: one table, one entry per kind.

An entry says everything the rest of the tool needs to know about a kind:
how a file of that kind is recognised (`files.classify` reads the
recognition fields), which function loads it (`engine.load_model`), its
`--type` name (the table's key: `cli` offers them in table order), which
paths the pre-commit hook hands to corslint (`precommit_files`, compared
with `.pre-commit-hooks.yaml` by the tests) and where the fuzz tests find
real inputs of the kind to mutate.  Adding a kind is its package plus one
entry here.

This module is on the start-up path of every lint (a pre-commit hook pays
for it on every commit): it holds plain data and imports nothing; a loader
is named as a "module:function" string and imported only when a file of
its kind is loaded.

Two families of kinds are told apart differently:

* source kinds (application code, platform manifests) have `extensions`: a
  file whose name ends so is of one of them or of none, and its content
  decides which (`sniff`);
* server configuration (nginx, Apache) has no telling extension of its own:
  a name (`nginx.conf`, `httpd.conf`, `.htaccess`) decides alone; a `.conf`
  file, a file in `sites-*/`, `conf.d/` or `snippets/`, and a file named on
  the command line that nothing identifies are nginx, Apache or *not a web
  server configuration* (supervisord, redis, php-fpm, systemd, logrotate...)
  by the shape of their statements (`serverkind.judge`: nginx's `;`-ended
  directives, Apache's section tags and directive names), the `endings`'
  owner breaking a tie; a file that is neither is listed as skipped with
  that reason, and an empty or comment-only one as holding no configuration.
"""

from __future__ import annotations


class Kind:
    """One input kind (the fields are described in __init__)."""

    __slots__ = ("loader", "includes", "extensions", "sniff", "defer_to", "names", "name_endings", "read_to_name",
                 "endings", "folders", "sniffed_names", "sniff_lines", "marker", "hook_extensions", "hook_paths",
                 "seeds")

    def __init__(self, loader: str, *, includes: bool = False, extensions: tuple[str, ...] = (),
                 sniff: bytes | str | None = None, defer_to: tuple[str, ...] = (), names: tuple[str, ...] = (),
                 name_endings: tuple[str, ...] = (), read_to_name: bool = True, endings: tuple[str, ...] = (),
                 folders: tuple[str, ...] = (), sniffed_names: tuple[str, ...] = (),
                 sniff_lines: tuple[bytes, ...] = (), marker: bytes | None = None,
                 hook_extensions: tuple[str, ...] = (), hook_paths: tuple[str, ...] = (),
                 seeds: tuple[tuple[str, tuple[str, ...]], ...] = ()):
        #: "module:function" that loads a file: function(path, display[, root]) -> model
        self.loader = loader
        #: the kind includes other files: its loader takes the configuration root (--root)
        self.includes = includes
        #: (source kinds) lower-cased name endings that make a file this kind or none
        self.extensions = extensions
        #: what the file's first bytes must show: a regex (bytes), or a "module:function"
        #: predicate on those bytes (imported only when a file needs it)
        self.sniff = sniff
        #: (source kinds) kinds that take a file whose content matches both sniffs
        self.defer_to = defer_to
        #: (server kinds) exact file names, and name endings, that are this kind
        self.names = names
        self.name_endings = name_endings
        #: (server kinds) whether a file so named must be readable to be this kind
        #: (when not, an unreadable one is this kind and its loader says why)
        self.read_to_name = read_to_name
        #: (server kinds) name endings whose files are judged by content
        #: (`serverkind`), this kind winning a tie
        self.endings = endings
        #: (server kinds) prefixes of folder names whose files are judged by content
        self.folders = folders
        #: (server kinds) file names judged by content (templates of a configuration)
        self.sniffed_names = sniffed_names
        #: (server kinds) lower-cased line starts without which `sniff` cannot match:
        #: tested first, so a file of another kind never compiles the pattern
        self.sniff_lines = sniff_lines
        #: (server kinds) bytes that, with this kind's sniff and no other's, make any
        #: file this kind whatever its name
        self.marker = marker
        #: extensions (regex fragments, without the dot) and path patterns of the
        #: pre-commit hook's `files`
        self.hook_extensions = hook_extensions
        self.hook_paths = hook_paths
        #: where the fuzz tests find inputs of this kind: (folder relative to the
        #: project root, name endings kept or () for all)
        self.seeds = seeds


#: the folders server configuration is kept in (Debian's sites-available and
#: sites-enabled, conf.d, snippets): the recognition prefixes and the hook's path
_CONFIG_FOLDERS = ("sites-", "conf.d", "snippets")
_CONFIG_FOLDERS_HOOK = r"(^|/)(sites-(available|enabled)|conf\.d|snippets)/[^/]+$"
_CORPUS = "../shared/corpus/"

KINDS: dict[str, Kind] = {
    "nginx": Kind(
        "corslint.nginx.model:load", includes=True,
        names=("nginx.conf",), name_endings=(".nginx",), endings=(".conf",), folders=_CONFIG_FOLDERS,
        sniffed_names=("nginx.tmpl",), marker=b"{",
        sniff=(rb"(?m)^\s*(server\s*\{|location\s|add_header\s|more_set_headers|proxy_pass\s|map\s+\$|"
               rb"if\s*\(\s*\$|http\s*\{|events\s*\{|upstream\s+\S+\s*\{|include\s+\S+;|return\s+\d)"),
        hook_extensions=("conf", "nginx"), hook_paths=(_CONFIG_FOLDERS_HOOK, r"(^|/)nginx\.tmpl$"),
        seeds=(("samples/nginx", ()), (_CORPUS + "nginx-misc", ()), (_CORPUS + "h5bp-server-configs-nginx", ()),
               (_CORPUS + "enable-cors-org", (".conf",)))),
    "apache": Kind(
        "corslint.apache.model:load", includes=True,
        names=("httpd.conf", "apache2.conf"), name_endings=(".htaccess",), read_to_name=False,
        folders=_CONFIG_FOLDERS,
        sniff=(rb"(?im)^\s*(<VirtualHost|<Directory|<IfModule|<Location|Header\s+(always\s+)?"
               rb"(set|add|append|merge|unset)|RewriteRule|RewriteEngine|SetEnvIf)"),
        sniff_lines=(b"<virtualhost", b"<directory", b"<ifmodule", b"<location", b"header", b"rewriterule",
                     b"rewriteengine", b"setenvif"),
        hook_extensions=("conf", "htaccess"), hook_paths=(r"(^|/)\.htaccess$", _CONFIG_FOLDERS_HOOK),
        seeds=(("samples/apache", ()), (_CORPUS + "apache-misc", ()), (_CORPUS + "h5bp-server-configs-apache", ()),
               (_CORPUS + "enable-cors-org", (".htaccess",)))),
    "django": Kind(
        "corslint.apps.django.model:load", extensions=(".py",),
        # a settings module: CORS settings, or a package's modules combined (django-split-settings'
        # include(), `from .cors import *`: linted there, with the other modules of the package)
        sniff=(rb"corsheaders|\bsplit_settings\b|from\s+\.+[\w.]*cors[\w.]*\s+import\s+\*|"
               rb"\bCORS_(ALLOWED_ORIGINS|ALLOW_ALL_ORIGINS|ORIGIN_WHITELIST|ORIGIN_ALLOW_ALL|"
               rb"ALLOWED_ORIGIN_REGEXES|ORIGIN_REGEX_WHITELIST)\b"),
        hook_extensions=("py",), seeds=(("samples/django", (".py",)),)),
    "flask": Kind(
        "corslint.apps.flask.model:load", extensions=(".py",), sniff=rb"\bflask_cors\b", defer_to=("starlette",),
        hook_extensions=("py",), seeds=(("samples/flask", (".py",)),)),
    "starlette": Kind(
        "corslint.apps.starlette.model:load", extensions=(".py",), sniff=rb"\bCORSMiddleware\b",
        hook_extensions=("py",), seeds=(("samples/starlette", (".py",)),)),
    "express": Kind(
        "corslint.apps.express.model:load", extensions=(".js", ".mjs", ".cjs", ".ts", ".mts", ".cts"),
        sniff="corslint.apps.express.sniff:looks_like_app",
        hook_extensions=("js", "mjs", "cjs", "ts", "mts", "cts"),
        seeds=(("samples/express", (".js", ".mjs", ".cjs", ".ts")),)),
    "yaml": Kind(
        "corslint.platforms:load", extensions=(".yaml", ".yml", ".toml"),
        sniff="corslint.platforms.sniff:looks_like_manifest",
        hook_extensions=("ya?ml", "toml"),
        seeds=(("samples/aws", ()), ("samples/istio", ()), ("samples/kubernetes", ()), ("samples/traefik", ()),
               (_CORPUS + "k8s-misc", (".yaml", ".yml")), (_CORPUS + "traefik-misc", ()),
               (_CORPUS + "traefik-traefik", ()))),
}

#: the kind of a file named on the command line that nothing identifies (an
#: nginx snippet such as `cors` or `api.inc` has no telling name) when its
#: content does not say (its head holds comments only); the server preferred
#: on a tie
DEFAULT_KIND = "nginx"

#: endings of files that are never configuration of any kind (docs, data, code of other languages)
NOT_CONFIG = (".md", ".rst", ".txt", ".json", ".lock", ".png", ".jpg", ".gif", ".svg", ".html", ".css", ".pem",
              ".key", ".crt", ".gz", ".zip", ".pyc", ".sh", ".toml", ".ini", ".cfg", ".example", ".sample")


def load_function(kind: str):
    """The function that loads a file of `kind`, imported now."""
    return imported(KINDS[kind].loader)


def imported(target: str):
    """The function a "module:function" string names.  `__import__`, not
    `importlib`: importing `importlib` costs a lint its `warnings` import."""
    module, _, name = target.partition(":")
    return getattr(__import__(module, fromlist=[name]), name)


#: extensions (regex fragments) of templates of any kind and of Terraform files, rendered by
#: `linter/templates` (`files.template_candidate`): the pre-commit hook hands them over too
TEMPLATE_HOOK_EXTENSIONS = ("j2", "jinja2?", "erb", "(go)?tmpl", "tpl", "ctmpl", "template", "tf")


def precommit_files() -> str:
    """The `files` pattern of the pre-commit hook: every kind's extensions,
    then the templates' (TEMPLATE_HOOK_EXTENSIONS), then every kind's path
    patterns, each once, in table order."""
    extensions: list[str] = []
    paths: list[str] = []
    for kind in KINDS.values():
        extensions += [e for e in kind.hook_extensions if e not in extensions]
        paths += [p for p in kind.hook_paths if p not in paths]
    extensions += TEMPLATE_HOOK_EXTENSIONS
    return "(?x)( " + " | ".join([rf"\.({'|'.join(extensions)})$", *paths]) + " )"
