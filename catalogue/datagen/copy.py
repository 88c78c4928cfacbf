"""COPY helpers for the generator: text-format lines, batched, history triggers switched off.

pghistory's insert triggers would write one event row per generated row (doubling the
volume) with no business meaning; `history_ignored` switches them off for the current
transaction only, through pgtrigger's own per-transaction setting. Every other trigger (the
search vector, append-only and immutability guards) still fires.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import pgtrigger
from django.db import connection

from ..models import history as _history  # noqa: F401 - the tracked models are registered

BATCH = 50_000
NULL = r"\N"


def history_trigger_uris() -> list[str]:
    """URIs of pghistory's row-snapshot triggers (insert, update, delete) on every model."""
    return [
        f"{model._meta.label}:{trigger.name}"
        for model, trigger in pgtrigger.registered()
        if trigger.name in {"insert_insert", "update_update", "delete_delete"}
    ]


@contextmanager
def history_ignored() -> Iterator[None]:
    """Inside a transaction: row-history triggers skip, for this transaction only.

    pgtrigger injects `set_config('pgtrigger.ignore', ..., true)` before each statement run
    through Django; psycopg's COPY bypasses that wrapper, so one statement is run first.
    """
    with pgtrigger.ignore(*history_trigger_uris()):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        yield


def constraints_immediate() -> None:
    """Check foreign keys row by row from here to the end of the transaction.

    Django's foreign keys are DEFERRABLE INITIALLY DEFERRED: left so, every COPY'd row queues
    a check for commit time, and a multi-million-row load holds that queue in memory.
    """
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def text(value: str) -> str:
    """A COPY text-format field (escapes backslash, tab, newline, carriage return)."""
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


def array(values: Iterable[str]) -> str:
    """A PostgreSQL text[] literal for simple words (no quotes, commas or braces inside)."""
    return "{" + ",".join(values) + "}"


def copy_lines(
    table: str, columns: tuple[str, ...], lines: Iterable[str], *, progress=None, batch: int = BATCH
) -> int:
    """COPY tab-separated `lines` (each ending in a newline) into `table`; returns the row count."""
    sql = f"COPY {table} ({', '.join(f'"{c}"' for c in columns)}) FROM STDIN"  # noqa: S608 - table and columns are constants
    count = 0
    buffer: list[str] = []
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for line in lines:
            buffer.append(line)
            if len(buffer) >= batch:
                copy.write("".join(buffer))
                count += len(buffer)
                if progress:
                    progress(len(buffer))
                buffer.clear()
        if buffer:
            copy.write("".join(buffer))
            count += len(buffer)
            if progress:
                progress(len(buffer))
    return count


def next_id(table: str) -> int:
    """The first id after the table's current maximum (ids are assigned by the generator)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")  # noqa: S608 - constant table
        return cursor.fetchone()[0]


def sync_sequence(table: str) -> None:
    """Move the id sequence past the ids the generator assigned."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT coalesce(max(id), 1) FROM {table}))"  # noqa: S608
        )
