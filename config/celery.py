"""The Celery application: broker from CELERY_BROKER_URL, else a filesystem broker under .local/."""

import os

from celery import Celery
from celery.signals import setup_logging
from django_structlog.celery.steps import DjangoStructLogInitStep

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("catalogue")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# django-structlog: task_id (and the parent request_id) bound on every line a task logs.
app.steps["worker"].add(DjangoStructLogInitStep)


@setup_logging.connect
def configure_worker_logging(loglevel=None, **kwargs):
    """Celery keeps its hands off logging; the worker uses the Django settings' structlog config."""
    import logging.config

    from django.conf import settings

    from config.logging import configure_structlog

    logging.config.dictConfig(settings.LOGGING)
    configure_structlog()
