"""Tenants get <name>.portal.example.net; admins use admin.example.org."""

import os

SECRET_KEY = os.environ.get("SECRET_KEY", "x")
ALLOWED_HOSTS = ["api.portal.example.net"]

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "corsheaders",
    "tenants",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]

CORS_ALLOWED_ORIGIN_REGEXES = [
    r"^https://\w+\.portal\.example\.net",  # expect: CORS205
    r"^https://admin.example.org$",  # expect: CORS205
]
CORS_ALLOW_CREDENTIALS = True
CORS_URLS_REGEX = r"^/api/"
CORS_PREFLIGHT_MAX_AGE = 3600
