"""core: virtual host selection and the per-directory section merge.

httpd picks the <VirtualHost> by port, then ServerName/ServerAlias (the
first of the port's hosts when none matches), and merges the sections that
apply to the request in its walk order: <Directory> shortest first, each
directory's .htaccess after it (see htaccess.py), <DirectoryMatch>,
<Files>/<FilesMatch>, <Location>/<LocationMatch>, and last the <If> blocks
that hold.  Later sections win.  Functions take `ev`, the request's
`Evaluation` (evaluate.py).
"""

from __future__ import annotations

import os
import re

from .. import saferegex
from . import htaccess
from ..routeindex import PathIndex
from .alias import prefix_match
from .conf import Context, VirtualHost


def select_vhost(ev) -> VirtualHost:
    """The <VirtualHost> of the request: among the hosts on its port (else
    those without one), the first whose ServerName/ServerAlias (wildcards
    allowed) is the Host, else the first of them; the main server when
    there is none."""
    return _host_index(ev.conf).select(ev.request.port, ev.request.host.rstrip("."))


def _host_index(conf) -> HostIndex:
    if conf.host_index is None:
        conf.host_index = HostIndex(conf)
    return conf.host_index


class HostIndex:
    """The virtual hosts of a configuration by port and name, and each
    host's sections by path, built once: every scope of every host asks
    a few requests, and scanning every <VirtualHost> or every <Location>
    for each of them is quadratic.  Wildcard names stay in a list, tried
    in configuration order before the first exact match; a choice is
    remembered per (port, Host)."""

    def __init__(self, conf):
        self.main = conf.main
        by_port: dict[int, list[VirtualHost]] = {}
        for vhost in conf.vhosts:
            for port in dict.fromkeys(vhost.ports):
                by_port.setdefault(port, []).append(vhost)
        self.by_port = {port: _Names(vhosts) for port, vhosts in by_port.items()}
        portless = [v for v in conf.vhosts if not v.ports]
        self.portless = _Names(portless) if portless else None
        self.chosen: dict[tuple[int, str], VirtualHost] = {}
        self.sections: dict[int, _Sections] = {}

    def select(self, port: int, host: str) -> VirtualHost:
        chosen = self.chosen.get((port, host))
        if chosen is None:
            names = self.by_port.get(port) or self.portless
            chosen = self.chosen[port, host] = names.first_named(host) if names else self.main
        return chosen

    def sections_of(self, host: VirtualHost) -> _Sections:
        """The sections that apply in `host`: the main server's, then its own."""
        found = self.sections.get(id(host))
        if found is None:
            hosts = [self.main] + ([host] if host is not self.main else [])
            found = self.sections[id(host)] = _Sections([s for h in hosts for s in h.context.sections])
        return found


class _Sections:
    """One host's sections in file order: by kind, and <Location>s and
    <Directory>s also by the literal path segments they start with."""

    def __init__(self, sections: list[Context]):
        self.by_kind: dict[str, list[Context]] = {}
        for section in sections:
            self.by_kind.setdefault(section.kind, []).append(section)
        self.locations = [s for s in sections if s.kind in ("location", "locationmatch")]
        self.files = [s for s in sections if s.kind in ("files", "filesmatch")]
        self.location_index = PathIndex(_location_head(s) for s in self.locations)
        self.directory_index = PathIndex(_directory_head(s.pattern) for s in self.kind("directory"))

    def kind(self, kind: str) -> list[Context]:
        return self.by_kind.get(kind, [])

    def for_location(self, uri: str) -> list[Context]:
        """The <Location>/<LocationMatch> sections that may apply to `uri`, in file order."""
        return [self.locations[i] for i in self.location_index.candidates(_SLASHES.sub("/", uri))]

    def for_directory(self, directory: str) -> list[Context]:
        """The <Directory> sections that may cover `directory`, in file order."""
        directories = self.kind("directory")
        return [directories[i] for i in self.directory_index.candidates(_SLASHES.sub("/", directory))]


_SLASHES = re.compile(r"//+")
_GLOB = re.compile(r"[*?\[]")


def _location_head(section: Context) -> str | None:
    """What every URI a <Location> takes starts with, runs of slashes as
    one (prefix_match, or a wildcard pattern's text before its first
    wildcard); None for <LocationMatch>."""
    if section.kind != "location":
        return None
    pattern = _SLASHES.sub("/", section.pattern)
    wildcard = _GLOB.search(pattern)
    if wildcard is not None:
        return pattern[:wildcard.start()]
    return pattern if pattern.endswith("/") else pattern + "/"


def _directory_head(pattern: str) -> str | None:
    """What every directory a <Directory> covers starts with (see _dir_contains)."""
    pattern = _SLASHES.sub("/", pattern)
    wildcard = _GLOB.search(pattern)
    if wildcard is not None:
        return pattern[:wildcard.start()]
    return pattern.rstrip("/") + "/"


class _Names:
    """One port's candidate hosts: exact names to the first host that has
    them, wildcard names in order with their position."""

    def __init__(self, candidates: list[VirtualHost]):
        self.candidates = candidates
        self.exact: dict[str, int] = {}
        self.wildcards: list[tuple[int, object]] = []
        for position, vhost in enumerate(candidates):
            for name in vhost.names:
                if "*" in name or "?" in name:
                    self.wildcards.append((position, _wildcard(name)))
                else:
                    self.exact.setdefault(name, position)

    def first_named(self, host: str) -> VirtualHost:
        """The first candidate with a name matching `host`, else the first candidate."""
        best = self.exact.get(host, len(self.candidates))
        for position, pattern in self.wildcards:
            if position >= best:
                break
            if pattern.fullmatch(host):
                best = position
                break
        return self.candidates[best if best < len(self.candidates) else 0]


def _wildcard(name: str):
    """A ServerName/ServerAlias with `*` and `?` as a (guarded) regex."""
    return saferegex.compile(re.escape(name).replace(r"\*", ".*").replace(r"\?", "."))


def merge(ev, proxied) -> list[Context]:
    """Sections that apply, in Apache's merge order (later wins)."""
    sections = _host_index(ev.conf).sections_of(ev.host)
    out: list[Context] = []
    if not proxied:
        path = ev.filename
        # the directory walk includes the last segment when it is a
        # directory (`/sub` without its slash gets sub/'s sections)
        is_dir = path.endswith("/") or ev.file_kind(path) == "dir"
        directory = path.rstrip("/") + "/" if is_dir else os.path.dirname(path) + "/"
        plain = [s for s in sections.for_directory(directory) if _dir_contains(s.pattern, directory)]
        plain.sort(key=lambda s: s.pattern.rstrip("/").count("/") if s.pattern != "/" else 0)
        out += htaccess.with_htaccess(ev, plain, directory)
        # an .htaccess linted on its own governs every path below its directory
        out += sections.kind("htaccess")
        out += [s for s in sections.kind("directorymatch") if s.regex and s.regex.search(directory)]
        base = os.path.basename(path.rstrip("/")) if not path.endswith("/") else ""
        for section in sections.files + \
                [f for s in out for f in s.sections if f.kind in ("files", "filesmatch")]:
            if section.kind == "files" and _glob(section.pattern, base) or \
                    section.kind == "filesmatch" and section.regex and section.regex.search(base):
                out.append(section)
    out = with_ifs(ev, out + locations(ev))
    for ctx in out:
        ev.note(f"{ctx.label} (line {ctx.source.line}) applies", ctx.source)
    return out


def locations(ev) -> list[Context]:
    """<Location>/<LocationMatch> sections for the URI, in file order."""
    return [section for section in _host_index(ev.conf).sections_of(ev.host).for_location(ev.uri)
            if section.kind == "location" and (prefix_match(ev.uri, section.pattern) is not None or
                                               _glob(section.pattern, ev.uri))
            or section.kind == "locationmatch" and section.regex and section.regex.search(ev.uri)]


def with_ifs(ev, sections: list[Context]) -> list[Context]:
    """The sections followed by the <If> blocks that hold (merged last)."""
    out = list(sections)
    for ctx in ev.server_contexts() + list(sections):
        out += chosen_ifs(ev, ctx)
    return out


def chosen_ifs(ev, ctx: Context) -> list[Context]:
    """The <If>/<ElseIf>/<Else> sections of a context that hold."""
    out: list[Context] = []
    previous_matched: bool | None = None
    for section in ctx.ifs:
        if section.kind == "if":
            previous_matched = None
        if section.kind in ("elseif", "else") and previous_matched:
            continue
        if section.kind == "else":
            if previous_matched is False:
                out.append(section)
            continue
        held = ev.expression(section.pattern)
        if held is None:
            ev.certain = False
            ev.note(f"{section.label} cannot be decided statically; assumed false", section.source)
            held = False
        previous_matched = held or bool(previous_matched)
        if held:
            out.append(section)
    return out


def _dir_contains(pattern: str, directory: str) -> bool:
    """Whether a <Directory> path or wildcard pattern covers `directory`."""
    base = pattern.rstrip("/") + "/"
    if any(ch in pattern for ch in "*?["):
        return _glob(pattern.rstrip("/") + "/*", directory.rstrip("/") + "/x") or _glob(pattern, directory.rstrip("/"))
    return directory.startswith(base) or pattern == "/"


def _glob(pattern: str, text: str) -> bool:
    import fnmatch

    return fnmatch.fnmatchcase(text, pattern)
