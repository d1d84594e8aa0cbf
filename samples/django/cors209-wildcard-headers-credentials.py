INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "corsheaders", "api"]

MIDDLEWARE = [
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]

CORS_ALLOWED_ORIGINS = ["https://dashboard.example.com"]
CORS_ALLOW_CREDENTIALS = True
# "allow whatever headers the client sends"
CORS_ALLOW_HEADERS = ["*"]  # expect: CORS209, CORS302
CORS_EXPOSE_HEADERS = ["*"]  # expect: CORS209
CORS_PREFLIGHT_MAX_AGE = 3600
