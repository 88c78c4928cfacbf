"""Metric catalogue and outcome recording: every write here is validated, audited, and rolled up."""

import datetime as dt
import logging
import math

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from ..models import Metric, Outcome, Reuse
from ..models.choices import MetricDirection
from ..permissions import can_act_for_team, is_admin
from ..querysets import visible_artifacts
from .audit import audit_context, audit_event, diff
from .common import ensure_editable
from .queueing import ROLLUP_RECOVERY, enqueue_on_commit
from .rollups import rollups_rescore

logger = logging.getLogger(__name__)

H, L = MetricDirection.HIGHER_IS_BETTER, MetricDirection.LOWER_IS_BETTER

# code -> (name, unit, direction, plausible min, plausible max, description)
DEFAULT_METRICS: dict[str, tuple] = {
    "conversion_lift": (
        "Conversion lift",
        "pp",
        H,
        -100,
        100,
        "Change in conversion rate, percentage points.",
    ),
    "revenue_delta": ("Revenue delta", "GBP", H, -1e9, 1e9, "Change in revenue over the period."),
    "cost_saved": (
        "Cost saved",
        "GBP",
        H,
        -1e8,
        1e9,
        "Cost avoided by reusing instead of building.",
    ),
    "hours_saved": ("Hours saved", "hours", H, -1e5, 1e6, "Staff hours avoided by reusing."),
    "time_to_market": ("Time to market", "days", L, 0, 3650, "Days from idea to launch."),
    "nps_delta": ("NPS delta", "points", H, -200, 200, "Change in Net Promoter Score."),
    "retention_delta": (
        "Retention delta",
        "pp",
        H,
        -100,
        100,
        "Change in retention, percentage points.",
    ),
    "default_rate_delta": (
        "Default-rate delta",
        "pp",
        L,
        -100,
        100,
        "Change in default rate, percentage points.",
    ),
    "complaint_rate": (
        "Complaint rate",
        "per 1k",
        L,
        0,
        1000,
        "Complaints per thousand customers.",
    ),
}

METRIC_FIELDS = ("name", "unit", "direction", "min_value", "max_value", "description")


def _ensure_admin(user) -> None:
    if not is_admin(user):
        raise PermissionDenied("Only admins manage the metric catalogue.")


def _validate_metric(values: dict) -> None:
    errors: dict[str, list[str]] = {}
    if values.get("direction") not in MetricDirection.values:
        errors["direction"] = [f"Choose one of: {', '.join(MetricDirection.values)}."]
    for field in ("name", "unit"):
        if not str(values.get(field) or "").strip():
            errors[field] = ["This field is required."]
    low, high = values.get("min_value"), values.get("max_value")
    if low is not None and high is not None and low >= high:
        errors["max_value"] = ["The plausible maximum must be above the minimum."]
    if errors:
        raise ValidationError(errors)


def metric_create(
    *,
    acting_user,
    code: str,
    name: str,
    unit: str,
    direction: str,
    min_value: float | None = None,
    max_value: float | None = None,
    description: str = "",
) -> Metric:
    """Add a metric to the catalogue (admins only); codes are unique and never renamed."""
    _ensure_admin(acting_user)
    values = {
        "name": name,
        "unit": unit,
        "direction": direction,
        "min_value": min_value,
        "max_value": max_value,
        "description": description,
    }
    _validate_metric(values)
    with transaction.atomic(), audit_context(actor=acting_user, reason="metric created"):
        if Metric.objects.filter(code=code).exists():
            raise ValidationError({"code": ["A metric with this code already exists."]})
        metric = Metric.objects.create(code=code, **values)
        audit_event(
            actor=acting_user,
            action="metric.created",
            obj=metric,
            changes={k: [None, v] for k, v in values.items()} | {"code": [None, code]},
        )
    return metric


def metric_update(*, acting_user, metric: Metric, **fields) -> Metric:
    """Change a metric's name, unit, direction, plausible range or description (admins only)."""
    _ensure_admin(acting_user)
    ensure_editable(fields, METRIC_FIELDS)
    with transaction.atomic(), audit_context(actor=acting_user, reason="metric updated"):
        metric = Metric.objects.select_for_update().get(pk=metric.pk)
        merged = {f: getattr(metric, f) for f in METRIC_FIELDS} | fields
        _validate_metric(merged)
        changes = diff(metric, fields)
        if not changes:
            return metric
        for field, value in fields.items():
            setattr(metric, field, value)
        metric.save(update_fields=[*changes])
        if "direction" in changes:
            rollups_rescore(metric_id=metric.pk)
        audit_event(actor=acting_user, action="metric.updated", obj=metric, changes=changes)
    return metric


def metrics_ensure_defaults(*, acting_user=None) -> list[Metric]:
    """Create the default metric catalogue where missing; existing metrics are left alone."""
    existing = set(Metric.objects.filter(code__in=DEFAULT_METRICS).values_list("code", flat=True))
    created = []
    with transaction.atomic(), audit_context(actor=acting_user, reason="default metrics"):
        for code, (name, unit, direction, low, high, description) in DEFAULT_METRICS.items():
            if code in existing:
                continue
            metric = Metric.objects.create(
                code=code,
                name=name,
                unit=unit,
                direction=direction,
                min_value=low,
                max_value=high,
                description=description,
            )
            audit_event(
                actor=acting_user, action="metric.created", obj=metric, reason="default metrics"
            )
            created.append(metric)
    return created


def _validate_outcome(
    *, metric: Metric, value, period_start, period_end, sample_size, baseline, unit
) -> None:
    errors: dict[str, list[str]] = {}
    if value is None or not math.isfinite(float(value)):
        errors["value"] = ["Enter a finite number."]
    else:
        value = float(value)
        if metric.min_value is not None and value < metric.min_value:
            errors["value"] = [
                f"{value:g} {metric.unit} is below the plausible minimum ({metric.min_value:g})."
            ]
        elif metric.max_value is not None and value > metric.max_value:
            errors["value"] = [
                f"{value:g} {metric.unit} is above the plausible maximum ({metric.max_value:g})."
            ]
    if baseline is not None and not math.isfinite(float(baseline)):
        errors["baseline"] = ["Enter a finite number."]
    if sample_size is not None and int(sample_size) < 1:
        errors["sample_size"] = ["The sample size must be a positive whole number."]
    if period_start and period_end and period_end < period_start:
        errors["period_end"] = ["The period cannot end before it starts."]
    if period_end and period_end > timezone.localdate():
        errors.setdefault("period_end", []).append("An outcome cannot be measured in the future.")
    if unit and unit != metric.unit:
        errors["unit"] = [f"'{metric.code}' is measured in {metric.unit}, not {unit}."]
    if errors:
        raise ValidationError(errors)


def outcome_record(
    *,
    acting_user,
    reuse: Reuse,
    metric: Metric,
    value: float,
    period_start: dt.date,
    period_end: dt.date,
    sample_size: int | None = None,
    baseline: float | None = None,
    note: str = "",
    unit: str | None = None,
) -> Outcome:
    """Record a measured result of a reuse (its team's contributors, or admins); rolled up after commit."""
    if not visible_artifacts(acting_user).filter(pk=reuse.artifact_id).exists():
        raise PermissionDenied("You cannot see this reuse.")
    if not can_act_for_team(acting_user, reuse.team):
        raise PermissionDenied("Only the reusing team's contributors can record its outcomes.")
    _validate_outcome(
        metric=metric,
        value=value,
        period_start=period_start,
        period_end=period_end,
        sample_size=sample_size,
        baseline=baseline,
        unit=unit,
    )
    with transaction.atomic(), audit_context(actor=acting_user, reason="outcome recorded"):
        outcome = Outcome.objects.create(
            reuse=reuse,
            metric=metric,
            value=float(value),
            sample_size=sample_size,
            period_start=period_start,
            period_end=period_end,
            baseline=None if baseline is None else float(baseline),
            note=note or "",
            recorded_by=acting_user if getattr(acting_user, "pk", None) else None,
        )
        audit_event(
            actor=acting_user,
            action="outcome.recorded",
            obj=outcome,
            artifact=reuse.artifact,
            changes={
                "reuse": [None, reuse.pk],
                "metric": [None, metric.code],
                "value": [None, float(value)],
                "sample_size": [None, sample_size],
                "period": [None, f"{period_start}/{period_end}"],
            },
        )
        enqueue_on_commit("rollup_outcome", outcome.pk, recovery=ROLLUP_RECOVERY)
    return outcome
