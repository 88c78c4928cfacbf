"""Legal's correction of published facts (Rule 3): customer_derived and lineage links.

The owner team cannot loosen these facts (`facts.ensure_facts_kept`); legal and admins can,
with a reason, audited in the same transaction. A correction that would stop a withdrawn (or
otherwise ended) consent from denying an artifact is refused unless `lift_withdrawals` says the
corrector means it; then the lifted pairs are in the audit event and legal and the owners of
every artifact concerned are notified in the same transaction.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from ..facts import ended_consent_reach
from ..models import Artifact, Lineage, Membership
from ..models.choices import Role
from ..rules import Reason, RuleViolation, ensure_not_archived
from .artifacts import lineage_changes, lock_lineage
from .audit import audit_context, audit_event
from .notifications import notify

LIFTED_SHOWN = 20


def artifact_correct_facts(
    *,
    acting_user,
    artifact: Artifact,
    reason: str,
    customer_derived: bool | None = None,
    remove_parents: list[Artifact] | tuple = (),
    lift_withdrawals: bool = False,
) -> Artifact:
    """Set customer_derived and/or remove lineage links of any artifact (legal and admins only).

    Takes the lineage lock and the artifact row lock; returns early when nothing changes.
    """
    if not acting_user.has_perm("catalogue.manage_consent"):
        raise PermissionDenied("Only legal and admins correct published facts.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Give the reason for the correction."]})
    parent_ids = {p.pk for p in remove_parents}
    with transaction.atomic(), audit_context(actor=acting_user, reason=reason):
        lock_lineage()
        locked = (
            Artifact.objects.select_for_update(of=("self",))
            .select_related("owner_team")
            .get(pk=artifact.pk)
        )
        ensure_not_archived(locked)
        links = list(locked.parent_links.select_related("parent"))
        unknown = sorted(
            p.slug for p in remove_parents if p.pk not in {link.parent_id for link in links}
        )
        if unknown:
            raise ValidationError(
                {"remove_parents": [f"'{locked.slug}' is not linked to {', '.join(unknown)}."]}
            )
        changes: dict = {}
        if customer_derived is not None and bool(customer_derived) != locked.customer_derived:
            changes["customer_derived"] = [locked.customer_derived, bool(customer_derived)]
        removed = [link for link in links if link.parent_id in parent_ids]
        if removed:
            changes["parents"] = [
                lineage_changes(links),
                lineage_changes([k for k in links if k not in removed]),
            ]
        if not changes:
            return locked
        before = ended_consent_reach(locked)
        if "customer_derived" in changes:
            locked.customer_derived = bool(customer_derived)
            locked.save(update_fields=["customer_derived", "updated_at"])
        Lineage.objects.filter(pk__in=[link.pk for link in removed]).delete()
        lifted = sorted(before - ended_consent_reach(locked))
        if lifted and not lift_withdrawals:
            # Roll back: the caller is told what would be lifted and must confirm it.
            raise RuleViolation(
                "This correction would lift a consent withdrawal.",
                [Reason("facts.lifts_withdrawal", _lifted_message(lifted))],
            )
        slugs = dict(
            Artifact.objects.filter(pk__in={a for a, _ in lifted}).values_list("pk", "slug")
        )
        changes["lifted_withdrawals"] = [{"artifact": slugs[a], "consent": c} for a, c in lifted]
        audit_event(
            actor=acting_user,
            action="artifact.facts_corrected",
            obj=locked,
            reason=reason,
            changes=changes,
        )
        if lifted:
            _notify_lifted(locked, lifted, slugs, reason)
    return locked


def _lifted_message(lifted: list[tuple[int, int]]) -> str:
    consents = sorted({c for _, c in lifted})
    return (
        f"Consent(s) {', '.join(map(str, consents))} would stop denying {len({a for a, _ in lifted})} "
        "artifact(s). Confirm with lift_withdrawals if that is intended."
    )


def _notify_lifted(
    artifact: Artifact, lifted: list[tuple[int, int]], slugs: dict, reason: str
) -> None:
    """One inbox row per person: legal, and the owner teams of the artifacts no longer denied."""
    owner_teams = set(Artifact.objects.filter(pk__in=slugs).values_list("owner_team_id", flat=True))
    users = [
        m.user for m in Membership.objects.filter(team_id__in=owner_teams).select_related("user")
    ]
    users += list(get_user_model().objects.filter(groups__name=Role.LEGAL, is_active=True))
    names = sorted(slugs.values())
    shown = ", ".join(names[:LIFTED_SHOWN]) + (
        f" and {len(names) - LIFTED_SHOWN} more" if len(names) > LIFTED_SHOWN else ""
    )
    consents = ", ".join(str(c) for c in sorted({c for _, c in lifted}))
    notify(
        users=users,
        kind="facts.corrected",
        subject=f"Legal corrected '{artifact.slug}': a consent withdrawal no longer applies",
        body=(f"Consent(s) {consents} no longer deny {shown}. Reason given: {reason}"),
        artifact=artifact,
        url=f"/artifacts/{artifact.slug}/",
    )
