"""The demo outcomes seeder: meaningful samples, idempotent, rollups folded in."""

import datetime as dt

import pytest

from catalogue import tasks
from catalogue.demo import SEEDERS
from catalogue.demo import outcomes as demo_outcomes
from catalogue.models import ArtifactMetricRollup, Metric, Outcome
from catalogue.origin import origin
from catalogue.services.audit import audit_event
from catalogue.services.rollups import rollups_recompute
from tests.factories import ArtifactFactory, ReuseFactory

pytestmark = pytest.mark.django_db


def test_seeder_runs_after_the_catalogue_and_reuses_exist():
    from catalogue.demo import catalogue

    assert SEEDERS.index(demo_outcomes.seed) > SEEDERS.index(catalogue.seed)


def test_without_reuses_it_only_creates_the_metric_catalogue(admin_user, capsys):
    assert demo_outcomes.seed(password="x", context={"users": {"admin": admin_user}}) == {
        "outcomes_created": 0
    }
    assert Metric.objects.count() == 9
    assert "skipped" in capsys.readouterr().out


def seeded_reuse(**kwargs):
    """A reuse the demo recorded (its creation event comes from seed_demo): the seeder's own."""
    reuse = ReuseFactory(**kwargs)
    with origin(kind="command", command="seed_demo"):
        audit_event(actor=None, action="reuse.recorded", obj=reuse, artifact=reuse.artifact)
    return reuse


def test_outcomes_on_existing_reuses_are_varied_idempotent_and_rolled_up(admin_user):
    # Issue 15 finding 10: only the demo's own reuses get demo outcomes (this test used to let
    # the seeder report on any reuse, users' own included).
    long_ago = dt.date.today() - dt.timedelta(days=800)
    for kind in ("customer_journey", "dataset", "ai_model", "pricing_design"):
        artifact = ArtifactFactory(published=True, kind=kind, slug=f"demo-{kind}")
        for i in range(3):
            seeded_reuse(artifact=artifact, occurred_on=long_ago + dt.timedelta(days=40 * i))
    seeded_reuse(artifact=ArtifactFactory(kind="dataset"))  # a draft: never reported on
    users_own = ReuseFactory(
        artifact=ArtifactFactory(published=True, kind="dataset"), occurred_on=long_ago
    )
    tasks.rollup_reuse(
        users_own.pk
    )  # as the worker does after reuse_record; the seeder leaves it alone
    context = {"users": {"admin": admin_user}}
    result = demo_outcomes.seed(password="x", context=context)
    assert result["outcomes_created"] == Outcome.objects.count() > 30
    assert not Outcome.objects.filter(reuse=users_own).exists()
    assert all(o.period_end <= dt.date.today() for o in Outcome.objects.all())
    assert rollups_recompute() == []
    sizes = set(ArtifactMetricRollup.objects.values_list("n", flat=True))
    assert max(sizes) >= 10 and min(sizes) < max(sizes)
    assert demo_outcomes.seed(password="x", context=context)["outcomes_created"] == 0
    assert rollups_recompute() == []
