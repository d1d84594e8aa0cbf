"""A platform default silently creates a CORS problem.

## What it does
Fires when a platform's defaults, as configured, create a CORS problem nobody
wrote down. The main case is ingress-nginx: `nginx.ingress.kubernetes.io/enable-cors:
"true"` without `cors-allow-origin` and `cors-allow-credentials` means origin
`*` and credentials `true`, plus a 20-day `cors-max-age`.

## Why is this bad?
With only `enable-cors` set, ingress-nginx sends `Access-Control-Allow-Origin:
*` together with `Access-Control-Allow-Credentials: true` on every response,
so every credentialed request fails (CORS201). Chromium 156 prints:

```text
Access to fetch at 'https://api.example.com/api/me' from origin 'https://app.example.com' has been blocked by CORS policy: The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'.
```

Other silent defaults: a `cors-allow-origin` value that fails validation (a
trailing slash, an upper-case scheme) is logged and replaced by `*`; the
default `cors-max-age` of 1728000 is cut to 7200 s by Chromium (CORS303);
the generated headers replace any the application sends; and ingress-nginx
never adds `Vary: Origin` when it reflects an allowed origin, so keep shared
caches in front from mixing origins (CORS405). The project is retired; its
best-effort maintenance ended in March 2026.

## Example
```yaml
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: api
  annotations:
    nginx.ingress.kubernetes.io/enable-cors: "true"
spec:
  ingressClassName: nginx
  rules:
    - host: api.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: api
                port:
                  number: 8080
```

## Use instead
```yaml
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: api
  annotations:
    nginx.ingress.kubernetes.io/enable-cors: "true"
    nginx.ingress.kubernetes.io/cors-allow-origin: "https://app.example.com, https://admin.example.com"
    nginx.ingress.kubernetes.io/cors-allow-credentials: "true"
    nginx.ingress.kubernetes.io/cors-max-age: "7200"
spec:
  ingressClassName: nginx
  rules:
    - host: api.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: api
                port:
                  number: 8080
```

## References
- [Fetch standard: CORS check](https://fetch.spec.whatwg.org/#cors-check)
- [ingress-nginx: Enable CORS annotations](https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#enable-cors)
- [ingress-nginx: `internal/ingress/annotations/cors/main.go`](https://github.com/kubernetes/ingress-nginx/blob/main/internal/ingress/annotations/cors/main.go)
- [MDN: CORSNotSupportingCredentials](https://developer.mozilla.org/en-US/docs/Web/HTTP/Guides/CORS/Errors/CORSNotSupportingCredentials)
"""

from __future__ import annotations

from corslint.model import RiskyDefault
from corslint.probes import fact_hits


def check(ctx):
    """A platform default or silent fallback that creates a CORS problem: reported from the model's `RiskyDefault` facts."""
    yield from fact_hits(ctx, RiskyDefault)
