# django-cors-headers' default CORS_PREFLIGHT_MAX_AGE is 86400 seconds:
# Chromium caps it at 7200. The finding points at the CorsMiddleware line,
# which sends the default.
INSTALLED_APPS = ["django.contrib.contenttypes", "corsheaders", "weather"]

MIDDLEWARE = [
    "corsheaders.middleware.CorsMiddleware",  # expect: CORS303
    "django.middleware.common.CommonMiddleware",
]

CORS_ALLOWED_ORIGINS = ["https://weather.example.com"]
