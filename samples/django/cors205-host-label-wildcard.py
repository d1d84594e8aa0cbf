"""Analytics backend, meant for webvisor.com: `.+` inside the host label
also lets in https://webvevil-isor.com, another registrable domain."""

import os

SECRET_KEY = os.environ.get("SECRET_KEY", "x")
ALLOWED_HOSTS = ["api.example.com"]

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "corsheaders",
    "analytics",
]

MIDDLEWARE = [
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
]

CORS_ALLOWED_ORIGIN_REGEXES = [
    r"^https://webv.+isor\.com$",  # expect: CORS205
]
CORS_URLS_REGEX = r"^/api/"
