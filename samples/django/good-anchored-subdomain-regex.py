# Every tenant's subdomain of example.com, and nothing else.
import re

INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "corsheaders", "tenants"]

MIDDLEWARE = [
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]

CORS_ALLOWED_ORIGIN_REGEXES = [
    re.compile(r"^https://([a-z0-9-]+\.)*example\.com$", re.IGNORECASE),
]
CORS_ALLOW_CREDENTIALS = True
CORS_ALLOW_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
CORS_PREFLIGHT_MAX_AGE = 3600
