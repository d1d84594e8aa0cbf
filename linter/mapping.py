"""Deployment paths mapped onto the repository.

A repository keeps its server configuration in its own folders
(`deploy/nginx/`), while the configuration names the paths it has once
deployed (`include /etc/nginx/snippets/cors.conf;`).  A mapping says which
repository folder or file a deployed path is: given by the user (`--map
/etc/nginx=deploy/nginx`, `[tool.corslint] paths`) or found in the
repository itself (docker-compose bind mounts, Dockerfile COPY/ADD, the
folder that holds `nginx.conf`).  Every mapping keeps who said so
(`origin`), because the output names the mapping a read went through.

Mapped paths are only translated here; they are read through `confine`
like any other path (inside the configuration root, symlinks, sizes).

The mappings of a run are run state (`use`, set by `engine.lint` before the
first file is read, like `confine.forget_paths`): the format readers look
include targets up with `translate` without each loader taking them.

A mapping found in the repository belongs to one deployment (a compose
service, a Dockerfile's image, an Ansible playbook): it has a `scope`, the
folders of that deployment, and reaches only the root files that lie there
(`focus`, before each root file).  Without it, a walk over several projects
read one project's snippets through another's mounts (`map` "not allowed
here" in a file the other project includes from `http`).  The user's
mappings (`--map`, `paths`) have no scope: they hold for every file.
"""

from __future__ import annotations

import os

from .display import shown_path
from .record import field, record


@record(frozen=True)
class Mapping:
    """One deployed path and the repository path it is read from."""

    #: the absolute path on the deployed machine, normalized ("/etc/nginx",
    #: "/etc/nginx/conf.d/default.conf")
    target: str
    #: the repository folder or file it is read from (absolute, normalized)
    source: str
    #: who said so, as shown to the user: "--map", "pyproject.toml",
    #: "docker-compose.yml:12", "Dockerfile:7"
    origin: str = field(default="--map", compare=False)
    #: the folders of the deployment that said so (its own folder and the
    #: sources it deploys): only root files there read through the mapping;
    #: empty for the user's mappings, which hold everywhere
    scope: tuple = field(default=(), repr=False)

    def shown(self) -> str:
        """`/etc/nginx -> deploy/nginx (docker-compose.yml:12)`, the source
        relative to the current folder when it lies there."""
        return f"{self.target} -> {shown_path(self.source)} ({self.origin})"


def scoped(mappings: list[Mapping], home: str) -> list[Mapping]:
    """`mappings` of one deployment whose own folder is `home`, scoped to
    it and to the sources they deploy (a compose file mounting `../nginx`)."""
    scope = tuple(sorted({os.path.abspath(home), *(os.path.abspath(m.source) for m in mappings)}))
    return [Mapping(m.target, m.source, m.origin, scope) for m in mappings]


_run: list[Mapping] = []
_active: list[Mapping] = []


def use(mappings) -> None:
    """Make `mappings` the run's (longest target first: the most specific
    wins; two sources for one target in their path order, never the order
    of a set, so every run reads the same files), all of them active until
    `focus` narrows them to one root file's."""
    _run[:] = sorted(set(mappings), key=lambda m: (-len(m.target), m.target, m.source))
    _active[:] = _run


def focus(path: str) -> None:
    """Make active the run's mappings that reach the root file `path`:
    the user's, and those of the deployments whose folders hold it."""
    candidates = {os.path.abspath(path), os.path.realpath(path)}
    _active[:] = [m for m in _run if not m.scope or
                  any(c == s or c.startswith(s.rstrip("/") + "/") for c in candidates for s in m.scope)]


def active() -> list[Mapping]:
    """The mappings of the root file being read, most specific first."""
    return _active


def translate(path: str, mappings: list[Mapping] | None = None) -> tuple[str, Mapping] | None:
    """(the repository path, the mapping used) for the deployed absolute
    `path` (a glob stays a glob), or None when no mapping covers it."""
    path = os.path.normpath(path)
    for mapping in _active if mappings is None else mappings:
        target = mapping.target
        if path == target:
            return mapping.source, mapping
        if path.startswith(target.rstrip("/") + "/"):
            return os.path.join(mapping.source, path[len(target.rstrip("/")) + 1:]), mapping
    return None


def deployed_path(path: str, mappings: list[Mapping] | None = None) -> str | None:
    """Where the repository file `path` is deployed: the target of a mapping
    whose source is the file, else of the deepest mapped folder holding it;
    None when no mapping deploys it.  A file deployed twice (a template and
    what the image renders of it) is taken at its first mapping."""
    candidates = {os.path.abspath(path), os.path.realpath(path)}
    best: tuple[int, str] | None = None
    for mapping in _active if mappings is None else mappings:
        source = mapping.source.rstrip("/") or "/"
        for candidate in candidates:
            if candidate == source:
                return mapping.target
            if candidate.startswith(source + "/") and (best is None or len(source) > best[0]):
                best = (len(source), os.path.join(mapping.target, candidate[len(source) + 1:]))
    return None if best is None else best[1]
