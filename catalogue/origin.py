"""Where the current change comes from (web request, API call, Celery task, command).

Set once at each entry point; read by the audit writer so no service can forget it.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_origin: ContextVar[dict | None] = ContextVar("audit_origin", default=None)


def current_origin() -> dict:
    return dict(_origin.get() or {"kind": "shell"})


@contextmanager
def origin(**values: object) -> Iterator[None]:
    token = _origin.set(values)
    try:
        yield
    finally:
        _origin.reset(token)
