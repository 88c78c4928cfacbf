"""Settings for the benchmark's gunicorn: production-like (DEBUG off, persistent connections),
plus the bench-only urlconf that adds the no-op view. Never used to serve the product."""

from config.settings.base import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "catalogue.datagen.bench_urls"
DATABASES["default"]["CONN_MAX_AGE"] = 600  # noqa: F405
# The load driver is one client on loopback sending thousands of requests a minute: it measures
# the server, not the rate limits (those are tested in tests/security/test_abuse_limits.py).
API_THROTTLE_RATES = {}
