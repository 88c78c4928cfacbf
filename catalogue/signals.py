"""Celery tasks carry their own audit origin: task name and id."""

from contextvars import Token

from celery.signals import task_postrun, task_prerun

from .origin import _origin

_tokens: dict[str, Token[dict | None]] = {}


@task_prerun.connect
def _set_task_origin(task_id=None, task=None, **_kwargs):
    _tokens[task_id] = _origin.set({"kind": "task", "task_id": task_id, "task": task.name})


@task_postrun.connect
def _clear_task_origin(task_id=None, **_kwargs):
    token = _tokens.pop(task_id, None)
    if token is not None:
        _origin.reset(token)
