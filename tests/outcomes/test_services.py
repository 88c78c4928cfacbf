"""outcome_record and the metric catalogue services: happy paths, each rule, permissions."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from catalogue import tasks
from catalogue.models import AuditEvent, Metric, Outcome
from catalogue.services.outcomes import (
    DEFAULT_METRICS,
    metric_create,
    metric_update,
    metrics_ensure_defaults,
    outcome_record,
)
from tests.factories import ArtifactFactory, MetricFactory, ReuseFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()
START, END = TODAY - dt.timedelta(days=30), TODAY - dt.timedelta(days=1)


@pytest.fixture
def metric():
    return MetricFactory(code="conversion_lift", min_value=-100, max_value=100)


@pytest.fixture
def reuse(retail, cards):
    return ReuseFactory(team=retail, artifact=ArtifactFactory(published=True, owner_team=cards))


def record(user, reuse, metric, **kw):
    args = {"value": 2.5, "period_start": START, "period_end": END, "sample_size": 1200} | kw
    return outcome_record(acting_user=user, reuse=reuse, metric=metric, **args)


def test_record_outcome_audits_and_queues_rollup_after_commit(
    alice, reuse, metric, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(tasks.rollup_outcome, "delay", queued.append)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        outcome = record(alice, reuse, metric, baseline=3.1, note="A/B test", unit="pp")
    assert queued == [outcome.pk]
    assert len(callbacks) >= 1
    assert (outcome.value, outcome.sample_size, outcome.baseline, outcome.recorded_by) == (
        2.5,
        1200,
        3.1,
        alice,
    )
    event = AuditEvent.objects.get(action="outcome.recorded")
    assert event.object_id == str(outcome.pk) and event.artifact_id == reuse.artifact_id
    assert event.changes["metric"] == [None, "conversion_lift"]


def test_nothing_is_queued_when_the_transaction_rolls_back(
    alice, reuse, metric, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with pytest.raises(ValidationError):
            record(alice, reuse, metric, value=500)
    assert callbacks == [] and not Outcome.objects.exists()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"value": 101}, "value"),
        ({"value": -101}, "value"),
        ({"value": float("nan")}, "value"),
        ({"sample_size": 0}, "sample_size"),
        ({"period_start": END, "period_end": START}, "period_end"),
        ({"period_end": TODAY + dt.timedelta(days=2)}, "period_end"),
        ({"unit": "GBP"}, "unit"),
        ({"baseline": float("inf")}, "baseline"),
    ],
)
def test_each_validation_rule_is_field_keyed(alice, reuse, metric, kwargs, field):
    with pytest.raises(ValidationError) as exc:
        record(alice, reuse, metric, **kwargs)
    assert field in exc.value.message_dict
    assert not Outcome.objects.exists()


def test_only_the_reusing_teams_contributors_or_admins_record(
    alice, carol, bob, victor, legal1, admin_user, reuse, metric
):
    record(carol, reuse, metric)  # plain member of the reusing team
    record(admin_user, reuse, metric)
    for outsider in (bob, victor, legal1):  # owner team's maintainer is not the reusing team
        with pytest.raises(PermissionDenied):
            record(outsider, reuse, metric)
    assert Outcome.objects.count() == 2


def test_reuse_of_restricted_artifact_is_invisible_to_outsiders(alice, cards, metric):
    from catalogue.models import Membership

    reuse = ReuseFactory(
        team=cards, artifact=ArtifactFactory(published=True, restricted=True, owner_team=cards)
    )
    # alice joins cards as a member (contributor) but cards owns it, so she sees it
    Membership.objects.create(team=cards, user=alice, role="member")
    alice.__dict__.pop("_catalogue_team_roles", None)
    record(alice, reuse, metric)
    other = ReuseFactory(artifact=ArtifactFactory(published=True, restricted=True))
    Membership.objects.create(team=other.team, user=alice, role="member")
    alice.__dict__.pop("_catalogue_team_roles", None)
    # reusing team member but cannot see the restricted artifact of another owner: refused
    with pytest.raises(PermissionDenied):
        record(alice, other, metric)


def test_migrations_install_the_default_metrics():
    assert set(Metric.objects.values_list("code", flat=True)) >= set(DEFAULT_METRICS)


def test_default_metrics_are_created_once():
    Metric.objects.all().delete()
    created = metrics_ensure_defaults()
    assert {m.code for m in created} == set(DEFAULT_METRICS)
    assert metrics_ensure_defaults() == []
    ttm = Metric.objects.get(code="time_to_market")
    assert (ttm.unit, ttm.direction) == ("days", "lower_is_better")
    assert Metric.objects.get(code="complaint_rate").unit == "per 1k"


def test_metric_create_and_update_admin_only(admin_user, alice):
    with pytest.raises(PermissionDenied):
        metric_create(acting_user=alice, code="x", name="X", unit="u", direction="higher_is_better")
    metric = metric_create(
        acting_user=admin_user,
        code="churn",
        name="Churn",
        unit="pp",
        direction="lower_is_better",
        min_value=-100,
        max_value=100,
    )
    with pytest.raises(ValidationError) as exc:
        metric_create(
            acting_user=admin_user, code="churn", name="C", unit="pp", direction="lower_is_better"
        )
    assert "code" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        metric_create(
            acting_user=admin_user,
            code="y",
            name="Y",
            unit="pp",
            direction="sideways",
            min_value=5,
            max_value=1,
        )
    assert set(exc.value.message_dict) == {"direction", "max_value"}
    with pytest.raises(PermissionDenied):
        metric_update(acting_user=alice, metric=metric, name="Nope")
    metric_update(acting_user=admin_user, metric=metric, name="Customer churn")
    metric_update(
        acting_user=admin_user, metric=metric, name="Customer churn"
    )  # no change: no event
    assert list(
        AuditEvent.objects.filter(object_type="metric")
        .values_list("action", flat=True)
        .order_by("id")
    ) == [
        "metric.created",
        "metric.updated",
    ]
    with pytest.raises(ValidationError):
        metric_update(acting_user=admin_user, metric=metric, min_value=200)
