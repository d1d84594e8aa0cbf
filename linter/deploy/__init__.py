"""Deployment discovery: the server configuration a repository's
docker-compose files and Dockerfiles wire into their containers, and its
Ansible roles' tasks deploy onto a server (`ansible.py`).

Repositories keep `nginx/` and mount or copy it to `/etc/nginx`; the
configuration then names deployed paths (`include /etc/nginx/conf.d/*.conf`).
`discover` reads the compose files and Dockerfiles among the paths of a run
(`compose.py`, `dockerfile.py`) into mappings (`corslint.mapping`: active
for the whole run, so includes of deployed paths read the repository's
files) and into the files the server reads first — its main configuration
when the repository supplies it, else the files the image's own main file
includes, the nginx image's rendered templates among them (`images.py`).
Those are linted as root files: `corslint docker-compose.yml` lints what
the compose file deploys.

Nothing is run: compose files are read with YAML's safe loader, Dockerfile
`RUN` steps are read as words.  Every mapping source lies in the
configuration root (the current folder or --root) or is refused and
reported; what cannot be followed is a notice with file:line.

This module is imported by every lint run: the readers (and YAML) are
imported only when a compose file or Dockerfile is met.
"""

from __future__ import annotations

import fnmatch
import os
import re

from ..diagnostics import InputError
from ..display import shown_path
from ..mapping import Mapping, scoped, translate
from ..record import field, record

_COMPOSE = re.compile(r"^(docker-)?compose([.-][^/]*)?\.ya?ml$", re.IGNORECASE)
_DOCKERFILE = re.compile(r"^(Dockerfile([.-][^/]*)?|[^/]+\.dockerfile)$", re.IGNORECASE)
_MANIFEST_ENDINGS = (".yaml", ".yml", ".toml")
#: files listed below one deployed folder (a mounted tree can be a whole repository)
MAX_LISTED = 10_000
#: Ansible roles read in one run
MAX_ROLES = 100


def deploy_kind(path: str) -> str | None:
    """"compose", "dockerfile" or None, by the file's name."""
    name = os.path.basename(path)
    if _COMPOSE.match(name):
        return "compose"
    if _DOCKERFILE.match(name):
        return "dockerfile"
    return None


@record
class Wiring:
    """What the deployment files of a run wire."""

    mappings: list[Mapping] = field(default_factory=list)
    #: root file (as shown) -> its kind (its includes resolve against its deployed prefix: `includes`)
    roots: dict = field(default_factory=dict)
    #: what corslint cannot follow, at its file and line (InputError)
    notices: list[InputError] = field(default_factory=list)
    #: the deployment files read (real paths)
    read: set = field(default_factory=set)
    #: those of them linted only through what they wire (a compose file with
    #: Traefik labels is also a platform manifest: it stays in the run)
    consumed: set = field(default_factory=set)
    #: deployment files that cannot be read (InputError)
    errors: list = field(default_factory=list)
    #: the configuration root every wired file must lie in
    top: str = os.curdir


def discover(entries: list[tuple[str, bool, str | None]], root: str | None) -> Wiring:
    """The wiring of the compose files and Dockerfiles among `entries`
    (`files.expand`'s list: path, given explicitly, refusal)."""
    wiring = Wiring()
    found = [(path, explicit, deploy_kind(path)) for path, explicit, refused in entries
             if refused is None and deploy_kind(path) is not None and os.path.isfile(path)]
    top = wiring.top = root or os.curdir
    roles = _roles(entries, top)
    if roles:
        _wire_roles(roles, entries, wiring)
    if not found:
        return wiring
    from .compose import ComposeError, read_compose

    built: set[str] = set()
    for path, explicit, kind in sorted(found, key=lambda f: f[2] != "compose"):
        real = os.path.realpath(path)
        if real in built:     # read with the compose file's build context
            wiring.consumed.add(real)
        if real in built or real in wiring.read:
            continue
        wiring.read.add(real)
        try:
            if kind == "compose":
                containers, dockerfiles, notices = read_compose(path, top)
                built.update(os.path.realpath(d) for d in dockerfiles)
            else:
                containers, notices = _dockerfile(path, top)
        except ComposeError as exc:
            wiring.errors.append(InputError(path, exc.line, exc.message))
            continue
        except OSError as exc:
            wiring.errors.append(InputError(path, None, f"cannot read this file: {exc}"))
            continue
        wiring.notices += notices
        before = len(wiring.roots)
        for container in containers:
            _wire(container, wiring, os.path.dirname(os.path.abspath(path)))
        if kind == "dockerfile" or _classify(path) != "yaml":
            wiring.consumed.add(real)
        elif explicit:
            continue
        if explicit and len(wiring.roots) == before:
            wiring.notices.append(InputError(path, None, "wires no nginx or Apache configuration into a server "
                                                         "(no bind mount or COPY of the repository's files into a "
                                                         "server's configuration): nothing here to lint"))
    return wiring


def _roles(entries: list[tuple[str, bool, str | None]], top: str) -> list[str]:
    """The Ansible roles (folders holding `tasks/` and `templates/` or
    `files/`) the files of the run lie in, found by walking up from each
    file's folder to the configuration root."""
    from .ansible import is_role

    top = os.path.abspath(top)
    seen: dict[str, bool] = {}
    found: list[str] = []
    for path, _explicit, refused in entries:
        if refused is not None:
            continue
        folder = os.path.dirname(os.path.abspath(path))
        while folder not in seen and (folder == top or folder.startswith(top.rstrip(os.sep) + os.sep)):
            seen[folder] = is_role(folder)
            if seen[folder]:
                found.append(folder)
                break
            if folder == top:
                break
            folder = os.path.dirname(folder)
        if len(found) >= MAX_ROLES:
            break
    return found


def _wire_roles(roles: list[str], entries: list[tuple[str, bool, str | None]], wiring: Wiring) -> None:
    """Add what the roles' tasks deploy to `wiring`: their mappings, and
    as root files those of the run's files deployed where the server reads
    its configuration itself (a site, conf.d, the main file), in the kind
    that place gives them."""
    from .ansible import read_role, roots

    listed = {os.path.realpath(path) for path, _explicit, refused in entries if refused is None}
    for role in roles:
        mappings, notices, read = read_role(role)
        wiring.read.update(os.path.realpath(p) for p in read)
        wiring.notices += notices
        wiring.mappings += scoped(mappings, _playbook(role))
        for source, kind in roots(mappings).items():
            if os.path.realpath(source) in listed:
                _root(wiring, source, kind)


def _playbook(role: str) -> str:
    """The folder of the playbook a role belongs to (the one holding
    `roles/`), else the role's own: the roles of one playbook deploy onto
    one server, so their files read each other's deployed paths."""
    parent = os.path.dirname(os.path.abspath(role))
    return os.path.dirname(parent) if os.path.basename(parent) == "roles" else os.path.abspath(role)


def _classify(path: str) -> str | None:
    from ..files import classify

    return classify(path)


def _dockerfile(path: str, top: str):
    """A Dockerfile's image, built from the context a compose file in its
    folder or above (up to the root) gives it, else from its own folder."""
    from .compose import builds
    from .dockerfile import read_dockerfile

    real = os.path.realpath(path)
    context, args = os.path.dirname(os.path.abspath(path)), {}
    for compose in _composes_above(path, top):
        match = next(((c, a) for d, c, a in builds(compose, top) if os.path.realpath(d) == real), None)
        if match is not None:
            context, args = match
            break
    container = read_dockerfile(path, context, args, top)
    notices, container.notices = container.notices, []
    return [container], notices


def _composes_above(path: str, top: str) -> list[str]:
    """The compose files in the folder of `path` and each folder above it, up to `top`."""
    folder = os.path.dirname(os.path.abspath(path))
    top = os.path.abspath(top)
    out = []
    while folder == top or folder.startswith(top.rstrip(os.sep) + os.sep):
        try:
            names = sorted(os.listdir(folder))[:MAX_LISTED]
        except OSError:
            names = []
        out += [os.path.join(folder, n) for n in names if _COMPOSE.match(n) and os.path.isfile(os.path.join(folder, n))]
        if folder == top:
            break
        folder = os.path.dirname(folder)
    return out


def _wire(container, wiring: Wiring, home: str) -> None:
    """Add a container's mappings (with the nginx image's rendered
    templates), scoped to `home` (the folder of the compose file or
    Dockerfile that says so) and their sources, and the root files its
    servers read to `wiring`."""
    from .images import LAYOUTS, MAIN_NAMES, template_dir, template_output

    mappings = _specific(container.current())
    folder = template_dir(container.env)
    for deployed, source, mapping in _listing(mappings, container, folder, recursive=True):
        output = template_output(deployed[len(folder):].lstrip("/"), container.env)
        if output is not None:
            mappings.append(Mapping(output, source, f"{mapping.origin}, rendered by the nginx image"))
            container.add(mappings[-1])
    mappings = _specific(mappings)
    wiring.mappings += scoped(mappings, home)
    for layout in LAYOUTS:
        main = translate(layout.main, mappings)
        if main is not None and os.path.isfile(main[0]) and not container.removed(layout.main, main[1]):
            _root(wiring, main[0], layout.kind)
            continue
        for pattern in layout.stock:
            deployed_folder, name = pattern.rsplit("/", 1)
            for deployed, source, _mapping in _listing(mappings, container, deployed_folder):
                if fnmatch.fnmatchcase(os.path.basename(deployed), name):
                    _root(wiring, source, layout.kind)
    for mapping in mappings:     # a custom image's own configuration folder (or file), mounted anywhere
        if any(mapping.target == layout.prefix or mapping.target.startswith(layout.prefix + "/")
               for layout in LAYOUTS):
            continue
        if os.path.isdir(mapping.source):
            for name, kind in MAIN_NAMES.items():
                if os.path.isfile(os.path.join(mapping.source, name)):
                    _root(wiring, os.path.join(mapping.source, name), kind)
        elif os.path.basename(mapping.target) in MAIN_NAMES:
            _root(wiring, mapping.source, MAIN_NAMES[os.path.basename(mapping.target)])
        for source in _manifests(mapping.source):
            _root(wiring, source, "yaml")


def _manifests(source: str) -> list[str]:
    """The platform manifests (a Traefik file provider's folder, an
    ingress manifest) a mapping puts in a container: the file, or the files
    directly in the folder, that read as one."""
    if os.path.isdir(source):
        try:
            names = sorted(os.listdir(source))[:MAX_LISTED]
        except OSError:
            return []
        files = [os.path.join(source, n) for n in names if n.lower().endswith(_MANIFEST_ENDINGS)]
    else:
        files = [source] if source.lower().endswith(_MANIFEST_ENDINGS) else []
    return [f for f in files if os.path.isfile(f) and deploy_kind(f) is None and _classify(f) == "yaml"]


def _specific(mappings: list[Mapping]) -> list[Mapping]:
    """Most specific target first, as `mapping.translate` expects."""
    return sorted(mappings, key=lambda m: (-len(m.target), m.target))


def _root(wiring: Wiring, source: str, kind: str) -> None:
    from ..confine import inside, outside_message, real_path

    if not inside(source, wiring.top):     # a link in a mounted folder pointing out of the repository
        wiring.notices.append(InputError(source, None, outside_message(real_path(source), wiring.top)))
        return
    wiring.roots.setdefault(shown_path(source), kind)


def _listing(mappings: list[Mapping], container, folder: str, recursive: bool = False):
    """(deployed path, repository file, mapping) of the files the container
    holds in the deployed `folder` (below it, when `recursive`), the most
    specific mapping of each deciding, removed files left out."""
    seen: set[str] = set()
    out = []
    candidates = [m.target for m in mappings if os.path.dirname(m.target) == folder or
                  recursive and m.target.startswith(folder + "/")]
    found = translate(folder, mappings)
    if found is not None and os.path.isdir(found[0]):
        for current, dirs, files in os.walk(found[0]):
            dirs[:] = sorted(dirs) if recursive else []
            rel = os.path.relpath(current, found[0])
            candidates += [os.path.normpath(os.path.join(folder, rel, f)) for f in sorted(files)]
            if len(candidates) > MAX_LISTED:
                break
    for deployed in candidates[:MAX_LISTED]:
        if deployed in seen:
            continue
        seen.add(deployed)
        hit = translate(deployed, mappings)
        if hit is not None and os.path.isfile(hit[0]) and not container.removed(deployed, hit[1]):
            out.append((deployed, hit[0], hit[1]))
    return out
