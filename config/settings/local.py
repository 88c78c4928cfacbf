"""Developer machine: `make run`."""

from .base import *  # noqa: F403

DEBUG = env.bool("DEBUG", default=True)  # noqa: F405

# Readable, coloured when on a terminal.
LOG_FORMAT = env.str("LOG_FORMAT", default="console")  # noqa: F405
LOGGING = logging_config(LOG_FORMAT, env.str("LOG_LEVEL", default="INFO"))  # noqa: F405
