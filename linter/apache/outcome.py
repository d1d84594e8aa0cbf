"""The decided response of one request, as the phases raise it.

In httpd a hook that answers the request returns an HTTP status instead of
DECLINED/OK and the request cycle stops there (`ap_die`); here the phase
raises `Done` with that status, and `Evaluation.finish` builds the answer.
`error_path` says whether httpd sends it through its error path (errors,
redirects, `R=` with a non-3xx status), where only the `always` header
table is sent.
"""

from __future__ import annotations

from ..model import Source


class Done(Exception):
    def __init__(self, status: int | None, source: Source | None, handler: str, error_path: bool,
                 headers: list[tuple[str, str]] | None = None, upstream: list[tuple[str, str]] | None = None):
        self.status = status
        self.source = source
        self.handler = handler
        self.error_path = error_path
        self.headers = headers or []            # lines Apache itself adds (Location, Allow, WWW-Authenticate)
        self.upstream = upstream                # the backend's own lines (None: unknown)
