"""A request header that clients send is missing from Access-Control-Allow-Headers.

## What it does
Fires when the preflight answer the server would send does not allow a request
header that clients send: the configured clients' headers, or, without
configured clients, `Content-Type` (JSON bodies) for a scope that answers
preflights and allows and serves a method with a body (`POST`, `PUT`, `PATCH`,
`DELETE`; a `GET, OPTIONS` API needs none), and `Authorization` where the
config shows clients send it (a sibling scope lists it by name, or the scope
authenticates). `Authorization` covered only by `*` is reported too. The
finding names the preflight such a client sends: a method the scope allows and
serves, and the missing headers. Where access control or authentication
refuses the preflight itself (CORS102, CORS105), the lists the scope sends are
judged all the same: fixing the refusal only leads to this error.

## Why is this bad?
Every request header outside the CORS safelist (`Content-Type` other than
form or plain-text types, `Authorization`, any `X-...` header) must be listed,
case-insensitively, or the browser never sends the request. Chromium 156
prints (no "Response to preflight request" prefix; it names the first failing
header, lower-cased):

```text
Access to fetch at 'https://api.example.com/api/orders' from origin 'https://app.example.com' has been blocked by CORS policy: Request header field content-type is not allowed by Access-Control-Allow-Headers in preflight response.
```

Per the Fetch standard `Access-Control-Allow-Headers: *` never covers
`Authorization`. Chromium 156 still lets it through by default (the
spec-conformant check sits behind the `CorsNonWildcardRequestHeadersSupport`
feature and then fails with "Request header field authorization is not allowed
by Access-Control-Allow-Headers in preflight response."), and Firefox allows
it with a deprecation warning; both have announced the change, so list
`Authorization` by name. With credentials, `*` covers nothing at all
(CORS209).

## Example
```nginx
location /api/ {
    if ($request_method = OPTIONS) {
        add_header Access-Control-Allow-Origin "https://app.example.com" always;
        add_header Access-Control-Allow-Methods "GET, POST, PUT, DELETE" always;
        add_header Access-Control-Allow-Headers "X-Requested-With" always;
        return 204;
    }
    add_header Access-Control-Allow-Origin "https://app.example.com" always;
    proxy_pass http://app_backend;    # JSON API
}
```

```apache
RewriteEngine On
RewriteCond %{REQUEST_METHOD} OPTIONS
RewriteRule ^/api/ - [R=204,L]
<Location /api/>
    Header always set Access-Control-Allow-Origin "https://app.example.com"
    Header always set Access-Control-Allow-Methods "GET, POST, PUT, DELETE"
    Header always set Access-Control-Allow-Headers "X-Requested-With"
    # JSON API
    ProxyPass http://127.0.0.1:8000/api/
</Location>
```

## Use instead
```nginx
location /api/ {
    if ($request_method = OPTIONS) {
        add_header Access-Control-Allow-Origin "https://app.example.com" always;
        add_header Access-Control-Allow-Methods "GET, POST, PUT, DELETE" always;
        add_header Access-Control-Allow-Headers "Content-Type, X-Requested-With" always;
        return 204;
    }
    add_header Access-Control-Allow-Origin "https://app.example.com" always;
    proxy_pass http://app_backend;
}
```

```apache
RewriteEngine On
RewriteCond %{REQUEST_METHOD} OPTIONS
RewriteRule ^/api/ - [R=204,L]
<Location /api/>
    Header always set Access-Control-Allow-Origin "https://app.example.com"
    Header always set Access-Control-Allow-Methods "GET, POST, PUT, DELETE"
    Header always set Access-Control-Allow-Headers "Content-Type, X-Requested-With"
    ProxyPass http://127.0.0.1:8000/api/
</Location>
```

## References
- [Fetch standard: CORS check](https://fetch.spec.whatwg.org/#cors-check)
- [Fetch standard: CORS-safelisted request-header](https://fetch.spec.whatwg.org/#cors-safelisted-request-header)
- [Fetch standard: CORS non-wildcard request-header name](https://fetch.spec.whatwg.org/#cors-non-wildcard-request-header-name)
- [MDN: CORSMissingAllowHeaderFromPreflight](https://developer.mozilla.org/en-US/docs/Web/HTTP/Guides/CORS/Errors/CORSMissingAllowHeaderFromPreflight)
- [MDN: Access-Control-Allow-Headers](https://developer.mozilla.org/en-US/docs/Web/HTTP/Reference/Headers/Access-Control-Allow-Headers)
- [Chromium: `preflight_result.cc`](https://source.chromium.org/chromium/chromium/src/+/main:services/network/cors/preflight_result.cc)
"""

from __future__ import annotations

from corslint.cors import ACAH, ACAM
from corslint.diagnostics import Hit
from corslint.probes import PROBE_HEADERS, allow_list, split_list, wildcard_applies


def check(ctx):
    """Request headers the clients send are missing from Access-Control-Allow-Headers."""
    for p, answer in ctx.preflight_lists():
        header_lines, items = allow_list(answer, ACAH)
        if not header_lines and not answer.config_lines(ACAM):
            continue   # CORS301 reports the answer that allows nothing
        if items is None:
            continue
        allowed = {h.lower() for h in items}
        wildcard = wildcard_applies(answer, allowed)
        missing = [h for h in ctx.needed_headers(p.scope, p.methods)
                   if h not in allowed and not (wildcard and h != "authorization")]
        if missing and answer is p.preflight and allowed == set(PROBE_HEADERS):
            # the answer may echo what the preflight asked for: ask as a client does, for these headers
            asked = ctx.preflight(p.scope, p.origin, method=p.client_method,
                                  headers=tuple(sorted(set(PROBE_HEADERS) | set(missing))))
            echoed = {h.lower() for line in asked.config_lines(ACAH) if line.value for h in split_list(line.value)}
            missing = [h for h in missing if h not in echoed]
        source = header_lines[0].source if header_lines else answer.status_source
        if not missing or source is None:
            continue
        if missing == ["authorization"] and wildcard:
            text = ("Access-Control-Allow-Headers covers Authorization only through '*': the Fetch standard never "
                    "lets the wildcard cover it (Chromium 156 still does; Firefox warns)")
        else:
            text = (f"Access-Control-Allow-Headers misses {', '.join(missing)}: \"Request header field {missing[0]} "
                    f"is not allowed by Access-Control-Allow-Headers in preflight response.\"")
        yield Hit(source, text, p.request("OPTIONS", detail=f"{p.client_method}, {', '.join(missing)}"))
