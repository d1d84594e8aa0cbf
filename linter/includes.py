"""Where a server configuration's includes are read from.

Two folders decide it, and they are not the same folder:

- the **configuration root** confines every read (nothing outside it is
  ever read): `--root` when given, else the current folder when the file
  lies in it (users and CI run from the repository root), else the prefix;
- the **prefix** is what relative includes resolve against, as the server
  does: nginx's is the folder holding `nginx.conf` (`nginx -p`), Apache's
  its `ServerRoot`.  A file of `sites-available/`, `conf.d/` or `snippets/`
  is read with its server's prefix, not its own folder
  (`include snippets/cors.conf;` in `sites-available/app` names
  `PREFIX/snippets/cors.conf`).

An absolute include names the deployed machine (`/etc/nginx/conf.d/*.conf`):
it is read through the run's mappings (`mapping.active()`: `--map`,
`[tool.corslint] paths`, what the repository's Docker files say), then
through the server's conventional prefixes mapped onto the prefix found
here (`/etc/nginx` -> the folder holding nginx.conf).  Those conventional
mappings exist only when the prefix was found by the server's layout (a
`nginx.conf`, the conventional folders, an `apache2.conf`/`httpd.conf`, a
ServerRoot), never for the bare folder of a lone file.  Whatever the
mapping, the path it gives is read through `confine` like any other.
"""

from __future__ import annotations

import fnmatch
import os

from .confine import below, real_path
from .mapping import Mapping, active, translate

#: the folders nginx's packages keep beside nginx.conf
NGINX_FOLDERS = ("sites-available", "sites-enabled", "conf.d", "snippets")
#: where nginx's builds and packages put their prefix
NGINX_PREFIXES = ("/etc/nginx", "/usr/local/nginx/conf", "/usr/local/etc/nginx", "/opt/homebrew/etc/nginx",
                  "/usr/local/openresty/nginx/conf", "/opt/nginx/conf")
#: where httpd's builds and packages put their ServerRoot
APACHE_PREFIXES = ("/etc/apache2", "/etc/httpd", "/usr/local/apache2", "/usr/local/etc/httpd",
                   "/usr/local/etc/apache24", "/opt/homebrew/etc/httpd")
APACHE_MAIN = ("apache2.conf", "httpd.conf")
#: how many folders up from a file outside the current folder (and without
#: --root) its server's main file is looked for
MAX_LEVELS_UP = 3

#: files every installation ships that carry no CORS: when the repository does
#: not hold them, one quiet line for the run says so (fnmatch patterns on the
#: include as written, and on its last part)
SYSTEM_FILES = ("mime.types", "fastcgi_params", "fastcgi.conf", "proxy_params", "uwsgi_params", "scgi_params",
                "koi-utf", "koi-win", "win-utf", "options-ssl-nginx.conf", "options-ssl-apache.conf",
                "fastcgi-php.conf", "snakeoil.conf", "*/modules-enabled/*.conf", "modules-enabled/*.conf",
                "/usr/share/nginx/modules/*.conf", "*/mods-enabled/*.load", "mods-enabled/*.load",
                "*/mods-enabled/*.conf", "mods-enabled/*.conf", "conf.modules.d/*.conf", "*/conf.modules.d/*.conf",
                "ports.conf")


class Prefix:
    """The folder relative includes resolve against, and why it is that one."""

    __slots__ = ("folder", "origin", "found", "deployed")

    def __init__(self, folder: str, origin: str, found: bool, deployed: str | None = None):
        self.folder = folder
        #: as shown in messages and mapping notes: "the folder holding nginx.conf"
        self.origin = origin
        #: found by the server's layout (not the bare folder of the file)
        self.found = found
        #: the server's prefix on the deployed machine when a mapping deploys
        #: the root file itself into it (an Ansible task templating a site to
        #: /etc/nginx/sites-enabled/default: "/etc/nginx"); relative includes
        #: are then looked up there through the mappings first
        self.deployed = deployed


def configuration_root(path: str, root: str | None, prefix_of) -> str:
    """The folder reads are confined to for the root file `path`: --root,
    else the current folder when the file lies in it, else its prefix
    (`prefix_of(path, None)`)."""
    if root:
        return os.path.abspath(root)
    here = os.getcwd()
    if below(os.path.abspath(path), here):
        return here
    return prefix_of(path, None).folder


def _walk_up(path: str, bound: str | None):
    """The folders from the file's own up to `bound` (inclusive), or
    MAX_LEVELS_UP above it when there is no bound."""
    folder = os.path.dirname(os.path.abspath(path))
    for level in range(4096):   # a path has fewer parts than this
        yield folder
        parent = os.path.dirname(folder)
        if parent == folder or (bound is None and level >= MAX_LEVELS_UP) or \
                (bound is not None and (folder == bound or not below(parent, bound))):
            return
        folder = parent


def nginx_prefix(path: str, bound: str | None, root: str | None = None) -> Prefix:
    """nginx's prefix for the root file `path`: the nearest folder up to
    `bound` holding nginx.conf; for a file of a conventional folder, its
    parent when that holds another conventional folder; else --root
    (`root`); else the file's folder."""
    for folder in _walk_up(path, bound):
        if os.path.isfile(os.path.join(folder, "nginx.conf")):
            return Prefix(folder, "the folder holding nginx.conf", True)
    folder = os.path.dirname(os.path.abspath(path))
    name, parent = os.path.basename(folder), os.path.dirname(folder)
    if name in NGINX_FOLDERS and (bound is None or below(parent, bound)) and \
            any(os.path.isdir(os.path.join(parent, other)) for other in NGINX_FOLDERS if other != name):
        return Prefix(parent, f"the folder holding {name}/", True)
    deployed = _deployed_prefix(path)
    if root:
        return Prefix(os.path.abspath(root), "--root", False, deployed)
    return Prefix(folder, "the folder of the file", False, deployed)


def _deployed_prefix(path: str) -> str | None:
    """nginx's deployed prefix when a run's mapping deploys the file `path`
    itself as its main file or into one of its conventional folders."""
    real = os.path.realpath(path)
    for mapping in active():
        if os.path.realpath(mapping.source) != real:
            continue
        folder = os.path.dirname(mapping.target)
        if os.path.basename(mapping.target) == "nginx.conf":
            return folder
        if os.path.basename(folder) in NGINX_FOLDERS:
            return os.path.dirname(folder)
    return None


def apache_prefix(path: str, bound: str | None, root: str | None = None) -> Prefix:
    """httpd's ServerRoot as the layout shows it (a ServerRoot directive
    overrides it, `server_root`): the nearest folder up to `bound` holding
    apache2.conf or httpd.conf, its parent when that folder is `conf/`
    (RHEL's /etc/httpd/conf/httpd.conf); else --root; else the file's folder."""
    for folder in _walk_up(path, bound):
        for name in APACHE_MAIN:
            if os.path.isfile(os.path.join(folder, name)):
                if os.path.basename(folder) == "conf" and (bound is None or below(os.path.dirname(folder), bound)):
                    return Prefix(os.path.dirname(folder), f"the folder holding conf/{name}", True)
                return Prefix(folder, f"the folder holding {name}", True)
    if root:
        return Prefix(os.path.abspath(root), "--root", False)
    return Prefix(os.path.dirname(os.path.abspath(path)), "the folder of the file", False)


def conventional(prefix: Prefix, targets: tuple[str, ...]) -> list[Mapping]:
    """The server's conventional absolute prefixes mapped onto `prefix`
    (none for the bare folder of a file)."""
    if not prefix.found:
        return []
    return [Mapping(target, prefix.folder, prefix.origin) for target in targets]


def server_root(value: str, prefix: Prefix, mappings: list[Mapping]) -> tuple[str, Mapping | None]:
    """(the folder an Apache `ServerRoot value` names in the repository, the
    mapping used): relative to the prefix; absolute through the run's
    mappings, else onto the prefix found by the layout (the value is then
    the server's own prefix), else as written (reads are confined anyway)."""
    if not os.path.isabs(value):
        return os.path.join(prefix.folder, value), None
    found = translate(value, mappings)
    if found is not None:
        return found
    if prefix.found and os.path.normpath(value) != os.sep:
        used = Mapping(os.path.normpath(value), prefix.folder, f"ServerRoot, {prefix.origin}")
        mappings.append(used)     # last: a mapping of a folder below it (--map /srv/httpd/conf.d=...) wins
        return prefix.folder, used
    return value, None


def system_file(pattern: str) -> str | None:
    """The name to list when the include `pattern` is a well-known system
    file that carries no CORS (`mime.types`, `modules-enabled/*.conf`), or None."""
    norm = os.path.normpath(pattern)
    name = os.path.basename(norm)
    tail = os.path.join(os.path.basename(os.path.dirname(norm)), name)
    for known in SYSTEM_FILES:
        if fnmatch.fnmatchcase(norm, known) or fnmatch.fnmatchcase(name, known) or fnmatch.fnmatchcase(tail, known):
            return name if "/" not in known else tail
    return None


class Resolver:
    """How one root file's includes are found: the prefix (`base`, which
    an Apache ServerRoot may move), the configuration root and the mappings
    (the run's first, then the server's conventional ones)."""

    def __init__(self, prefix: Prefix, root: str, targets: tuple[str, ...]):
        self.prefix = prefix
        self.base = prefix.folder
        self.root = root
        self.mappings: list[Mapping] = list(active()) + conventional(prefix, targets)

    def full(self, pattern: str) -> tuple[str, Mapping | None]:
        """(the repository path or glob the include `pattern` names, the
        mapping used or None)."""
        if not os.path.isabs(pattern):
            found = translate(os.path.join(self.prefix.deployed, pattern), self.mappings) \
                if self.prefix.deployed else None
            return found or (os.path.join(self.base, pattern), None)
        found = translate(pattern, self.mappings)
        if found is not None:
            return found
        return pattern, None

    def unmapped(self, full: str) -> bool:
        """Whether `full` (no mapping covered it) is an absolute path of the
        deployed machine the configuration root does not hold (judged on a
        glob's fixed part: `/etc/nginx/conf.d` of `/etc/nginx/conf.d/*.conf`)."""
        import glob

        fixed = os.path.abspath(full)
        while glob.has_magic(fixed):
            fixed = os.path.dirname(fixed)
        return not below(fixed, self.root) and not below(os.path.realpath(fixed), os.path.realpath(self.root))


def where_it_lies(target: str, root: str) -> str:
    """An included file by where it lies when it is a link inside the
    configuration root (`sites-enabled/app` -> `sites-available/app`: code
    scanning cannot show a result on a link, and the file is linted once),
    spelled from the link's own folder; any other path as it is."""
    if not os.path.islink(target) or not below(real_path(target), real_path(root)):
        return target
    folder = os.path.dirname(os.path.abspath(target))
    return os.path.normpath(os.path.join(folder, os.path.relpath(real_path(target), real_path(folder))))


def shown(path: str) -> str:
    """A path as messages show it: relative to the current folder when it lies there."""
    rel = os.path.relpath(path)
    return path if rel == os.pardir or rel.startswith(os.pardir + os.sep) else rel


def unmapped_reason(pattern: str, root: str) -> str:
    """Why an absolute include no mapping covers is not read."""
    top = "/" + pattern.strip("/").split("/")[0] if pattern.startswith("/") else pattern
    guess = os.path.dirname(pattern) if os.path.dirname(pattern) not in ("", "/") else top
    return (f"the deployed path {pattern} is outside the configuration root {root} and no mapping covers it "
            f"(--map {guess}=DIR or [tool.corslint] paths maps it onto the repository)")
