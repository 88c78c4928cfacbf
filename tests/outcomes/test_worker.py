"""A recorded outcome is rolled up by a real Celery worker after commit (no eager mode)."""

import datetime as dt
import time
import uuid

import pytest
from celery.contrib.testing.worker import start_worker

from catalogue.models import ArtifactMetricRollup
from catalogue.services.outcomes import outcome_record
from config.celery import app
from tests.factories import MetricFactory, ReuseFactory, UserFactory


@pytest.fixture
def private_queue():
    """Route the rollup task to a queue of this test's own, so a backlog elsewhere cannot delay it."""
    name = f"outcomes-test-{uuid.uuid4().hex[:8]}"
    previous = app.conf.task_routes

    def use(routes):
        app.conf.task_routes = routes
        app.amqp.flush_routes()  # the router is built once and cached: rebuild it
        app.amqp.__dict__.pop("router", None)

    use({"catalogue.tasks.rollup_outcome": {"queue": name}})
    yield name
    use(previous)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_outcome_is_rolled_up_by_a_real_worker(private_queue):
    admin = UserFactory(username="admin-w", roles=["admin"])
    metric = MetricFactory(code="conversion_lift")
    reuse = ReuseFactory()
    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING", queues=[private_queue]):
        today = dt.date.today()
        outcome_record(acting_user=admin, reuse=reuse, metric=metric, value=2.0,
                       period_start=today, period_end=today)
        deadline = time.monotonic() + 30
        rollup = None
        while time.monotonic() < deadline:
            rollup = ArtifactMetricRollup.objects.filter(artifact=reuse.artifact, metric=metric).first()
            if rollup is not None:
                break
            time.sleep(0.2)
    assert rollup is not None and rollup.n == 1 and rollup.mean == 2.0
