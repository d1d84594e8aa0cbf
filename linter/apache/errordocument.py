"""ErrorDocument (core's ap_die): a response on the error path with a
status >= 400 is replaced by the configured document.  Functions take
`ev`, the request's `Evaluation` (evaluate.py).
"""

from __future__ import annotations

from ..model import Handler, Source
from .outcome import Done


def error_document(ev, done: Done) -> Done:
    """ErrorDocument: a local URL is served by an internal redirect (a
    normal response, both header tables); a full URL becomes a 302."""
    document = None
    for ctx in ev.contexts or ev.server_contexts():
        document = ctx.error_documents.get(done.status, document)
    if document is None:
        return done
    target, source = document
    if target.startswith(("http://", "https://")):
        ev.note(f"ErrorDocument (line {source.line}) redirects to {target}", source)
        return Done(302, source, Handler.ERRORDOCUMENT, True, [("location", target)])
    if target.startswith("/"):
        ev.note(f"ErrorDocument (line {source.line}) serves {target}", source)
        return internal_redirect(ev, target, done, source)
    return done


def internal_redirect(ev, target: str, done: Done, source: Source) -> Done:
    """The internal redirect to a local ErrorDocument: a new GET request
    for that URL, with the sections, <If>s and header actions of its own
    URL and a fresh headers_out, answered with the original status.  If
    it fails in turn, Apache sends its canned page for the first error,
    with the first request's headers (measured: its `always` table)."""
    first = ev.contexts, ev.env, ev.env_via, ev.early_out
    ev.uri, ev.method, ev.handler_method = target.split("?", 1)[0], "GET", "GET"
    ev.pass_kind = "redirect"
    try:
        ev.follow()
    except Done as served:
        if served.error_path:
            ev.contexts, ev.env, ev.env_via, ev.early_out = first
            return done
        return Done(done.status, source, Handler.ERRORDOCUMENT, False, done.headers)
    raise AssertionError("follow always decides")  # pragma: no cover
