INSTALLED_APPS = ["django.contrib.contenttypes", "corsheaders", "maps"]

MIDDLEWARE = [
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
]

CORS_ALLOWED_ORIGINS = ["https://maps.example.com"]
CORS_PREFLIGHT_MAX_AGE = 60 * 60 * 24 * 7  # expect: CORS303
