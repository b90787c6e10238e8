"""Test overrides: a throwaway secret, fast password hashing, static files served from the finders."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-not-secret")

from .settings import *  # noqa: E402,F403
from .settings import STORAGES  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_USE_FINDERS = True

# The test client and the live server speak plain HTTP.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
