"""A task queued with on_commit is executed by a real Celery worker (no eager mode)."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import transaction

from catalogue.models import AuditSeal, Team
from catalogue.services.audit import audit_context, audit_event
from config.celery import app


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_on_commit_task_runs_in_a_real_worker(private_queue):
    queue = private_queue("catalogue.tasks.seal_audit_chain")
    with start_worker(
        app, perform_ping_check=False, pool="solo", loglevel="WARNING", queues=[queue]
    ):
        with transaction.atomic(), audit_context(actor=None, reason="worker test"):
            team = Team.objects.create(slug="worker-test", name="Worker test")
            audit_event(actor=None, action="team.created", obj=team)
            assert AuditSeal.objects.count() == 0  # nothing runs before commit
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not AuditSeal.objects.exists():
            time.sleep(0.2)
    assert AuditSeal.objects.filter(source="catalogue_auditevent").exists()
