"""Django settings modules with django-cors-headers: `source` reads the
settings module, `cors` holds the middleware's semantics, `checks` its
start-up system checks, `model` lowers them into the server model."""
