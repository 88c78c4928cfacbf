"""Lineage traversal in one recursive query each: no query per hop or per node."""

from collections.abc import Iterable

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
    this_col, next_col = ("parent_id", "child_id") if towards == "descendants" else ("child_id", "parent_id")
    with connection.cursor() as cursor:
        cursor.execute(_WALK.format(this_col=this_col, next_col=next_col), [ids, MAX_DEPTH])
        return dict(cursor.fetchall())


def descendant_depths(artifact_ids: Iterable[int]) -> dict[int, int]:
    """{descendant id: hops} for everything derived, directly or not, from these artifacts."""
    return _walk(artifact_ids, towards="descendants")


def ancestor_depths(artifact_ids: Iterable[int]) -> dict[int, int]:
    """{ancestor id: hops} for everything these artifacts derive from."""
    return _walk(artifact_ids, towards="ancestors")


def would_create_cycle(*, child_id: int, parent_id: int) -> bool:
    """Linking child -> parent closes a cycle when child is the parent or one of its ancestors."""
    return child_id == parent_id or child_id in ancestor_depths([parent_id])
