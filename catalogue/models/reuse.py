from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q

from .artifacts import Artifact, Version
from .choices import Channel, MetricDirection, Purpose, ReuseMode
from .history import tracked
from .teams import Team


@tracked()
class Reuse(models.Model):
    artifact = models.ForeignKey(Artifact, on_delete=models.PROTECT, related_name="reuses")
    version = models.ForeignKey(
        Version, null=True, blank=True, on_delete=models.PROTECT, related_name="reuses"
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="reuses")
    initiative = models.CharField(max_length=200)
    purpose = models.CharField(max_length=32, choices=Purpose.choices)
    channel = models.CharField(max_length=32, choices=Channel.choices)
    mode = models.CharField(max_length=16, choices=ReuseMode.choices, default=ReuseMode.AS_IS)
    occurred_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True, help_text="Empty while the reuse is live.")
    rights_decision = models.JSONField(help_text="Snapshot of the rights check that allowed it.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["artifact", "-created_at", "-id"], name="reuse_artifact_recent"),
            models.Index(fields=["team", "-created_at", "-id"], name="reuse_team_recent"),
            models.Index(fields=["-created_at", "-id"], name="reuse_recent"),
        ]


@tracked()
class Metric(models.Model):
    code = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    unit = models.CharField(max_length=40)
    direction = models.CharField(max_length=20, choices=MetricDirection.choices)
    min_value = models.FloatField(null=True, blank=True, help_text="Plausible range, lower end.")
    max_value = models.FloatField(null=True, blank=True, help_text="Plausible range, upper end.")
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


@tracked()
class Outcome(models.Model):
    reuse = models.ForeignKey(Reuse, on_delete=models.CASCADE, related_name="outcomes")
    metric = models.ForeignKey(Metric, on_delete=models.PROTECT, related_name="outcomes")
    value = models.FloatField()
    sample_size = models.PositiveIntegerField(null=True, blank=True)
    period_start = models.DateField()
    period_end = models.DateField()
    baseline = models.FloatField(null=True, blank=True)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="outcome_period_order"
            )
        ]
        indexes = [models.Index(fields=["reuse", "metric"], name="outcome_reuse_metric")]


class ArtifactRollup(models.Model):
    """Incrementally maintained reuse summary of one artifact (derived data, not audited)."""

    artifact = models.OneToOneField(
        Artifact, on_delete=models.CASCADE, primary_key=True, related_name="rollup"
    )
    reuse_count = models.PositiveIntegerField(default=0)
    team_count = models.PositiveIntegerField(default=0)
    last_reused_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)


class ArtifactMetricRollup(models.Model):
    """Running n, sum and sum of squares per artifact and metric; the interval derives from them."""

    artifact = models.ForeignKey(Artifact, on_delete=models.CASCADE, related_name="metric_rollups")
    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="+")
    n = models.PositiveIntegerField(default=0)
    total = models.FloatField(default=0)
    total_sq = models.FloatField(default=0)
    mean = models.FloatField(null=True)
    ci_low = models.FloatField(null=True)
    ci_high = models.FloatField(null=True)
    method = models.CharField(max_length=16, blank=True)
    # The raw values while n < stats.T_MIN_N, where the interval may need them (bootstrap, skew
    # test); emptied from then on. Reading them back from the outcomes instead meant joining every
    # reuse of the artifact: seconds per outcome for a popular artifact at 10M reuses.
    small_sample = ArrayField(models.FloatField(), default=list, blank=True)
    # The library's ranking, kept by the rollup writers: the artifact's kind (copied so each
    # kind and metric is one index range), `stats.rank_score` and the oriented mean (tie-break).
    kind = models.CharField(max_length=32)
    rank_score = models.FloatField(null=True)
    rank_mean = models.FloatField(null=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["artifact", "metric"], name="metric_rollup_unique")
        ]
        indexes = [
            # The library's order within a (metric, kind) group: walked from the top, LIMIT top.
            models.Index(
                "metric",
                "kind",
                F("rank_score").desc(nulls_last=True),
                F("rank_mean").desc(nulls_last=True),
                "artifact",
                name="metric_rollup_top",
                condition=Q(n__gt=0),
            )
        ]


class RollupApplied(models.Model):
    """Which outcome/reuse ids a rollup task has already folded in: redelivery is a no-op."""

    key = models.CharField(max_length=64, primary_key=True)
    applied_at = models.DateTimeField(auto_now_add=True)
