"""A response can carry the same CORS header twice.

## What it does
Fires when a response, as configured, could carry a CORS header twice: two
`add_header` lines for it in one nginx block, Apache `Header add` or `append`
on top of `set`, Apache's `onsuccess` and `always` tables both setting it,
`more_set_headers` mixed with `add_header`, or the proxy adding
`Access-Control-Allow-Origin` while the upstream also sends one that is not
hidden. nginx `add_header` always appends; it never replaces. Apache `Header
set` replaces only within its own table: it replaces the application's copy,
but `Header always set` adds a second one.

## Why is this bad?
Browsers join repeated header lines with `", "`, and the joined value never
equals an origin, even when both copies are identical. Chromium 156 prints:

```text
Access to fetch at 'https://api.example.com/api/orders' from origin 'https://app.example.com' has been blocked by CORS policy: The 'Access-Control-Allow-Origin' header contains multiple values 'https://app.example.com, https://app.example.com', but only one is allowed. Have the server send the header with a valid value.
```

A doubled `Access-Control-Allow-Credentials` reads `true, true`, which is not
`true`, so credentialed requests fail. Firefox reports "Multiple CORS header
'Access-Control-Allow-Origin' not allowed".

## Example
```nginx
location /api/ {
    add_header Access-Control-Allow-Origin "https://app.example.com" always;
    add_header Access-Control-Allow-Credentials "true" always;
    proxy_pass http://app_backend;

    # added later while debugging a CORS error
    add_header Access-Control-Allow-Origin "https://app.example.com" always;
}
```

```apache
<Location /api/>
    Header set Access-Control-Allow-Origin "https://app.example.com"
    # added later for the error pages: a separate table, so every 2xx
    # now carries the header twice
    Header always set Access-Control-Allow-Origin "https://app.example.com"
    ProxyPass http://127.0.0.1:8000/api/
</Location>
```

## Use instead
```nginx
location /api/ {
    # exactly one source per header; if the application also sends it,
    # hide the upstream copy first
    proxy_hide_header Access-Control-Allow-Origin;
    proxy_hide_header Access-Control-Allow-Credentials;
    add_header Access-Control-Allow-Origin "https://app.example.com" always;
    add_header Access-Control-Allow-Credentials "true" always;
    proxy_pass http://app_backend;
}
```

```apache
<Location /api/>
    # one "always" line; the unset drops a copy from the application
    # (onsuccess table), which "always set" would not replace
    Header unset Access-Control-Allow-Origin
    Header always set Access-Control-Allow-Origin "https://app.example.com"
    ProxyPass http://127.0.0.1:8000/api/
</Location>
```

## References
- [Fetch standard: CORS check](https://fetch.spec.whatwg.org/#cors-check)
- [Fetch standard: get a header value (combining)](https://fetch.spec.whatwg.org/#concept-header-list-get)
- [MDN: CORSMultipleAllowOriginNotAllowed](https://developer.mozilla.org/en-US/docs/Web/HTTP/Guides/CORS/Errors/CORSMultipleAllowOriginNotAllowed)
- [nginx: `add_header`](https://nginx.org/en/docs/http/ngx_http_headers_module.html#add_header)
- [nginx: `proxy_hide_header`](https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_hide_header)
- [Apache: `Header`](https://httpd.apache.org/docs/2.4/mod/mod_headers.html#header)
"""

from __future__ import annotations

from corslint.cors import CORS_HEADERS
from corslint.diagnostics import Hit, Related


def check(ctx):
    """A response carries a CORS header twice: reported at the directive
    that added the second line (the last one applied)."""
    applied: dict[tuple[int, str], tuple] = {}
    for _probe, answer, line in ctx.config_header_lines(*CORS_HEADERS):
        key = (id(answer), line.name)
        if key not in applied:
            applied[key] = (answer, *_last_and_first(answer.lines(line.name)))
        _answer, last, first = applied[key]
        if line is not last:
            continue
        related = [Related(first.source.path, first.source.line, f"first {line.name}")] if first.source else []
        yield Hit(line.source, f"{line.name} is sent twice; the browser reads the combined value "
                               f"{', '.join(str(v) for v in answer.values(line.name))!r}", related=related)


def _last_and_first(lines):
    """The line of a header applied last and the first other one, by the
    order the configuration applies them (`seq`, then the order sent);
    (None, None) when the header is sent once.  Once per answer and header:
    a sort per line is quadratic in lines (16,000 add_header lines)."""
    if len(lines) < 2:
        return None, None
    ordered = [h for _i, h in sorted(enumerate(lines), key=lambda item: (item[1].seq, item[0]))]
    last = ordered[-1]
    return last, next(h for h in ordered if h is not last)
