"""An artifact's reuse performance, read from the rollup tables (no scan of outcomes)."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, QuerySet
from django.db.models.functions import TruncMonth

from .. import stats
from ..models import Artifact, ArtifactMetricRollup, ArtifactRollup, Outcome, Reuse
from ..querysets import visible_artifacts
from .preload import json_rows, preloaded

ADOPTION_MONTHS = 36
CHART_POINTS = 300


@dataclass(frozen=True)
class MetricPerformance:
    metric: str
    name: str
    unit: str
    direction: str
    n: int
    mean: float | None
    ci_low: float | None
    ci_high: float | None
    method: str

    @property
    def conservative(self) -> float | None:
        return stats.conservative_bound(self.direction, self.ci_low, self.ci_high)

    @property
    def higher_is_better(self) -> bool:
        return self.direction == stats.HIGHER_IS_BETTER


@dataclass
class Performance:
    artifact: Artifact
    reuse_count: int = 0
    team_count: int = 0
    last_reused_on: dt.date | None = None
    metrics: list[MetricPerformance] = field(default_factory=list)
    adoption: list[dict] = field(default_factory=list)


def metric_rollup_rows(artifact_ref) -> QuerySet[ArtifactMetricRollup]:
    """The artifact's metric rollups with outcomes, by metric code (`artifact_ref`: id or OuterRef)."""
    return ArtifactMetricRollup.objects.filter(artifact_id=artifact_ref, n__gt=0).order_by(
        "metric__code"
    )


def metric_rollups_loads(user) -> dict:
    """The artifact page's metric rollups as a column of its artifact query."""
    return {
        "performance_rollups": json_rows(metric_rollup_rows(OuterRef("pk")), related=["metric"])
    }


def metric_rollups(artifact: Artifact) -> list[MetricPerformance]:
    rows = preloaded(
        artifact,
        "performance_rollups",
        ArtifactMetricRollup,
        lambda: metric_rollup_rows(artifact.pk).select_related("metric"),
        related=["metric"],
    )
    return [
        MetricPerformance(
            metric=r.metric.code,
            name=r.metric.name,
            unit=r.metric.unit,
            direction=r.metric.direction,
            n=r.n,
            mean=r.mean,
            ci_low=r.ci_low,
            ci_high=r.ci_high,
            method=r.method,
        )
        for r in rows
    ]


def adoption_by_month(artifact_id: int, *, months: int = ADOPTION_MONTHS) -> list[dict]:
    """[{month, reuses, teams}] for the last `months` months (one GROUP BY on this artifact's reuses)."""
    since = (dt.date.today().replace(day=1) - dt.timedelta(days=31 * (months - 1))).replace(day=1)
    rows = (
        Reuse.objects.filter(artifact_id=artifact_id, occurred_on__gte=since)
        .annotate(month=TruncMonth("occurred_on"))
        .values("month")
        .annotate(reuses=Count("id"), teams=Count("team_id", distinct=True))
        .order_by("month")
    )
    return [dict(r) for r in rows]


def artifact_performance(artifact: Artifact, *, adoption: bool = True) -> Performance:
    """Reuse count, teams, per-metric n/mean/interval and adoption: three bounded queries.

    `adoption=False` skips the monthly GROUP BY over the artifact's reuses (the artifact page).
    """
    perf = Performance(artifact=artifact)
    if Artifact.rollup.is_cached(artifact):  # artifact_get joins it: no query of its own
        rollup = getattr(artifact, "rollup", None)
    else:
        rollup = ArtifactRollup.objects.filter(artifact_id=artifact.pk).first()
    if rollup is not None:
        perf.reuse_count, perf.team_count = rollup.reuse_count, rollup.team_count
        perf.last_reused_on = rollup.last_reused_on
    perf.metrics = metric_rollups(artifact)
    if adoption:
        perf.adoption = adoption_by_month(artifact.pk)
    return perf


def outcome_points(artifact_id: int, metric_code: str, *, limit: int = CHART_POINTS) -> list[dict]:
    """The latest outcomes of one artifact and metric, oldest first, for a chart (one query)."""
    rows = [
        dict(r)
        for r in Outcome.objects.filter(reuse__artifact_id=artifact_id, metric__code=metric_code)
        .order_by("-period_end", "-id")
        .values("period_end", "value")[:limit]
    ]
    rows.reverse()
    return rows


def outcome_list(user):
    """Outcomes of reuses of the artifacts the user may see, newest first, ready for a list."""
    return (
        Outcome.objects.filter(reuse__artifact__in=visible_artifacts(user).values("pk"))
        .select_related("reuse__artifact", "reuse__team", "metric")
        .order_by("-created_at", "-id")
    )
