r"""An http:// origin is trusted while credentials are allowed.

## What it does
Fires when the server, as configured, would allow an `http://` origin (a
literal such as `http://app.example.com`, or a pattern such as `https?://`) in
a scope that also sends `Access-Control-Allow-Credentials: true`. Each
insecure origin of a list is reported on its own line.

Loopback origins (`http://localhost[:port]`, `http://*.localhost`,
`http://127.x.y.z`, `http://[::1]`) are exempt: W3C Secure Contexts §3.1
("Is origin potentially trustworthy?") counts them as potentially
trustworthy, browsers treat them as secure contexts and resolve them to the
user's own machine, so no one on the network path can act as them. (Whether
a development origin belongs in a production allow-list is another matter.)

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
- [W3C Secure Contexts §3.1: Is origin potentially trustworthy?](https://w3c.github.io/webappsec-secure-contexts/#is-origin-trustworthy)
- [PortSwigger Web Security Academy: CORS](https://portswigger.net/web-security/cors)
- [James Kettle: Exploiting CORS misconfigurations for Bitcoins and bounties](https://portswigger.net/research/exploiting-cors-misconfigurations-for-bitcoins-and-bounties)
- [MDN: Strict-Transport-Security](https://developer.mozilla.org/en-US/docs/Web/HTTP/Reference/Headers/Strict-Transport-Security)
"""

from __future__ import annotations

from corslint.diagnostics import Hit
from corslint.origins import potentially_trustworthy_http
from corslint.probes import credentials_allowed, decided_by


def check(ctx):
    """Every http:// origin other than loopback that is allowed while
    credentials are allowed: one finding per deciding line and scope, so a
    list's later insecure entry is not hidden behind an earlier one."""
    for p in ctx.probes:
        if not p.checks_origins:
            continue
        seen = set()
        for origin in ctx.insecure_candidates(p):
            if potentially_trustworthy_http(origin):
                continue
            answer, lines = p.allowing(origin)
            if not (lines and credentials_allowed(answer)):
                continue
            source = decided_by(lines[0])
            if source in seen:
                continue
            seen.add(source)
            yield Hit(source, f"the insecure origin {origin} is trusted with credentials: anyone on "
                              f"the network path can act as that origin",
                      p.request(None, origin, "credentials"))
