"""Reading a docker-compose file for the repository paths its services see.

Each service is one container: the image its `build:` makes (the
Dockerfile read with the build's context and `args`), then its bind mounts
on top — short syntax (`./nginx/conf.d:/etc/nginx/conf.d:ro`) and long
syntax (`{type: bind, source, target}`), sources relative to the compose
file's folder (a fragment meant for `-f` from the repository root, whose
sources only exist there, is read from the root) — and its `environment`
(the nginx image's template variables).  Named volumes are not the
repository and are ignored.  `${VAR:-default}` takes the default; a
`${VAR}` the repository gives no value for is unknown and said so.
"""

from __future__ import annotations

import os
import re

from ..confine import read
from ..diagnostics import InputError
from ..display import shown_path
from ..expansion import Budget
from ..mapping import Mapping
from .container import Container, source_problem
from .dockerfile import read_dockerfile
from .images import MAIN_NAMES, config_like, configures_server, template_dir
from .variables import Unknown, substitute

#: services read from one compose file, and mounts from one service
MAX_SERVICES = 1_000
MAX_MOUNTS = 1_000
#: the longest short-syntax volume read (a real one is a few paths)
MAX_VOLUME_CHARS = 4096

#: the parts of a short-syntax volume: `:` separates them, except inside `${...}`
_PART = re.compile(r"(?:\$\{[^}]*\}|[^:])+")
#: images whose services serve HTTP with a configuration corslint reads
_SERVER_IMAGE = re.compile(r"nginx|httpd|apache|openresty", re.IGNORECASE)


class ComposeError(Exception):
    def __init__(self, line: int | None, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


class Service:
    """One service of a compose file, read into the container it runs."""

    def __init__(self, compose: str, name: str, spec: dict, root: str, budget: Budget):
        self.compose = compose
        self.folder = os.path.dirname(os.path.abspath(compose))
        self.name = name
        self.spec = spec
        self.root = root
        self.budget = budget
        self.container = Container()
        self.dockerfile: str | None = None
        image = spec.get("image")
        self.serves = isinstance(image, str) and _SERVER_IMAGE.search(image) is not None

    def notice(self, line: int, message: str) -> None:
        self.container.notices.append(InputError(self.compose, line, f"service {self.name}: {message}"))

    def value(self, text) -> str:
        return substitute(str(text), {}, self.budget, escape=True)

    def read(self) -> Container:
        self.build()
        self.environment()
        volumes = self.spec.get("volumes")
        if isinstance(volumes, list):
            for index, volume in enumerate(volumes[:MAX_MOUNTS]):
                self.mount(volume, volumes.line_of(index) if hasattr(volumes, "line_of") else None)
        self.command()
        return self.container

    def build_spec(self) -> tuple[str, str, dict[str, str]] | None:
        """(Dockerfile, context, args) of the service's `build:`, or None."""
        build = self.spec.get("build")
        if build is None:
            return None
        line = self.spec.line_of("build") if hasattr(self.spec, "line_of") else None
        spec = build if isinstance(build, dict) else {"context": build}
        if isinstance(spec.get("dockerfile_inline"), str):
            self.notice(line, "dockerfile_inline: corslint does not read a Dockerfile written inside a compose file")
            return None
        try:
            context = os.path.normpath(os.path.join(self.folder, self.value(spec.get("context", "."))))
            dockerfile = os.path.normpath(os.path.join(context, self.value(spec.get("dockerfile", "Dockerfile"))))
        except Unknown as exc:
            self.notice(line, f"the build needs ${{{exc.name}}}, which this file gives no value: its image is "
                              f"not read")
            return None
        problem = source_problem(dockerfile, self.root)
        if problem is not None:
            if os.path.exists(dockerfile):     # a Dockerfile not in the checkout is another image's business
                self.notice(line, f"build: {problem}")
            return None
        return dockerfile, context, self.args(spec.get("args"))

    def build(self) -> None:
        spec = self.build_spec()
        if spec is None:
            return
        self.dockerfile, context, args = spec
        self.serves = True
        notices = self.container.notices
        self.container = read_dockerfile(shown_path(self.dockerfile), context, args, self.root)
        self.container.notices[:0] = notices

    def args(self, args) -> dict[str, str]:
        out: dict[str, str] = {}
        items = args.items() if isinstance(args, dict) else \
            (_assignment(str(a)) for a in args) if isinstance(args, list) else ()
        for name, raw in items:
            try:
                if raw is not None:
                    out[str(name)] = self.value(raw)
            except Unknown:
                pass
        return out

    def environment(self) -> None:
        self.container.env.update(self.args(self.spec.get("environment")))

    def mount(self, volume, line: int | None) -> None:
        if isinstance(volume, dict):
            if volume.get("type", "volume") != "bind" or "source" not in volume or "target" not in volume:
                return
            source, target = str(volume["source"]), str(volume["target"])
        elif isinstance(volume, str) and len(volume) <= MAX_VOLUME_CHARS:
            parts = _PART.findall(volume)
            if len(parts) < 2:
                return      # an anonymous volume
            source, target = parts[0], parts[1]
        else:
            return
        try:
            target = self.value(target)
        except Unknown as exc:
            if self.serves:
                self.notice(line, f"the mount {volume} needs ${{{exc.name}}}, which this file gives no value: not "
                                  f"mapped")
            return
        relevant = configures_server(target, template_dir(self.container.env)) or \
            os.path.basename(target) in MAIN_NAMES
        try:
            source = self.value(source)
        except Unknown as exc:
            if relevant:
                self.notice(line, f"the mount {volume} needs ${{{exc.name}}}, which this file gives no value: "
                                  f"{target} is not mapped")
            return
        if not source.startswith((".", "/", "~")):
            return      # a named volume: not the repository
        full = os.path.normpath(os.path.join(self.folder, os.path.expanduser(source)))
        if not os.path.exists(full) and not source.startswith(("/", "~")):
            fallback = os.path.normpath(os.path.join(os.path.abspath(self.root), source))
            full = fallback if os.path.exists(fallback) else full
        problem = source_problem(full, self.root)
        if problem is not None:
            said = relevant and config_like(target) if problem.startswith("not found") else relevant or self.serves
            if said:     # a missing certificate or log folder is not configuration: not said
                self.notice(line, f"the mount {source}:{target}: {problem}")
            return
        self.container.add(Mapping(os.path.normpath(target), full, f"{shown_path(self.compose)}:{line}"))

    def command(self) -> None:
        """A command naming configuration files is this image's own
        convention (a custom entrypoint enabling sites): said, not followed."""
        command = self.spec.get("command")
        words = command if isinstance(command, list) else str(command).split() if command else []
        named = [str(w) for w in words if str(w).endswith(".conf")]
        if named:
            line = self.spec.line_of("command") if hasattr(self.spec, "line_of") else None
            self.notice(line, f"command names configuration files ({', '.join(named[:4])}"
                              f"{', ...' if len(named) > 4 else ''}): how this image uses them is its own "
                              f"entrypoint's, which corslint does not follow")


def _assignment(text: str) -> tuple[str, str | None]:
    """`NAME=value` of a list-form `environment`/`args` (a bare `NAME` takes the shell's value: unknown)."""
    name, equals, value = text.partition("=")
    return name, value if equals else None



def _services(path: str) -> dict:
    from ..platforms.source import SourceError, load_yaml

    try:
        docs = load_yaml(read(path).decode("utf-8", errors="replace"))
    except SourceError as exc:
        raise ComposeError(exc.line, exc.message) from None
    services = docs[0].get("services") if docs and isinstance(docs[0], dict) else None
    return services if isinstance(services, dict) else {}


def builds(path: str, root: str) -> list[tuple[str, str, dict[str, str]]]:
    """(Dockerfile, context, args) of every build of a compose file (an
    unreadable compose file builds nothing)."""
    try:
        services = _services(path)
    except (ComposeError, OSError):
        return []
    budget = Budget()
    out = []
    for name in list(services)[:MAX_SERVICES]:
        if isinstance(services[name], dict):
            spec = Service(path, str(name), services[name], root, budget).build_spec()
            if spec is not None:
                out.append(spec)
    return out


def read_compose(path: str, root: str) -> tuple[list[Container], list[str], list[tuple[str, str]]]:
    """The containers of a compose file's services, the Dockerfiles their
    builds read, and notices.  Raises ComposeError for a file that is not
    a compose file YAML can read."""
    services = _services(path)
    if not services:
        return [], [], [(path, "no services: not a compose file corslint can read")]
    budget = Budget()
    containers, dockerfiles, notices = [], [], []
    for name in list(services)[:MAX_SERVICES]:
        spec = services[name]
        if not isinstance(spec, dict):
            continue
        service = Service(path, str(name), spec, root, budget)
        containers.append(service.read())
        notices += service.container.notices
        service.container.notices = []
        if service.dockerfile is not None:
            dockerfiles.append(service.dockerfile)
    if len(services) > MAX_SERVICES:
        notices.append(InputError(path, None, f"more than {MAX_SERVICES:,} services: the rest are not read"))
    return containers, dockerfiles, notices
