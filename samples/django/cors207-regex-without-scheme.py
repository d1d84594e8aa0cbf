"""Reports backend. The allowed-origin regexes were written for host names:
django-cors-headers matches them against the whole Origin from its start,
and an Origin begins with its scheme, so the reports app is refused."""

import os

SECRET_KEY = os.environ.get("SECRET_KEY", "x")
ALLOWED_HOSTS = ["api.example.com"]

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "corsheaders",
    "reports",
]

MIDDLEWARE = [
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
]

CORS_ALLOWED_ORIGIN_REGEXES = [
    r"^reports\.example\.com$",  # expect: CORS207
]
CORS_URLS_REGEX = r"^/api/"
