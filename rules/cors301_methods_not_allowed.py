"""A method that clients need is missing from Access-Control-Allow-Methods.

## What it does
Fires when the preflight answer the server would send lacks a method that the
scope serves or that configured clients use (framework routes,
`limit_except`, `[tool.corslint]` clients); when a scope answers preflights
with neither `Access-Control-Allow-Methods` nor `Access-Control-Allow-Headers`,
so every preflight fails; or when the list spells a method in the wrong case
(`put`). Where access control or authentication refuses the preflight itself
(`limit_except` without `OPTIONS`: CORS102, CORS105), the list the scope sends
is judged all the same: fixing the refusal only leads to this error.

## Why is this bad?
Every method other than `GET`, `HEAD` and `POST` must appear in
`Access-Control-Allow-Methods`, or the browser stops after the preflight and
never sends the request. Chromium 156 prints (note: no "Response to preflight
request" prefix for this error):

```text
Access to fetch at 'https://api.example.com/api/orders/42' from origin 'https://app.example.com' has been blocked by CORS policy: Method DELETE is not allowed by Access-Control-Allow-Methods in preflight response.
```

Method names are compared case-sensitively: `put` in the list does not allow
`PUT`. `fetch()` upper-cases only `DELETE`, `GET`, `HEAD`, `OPTIONS`, `POST`
and `PUT`, so list `PATCH` in capitals and have clients send it that way.

## Example
```nginx
location /api/orders/ {
    limit_except GET POST PUT DELETE OPTIONS {
        deny all;
    }
    if ($request_method = OPTIONS) {
        add_header Access-Control-Allow-Origin "https://app.example.com" always;
        add_header Access-Control-Allow-Methods "GET, POST, put" always;
        add_header Access-Control-Allow-Headers "Content-Type" always;
        return 204;
    }
    add_header Access-Control-Allow-Origin "https://app.example.com" always;
    proxy_pass http://app_backend;
}
```

```apache
RewriteEngine On
RewriteCond %{REQUEST_METHOD} OPTIONS
RewriteRule ^/api/orders/ - [R=204,L]
<Location /api/orders/>
    <LimitExcept GET POST PUT DELETE OPTIONS>
        Require all denied
    </LimitExcept>
    Header always set Access-Control-Allow-Origin "https://app.example.com"
    Header always set Access-Control-Allow-Methods "GET, POST, put"
    Header always set Access-Control-Allow-Headers "Content-Type"
    ProxyPass http://127.0.0.1:8000/api/orders/
</Location>
```

## Use instead
```nginx
location /api/orders/ {
    limit_except GET POST PUT DELETE OPTIONS {
        deny all;
    }
    if ($request_method = OPTIONS) {
        add_header Access-Control-Allow-Origin "https://app.example.com" always;
        add_header Access-Control-Allow-Methods "GET, POST, PUT, DELETE" always;
        add_header Access-Control-Allow-Headers "Content-Type" always;
        return 204;
    }
    add_header Access-Control-Allow-Origin "https://app.example.com" always;
    proxy_pass http://app_backend;
}
```

```apache
RewriteEngine On
RewriteCond %{REQUEST_METHOD} OPTIONS
RewriteRule ^/api/orders/ - [R=204,L]
<Location /api/orders/>
    <LimitExcept GET POST PUT DELETE OPTIONS>
        Require all denied
    </LimitExcept>
    Header always set Access-Control-Allow-Origin "https://app.example.com"
    Header always set Access-Control-Allow-Methods "GET, POST, PUT, DELETE"
    Header always set Access-Control-Allow-Headers "Content-Type"
    ProxyPass http://127.0.0.1:8000/api/orders/
</Location>
```

## References
- [Fetch standard: CORS check](https://fetch.spec.whatwg.org/#cors-check)
- [Fetch standard: CORS-preflight fetch](https://fetch.spec.whatwg.org/#cors-preflight-fetch)
- [Fetch standard: method normalization](https://fetch.spec.whatwg.org/#concept-method-normalize)
- [RFC 9110, section 9.1: methods are case-sensitive](https://www.rfc-editor.org/rfc/rfc9110#section-9.1)
- [MDN: CORSMethodNotFound](https://developer.mozilla.org/en-US/docs/Web/HTTP/Guides/CORS/Errors/CORSMethodNotFound)
- [MDN: Access-Control-Allow-Methods](https://developer.mozilla.org/en-US/docs/Web/HTTP/Reference/Headers/Access-Control-Allow-Methods)
"""

from __future__ import annotations

from corslint.cors import ACAH, ACAM, SAFELISTED_METHODS
from corslint.diagnostics import Hit
from corslint.probes import allow_list, wildcard_applies


def check(ctx):
    """Preflights for methods the clients need fail."""
    for p, answer in ctx.preflight_lists():
        methods_lines, allowed = allow_list(answer, ACAM)
        if not methods_lines and not answer.config_lines(ACAH):
            if answer.status_source is not None and not answer.upstream_headers_unknown:
                yield Hit(answer.status_source, "the preflight answer has neither Access-Control-Allow-Methods nor "
                                                "Access-Control-Allow-Headers: every preflight fails",
                          p.request("OPTIONS"))
            continue
        if not methods_lines or allowed is None:
            continue
        wildcard = wildcard_applies(answer, allowed)
        lower = [m for m in allowed if m != m.upper() and m.upper() not in allowed]
        needed = [m for m in ctx.needed_methods(p.scope) if m not in allowed and m not in SAFELISTED_METHODS
                  and not wildcard]
        if lower:
            yield Hit(methods_lines[0].source, f"Access-Control-Allow-Methods lists {', '.join(lower)}: method names "
                                               f"are case-sensitive, so {lower[0].upper()} is not allowed",
                      p.request("OPTIONS", detail=lower[0].upper()))
        elif needed:
            yield Hit(methods_lines[0].source,
                      f"Access-Control-Allow-Methods misses {', '.join(needed)}, which this location serves: "
                      f"\"Method {needed[0]} is not allowed by Access-Control-Allow-Methods in preflight response.\"",
                      p.request("OPTIONS", detail=needed[0]))
