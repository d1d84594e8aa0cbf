# Partner dashboards. The second origin regex lost its closing parenthesis:
# no system check compiles it, so the app starts, and every request whose
# Origin is not in CORS_ALLOWED_ORIGINS (a partner's, an attacker's, the
# preflights too) makes django-cors-headers' re.match raise: 500.
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "corsheaders", "partners"]

MIDDLEWARE = [
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
]

CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
CORS_ALLOWED_ORIGIN_REGEXES = [
    r"^https://[a-z0-9-]+\.partners\.example\.com$",
    r"^https://(eu|us\.dashboards\.example\.com$",  # expect: error
]
CORS_ALLOW_CREDENTIALS = True
