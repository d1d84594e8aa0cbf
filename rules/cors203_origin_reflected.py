"""The request Origin is reflected without validation.

## What it does
Fires when the server, as configured, would copy the request's `Origin` into
`Access-Control-Allow-Origin` without checking it against an allow-list, as in
CORS202, but does not allow credentials.

## Why is this bad?
Without credentials, every site can read these responses, exactly as with
`*`; the browser never complains, because every origin "matches". The
reflection adds only problems:

- the answer now differs per origin, so it needs `Vary: Origin`, or a cache
  hands one origin's answer to another (CORS405) and the browser fails with
  "The 'Access-Control-Allow-Origin' header has a value
  'https://a.example' that is not equal to the supplied origin. Have the
  server send the header with a valid value.";
- it hides whether "any origin" was intended;
- one added `Access-Control-Allow-Credentials: true` turns it into the
  credentialed hole CORS202, while `*` would simply stop working.

## Example
```nginx
location /public/ {
    add_header Access-Control-Allow-Origin $http_origin always;
    proxy_pass http://app_backend;
}
```

```apache
<Location /public/>
    Header always set Access-Control-Allow-Origin "expr=%{req:Origin}"
    ProxyPass http://127.0.0.1:8000/public/
</Location>
```

## Use instead
```nginx
location /public/ {
    # really public: say so
    add_header Access-Control-Allow-Origin "*" always;
    proxy_pass http://app_backend;
}
```

```apache
<Location /public/>
    # really public: say so
    Header always set Access-Control-Allow-Origin "*"
    ProxyPass http://127.0.0.1:8000/public/
</Location>
```

## References
- [Fetch standard: CORS check](https://fetch.spec.whatwg.org/#cors-check)
- [Fetch standard: CORS protocol and HTTP caches](https://fetch.spec.whatwg.org/#cors-protocol-and-http-caches)
- [MDN: Access-Control-Allow-Origin](https://developer.mozilla.org/en-US/docs/Web/HTTP/Reference/Headers/Access-Control-Allow-Origin)
- [PortSwigger Web Security Academy: CORS](https://portswigger.net/web-security/cors)
"""

from __future__ import annotations

from corslint.probes import reflected


def check(ctx):
    """Any Origin is echoed back (credentials not allowed)."""
    yield from reflected(ctx, credentials=False)
