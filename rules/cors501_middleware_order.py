"""The CORS middleware runs after a middleware that can answer first.

## What it does
Fires when the application's CORS middleware sits below a middleware that can
return a response on its own, for example Django's `CorsMiddleware` listed
after `CommonMiddleware` (which redirects for `APPEND_SLASH` and
`PREPEND_WWW`), after WhiteNoise, or after an authentication middleware.

## Why is this bad?
Middleware wraps the view like an onion: a middleware that returns a response
early sends it back only through the layers above it, so a CORS middleware
further down never sees the request or the response, and that response has no
CORS headers. With `CommonMiddleware` first, a request for `/api/orders`
when only `api/orders/` is routed gets the `APPEND_SLASH` `301` (Django
answers 404, and `CommonMiddleware` replaces it with the redirect after
`CorsMiddleware` has added its headers to the 404), and Chromium 156 prints:

```text
Access to fetch at 'https://api.example.com/api/orders' from origin 'https://app.example.com' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.
```

A preflight for the same URL still passes (Django 5.2 with
django-cors-headers 4.9: `CorsMiddleware` answers it 200 before any view,
and `CommonMiddleware` only redirects a 404), so the actual request is the
one that fails;
and an auth middleware above the CORS one answers every preflight with 401
(CORS105). With `CorsMiddleware` on top it answers the preflight itself and
adds its headers to every early response.

## Example
```python
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
```

## Use instead
```python
MIDDLEWARE = [
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
```

## References
- [Fetch standard: CORS check](https://fetch.spec.whatwg.org/#cors-check)
- [Fetch standard: CORS-preflight fetch](https://fetch.spec.whatwg.org/#cors-preflight-fetch)
- [django-cors-headers: Setup (middleware position)](https://github.com/adamchainz/django-cors-headers#setup)
- [Django: Middleware order and layering](https://docs.djangoproject.com/en/stable/topics/http/middleware/#middleware-order-and-layering)
- [Django: CommonMiddleware](https://docs.djangoproject.com/en/stable/ref/middleware/#module-django.middleware.common)
"""

from __future__ import annotations

from corslint.model import MiddlewareOrder
from corslint.probes import fact_hits


def check(ctx):
    """The CORS middleware runs after a middleware that can answer first: reported from the model's `MiddlewareOrder` facts."""
    yield from fact_hits(ctx, MiddlewareOrder)
