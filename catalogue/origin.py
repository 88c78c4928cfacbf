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


@contextmanager
def task_origin(*, task: str, **extra: object) -> Iterator[None]:
    """Origin for a task body: keeps the worker's task id (set by catalogue.signals) when run by
    Celery, and still says `task` when a test or a command calls the function directly."""
    current = _origin.get() or {}
    values: dict[str, object] = {"kind": "task", "task": task, **extra}
    if current.get("kind") == "task":
        values["task_id"] = current.get("task_id")
    with origin(**values):
        yield
