INSTALLED_APPS = ["django.contrib.contenttypes", "corsheaders", "feedback"]

MIDDLEWARE = [
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
]

CORS_ALLOWED_ORIGINS = ["https://www.example.com"]
# reads and posts JSON: the JSON POST preflights (POST, content-type)
CORS_ALLOW_METHODS = ("GET", "POST", "OPTIONS")
CORS_ALLOW_HEADERS = ("accept", "x-requested-with")  # expect: CORS302
