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
    Reason,
    RuleViolation,
    ensure_not_archived,
    ensure_transition,
    failing_publish_gates,
)
from ..selectors.versions import latest_published_version
from .audit import audit_context, audit_event

# Other sub-domains hook into submission (e.g. consent opens the required reviews). Each hook
# runs inside the submit transaction as hook(artifact, version, acting_user).
SubmitHook = Callable[[Artifact, Version | None, object], None]
SUBMIT_HOOKS: list[SubmitHook] = []
# The same for a version added to an artifact (run by `version_create`, inside its transaction).
VersionHook = Callable[[Artifact, Version, object], None]
VERSION_HOOKS: list[VersionHook] = []


def _locked(artifact: Artifact) -> Artifact:
    return (
        Artifact.objects.select_for_update(of=("self",))
        .select_related("owner_team", "current_version")
        .get(pk=artifact.pk)
    )


def artifact_submit(*, acting_user, artifact: Artifact, reason: str = "") -> Artifact:
    """draft -> in_review (owner team's contributors or admins); runs SUBMIT_HOOKS in the transaction."""
    with (
        transaction.atomic(),
        audit_context(actor=acting_user, reason=reason or "submitted for review"),
    ):
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
            actor=acting_user,
            action="artifact.submitted",
            obj=locked,
            reason=reason,
            changes={
                "status": [ArtifactStatus.DRAFT, ArtifactStatus.IN_REVIEW],
                "version": [None, getattr(version, "version", None)],
            },
        )
    return locked


def artifact_publish(
    *, acting_user, artifact: Artifact, version: Version | None = None, reason: str = ""
) -> Artifact:
    """Publish with a version (draft/in_review -> published), or publish a later version of a
    published artifact (owner team's maintainers or admins), when every gate passes.

    `version` defaults to the current version on first publish, and to the newest unpublished
    version after. All failing gates are raised together in one RuleViolation. The version
    becomes immutable, and `current_version` is the newest published version (what reuses get).
    """
    with transaction.atomic(), audit_context(actor=acting_user, reason=reason or "published"):
        locked = _locked(artifact)
        if not acting_user.has_perm("catalogue.maintain_artifact", locked):
            raise PermissionDenied("Only maintainers of the owner team may publish this artifact.")
        ensure_not_archived(locked)
        later = locked.status == ArtifactStatus.PUBLISHED
        if not later:
            ensure_transition(locked, ArtifactStatus.PUBLISHED, action="publish")
        if version is not None and version.artifact_id != locked.pk:
            raise ValidationError({"version": ["That version belongs to another artifact."]})
        if version is None:
            version = _newest_unpublished(locked) if later else locked.current_version
        if version is not None:
            version = Version.objects.select_for_update().get(pk=version.pk)
            if later and version.published_at is not None:
                raise RuleViolation(
                    "This version is already published.",
                    [
                        Reason(
                            "version.already_published",
                            f"Version {version.version} of '{locked.slug}' is already published; add a new version.",
                        )
                    ],
                )
        authorships = list(locked.authorships.select_related("contributor"))
        failing = failing_publish_gates(
            PublishContext(artifact=locked, version=version, authorships=authorships, extra={})
        )
        if failing or version is None:
            raise RuleViolation(
                "This artifact cannot be published yet."
                if not later
                else "This version cannot be published yet.",
                failing,
            )
        now = timezone.now()
        if version.published_at is None:
            version.published_at = now
            version.save(update_fields=["published_at"])
        before = getattr(locked.current_version, "version", None)
        locked.current_version = latest_published_version(locked)
        after = getattr(locked.current_version, "version", None)
        if later:
            locked.save(update_fields=["current_version", "updated_at"])
            audit_event(
                actor=acting_user,
                action="version.published",
                obj=version,
                artifact=locked,
                reason=reason,
                changes={"published": [False, True], "current_version": [before, after]},
            )
            return locked
        previous = locked.status
        locked.status = ArtifactStatus.PUBLISHED
        locked.published_at = now
        locked.save(update_fields=["status", "published_at", "current_version", "updated_at"])
        audit_event(
            actor=acting_user,
            action="artifact.published",
            obj=locked,
            reason=reason,
            changes={
                "status": [previous, ArtifactStatus.PUBLISHED],
                "version": [None, version.version],
                **({"current_version": [before, after]} if before != after else {}),
            },
        )
    return locked


def _newest_unpublished(artifact: Artifact) -> Version | None:
    return (
        artifact.versions.filter(published_at__isnull=True).order_by("-created_at", "-id").first()
    )


def run_version_hooks(artifact: Artifact, version: Version, acting_user) -> None:
    """Called by `version_create` inside its transaction (e.g. legal opens the version's review)."""
    for hook in VERSION_HOOKS:
        hook(artifact, version, acting_user)
