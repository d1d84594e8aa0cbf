"""Orders API settings: CorsMiddleware below CommonMiddleware.

`fetch("/api/items")` (no trailing slash) resolves nowhere: Django answers
404, CommonMiddleware replaces it with APPEND_SLASH's 301 to `/api/items/`,
and CorsMiddleware's headers went onto the 404 it replaced: the 301 has no
Access-Control-Allow-Origin.  (The preflight itself is answered 200 by
CorsMiddleware: CommonMiddleware only redirects a 404.)
"""

DEBUG = False
ROOT_URLCONF = "orders_api.urls"

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "corsheaders",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "corsheaders.middleware.CorsMiddleware",  # expect: CORS501
]

CORS_ALLOWED_ORIGINS = ["https://shop.example.com"]
CORS_ALLOW_CREDENTIALS = True
