"""Row-level history for every domain table (Rule 7), written by PostgreSQL triggers.

Triggers catch ORM saves, QuerySet.update(), bulk operations and raw SQL alike, in the same
transaction as the change; the event tables are append-only (UPDATE/DELETE refused).
"""

import pghistory


def tracked():
    """Decorator for domain models: insert, update and delete snapshots, append-only."""
    return pghistory.track(
        pghistory.InsertEvent(),
        pghistory.UpdateEvent(),
        pghistory.DeleteEvent(),
        append_only=True,
    )
