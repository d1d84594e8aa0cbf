"""The preflight is answered with a non-2xx status.

## What it does
Fires when the server, as configured, would answer an `OPTIONS` preflight with
a status outside 200-299: an explicit `return 405` or `return 403`, a
`limit_except` / `<LimitExcept>` that leaves `OPTIONS` out and denies it,
`deny all`, or a framework that refuses the preflight (Starlette's `400
Disallowed CORS method`). The finding names the preflight and the status it
gets, and "for a remote client (203.0.113.10)" when an address rule (nginx
`allow`/`deny`, Apache `Require ip`) decided it: probes come from a remote
browser. A scope whose address rules refuse the remote client's actual
request too (`allow 127.0.0.1; deny all;`) serves no page on the internet
and is not reported.

## Why is this bad?
The Fetch standard accepts a preflight only with an "ok status" (200-299); any
other status fails it, and the real request is never sent. Chromium 156 checks
`Access-Control-Allow-Origin` and `Access-Control-Allow-Credentials` on the
preflight *before* the status, so the message depends on whether the error
response carries the CORS headers. With them (nginx `add_header ... always`,
Apache `Header always set`):

```text
Access to fetch at 'https://api.example.com/api/orders/42' from origin 'https://app.example.com' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: It does not have HTTP ok status.
```

Without them (plain nginx `add_header` is not sent on 403 or 405, Apache
`Header set` on no error that httpd generates itself) the same failure reads "No 'Access-Control-Allow-Origin' header is present on the requested
resource.", which sends people looking at the wrong line. Firefox reports
"CORS preflight response did not succeed" with the status code.

## Example
```nginx
location /api/ {
    limit_except GET POST PUT DELETE {
        deny all;    # OPTIONS is not listed: every preflight gets 403
    }
    add_header Access-Control-Allow-Origin "https://app.example.com" always;
    add_header Access-Control-Allow-Methods "GET, POST, PUT, DELETE" always;
    add_header Access-Control-Allow-Headers "Content-Type" always;
    proxy_pass http://app_backend;
}
```

```apache
<Location /api/>
    # OPTIONS is not listed: every preflight gets 403 before the rewrite runs
    <LimitExcept GET POST PUT DELETE>
        Require all denied
    </LimitExcept>
    Header always set Access-Control-Allow-Origin "https://app.example.com"
    Header always set Access-Control-Allow-Methods "GET, POST, PUT, DELETE"
    Header always set Access-Control-Allow-Headers "Content-Type"
    RewriteEngine On
    RewriteCond %{REQUEST_METHOD} OPTIONS
    RewriteRule .* - [R=204,L]
    ProxyPass http://127.0.0.1:8000/api/
</Location>
```

## Use instead
```nginx
location /api/ {
    limit_except GET POST PUT DELETE OPTIONS {
        deny all;
    }
    if ($request_method = OPTIONS) {
        add_header Access-Control-Allow-Origin "https://app.example.com" always;
        add_header Access-Control-Allow-Methods "GET, POST, PUT, DELETE" always;
        add_header Access-Control-Allow-Headers "Content-Type" always;
        add_header Access-Control-Max-Age 7200 always;
        return 204;
    }
    add_header Access-Control-Allow-Origin "https://app.example.com" always;
    proxy_pass http://app_backend;
}
```

```apache
<Location /api/>
    <LimitExcept GET POST PUT DELETE OPTIONS>
        Require all denied
    </LimitExcept>
    Header always set Access-Control-Allow-Origin "https://app.example.com"
    Header always set Access-Control-Allow-Methods "GET, POST, PUT, DELETE"
    Header always set Access-Control-Allow-Headers "Content-Type"
    RewriteEngine On
    RewriteCond %{REQUEST_METHOD} OPTIONS
    RewriteRule .* - [R=204,L]
    ProxyPass http://127.0.0.1:8000/api/
</Location>
```

## References
- [Fetch standard: CORS check](https://fetch.spec.whatwg.org/#cors-check)
- [Fetch standard: CORS-preflight fetch](https://fetch.spec.whatwg.org/#cors-preflight-fetch)
- [Fetch standard: ok status](https://fetch.spec.whatwg.org/#ok-status)
- [MDN: CORSPreflightDidNotSucceed](https://developer.mozilla.org/en-US/docs/Web/HTTP/Guides/CORS/Errors/CORSPreflightDidNotSucceed)
- [nginx: `limit_except`](https://nginx.org/en/docs/http/ngx_http_core_module.html#limit_except)
- [Chromium: `preflight_controller.cc`](https://source.chromium.org/chromium/chromium/src/+/main:services/network/cors/preflight_controller.cc)
"""

from __future__ import annotations

from corslint.diagnostics import Hit
from corslint.model import Handler


#: statuses other rules explain better (CORS101, CORS105) or that a backend decides
OTHER_CAUSES = frozenset({Handler.STATIC, Handler.TRY_FILES, Handler.PROXY, Handler.UNKNOWN, Handler.AUTO_OPTIONS,
                          Handler.NOT_FOUND, Handler.APP}) | Handler.AUTHENTICATION


def check(ctx):
    """A CORS-aware scope answers the preflight with a non-2xx, non-redirect status."""
    for p in ctx.probes:
        answer = p.preflight
        if not p.cors_aware or answer.status is None or answer.is_ok or answer.is_redirect:
            continue
        if answer.status_source is None or answer.handler in OTHER_CAUSES or p.closed_to_remote_clients:
            continue
        yield Hit(answer.status_source,
                  f"the preflight is answered {answer.status}: the browser reports \"Response to preflight request "
                  f"doesn't pass access control check: It does not have HTTP ok status.\"", p.request("OPTIONS"))
