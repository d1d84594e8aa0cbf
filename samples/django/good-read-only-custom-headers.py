INSTALLED_APPS = ["django.contrib.contenttypes", "corsheaders", "catalogue"]

MIDDLEWARE = [
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
]

CORS_ALLOWED_ORIGINS = ["https://shop.example.com"]
# a read-only API: no request carries a body, so Content-Type is not needed
CORS_ALLOW_METHODS = ("GET", "OPTIONS")
CORS_ALLOW_HEADERS = ("accept", "x-requested-with")
