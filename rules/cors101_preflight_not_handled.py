"""CORS headers are sent, but no CORS-aware handler answers the preflight.

## What it does
Fires when the server, as configured, adds CORS headers to a scope's responses
but would hand an `OPTIONS` preflight for that scope to something that knows
nothing about CORS: static file handling (nginx answers `OPTIONS` on a file
with `405 Not Allowed`), a framework route without OPTIONS handling (Express
per-route `cors()` without a matching `app.options(...)`), or an upstream
application behind `proxy_pass` or `ProxyPass` although this layer owns CORS
(it sets `Access-Control-Allow-Origin` itself). Apache, unlike nginx, answers
`OPTIONS` on a static file itself (200, with the scope's `Header` lines), so
for Apache this is about proxied scopes, where `ProxyPass` passes the
preflight on to the application. The preflight is asked as a remote browser
sends it (Chromium's headers, client address 203.0.113.10): a scope whose
address rules refuse every remote client (`allow 127.0.0.1; deny all;`,
`Require ip 127.0.0.1`) serves no page on the internet and is not reported.

## Why is this bad?
Before any request that is not "simple" (a `PUT` or `DELETE`, a JSON
`Content-Type`, an `Authorization` header) the browser sends a preflight and
sends the real request only if the answer is 2xx, carries
`Access-Control-Allow-Origin` for the page, and lists the method and headers in
`Access-Control-Allow-Methods` / `Access-Control-Allow-Headers`. A handler that
does not know about CORS fails one of these, so simple `GET`s work while every
other call is blocked before it leaves the browser. What Chromium 156 prints
depends on the fallback's answer. For a 405 that carries the `always` headers:

```text
Access to fetch at 'https://api.example.com/api/orders/42' from origin 'https://app.example.com' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: It does not have HTTP ok status.
```

Without `always` the 405 has no `Access-Control-Allow-Origin`, and because
Chromium checks the origin before the status it reports "No
'Access-Control-Allow-Origin' header is present on the requested resource."
instead. An upstream that answers `200` without the allow-lists gives "Method
PUT is not allowed by Access-Control-Allow-Methods in preflight response."

## Example
```nginx
location /api/ {
    add_header Access-Control-Allow-Origin "https://app.example.com" always;
    add_header Access-Control-Allow-Credentials "true" always;
    proxy_pass http://app_backend;    # the application has no OPTIONS routes
}
```

```apache
<Location /api/>
    Header always set Access-Control-Allow-Origin "https://app.example.com"
    Header always set Access-Control-Allow-Credentials "true"
    # OPTIONS is proxied too, and the application has no OPTIONS routes
    ProxyPass http://127.0.0.1:8000/api/
</Location>
```

## Use instead
```nginx
location /api/ {
    if ($request_method = OPTIONS) {
        # own add_header lines: the location's ones are not inherited here
        add_header Access-Control-Allow-Origin "https://app.example.com" always;
        add_header Access-Control-Allow-Credentials "true" always;
        add_header Access-Control-Allow-Methods "GET, POST, PUT, DELETE" always;
        add_header Access-Control-Allow-Headers "Authorization, Content-Type" always;
        add_header Access-Control-Max-Age 7200 always;
        return 204;
    }
    add_header Access-Control-Allow-Origin "https://app.example.com" always;
    add_header Access-Control-Allow-Credentials "true" always;
    proxy_pass http://app_backend;
}
```

```apache
# in the <VirtualHost>: answer the preflight before it reaches ProxyPass
RewriteEngine On
RewriteCond %{REQUEST_METHOD} OPTIONS
RewriteRule ^/api/ - [R=204,L]
<Location /api/>
    # "always": the 204 from the rewrite carries only the always lines
    Header always set Access-Control-Allow-Origin "https://app.example.com"
    Header always set Access-Control-Allow-Credentials "true"
    Header always set Access-Control-Allow-Methods "GET, POST, PUT, DELETE"
    Header always set Access-Control-Allow-Headers "Authorization, Content-Type"
    ProxyPass http://127.0.0.1:8000/api/
</Location>
```

## References
- [Fetch standard: CORS check](https://fetch.spec.whatwg.org/#cors-check)
- [Fetch standard: CORS-preflight fetch](https://fetch.spec.whatwg.org/#cors-preflight-fetch)
- [MDN: Preflighted requests](https://developer.mozilla.org/en-US/docs/Web/HTTP/Guides/CORS#preflighted_requests)
- [nginx: `if` and `return`](https://nginx.org/en/docs/http/ngx_http_rewrite_module.html#if)
- [expressjs/cors: Enabling CORS Pre-Flight](https://github.com/expressjs/cors#enabling-cors-pre-flight)
- [Chromium: `preflight_controller.cc`](https://source.chromium.org/chromium/chromium/src/+/main:services/network/cors/preflight_controller.cc)
"""

from __future__ import annotations

from corslint.cors import ACAO
from corslint.diagnostics import Hit
from corslint.model import Handler


#: handlers that answer a preflight without knowing CORS, and how to name them
FALLS_THROUGH = {Handler.STATIC: "static files", Handler.TRY_FILES: "static files",
                 Handler.NOT_FOUND: "the framework's 404", Handler.AUTO_OPTIONS: "the framework's automatic OPTIONS"}


def check(ctx):
    """A CORS-aware scope whose preflight falls to static files or to a backend."""
    for p in ctx.probes:
        if not p.cors_aware or not p.expects_preflight or p.closed_to_remote_clients:
            continue
        answer = p.preflight
        if answer.handler in FALLS_THROUGH and not answer.is_ok and not answer.is_redirect:
            yield Hit(p.scope.source, f"nothing answers the CORS preflight: OPTIONS falls through to "
                                      f"{FALLS_THROUGH[answer.handler]} and gets {answer.status}", p.request("OPTIONS"))
        elif answer.handler == Handler.AUTO_OPTIONS and not answer.has(ACAO):
            yield Hit(p.scope.source, f"nothing answers the CORS preflight: the framework's automatic OPTIONS "
                                      f"answers {answer.status} without any CORS header", p.request("OPTIONS"))
        elif answer.handler == Handler.PROXY and any(a.config_lines(ACAO) for a, _ in p.answers()):
            yield Hit(p.scope.source, "this layer adds Access-Control-Allow-Origin itself but passes the OPTIONS "
                                      "preflight to the backend: the proxy owns CORS here, so it should answer the "
                                      "preflight too", p.request("OPTIONS"))
