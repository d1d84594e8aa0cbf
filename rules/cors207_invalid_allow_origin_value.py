r"""The Access-Control-Allow-Origin value can never match a request origin.

## What it does
Fires when the `Access-Control-Allow-Origin` value the server would send can
never equal a serialized origin: several origins in one value (a comma- or
space-separated list), a path or trailing slash (`https://app.example.com/`),
or a pattern written where a literal is required (`https://*.example.com`),
or, in Apache, `"%{Origin}i"`, which mod_headers does not read as the request
header. Also fires for an allow-list entry the request's `Origin` is compared
with (an nginx `map` key or `if ($http_origin = ...)`, flask-cors `origins`,
Starlette `allow_origins`, an Express `origin: [...]` array, Traefik's
`accessControlAllowOriginList`) written without its scheme
(`www.example.com`), with a trailing slash, a path or the default port
(`https://app.example.com:443`), when the server then refuses the origin as
browsers send it; and for an origin regex (nginx, `SetEnvIf`, `<If>`,
`CORS_ALLOWED_ORIGIN_REGEXES`, flask-cors, `allow_origin_regex`, an Express
`RegExp`) that no serialized origin matches at all: `^webvisor\.com$` has no
scheme, `^https?://example\.org/` requires a `/` after the host,
`^([^/:]+)?example\.com$` excludes the `://` every origin has. The message
names the origin the entry was probably written for.

A serialized origin is `scheme://host[:port]` as the WHATWG URL standard
writes it: `http://[::1]:5173` and `chrome-extension://<id>` are origins.

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

(The last sentence is added for `fetch()` only.) An allow-list entry that
no `Origin` header can equal locks out the very page it was written for: the
server answers that page without `Access-Control-Allow-Origin`, and nothing
says why. A map value missing its `$` (`"http_origin"`) sends the literal
text as Allow-Origin. Apache's
`Header set Access-Control-Allow-Origin "%{Origin}i"` (the `LogFormat`
spelling) starts without complaint and sends something like `i=97`: in
mod_headers `%i` is the idle-worker percentage; the request header is read
with `expr=%{req:Origin}`. To allow several origins,
choose the request's origin from an allow-list and send that single value.

## Example
```nginx
location /api/ {
    add_header Access-Control-Allow-Origin "https://app.example.com, https://admin.example.com" always;
    proxy_pass http://app_backend;
}
```

```apache
<Location /api/>
    Header always set Access-Control-Allow-Origin "https://app.example.com, https://admin.example.com"
    ProxyPass http://127.0.0.1:8000/api/
</Location>
<Directory /var/www/fonts>
    # sends "Access-Control-Allow-Origin: i=97" (idle workers, not the Origin)
    Header set Access-Control-Allow-Origin "%{Origin}i"
</Directory>
```

```nginx
map $http_origin $cors_origin {
    default                        "";
    "www.example.com"              $http_origin;    # no scheme
    "~^https?://example\.org/$"    $http_origin;    # requires a path
}
```

```python
app.add_middleware(CORSMiddleware, allow_origins=["https://app.example.com/"])  # never matches
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
<Directory /var/www/fonts>
    Header set Access-Control-Allow-Origin "*"
</Directory>
```

```nginx
map $http_origin $cors_origin {
    default                        "";
    "https://www.example.com"      $http_origin;
    "~^https://example\.org$"      $http_origin;
}
```

```python
app.add_middleware(CORSMiddleware, allow_origins=["https://app.example.com"])
```

## References
- [Fetch standard: CORS check](https://fetch.spec.whatwg.org/#cors-check)
- [Fetch standard: HTTP new-header syntax](https://fetch.spec.whatwg.org/#http-new-header-syntax)
- [HTML standard: serialization of an origin](https://html.spec.whatwg.org/multipage/browsers.html#ascii-serialisation-of-an-origin)
- [MDN: CORSMultipleAllowOriginNotAllowed](https://developer.mozilla.org/en-US/docs/Web/HTTP/Guides/CORS/Errors/CORSMultipleAllowOriginNotAllowed)
- [MDN: CORSAllowOriginNotMatchingOrigin](https://developer.mozilla.org/en-US/docs/Web/HTTP/Guides/CORS/Errors/CORSAllowOriginNotMatchingOrigin)
- [Chromium: `cors.cc` (`CheckAccess`)](https://source.chromium.org/chromium/chromium/src/+/main:services/network/public/cpp/cors/cors.cc)
"""

from __future__ import annotations

from corslint.cors import ACAO
from corslint.diagnostics import Hit
from corslint.origins import admits_some_origin, intended_origin, is_serialized_origin, pattern_intent
from corslint.probes import admits

#: allow-list entries whose own answer is read for an invalid value
#: (`"https://app.example.com" "http_origin";` in a map): a bound for maps
#: of thousands of keys
MAX_ENTRIES_ASKED = 64


def check(ctx):
    """An Access-Control-Allow-Origin value, or an allow-list entry or
    pattern, that can never match an origin."""
    reported: set = set()
    for _probe, _answer, line in ctx.config_header_lines(ACAO):
        yield from _invalid_value(line, reported)
    yield from _dead_entries(ctx, reported)
    yield from _dead_patterns(ctx)


def _invalid_value(line, reported: set):
    """A sent value that is not `*`, `null` or one serialized origin."""
    value = line.value
    if value is None or value in ("*", "null") or is_serialized_origin(value) or line.source in reported:
        return
    reported.add(line.source)
    yield Hit(line.source, f"Access-Control-Allow-Origin {value!r} can never match: it must be '*', 'null' or "
                           f"exactly one origin (scheme://host[:port], no path or trailing slash)")


def _dead_entries(ctx, reported: set):
    """Allow-list entries no browser sends (`https://app.example.com/`,
    `www.example.com`), whose origin as a browser sends it the server then
    refuses: the page the entry was written for is locked out.  An entry
    written right is asked too: the value it selects may be no origin (a
    map value missing its `$`): once per entry, in the first scope that
    sends CORS headers (the scopes of a server share its maps; asking each
    would cost a model call per entry and scope)."""
    asked: set = set()
    for probe in ctx.probes:
        for entry, source in probe.scope.origin_entries:
            if (entry, source) in reported:
                continue
            if is_serialized_origin(entry):
                if probe.scope.emits_cors and (entry, source) not in asked and len(asked) < MAX_ENTRIES_ASKED:
                    asked.add((entry, source))
                    for line in ctx.actual(probe.scope, entry).config_lines(ACAO):
                        yield from _invalid_value(line, reported)
                continue
            sent = intended_origin(entry)
            if sent is None or admits(ctx.actual(probe.scope, sent), sent):
                continue
            reported.add((entry, source))
            yield Hit(source, f"the allow-list entry {entry!r} never matches: {_why(entry)}; browsers send "
                              f"{sent!r}, which is refused", probe.request(None, sent))


def _why(entry: str) -> str:
    if "://" not in entry:
        return "an Origin always starts with its scheme (https://)"
    return "an Origin has no path, trailing slash or default port"


def _dead_patterns(ctx):
    """Allow-list regexes no serialized origin matches (no scheme, a
    required path, `[^/:]` where `://` must be): the origin they were
    probably written for is refused."""
    reported = set()
    for probe in ctx.probes:
        for pattern in probe.scope.origin_patterns:
            if pattern.source in reported:
                continue
            if admits_some_origin(pattern.regex, pattern.ignore_case, pattern.full_match) is not False:
                continue
            meant, why = pattern_intent(pattern.regex)
            if meant is not None and admits(ctx.actual(probe.scope, meant), meant):
                continue
            reported.add(pattern.source)
            refused = f"; {meant!r} was probably meant, and is refused" if meant else ""
            yield Hit(pattern.source, f"the origin pattern {pattern.regex!r} never matches an Origin: {why}{refused}",
                      probe.request(None, meant) if meant else None)
