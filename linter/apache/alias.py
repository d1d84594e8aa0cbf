"""mod_alias: Redirect/RedirectMatch, and Alias/AliasMatch or DocumentRoot
mapping the URI to a file (translate_name).  Functions take `ev`, the
request's `Evaluation` (evaluate.py).
"""

from __future__ import annotations

import re

from .. import saferegex
from ..model import Handler
from .outcome import Done


def redirect(ev, kind, status, pattern, target, source) -> None:
    """Redirect/RedirectMatch: a rule that takes the URI answers at once, on
    the error path, with a Location for a 3xx status (the rest of the URI
    after a prefix target, `$N` expanded for a regex)."""
    if kind == "prefix":
        length = prefix_match(ev.uri, pattern)
        if length is None:
            return
        location = target + ev.uri[length:] if target else ""
    else:
        m = saferegex.search(pattern, ev.uri)
        if not m:
            return
        location = m.expand(re.sub(r"\$(\d)", r"\\\1", target)) if target else ""
    code = int(status) if status.isdigit() else 302
    ev.note(f"Redirect (line {source.line}) answers {code}", source)
    headers = [("location", ev.absolute(location))] if 300 <= code < 400 and location else []
    raise Done(code, source, Handler.REDIRECT, True, headers)


def map_to_file(ev) -> str:
    """The file the URI maps to: the first Alias/AliasMatch that takes it
    (the vhost's before the server's), else DocumentRoot (/var/www/html
    when none is set) followed by the URI."""
    for regex, pattern, target, _source in ev.host.aliases + (
            ev.conf.main.aliases if ev.host is not ev.conf.main else []):
        if regex:
            m = saferegex.search(pattern, ev.uri)
            if m:
                return m.expand(re.sub(r"\$(\d)", r"\\\1", target))
        elif ev.uri == pattern or ev.uri.startswith(pattern.rstrip("/") + "/"):
            return target.rstrip("/") + ev.uri[len(pattern.rstrip("/")):]
    root = ev.host.document_root or ev.conf.main.document_root
    base = root[0] if root else "/var/www/html"
    return base + ev.uri


def prefix_match(uri: str, prefix: str) -> int | None:
    """How much of `uri` a <Location>, ProxyPass, Alias or Redirect path
    takes, or None: runs of slashes match runs of slashes, and the prefix
    ends at a segment boundary (`/api` takes `/api/x`, not `/apix`; `/api/`
    does not take `/api`)."""
    i = j = 0
    while i < len(prefix):
        if prefix[i] == "/":
            if j >= len(uri) or uri[j] != "/":
                return None
            while i < len(prefix) and prefix[i] == "/":
                i += 1
            while j < len(uri) and uri[j] == "/":
                j += 1
        elif j < len(uri) and uri[j] == prefix[i]:
            i += 1
            j += 1
        else:
            return None
    if prefix and prefix[-1] != "/" and j < len(uri) and uri[j] != "/":
        return None
    return j
