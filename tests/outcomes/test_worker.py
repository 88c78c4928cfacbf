"""A recorded outcome is rolled up by a real Celery worker after commit (no eager mode)."""

import datetime as dt
import time

import pytest
from celery.contrib.testing.worker import start_worker

from catalogue.models import ArtifactMetricRollup
from catalogue.services.outcomes import outcome_record
from config.celery import app
from tests.factories import MetricFactory, ReuseFactory, UserFactory


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_outcome_is_rolled_up_by_a_real_worker(private_queue):
    queue = private_queue("catalogue.tasks.rollup_outcome")
    admin = UserFactory(username="admin-w", roles=["admin"])
    metric = MetricFactory(code="conversion_lift")
    reuse = ReuseFactory()
    with start_worker(
        app, perform_ping_check=False, pool="solo", loglevel="WARNING", queues=[queue]
    ):
        today = dt.date.today()
        outcome_record(
            acting_user=admin,
            reuse=reuse,
            metric=metric,
            value=2.0,
            period_start=today,
            period_end=today,
        )
        deadline = time.monotonic() + 30
        rollup = None
        while time.monotonic() < deadline:
            rollup = ArtifactMetricRollup.objects.filter(
                artifact=reuse.artifact, metric=metric
            ).first()
            if rollup is not None:
                break
            time.sleep(0.2)
    assert rollup is not None and rollup.n == 1 and rollup.mean == 2.0
