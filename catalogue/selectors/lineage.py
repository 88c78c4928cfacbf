"""Lineage traversal in one recursive query each: no query per hop or per node."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection

_WALK = """
WITH RECURSIVE walk(id, depth) AS (
    SELECT unnest(%s::bigint[]), 0
  UNION
    SELECT l.{next_col}, w.depth + 1
    FROM catalogue_lineage l JOIN walk w ON l.{this_col} = w.id
    WHERE w.depth < %s
)
SELECT id, min(depth) FROM walk WHERE depth > 0 GROUP BY id
"""

MAX_DEPTH = 10_000  # lineage is acyclic; the cap only guards against a corrupted graph


def _walk(start_ids: Iterable[int], *, towards: str) -> dict[int, int]:
    ids = list(start_ids)
    if not ids:
        return {}
    this_col, next_col = (
        ("parent_id", "child_id") if towards == "descendants" else ("child_id", "parent_id")
    )
    with connection.cursor() as cursor:
        cursor.execute(_WALK.format(this_col=this_col, next_col=next_col), [ids, MAX_DEPTH])
        return dict(cursor.fetchall())


def descendant_depths(artifact_ids: Iterable[int]) -> dict[int, int]:
    """{descendant id: hops} for everything derived, directly or not, from these artifacts."""
    return _walk(artifact_ids, towards="descendants")


def ancestor_depths(artifact_ids: Iterable[int]) -> dict[int, int]:
    """{ancestor id: hops} for everything these artifacts derive from."""
    return _walk(artifact_ids, towards="ancestors")


_BOTH_WAYS = """
WITH RECURSIVE up(id, depth) AS (
    SELECT %s::bigint, 0
  UNION
    SELECT l.parent_id, w.depth + 1 FROM catalogue_lineage l JOIN up w ON l.child_id = w.id WHERE w.depth < %s
), down(id, depth) AS (
    SELECT %s::bigint, 0
  UNION
    SELECT l.child_id, w.depth + 1 FROM catalogue_lineage l JOIN down w ON l.parent_id = w.id WHERE w.depth < %s
)
SELECT true, id, min(depth) FROM up WHERE depth > 0 GROUP BY id
UNION ALL
SELECT false, id, min(depth) FROM down WHERE depth > 0 GROUP BY id
"""


def relative_depths(artifact_id: int) -> tuple[dict[int, int], dict[int, int]]:
    """({ancestor id: hops}, {descendant id: hops}) of one artifact, both walks in one query."""
    up: dict[int, int] = {}
    down: dict[int, int] = {}
    with connection.cursor() as cursor:
        cursor.execute(_BOTH_WAYS, [artifact_id, MAX_DEPTH, artifact_id, MAX_DEPTH])
        for is_up, pk, depth in cursor.fetchall():
            (up if is_up else down)[pk] = depth
    return up, down


# The page's walk: both directions, plus every ended consent (not `given`, or past its expiry)
# covering a customer-derived ancestor, so the consent panel needs no walk of its own.
_PAGE_WALK = """
WITH RECURSIVE up(id, depth) AS (
    SELECT %s::bigint, 0
  UNION
    SELECT l.parent_id, w.depth + 1 FROM catalogue_lineage l JOIN up w ON l.child_id = w.id WHERE w.depth < %s
), down(id, depth) AS (
    SELECT %s::bigint, 0
  UNION
    SELECT l.child_id, w.depth + 1 FROM catalogue_lineage l JOIN down w ON l.parent_id = w.id WHERE w.depth < %s
)
SELECT 'up', id, min(depth), NULL::bigint, NULL::text, NULL::timestamptz, NULL::timestamptz
FROM up WHERE depth > 0 GROUP BY id
UNION ALL
SELECT 'down', id, min(depth), NULL, NULL, NULL, NULL FROM down WHERE depth > 0 GROUP BY id
UNION ALL
SELECT 'ended', cc.artifact_id, NULL, c.id, c.status, c.status_changed_at, c.expires_at
FROM catalogue_consentcoverage cc
JOIN catalogue_consentrecord c ON c.id = cc.consent_id
JOIN catalogue_artifact a ON a.id = cc.artifact_id
WHERE a.customer_derived AND cc.artifact_id IN (SELECT id FROM up WHERE depth > 0)
  AND (c.status <> 'given' OR c.expires_at <= now())
"""


@dataclass(frozen=True)
class PageRelatives:
    up: dict[int, int]
    down: dict[int, int]
    # (ancestor id, consent id, status, status_changed_at, expires_at) of ended consents
    ended_ancestor_consents: list[tuple]


def relatives_of(artifact) -> PageRelatives:
    """Ancestors and descendants of an artifact row with the ended consents of its
    customer-derived ancestors, in one query per row object (the page's graph and consent
    panel share it)."""
    cached = getattr(artifact, "_page_relatives", None)
    if cached is None:
        up: dict[int, int] = {}
        down: dict[int, int] = {}
        ended: list[tuple] = []
        with connection.cursor() as cursor:
            cursor.execute(_PAGE_WALK, [artifact.pk, MAX_DEPTH, artifact.pk, MAX_DEPTH])
            for part, pk, depth, consent_id, status, changed, expires in cursor.fetchall():
                if part == "ended":
                    ended.append((pk, consent_id, status, changed, expires))
                else:
                    (up if part == "up" else down)[pk] = depth
        cached = PageRelatives(up=up, down=down, ended_ancestor_consents=ended)
        artifact._page_relatives = cached
    return cached


def would_create_cycle(*, child_id: int, parent_id: int) -> bool:
    """Linking child -> parent closes a cycle when child is the parent or one of its ancestors."""
    return child_id == parent_id or child_id in ancestor_depths([parent_id])
