r"""An origin allow-list pattern matches origins outside the intended domains.

## What it does
Fires when a pattern that decides which origins are allowed (nginx `if` or
`map` regex, Apache `SetEnvIf Origin`, `CORS_ALLOWED_ORIGIN_REGEXES`, an
Express `RegExp`) would also admit origins the author did not mean: no `^` or
`$` anchor, an unescaped `.`, a domain suffix without a label boundary
(`example\.com$` matches `evilexample.com`), `.*`, or a wildcard inside a
host label (`^https://webv.+isor\.com$` matches `webvevil-isor.com`). The
message gives a concrete origin that the pattern lets in.

A class such as `[^.a-z0-9-]` after the domain ("a port or a path") lets in
`https://example.com_.evil.com`: browsers send `_`, `!` or a backtick in a
host. No publicly trusted certificate names such a host, so for an
`https://` pattern this is reported as a warning; when the pattern also
admits `http://`, no certificate is needed and it stays an error.

## Why is this bad?
The attacker just registers a matching name: `evilexample.com`, or a
subdomain of their own domain such as `app.example.com.evil.net`, with a
certificate from any free CA. Their page then counts as an allowed origin and
reads the API like your own front end, with the user's cookies if credentials
are allowed. From the browser's point of view the server agreed, so nothing is
printed. Watch the match semantics: nginx and Apache regexes search anywhere in
the value unless anchored, django-cors-headers and flask-cors anchor only the
start (`re.match`), Starlette anchors both ends. Apache's
`SetEnvIf Origin "..." VAR=$1` stores only the matched part of the origin, so
the hole opens where the whole request origin is echoed: a pattern anchored at
both ends but too broad, or an `<If>` test followed by `expr=%{req:Origin}`.

## Example
```nginx
map $http_origin $cors_origin {
    default                            "";
    "~^https://.*example\.com$"        $http_origin;    # https://evilexample.com
    "~^https://partner\.example\.org"  $http_origin;    # https://partner.example.org.evil.net
}
```

```apache
# https://evilexample.com matches too
SetEnvIf Origin "^(https://.*example\.com)$" CORS_ORIGIN=$1
Header always set Access-Control-Allow-Origin "%{CORS_ORIGIN}e" env=CORS_ORIGIN
# no "$": https://partner.example.org.evil.net passes and is echoed back
<If "%{HTTP:Origin} =~ m#^https://partner\.example\.org#">
    Header always set Access-Control-Allow-Origin "expr=%{req:Origin}"
</If>
Header always merge Vary Origin
```

## Use instead
```nginx
map $http_origin $cors_origin {
    default                                   "";
    "~^https://([a-z0-9-]+\.)*example\.com$"  $http_origin;
    "https://partner.example.org"             $http_origin;
}
```

```apache
SetEnvIf Origin "^(https://([a-z0-9-]+\.)*example\.com)$" CORS_ORIGIN=$1
Header always set Access-Control-Allow-Origin "%{CORS_ORIGIN}e" env=CORS_ORIGIN
<If "%{HTTP:Origin} == 'https://partner.example.org'">
    Header always set Access-Control-Allow-Origin "expr=%{req:Origin}"
</If>
Header always merge Vary Origin
```

## References
- [Fetch standard: CORS check](https://fetch.spec.whatwg.org/#cors-check)
- [PortSwigger Web Security Academy: CORS](https://portswigger.net/web-security/cors)
- [James Kettle: Exploiting CORS misconfigurations for Bitcoins and bounties](https://portswigger.net/research/exploiting-cors-misconfigurations-for-bitcoins-and-bounties)
- [nginx: `map`](https://nginx.org/en/docs/http/ngx_http_map_module.html)
- [Apache: `SetEnvIf`](https://httpd.apache.org/docs/2.4/mod/mod_setenvif.html#setenvif)
"""

from __future__ import annotations

from corslint.diagnostics import Hit
from corslint.origins import HOSTILE, UNCERTIFIABLE


def check(ctx):
    """An origin allow-list pattern admits a foreign origin (and echoes it back)."""
    reported = set()
    for p in ctx.probes:
        if not p.scope.origin_patterns or p.reflects(HOSTILE):
            continue
        for pattern in p.scope.origin_patterns:
            if pattern.source in reported:
                continue
            for candidate in ctx.foreign_candidates(pattern):
                if not p.reflects(candidate):
                    continue
                reported.add(pattern.source)
                yield _hit(p, pattern, candidate)
                break


def _hit(p, pattern, candidate: str) -> Hit:
    """The finding; a warning when the admitted host has a character no
    publicly trusted certificate names (the page needs one to be https)
    and its plain-http twin is refused."""
    message = f"the origin pattern {pattern.regex!r} lets in {candidate}, which is outside the trusted domains"
    request = p.request(None, candidate)
    odd = sorted({ch for ch in candidate if ch in UNCERTIFIABLE})
    if not odd:
        return Hit(pattern.source, message, request)
    plain = "http://" + candidate.partition("://")[2]
    if p.reflects(plain):
        return Hit(pattern.source, f"the origin pattern {pattern.regex!r} lets in {plain}, which is outside the "
                                   f"trusted domains (served over plain http, it needs no certificate)",
                   p.request(None, plain))
    return Hit(pattern.source, f"{message} (a warning: no public CA issues a certificate for a host with "
                               f"{' '.join(repr(ch) for ch in odd)}, so the attacker needs a plain-http origin "
                               f"the pattern admits or a user who trusts their CA)", request, at_most="warning")
