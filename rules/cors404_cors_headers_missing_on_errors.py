"""CORS headers are only sent on success statuses, so errors are unreadable.

## What it does
Fires when, in a scope whose clients read error responses (it proxies to an
application, answers preflights, or allows credentials), the server would send
the CORS headers only on success statuses: nginx `add_header` without
`always`, Apache `Header set` without `always`. Static-file scopes are exempt.

It also fires when authentication refuses the actual request with a
response that has no `Access-Control-Allow-Origin` while the preflight
passes: an API Gateway authorizer (AWS SAM `Auth`, Serverless
`http.authorizer`) answers a request without a valid token with its own
401 (the `UNAUTHORIZED` gateway response, which falls back to
`DEFAULT_4XX`), and the Lambda that sends the CORS headers never runs.
That is this rule's case, not a new one: the CORS headers are there on the
success path (the integration's answers) and missing on an error status
that something in front of it produces; the fix is the same in kind (send
them on the error too: gateway responses with the CORS headers).

It also fires when the proxied backend cannot be reached (down, a closed
port) and an error page answers the 502/504 without the scope's
`Access-Control-Allow-Origin`: nginx `error_page 502 /50x.json` serves the
error from another location, with that location's headers only (`always` on
the proxied location does not survive the internal redirect); Apache's
`ErrorDocument 503 /errors/503.json` is served with the sections of its own URL.

## Why is this bad?
Without `always`, nginx adds the header only for 200, 201, 204, 206, 301, 302,
303, 304, 307 and 308; Apache's default (`onsuccess`) table is dropped on
error and redirect responses that httpd generates itself (a 401, 403, 404,
or a 502/503 when the application is down; a proxied application's own 4xx
and 5xx keep it). A 401, 404, 422 or 500 therefore reaches
the browser without `Access-Control-Allow-Origin`, and the page cannot read its
status or body. Chromium 156 prints:

```text
Access to fetch at 'https://api.example.com/api/orders' from origin 'https://app.example.com' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.
```

and `fetch()` rejects with `TypeError: Failed to fetch`, so the front end
cannot tell "session expired" from "validation failed" from "server down",
and the real error is reported as a CORS problem.

## Example
```nginx
location /api/ {
    add_header Access-Control-Allow-Origin "https://app.example.com";
    add_header Access-Control-Allow-Credentials "true";
    proxy_pass http://app_backend;
}
```

```apache
<Location /api/>
    # onsuccess table: missing on every error httpd generates itself
    Header set Access-Control-Allow-Origin "https://app.example.com"
    Header set Access-Control-Allow-Credentials "true"
    ProxyPass http://127.0.0.1:8000/api/
</Location>
```

```yaml
# AWS SAM: the authorizer's 401 carries none of the Lambda's CORS headers
OrdersApi:
  Type: AWS::Serverless::Api
  Properties:
    StageName: prod
    Cors:
      AllowOrigin: "'https://app.example.com'"
      AllowHeaders: "'Content-Type,Authorization'"
    Auth:
      DefaultAuthorizer: Users
      AddDefaultAuthorizerToCorsPreflight: false
      Authorizers:
        Users:
          UserPoolArn: arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_abc
```

```nginx
error_page 502 504 /50x.json;
location /api/ {
    add_header Access-Control-Allow-Origin "https://app.example.com" always;
    proxy_pass http://app_backend;
}
location = /50x.json {
    root /var/www/errors;    # answers the 502 with no CORS header
}
```

## Use instead
```nginx
location /api/ {
    add_header Access-Control-Allow-Origin "https://app.example.com" always;
    add_header Access-Control-Allow-Credentials "true" always;
    proxy_pass http://app_backend;
}
```

```nginx
location = /50x.json {
    root /var/www/errors;
    add_header Access-Control-Allow-Origin "https://app.example.com" always;
}
```

```apache
<Location /api/>
    Header always set Access-Control-Allow-Origin "https://app.example.com"
    Header always set Access-Control-Allow-Credentials "true"
    ProxyPass http://127.0.0.1:8000/api/
</Location>
```

```yaml
# AWS SAM: the same API, with the CORS headers on API Gateway's own 4xx
    GatewayResponses:
      DEFAULT_4XX:
        ResponseParameters:
          Headers:
            Access-Control-Allow-Origin: "'https://app.example.com'"
            Access-Control-Allow-Headers: "'Content-Type,Authorization'"
```

With the Serverless Framework: a `resources.Resources` entry of Type
`AWS::ApiGateway::GatewayResponse` with `ResponseType: DEFAULT_4XX` and
`gatewayresponse.header.Access-Control-Allow-Origin` in its
`ResponseParameters`.

## References
- [Fetch standard: CORS check](https://fetch.spec.whatwg.org/#cors-check)
- [Amazon API Gateway: Gateway response types (UNAUTHORIZED 401, ACCESS_DENIED 403, default DEFAULT_4XX)](https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html)
- [AWS SAM: Customized response example (GatewayResponses with Access-Control-Allow-Origin)](https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/serverless-controlling-access-to-apis-customize-response.html)
- [API Gateway OpenAPI extension: gateway responses' responseParameters (CORS headers)](https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-gateway-responses.responseParameters.html)
- [Serverless examples: custom authorizer with CORS gateway responses](https://github.com/serverless/examples/blob/master/aws-node-auth0-custom-authorizers-api/serverless.yml)
- [nginx: `add_header` (`always`)](https://nginx.org/en/docs/http/ngx_http_headers_module.html#add_header)
- [Apache: `Header` (`always` and `onsuccess`)](https://httpd.apache.org/docs/2.4/mod/mod_headers.html#header)
- [MDN: CORSMissingAllowOrigin](https://developer.mozilla.org/en-US/docs/Web/HTTP/Guides/CORS/Errors/CORSMissingAllowOrigin)

## Automatic fix
`corslint --fix` (preview: `--diff`): nginx: `always` is added to every CORS `add_header` line of the block (only when each of them is a one-line `add_header`). Apache is left alone: `Header always set` works on another table than `Header set` (the one sent with every status), so a header a proxied backend also sends could end up twice.
"""

from __future__ import annotations

from corslint.cors import ACAO, CORS_PREFIX, VARY
from corslint.diagnostics import Hit
from corslint.model import Handler
from corslint.probes import admits, credentials_allowed


def check(ctx):
    """CORS headers only on success statuses where clients read errors, or
    missing from the error page that answers for an unreachable backend."""
    for p in ctx.probes:
        if p.scope.static and not p.expects_preflight:
            continue
        hit = _refused_by_authentication(p) or _success_only(p) or _error_page(p)
        if hit is not None:
            yield hit


def _refused_by_authentication(p):
    """Authentication (an API Gateway authorizer) refuses the actual request
    with an answer that has no Allow-Origin after a passing preflight."""
    refused = p.actual
    if refused.handler in Handler.AUTHENTICATION and not refused.has(ACAO) and refused.status_source is not None \
            and p.preflight.is_ok and admits(p.preflight, p.origin):
        return Hit(refused.status_source, f"the authentication's {refused.status} carries no "
                                          f"Access-Control-Allow-Origin: the browser reports a CORS error instead "
                                          f"of the {refused.status} (send CORS headers on it too)", p.request())
    return None


def _success_only(p):
    configured = p.actual.config_lines(ACAO)
    lines = [h for h in configured if not h.on_errors]
    if not lines or len(lines) < len(configured):
        return None   # no Allow-Origin, or one of its lines is also sent on errors
    if p.scope.proxied or (p.preflight.is_ok and p.preflight.has(ACAO)) or credentials_allowed(p.actual):
        return Hit(lines[0].source, "Access-Control-Allow-Origin is only sent on success statuses (add `always`): "
                                    "4xx/5xx answers reach the browser as opaque CORS errors", p.request(),
                   fix="add `always` to the CORS header lines", edits=_always_edits(p.actual))
    return None


def _error_page(p):
    """The backend cannot be reached and an error page answers with headers
    of its own, without the Allow-Origin the scope sends otherwise."""
    if not p.scope.backend_error_page or not admits(p.actual, p.origin):
        return None     # (asked first: the backend-down answer costs a model call)
    down = p.backend_down
    if down is None or down.status_source is None or admits(down, p.origin):
        return None
    return Hit(down.status_source,
               f"when the backend cannot be reached, the error page answers {down.status} without "
               "Access-Control-Allow-Origin (it is served for its own URL, with that URL's headers; this scope's "
               "are not kept): the page sees a CORS error instead of the outage", p.request(detail="backend unreachable"))

def _always_edits(answer):
    """`always` on every CORS (and Vary) line this answer sends on success
    only, so error responses carry the same CORS headers; nothing unless all
    of them can take it (the edits module is loaded only here)."""
    from corslint.edits import add_always

    return add_always([h.source for h in answer.headers if h.source is not None and not h.on_errors
                       and (h.name.lower().startswith(CORS_PREFIX) or h.name.lower() == VARY)])
