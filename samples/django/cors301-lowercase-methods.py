INSTALLED_APPS = ["django.contrib.contenttypes", "corsheaders", "inventory"]

MIDDLEWARE = [
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
]

CORS_ALLOWED_ORIGINS = ["https://inventory.example.com"]
CORS_ALLOW_METHODS = [  # expect: CORS301
    "get",
    "post",
    "put",
    "delete",
    "options",
]
CORS_PREFLIGHT_MAX_AGE = 3600
