"""Incremental rollups equal a from-scratch recomputation, whatever the order and redelivery."""

import random

import pytest
from django.core.management import call_command

from catalogue import tasks
from catalogue.models import ArtifactMetricRollup, ArtifactRollup, RollupApplied
from catalogue.services.rollups import rollups_recompute
from tests.factories import (
    ArtifactFactory,
    MetricFactory,
    OutcomeFactory,
    ReuseFactory,
    TeamFactory,
)

pytestmark = pytest.mark.django_db


def _random_world(rng: random.Random):
    teams = [TeamFactory() for _ in range(3)]
    artifacts = [ArtifactFactory(published=True) for _ in range(3)]
    metrics = [
        MetricFactory(code="conversion_lift"),
        MetricFactory(
            code="time_to_market", name="Time to market", unit="days", direction="lower_is_better"
        ),
    ]
    reuses, outcomes = [], []
    for _ in range(rng.randint(4, 9)):
        reuses.append(ReuseFactory(artifact=rng.choice(artifacts), team=rng.choice(teams)))
    # Some artifact+metric pairs get >= 30 outcomes (t-interval), others few and skewed.
    for _ in range(rng.randint(35, 60)):
        reuse = rng.choice(reuses)
        value = rng.lognormvariate(0, 1.2) if rng.random() < 0.5 else rng.gauss(2, 1)
        outcomes.append(
            OutcomeFactory(reuse=reuse, metric=rng.choice(metrics), value=round(value, 4))
        )
    return reuses, outcomes


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_incremental_rollups_equal_recomputation_with_redelivery(seed):
    rng = random.Random(seed)
    reuses, outcomes = _random_world(rng)
    messages = [("reuse", r.pk) for r in reuses] + [("outcome", o.pk) for o in outcomes]
    # Redeliver a third of the messages, and deliver everything in a random order.
    messages += rng.sample(messages, len(messages) // 3)
    rng.shuffle(messages)
    applied = 0
    for kind, pk in messages:
        task = tasks.rollup_reuse if kind == "reuse" else tasks.rollup_outcome
        applied += bool(task(pk))
    assert applied == len(reuses) + len(outcomes)
    assert rollups_recompute() == []
    rollup_n = sum(ArtifactMetricRollup.objects.values_list("n", flat=True))
    assert rollup_n == len(outcomes)
    assert sum(ArtifactRollup.objects.values_list("reuse_count", flat=True)) == len(reuses)
    methods = set(ArtifactMetricRollup.objects.values_list("method", flat=True))
    assert methods & {"t", "bootstrap"}


def test_interleaved_writes_and_tasks_stay_consistent():
    rng = random.Random(7)
    metric = MetricFactory(code="conversion_lift")
    artifact = ArtifactFactory(published=True)
    team_a, team_b = TeamFactory(), TeamFactory()
    for step in range(25):
        reuse = ReuseFactory(artifact=artifact, team=rng.choice([team_a, team_b]))
        tasks.rollup_reuse(reuse.pk)
        outcome = OutcomeFactory(reuse=reuse, metric=metric, value=rng.uniform(-1, 4))
        tasks.rollup_outcome(outcome.pk)
        if step % 5 == 0:
            tasks.rollup_outcome(outcome.pk)  # redelivered
            tasks.rollup_reuse(reuse.pk)
            assert rollups_recompute() == []
    rollup = ArtifactRollup.objects.get(artifact=artifact)
    assert (rollup.reuse_count, rollup.team_count) == (25, 2)
    assert rollups_recompute() == []


def test_missing_task_is_reported_and_fixed_without_double_counting(capsys):
    metric = MetricFactory(code="conversion_lift")
    reuse = ReuseFactory()
    first = OutcomeFactory(reuse=reuse, metric=metric, value=2.0)
    lost = OutcomeFactory(reuse=reuse, metric=metric, value=4.0)
    tasks.rollup_reuse(reuse.pk)
    tasks.rollup_outcome(first.pk)  # the message for `lost` never arrived
    differences = rollups_recompute()
    assert {(d.table, d.field) for d in differences} >= {
        ("metric_rollup", "n"),
        ("metric_rollup", "mean"),
    }
    call_command("recompute_rollups", "--fix", "--no-progress")
    out = capsys.readouterr().out
    assert "metric_rollup" in out and "n stored 1, expected 2" in out
    assert rollups_recompute() == []
    # The late message is now a no-op: the fix marked the outcome applied.
    assert tasks.rollup_outcome(lost.pk) is False
    assert ArtifactMetricRollup.objects.get(artifact=reuse.artifact, metric=metric).n == 2
    assert RollupApplied.objects.filter(key=f"outcome:{lost.pk}").exists()


def test_recompute_reports_and_fixes_tampered_and_orphaned_rows(capsys):
    reuse = ReuseFactory()
    tasks.rollup_reuse(reuse.pk)
    ArtifactRollup.objects.filter(artifact=reuse.artifact).update(team_count=5)
    orphan = ArtifactFactory()
    ArtifactRollup.objects.create(artifact=orphan, reuse_count=3, team_count=1)
    call_command("recompute_rollups", "--no-progress")
    out = capsys.readouterr().out
    assert "team_count stored 5, expected 1" in out
    assert f"artifact {orphan.pk}: reuse_count stored 3, expected None" in out
    assert rollups_recompute() != []  # a report alone changes nothing
    call_command("recompute_rollups", "--fix", "--no-progress")
    assert rollups_recompute() == []
    assert not ArtifactRollup.objects.filter(artifact=orphan).exists()


def test_task_for_a_deleted_row_is_a_no_op():
    assert tasks.rollup_reuse(987654) is False
    assert tasks.rollup_outcome(987654) is False
    assert not RollupApplied.objects.exists()


def test_nightly_repair_task_fixes_lost_messages_and_is_scheduled(settings):
    metric = MetricFactory(code="conversion_lift")
    reuse = ReuseFactory()
    OutcomeFactory(reuse=reuse, metric=metric, value=3.0)  # neither message ever arrived
    assert tasks.repair_rollups() > 0
    assert tasks.repair_rollups() == 0
    assert ArtifactRollup.objects.get(artifact=reuse.artifact).reuse_count == 1
    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "catalogue.tasks.repair_rollups" in schedule


def test_small_samples_travel_on_the_rollup_not_through_the_outcomes():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    metric = MetricFactory(code="conversion_lift")
    reuse = ReuseFactory(artifact=ArtifactFactory(published=True))
    tasks.rollup_reuse(reuse.pk)
    values = [float(v) for v in range(1, 32)]
    for i, value in enumerate(values):
        outcome = OutcomeFactory(reuse=reuse, metric=metric, value=value)
        with CaptureQueriesContext(connection) as ctx:
            assert tasks.rollup_outcome(outcome.pk)
        # Folding one outcome never reads the artifact's other outcomes back.
        # (The only outcome read is the new outcome itself, by its id.)
        assert not [
            q
            for q in ctx.captured_queries
            if 'FROM "catalogue_outcome"' in q["sql"]
            and '"catalogue_outcome"."id" =' not in q["sql"]
        ]
        rollup = ArtifactMetricRollup.objects.get(artifact=reuse.artifact, metric=metric)
        expected = values[: i + 1] if i + 1 < 30 else []
        assert sorted(rollup.small_sample) == expected
    assert rollup.n == 31 and rollup.method == "t"
    assert rollups_recompute() == []
    # A tampered sample is a difference the repair finds and fixes.
    ArtifactMetricRollup.objects.filter(pk=rollup.pk).update(small_sample=[1.0])
    assert [d.field for d in rollups_recompute(fix=True)] == ["small_sample"]
    assert rollups_recompute() == []
