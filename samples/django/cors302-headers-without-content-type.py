INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "corsheaders", "accounts"]

MIDDLEWARE = [
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]

CORS_ALLOWED_ORIGINS = ["https://accounts.example.com"]
# the JSON API needs content-type, which replacing the defaults dropped
CORS_ALLOW_HEADERS = ("accept", "authorization", "x-csrftoken")  # expect: CORS302
CORS_PREFLIGHT_MAX_AGE = 3600
