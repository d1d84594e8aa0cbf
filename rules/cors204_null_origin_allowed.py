r"""The origin null is allowed.

## What it does
Fires when the server, as configured, would answer a request carrying
`Origin: null` with `Access-Control-Allow-Origin: null`: `null` in an nginx
`map` or `if` allow-list, a literal `add_header Access-Control-Allow-Origin
null`, `"null"` in `CORS_ALLOWED_ORIGINS`, or reflection of any origin.

## Why is this bad?
`null` is not one origin. Browsers send it for every opaque origin: sandboxed
iframes without `allow-same-origin`, `data:` documents, often `file:` pages,
and any request after a cross-origin redirect. Any website can create such a
context:

```html
<iframe sandbox="allow-scripts" srcdoc="<script>
  fetch('https://api.example.com/api/me', {credentials: 'include'})
    .then((r) => r.text()).then((d) => parent.postMessage(d, '*'));
</script>"></iframe>
```

The browser sends `Origin: null`, the server answers
`Access-Control-Allow-Origin: null` (plus `Access-Control-Allow-Credentials:
true`), the CORS check passes, and the attacker's page reads the response. No
console message is printed. Usually `null` was added for a `file://` or
Electron build.

## Example
```nginx
map $http_origin $cors_origin {
    default                    "";
    "https://app.example.com"  $http_origin;
    "null"                     "null";    # desktop build loads from file://
}
```

```apache
# "null" for the desktop build that loads from file://
SetEnvIf Origin "^(https://app\.example\.com|null)$" CORS_ORIGIN=$1
Header always set Access-Control-Allow-Origin "%{CORS_ORIGIN}e" env=CORS_ORIGIN
Header always set Access-Control-Allow-Credentials "true" env=CORS_ORIGIN
Header always merge Vary Origin
```

## Use instead
```nginx
map $http_origin $cors_origin {
    default                    "";
    "https://app.example.com"  $http_origin;
    # serve the desktop build from a real origin (or give it its own token
    # auth without cookies) instead of trusting "null"
}
```

```apache
# serve the desktop build from a real origin instead of trusting "null"
SetEnvIf Origin "^(https://app\.example\.com)$" CORS_ORIGIN=$1
Header always set Access-Control-Allow-Origin "%{CORS_ORIGIN}e" env=CORS_ORIGIN
Header always set Access-Control-Allow-Credentials "true" env=CORS_ORIGIN
Header always merge Vary Origin
```

## References
- [Fetch standard: CORS check](https://fetch.spec.whatwg.org/#cors-check)
- [Fetch standard: serializing a request origin](https://fetch.spec.whatwg.org/#serializing-a-request-origin)
- [MDN: Access-Control-Allow-Origin (`null`)](https://developer.mozilla.org/en-US/docs/Web/HTTP/Reference/Headers/Access-Control-Allow-Origin)
- [PortSwigger Web Security Academy: CORS](https://portswigger.net/web-security/cors)
- [HTML standard: sandboxed origin browsing context flag](https://html.spec.whatwg.org/multipage/browsers.html#sandboxed-origin-browsing-context-flag)
"""

from __future__ import annotations

from corslint.diagnostics import Hit
from corslint.probes import credentials_allowed, decided_by


def check(ctx):
    """The origin `null` is allowed while arbitrary origins are not."""
    for p in ctx.probes:
        if not p.checks_origins:
            continue
        answer, lines = p.allowing("null")
        if lines:
            extra = " with credentials" if credentials_allowed(answer) else ""
            yield Hit(decided_by(lines[0]), f"the origin 'null' is allowed{extra}: sandboxed iframes and data: "
                                            f"documents of any site send it", p.request(None, "null"))
