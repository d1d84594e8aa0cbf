"""The preflight is answered with a redirect.

## What it does
Fires when the server, as configured, would answer an `OPTIONS` preflight with
a 3xx: an http-to-https redirect, nginx's automatic trailing-slash `301` (a
prefix `location /api/` with `proxy_pass` receiving `/api`), `return 301` or
`308`, `rewrite ... permanent` / `redirect`, Apache `Redirect` or `RewriteRule
[R]`, or a framework's slash-appending redirect (Django `APPEND_SLASH`).

## Why is this bad?
Browsers never follow redirects for a preflight: the preflight is fetched in a
mode that treats any 3xx as a failure, whatever the `Location` and whatever
CORS headers the redirect carries. Chromium 156 checks for the redirect before
anything else and prints:

```text
Access to fetch at 'https://api.example.com/v1/orders/42' from origin 'https://app.example.com' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: Redirect is not allowed for a preflight request.
```

Firefox reports "CORS request external redirect not allowed". Simple `GET`s
through the same redirect may still work (the browser runs the CORS check on
every hop), so only `PUT`/`DELETE`/JSON calls break, which makes the cause hard
to spot.

## Example
```nginx
location /v1/ {
    add_header Access-Control-Allow-Origin "https://app.example.com" always;
    rewrite ^/v1/(.*)$ /api/v1/$1 permanent;
}
```

```apache
Header always set Access-Control-Allow-Origin "https://app.example.com"
Header always set Access-Control-Allow-Methods "GET, POST, PUT, DELETE"
Header always set Access-Control-Allow-Headers "Content-Type"
RewriteEngine On
# a preflight to /v1/ gets this 301; the "always" CORS lines on it do not help
RewriteRule ^/v1/(.*)$ /v2/$1 [R=301,L]
RewriteCond %{REQUEST_METHOD} OPTIONS
RewriteRule ^/v2/ - [R=204,L]
ProxyPass /v2/ http://127.0.0.1:8000/v2/
```

## Use instead
```nginx
location /v1/ {
    # internal rewrite: no 3xx reaches the browser; the /api/ location
    # that now handles the request answers the preflight
    rewrite ^/v1/(.*)$ /api/v1/$1 last;
}
```

```apache
Header always set Access-Control-Allow-Origin "https://app.example.com"
Header always set Access-Control-Allow-Methods "GET, POST, PUT, DELETE"
Header always set Access-Control-Allow-Headers "Content-Type"
RewriteEngine On
RewriteCond %{REQUEST_METHOD} OPTIONS
RewriteRule ^/v[12]/ - [R=204,L]
# internal rewrite, no 3xx: [PT] hands the new URL on to ProxyPass
RewriteRule ^/v1/(.*)$ /v2/$1 [PT,L]
ProxyPass /v2/ http://127.0.0.1:8000/v2/
```

## References
- [Fetch standard: CORS check](https://fetch.spec.whatwg.org/#cors-check)
- [Fetch standard: CORS-preflight fetch](https://fetch.spec.whatwg.org/#cors-preflight-fetch)
- [MDN: CORSExternalRedirectNotAllowed](https://developer.mozilla.org/en-US/docs/Web/HTTP/Guides/CORS/Errors/CORSExternalRedirectNotAllowed)
- [nginx: `rewrite`](https://nginx.org/en/docs/http/ngx_http_rewrite_module.html#rewrite)
- [nginx: `location` (trailing-slash redirect)](https://nginx.org/en/docs/http/ngx_http_core_module.html#location)
- [Chromium: `preflight_controller.cc`](https://source.chromium.org/chromium/chromium/src/+/main:services/network/cors/preflight_controller.cc)
"""

from __future__ import annotations

from corslint.diagnostics import Hit


def check(ctx):
    """A CORS-aware scope answers the preflight with a redirect."""
    for p in ctx.probes:
        answer = p.preflight
        if answer.is_redirect and answer.status_source is not None and (p.cors_aware or p.expects_preflight):
            target = answer.get("location") or "elsewhere"
            yield Hit(answer.status_source,
                      f"the preflight is redirected ({answer.status} to {target}); browsers never follow a redirect "
                      f"for a preflight: \"Redirect is not allowed for a preflight request.\"", p.request("OPTIONS"))
