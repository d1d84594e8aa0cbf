import os

INSTALLED_APPS = ["django.contrib.contenttypes", "corsheaders", "search"]

MIDDLEWARE = [
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
]

# one origin, written as a string instead of a list: the check reads it
# character by character, and each character, like any schemeless entry,
# matches the origin 'null'
CORS_ALLOWED_ORIGINS = "https://search.example.com"  # expect: CORS502, CORS204
CORS_ALLOW_CREDENTIALS = "true"  # expect: CORS502
CORS_PREFLIGHT_MAX_AGE = "600"  # expect: CORS502
