"""Settings for the benchmark's gunicorn: production-like (DEBUG off, persistent connections),
plus the bench-only urlconf that adds the no-op view. Never used to serve the product."""

from config.settings.base import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "catalogue.datagen.bench_urls"
DATABASES["default"]["CONN_MAX_AGE"] = 600  # noqa: F405
