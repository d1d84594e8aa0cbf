"""The preflight is answered 2xx but without Access-Control-Allow-Origin.

## What it does
Fires when the server, as configured, would answer an `OPTIONS` preflight from
an allowed origin with a 2xx status but no `Access-Control-Allow-Origin` for
that origin. The usual cause is the nginx `if ($request_method = OPTIONS)`
block: it has `add_header` lines of its own, so the location's
`Access-Control-Allow-Origin` is not inherited into it. The finding points at
the block and at the dropped outer line. In Apache the usual causes are an
`Access-Control-Allow-Origin` set with plain `Header set` while the preflight
is answered by `RewriteRule ... [R=204]` or `[R=200]` (that response carries
only the `Header always` lines), and an origin `SetEnvIf` inside `<Location>`
or `<Directory>`, which never runs for a 204 from a VirtualHost-level
rewrite.

## Why is this bad?
The browser runs the same CORS check on the preflight as on the real response;
without `Access-Control-Allow-Origin` the preflight fails and the real request
is never sent. Chromium 156 prints:

```text
Access to fetch at 'https://api.example.com/api/orders/42' from origin 'https://app.example.com' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource.
```

A `curl` of the `GET` shows the header, and the preflight block visibly sets
`Access-Control-Allow-Methods`, so the config looks right when you read it.

## Example
```nginx
location /api/ {
    add_header Access-Control-Allow-Origin "https://app.example.com" always;
    add_header Access-Control-Allow-Credentials "true" always;

    if ($request_method = OPTIONS) {
        add_header Access-Control-Allow-Methods "GET, POST, PUT, DELETE" always;
        add_header Access-Control-Allow-Headers "Authorization, Content-Type" always;
        add_header Access-Control-Max-Age 7200 always;
        return 204;
    }
    proxy_pass http://app_backend;
}
```

```apache
RewriteEngine On
RewriteCond %{REQUEST_METHOD} OPTIONS
RewriteRule ^/api/ - [R=204,L]
<Location /api/>
    # onsuccess table: not sent on the 204, which carries only "always" lines
    Header set Access-Control-Allow-Origin "https://app.example.com"
    Header always set Access-Control-Allow-Methods "GET, POST, PUT, DELETE"
    Header always set Access-Control-Allow-Headers "Authorization, Content-Type"
    ProxyPass http://127.0.0.1:8000/api/
</Location>
```

## Use instead
```nginx
location /api/ {
    add_header Access-Control-Allow-Origin "https://app.example.com" always;
    add_header Access-Control-Allow-Credentials "true" always;

    if ($request_method = OPTIONS) {
        add_header Access-Control-Allow-Origin "https://app.example.com" always;
        add_header Access-Control-Allow-Credentials "true" always;
        add_header Access-Control-Allow-Methods "GET, POST, PUT, DELETE" always;
        add_header Access-Control-Allow-Headers "Authorization, Content-Type" always;
        add_header Access-Control-Max-Age 7200 always;
        return 204;
    }
    proxy_pass http://app_backend;
}
```

```apache
RewriteEngine On
RewriteCond %{REQUEST_METHOD} OPTIONS
RewriteRule ^/api/ - [R=204,L]
<Location /api/>
    Header always set Access-Control-Allow-Origin "https://app.example.com"
    Header always set Access-Control-Allow-Methods "GET, POST, PUT, DELETE"
    Header always set Access-Control-Allow-Headers "Authorization, Content-Type"
    ProxyPass http://127.0.0.1:8000/api/
</Location>
```

## References
- [Fetch standard: CORS check](https://fetch.spec.whatwg.org/#cors-check)
- [Fetch standard: CORS-preflight fetch](https://fetch.spec.whatwg.org/#cors-preflight-fetch)
- [MDN: CORSMissingAllowOrigin](https://developer.mozilla.org/en-US/docs/Web/HTTP/Guides/CORS/Errors/CORSMissingAllowOrigin)
- [nginx: `add_header` (inheritance)](https://nginx.org/en/docs/http/ngx_http_headers_module.html#add_header)
- [Chromium: `cors.cc` (`CheckAccess`)](https://source.chromium.org/chromium/chromium/src/+/main:services/network/public/cpp/cors/cors.cc)
"""

from __future__ import annotations

from corslint.cors import ACAO
from corslint.diagnostics import Hit
from corslint.model import Handler


def check(ctx):
    """A successful preflight answer without Access-Control-Allow-Origin in a CORS-aware scope."""
    for p in ctx.probes:
        answer = p.preflight
        if not p.actual.config_lines(ACAO) or not answer.is_ok or answer.has(ACAO):
            continue
        if answer.handler == Handler.AUTO_OPTIONS:
            continue   # CORS101: no CORS layer answers the preflight at all
        if answer.certain and not answer.upstream_headers_unknown and answer.status_source is not None:
            yield Hit(answer.status_source,
                      f"the preflight is answered {answer.status} without Access-Control-Allow-Origin although "
                      f"{p.origin} gets it on actual requests: \"Response to preflight request doesn't pass access "
                      f"control check: No 'Access-Control-Allow-Origin' header is present on the requested "
                      f"resource.\"", p.request("OPTIONS"))
