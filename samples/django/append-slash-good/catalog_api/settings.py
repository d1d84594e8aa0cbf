"""Catalog API settings: CorsMiddleware first.

APPEND_SLASH still answers `/api/items` with a 301 to `/api/items/`, but
the redirect passes CorsMiddleware on its way out and carries
Access-Control-Allow-Origin, so a browser follows it (under DEBUG a POST
there is a 500, a RuntimeError from CommonMiddleware, that keeps the CORS
headers too).
"""

DEBUG = True
ROOT_URLCONF = "catalog_api.urls"

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "corsheaders",
]

MIDDLEWARE = [
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
]

CORS_ALLOWED_ORIGINS = ["https://shop.example.com"]
CORS_ALLOW_CREDENTIALS = True
