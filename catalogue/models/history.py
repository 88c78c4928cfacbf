"""Row-level history for every domain table (Rule 7), written by PostgreSQL triggers.

Triggers catch ORM saves, QuerySet.update(), bulk operations and raw SQL alike, in the same
transaction as the change; the event tables are append-only (UPDATE/DELETE refused by
pghistory's trigger, TRUNCATE by ours).
"""

import pghistory
import pghistory.models
import pgtrigger

NO_TRUNCATE = "no_truncate"


def no_truncate_trigger() -> pgtrigger.Trigger:
    """Statement-level trigger refusing TRUNCATE (row triggers never see it)."""
    return pgtrigger.Trigger(
        name=NO_TRUNCATE,
        when=pgtrigger.Before,
        operation=pgtrigger.Truncate,
        level=pgtrigger.Statement,
        func="RAISE EXCEPTION 'audit table % is append-only: TRUNCATE refused', TG_TABLE_NAME;",
    )


def tracked(*, exclude: tuple[str, ...] = ()):
    """Decorator for domain models: insert, update and delete snapshots, append-only.

    `exclude` keeps fields out of history for good: personal data, which an erasure request must
    be able to remove and which append-only history could never forget.
    """
    return pghistory.track(
        pghistory.InsertEvent(),
        pghistory.UpdateEvent(),
        pghistory.DeleteEvent(),
        append_only=True,
        exclude=list(exclude) or None,
        meta={"triggers": [no_truncate_trigger()]},
    )


class AuditContext(pghistory.models.Context):
    """pghistory's context table (who, why, from where) made append-only once committed.

    pghistory upserts a context row while its transaction runs, so UPDATE is refused only for
    rows created by an earlier transaction (created_at is that transaction's now()).
    """

    class Meta:
        proxy = True
        triggers = [
            pgtrigger.Protect(name="append_only_delete", operation=pgtrigger.Delete),
            pgtrigger.Protect(
                name="append_only_update",
                operation=pgtrigger.Update,
                condition=pgtrigger.Condition("OLD.created_at IS DISTINCT FROM now()"),
            ),
            no_truncate_trigger(),
        ]
