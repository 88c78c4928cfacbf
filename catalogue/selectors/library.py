"""The best-practice library and value summaries: rankings by the conservative end of the interval.

Without a period the library reads the rollup tables: the best `top` rows of each (metric, kind)
group, one index walk per group, in one query. With a period it aggregates the outcomes whose
measurement period ends in it (one GROUP BY query) and computes the intervals the same way the
rollups do, so both paths rank alike.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from django.contrib.postgres.aggregates import ArrayAgg
from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import Case, Count, F, FloatField, Q, Sum, Value, When, Window
from django.db.models.expressions import RawSQL
from django.db.models.functions import RowNumber

from .. import stats
from ..models import Artifact, Metric, Outcome, Reuse
from ..models.choices import ArtifactKind
from ..querysets import visible_artifacts

DEFAULT_TOP = 10
MAX_TOP = 50
SAVINGS_METRICS = ("cost_saved", "hours_saved")


@dataclass(frozen=True)
class LibraryFilters:
    kind: str | None = None
    team: str | None = None  # owner team slug
    metric: str | None = None  # metric code
    period_from: dt.date | None = None
    period_to: dt.date | None = None
    top: int = DEFAULT_TOP

    @property
    def has_period(self) -> bool:
        return bool(self.period_from or self.period_to)


class LibraryEntry(NamedTuple):
    """One ranked row. A named tuple, not a frozen dataclass: the dashboard makes up to groups x top
    of them per request, and a frozen dataclass's __init__ costs ten times as much."""

    rank: int
    kind: str
    artifact_slug: str
    artifact_title: str
    owner_team: str
    metric: str
    metric_name: str
    unit: str
    direction: str
    n: int
    mean: float | None
    ci_low: float | None
    ci_high: float | None
    method: str
    # May teams reuse it (as is, for some purpose and channel) now? The rights check's set form
    # for "any team" (eligibility.ANY_TEAM), so the library never recommends what the check denies
    # without saying so.
    reusable: bool = False

    @property
    def conservative(self) -> float | None:
        return stats.conservative_bound(self.direction, self.ci_low, self.ci_high)


def _visible_artifact_ids(user, filters: LibraryFilters):
    qs = visible_artifacts(user)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.team:
        qs = qs.filter(owner_team__slug=filters.team)
    return qs.values("pk")


# Best first within a (metric, kind) group, from the artifact's side of its rollup: the order
# of the `metric_rollup_top` index, whose walk therefore needs no sort.
_RANK_ORDER = (
    F("metric_rollups__rank_score").desc(nulls_last=True),
    F("metric_rollups__rank_mean").desc(nulls_last=True),
    F("metric_rollups__artifact_id").asc(),
)

# One LATERAL walk of the `metric_rollup_top` index per (metric, kind) group, stopping after
# `top` visible rows: the work is groups x top, whatever the size of the rollup table.
_TOP_PER_GROUP_SQL = """
SELECT top.position, g.kind, top.slug, top.title, top.team, g.code, g.name, g.unit, g.direction,
       top.n, top.mean, top.ci_low, top.ci_high, top.method  -- LibraryEntry's fields, in order
  FROM (SELECT m.id AS metric_id, m.code, m.name, m.unit, m.direction, k.kind
          FROM catalogue_metric AS m CROSS JOIN unnest(%s::varchar[]) AS k(kind) {metric}) AS g
 CROSS JOIN LATERAL ({top}) AS top
 ORDER BY g.code, g.kind, top.position
"""


def _top_of_group(user, filters: LibraryFilters, top: int):
    """The ORM half of the walk: the best `top` visible artifacts of group g (metric, kind)."""
    group = {
        "metric_rollups__metric_id": RawSQL("g.metric_id", ()),  # noqa: S611 - constant SQL
        "metric_rollups__kind": RawSQL("g.kind", ()),  # noqa: S611 - constant SQL
        "metric_rollups__n__gt": 0,
    }
    # One filter() call: the three conditions and the values below share one rollup join.
    qs = visible_artifacts(user, Artifact.objects.filter(**group))
    if filters.team:
        qs = qs.filter(owner_team__slug=filters.team)
    return qs.order_by(*_RANK_ORDER).values(
        "slug",
        "title",
        position=Window(RowNumber(), order_by=list(_RANK_ORDER)),
        team=F("owner_team__slug"),
        n=F("metric_rollups__n"),
        mean=F("metric_rollups__mean"),
        ci_low=F("metric_rollups__ci_low"),
        ci_high=F("metric_rollups__ci_high"),
        method=F("metric_rollups__method"),
    )[:top]


def library_ranking(user, filters: LibraryFilters) -> list[LibraryEntry]:
    """Artifacts ranked per kind and metric, best conservative bound first, `top` per group.

    Without a period: one query reading at most groups x top rollup rows (see _TOP_PER_GROUP_SQL).
    """
    top = max(1, min(filters.top, MAX_TOP))
    if filters.has_period:
        return _ranking_for_period(user, filters, top)
    kinds = [filters.kind] if filters.kind else list(ArtifactKind.values)
    try:
        sql, params = _top_of_group(user, filters, top).query.sql_with_params()
    except EmptyResultSet:  # nothing is visible (anonymous)
        return []
    metric = ("WHERE m.code = %s", [filters.metric]) if filters.metric else ("", [])
    with transaction.atomic(), connection.cursor() as cursor:
        # The planner's cost for ~100 walks passes jit_above_cost, and compiling the plan
        # (~30 ms) costs several times what the walks do: no JIT for this statement.
        cursor.execute("SET LOCAL jit = off")
        # sql is the ORM's own compiled query; its parameters stay bound.
        cursor.execute(
            _TOP_PER_GROUP_SQL.format(metric=metric[0], top=sql), [kinds, *metric[1], *params]
        )
        rows = cursor.fetchall()
    return with_rights([LibraryEntry._make((*row, False)) for row in rows])


def reusable_slugs(slugs) -> set[str]:
    """Which of these artifacts any team may reuse as is for some purpose and channel: one query."""
    from ..eligibility import ANY_TEAM
    from ..models.choices import Channel, Purpose
    from ..querysets import reusable_for_some

    slugs = set(slugs)
    if not slugs:
        return set()
    pairs = [(p, c) for p in Purpose.values for c in Channel.values]
    qs = reusable_for_some(
        Artifact.objects.filter(slug__in=slugs), ANY_TEAM, action="use", questions=pairs
    )
    return set(qs.values_list("slug", flat=True))


def with_rights(entries: list[LibraryEntry]) -> list[LibraryEntry]:
    """The entries with `reusable` set from the rights check's set form."""
    ok = reusable_slugs(e.artifact_slug for e in entries)
    return [e._replace(reusable=e.artifact_slug in ok) for e in entries]


def _outcome_aggregates(qs, *group_by: str):
    """n, Σx, Σx² per group, with the raw values only for groups small enough to need them."""
    return (
        qs.values(*group_by)
        .annotate(
            n=Count("id"),
            total=Sum("value"),
            total_sq=Sum(F("value") * F("value"), output_field=FloatField()),
            vals=Case(When(Q(n__lt=stats.T_MIN_N), then=ArrayAgg("value")), default=Value(None)),
        )
        .order_by(*group_by)
    )


def _interval(row) -> stats.Interval:
    return stats.summarise(row["n"], row["total"], row["total_sq"], row["vals"])


def _ranking_for_period(user, filters: LibraryFilters, top: int) -> list[LibraryEntry]:
    qs = Outcome.objects.filter(reuse__artifact__in=_visible_artifact_ids(user, filters))
    if filters.period_from:
        qs = qs.filter(period_end__gte=filters.period_from)
    if filters.period_to:
        qs = qs.filter(period_end__lte=filters.period_to)
    if filters.metric:
        qs = qs.filter(metric__code=filters.metric)
    rows = _outcome_aggregates(
        qs,
        "reuse__artifact__kind",
        "reuse__artifact__slug",
        "reuse__artifact__title",
        "reuse__artifact__owner_team__slug",
        "metric__code",
        "metric__name",
        "metric__unit",
        "metric__direction",
    )
    groups: dict[tuple, list] = defaultdict(list)
    for row in rows:
        groups[(row["metric__code"], row["reuse__artifact__kind"])].append((row, _interval(row)))
    entries = []
    for key in sorted(groups):
        direction = groups[key][0][0]["metric__direction"]
        ranked = sorted(
            groups[key],
            key=lambda ri: (
                *stats.rank_key(direction, ri[1].low, ri[1].high, ri[1].mean),
                ri[0]["reuse__artifact__slug"],
            ),
        )
        for position, (row, iv) in enumerate(ranked[:top], start=1):
            entries.append(
                LibraryEntry(
                    rank=position,
                    kind=row["reuse__artifact__kind"],
                    artifact_slug=row["reuse__artifact__slug"],
                    artifact_title=row["reuse__artifact__title"],
                    owner_team=row["reuse__artifact__owner_team__slug"],
                    metric=row["metric__code"],
                    metric_name=row["metric__name"],
                    unit=row["metric__unit"],
                    direction=direction,
                    n=iv.n,
                    mean=iv.mean,
                    ci_low=iv.low,
                    ci_high=iv.high,
                    method=iv.method,
                )
            )
    return with_rights(entries)


# --- Value summaries ---------------------------------------------------------------------


@dataclass(frozen=True)
class Saving:
    metric: str
    unit: str
    n: int
    total: float | None
    total_low: float | None
    total_high: float | None
    per_idea: float | None
    per_idea_low: float | None
    per_idea_high: float | None
    method: str


@dataclass
class ValueRow:
    key: str
    label: str
    reuses: int = 0
    ideas: int = 0
    savings: dict = field(default_factory=dict)


def _saving(metric: Metric, row: dict, ideas: int) -> Saving:
    iv = _interval(row)
    total = stats.scale(iv, iv.n)  # estimated total over n reuses: n × mean, n × interval
    per = stats.scale(iv, iv.n / ideas) if ideas else stats.EMPTY
    return Saving(
        metric=metric.code,
        unit=metric.unit,
        n=iv.n,
        total=total.mean,
        total_low=total.low,
        total_high=total.high,
        per_idea=per.mean,
        per_idea_low=per.low,
        per_idea_high=per.high,
        method=iv.method,
    )


def value_summary(user, *, by: str) -> list[ValueRow]:
    """Per reusing team (`by="team"`) or artifact kind (`by="kind"`): reuses, ideas and savings.

    Savings are the recorded cost_saved / hours_saved outcomes: the total is n × mean with the
    interval scaled alike; "per idea" divides by the distinct artifacts reused. Three queries.
    """
    if by not in ("team", "kind"):
        raise ValueError("by must be 'team' or 'kind'")
    visible = visible_artifacts(user).values("pk")
    reuse_key = "team__slug" if by == "team" else "artifact__kind"
    outcome_key = "reuse__team__slug" if by == "team" else "reuse__artifact__kind"
    label_key = ("team__name",) if by == "team" else ()
    rows: dict[str, ValueRow] = {}
    for r in (
        Reuse.objects.filter(artifact__in=visible)
        .values(reuse_key, *label_key)
        .annotate(reuses=Count("id"), ideas=Count("artifact_id", distinct=True))
        .order_by(reuse_key)
    ):
        label = r["team__name"] if by == "team" else r[reuse_key].replace("_", " ").capitalize()
        rows[r[reuse_key]] = ValueRow(
            key=r[reuse_key], label=label, reuses=r["reuses"], ideas=r["ideas"], savings={}
        )
    metrics = {m.code: m for m in Metric.objects.filter(code__in=SAVINGS_METRICS)}
    outcomes = Outcome.objects.filter(reuse__artifact__in=visible, metric__code__in=SAVINGS_METRICS)
    for r in _outcome_aggregates(outcomes, outcome_key, "metric__code"):
        row = rows.get(r[outcome_key])
        if row is not None and r["metric__code"] in metrics:
            row.savings[r["metric__code"]] = _saving(metrics[r["metric__code"]], r, row.ideas)
    return list(rows.values())
