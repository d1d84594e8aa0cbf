"""The default handler with mod_dir: static files, DirectorySlash,
DirectoryIndex (a GET subrequest, then an internal redirect) and the
Allow line the handler answers OPTIONS and refused methods with.
Functions take `ev`, the request's `Evaluation` (evaluate.py).
"""

from __future__ import annotations

from ..model import Handler
from . import access, alias, headers, sections
from .outcome import Done

DEFAULT_METHODS_ALLOWED = "GET,POST,OPTIONS,HEAD,TRACE"


def handler(ev) -> str | None:
    """The default handler with mod_dir, as measured on Apache 2.4: a
    directory URL without its slash is redirected for every method; with
    the slash its index is looked up for every method (a GET subrequest,
    then an internal redirect); OPTIONS is answered 200 with Allow for
    any mapped path (even a missing file); POST serves a file like GET;
    other methods get 405."""
    path = ev.filename
    kind = ev.file_kind(path)
    source = (ev.host.document_root or ev.conf.main.document_root or (None, None))[1]
    if kind == "dir" and not ev.uri.endswith("/") and ev.merged("directory_slash") is not False:
        location = ev.uri + "/" + ("?" + ev.request.query if ev.request.query else "")
        ev.note("DirectorySlash: a directory without its slash is redirected", source)
        raise Done(301, source, Handler.STATIC, True, [("location", ev.absolute(location))])
    if kind == "dir" and ev.uri.endswith("/"):
        index = directory_index(ev, path)
        if index is not None:
            # mod_dir looks the index up with a GET subrequest: <If>,
            # SetEnvIf, Require and RewriteCond see GET
            ev.note(f"DirectoryIndex {index}", source)
            ev.method = "GET"
            ev.pass_kind = "index"
            return ev.uri + index
    if ev.method == "OPTIONS":
        ev.note("the static handler answers OPTIONS itself: 200 with Allow", source)
        raise Done(200, source, Handler.STATIC, False, [("allow", DEFAULT_METHODS_ALLOWED)])
    if ev.method not in ("GET", "HEAD", "POST"):
        ev.note(f"the static handler refuses {ev.method}: 405", source)
        raise Done(405, source, Handler.STATIC, True, [("allow", DEFAULT_METHODS_ALLOWED)])
    if kind == "dir":
        if ev.method == "POST":
            raise Done(404, source, Handler.STATIC, True)
        if ev.merged("indexes"):
            raise Done(200, source, Handler.AUTOINDEX, False)
        raise Done(403, source, Handler.STATIC, True)
    if kind is None:
        ev.note(f"{path} does not exist: 404", source)
        raise Done(404, source, Handler.STATIC, True)
    ev.note(f"static file {path}", source)
    raise Done(200, source, Handler.STATIC, False)


def directory_index(ev, directory: str) -> str | None:
    """mod_dir: the first DirectoryIndex name that is a file the GET
    subrequest for it may read.  A refused subrequest answers the
    request when it needs a user and is the only name (even for a
    missing file: access control runs first), or when no name is
    found; the answer carries the request's own sections."""
    names = ev.merged("directory_index") or ["index.html"]
    refused: Done | None = None
    for name in names:
        denied = subrequest_access(ev, ev.uri + name)
        if denied is None and ev.file_kind(directory.rstrip("/") + "/" + name) == "file":
            return name
        if denied is not None and denied.status == 401 and len(names) == 1:
            raise denied
        refused = denied or refused
    if refused is not None:
        raise refused
    return None


def subrequest_access(ev, uri: str) -> Done | None:
    """The access check of a GET subrequest for `uri` (None: allowed).
    Apache skips it when the subrequest merges exactly the sections of
    the request (no <Files>, <If> or <Location> of its own): the
    request's own access check then stands."""
    saved = (ev.uri, ev.method, ev.filename, ev.contexts, headers.copy_table(ev.early_out), len(ev.trace))
    ev.uri, ev.method = uri, "GET"
    try:
        ev.filename = alias.map_to_file(ev)
        ev.contexts = ev.server_contexts() + sections.merge(ev, None)
        if [id(c) for c in ev.contexts] != [id(c) for c in saved[3]]:
            access.check(ev)
        return None
    except Done as denied:
        return denied
    finally:
        ev.uri, ev.method, ev.filename, ev.contexts, ev.early_out, trace = saved
        del ev.trace[trace:]
