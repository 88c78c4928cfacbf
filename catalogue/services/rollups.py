"""Incremental reuse and outcome rollups, and their from-scratch recomputation.

Rollups are derived data (not audited): each reuse and each outcome is folded in exactly once,
recorded by a `RollupApplied` key in the same transaction, so a redelivered task is a no-op.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat

from .. import stats
from ..models import ArtifactMetricRollup, ArtifactRollup, Outcome, Reuse, RollupApplied


def _claim(key: str) -> bool:
    """Insert the idempotency key; False when this increment was already applied."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO catalogue_rollupapplied (key, applied_at) VALUES (%s, now()) "
            "ON CONFLICT (key) DO NOTHING",
            [key],
        )
        return cursor.rowcount == 1


def rollup_apply_reuse(reuse_id: int) -> bool:
    """Fold one reuse into its artifact's rollup (row-locked); False when gone or already applied."""
    with transaction.atomic():
        reuse = (
            Reuse.objects.filter(pk=reuse_id).only("artifact_id", "team_id", "occurred_on").first()
        )
        if reuse is None or not _claim(f"reuse:{reuse_id}"):
            return False
        ArtifactRollup.objects.bulk_create(
            [ArtifactRollup(artifact_id=reuse.artifact_id)], ignore_conflicts=True
        )
        rollup = ArtifactRollup.objects.select_for_update().get(artifact_id=reuse.artifact_id)
        # Under the artifact's row lock, "another applied reuse by this team" is stable.
        team_seen = (
            Reuse.objects.filter(artifact_id=reuse.artifact_id, team_id=reuse.team_id)
            .exclude(pk=reuse_id)
            .filter(Exists(RollupApplied.objects.filter(key=_key_of("reuse:"))))
            .exists()
        )
        rollup.reuse_count += 1
        rollup.team_count += 0 if team_seen else 1
        if rollup.last_reused_on is None or reuse.occurred_on > rollup.last_reused_on:
            rollup.last_reused_on = reuse.occurred_on
        rollup.save()
        return True


def rollup_apply_outcome(outcome_id: int) -> bool:
    """Fold one outcome into its artifact+metric rollup (row-locked) and refresh the interval."""
    with transaction.atomic():
        outcome = (
            Outcome.objects.filter(pk=outcome_id)
            .values("value", "metric_id", "reuse__artifact_id", "reuse__artifact__kind")
            .first()
        )
        if outcome is None or not _claim(f"outcome:{outcome_id}"):
            return False
        artifact_id, metric_id, value = (
            outcome["reuse__artifact_id"],
            outcome["metric_id"],
            outcome["value"],
        )
        ArtifactMetricRollup.objects.bulk_create(
            [
                ArtifactMetricRollup(
                    artifact_id=artifact_id,
                    metric_id=metric_id,
                    kind=outcome["reuse__artifact__kind"],
                )
            ],
            ignore_conflicts=True,
        )
        rollup = ArtifactMetricRollup.objects.select_for_update().get(
            artifact_id=artifact_id, metric_id=metric_id
        )
        rollup.n += 1
        rollup.total += value
        rollup.total_sq += value * value
        rollup.small_sample = [*rollup.small_sample, value] if rollup.n < stats.T_MIN_N else []
        values = rollup.small_sample if stats.needs_values(rollup.n) else None
        _set_interval(rollup, stats.summarise(rollup.n, rollup.total, rollup.total_sq, values))
        # Kind and direction are read after the row lock: a concurrent kind or direction change
        # has either committed by now or waits for this row and rewrites it after this commit.
        rollup.kind, direction = (
            ArtifactMetricRollup.objects.filter(pk=rollup.pk)
            .values_list("artifact__kind", "metric__direction")
            .get()
        )
        _set_rank(rollup, direction)
        rollup.save()
        return True


def _key_of(prefix: str):
    return Concat(Value(prefix), Cast(OuterRef("pk"), CharField()))


def _set_interval(rollup: ArtifactMetricRollup, interval: stats.Interval) -> None:
    rollup.mean, rollup.ci_low, rollup.ci_high, rollup.method = (
        interval.mean,
        interval.low,
        interval.high,
        interval.method,
    )


def _set_rank(rollup: ArtifactMetricRollup, direction: str) -> None:
    rollup.rank_score = stats.rank_score(direction, rollup.ci_low, rollup.ci_high)
    rollup.rank_mean = stats.oriented(direction, rollup.mean)


def rollups_set_kind(*, artifact_id: int, kind: str) -> int:
    """Copy an artifact's new kind onto its metric rollups; call inside the transaction that changed it."""
    return (
        ArtifactMetricRollup.objects.filter(artifact_id=artifact_id)
        .exclude(kind=kind)
        .update(kind=kind)
    )


def rollups_rescore(*, metric_id: int) -> int:
    """Recompute the stored rank of every rollup of a metric whose direction changed.

    Call inside the transaction that changed the direction; the rollups are row-locked before
    they are read, so an outcome folded in concurrently is scored on its new interval.
    """
    rows = list(
        ArtifactMetricRollup.objects.select_for_update(of=("self",))
        .filter(metric_id=metric_id)
        .order_by("pk")
        .values_list("pk", "metric__direction", "ci_low", "ci_high", "mean")
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 10_000):
            batch = rows[start : start + 10_000]
            cursor.execute(
                "UPDATE catalogue_artifactmetricrollup r SET rank_score = v.score, rank_mean = v.mean "
                "FROM unnest(%s::bigint[], %s::float8[], %s::float8[]) AS v(id, score, mean) WHERE r.id = v.id",
                [
                    [pk for pk, *_ in batch],
                    [
                        stats.rank_score(direction, low, high)
                        for _, direction, low, high, _ in batch
                    ],
                    [stats.oriented(direction, mean) for _, direction, _, _, mean in batch],
                ],
            )
    return len(rows)


# --- From-scratch recomputation ---------------------------------------------------------

_EXPECTED_ARTIFACT_SQL = """
SELECT coalesce(e.artifact_id, s.artifact_id), e.reuse_count, e.team_count, e.last_reused_on,
       s.reuse_count, s.team_count, s.last_reused_on
FROM (
    SELECT artifact_id, count(*) AS reuse_count, count(DISTINCT team_id) AS team_count,
           max(occurred_on) AS last_reused_on
    FROM catalogue_reuse GROUP BY artifact_id
) e
FULL OUTER JOIN catalogue_artifactrollup s ON s.artifact_id = e.artifact_id
WHERE e.artifact_id IS NULL OR s.artifact_id IS NULL
   OR e.reuse_count <> s.reuse_count OR e.team_count <> s.team_count
   OR e.last_reused_on IS DISTINCT FROM s.last_reused_on
ORDER BY 1
"""

# Every metric rollup is compared in Python (the interval needs SciPy); the raw values travel
# only for samples below n = 30, where the bootstrap may need them.
_EXPECTED_METRIC_SQL = """
SELECT coalesce(e.artifact_id, s.artifact_id), coalesce(e.metric_id, s.metric_id),
       e.n, e.total, e.total_sq, e.vals, a.kind, m.direction,
       s.n, s.total, s.total_sq, s.mean, s.ci_low, s.ci_high, s.method, s.kind, s.rank_score, s.rank_mean,
       s.small_sample
FROM (
    SELECT r.artifact_id, o.metric_id, count(*) AS n, sum(o.value) AS total,
           sum(o.value * o.value) AS total_sq,
           CASE WHEN count(*) < %s THEN array_agg(o.value) END AS vals
    FROM catalogue_outcome o JOIN catalogue_reuse r ON r.id = o.reuse_id
    GROUP BY r.artifact_id, o.metric_id
) e
FULL OUTER JOIN catalogue_artifactmetricrollup s
  ON s.artifact_id = e.artifact_id AND s.metric_id = e.metric_id
LEFT JOIN catalogue_artifact a ON a.id = e.artifact_id
LEFT JOIN catalogue_metric m ON m.id = e.metric_id
ORDER BY 1, 2
"""


@dataclass
class Difference:
    table: str
    artifact_id: int
    metric_id: int | None
    field: str
    stored: object
    expected: object

    def __str__(self) -> str:
        where = f"artifact {self.artifact_id}" + (
            f" metric {self.metric_id}" if self.metric_id else ""
        )
        return (
            f"{self.table} {where}: {self.field} stored {self.stored!r}, expected {self.expected!r}"
        )


def _artifact_diffs(progress) -> Iterator[tuple[Difference, dict | None]]:
    with connection.chunked_cursor() as cursor:
        cursor.execute(_EXPECTED_ARTIFACT_SQL)
        for row in progress(cursor):
            artifact_id, e_count, e_teams, e_last, s_count, s_teams, s_last = row
            expected = (
                None
                if e_count is None
                else {
                    "reuse_count": e_count,
                    "team_count": e_teams,
                    "last_reused_on": e_last,
                }
            )
            stored = {"reuse_count": s_count, "team_count": s_teams, "last_reused_on": s_last}
            for field in ("reuse_count", "team_count", "last_reused_on"):
                want = expected[field] if expected else None
                if stored[field] != want:
                    yield (
                        Difference(
                            "artifact_rollup", artifact_id, None, field, stored[field], want
                        ),
                        expected,
                    )


def _metric_diffs(progress) -> Iterator[tuple[Difference, dict | None]]:
    with connection.chunked_cursor() as cursor:
        cursor.execute(_EXPECTED_METRIC_SQL, [stats.T_MIN_N])
        for row in progress(cursor):
            artifact_id, metric_id, e_n, e_total, e_sq, e_vals, kind, direction = row[:8]
            (
                s_n,
                s_total,
                s_sq,
                s_mean,
                s_low,
                s_high,
                s_method,
                s_kind,
                s_score,
                s_rank_mean,
                s_sample,
            ) = row[8:]
            expected = None
            if e_n is not None:
                interval = stats.summarise(e_n, e_total, e_sq, e_vals)
                expected = {
                    "n": e_n,
                    "total": e_total,
                    "total_sq": e_sq,
                    "mean": interval.mean,
                    "ci_low": interval.low,
                    "ci_high": interval.high,
                    "method": interval.method,
                    "kind": kind,
                    "rank_score": stats.rank_score(direction, interval.low, interval.high),
                    "rank_mean": stats.oriented(direction, interval.mean),
                    "small_sample": list(e_vals) if e_vals is not None else [],
                }
            stored = {
                "n": s_n,
                "total": s_total,
                "total_sq": s_sq,
                "mean": s_mean,
                "ci_low": s_low,
                "ci_high": s_high,
                "method": s_method,
                "kind": s_kind,
                "rank_score": s_score,
                "rank_mean": s_rank_mean,
                "small_sample": s_sample,
            }
            for field, have in stored.items():
                want = expected[field] if expected else None
                if (
                    field == "small_sample"
                ):  # a multiset: the order values arrived in does not matter
                    same = sorted(have or []) == sorted(want or [])
                else:
                    same = (
                        have == want
                        if field in ("n", "method", "kind")
                        else stats.close(have, want, rel=1e-7)
                    )
                if not same:
                    yield (
                        Difference("metric_rollup", artifact_id, metric_id, field, have, want),
                        expected,
                    )


def rollups_recompute(*, fix: bool = False, progress=lambda rows: rows) -> list[Difference]:
    """Recompute every rollup from scratch (set-based) and return each difference; fix them if asked.

    With `fix`, the rollup tables are locked for the duration and every existing reuse and
    outcome is marked applied, so a task delivered later cannot count it twice.
    """
    differences: list[Difference] = []
    with transaction.atomic():
        if fix:
            with connection.cursor() as cursor:
                cursor.execute(
                    "LOCK TABLE catalogue_artifactrollup, catalogue_artifactmetricrollup, "
                    "catalogue_rollupapplied IN SHARE ROW EXCLUSIVE MODE"
                )
        artifact_fixes: dict[int, dict | None] = {}
        for diff, expected in _artifact_diffs(progress):
            differences.append(diff)
            artifact_fixes[diff.artifact_id] = expected
        metric_fixes: dict[tuple[int, int | None], dict | None] = {}
        for diff, expected in _metric_diffs(progress):
            differences.append(diff)
            metric_fixes[(diff.artifact_id, diff.metric_id)] = expected
        if fix:
            _apply_fixes(artifact_fixes, metric_fixes)
    return differences


def _apply_fixes(artifact_fixes: dict, metric_fixes: dict) -> None:
    gone = [a for a, e in artifact_fixes.items() if e is None]
    ArtifactRollup.objects.filter(artifact_id__in=gone).delete()
    ArtifactRollup.objects.bulk_create(
        [ArtifactRollup(artifact_id=a, **e) for a, e in artifact_fixes.items() if e is not None],
        update_conflicts=True,
        unique_fields=["artifact"],
        update_fields=["reuse_count", "team_count", "last_reused_on"],
    )
    for (artifact_id, metric_id), expected in metric_fixes.items():
        if expected is None:
            ArtifactMetricRollup.objects.filter(
                artifact_id=artifact_id, metric_id=metric_id
            ).delete()
    ArtifactMetricRollup.objects.bulk_create(
        [
            ArtifactMetricRollup(artifact_id=a, metric_id=m, **e)
            for (a, m), e in metric_fixes.items()
            if e is not None
        ],
        update_conflicts=True,
        unique_fields=["artifact", "metric"],
        update_fields=[
            "n",
            "total",
            "total_sq",
            "mean",
            "ci_low",
            "ci_high",
            "method",
            "kind",
            "rank_score",
            "rank_mean",
            "small_sample",
        ],
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO catalogue_rollupapplied (key, applied_at) "
            "SELECT 'reuse:' || id, now() FROM catalogue_reuse "
            "UNION ALL SELECT 'outcome:' || id, now() FROM catalogue_outcome "
            "ON CONFLICT (key) DO NOTHING"
        )
