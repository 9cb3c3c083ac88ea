"""Production settings: only the public domain is allowed."""

SECRET_KEY = "not-a-secret-for-tests"
DEBUG = False
ALLOWED_HOSTS = ["blog.example.com"]
ROOT_URLCONF = "site1.urls"
INSTALLED_APPS: list[str] = []
WSGI_APPLICATION = "site1.wsgi.application"
# CommonMiddleware reads the request's host, which is when Django checks it.
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
