"""CORS configuration is written but never applied: no response carries it.

## What it does
Fires when CORS configuration is written but the server never applies it,
so no answer (actual request or preflight, from the origin the
configuration names) carries a single `Access-Control-*` header:

- Django: `CORS_*` settings (django-cors-headers) while `MIDDLEWARE` has no
  `corsheaders.middleware.CorsMiddleware` (listing `corsheaders` in
  `INSTALLED_APPS` is not enough: the middleware sends the headers);
- Flask: `app.config["CORS_*"]` values while nothing applies flask-cors to
  the app (no `CORS(app)`, `init_app` or `@cross_origin`);
- Express: a module-level `cors` options object (`const corsOptions =
  {origin: ...}`) that nothing passes to `cors()`: the app answers with no
  CORS header, or, where `cors()` runs without it, with its defaults
  (`Access-Control-Allow-Origin: *`) instead of the origins the object
  lists.

The lowering says what it sees missing; the rule asks the model's answers
and stays silent when any of them carries a CORS header (or may, when a
value is unknown), unless the configuration names origins and the answers
send `*` instead.

## Why is this bad?
The settings look like a CORS policy in review, but the server sends none:
every cross-origin `fetch()` from the front end the settings name fails,
and Chromium 156 prints

```text
Access to fetch at 'https://api.example.com/api/orders' from origin 'https://app.example.com' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.
```

(a preflighted request: "Response to preflight request doesn't pass access
control check: No 'Access-Control-Allow-Origin' header is present on the
requested resource."). Dead configuration also misleads the next reader
into "fixing" origins that are never consulted.

## Example
```python
INSTALLED_APPS = ["django.contrib.contenttypes", "corsheaders"]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
]
CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
```

```python
app = Flask(__name__)
app.config["CORS_ORIGINS"] = ["https://app.example.com"]
```

```javascript
const corsOptions = { origin: 'https://app.example.com', credentials: true };
app.use(cors());
```

## Use instead
```python
MIDDLEWARE = [
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
]
CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
```

```python
app = Flask(__name__)
app.config["CORS_ORIGINS"] = ["https://app.example.com"]
CORS(app)
```

```javascript
const corsOptions = { origin: 'https://app.example.com', credentials: true };
app.use(cors(corsOptions));
```

(or delete the settings when no cross-origin page uses the API).

## References
- [Fetch standard: CORS check](https://fetch.spec.whatwg.org/#cors-check)
- [django-cors-headers: Setup (add the middleware)](https://github.com/adamchainz/django-cors-headers#setup)
- [cors (Express): Configuration Options and defaults](https://github.com/expressjs/cors#configuration-options)
- [flask-cors: Using CORS with app configuration](https://flask-cors.readthedocs.io/en/latest/configuration.html)
- [MDN: CORSMissingAllowOrigin](https://developer.mozilla.org/en-US/docs/Web/HTTP/Guides/CORS/Errors/CORSMissingAllowOrigin)
"""

from __future__ import annotations

from corslint.cors import ACAO, CORS_PREFIX
from corslint.diagnostics import Hit, Related
from corslint.model import ConfiguredCors, Scope
from corslint.probes import Probe


def check(ctx):
    """Written CORS configuration whose requests get no CORS header in any answer."""
    for fact in ctx.model_facts(ConfiguredCors):
        probe = Probe(ctx, Scope(fact.what, fact.url, fact.source, literal_origins=fact.origins, emits_cors=False))
        answers = [answer for answer, _method in probe.answers()]
        if not any(h.name.startswith(CORS_PREFIX) for answer in answers for h in answer.headers):
            result = "so no answer carries a CORS header"
        elif fact.origins and "*" not in fact.origins and any("*" in a.values(ACAO) for a in answers):
            result = "the answers carry defaults instead (Access-Control-Allow-Origin: *)"
        else:
            continue
        yield Hit(fact.source, f"{fact.what} never reaches a response: {fact.why}; {result}",
                  probe.request(), related=[Related(src.path, src.line, text) for src, text in fact.related])
