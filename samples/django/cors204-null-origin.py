# The desktop wrapper loads the app from file://, which sends "Origin: null".
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "corsheaders", "notes"]

MIDDLEWARE = [
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]

CORS_ALLOWED_ORIGINS = [
    "https://notes.example.com",
    "null",  # expect: CORS204
]
CORS_ALLOW_CREDENTIALS = True
CORS_PREFLIGHT_MAX_AGE = 3600
