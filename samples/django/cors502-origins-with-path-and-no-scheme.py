# Copied from an old README: django-cors-headers 3+ wants full origins.
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "corsheaders", "forum"]

MIDDLEWARE = [
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
]

CORS_ORIGIN_WHITELIST = [
    "https://forum.example.com/",  # expect: CORS502
    "forum.example.com",  # expect: CORS502, CORS204
    "localhost:8080",  # expect: CORS502
]
CORS_PREFLIGHT_MAX_AGE = 3600
