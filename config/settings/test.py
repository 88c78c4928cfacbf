"""pytest: the same PostgreSQL as everything else, fast hashing, no eager Celery."""

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; tests
AXES_ENABLED = True
MEDIA_ROOT = LOCAL_DIR / "test-media"  # noqa: F405
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Threads (live server, Celery test worker, concurrency tests) must not keep connections open,
# or the test database cannot be dropped at the end of the run.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# Tests create their database as the connecting (superuser) role; tests/security/test_db_roles.py
# connects as the application role itself.
DATABASES.pop(OWNER_DATABASE, None)  # noqa: F405
