"""A CORS header is removed on its way out and nothing adds it back.

## What it does
Fires when the server, as configured, would strip a CORS response header
(nginx `proxy_hide_header` or `fastcgi_hide_header`, headers-more
`more_clear_headers`, Apache `Header unset`) from a backend's answer and no
directive at that layer adds it back, so the header the application sets
never reaches the browser.

Where that layer sends its own `Access-Control-Allow-Origin`, the policy is
its own: hiding the backend's `Access-Control-Allow-Credentials`,
`-Expose-Headers` or allow-lists is a hardening (the backend's grants must not
mix with the layer's origin), not a strip. Where nothing is proxied there is
no backend header to strip, and nothing is reported.

## Why is this bad?
The application's CORS configuration looks right and its own logs show the
header being sent, but the browser sees a response without it. A stripped
`Access-Control-Allow-Origin` gives, in Chromium 156:

```text
Access to fetch at 'https://api.example.com/api/orders' from origin 'https://app.example.com' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.
```

A stripped `Access-Control-Allow-Credentials` fails credentialed requests with
"The value of the 'Access-Control-Allow-Credentials' header in the response is
'' which must be 'true' when the request's credentials mode is 'include'.";
stripped allow-lists on a preflight fail the method or header check. These
lines are typically left over from moving CORS from the proxy into the
application, or come with a copied hardening block such as `more_clear_headers
'Access-Control-*'` or Apache's `Header unset Access-Control-Allow-Origin`. In
Apache a proxied application's headers are in the `onsuccess` table: `Header
unset` removes them, `Header always unset` does not.

## Example
```nginx
location /api/ {
    proxy_hide_header Access-Control-Allow-Origin;
    proxy_hide_header Access-Control-Allow-Credentials;
    proxy_pass http://app_backend;    # the application sends the CORS headers
}
```

```apache
<Location /api/>
    # the application sends the CORS headers; these lines remove them
    Header unset Access-Control-Allow-Origin
    Header unset Access-Control-Allow-Credentials
    ProxyPass http://127.0.0.1:8000/api/
</Location>
```

## Use instead
```nginx
location /api/ {
    # let the application's CORS headers through; if this proxy must own
    # CORS instead, hide them and add its own with add_header ... always
    proxy_pass http://app_backend;
}
```

```apache
<Location /api/>
    # let the application's CORS headers through; if this proxy must own
    # CORS instead, "Header unset" them and add "Header always set" lines
    ProxyPass http://127.0.0.1:8000/api/
</Location>
```

## References
- [Fetch standard: CORS check](https://fetch.spec.whatwg.org/#cors-check)
- [nginx: `proxy_hide_header`](https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_hide_header)
- [nginx: `fastcgi_hide_header`](https://nginx.org/en/docs/http/ngx_http_fastcgi_module.html#fastcgi_hide_header)
- [headers-more: `more_clear_headers`](https://github.com/openresty/headers-more-nginx-module#more_clear_headers)
- [Apache: `Header`](https://httpd.apache.org/docs/2.4/mod/mod_headers.html#header)
- [MDN: CORSMissingAllowOrigin](https://developer.mozilla.org/en-US/docs/Web/HTTP/Guides/CORS/Errors/CORSMissingAllowOrigin)
"""

from __future__ import annotations

from corslint.cors import ACAC, ACAH, ACAM, ACAO, ACEH, MAX_AGE
from corslint.diagnostics import Hit
from corslint.model import Handler


#: the CORS headers each kind of response needs
NEEDED = {
    "GET": (ACAO, ACAC, ACEH),
    "OPTIONS": (ACAO, ACAC, ACAM, ACAH, MAX_AGE),
}


def check(ctx):
    """A backend's CORS header is removed on its way out and nothing at this layer adds it back."""
    for p in ctx.probes:
        for answer, method in p.answers():
            if answer.handler != Handler.PROXY or answer.config_lines(ACAO):
                # no backend answers; or this layer sends its own origin policy, and the backend's
                # credentials, exposed headers or allow-lists must not join it: hiding them is a hardening
                continue
            for name, source in answer.stripped:
                if name in NEEDED.get(method, NEEDED["GET"]) and not answer.has(name):
                    yield Hit(source, f"{name} sent by the backend is removed here and nothing at this layer adds "
                                      f"it back", p.request(method))
