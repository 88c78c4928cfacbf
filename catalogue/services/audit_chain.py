"""Tamper evidence: audit rows sealed into a SHA-256 hash chain (AuditSeal), and its verification.

A row's hash covers every column (PostgreSQL's own JSON rendering of the row); each link's
hash covers the previous link. Editing, deleting or inserting a sealed row, even by a
superuser with triggers disabled, breaks the chain at that row.
"""

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass

import pghistory.models
from django.apps import apps
from django.db import connection, transaction

from ..models import AuditEvent, AuditSeal

GENESIS = "0" * 64
SEAL_LOCK_KEY = 7_340_021  # pg_advisory_xact_lock key: one sealer at a time
BATCH = 5000


def audit_sources() -> list[tuple[str, str]]:
    """(source name, primary key column) of every audit table: business events and row history."""
    sources = [(AuditEvent._meta.db_table, "id")]
    for model in apps.get_app_config("catalogue").get_models():
        if issubclass(model, pghistory.models.Event):
            sources.append((model._meta.db_table, model._meta.pk.column))
    return sources


def row_hash(row_json: str) -> str:
    canonical = json.dumps(json.loads(row_json), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def link_hash(previous: str, source: str, row_id: int, rhash: str) -> str:
    return hashlib.sha256(f"{previous}|{source}|{row_id}|{rhash}".encode()).hexdigest()


def _rows(table: str, pk: str, after: int, limit: int) -> list[tuple[int, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT t."{pk}", row_to_json(t)::text FROM "{table}" t '  # noqa: S608 - table names from models
            f'WHERE t."{pk}" > %s ORDER BY t."{pk}" LIMIT %s',
            [after, limit],
        )
        return cursor.fetchall()


def seal_pending() -> int:
    """Append a link for every unsealed audit row. Idempotent; concurrent sealers serialise."""
    sealed = 0
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SEAL_LOCK_KEY])
        last = AuditSeal.objects.order_by("-seq").values_list("chain_hash", flat=True).first()
        previous = last or GENESIS
        for table, pk in audit_sources():
            after = (
                AuditSeal.objects.filter(source=table).order_by("-row_id").values_list("row_id", flat=True).first()
                or 0
            )
            while True:
                rows = _rows(table, pk, after, BATCH)
                if not rows:
                    break
                links = []
                for row_id, row_json in rows:
                    rh = row_hash(row_json)
                    previous = link_hash(previous, table, row_id, rh)
                    links.append(AuditSeal(source=table, row_id=row_id, row_hash=rh, chain_hash=previous))
                AuditSeal.objects.bulk_create(links)
                sealed += len(links)
                after = rows[-1][0]
    return sealed


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    problem: str = ""


def _seals() -> Iterator[AuditSeal]:
    return AuditSeal.objects.order_by("seq").iterator(chunk_size=BATCH)


def verify_chain() -> VerifyResult:
    """Walk the chain from the start; report the first link or row that does not match."""
    previous = GENESIS
    checked = 0
    pks = dict(audit_sources())
    pending: dict[str, list[AuditSeal]] = {}

    def check_batch(table: str, seals: list[AuditSeal]) -> str:
        ids = [s.row_id for s in seals]
        with connection.cursor() as cursor:
            cursor.execute(
                f'SELECT t."{pks[table]}", row_to_json(t)::text FROM "{table}" t '  # noqa: S608
                f'WHERE t."{pks[table]}" = ANY(%s)',
                [ids],
            )
            current = dict(cursor.fetchall())
        for seal in seals:
            if seal.row_id not in current:
                return f"{table} row {seal.row_id} (seal #{seal.seq}) was deleted"
            if row_hash(current[seal.row_id]) != seal.row_hash:
                return f"{table} row {seal.row_id} (seal #{seal.seq}) was modified after sealing"
        return ""

    batch: list[AuditSeal] = []
    for seal in _seals():
        expected = link_hash(previous, seal.source, seal.row_id, seal.row_hash)
        if seal.chain_hash != expected:
            return VerifyResult(False, checked, f"seal #{seal.seq} ({seal.source} row {seal.row_id}) breaks the chain")
        previous = seal.chain_hash
        batch.append(seal)
        if len(batch) >= BATCH:
            problem = _check_grouped(batch, check_batch, pending)
            if problem:
                return VerifyResult(False, checked, problem)
            checked += len(batch)
            batch = []
    problem = _check_grouped(batch, check_batch, pending)
    if problem:
        return VerifyResult(False, checked, problem)
    checked += len(batch)
    return VerifyResult(True, checked)


def _check_grouped(batch, check_batch, _pending) -> str:
    by_table: dict[str, list[AuditSeal]] = {}
    for seal in batch:
        by_table.setdefault(seal.source, []).append(seal)
    problems = [p for table, seals in by_table.items() if (p := check_batch(table, seals))]
    if not problems:
        return ""
    # Report the earliest broken seal in chain order.
    return min(problems, key=lambda p: int(p.split("seal #")[1].split(")")[0]))
