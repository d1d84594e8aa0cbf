r"""An http:// origin is trusted while credentials are allowed.

## What it does
Fires when the server, as configured, would allow an `http://` origin (a
literal such as `http://app.example.com`, or a pattern such as `https?://`) in
a scope that also sends `Access-Control-Allow-Credentials: true`.

## Why is this bad?
Anyone on the network path of a user (public Wi-Fi, a compromised router, a
hostile ISP) can rewrite a plain-HTTP page of `http://app.example.com`, or
answer for it entirely, and so run script as that origin. The browser then
sends `Origin: http://app.example.com`, the API allows it with credentials,
and the injected script reads the user's data from the HTTPS API with the
user's cookies. TLS on the API does not help: the trust was granted to an
origin the attacker controls. The browser prints nothing; the request is
allowed.

## Example
```nginx
map $http_origin $cors_origin {
    default                           "";
    "~^https?://app\.example\.com$"   $http_origin;
}

server {
    location /api/ {
        add_header Access-Control-Allow-Origin $cors_origin always;
        add_header Access-Control-Allow-Credentials "true" always;
        add_header Vary Origin always;
        proxy_pass http://app_backend;
    }
}
```

```apache
SetEnvIf Origin "^(https?://app\.example\.com)$" CORS_ORIGIN=$1
<Location /api/>
    Header always set Access-Control-Allow-Origin "%{CORS_ORIGIN}e" env=CORS_ORIGIN
    Header always set Access-Control-Allow-Credentials "true" env=CORS_ORIGIN
    Header always merge Vary Origin
    ProxyPass http://127.0.0.1:8000/api/
</Location>
```

## Use instead
```nginx
map $http_origin $cors_origin {
    default                    "";
    "https://app.example.com"  $http_origin;    # and HSTS on app.example.com
}

server {
    location /api/ {
        add_header Access-Control-Allow-Origin $cors_origin always;
        add_header Access-Control-Allow-Credentials "true" always;
        add_header Vary Origin always;
        proxy_pass http://app_backend;
    }
}
```

```apache
# https only (and HSTS on app.example.com)
SetEnvIf Origin "^(https://app\.example\.com)$" CORS_ORIGIN=$1
<Location /api/>
    Header always set Access-Control-Allow-Origin "%{CORS_ORIGIN}e" env=CORS_ORIGIN
    Header always set Access-Control-Allow-Credentials "true" env=CORS_ORIGIN
    Header always merge Vary Origin
    ProxyPass http://127.0.0.1:8000/api/
</Location>
```

## References
- [Fetch standard: CORS check](https://fetch.spec.whatwg.org/#cors-check)
- [PortSwigger Web Security Academy: CORS](https://portswigger.net/web-security/cors)
- [James Kettle: Exploiting CORS misconfigurations for Bitcoins and bounties](https://portswigger.net/research/exploiting-cors-misconfigurations-for-bitcoins-and-bounties)
- [MDN: Strict-Transport-Security](https://developer.mozilla.org/en-US/docs/Web/HTTP/Reference/Headers/Strict-Transport-Security)
"""

from __future__ import annotations

from corslint.diagnostics import Hit
from corslint.probes import credentials_allowed, decided_by


def check(ctx):
    """An http:// origin is allowed while credentials are allowed."""
    for p in ctx.probes:
        if not p.checks_origins:
            continue
        for origin in ctx.insecure_candidates(p):
            answer, lines = p.allowing(origin)
            if lines and credentials_allowed(answer):
                yield Hit(decided_by(lines[0]), f"the insecure origin {origin} is trusted with credentials: anyone on "
                                                f"the network path can act as that origin",
                          p.request(None, origin, "credentials"))
                break
