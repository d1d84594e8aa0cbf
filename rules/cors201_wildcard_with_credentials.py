r"""Access-Control-Allow-Origin: * is sent with Access-Control-Allow-Credentials: true.

## What it does
Fires when a response, as configured, would carry `Access-Control-Allow-Origin:
*` together with `Access-Control-Allow-Credentials: true`, whether written by
hand or emitted by a framework or platform that sends exactly that pair
(Express `cors({credentials: true})` with the default origin, rs/cors,
gin-contrib/cors, ingress-nginx's defaults).

## Why is this bad?
The wildcard only works for requests without credentials. For every request
made with `credentials: "include"` (or XHR `withCredentials = true`) the
browser refuses the response, so the configuration looks maximally open but
breaks exactly the calls that need cookies. Chromium 156 prints:

```text
Access to fetch at 'https://api.example.com/api/me' from origin 'https://app.example.com' has been blocked by CORS policy: The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'.
```

For XHR it adds "The credentials mode of requests initiated by the
XMLHttpRequest is controlled by the withCredentials attribute."; on a
preflight the message starts with "Response to preflight request doesn't pass
access control check:". Firefox says "Credential is not supported if the CORS
header 'Access-Control-Allow-Origin' is '*'". The common "fix" of echoing
the request's origin instead (nginx `$http_origin`, Apache
`expr=%{req:Origin}`) turns a broken config into an exploitable one (see
CORS202): send the request's origin only if it is on an allow-list.

## Example
```nginx
location /api/ {
    add_header Access-Control-Allow-Origin "*" always;
    add_header Access-Control-Allow-Credentials "true" always;
    proxy_pass http://app_backend;
}
```

```apache
<Location /api/>
    Header always set Access-Control-Allow-Origin "*"
    Header always set Access-Control-Allow-Credentials "true"
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
- [MDN: CORSNotSupportingCredentials](https://developer.mozilla.org/en-US/docs/Web/HTTP/Guides/CORS/Errors/CORSNotSupportingCredentials)
- [MDN: Access-Control-Allow-Origin](https://developer.mozilla.org/en-US/docs/Web/HTTP/Reference/Headers/Access-Control-Allow-Origin)
- [nginx: `map`](https://nginx.org/en/docs/http/ngx_http_map_module.html)
- [Chromium: `cors.cc` (`CheckAccess`)](https://source.chromium.org/chromium/chromium/src/+/main:services/network/public/cpp/cors/cors.cc)
"""

from __future__ import annotations

from corslint.cors import ACAC, ACAO
from corslint.diagnostics import Hit, Related
from corslint.probes import credentials_allowed


def check(ctx):
    """`Access-Control-Allow-Origin: *` sent together with `Access-Control-Allow-Credentials: true`."""
    for p in ctx.probes:
        for answer, method in p.answers():
            lines = answer.config_lines(ACAO)
            if lines and answer.get(ACAO) == "*" and credentials_allowed(answer):
                related = [Related(h.source.path, h.source.line, "Access-Control-Allow-Credentials: true")
                           for h in answer.config_lines(ACAC)]
                yield Hit(lines[0].source, "Access-Control-Allow-Origin is '*' while Access-Control-Allow-Credentials "
                                           "is 'true': browsers reject every credentialed request",
                          p.request(method, detail="credentials"), related)
