"""Access-Control-Max-Age is negative, not a number, or above what browsers honour.

## What it does
Fires when the `Access-Control-Max-Age` value the server would send is
negative, is not a plain non-negative integer (`5.5`, `1d`, `abc`), or is
larger than browsers honour: Chromium caps it at 7200 s (2 hours), Firefox at
86400 s (24 hours).

## Why is this bad?
No browser reports anything; the value just does not do what it says, and
clients send more preflights (one extra round trip before each non-simple
request) than the config suggests.

- Too large: `1728000` (20 days, a popular snippet and the ingress-nginx
  default) is cut to 7200 s in Chromium, 86400 s in Firefox and 600 s in
  Safari.
- Not a number: the Fetch standard falls back to 5 s; Chromium uses 5 s,
  Firefox does not cache the preflight at all.
- Negative: Chromium and Firefox do not cache; the Fetch standard treats it as
  invalid (5 s). To disable caching, send `0`, not `-1`.

## Example
```nginx
location /api/ {
    if ($request_method = OPTIONS) {
        add_header Access-Control-Allow-Origin "https://app.example.com" always;
        add_header Access-Control-Allow-Methods "GET, POST, PUT, DELETE" always;
        add_header Access-Control-Allow-Headers "Content-Type" always;
        add_header Access-Control-Max-Age 1728000 always;
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
    Header always set Access-Control-Allow-Headers "Content-Type"
    Header always set Access-Control-Max-Age "1728000"
    ProxyPass http://127.0.0.1:8000/api/
</Location>
```

## Use instead
```nginx
location /api/ {
    if ($request_method = OPTIONS) {
        add_header Access-Control-Allow-Origin "https://app.example.com" always;
        add_header Access-Control-Allow-Methods "GET, POST, PUT, DELETE" always;
        add_header Access-Control-Allow-Headers "Content-Type" always;
        add_header Access-Control-Max-Age 7200 always;
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
    Header always set Access-Control-Allow-Headers "Content-Type"
    Header always set Access-Control-Max-Age "7200"
    ProxyPass http://127.0.0.1:8000/api/
</Location>
```

## References
- [Fetch standard: CORS check](https://fetch.spec.whatwg.org/#cors-check)
- [Fetch standard: CORS-preflight fetch (max-age)](https://fetch.spec.whatwg.org/#cors-preflight-fetch)
- [Fetch standard: CORS-preflight cache](https://fetch.spec.whatwg.org/#cors-preflight-cache)
- [MDN: Access-Control-Max-Age](https://developer.mozilla.org/en-US/docs/Web/HTTP/Reference/Headers/Access-Control-Max-Age)
- [Chromium: `preflight_result.cc`](https://source.chromium.org/chromium/chromium/src/+/main:services/network/cors/preflight_result.cc)
- [Firefox: `nsCORSListenerProxy.cpp`](https://searchfox.org/mozilla-central/source/netwerk/protocol/http/nsCORSListenerProxy.cpp)

## Automatic fix
`corslint --fix` (preview: `--diff`): a value above 7200 becomes 7200 (nginx `add_header`, Apache `Header`); negative and non-numeric values are left for a person to decide.
"""

from __future__ import annotations

from corslint.cors import (
    CHROMIUM_MAX_AGE_CAP,
    DEFAULT_MAX_AGE,
    FIREFOX_MAX_AGE_CAP,
    MAX_AGE,
    max_age_seconds,
    max_age_text,
)
from corslint.diagnostics import Hit


def check(ctx):
    """Access-Control-Max-Age that browsers ignore or cap."""
    for _probe, _answer, line in ctx.config_header_lines(MAX_AGE):
        if line.value is None or line.default:
            continue   # a package's default is the package's choice, not a mistake in this file
        value = max_age_text(line.value)
        seconds = max_age_seconds(value)
        if seconds is None:
            yield Hit(line.source, f"Access-Control-Max-Age {value!r} is not a number: browsers fall back to "
                                   f"{DEFAULT_MAX_AGE} seconds")
        elif seconds < 0:
            yield Hit(line.source, f"Access-Control-Max-Age {value} is negative: not valid per the Fetch standard "
                                   f"(use 0 to disable caching)")
        elif seconds > CHROMIUM_MAX_AGE_CAP:
            from corslint.edits import replace_value   # loaded only when a finding has an edit

            yield Hit(line.source, f"Access-Control-Max-Age {value} exceeds what browsers honour: Chromium caps it "
                                   f"at {CHROMIUM_MAX_AGE_CAP} s, Firefox at {FIREFOX_MAX_AGE_CAP} s",
                      fix=f"use {CHROMIUM_MAX_AGE_CAP}",
                      edits=replace_value(line.source, MAX_AGE, line.value, str(CHROMIUM_MAX_AGE_CAP)))
