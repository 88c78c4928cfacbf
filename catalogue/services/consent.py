"""Consent records: create, change, evidence, withdrawal and expiry (Rule 5), remediation.

Ending a consent (withdrawal, revocation, expiry) writes the impact report in the same
transaction as the status change, so the very next rights check denies; notifying owners and
reusing teams happens in the background after commit.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from ..models import Artifact, ConsentCoverage, ConsentRecord, Contributor, Reuse, WithdrawalImpact
from ..models.choices import ConsentMethod, ConsentStatus, Purpose, Remediation
from ..rules import Reason, RuleViolation
from ..selectors.legal import (
    EXPIRY_WARNING_DAYS,
    descendants_with_roots,
    live_reuse_counts,
)
from .audit import audit_context, audit_event, diff
from .common import ensure_editable
from .queueing import enqueue_on_commit
from .reuse import reuses_end

EDITABLE = (
    "purposes",
    "jurisdiction",
    "notice_version",
    "method",
    "obtained_at",
    "expires_at",
    "compensation",
    "external_ref",
)


@dataclass
class ConsentImpact:
    """What ending a consent affects: artifact ids (covered and descendants) and live reuses."""

    artifacts: list[int] = field(default_factory=list)
    reuses: int = 0


def _ensure_manager(user) -> None:
    if not user.has_perm("catalogue.manage_consent"):
        raise PermissionDenied("Only legal and admins manage consent records.")


def _validate(values: dict) -> None:
    errors = {}
    purposes = values.get("purposes")
    if purposes is not None:
        unknown = sorted(set(purposes) - set(Purpose.values))
        if not purposes:
            errors["purposes"] = ["Name at least one purpose."]
        elif unknown:
            errors["purposes"] = [f"Unknown purposes: {', '.join(unknown)}."]
    if "method" in values and values["method"] not in ConsentMethod.values:
        errors["method"] = [f"Unknown collection method '{values['method']}'."]
    obtained, expires = values.get("obtained_at"), values.get("expires_at")
    if obtained and expires and expires <= obtained:
        errors["expires_at"] = ["The expiry must come after the consent was obtained."]
    if errors:
        raise ValidationError(errors)


def consent_create(
    *,
    acting_user,
    contributor: Contributor,
    artifacts: list[Artifact],
    purposes: list[str],
    jurisdiction: str,
    notice_version: str,
    method: str,
    obtained_at: dt.datetime,
    expires_at: dt.datetime | None = None,
    compensation: str = "",
    external_ref: str = "",
    reason: str = "",
) -> ConsentRecord:
    """Record a consent given by a contributor, covering the listed artifacts."""
    _ensure_manager(acting_user)
    values = {
        "purposes": sorted(set(purposes)),
        "jurisdiction": jurisdiction.upper(),
        "notice_version": notice_version,
        "method": method,
        "obtained_at": obtained_at,
        "expires_at": expires_at,
        "compensation": compensation,
        "external_ref": external_ref,
    }
    _validate(values)
    reason = reason.strip() or "consent recorded"
    with transaction.atomic(), audit_context(actor=acting_user, reason=reason):
        consent = ConsentRecord.objects.create(
            contributor=contributor, created_by=acting_user, **values
        )
        ConsentCoverage.objects.bulk_create(
            [
                ConsentCoverage(consent=consent, artifact=a)
                for a in {a.pk: a for a in artifacts}.values()
            ]
        )
        audit_event(
            actor=acting_user,
            action="consent.recorded",
            obj=consent,
            reason=reason,
            changes={
                "purposes": [None, values["purposes"]],
                "artifacts": [None, sorted(a.slug for a in artifacts)],
            },
        )
    return consent


def consent_update(
    *,
    acting_user,
    consent: ConsentRecord,
    artifacts: list[Artifact] | None = None,
    reason: str = "",
    **values,
) -> ConsentRecord:
    """Change a consent still in force (row locked); a consent that ended is final."""
    _ensure_manager(acting_user)
    ensure_editable(values, EDITABLE)
    with transaction.atomic(), audit_context(actor=acting_user, reason=reason or "consent changed"):
        locked = ConsentRecord.objects.select_for_update().get(pk=consent.pk)
        if locked.status != ConsentStatus.GIVEN:
            raise RuleViolation(
                "This consent has ended and can no longer be changed.",
                [Reason("consent.final", f"Consent {locked.pk} is {locked.status}.")],
            )
        if "purposes" in values:
            values["purposes"] = sorted(set(values["purposes"]))
        if "jurisdiction" in values:
            values["jurisdiction"] = values["jurisdiction"].upper()
        _validate({"obtained_at": locked.obtained_at, "expires_at": locked.expires_at, **values})
        changes = diff(locked, values)
        if artifacts is not None:
            current = set(locked.coverage.values_list("artifact_id", flat=True))
            wanted = {a.pk: a for a in artifacts}
            if set(wanted) != current:
                ConsentCoverage.objects.filter(consent=locked).exclude(
                    artifact_id__in=list(wanted)
                ).delete()
                ConsentCoverage.objects.bulk_create(
                    [
                        ConsentCoverage(consent=locked, artifact_id=pk)
                        for pk in set(wanted) - current
                    ]
                )
                changes["artifacts"] = [sorted(current), sorted(wanted)]
        if not changes:
            return locked
        for name, value in values.items():
            setattr(locked, name, value)
        if "expires_at" in values:
            locked.expiry_warned_at = None  # a new expiry date earns a new warning
        locked.save()
        audit_event(
            actor=acting_user, action="consent.changed", obj=locked, reason=reason, changes=changes
        )
    return locked


def consent_attach_evidence(
    *, acting_user, consent: ConsentRecord, uploaded_file, declared_type: str
) -> ConsentRecord:
    """Store the consent evidence after content-checking the upload (server-generated name)."""
    from .uploads import read_checked_upload

    _ensure_manager(acting_user)
    upload = read_checked_upload(uploaded_file, declared_type)
    with transaction.atomic(), audit_context(actor=acting_user, reason="consent evidence attached"):
        locked = ConsentRecord.objects.select_for_update().get(pk=consent.pk)
        upload.save_to(locked.evidence)
        locked.evidence_content_type = upload.content_type
        locked.save(update_fields=["evidence", "evidence_content_type", "updated_at"])
        audit_event(
            actor=acting_user,
            action="consent.evidence_attached",
            obj=locked,
            changes={
                "evidence": [None, upload.sha256],
                "evidence_content_type": [None, upload.content_type],
            },
        )
    return locked


# --- ending a consent (Rule 5) ------------------------------------------------------------


def consent_withdraw(*, acting_user, consent: ConsentRecord, reason: str) -> ConsentImpact:
    """Withdraw a consent (row locked): immediate effect, impact rows, owners notified on commit."""
    return consent_end(
        acting_user=acting_user, consent=consent, status=ConsentStatus.WITHDRAWN, reason=reason
    )


ENDINGS = (ConsentStatus.WITHDRAWN, ConsentStatus.REVOKED, ConsentStatus.INVALIDATED)


def consent_end(*, acting_user, consent: ConsentRecord, status: str, reason: str) -> ConsentImpact:
    """End a consent as withdrawn (by the person), revoked (by the bank) or invalidated (found
    defective): the same immediate effect and impact report as a withdrawal (Rule 5)."""
    _ensure_manager(acting_user)
    if status not in ENDINGS:
        raise ValidationError({"status": [f"Choose one of {', '.join(ENDINGS)}."]})
    if not (reason or "").strip():
        raise ValidationError({"reason": ["Give the reason."]})
    return _end(consent=consent, status=status, reason=reason, actor=acting_user)


def consent_expire(
    *, consent: ConsentRecord, acting_user=None, now: dt.datetime | None = None
) -> ConsentImpact:
    """Mark a consent past its expiry as expired with the same effect as a withdrawal."""
    return _end(
        consent=consent,
        status=ConsentStatus.EXPIRED,
        reason="consent expired",
        actor=acting_user,
        now=now,
    )


def _end(*, consent, status, reason, actor, now=None) -> ConsentImpact:
    now = now or timezone.now()
    with transaction.atomic(), audit_context(actor=actor, reason=reason):
        locked = ConsentRecord.objects.select_for_update().get(pk=consent.pk)
        if locked.status == status:
            return _existing_impact(locked)  # redelivery / double click: nothing changes
        if locked.status != ConsentStatus.GIVEN:
            raise RuleViolation(
                "This consent has already ended.",
                [Reason("consent.final", f"Consent {locked.pk} is {locked.status}.")],
            )
        if status == ConsentStatus.EXPIRED and (
            locked.expires_at is None or locked.expires_at > now
        ):
            return ConsentImpact()
        old = locked.status
        affected = _affected(locked)
        # reuse_record locks the artifact before its rights check: locking the affected rows here
        # (in id order) means a concurrent reuse either commits first and is counted as live, or
        # waits and then sees this consent ended and is refused.
        list(
            Artifact.objects.select_for_update()
            .filter(pk__in=list(affected))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        locked.status, locked.status_changed_at, locked.status_reason = status, now, reason
        locked.save(update_fields=["status", "status_changed_at", "status_reason", "updated_at"])
        impact = _write_impact(locked, affected)
        audit_event(
            actor=actor,
            action=f"consent.{status}",
            obj=locked,
            reason=reason,
            changes={
                "status": [old, status],
                "impact_artifacts": [None, impact.artifacts],
                "live_reuses": [None, impact.reuses],
            },
        )
        consent_id = locked.pk
        enqueue_on_commit(
            "notify_consent_impact",
            consent_id,
            recovery="the impact rows exist; the daily sweep re-sends idempotently",
        )
        consent.status, consent.status_changed_at = locked.status, locked.status_changed_at
    return impact


def _affected(consent: ConsentRecord) -> dict[int, int | None]:
    """{artifact id: covered ancestor it is affected through (None when covered directly)}."""
    rows = list(consent.coverage.values_list("artifact_id", "artifact__customer_derived"))
    # Lineage carries consent only from customer-derived material (as the rights check does).
    descendants = descendants_with_roots([aid for aid, customer in rows if customer])
    via: dict[int, int | None] = dict.fromkeys(aid for aid, _ in rows)
    for aid, (root, _depth) in descendants.items():
        via.setdefault(aid, root)
    return via


def _write_impact(consent: ConsentRecord, via: dict[int, int | None]) -> ConsentImpact:
    reuses = live_reuse_counts(via)
    WithdrawalImpact.objects.bulk_create(
        [
            WithdrawalImpact(
                consent=consent, artifact_id=aid, via_id=root, live_reuses=reuses.get(aid, 0)
            )
            for aid, root in via.items()
        ],
        ignore_conflicts=True,
    )
    return ConsentImpact(artifacts=sorted(via), reuses=sum(reuses.values()))


def _existing_impact(consent: ConsentRecord) -> ConsentImpact:
    rows = list(
        WithdrawalImpact.objects.filter(consent=consent).values_list("artifact_id", "live_reuses")
    )
    return ConsentImpact(artifacts=sorted(a for a, _ in rows), reuses=sum(n for _, n in rows))


def impact_notify(*, consent_id: int) -> int:
    """Notify owner teams and reusing teams of each affected artifact; dedupe keys make it idempotent."""
    from ..models import Membership
    from .notifications import notify

    impacts = list(
        WithdrawalImpact.objects.filter(consent_id=consent_id).select_related(
            "artifact", "consent", "via"
        )
    )
    if not impacts:
        return 0
    consent = impacts[0].consent
    artifact_ids = [i.artifact_id for i in impacts]
    reusing: dict[int, set[int]] = {}
    for aid, team_id in (
        Reuse.objects.filter(artifact_id__in=artifact_ids, ended_on__isnull=True)
        .values_list("artifact_id", "team_id")
        .distinct()
    ):
        reusing.setdefault(aid, set()).add(team_id)
    team_ids = {i.artifact.owner_team_id for i in impacts} | {
        t for ts in reusing.values() for t in ts
    }
    members: dict[int, list] = {}
    for m in Membership.objects.filter(team_id__in=team_ids).select_related("user"):
        members.setdefault(m.team_id, []).append(m.user)
    sent = 0
    for impact in impacts:
        art = impact.artifact
        users = list(members.get(art.owner_team_id, []))
        for team_id in reusing.get(art.pk, ()):
            users.extend(members.get(team_id, []))
        via = f" (through '{impact.via.slug}')" if impact.via is not None else ""
        created = notify(
            users=users,
            kind=f"consent.{consent.status}",
            subject=f"Consent {consent.status}: '{art.title}' is affected",
            body=(
                f"A customer consent covering '{art.slug}'{via} is now {consent.status}. "
                f"Uses relying on it are denied from now on; {impact.live_reuses} live reuse(s) "
                "need a remediation decision."
            ),
            artifact=art,
            url=f"/consent-impacts/{impact.pk}/",
            dedupe_key=f"consent:{consent.pk}:{consent.status}:artifact:{art.pk}",
        )
        sent += len(created)
    return sent


# Remediations that take the artifact out of the initiatives reusing it.
ENDS_REUSES = (Remediation.REMOVE, Remediation.REPLACE)


def impact_resolve(
    *, acting_user, impact: WithdrawalImpact, remediation: str, note: str
) -> WithdrawalImpact:
    """An owner (maintainer), legal or admin records what was done about an affected artifact.

    `remove` and `replace` end the artifact's live reuses (`reuses_end`, audited) in the same
    transaction; the ids are on the returned row as `ended_reuse_ids`.
    """
    artifact = impact.artifact
    if not (
        acting_user.has_perm("catalogue.maintain_artifact", artifact)
        or acting_user.has_perm("catalogue.manage_consent")
    ):
        raise PermissionDenied("Only the owner team's maintainers, legal and admins remediate.")
    if remediation not in Remediation.values or remediation == Remediation.OPEN:
        raise ValidationError({"remediation": ["Choose no_action, retrain, remove or replace."]})
    if not (note or "").strip():
        raise ValidationError({"note": ["Explain the remediation."]})
    with transaction.atomic(), audit_context(actor=acting_user, reason="withdrawal remediation"):
        locked = WithdrawalImpact.objects.select_for_update().get(pk=impact.pk)
        locked.ended_reuse_ids = []
        if locked.remediation == remediation and locked.note == note:
            return locked
        changes = diff(locked, {"remediation": remediation, "note": note})
        locked.remediation, locked.note = remediation, note
        locked.resolved_by, locked.resolved_at = acting_user, timezone.now()
        locked.save(update_fields=["remediation", "note", "resolved_by", "resolved_at"])
        if remediation in ENDS_REUSES:
            # A remediation ends what it says it ends: the artifact's live reuses stop here.
            live = Reuse.objects.filter(
                artifact_id=locked.artifact_id, ended_on__isnull=True
            ).values_list("pk", flat=True)
            locked.ended_reuse_ids = reuses_end(
                acting_user=acting_user,
                reuse_ids=list(live),
                reason=f"withdrawal remediation '{remediation}' (consent {locked.consent_id}): {note}",
            )
            changes["ended_reuses"] = locked.ended_reuse_ids
        audit_event(
            actor=acting_user,
            action="consent.impact_remediated",
            obj=locked,
            artifact=artifact,
            changes=changes,
        )
    return locked


# --- daily sweep --------------------------------------------------------------------------


def consent_expiry_sweep(*, now: dt.datetime | None = None) -> dict:
    """Expire consents past their date and warn owners 30 days ahead; safe to run repeatedly."""
    from ..models import Membership
    from .notifications import notify

    now = now or timezone.now()
    expired = 0
    for consent in ConsentRecord.objects.filter(
        status=ConsentStatus.GIVEN, expires_at__lte=now
    ).order_by("id"):
        consent_expire(consent=consent, now=now)
        expired += 1
    warned = 0
    horizon = now + dt.timedelta(days=EXPIRY_WARNING_DAYS)
    due = ConsentRecord.objects.filter(
        status=ConsentStatus.GIVEN,
        expires_at__gt=now,
        expires_at__lte=horizon,
        expiry_warned_at__isnull=True,
    ).values_list("pk", flat=True)
    for consent_id in list(due):
        with transaction.atomic(), audit_context(actor=None, reason="consent expiry warning"):
            found = (
                ConsentRecord.objects.select_for_update(skip_locked=True)
                .filter(pk=consent_id, expiry_warned_at__isnull=True)
                .first()
            )
            if found is None:
                continue
            consent = found
            artifacts = list(Artifact.objects.filter(consent_coverage__consent=consent))
            teams = {a.owner_team_id for a in artifacts}
            members: dict[int, list] = {}
            for m in Membership.objects.filter(team_id__in=teams).select_related("user"):
                members.setdefault(m.team_id, []).append(m.user)
            for art in artifacts:
                notify(
                    users=members.get(art.owner_team_id, []),
                    kind="consent.expiring",
                    subject=f"A consent covering '{art.title}' expires on {consent.expires_at:%Y-%m-%d}",
                    body="Renew the consent or plan remediation before it expires.",
                    artifact=art,
                    url="",
                    dedupe_key=f"consent:{consent.pk}:expiring:artifact:{art.pk}",
                )
            consent.expiry_warned_at = now
            consent.save(update_fields=["expiry_warned_at"])
            audit_event(actor=None, action="consent.expiry_warned", obj=consent)
            warned += 1
    return {"expired": expired, "warned": warned}
