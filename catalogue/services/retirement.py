"""Deprecation, archive and restore (Rule 6): the end of an artifact's lifecycle.

Every status change is checked against `rules.TRANSITIONS`, the one table of the lifecycle;
the row is locked, the audit event carries the rationale as its reason, and watchers and
reusing teams are notified after commit. Each decision is also a `Retirement` record, kept for
good: a restore closes the open records and keeps their text in `lessons_history`, so search
and the lessons library still find what was learned (Rule 6).
"""

import datetime as dt
import logging

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone

from ..models import Artifact, Retirement, RetirementAction
from ..models.choices import ArtifactStatus as S
from ..querysets import visible_artifacts
from ..rules import Reason, RuleViolation, ensure_transition, refuse_transition
from .audit import audit_context, audit_event, diff
from .queueing import enqueue_on_commit

logger = logging.getLogger(__name__)

RETIRED = (S.DEPRECATED, S.ARCHIVED)


def _require_rationale(text: str, *, field: str = "rationale") -> str:
    text = (text or "").strip()
    if not text:
        code = (
            "retirement.reason_required" if field == "reason" else "retirement.rationale_required"
        )
        raise RuleViolation(
            f"A {field} is required.",
            [Reason(code, f"Say why: the {field} is the firm's memory of it.")],
        )
    return text


def _ensure_may_retire(user, artifact: Artifact) -> None:
    # Callers resolve the artifact through visible_artifacts first, so an invisible one is a 404 there.
    if not (
        user.has_perm("catalogue.view_artifact", artifact)
        and user.has_perm("catalogue.maintain_artifact", artifact)
    ):
        raise PermissionDenied(
            "Only the owner team's maintainers or an admin may retire this artifact."
        )


def _successor_chain_reaches(successor_id: int, artifact_id: int) -> bool:
    """True if following superseded_by from the successor leads back to the artifact (one query)."""
    with connection.cursor() as cur:
        cur.execute(
            """
            WITH RECURSIVE chain(id, depth) AS (
                SELECT superseded_by_id, 1 FROM catalogue_artifact WHERE id = %s
                UNION
                SELECT a.superseded_by_id, c.depth + 1
                FROM catalogue_artifact a JOIN chain c ON a.id = c.id
                WHERE c.id IS NOT NULL AND c.depth < 1000
            )
            SELECT EXISTS (SELECT 1 FROM chain WHERE id = %s)
            """,
            [successor_id, artifact_id],
        )
        return bool(cur.fetchone()[0])


def _check_successor(user, artifact: Artifact, successor: Artifact | None) -> None:
    if successor is None:
        return
    if successor.pk == artifact.pk:
        raise RuleViolation(
            "An artifact cannot succeed itself.",
            [Reason("retirement.successor_self", "Choose another artifact as the successor.")],
        )
    if not visible_artifacts(user).filter(pk=successor.pk).exists():
        raise RuleViolation(
            "The successor was not found.",
            [Reason("retirement.successor_not_found", "Choose an artifact you can see.")],
        )
    if successor.status == S.ARCHIVED:
        raise RuleViolation(
            "The successor is archived.",
            [
                Reason(
                    "retirement.successor_archived",
                    f"'{successor.slug}' is archived; choose a live artifact.",
                )
            ],
        )
    if _successor_chain_reaches(successor.pk, artifact.pk):
        raise RuleViolation(
            "The successor is itself superseded by this artifact.",
            [
                Reason(
                    "retirement.successor_loop",
                    f"'{successor.slug}' already leads back to '{artifact.slug}'.",
                )
            ],
        )


def _apply(*, actor, locked: Artifact, action: str, reason: str, values: dict) -> Artifact:
    changes = diff(locked, values)
    for field, value in values.items():
        setattr(locked, field, value)
    locked.save(update_fields=[*values, "updated_at"])
    event = audit_event(actor=actor, action=action, obj=locked, reason=reason, changes=changes)
    if action in ("artifact.deprecated", "artifact.archived"):
        artifact_id, event_id = locked.pk, event.pk
        enqueue_on_commit(
            "notify_artifact_retired",
            artifact_id,
            action,
            event_id,
            recovery="watchers were not told of this retirement",
        )
    return locked


def _record(*, locked: Artifact, action: str, actor, values: dict) -> Retirement:
    return Retirement.objects.create(
        artifact=locked,
        action=action,
        rationale=values["retirement_rationale"],
        lessons_learned=values["lessons_learned"],
        superseded_by=values.get("superseded_by"),
        sunset_on=values.get("sunset_on"),
        decided_by=actor if getattr(actor, "pk", None) else None,
        decided_at=values["retired_at"],
    )


def _close_records(*, locked: Artifact, actor, reason: str) -> list[Retirement]:
    """Close the open retirement records of `locked` (one made from the row if it has none)."""
    open_records = list(
        Retirement.objects.select_for_update().filter(artifact=locked, restored_at__isnull=True)
    )
    if not open_records and (locked.retirement_rationale or locked.lessons_learned):
        # Retired before records were kept, or by a path that wrote only the row.
        open_records = [
            Retirement.objects.create(
                artifact=locked,
                action=locked.status if locked.status in RETIRED else RetirementAction.ARCHIVED,
                rationale=locked.retirement_rationale or "No rationale was recorded.",
                lessons_learned=locked.lessons_learned,
                superseded_by=locked.superseded_by,
                sunset_on=locked.sunset_on,
                decided_by=locked.retired_by,
                decided_at=locked.retired_at or locked.updated_at,
            )
        ]
    now = timezone.now()
    for record in open_records:
        record.restored_at, record.restore_reason = now, reason
        record.restored_by = actor if getattr(actor, "pk", None) else None
        record.save(update_fields=["restored_at", "restored_by", "restore_reason"])
    return open_records


def history_text(records) -> str:
    """The searchable text of past retirements (`Artifact.lessons_history`)."""
    return "\n".join(f"{r.rationale} {r.lessons_learned}".strip() for r in records)


def _sync(target: Artifact, source: Artifact) -> Artifact:
    # Callers keep using the instance they passed in; make it reflect the committed row.
    if target is not source:
        target.refresh_from_db()
    return target


def artifact_deprecate(
    *,
    acting_user,
    artifact: Artifact,
    rationale: str,
    lessons_learned: str = "",
    superseded_by: Artifact | None = None,
    sunset_on: dt.date | None = None,
) -> Artifact:
    """published → deprecated with rationale, optional successor and sunset date.

    Owner team maintainers or admins; the row is locked; watchers and reusers are told on commit.
    """
    _ensure_may_retire(acting_user, artifact)
    rationale = _require_rationale(rationale)
    with transaction.atomic(), audit_context(actor=acting_user, reason=rationale):
        locked = Artifact.objects.select_for_update().get(pk=artifact.pk)
        ensure_transition(locked, S.DEPRECATED, action="deprecate")
        _check_successor(acting_user, locked, superseded_by)
        values = {
            "status": S.DEPRECATED,
            "retirement_rationale": rationale,
            "lessons_learned": (lessons_learned or "").strip(),
            "superseded_by": superseded_by,
            "sunset_on": sunset_on,
            "retired_at": timezone.now(),
            "retired_by": acting_user,
        }
        _record(locked=locked, action=RetirementAction.DEPRECATED, actor=acting_user, values=values)
        _apply(
            actor=acting_user,
            locked=locked,
            action="artifact.deprecated",
            reason=rationale,
            values=values,
        )
    return _sync(artifact, locked)


def artifact_archive(
    *, acting_user, artifact: Artifact, rationale: str, lessons_learned: str = ""
) -> Artifact:
    """published or deprecated → archived (read-only from then on); rationale required."""
    _ensure_may_retire(acting_user, artifact)
    rationale = _require_rationale(rationale)
    return _archive(
        actor=acting_user, artifact=artifact, rationale=rationale, lessons_learned=lessons_learned
    )


def _archive(
    *, actor, artifact: Artifact, rationale: str, lessons_learned: str = "", audit_reason: str = ""
) -> Artifact:
    audit_reason = audit_reason or rationale
    with transaction.atomic(), audit_context(actor=actor, reason=audit_reason):
        locked = Artifact.objects.select_for_update().get(pk=artifact.pk)
        ensure_transition(locked, S.ARCHIVED, action="archive")
        values = {
            "status": S.ARCHIVED,
            "retirement_rationale": rationale,
            "lessons_learned": (lessons_learned or "").strip() or locked.lessons_learned,
            "retired_at": timezone.now(),
            "retired_by": actor if getattr(actor, "pk", None) else None,
        }
        _record(
            locked=locked,
            action=RetirementAction.ARCHIVED,
            actor=actor,
            values={
                **values,
                "lessons_learned": (lessons_learned or "").strip(),
                "superseded_by": locked.superseded_by,
                "sunset_on": locked.sunset_on,
            },
        )
        _apply(
            actor=actor,
            locked=locked,
            action="artifact.archived",
            reason=audit_reason,
            values=values,
        )
    return _sync(artifact, locked)


def artifact_restore(*, acting_user, artifact: Artifact, reason: str) -> Artifact:
    """archived/deprecated → published (draft if it was never published); admins only."""
    if not acting_user.has_perm("catalogue.restore_artifact", artifact):
        raise PermissionDenied("Only an admin may restore an artifact.")
    reason = _require_rationale(reason, field="reason")
    with transaction.atomic(), audit_context(actor=acting_user, reason=reason):
        locked = Artifact.objects.select_for_update().get(pk=artifact.pk)
        if locked.status not in RETIRED:
            refuse_transition(locked, S.PUBLISHED)  # restore only brings back retired artifacts
        target = S.PUBLISHED if locked.published_at or locked.status == S.DEPRECATED else S.DRAFT
        ensure_transition(locked, target, action="restore")
        # The live row is no longer retired; its retirements stay as closed records, and their
        # text stays searchable (catalogue and lessons library) through lessons_history.
        closed = _close_records(locked=locked, actor=acting_user, reason=reason)
        past = "\n".join(t for t in (locked.lessons_history, history_text(closed)) if t)
        _apply(
            actor=acting_user,
            locked=locked,
            action="artifact.restored",
            reason=reason,
            values={
                "status": target,
                "retirement_rationale": "",
                "lessons_learned": "",
                "superseded_by": None,
                "sunset_on": None,
                "retired_at": None,
                "retired_by": None,
                "lessons_history": past,
            },
        )
    return _sync(artifact, locked)


def artifacts_sunset_sweep(*, today: dt.date | None = None) -> list[int]:
    """Archive deprecated artifacts whose sunset date has passed, as the system, with their rationale.

    Idempotent: archived ones no longer match; each row is re-checked under its lock.
    """
    today = today or timezone.localdate()
    archived = []
    due = Artifact.objects.filter(status=S.DEPRECATED, sunset_on__lt=today).values_list(
        "pk", flat=True
    )
    for pk in list(due):
        with transaction.atomic():
            locked = Artifact.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
            if (
                locked is None
                or locked.status != S.DEPRECATED
                or not locked.sunset_on
                or locked.sunset_on >= today
            ):
                continue
            rationale = locked.retirement_rationale or "Deprecated and past its sunset date."
            _archive(
                actor=None,
                artifact=locked,
                rationale=rationale,
                audit_reason=f"Sunset date {locked.sunset_on.isoformat()} passed: {rationale}",
            )
            archived.append(pk)
    return archived
