"""A nested nginx level with its own add_header drops the inherited CORS headers.

## What it does
Fires when, in nginx, a nested level (`location`, or `if` inside a location)
has at least one `add_header` of its own, so that it silently drops all the
CORS `add_header` lines it would otherwise inherit from `server` or `http`.
The finding points at the nested `add_header` and at the dropped outer lines.
This rule is nginx-only: Apache applies the `Header` lines of every enclosing
section, in order, so a nested section drops none of them.

## Why is this bad?
nginx inherits `add_header` lines from the enclosing level only if the current
level has none. One unrelated line (a `Cache-Control`, a security header)
removes every CORS header for that location, without a warning, while the
config still reads as if the server-wide headers applied everywhere. Chromium
156 prints:

```text
Access to fetch at 'https://api.example.com/api/reports/7' from origin 'https://app.example.com' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.
```

## Example
```nginx
server {
    add_header Access-Control-Allow-Origin "https://app.example.com" always;
    add_header Access-Control-Allow-Credentials "true" always;

    location /api/ {
        proxy_pass http://app_backend;
    }

    location /api/reports/ {
        add_header Cache-Control "no-store" always;    # drops both CORS headers
        proxy_pass http://app_backend;
    }
}
```

## Use instead
```nginx
server {
    add_header Access-Control-Allow-Origin "https://app.example.com" always;
    add_header Access-Control-Allow-Credentials "true" always;

    location /api/ {
        proxy_pass http://app_backend;
    }

    location /api/reports/ {
        # repeat the CORS lines (an include snippet keeps them in one place),
        # or, with nginx >= 1.29.3, use "add_header_inherit merge;"
        add_header Access-Control-Allow-Origin "https://app.example.com" always;
        add_header Access-Control-Allow-Credentials "true" always;
        add_header Cache-Control "no-store" always;
        proxy_pass http://app_backend;
    }
}
```

## References
- [Fetch standard: CORS check](https://fetch.spec.whatwg.org/#cors-check)
- [nginx: `add_header` (inheritance)](https://nginx.org/en/docs/http/ngx_http_headers_module.html#add_header)
- [nginx: `add_header_inherit`](https://nginx.org/en/docs/http/ngx_http_headers_module.html#add_header_inherit)
- [MDN: CORSMissingAllowOrigin](https://developer.mozilla.org/en-US/docs/Web/HTTP/Guides/CORS/Errors/CORSMissingAllowOrigin)
"""

from __future__ import annotations

from corslint.diagnostics import Hit, Related
from corslint.model import DroppedHeaders


def check(ctx):
    """A nested level's own add_header drops the inherited CORS headers."""
    for drop in ctx.model_facts(DroppedHeaders):
        related = [Related(src.path, src.line, f"{name} dropped here") for name, src in drop.dropped]
        names = ", ".join(sorted({name for name, _ in drop.dropped}))
        yield Hit(drop.source, f"this {drop.level} has its own add_header, so the inherited {names} header(s) are "
                               f"not sent for requests it handles", related=related)
