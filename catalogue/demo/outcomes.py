"""Demo outcomes: the default metric catalogue, outcomes on the demo reuses, and their rollups.

Outcomes go through `outcome_record` (as the admin); extra reuses, when any are needed, go
through `reuse_record`, so every one of them passed the rights check. Deterministic (seeded by
ids and slugs) and idempotent: reuses that already have outcomes are left alone. Some
artifacts get many monthly outcomes (t-intervals), others a handful of skewed ones (bootstrap).
"""

import datetime as dt
import random
import zlib

from django.core.exceptions import PermissionDenied, ValidationError

from .. import tasks
from ..models import Artifact, Metric, Outcome, Reuse
from ..models.choices import ArtifactStatus
from ..rules import RuleViolation
from ..services.outcomes import metrics_ensure_defaults, outcome_record
from .marker import demo_reuses, seeder

KIND_METRICS = {
    "ai_model": ["conversion_lift", "default_rate_delta"],
    "prompt_template": ["hours_saved", "complaint_rate"],
    "customer_journey": ["conversion_lift", "nps_delta", "time_to_market"],
    "pricing_design": ["revenue_delta", "retention_delta"],
    "product_concept": ["time_to_market", "revenue_delta"],
    "content": ["conversion_lift", "complaint_rate"],
    "design_component": ["hours_saved", "time_to_market", "cost_saved"],
    "experiment_template": ["time_to_market", "cost_saved"],
    "dataset": ["cost_saved", "hours_saved"],
    "code_component": ["cost_saved", "hours_saved"],
    "other": ["cost_saved"],
}

# metric -> (typical centre, spread) of one monthly outcome
SCALE = {
    "conversion_lift": (1.2, 0.9),
    "revenue_delta": (40_000, 30_000),
    "cost_saved": (18_000, 12_000),
    "hours_saved": (120, 80),
    "time_to_market": (45, 18),
    "nps_delta": (4, 3),
    "retention_delta": (0.8, 0.6),
    "default_rate_delta": (-0.15, 0.12),
    "complaint_rate": (2.5, 1.2),
}
EXTRA_REUSES_FOR = 4  # artifacts that get repeat reuses, so some samples pass n = 30


def _rng(*parts) -> random.Random:
    return random.Random(zlib.crc32("|".join(map(str, parts)).encode()))


def _value(metric: Metric, artifact: Artifact, rng: random.Random, skewed: bool) -> float:
    centre, spread = SCALE.get(metric.code, (1.0, 1.0))
    quality = _rng("quality", artifact.slug, metric.code).uniform(0.3, 1.7)
    if skewed:  # mostly modest results with the odd outlier
        value = centre * quality * 0.4 * rng.lognormvariate(0, 1.1)
    else:
        value = rng.gauss(centre * quality, spread * 0.6)
    low = metric.min_value if metric.min_value is not None else value
    high = metric.max_value if metric.max_value is not None else value
    return round(min(max(value, low), high), 3)


def _periods(start: dt.date, count: int) -> list[tuple[dt.date, dt.date]]:
    """Up to `count` consecutive 30-day periods from `start`, none ending in the future."""
    today = dt.date.today()
    periods, begin = [], start
    for _ in range(count):
        end = begin + dt.timedelta(days=29)
        if end > today:
            break
        periods.append((begin, end))
        begin = end + dt.timedelta(days=1)
    return periods or [(min(start, today), today)]


def _extra_reuses(admin, reuses: list[Reuse]) -> int:
    try:
        from ..services.reuse import reuse_record
    except ImportError:
        return 0
    made = 0
    by_artifact: dict[int, Reuse] = {}
    for r in reuses:
        by_artifact.setdefault(r.artifact_id, r)
    for template in sorted(by_artifact.values(), key=lambda r: r.artifact.slug)[:EXTRA_REUSES_FOR]:
        existing = sum(1 for r in reuses if r.artifact_id == template.artifact_id)
        for i in range(existing, 5):
            try:
                reuse_record(
                    acting_user=admin,
                    artifact=template.artifact,
                    team=template.team,
                    initiative=f"{template.initiative} (wave {i + 1})",
                    purpose=template.purpose,
                    channel=template.channel,
                    mode=template.mode,
                    # A year or more back, so each wave reports a full year of months.
                    occurred_on=template.occurred_on - dt.timedelta(days=365 + 75 * i),
                )
                made += 1
            except (RuleViolation, ValidationError, PermissionDenied):
                break
    return made


@seeder
def seed(*, password: str, context: dict) -> dict:
    admin = context["users"]["admin"]
    metrics_ensure_defaults(acting_user=admin)
    metrics = {m.code: m for m in Metric.objects.all()}
    reuses = list(demo_reuses().select_related("artifact", "team").order_by("id"))
    if not reuses:
        print("  outcomes: no demo reuses to report on (the rights seeder records them); skipped")
        return {"outcomes_created": 0}
    extra = _extra_reuses(admin, reuses)
    if extra:
        reuses = list(demo_reuses().select_related("artifact", "team").order_by("id"))
    reported = set(
        Outcome.objects.filter(reuse__in=[r.pk for r in reuses])
        .values_list("reuse_id", flat=True)
        .distinct()
    )
    created = 0
    for reuse in reuses:
        if reuse.pk in reported or reuse.artifact.status == ArtifactStatus.DRAFT:
            continue
        rng = _rng("reuse", reuse.artifact.slug, reuse.team.slug, reuse.initiative)
        skewed = _rng("skew", reuse.artifact.slug).random() < 0.3
        months = 12 if "(wave " in reuse.initiative else rng.choice([1, 2, 3, 5, 8, 12, 12])
        for code in KIND_METRICS.get(reuse.artifact.kind, ["cost_saved"]):
            metric = metrics.get(code)
            if metric is None:
                continue
            for begin, end in _periods(reuse.occurred_on, months):
                outcome_record(
                    acting_user=admin,
                    reuse=reuse,
                    metric=metric,
                    value=_value(metric, reuse.artifact, rng, skewed),
                    period_start=begin,
                    period_end=end,
                    sample_size=rng.randint(200, 20_000),
                    note="demo data: monthly report",
                )
                created += 1
    # Fold everything in now, as the worker would; the keys make the queued messages no-ops.
    demo_reuse_ids = [r.pk for r in reuses]
    for reuse_id in demo_reuse_ids:
        tasks.rollup_reuse(reuse_id)
    for outcome_id in Outcome.objects.filter(reuse__in=demo_reuse_ids).values_list("id", flat=True):
        tasks.rollup_outcome(outcome_id)
    return {"outcomes_created": created, "outcome_reuses_added": extra}
