r"""The Access-Control-Allow-Origin value can never match a request origin.

## What it does
Fires when the `Access-Control-Allow-Origin` value the server would send can
never equal a serialized origin: several origins in one value (a comma- or
space-separated list), a path or trailing slash (`https://app.example.com/`),
or a pattern written where a literal is required (`https://*.example.com`),
or, in Apache, `"%{Origin}i"`, which mod_headers does not read as the request
header. Also fires for an allow-list entry the request's `Origin` is compared
with (an nginx `map` key or `if ($http_origin = ...)`, flask-cors `origins`,
Starlette `allow_origins`, an Express `origin: [...]` array, Traefik's
`accessControlAllowOriginList`) written with a
trailing slash, a path or the default port (`https://app.example.com:443`),
when the server then refuses the origin as browsers send it.

## Why is this bad?
The browser compares the value byte for byte with the page's origin
(`scheme://host[:port]`, no path, no trailing slash), so none of these values
ever matches and every cross-origin read fails. Chromium 156 prints, for a
list:

```text
Access to fetch at 'https://api.example.com/api/orders' from origin 'https://app.example.com' has been blocked by CORS policy: The 'Access-Control-Allow-Origin' header contains multiple values 'https://app.example.com, https://admin.example.com', but only one is allowed. Have the server send the header with a valid value.
```

and for a trailing slash:

```text
Access to fetch at 'https://api.example.com/api/orders' from origin 'https://app.example.com' has been blocked by CORS policy: The 'Access-Control-Allow-Origin' header has a value 'https://app.example.com/' that is not equal to the supplied origin. Have the server send the header with a valid value.
```

(The last sentence is added for `fetch()` only.) An allow-list entry that
no `Origin` header can equal locks out the very page it was written for: the
server answers that page without `Access-Control-Allow-Origin`. Apache's
`Header set Access-Control-Allow-Origin "%{Origin}i"` (the `LogFormat`
spelling) starts without complaint and sends something like `i=97`: in
mod_headers `%i` is the idle-worker percentage; the request header is read
with `expr=%{req:Origin}`. To allow several origins,
choose the request's origin from an allow-list and send that single value.

## Example
```nginx
location /api/ {
    add_header Access-Control-Allow-Origin "https://app.example.com, https://admin.example.com" always;
    proxy_pass http://app_backend;
}
```

```apache
<Location /api/>
    Header always set Access-Control-Allow-Origin "https://app.example.com, https://admin.example.com"
    ProxyPass http://127.0.0.1:8000/api/
</Location>
<Directory /var/www/fonts>
    # sends "Access-Control-Allow-Origin: i=97" (idle workers, not the Origin)
    Header set Access-Control-Allow-Origin "%{Origin}i"
</Directory>
```

```python
app.add_middleware(CORSMiddleware, allow_origins=["https://app.example.com/"])  # never matches
```

## Use instead
```nginx
map $http_origin $cors_origin {
    default                      "";
    "https://app.example.com"    $http_origin;
    "https://admin.example.com"  $http_origin;
}

server {
    location /api/ {
        add_header Access-Control-Allow-Origin $cors_origin always;
        add_header Vary Origin always;
        proxy_pass http://app_backend;
    }
}
```

```apache
SetEnvIf Origin "^(https://(app|admin)\.example\.com)$" CORS_ORIGIN=$1
<Location /api/>
    Header always set Access-Control-Allow-Origin "%{CORS_ORIGIN}e" env=CORS_ORIGIN
    Header always merge Vary Origin
    ProxyPass http://127.0.0.1:8000/api/
</Location>
<Directory /var/www/fonts>
    Header set Access-Control-Allow-Origin "*"
</Directory>
```

```python
app.add_middleware(CORSMiddleware, allow_origins=["https://app.example.com"])
```

## References
- [Fetch standard: CORS check](https://fetch.spec.whatwg.org/#cors-check)
- [Fetch standard: HTTP new-header syntax](https://fetch.spec.whatwg.org/#http-new-header-syntax)
- [MDN: CORSMultipleAllowOriginNotAllowed](https://developer.mozilla.org/en-US/docs/Web/HTTP/Guides/CORS/Errors/CORSMultipleAllowOriginNotAllowed)
- [MDN: CORSAllowOriginNotMatchingOrigin](https://developer.mozilla.org/en-US/docs/Web/HTTP/Guides/CORS/Errors/CORSAllowOriginNotMatchingOrigin)
- [Chromium: `cors.cc` (`CheckAccess`)](https://source.chromium.org/chromium/chromium/src/+/main:services/network/public/cpp/cors/cors.cc)
"""

from __future__ import annotations

from functools import lru_cache

from corslint.cors import ACAO, DEFAULT_PORTS
from corslint.diagnostics import Hit
from corslint.origins import is_origin
from corslint.probes import admits


def check(ctx):
    """An Access-Control-Allow-Origin value, or an allow-list entry, that can never match an origin."""
    for _probe, _answer, line in ctx.config_header_lines(ACAO):
        value = line.value
        if value is None or value in ("*", "null") or is_origin(value):
            continue
        yield Hit(line.source, f"Access-Control-Allow-Origin {value!r} can never match: it must be '*', 'null' or "
                               f"exactly one origin (scheme://host[:port], no path or trailing slash)")
    yield from _dead_entries(ctx)


def _dead_entries(ctx):
    """Allow-list entries no browser sends (`https://app.example.com/`), whose
    origin as a browser sends it the server then refuses: the page the entry
    was written for is locked out."""
    reported = set()
    for probe in ctx.probes:
        for entry, source in probe.scope.origin_entries:
            if (entry, source) in reported:
                continue
            sent = browser_form(entry)
            if sent is None or admits(ctx.actual(probe.scope, sent), sent):
                continue
            reported.add((entry, source))
            yield Hit(source, f"the allow-list entry {entry!r} never matches: browsers send the origin as {sent!r} "
                              f"(no path, trailing slash or default port), which is refused",
                      probe.request(None, sent))


@lru_cache(maxsize=1024)
def browser_form(entry: str) -> str | None:
    """The origin a browser would send for a mistyped entry: without the
    path (or trailing slash) and the default port.  None for an entry already
    written as browsers send it, and for one that is no origin either way."""
    scheme, sep, rest = entry.strip().partition("://")
    rest = rest.partition("/")[0]     # a path, or just the trailing slash
    port = DEFAULT_PORTS.get(scheme)    # left out of the origin a browser sends
    if port and rest.endswith(":" + port):
        rest = rest[:-len(port) - 1]
    candidate = f"{scheme}{sep}{rest}"
    return candidate if sep and candidate != entry and is_origin(candidate) else None
