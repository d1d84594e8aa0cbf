"""The framework refuses this CORS configuration when the application starts.

## What it does
Fires when the framework would reject the CORS configuration at start-up or
configuration time: django-cors-headers system-check errors (an origin with a
path or trailing slash, `corsheaders.E014`; an origin without scheme,
`corsheaders.E013`), Spring `allowCredentials(true)` with `allowedOrigins("*")`,
ASP.NET Core `AllowAnyOrigin()` with `AllowCredentials()`, rack-cors wildcard
with credentials.

## Why is this bad?
This is not a browser problem yet: the application does not get that far.
Django's management commands that run system checks (`runserver`, `migrate`,
`check`) stop with:

```text
SystemCheckError: System check identified some issues:

ERRORS:
?: (corsheaders.E014) Origin 'https://app.example.com/' in CORS_ALLOWED_ORIGINS should not have path
```

Spring throws `IllegalArgumentException` (at mapping registration for
`@CrossOrigin`, on every request for global or filter configuration), ASP.NET
Core's `CorsPolicyBuilder.Build()` throws `InvalidOperationException`, and
rack-cors raises `CorsMisconfigurationError`. The deploy pipeline fails, or
requests error out, for a one-character mistake that a linter can catch
before review.

## Example
```python
CORS_ALLOWED_ORIGINS = [
    "https://app.example.com/",
    "https://admin.example.com",
]
CORS_ALLOW_CREDENTIALS = True
```

## Use instead
```python
CORS_ALLOWED_ORIGINS = [
    "https://app.example.com",
    "https://admin.example.com",
]
CORS_ALLOW_CREDENTIALS = True
```

## References
- [Fetch standard: CORS check](https://fetch.spec.whatwg.org/#cors-check)
- [django-cors-headers: Configuration](https://github.com/adamchainz/django-cors-headers#configuration)
- [Django: System check framework](https://docs.djangoproject.com/en/stable/topics/checks/)
- [Spring Framework: CORS](https://docs.spring.io/spring-framework/reference/web/webmvc-cors.html)
- [ASP.NET Core: Enable CORS](https://learn.microsoft.com/en-us/aspnet/core/security/cors)
"""

from __future__ import annotations

from corslint.model import RejectedAtStartup
from corslint.probes import fact_hits


def check(ctx):
    """The framework refuses this CORS configuration when the app starts: reported from the model's `RejectedAtStartup` facts."""
    yield from fact_hits(ctx, RejectedAtStartup)
