"""Reuse policies: every change is a new ODRL revision, audited, with its grants rebuilt."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max

from .. import odrl
from ..checks.policy import refresh_grants
from ..models import Artifact, ReusePolicy
from ..rules import ensure_not_archived
from .audit import audit_context, audit_event


class InvalidPolicy(ValidationError):
    """A malformed policy; `issues` keeps each problem's path for API error bodies."""

    def __init__(self, issues: list[odrl.PolicyIssue]):
        self.issues = list(issues)
        super().__init__({"odrl": [f"{i.path or 'policy'}: {i.message}" for i in self.issues]})


def validate_policy(artifact: Artifact, document) -> odrl.Policy:
    """Parse and check an ODRL document for this artifact; raises InvalidPolicy."""
    if not isinstance(document, dict):
        raise InvalidPolicy([odrl.PolicyIssue("", "The policy must be a JSON-LD object.")])
    try:
        policy = odrl.parse_policy(document)
    except odrl.PolicyError as exc:
        raise InvalidPolicy(exc.errors) from None
    if policy.target is not None and policy.target.uid != artifact.iri:
        raise InvalidPolicy(
            [
                odrl.PolicyIssue(
                    "target",
                    f"The policy targets '{policy.target.uid}', not this artifact ({artifact.iri}).",
                )
            ]
        )
    return policy


def policy_set(*, acting_user, artifact: Artifact, odrl: dict, reason: str = "") -> ReusePolicy:  # noqa: A002
    """Store `odrl` as the artifact's new current policy revision (maintainers, admins).

    Locks the artifact row, so it serialises with `reuse_record`; a reuse sees the policy
    either before or after the change, never a mix. Same document again: no new revision.
    """
    document = odrl
    with transaction.atomic(), audit_context(actor=acting_user, reason=reason):
        artifact = (
            Artifact.objects.select_for_update(of=("self",))
            .select_related("current_policy")
            .get(pk=artifact.pk)
        )
        if not acting_user.has_perm("catalogue.maintain_artifact", artifact):
            raise PermissionDenied(
                "Only the owner team's maintainers or an admin may set the policy."
            )
        ensure_not_archived(artifact)
        parsed = validate_policy(artifact, document)
        current = artifact.current_policy
        if current is not None and current.odrl == document:
            return current
        last = artifact.policies.aggregate(m=Max("revision"))["m"] or 0
        policy = ReusePolicy.objects.create(
            artifact=artifact,
            revision=last + 1,
            odrl=document,
            summary=" ".join(_describe(parsed)),
            created_by=acting_user,
        )
        artifact.current_policy = policy
        artifact.save(update_fields=["current_policy", "updated_at"])
        refresh_grants(artifact, policy)
        audit_event(
            actor=acting_user,
            action="policy.changed",
            obj=policy,
            artifact=artifact,
            reason=reason,
            changes={
                "revision": [current.revision if current else None, policy.revision],
                "summary": [current.summary if current else "", policy.summary],
            },
        )
    return policy


def _describe(parsed: odrl.Policy) -> list[str]:
    try:
        return odrl.describe(parsed)
    except Exception:  # noqa: BLE001 - a summary must never block storing a valid policy
        return []
