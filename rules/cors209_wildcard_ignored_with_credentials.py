"""A * in Allow-Methods, Allow-Headers or Expose-Headers is ignored with credentials.

## What it does
Fires when a scope that sends `Access-Control-Allow-Credentials: true` would
also send `*` in `Access-Control-Allow-Methods`, `Access-Control-Allow-Headers`
or `Access-Control-Expose-Headers`.

## Why is this bad?
`*` is a wildcard only for requests without credentials. For requests with
`credentials: "include"` (the only ones `Access-Control-Allow-Credentials`
matters for) it is the literal name `*`, so nothing is allowed or exposed.
Chromium 156 rejects the preflight with one of:

```text
Access to fetch at 'https://api.example.com/api/orders/42' from origin 'https://app.example.com' has been blocked by CORS policy: Method PUT is not allowed by Access-Control-Allow-Methods in preflight response.
Access to fetch at 'https://api.example.com/api/orders' from origin 'https://app.example.com' has been blocked by CORS policy: Request header field content-type is not allowed by Access-Control-Allow-Headers in preflight response.
```

For `Access-Control-Expose-Headers: *` there is no error at all:
`response.headers.get("X-Request-Id")` just returns `null`. Tests without
credentials pass, which hides the problem.

## Example
```nginx
location /api/ {
    add_header Access-Control-Allow-Origin "https://app.example.com" always;
    add_header Access-Control-Allow-Credentials "true" always;
    add_header Access-Control-Allow-Methods "*" always;
    add_header Access-Control-Allow-Headers "*" always;
    add_header Access-Control-Expose-Headers "*" always;
    proxy_pass http://app_backend;
}
```

```apache
<Location /api/>
    Header always set Access-Control-Allow-Origin "https://app.example.com"
    Header always set Access-Control-Allow-Credentials "true"
    Header always set Access-Control-Allow-Methods "*"
    Header always set Access-Control-Allow-Headers "*"
    Header always set Access-Control-Expose-Headers "*"
    ProxyPass http://127.0.0.1:8000/api/
</Location>
```

## Use instead
```nginx
location /api/ {
    add_header Access-Control-Allow-Origin "https://app.example.com" always;
    add_header Access-Control-Allow-Credentials "true" always;
    add_header Access-Control-Allow-Methods "GET, POST, PUT, DELETE" always;
    add_header Access-Control-Allow-Headers "Authorization, Content-Type" always;
    add_header Access-Control-Expose-Headers "X-Request-Id" always;
    proxy_pass http://app_backend;
}
```

```apache
<Location /api/>
    Header always set Access-Control-Allow-Origin "https://app.example.com"
    Header always set Access-Control-Allow-Credentials "true"
    Header always set Access-Control-Allow-Methods "GET, POST, PUT, DELETE"
    Header always set Access-Control-Allow-Headers "Authorization, Content-Type"
    Header always set Access-Control-Expose-Headers "X-Request-Id"
    ProxyPass http://127.0.0.1:8000/api/
</Location>
```

## References
- [Fetch standard: CORS check](https://fetch.spec.whatwg.org/#cors-check)
- [Fetch standard: CORS-preflight fetch](https://fetch.spec.whatwg.org/#cors-preflight-fetch)
- [Fetch standard: CORS protocol and credentials](https://fetch.spec.whatwg.org/#cors-protocol-and-credentials)
- [MDN: Access-Control-Allow-Headers](https://developer.mozilla.org/en-US/docs/Web/HTTP/Reference/Headers/Access-Control-Allow-Headers)
- [MDN: Access-Control-Expose-Headers](https://developer.mozilla.org/en-US/docs/Web/HTTP/Reference/Headers/Access-Control-Expose-Headers)
"""

from __future__ import annotations

from corslint.cors import ACAH, ACAM, ACEH
from corslint.diagnostics import Hit
from corslint.probes import credentials_allowed, split_list


def check(ctx):
    """`*` in Allow-Methods/Allow-Headers/Expose-Headers while credentials are allowed."""
    for _probe, answer, line in ctx.config_header_lines(ACAM, ACAH, ACEH):
        if line.value is None or "*" not in split_list(line.value) or not credentials_allowed(answer):
            continue
        yield Hit(line.source, f"'*' in {line.name} is a literal name, not a wildcard, when credentials are "
                               f"allowed: nothing is covered")
