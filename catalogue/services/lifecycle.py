"""The start of the lifecycle: draft -> in_review -> published.

Deprecation, archiving and restoring live in `services/retirement.py`.
"""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from ..models import Artifact, Version
from ..models.choices import ArtifactStatus
from ..rules import (
    PublishContext,
    RuleViolation,
    ensure_not_archived,
    ensure_transition,
    failing_publish_gates,
)
from .audit import audit_context, audit_event

# Other sub-domains hook into submission (e.g. consent opens the required reviews). Each hook
# runs inside the submit transaction as hook(artifact, version, acting_user).
SubmitHook = Callable[[Artifact, Version | None, object], None]
SUBMIT_HOOKS: list[SubmitHook] = []

def _locked(artifact: Artifact) -> Artifact:
    return Artifact.objects.select_for_update(of=("self",)).select_related("owner_team", "current_version").get(pk=artifact.pk)


def artifact_submit(*, acting_user, artifact: Artifact, reason: str = "") -> Artifact:
    """draft -> in_review (owner team's contributors or admins); runs SUBMIT_HOOKS in the transaction."""
    with transaction.atomic(), audit_context(actor=acting_user, reason=reason or "submitted for review"):
        locked = _locked(artifact)
        if not acting_user.has_perm("catalogue.change_artifact", locked):
            raise PermissionDenied("Only the owner team may submit this artifact.")
        ensure_not_archived(locked)
        ensure_transition(locked, ArtifactStatus.IN_REVIEW, action="submit")
        version = locked.current_version
        for hook in SUBMIT_HOOKS:
            hook(locked, version, acting_user)
        locked.status = ArtifactStatus.IN_REVIEW
        locked.save(update_fields=["status", "updated_at"])
        audit_event(
            actor=acting_user, action="artifact.submitted", obj=locked, reason=reason,
            changes={"status": [ArtifactStatus.DRAFT, ArtifactStatus.IN_REVIEW],
                     "version": [None, getattr(version, "version", None)]},
        )
    return locked


def artifact_publish(*, acting_user, artifact: Artifact, version: Version | None = None, reason: str = "") -> Artifact:
    """draft/in_review -> published (owner team's maintainers or admins) when every gate passes.

    All failing gates are raised together in one RuleViolation. The version becomes immutable.
    """
    with transaction.atomic(), audit_context(actor=acting_user, reason=reason or "published"):
        locked = _locked(artifact)
        if not acting_user.has_perm("catalogue.maintain_artifact", locked):
            raise PermissionDenied("Only maintainers of the owner team may publish this artifact.")
        ensure_not_archived(locked)
        ensure_transition(locked, ArtifactStatus.PUBLISHED, action="publish")
        version = version or locked.current_version
        if version is not None and version.artifact_id != locked.pk:
            raise ValidationError({"version": ["That version belongs to another artifact."]})
        if version is not None:
            version = Version.objects.select_for_update().get(pk=version.pk)
        authorships = list(locked.authorships.select_related("contributor"))
        failing = failing_publish_gates(PublishContext(artifact=locked, version=version, authorships=authorships, extra={}))
        if failing:
            raise RuleViolation("This artifact cannot be published yet.", failing)
        now = timezone.now()
        if version is not None and version.published_at is None:
            version.published_at = now
            version.save(update_fields=["published_at"])
        previous = locked.status
        locked.status = ArtifactStatus.PUBLISHED
        locked.published_at = now
        locked.save(update_fields=["status", "published_at", "updated_at"])
        audit_event(
            actor=acting_user, action="artifact.published", obj=locked, reason=reason,
            changes={"status": [previous, ArtifactStatus.PUBLISHED],
                     "version": [None, getattr(version, "version", None)]},
        )
    return locked
