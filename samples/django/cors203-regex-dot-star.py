"""Public read-only catalogue API."""

import re

INSTALLED_APPS = ["django.contrib.contenttypes", "corsheaders", "catalogue"]

MIDDLEWARE = [
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
]

CORS_ALLOWED_ORIGIN_REGEXES = [
    re.compile(r".*"),  # expect: CORS203
]
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_PREFLIGHT_MAX_AGE = 7200
