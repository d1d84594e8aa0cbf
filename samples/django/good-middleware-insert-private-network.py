"""Settings for the device console served on the LAN (private network access)."""

from corsheaders.defaults import default_methods

INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "corsheaders", "devices"]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
MIDDLEWARE.insert(0, "corsheaders.middleware.CorsMiddleware")

CORS_ALLOWED_ORIGINS = ["https://console.example.com", "https://console.example.com:8443"]
CORS_ALLOW_METHODS = list(default_methods)
CORS_ALLOW_PRIVATE_NETWORK = True
CORS_PREFLIGHT_MAX_AGE = 60 * 60
