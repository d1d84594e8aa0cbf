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
here (`/etc/nginx` -> the folder holding nginx.conf).

A file a mapping deploys has the prefix of its deployed place (`default.conf`
COPYed to /etc/nginx/conf.d/ is read by the server with the prefix
/etc/nginx): its relative includes name deployed paths and are read through
the mappings like absolute ones, falling back to the prefix found here when
no mapping covers them.  A glob over a deployed folder matches the targets
of single-file mappings too (`conf.d/*.conf` and a rendered
`/etc/nginx/conf.d/default.conf`), in the server's order of deployed names.  Those conventional
mappings exist only when the prefix was found by the server's layout (a
`nginx.conf`, the conventional folders, an `apache2.conf`/`httpd.conf`, a
ServerRoot), never for the bare folder of a lone file.  Whatever the
mapping, the path it gives is read through `confine` like any other.
"""

from __future__ import annotations

import fnmatch
import glob
import os

from .confine import below, confined_targets, real_path
from .mapping import Mapping, active, deployed_path, translate

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
        #: the server's prefix where a mapping deploys the file ("/etc/nginx"), or None
        self.deployed = deployed


def deployed_prefix(path: str, prefixes: tuple[str, ...]) -> str | None:
    """The conventional prefix (of `prefixes`) the file `path` lies under
    where the run's mappings deploy it, or None: the prefix the deployed
    server reads it with, wherever the repository keeps it."""
    deployed = deployed_path(path)
    if deployed is None:
        return None
    return next((prefix for prefix in prefixes if deployed.startswith(prefix + "/")), None)


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
    (`root`); else the file's folder.  A deployed file also has its
    deployed prefix (`Prefix.deployed`)."""
    prefix = _nginx_layout(path, bound, root)
    prefix.deployed = deployed_prefix(path, NGINX_PREFIXES) or _deployed_by_layout(path)
    return prefix


def _nginx_layout(path: str, bound: str | None, root: str | None) -> Prefix:
    for folder in _walk_up(path, bound):
        if os.path.isfile(os.path.join(folder, "nginx.conf")):
            return Prefix(folder, "the folder holding nginx.conf", True)
    folder = os.path.dirname(os.path.abspath(path))
    name, parent = os.path.basename(folder), os.path.dirname(folder)
    if name in NGINX_FOLDERS and (bound is None or below(parent, bound)) and \
            any(os.path.isdir(os.path.join(parent, other)) for other in NGINX_FOLDERS if other != name):
        return Prefix(parent, f"the folder holding {name}/", True)
    if root:
        return Prefix(os.path.abspath(root), "--root", False)
    return Prefix(folder, "the folder of the file", False)


def _deployed_by_layout(path: str) -> str | None:
    """nginx's deployed prefix outside the conventional ones, when a run's
    mapping deploys the file `path` itself as a main file or into one of
    nginx's conventional folders (/srv/nginx/sites-enabled/app: /srv/nginx)."""
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
    (RHEL's /etc/httpd/conf/httpd.conf); else --root; else the file's
    folder.  A deployed file also has its deployed ServerRoot (`Prefix.deployed`)."""
    prefix = _apache_layout(path, bound, root)
    prefix.deployed = deployed_prefix(path, APACHE_PREFIXES)
    return prefix


def _apache_layout(path: str, bound: str | None, root: str | None) -> Prefix:
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
        #: the deployed prefix relative includes name (None once a ServerRoot moves `base`)
        self.deployed = prefix.deployed
        self.root = root
        self.mappings: list[Mapping] = list(active()) + conventional(prefix, targets)

    def full(self, pattern: str) -> tuple[str, Mapping | None]:
        """(the repository path or glob the include `pattern` names, the
        mapping used or None): a relative include of a deployed file through
        the run's mappings first (the conventional ones would only say
        `base` again); a mapping that names what the prefix found here names
        too is not told (a mounted nginx.conf folder)."""
        if not os.path.isabs(pattern):
            here = os.path.join(self.base, pattern)
            found = translate(os.path.join(self.deployed, pattern), active()) if self.deployed is not None else None
            if found is not None and os.path.normpath(found[0]) != os.path.normpath(here):
                return found
            return here, None
        found = translate(pattern, self.mappings)
        if found is not None:
            return found
        return pattern, None

    def targets(self, pattern: str, full: str, mapping: Mapping | None):
        """(targets inside the root, targets refused, the mappings they were
        read through) of the include `pattern` that names `full` through
        `mapping` (`confine.confined_targets`), or None when it names
        nothing.  A glob over a deployed folder also matches the targets of
        the run's single-file mappings; all matches in the order of their
        deployed names (nginx and httpd sort a glob's matches), the most
        specific mapping of each deciding which file it is."""
        unmapped = mapping is None and os.path.isabs(pattern) and self.unmapped(full)
        found = None if unmapped else confined_targets(full, self.root)
        deployed = pattern if os.path.isabs(pattern) else \
            os.path.join(self.deployed, pattern) if self.deployed is not None else None
        if deployed is None or not glob.has_magic(deployed):
            return None if found is None else (*found, [mapping])
        deployed = os.path.normpath(deployed)
        files = [m.target for m in active() if _glob_matches(m.target, deployed) and not os.path.isdir(m.source)]
        if not files:
            return None if found is None else (*found, [mapping])
        targets, refused = found or ([], [])
        by_name = {_deployed_match(target, full, deployed): (target, mapping) for target in targets}
        for target in files:
            by_name[target] = translate(target, self.mappings)
        kept, used_all = [], []
        for name in sorted(by_name):
            source, used = by_name[name]
            inside, out = confined_targets(source, self.root) or ([], [])
            kept += inside
            refused = refused + out
            if inside and used not in used_all:
                used_all.append(used)
        return kept, refused, used_all

    def unmapped(self, full: str) -> bool:
        """Whether `full` (no mapping covered it) is an absolute path of the
        deployed machine the configuration root does not hold (judged on a
        glob's fixed part: `/etc/nginx/conf.d` of `/etc/nginx/conf.d/*.conf`)."""
        fixed = os.path.abspath(full)
        while glob.has_magic(fixed):
            fixed = os.path.dirname(fixed)
        return not below(fixed, self.root) and not below(os.path.realpath(fixed), os.path.realpath(self.root))


def _glob_matches(path: str, pattern: str) -> bool:
    """Whether the deployed `path` matches the glob `pattern` as glob(3)
    does: part by part (`*` never spans a `/`, nor matches a leading dot)."""
    parts, wanted = path.split("/"), pattern.split("/")
    return len(parts) == len(wanted) and all(fnmatch.fnmatchcase(p, w) and (w.startswith(".") or not p.startswith("."))
                                             for p, w in zip(parts, wanted))


def _deployed_match(target: str, full: str, deployed: str) -> str:
    """The deployed name of `target`, a match of the repository glob `full`
    that the deployed glob `deployed` names: both globs share what follows
    their fixed folders."""
    fixed_full, fixed_deployed = os.path.normpath(full), deployed
    while glob.has_magic(fixed_full) and glob.has_magic(fixed_deployed):
        fixed_full, fixed_deployed = os.path.dirname(fixed_full), os.path.dirname(fixed_deployed)
    return os.path.normpath(os.path.join(fixed_deployed, os.path.relpath(target, fixed_full)))


def where_it_lies(target: str, root: str) -> str:
    """An included file by where it lies when it is a link inside the
    configuration root (`sites-enabled/app` -> `sites-available/app`: code
    scanning cannot show a result on a link, and the file is linted once),
    spelled from the link's own folder; any other path as it is."""
    if not os.path.islink(target) or not below(real_path(target), real_path(root)):
        return target
    folder = os.path.dirname(os.path.abspath(target))
    return os.path.normpath(os.path.join(folder, os.path.relpath(real_path(target), real_path(folder))))


def unmapped_reason(pattern: str, root: str) -> str:
    """Why an absolute include no mapping covers is not read."""
    top = "/" + pattern.strip("/").split("/")[0] if pattern.startswith("/") else pattern
    guess = os.path.dirname(pattern) if os.path.dirname(pattern) not in ("", "/") else top
    return (f"the deployed path {pattern} is outside the configuration root {root} and no mapping covers it "
            f"(--map {guess}=DIR or [tool.corslint] paths maps it onto the repository)")
