# django-cors-headers' default CORS_PREFLIGHT_MAX_AGE is 86400 seconds, which
# Chromium caps at 7200: harmless, and the package's choice rather than a
# mistake in this file, so corslint says nothing.
INSTALLED_APPS = ["django.contrib.contenttypes", "corsheaders", "weather"]

MIDDLEWARE = [
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
]

CORS_ALLOWED_ORIGINS = ["https://weather.example.com"]
