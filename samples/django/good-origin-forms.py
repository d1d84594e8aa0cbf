"""Dev tools backend: an IPv6 loopback dev server, a browser extension, and
subdomains matched with both anchors and a label boundary."""

import os

SECRET_KEY = os.environ.get("SECRET_KEY", "x")
ALLOWED_HOSTS = ["api.example.com"]

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "corsheaders",
    "tools",
]

MIDDLEWARE = [
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
]

CORS_ALLOWED_ORIGINS = ["http://[::1]:5173", "chrome-extension://abcdefghijklmnopabcdefghijklmnop"]
CORS_ALLOWED_ORIGIN_REGEXES = [
    r"^https://([a-z0-9-]+\.)*example\.com$",
]
CORS_URLS_REGEX = r"^/api/"
