"""Tamper evidence: audit rows sealed into a SHA-256 hash chain (AuditSeal), and its verification.

A row's hash is computed by PostgreSQL over the row's JSONB rendering (for pghistory event
tables together with the context row holding actor, reason and origin); each link's hash
covers the previous link. Editing or deleting a sealed row or its context, even as a
superuser with triggers disabled, breaks the chain at that row.
"""

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta

import pghistory.models
from django.apps import apps
from django.db import connection, transaction
from django.utils import timezone

from ..models import AuditEvent, AuditSeal

GENESIS = "0" * 64
SEAL_LOCK_KEY = 7_340_021  # pg_advisory_xact_lock key: one sealer at a time
BATCH = 5000
# Audit ids come from sequences, so a slow transaction can commit a lower id after a higher one
# was sealed. Each run rescans this window for such rows; `full=True` rescans everything.
SETTLE_WINDOW = timedelta(minutes=30)


@dataclass(frozen=True)
class Source:
    """One audit table and how PostgreSQL hashes its rows."""

    table: str
    pk: str
    has_context: bool

    @property
    def from_sql(self) -> str:
        sql = f'"{self.table}" t'
        if self.has_context:
            ctx = pghistory.models.Context._meta.db_table
            sql += f' LEFT JOIN "{ctx}" c ON c.id = t.pgh_context_id'
        return sql

    @property
    def join_sql(self) -> str:
        """`from_sql` usable as the right side of a LEFT JOIN."""
        return f"({self.from_sql})" if self.has_context else self.from_sql

    @property
    def hash_sql(self) -> str:
        document = "to_jsonb(t)"
        if self.has_context:
            document = "jsonb_build_object('row', to_jsonb(t), 'context', c.metadata)"
        return f"encode(sha256(convert_to(({document})::text, 'UTF8')), 'hex')"


def audit_sources() -> list[Source]:
    """Every audit table: business events, then each pghistory event table of the app."""
    sources = [Source(AuditEvent._meta.db_table, "id", has_context=False)]
    for model in apps.get_app_config("catalogue").get_models():
        if issubclass(model, pghistory.models.Event):
            sources.append(
                Source(model._meta.db_table, str(model._meta.pk.column), has_context=True)
            )
    return sources


def link_hash(previous: str, source: str, row_id: int, rhash: str) -> str:
    return hashlib.sha256(f"{previous}|{source}|{row_id}|{rhash}".encode()).hexdigest()


def _stable_rendering(cursor) -> None:
    # Row hashes depend on how timestamps and floats render; pin both for every session.
    cursor.execute("SET LOCAL TIME ZONE 'UTC'")
    cursor.execute("SET LOCAL extra_float_digits = 1")


def _window_start(cursor, source: Source, full: bool) -> int:
    if full:
        return 0
    cursor.execute(
        f"SELECT row_id FROM {AuditSeal._meta.db_table} WHERE source = %s AND sealed_at < %s "  # noqa: S608
        "ORDER BY row_id DESC LIMIT 1",
        [source.table, timezone.now() - SETTLE_WINDOW],
    )
    row = cursor.fetchone()
    return row[0] if row else 0


def seal_pending(*, full: bool = False, wait: bool = True) -> int:
    """Append a link for every committed, unsealed audit row; returns how many were sealed.

    Idempotent; concurrent sealers serialise on an advisory lock. With `wait=False` a sealer
    that finds another one running returns 0 at once (the running one or the next sweep seals).
    """
    seal_table = AuditSeal._meta.db_table
    sealed = 0
    with transaction.atomic(), connection.cursor() as cursor:
        if wait:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SEAL_LOCK_KEY])
        else:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [SEAL_LOCK_KEY])
            if not cursor.fetchone()[0]:
                return 0
        _stable_rendering(cursor)
        previous = (
            AuditSeal.objects.order_by("-seq").values_list("chain_hash", flat=True).first()
            or GENESIS
        )
        for source in audit_sources():
            after = _window_start(cursor, source, full)
            while True:
                # Three indexed range reads per batch: ids, their seals, hashes of the unsealed.
                cursor.execute(
                    f"SELECT {source.pk} FROM {source.table} WHERE {source.pk} > %s "  # noqa: S608 - names from models
                    f"ORDER BY {source.pk} LIMIT %s",
                    [after, BATCH],
                )
                ids = [row[0] for row in cursor.fetchall()]
                if not ids:
                    break
                after = ids[-1]
                cursor.execute(
                    f"SELECT row_id FROM {seal_table} WHERE source = %s AND row_id BETWEEN %s AND %s",  # noqa: S608
                    [source.table, ids[0], ids[-1]],
                )
                done = {row[0] for row in cursor.fetchall()}
                missing = [i for i in ids if i not in done]
                if not missing:
                    continue
                cursor.execute(
                    f"SELECT t.{source.pk}, {source.hash_sql} FROM {source.from_sql} "  # noqa: S608
                    f"WHERE t.{source.pk} = ANY(%s) ORDER BY t.{source.pk}",
                    [missing],
                )
                links = []
                for row_id, rhash in cursor.fetchall():
                    previous = link_hash(previous, source.table, row_id, rhash)
                    links.append(
                        AuditSeal(
                            source=source.table, row_id=row_id, row_hash=rhash, chain_hash=previous
                        )
                    )
                AuditSeal.objects.bulk_create(links)
                sealed += len(links)
    return sealed


@dataclass
class Problem:
    seq: int
    table: str
    row_id: int
    what: str

    def __str__(self) -> str:
        return f"{self.table} row {self.row_id} (seal #{self.seq}): {self.what}"


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    problem: Problem | None = None
    unsealed: int = 0


def _first_bad_row(cursor, source: Source) -> Problem | None:
    """The earliest seal of `source` whose row is gone or hashes differently: one query."""
    cursor.execute(
        f"SELECT s.seq, s.row_id, t.{source.pk} IS NULL FROM {AuditSeal._meta.db_table} s "  # noqa: S608
        f"LEFT JOIN {source.join_sql} ON t.{source.pk} = s.row_id "
        f"WHERE s.source = %s AND (t.{source.pk} IS NULL OR {source.hash_sql} <> s.row_hash) "
        "ORDER BY s.seq LIMIT 1",
        [source.table],
    )
    row = cursor.fetchone()
    if row is None:
        return None
    seq, row_id, missing = row
    what = (
        "deleted after sealing"
        if missing
        else "modified after sealing (row or its actor/reason/origin)"
    )
    return Problem(seq, source.table, row_id, what)


def _unsealed(cursor, source: Source) -> int:
    cursor.execute(
        f"SELECT count(*) FROM {source.from_sql} WHERE NOT EXISTS (SELECT 1 FROM "  # noqa: S608
        f"{AuditSeal._meta.db_table} s WHERE s.source = %s AND s.row_id = t.{source.pk})",
        [source.table],
    )
    return cursor.fetchone()[0]


def _links() -> Iterator[tuple[int, str, int, str, str]]:
    return (
        AuditSeal.objects.order_by("seq")
        .values_list("seq", "source", "row_id", "row_hash", "chain_hash")
        .iterator(chunk_size=BATCH)
    )


def verify_chain(
    *, progress: Callable[[int], None] | None = None, on_total: Callable[[int], None] | None = None
) -> VerifyResult:
    """Check every sealed row against its seal, then walk the links; report the earliest problem.

    Row checks run in PostgreSQL (one join per table); the link walk streams the seals once.
    """
    outermost = not connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        if outermost:  # one snapshot for the row checks and the walk
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        _stable_rendering(cursor)
        sources = audit_sources()
        bad_rows = [p for source in sources if (p := _first_bad_row(cursor, source))]
        first_bad = min(bad_rows, key=lambda p: p.seq) if bad_rows else None
        unsealed = sum(_unsealed(cursor, source) for source in sources)
        if on_total:
            on_total(AuditSeal.objects.count())
        previous = GENESIS
        checked = 0
        for seq, table, row_id, rhash, chain in _links():
            if first_bad is not None and seq >= first_bad.seq:
                return VerifyResult(False, checked, first_bad, unsealed)
            if chain != link_hash(previous, table, row_id, rhash):
                what = "chain broken: this seal, or one before it, was altered or removed"
                return VerifyResult(False, checked, Problem(seq, table, row_id, what), unsealed)
            previous = chain
            checked += 1
            if progress and checked % 1000 == 0:
                progress(1000)
        if progress:
            progress(checked % 1000)
        if first_bad is not None:  # a seal whose link row vanished from the walk
            return VerifyResult(False, checked, first_bad, unsealed)
        return VerifyResult(True, checked, None, unsealed)
