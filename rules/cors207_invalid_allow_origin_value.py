"""The Access-Control-Allow-Origin value can never match a request origin.

## What it does
Fires when the `Access-Control-Allow-Origin` value the server would send can
never equal a serialized origin: several origins in one value (a comma- or
space-separated list), a path or trailing slash (`https://app.example.com/`),
or a pattern written where a literal is required (`https://*.example.com`).

## Why is this bad?
The browser compares the value byte for byte with the page's origin
(`scheme://host[:port]`, no path, no trailing slash), so none of these values
ever matches and every cross-origin read fails. Chromium 156 prints, for a
list:

```text
Access to fetch at 'https://api.example.com/api/orders' from origin 'https://app.example.com' has been blocked by CORS policy: The 'Access-Control-Allow-Origin' header contains multiple values 'https://app.example.com, https://admin.example.com', but only one is allowed. Have the server send the header with a valid value.
```

and for a trailing slash:

```text
Access to fetch at 'https://api.example.com/api/orders' from origin 'https://app.example.com' has been blocked by CORS policy: The 'Access-Control-Allow-Origin' header has a value 'https://app.example.com/' that is not equal to the supplied origin. Have the server send the header with a valid value.
```

(The last sentence is added for `fetch()` only.) To allow several origins,
choose the request's origin from an allow-list and send that single value.

## Example
```nginx
location /api/ {
    add_header Access-Control-Allow-Origin "https://app.example.com, https://admin.example.com" always;
    proxy_pass http://app_backend;
}
```

## Use instead
```nginx
map $http_origin $cors_origin {
    default                      "";
    "https://app.example.com"    $http_origin;
    "https://admin.example.com"  $http_origin;
}

server {
    location /api/ {
        add_header Access-Control-Allow-Origin $cors_origin always;
        add_header Vary Origin always;
        proxy_pass http://app_backend;
    }
}
```

## References
- [Fetch standard: CORS check](https://fetch.spec.whatwg.org/#cors-check)
- [Fetch standard: HTTP new-header syntax](https://fetch.spec.whatwg.org/#http-new-header-syntax)
- [MDN: CORSMultipleAllowOriginNotAllowed](https://developer.mozilla.org/en-US/docs/Web/HTTP/Guides/CORS/Errors/CORSMultipleAllowOriginNotAllowed)
- [MDN: CORSAllowOriginNotMatchingOrigin](https://developer.mozilla.org/en-US/docs/Web/HTTP/Guides/CORS/Errors/CORSAllowOriginNotMatchingOrigin)
- [Chromium: `cors.cc` (`CheckAccess`)](https://source.chromium.org/chromium/chromium/src/+/main:services/network/public/cpp/cors/cors.cc)
"""

from __future__ import annotations

from corslint.diagnostics import Hit
from corslint.origins import is_origin
from corslint.probes import ACAO

CODE = "CORS207"
NAME = "invalid-allow-origin-value"
SEVERITY = "error"
SUMMARY = "The Access-Control-Allow-Origin value can never match a request origin"


def check(ctx):
    """An Access-Control-Allow-Origin value that can never match an origin."""
    for _probe, _answer, line in ctx.config_header_lines(ACAO):
        value = line.value
        if value is None or value in ("*", "null") or is_origin(value):
            continue
        yield Hit(line.source, f"Access-Control-Allow-Origin {value!r} can never match: it must be '*', 'null' or "
                               f"exactly one origin (scheme://host[:port], no path or trailing slash)")
