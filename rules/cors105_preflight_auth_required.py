"""Authentication applies to the preflight, which never carries credentials.

## What it does
Fires when the server, as configured, would require authentication for an
`OPTIONS` preflight: nginx `auth_basic` or `auth_request`, Apache `Require
valid-user`, a framework's auth running before its CORS middleware, or an
API Gateway authorizer on the CORS `OPTIONS` method (AWS SAM puts the
API's `DefaultAuthorizer` there unless `AddDefaultAuthorizerToCorsPreflight:
false`). The preflight then gets `401` or `403`. In Apache an OPTIONS `RewriteRule ...
[R=204]` inside the authenticated `<Location>`, `<Directory>` or `.htaccess`
does not help: per-directory rewrites run after authentication, only
VirtualHost-level ones run before it.

## Why is this bad?
A preflight is sent without cookies, without the `Authorization` header and
without client certificates, even when the real request will carry them. An
authentication check therefore always rejects it, and the real request is
never sent. The API works from `curl` or Postman with a token and fails only
in browsers. With CORS headers on the 401 (nginx `add_header ... always`,
Apache `Header always set`), Chromium 156 prints:

```text
Access to fetch at 'https://api.example.com/api/orders' from origin 'https://app.example.com' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: It does not have HTTP ok status.
```

Without `always` the 401 carries no `Access-Control-Allow-Origin`, and the
message is "No 'Access-Control-Allow-Origin' header is present on the
requested resource." instead.

## Example
```nginx
location /api/ {
    auth_request /_auth;
    add_header Access-Control-Allow-Origin "https://app.example.com" always;
    add_header Access-Control-Allow-Credentials "true" always;
    add_header Access-Control-Allow-Methods "GET, POST, PUT, DELETE" always;
    add_header Access-Control-Allow-Headers "Authorization, Content-Type" always;
    proxy_pass http://app_backend;
}
```

```apache
<Location /api/>
    AuthType Basic
    AuthName "API"
    AuthUserFile /etc/apache2/.htpasswd
    Require valid-user
    Header always set Access-Control-Allow-Origin "https://app.example.com"
    Header always set Access-Control-Allow-Credentials "true"
    Header always set Access-Control-Allow-Methods "GET, POST, PUT, DELETE"
    Header always set Access-Control-Allow-Headers "Authorization, Content-Type"
    # too late: a rewrite in <Location> runs after authentication (401)
    RewriteEngine On
    RewriteCond %{REQUEST_METHOD} OPTIONS
    RewriteRule .* - [R=204,L]
    ProxyPass http://127.0.0.1:8000/api/
</Location>
```

## Use instead
```nginx
location /api/ {
    # `return` runs in the rewrite phase, before auth_request (access phase)
    if ($request_method = OPTIONS) {
        add_header Access-Control-Allow-Origin "https://app.example.com" always;
        add_header Access-Control-Allow-Credentials "true" always;
        add_header Access-Control-Allow-Methods "GET, POST, PUT, DELETE" always;
        add_header Access-Control-Allow-Headers "Authorization, Content-Type" always;
        add_header Access-Control-Max-Age 7200 always;
        return 204;
    }
    auth_request /_auth;
    add_header Access-Control-Allow-Origin "https://app.example.com" always;
    add_header Access-Control-Allow-Credentials "true" always;
    proxy_pass http://app_backend;
}
```

```apache
# move the OPTIONS rule out of <Location /api/> into the <VirtualHost>: a
# server-level rewrite runs before authentication (or keep it in <Location>
# and wrap the Require in <LimitExcept OPTIONS>)
RewriteEngine On
RewriteCond %{REQUEST_METHOD} OPTIONS
RewriteRule ^/api/ - [R=204,L]
```

## References
- [AWS SAM: ApiAuth (`AddDefaultAuthorizerToCorsPreflight`, default true)](https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-api-apiauth.html)
- [Fetch standard: CORS check](https://fetch.spec.whatwg.org/#cors-check)
- [Fetch standard: CORS-preflight fetch (no credentials)](https://fetch.spec.whatwg.org/#cors-preflight-fetch)
- [MDN: Preflight requests and credentials](https://developer.mozilla.org/en-US/docs/Web/HTTP/Guides/CORS#preflight_requests_and_credentials)
- [nginx: `auth_request`](https://nginx.org/en/docs/http/ngx_http_auth_request_module.html)
- [nginx: `auth_basic`](https://nginx.org/en/docs/http/ngx_http_auth_basic_module.html)
- [nginx development guide: HTTP phases](https://nginx.org/en/docs/dev/development_guide.html#http_phases)
"""

from __future__ import annotations

from corslint.diagnostics import Hit
from corslint.model import Handler


def check(ctx):
    """Authentication applies to the preflight of a CORS-aware scope."""
    for p in ctx.probes:
        answer = p.preflight
        if answer.handler in Handler.AUTHENTICATION and answer.status_source is not None and \
                (p.cors_aware or p.scope.authenticates and p.scope.emits_cors):
            yield Hit(answer.status_source,
                      f"authentication applies to the OPTIONS preflight, which never carries credentials: it gets "
                      f"{answer.status}", p.request("OPTIONS"))
