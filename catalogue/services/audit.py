"""The audit writer every service uses: one business event plus pghistory context, same transaction."""

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import pghistory
import pghistory.runtime
from django.db import models, transaction

from ..models import Artifact, AuditEvent
from ..origin import current_origin
from .queueing import send_task

logger = logging.getLogger(__name__)


# Set by a command acting for the system (seed_demo): services still check permissions as the
# persona passed in, but the audit trail names the command, never a person who did nothing.
_system_actor: ContextVar[str | None] = ContextVar("audit_system_actor", default=None)


@contextmanager
def audited_as_system(label: str) -> Iterator[None]:
    """Inside, every audit record has no actor and `label` as its actor label."""
    token = _system_actor.set(label)
    try:
        yield
    finally:
        _system_actor.reset(token)


def _recorded_actor(actor):
    return None if _system_actor.get() is not None else actor


def actor_label(user) -> str:
    return _system_actor.get() or getattr(user, "username", "") or "system"


@contextmanager
def audit_context(*, actor, reason: str = "") -> Iterator[None]:
    """Attach actor, reason and origin to every row-level history event written inside."""
    actor = _recorded_actor(actor)
    metadata = {
        "actor_id": getattr(actor, "pk", None),
        "actor": actor_label(actor),
        "reason": reason,
        "origin": current_origin(),
    }
    outer = getattr(pghistory.runtime._tracker, "value", None)
    if outer is None:
        with pghistory.context(**metadata):
            yield
        return
    if outer.metadata == metadata:
        yield
        return
    # A nested service with its own actor/reason: pghistory would merge it into the outer
    # context row, rewriting the outer rows' who/why. Give it a context row of its own instead.
    pghistory.runtime._tracker.value = pghistory.runtime.Context(id=uuid.uuid4(), metadata=metadata)
    try:
        yield
    finally:
        pghistory.runtime._tracker.value = outer


def audit_event(
    *,
    actor,
    action: str,
    obj: models.Model,
    reason: str = "",
    changes: dict | None = None,
    artifact: Artifact | None = None,
) -> AuditEvent:
    """Write one business event; must run inside the caller's transaction."""
    event = audit_event_build(
        actor=actor, action=action, obj=obj, reason=reason, changes=changes, artifact=artifact
    )
    event.save(force_insert=True)
    _queue_seal_once()
    return event


def audit_event_build(
    *,
    actor,
    action: str,
    obj: models.Model,
    reason: str = "",
    changes: dict | None = None,
    artifact: Artifact | None = None,
) -> AuditEvent:
    """The event `audit_event` writes, unsaved: build it inside the same audit context, then
    insert many at once with `audit_events_write` (bulk writers; same rows, fewer statements)."""
    if artifact is None and isinstance(obj, Artifact):
        artifact = obj
    actor = _recorded_actor(actor)
    return AuditEvent(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=actor_label(actor),
        action=action,
        object_type=str(obj._meta.model_name),
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        artifact=artifact,
        reason=reason,
        origin=current_origin(),
        changes=changes or {},
        context_id=getattr(getattr(pghistory.runtime._tracker, "value", None), "id", None),
    )


def audit_events_write(events: list[AuditEvent]) -> list[AuditEvent]:
    """Insert events from `audit_event_build` in order (ids follow the list); must run inside
    the caller's transaction."""
    if not events:
        return []
    created = AuditEvent.objects.bulk_create(events, batch_size=1000)
    _queue_seal_once()
    return created


def audit_access(*, actor, action: str, obj: models.Model, detail: str = "") -> AuditEvent:
    """Access log (Rule 7): record that `actor` viewed personal data or evidence of `obj`.

    Opens its own transaction when called outside one (a read-only view, a file download).
    """
    with transaction.atomic(), audit_context(actor=actor, reason=detail or action):
        return audit_event(actor=actor, action=action, obj=obj, reason=detail)


def _queue_seal_once() -> None:
    """One sealing task per transaction, however many events it writes (bulk imports write
    thousands). Django drops pending callbacks on rollback, so the check cannot go stale."""
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        func is _queue_seal for _, func, _ in connection.run_on_commit
    ):
        return
    transaction.on_commit(_queue_seal)


def _queue_seal() -> None:
    send_task("seal_audit_chain", recovery="the periodic sweep will seal it")


def diff(instance: models.Model, new_values: dict) -> dict:
    """{field: [old, new]} for the values that actually change (JSON-safe)."""
    changes = {}
    for field, new in new_values.items():
        old = getattr(instance, field)
        if old != new:
            changes[field] = [_jsonable(old), _jsonable(new)]
    return changes


def _jsonable(value):
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
