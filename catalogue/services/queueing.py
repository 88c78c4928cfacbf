"""Background work queued after commit, the one way services hand work to Celery.

The change is already committed when the task is sent, so a broker failure must not turn into
an error for the user: it is logged with how the work is recovered (every task here has a
periodic sweep or a command that catches up, and every task is idempotent).

Tasks are found by name in Celery's registry (`catalogue.tasks` is imported by the app config),
so services never import tasks: tasks call services, never the other way round.
"""

import logging

from celery import current_app
from django.db import transaction

logger = logging.getLogger(__name__)

ROLLUP_RECOVERY = "the nightly repair_rollups task (or recompute_rollups --fix) catches up"


def registered_task(task_name: str):
    """The Celery task `catalogue.tasks.<task_name>` from the app's registry (KeyError if unknown)."""
    return current_app.tasks[f"catalogue.tasks.{task_name}"]


def send_task(task_name: str, *args, recovery: str) -> None:
    """Send `catalogue.tasks.<task_name>(*args)` now, logging (not raising) a broker failure."""
    try:
        registered_task(task_name).delay(*args)
    except Exception:  # noqa: BLE001 - see the module docstring
        logger.warning("could not queue %s%s; %s", task_name, args, recovery)


def enqueue_on_commit(task_name: str, *args, recovery: str) -> None:
    """Send the task once the surrounding transaction commits (never if it rolls back)."""
    transaction.on_commit(lambda: send_task(task_name, *args, recovery=recovery))
