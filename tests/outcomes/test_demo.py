"""The demo outcomes seeder: meaningful samples, idempotent, rollups folded in."""

import datetime as dt

import pytest

from catalogue.demo import SEEDERS
from catalogue.demo import outcomes as demo_outcomes
from catalogue.models import ArtifactMetricRollup, Metric, Outcome
from catalogue.services.rollups import rollups_recompute
from tests.factories import ArtifactFactory, ReuseFactory

pytestmark = pytest.mark.django_db


def test_seeder_runs_after_the_catalogue_and_reuses_exist():
    from catalogue.demo import catalogue

    assert SEEDERS.index(demo_outcomes.seed) > SEEDERS.index(catalogue.seed)


def test_without_reuses_it_only_creates_the_metric_catalogue(admin_user, capsys):
    assert demo_outcomes.seed(password="x", context={"users": {"admin": admin_user}}) == {"outcomes_created": 0}
    assert Metric.objects.count() == 9
    assert "skipped" in capsys.readouterr().out


def test_outcomes_on_existing_reuses_are_varied_idempotent_and_rolled_up(admin_user):
    long_ago = dt.date.today() - dt.timedelta(days=800)
    for kind in ("customer_journey", "dataset", "ai_model", "pricing_design"):
        artifact = ArtifactFactory(published=True, kind=kind, slug=f"demo-{kind}")
        for i in range(3):
            ReuseFactory(artifact=artifact, occurred_on=long_ago + dt.timedelta(days=40 * i))
    ReuseFactory(artifact=ArtifactFactory(kind="dataset"))  # a draft: never reported on
    context = {"users": {"admin": admin_user}}
    result = demo_outcomes.seed(password="x", context=context)
    assert result["outcomes_created"] == Outcome.objects.count() > 30
    assert all(o.period_end <= dt.date.today() for o in Outcome.objects.all())
    assert rollups_recompute() == []
    sizes = set(ArtifactMetricRollup.objects.values_list("n", flat=True))
    assert max(sizes) >= 10 and min(sizes) < max(sizes)
    assert demo_outcomes.seed(password="x", context=context)["outcomes_created"] == 0
    assert rollups_recompute() == []
