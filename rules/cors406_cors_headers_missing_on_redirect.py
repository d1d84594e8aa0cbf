"""The actual request is redirected without Access-Control-Allow-Origin.

## What it does
Fires when a scope that sends CORS headers answers the actual request (a
`GET` from an origin it serves) with a redirect within the same server (a
moved resource; an https upgrade or another host is where the page should
call instead) that carries no `Access-Control-Allow-Origin` for that origin: Apache's `Header set` (the
`onsuccess` table) on a `RewriteRule ... [R]` or `Redirect` answer, or an
nginx `return 3xx` / `rewrite ... redirect` answered at a level whose
`add_header` lines do not reach it, after a preflight that passes or
towards a URL of the same server that allows the origin.

## Why is this bad?
Browsers run the CORS check on every response of a redirect chain, the 3xx
itself included: a redirect without `Access-Control-Allow-Origin` fails the
call before the browser ever asks for the `Location`. Apache drops the
`onsuccess` table (plain `Header set`) on every redirect that mod_rewrite,
mod_alias or the core make, so the page's preflight passes and then the
actual request fails. Chromium 156 prints the normal missing-header message,
for the redirecting URL:

```text
Access to fetch at 'https://api.example.com/old' from origin 'https://app.example.com' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.
```

The configuration looks right (the header is there, the preflight works),
so the failure is usually blamed on the front end.

## Example
```apache
# .htaccess
Header set Access-Control-Allow-Origin "*"
RewriteEngine On
RewriteRule ^old$ /new [R=302,L]
```

## Use instead
```apache
# .htaccess: the `always` table is sent with redirects and errors too
Header always set Access-Control-Allow-Origin "*"
RewriteEngine On
RewriteRule ^old$ /new [R=302,L]
```

(or rewrite internally, without `R`, so no 3xx reaches the browser).

## References
- [Fetch standard: HTTP-redirect fetch (the CORS check runs on each response)](https://fetch.spec.whatwg.org/#http-redirect-fetch)
- [Fetch standard: CORS check](https://fetch.spec.whatwg.org/#cors-check)
- [Apache: `Header` (`always` and `onsuccess`)](https://httpd.apache.org/docs/2.4/mod/mod_headers.html#header)
- [Apache: `RewriteRule` flag `R`](https://httpd.apache.org/docs/2.4/rewrite/flags.html#flag_r)
- [nginx: `add_header` (`always`)](https://nginx.org/en/docs/http/ngx_http_headers_module.html#add_header)
"""

from __future__ import annotations

from corslint.cors import ACAO
from corslint.diagnostics import Hit, Related
from corslint.probes import admits

#: what every finding quotes: the browser's message for the redirect
CHROMIUM = "\"No 'Access-Control-Allow-Origin' header is present on the requested resource.\""


def check(ctx):
    """A redirect answers the actual request without Allow-Origin where the scope otherwise sends it."""
    for p in ctx.probes:
        answer = p.actual
        if not answer.is_redirect or answer.status_source is None or admits(answer, p.origin) \
                or p.redirect_location is None:
            continue
        withheld = [h for h in answer.withheld if h.name == ACAO]
        where = answer.get("location") or "elsewhere"
        if withheld:
            line = withheld[0].source
            yield Hit(answer.status_source,
                      f"the actual request is redirected ({answer.status} to {where}) without "
                      f"Access-Control-Allow-Origin: its line (line {line.line}) is on the success table only "
                      f"(`Header always set` reaches redirects): {CHROMIUM}", p.request(),
                      related=[Related(line.path, line.line, "Access-Control-Allow-Origin, not sent with redirects")])
        elif p.preflight.is_ok and admits(p.preflight, p.origin):
            yield Hit(answer.status_source,
                      f"the preflight passes, then the actual request is redirected ({answer.status} to {where}) "
                      f"without Access-Control-Allow-Origin: {CHROMIUM}", p.request())
        elif p.redirect_target is not None and admits(p.redirect_target, p.origin):
            yield Hit(answer.status_source,
                      f"the actual request is redirected ({answer.status} to {where}, which allows this origin) "
                      f"without Access-Control-Allow-Origin on the redirect itself: the browser stops there: "
                      f"{CHROMIUM}", p.request())
