"""IP assignments: the chain of title of an artifact (legal and admins only)."""

import datetime as dt
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from ..legal_rules import normalise_jurisdiction
from ..models import Artifact, Contributor, IPAssignment
from ..models.choices import Channel, IPKind, IPStatus, Purpose
from ..rules import Reason, RuleViolation
from .audit import audit_context, audit_event, diff
from .common import ensure_editable

EDITABLE = (
    "assignee",
    "kind",
    "signed_on",
    "scope",
    "scope_purposes",
    "scope_channels",
    "jurisdiction",
    "status",
)
_CODE = re.compile(r"^[A-Z]{2}$")


def _ensure_manager(user) -> None:
    if not user.has_perm("catalogue.manage_consent"):
        raise PermissionDenied("Only legal and admins manage IP assignments.")


def _validate(values: dict) -> None:
    errors = {}
    if "kind" in values and values["kind"] not in IPKind.values:
        errors["kind"] = [f"Unknown kind '{values['kind']}'."]
    if "status" in values and values["status"] not in IPStatus.values:
        errors["status"] = [f"Unknown status '{values['status']}'."]
    for name, allowed in (("scope_purposes", Purpose.values), ("scope_channels", Channel.values)):
        unknown = [v for v in values.get(name) or [] if v not in allowed]
        if unknown:
            errors[name] = [
                f"Unknown code(s) {', '.join(map(str, unknown))}; use {', '.join(allowed)}."
            ]
    bad = [c for c in (values.get("jurisdiction") or "").split(",") if c and not _CODE.match(c)]
    if bad:
        errors["jurisdiction"] = [
            f"Not ISO 3166 alpha-2 codes (or WW for worldwide): {', '.join(bad)}."
        ]
    if values.get("status") == IPStatus.SIGNED and not values.get("signed_on"):
        errors["signed_on"] = ["A signed assignment needs its signing date."]
    if errors:
        raise ValidationError(errors)


def _codes(values) -> list[str]:
    return sorted({str(v).strip() for v in values or [] if str(v).strip()})


def ip_assignment_create(
    *,
    acting_user,
    artifact: Artifact,
    assignor: Contributor,
    kind: str,
    assignee: str = "The Bank",
    signed_on: dt.date | None = None,
    status: str = IPStatus.DRAFT,
    scope: str = "",
    scope_purposes: list[str] | None = None,
    scope_channels: list[str] | None = None,
    jurisdiction: str = "",
    reason: str = "",
) -> IPAssignment:
    """Record an assignment or licence from a contributor for one artifact.

    `scope_purposes` / `scope_channels` limit what the licence covers (empty: everything);
    `jurisdiction` is comma-separated ISO 3166 codes (blank or WW: worldwide).
    """
    _ensure_manager(acting_user)
    values = {
        "kind": kind,
        "assignee": assignee or "The Bank",
        "signed_on": signed_on,
        "status": status,
        "scope": scope,
        "scope_purposes": _codes(scope_purposes),
        "scope_channels": _codes(scope_channels),
        "jurisdiction": normalise_jurisdiction(jurisdiction),
    }
    _validate(values)
    reason = reason.strip() or "IP assignment recorded"
    with transaction.atomic(), audit_context(actor=acting_user, reason=reason):
        assignment = IPAssignment.objects.create(artifact=artifact, assignor=assignor, **values)
        audit_event(
            actor=acting_user,
            action="ip_assignment.recorded",
            obj=assignment,
            reason=reason,
            artifact=artifact,
            changes={k: [None, str(v) if v is not None else None] for k, v in values.items()},
        )
    return assignment


def ip_assignment_update(
    *, acting_user, assignment: IPAssignment, reason: str = "", **values
) -> IPAssignment:
    """Change an assignment (row locked); a revoked one is final."""
    _ensure_manager(acting_user)
    ensure_editable(values, EDITABLE)
    with (
        transaction.atomic(),
        audit_context(actor=acting_user, reason=reason or "IP assignment changed"),
    ):
        locked = (
            IPAssignment.objects.select_for_update()
            .select_related("artifact")
            .get(pk=assignment.pk)
        )
        if locked.status == IPStatus.REVOKED:
            raise RuleViolation(
                "A revoked assignment cannot be changed; record a new one.",
                [Reason("ip.revoked", f"Assignment {locked.pk} is revoked.")],
            )
        if "jurisdiction" in values:
            values["jurisdiction"] = normalise_jurisdiction(values["jurisdiction"] or "")
        for name in ("scope_purposes", "scope_channels"):
            if name in values:
                values[name] = _codes(values[name])
        merged = {"signed_on": locked.signed_on, "status": locked.status, **values}
        _validate(merged)
        changes = diff(locked, values)
        if not changes:
            return locked
        for name, value in values.items():
            setattr(locked, name, value)
        locked.save()
        audit_event(
            actor=acting_user,
            action="ip_assignment.changed",
            obj=locked,
            artifact=locked.artifact,
            reason=reason,
            changes=changes,
        )
    return locked


def ip_assignment_attach_document(
    *, acting_user, assignment: IPAssignment, uploaded_file, declared_type: str
) -> IPAssignment:
    """Store the signed document after content-checking the upload (server-generated name)."""
    from .uploads import read_checked_upload

    _ensure_manager(acting_user)
    upload = read_checked_upload(uploaded_file, declared_type)
    with transaction.atomic(), audit_context(actor=acting_user, reason="IP document attached"):
        locked = (
            IPAssignment.objects.select_for_update()
            .select_related("artifact")
            .get(pk=assignment.pk)
        )
        upload.save_to(locked.document)
        locked.save(update_fields=["document", "updated_at"])
        audit_event(
            actor=acting_user,
            action="ip_assignment.document_attached",
            obj=locked,
            artifact=locked.artifact,
            changes={
                "document": [None, upload.sha256],
                "content_type": [None, upload.content_type],
            },
        )
    return locked
