"""Reports service settings: django-cors-headers installed, never wired in.

`corsheaders` in INSTALLED_APPS only registers its system checks; the
headers come from CorsMiddleware, which MIDDLEWARE does not list, so no
response carries Access-Control-Allow-Origin.
"""

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "corsheaders",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
]

CORS_ALLOWED_ORIGINS = [  # expect: CORS504
    "https://reports.example.com",
]
CORS_ALLOW_CREDENTIALS = True
