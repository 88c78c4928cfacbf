"""Reuse registration (Rule 4): the rights check runs in the same transaction as the insert."""

from __future__ import annotations

import logging
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from ..models import Artifact, Reuse, Version
from ..models.choices import ReuseMode
from ..permissions import can_act_for_team
from ..rules import Reason, RuleViolation, reuse_actions
from ..selectors.versions import latest_published_version
from .audit import audit_context, audit_event
from .notifications import watch
from .queueing import ROLLUP_RECOVERY, enqueue_on_commit
from .rights import rights_check, validate_codes

logger = logging.getLogger(__name__)


def reuse_record(
    *,
    acting_user,
    artifact: Artifact,
    team,
    initiative: str,
    purpose: str,
    channel: str,
    mode: str = ReuseMode.AS_IS,
    occurred_on: date,
    version: Version | None = None,
) -> Reuse:
    """Record that `team` reuses a published version of `artifact` (team contributors or admins).

    Locks the artifact row, then runs the rights check now for every action the mode means
    (`rules.reuse_actions`: as_is is `use`, adapted is `modify`) on the given version or, by
    default, the newest published one. Saves nothing when any of it refuses (RuleViolation with
    every reason). The stored snapshot is the decision relied on.
    """
    errors = validate_codes(action="use", purpose=purpose, channel=channel)
    if mode not in ReuseMode.values:
        errors["mode"] = f"'{mode}' is not one of {', '.join(ReuseMode.values)}."
    if not (initiative or "").strip():
        errors["initiative"] = "Name the initiative that reuses it."
    if version is not None and version.artifact_id != artifact.pk:
        errors["version"] = "This version belongs to another artifact."
    if errors:
        raise ValidationError(errors)
    if not can_act_for_team(acting_user, team):
        raise PermissionDenied("Only the team's contributors or an admin may record its reuses.")
    with transaction.atomic(), audit_context(actor=acting_user, reason=f"Reuse by {team.slug}"):
        # The lock orders this against policy_set, lifecycle changes and version publishing.
        artifact = Artifact.objects.select_for_update().get(pk=artifact.pk)
        if version is not None:
            version = Version.objects.get(pk=version.pk)
        else:
            version = latest_published_version(artifact)
        reasons = _version_problems(artifact, version)
        decisions = [
            rights_check(
                artifact=artifact,
                team=team,
                action=action,
                purpose=purpose,
                channel=channel,
                acting_user=acting_user,
            )
            for action in reuse_actions(mode)
        ]
        reasons += [r for d in decisions if not d.permitted for r in d.reasons]
        if reasons or version is None:
            raise RuleViolation("Reuse refused", reasons)
        snapshot = decisions[0].as_dict()
        if len(decisions) > 1:
            snapshot["also_checked"] = [d.as_dict() for d in decisions[1:]]
        reuse = Reuse.objects.create(
            artifact=artifact,
            version=version,
            team=team,
            initiative=initiative.strip(),
            purpose=purpose,
            channel=channel,
            mode=mode,
            occurred_on=occurred_on,
            rights_decision=snapshot,
            recorded_by=acting_user,
        )
        audit_event(
            actor=acting_user,
            action="reuse.recorded",
            obj=reuse,
            artifact=artifact,
            changes={
                "team": team.slug,
                "purpose": purpose,
                "channel": channel,
                "mode": mode,
                "version": version.version,
                "decision": decisions[0].decision,
            },
        )
        watch(user=acting_user, artifact=artifact, automatic=True)
        enqueue_on_commit("rollup_reuse", reuse.pk, recovery=ROLLUP_RECOVERY)
    return reuse


def _version_problems(artifact: Artifact, version: Version | None) -> list[Reason]:
    """Rule 1: only a published version may be reused."""
    if version is None:
        return [
            Reason(
                "reuse.no_published_version",
                f"'{artifact.slug}' has no published version to reuse.",
            )
        ]
    if version.published_at is None:
        return [
            Reason(
                "reuse.version_unpublished",
                f"Version {version.version} of '{artifact.slug}' is not published; only published versions may be reused.",
            )
        ]
    return []


def reuses_end(*, acting_user, reuse_ids, reason: str, ended_on: date | None = None) -> list[int]:
    """End live reuses (set `ended_on`), each audited as `reuse.ended`; rows locked, ended ones skipped.

    Allowed to the reusing team's contributors, the artifact's maintainers, legal and admins.
    Returns the ids it ended.
    """
    from django.utils import timezone

    from .audit import audit_event_build, audit_events_write

    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the reuse ends."})
    ended_on = ended_on or timezone.localdate()
    with transaction.atomic(), audit_context(actor=acting_user, reason=reason):
        rows = list(
            Reuse.objects.select_for_update(of=("self",))
            .select_related("artifact", "team")
            .filter(pk__in=list(reuse_ids), ended_on__isnull=True)
            .order_by("pk")
        )
        for reuse in rows:
            if not (
                can_act_for_team(acting_user, reuse.team)
                or acting_user.has_perm("catalogue.maintain_artifact", reuse.artifact)
                or acting_user.has_perm("catalogue.manage_consent")
            ):
                raise PermissionDenied(
                    "Only the reusing team, the artifact's maintainers and legal end a reuse."
                )
        if not rows:
            return []
        Reuse.objects.filter(pk__in=[r.pk for r in rows]).update(ended_on=ended_on)
        audit_events_write(
            [
                audit_event_build(
                    actor=acting_user,
                    action="reuse.ended",
                    obj=reuse,
                    artifact=reuse.artifact,
                    reason=reason,
                    changes={"ended_on": [None, ended_on.isoformat()]},
                )
                for reuse in rows
            ]
        )
    return [r.pk for r in rows]
