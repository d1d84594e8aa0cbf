"""Open data API: anyone may read it, nobody sends cookies."""

INSTALLED_APPS = ["django.contrib.contenttypes", "corsheaders", "opendata"]

MIDDLEWARE = [
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
]

CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ("GET", "HEAD", "OPTIONS")
CORS_EXPOSE_HEADERS = ["link", "x-ratelimit-remaining"]
CORS_URLS_REGEX = r"^/v1/.*$"
CORS_PREFLIGHT_MAX_AGE = 600
