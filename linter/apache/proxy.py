"""mod_proxy: ProxyPass/ProxyPassMatch (translate_name) and the proxy
handler, which answers with the backend's status and header block.
Functions take `ev`, the request's `Evaluation` (evaluate.py).
"""

from __future__ import annotations

import re

from .. import saferegex
from ..model import Handler
from .alias import prefix_match
from .outcome import Done


def backend_for(ev):
    """(backend URL, source) of the ProxyPass/ProxyPassMatch that takes the URI."""
    for regex, path, target, source in ev.host.proxies + (
            ev.conf.main.proxies if ev.host is not ev.conf.main else []):
        if regex:
            m = saferegex.search(path, ev.uri)
            url = m.expand(re.sub(r"\$(\d)", r"\\\1", target)) if m and target else target
        else:
            length = prefix_match(ev.uri, path)
            m = length is not None
            url = target + ev.uri[length:] if m and target else target
        if m:
            if target is None:
                return None   # `ProxyPass /path !` excludes it
            ev.note(f"ProxyPass (line {source.line}): the backend answers", source)
            return (url, source)
    return None


def handler(ev, proxied) -> None:
    """The backend answers: its status and headers as the Upstream says
    (unknown when it does not); one that cannot be reached makes httpd answer 503."""
    target, source = proxied
    up = ev.upstream
    if not up.reachable:
        # mod_proxy_http cannot connect: 503 through the error path (ErrorDocument applies)
        ev.note(f"the backend {target} cannot be reached: 503", source)
        raise Done(503, source, Handler.PROXY, True)
    if up.headers is None:
        ev.upstream_headers_unknown = True
    raise Done(up.status, source, Handler.PROXY, False, upstream=list(up.headers or []))
