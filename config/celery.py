"""The Celery application: broker from CELERY_BROKER_URL, else a filesystem broker under .local/."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("catalogue")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
