r"""Access-Control-Allow-Origin depends on the request Origin but Vary: Origin is not sent.

## What it does
Fires when the `Access-Control-Allow-Origin` the server would send (its value,
or whether it is sent at all) depends on the request's `Origin` (an allow-list
lookup, reflection, headers only sent on CORS requests) and the response does
not carry `Vary: Origin` (or `Vary: *`).

## Why is this bad?
HTTP caches (the browser's own, a CDN, nginx `proxy_cache`) store one answer
per URL unless `Vary` says the answer depends on a request header. A response
made for one origin is then served to another, and the page fails with
(Chromium 156):

```text
Access to fetch at 'https://api.example.com/api/catalog' from origin 'https://admin.example.com' has been blocked by CORS policy: The 'Access-Control-Allow-Origin' header has a value 'https://app.example.com' that is not equal to the supplied origin. Have the server send the header with a valid value.
```

or a cached answer to a request without `Origin` (no CORS headers) is served
to a CORS request: "No 'Access-Control-Allow-Origin' header is present on the
requested resource." The failure depends on cache state, so it comes and goes.
A fixed `*` or a single fixed origin sent on every response needs no `Vary`.
Apache adds a `Vary: Origin` of its own when an `<If>` or `expr=` reads the
`Origin`, but not on error responses nor on proxied ones, so send it
explicitly (`Header always merge Vary Origin`).

## Example
```nginx
map $http_origin $cors_origin {
    default                      "";
    "https://app.example.com"    $http_origin;
    "https://admin.example.com"  $http_origin;
}

server {
    location /api/ {
        add_header Access-Control-Allow-Origin $cors_origin always;
        proxy_pass http://app_backend;
    }
}
```

```apache
SetEnvIf Origin "^(https://(app|admin)\.example\.com)$" CORS_ORIGIN=$1
<Location /api/>
    Header always set Access-Control-Allow-Origin "%{CORS_ORIGIN}e" env=CORS_ORIGIN
    ProxyPass http://127.0.0.1:8000/api/
</Location>
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

```apache
SetEnvIf Origin "^(https://(app|admin)\.example\.com)$" CORS_ORIGIN=$1
<Location /api/>
    Header always set Access-Control-Allow-Origin "%{CORS_ORIGIN}e" env=CORS_ORIGIN
    Header always merge Vary Origin
    ProxyPass http://127.0.0.1:8000/api/
</Location>
```

## References
- [Fetch standard: CORS check](https://fetch.spec.whatwg.org/#cors-check)
- [Fetch standard: CORS protocol and HTTP caches](https://fetch.spec.whatwg.org/#cors-protocol-and-http-caches)
- [RFC 9110, section 12.5.5: Vary](https://www.rfc-editor.org/rfc/rfc9110#section-12.5.5)
- [MDN: Vary](https://developer.mozilla.org/en-US/docs/Web/HTTP/Reference/Headers/Vary)

## Automatic fix
`corslint --fix` (preview: `--diff`): nginx: `add_header Vary Origin always;` is inserted after the `add_header Access-Control-Allow-Origin` line, in the same block (which already has `add_header` lines, so no inherited header is dropped); Apache: `Header always merge Vary Origin` after the `Header` line.
"""

from __future__ import annotations

from corslint.cors import ACAO, ORIGIN, VARY
from corslint.diagnostics import Hit
from corslint.probes import split_list


def check(ctx):
    """Access-Control-Allow-Origin depends on Origin but `Vary: Origin` is not sent."""
    for p in ctx.probes:
        answer = p.actual
        lines = answer.config_lines(ACAO)
        if not lines or not p.scope.origin_sensitive or not p.origin_dependent:
            continue
        vary = {v.lower() for v in split_list(", ".join(v or "" for v in answer.values(VARY)))}
        if ORIGIN in vary or "*" in vary:
            continue
        if answer.upstream_headers_unknown and any(h.from_upstream for h in answer.lines(VARY)):
            continue
        from corslint.edits import add_vary_origin   # loaded only when a finding has an edit

        yield Hit(lines[0].source, "Access-Control-Allow-Origin depends on the request Origin but `Vary: Origin` is "
                                   "not sent: a cache can hand one origin's answer to another", p.request(),
                  fix="send `Vary: Origin` next to Access-Control-Allow-Origin",
                  edits=add_vary_origin(lines[0].source))
