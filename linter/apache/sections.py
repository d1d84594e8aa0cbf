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
from .alias import prefix_match
from .conf import Context, VirtualHost


def select_vhost(ev) -> VirtualHost:
    """The <VirtualHost> of the request: among the hosts on its port (else
    those without one), the first whose ServerName/ServerAlias (wildcards
    allowed) is the Host, else the first of them; the main server when
    there is none."""
    port = ev.request.port
    candidates = [v for v in ev.conf.vhosts if port in v.ports] or \
        [v for v in ev.conf.vhosts if not v.ports]
    if not candidates:
        return ev.conf.main
    host = ev.request.host.rstrip(".")
    for vhost in candidates:
        for name in vhost.names:
            if name == host or ("*" in name or "?" in name) and saferegex.fullmatch(
                    re.escape(name).replace(r"\*", ".*").replace(r"\?", "."), host):
                return vhost
    return candidates[0]


def merge(ev, proxied) -> list[Context]:
    """Sections that apply, in Apache's merge order (later wins)."""
    hosts = [ev.conf.main] + ([ev.host] if ev.host is not ev.conf.main else [])
    sections = [s for h in hosts for s in h.context.sections]
    out: list[Context] = []
    if not proxied:
        path = ev.filename
        # the directory walk includes the last segment when it is a
        # directory (`/sub` without its slash gets sub/'s sections)
        is_dir = path.endswith("/") or ev.file_kind(path) == "dir"
        directory = path.rstrip("/") + "/" if is_dir else os.path.dirname(path) + "/"
        plain = [s for s in sections if s.kind == "directory" and _dir_contains(s.pattern, directory)]
        plain.sort(key=lambda s: s.pattern.rstrip("/").count("/") if s.pattern != "/" else 0)
        out += htaccess.with_htaccess(ev, plain, directory)
        # an .htaccess linted on its own governs every path below its directory
        out += [s for s in sections if s.kind == "htaccess"]
        out += [s for s in sections if s.kind == "directorymatch" and s.regex and s.regex.search(directory)]
        base = os.path.basename(path.rstrip("/")) if not path.endswith("/") else ""
        for section in [s for s in sections if s.kind in ("files", "filesmatch")] + \
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
    hosts = [ev.conf.main] + ([ev.host] if ev.host is not ev.conf.main else [])
    return [section for h in hosts for section in h.context.sections
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
