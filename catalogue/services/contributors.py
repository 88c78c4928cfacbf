"""Contributors: people and organisations behind artifacts; personal data for legal and admins only."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction

from ..models import Contributor
from ..models.choices import ContributorKind
from ..permissions import is_admin, is_contributor, is_legal
from .audit import audit_context, audit_event, diff
from .privacy import redact_erasable

PERSONAL_FIELDS = ("legal_name", "email")
EDITABLE_FIELDS = ("kind", "organisation", "external_ref", "legal_name", "email", "user")


def ensure_may_write(user, fields: dict) -> None:
    """Contributors, legal and admins may record contributors; only legal/admins personal data."""
    if not (is_admin(user) or is_legal(user) or is_contributor(user)):
        raise PermissionDenied("Only contributors, legal and admins may record contributors.")
    if any(fields.get(f) for f in PERSONAL_FIELDS) and not user.has_perm(
        "catalogue.view_personal_data"
    ):
        raise PermissionDenied("Only legal and admins may record personal data.")


def clean_fields(fields: dict) -> dict:
    """Normalise and check contributor fields in place; raise field-keyed ValidationError."""
    errors: dict[str, list[str]] = {}
    if "kind" in fields and fields["kind"] not in ContributorKind.values:
        errors["kind"] = [f"'{fields['kind']}' is not a contributor kind."]
    for name in ("organisation", "external_ref", "legal_name"):
        if name in fields:
            fields[name] = (fields[name] or "").strip()
            if len(fields[name]) > 200:
                errors[name] = ["At most 200 characters."]
    if fields.get("email"):
        fields["email"] = fields["email"].strip()
        try:
            validate_email(fields["email"])
        except ValidationError:
            errors["email"] = ["Enter a valid email address."]
    if errors:
        raise ValidationError(errors)
    return fields


def redact_personal_data(changes: dict) -> dict:
    """Audit changes with personal fields and the external reference replaced by a marker."""
    # The audit timeline is readable by more people than personal data is, and it is append-only:
    # record that an erasable field changed, never its value (services/privacy.py).
    return redact_erasable(changes)


def contributor_create(
    *,
    acting_user,
    kind: str,
    organisation: str = "",
    external_ref: str = "",
    legal_name: str = "",
    email: str = "",
    user=None,
    reason: str = "",
) -> Contributor:
    """Record a contributor; the pseudonym is generated. Personal data only from legal/admins."""
    fields = clean_fields(
        {
            "kind": kind,
            "organisation": organisation,
            "external_ref": external_ref,
            "legal_name": legal_name,
            "email": email,
        }
    )
    ensure_may_write(acting_user, fields)
    with (
        transaction.atomic(),
        audit_context(actor=acting_user, reason=reason or "contributor created"),
    ):
        contributor = Contributor.objects.create(user=user, **fields)
        audit_event(
            actor=acting_user,
            action="contributor.created",
            obj=contributor,
            reason=reason,
            changes=redact_personal_data({k: [None, v] for k, v in fields.items() if v}),
        )
    return contributor


def contributor_update(
    *, acting_user, contributor: Contributor, reason: str = "", **fields
) -> Contributor:
    """Change a contributor's fields (row locked); no-op when nothing changes."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"contributor_update() got unexpected fields {sorted(unknown)}")
    fields = clean_fields(dict(fields))
    ensure_may_write(acting_user, {})
    if any(f in fields for f in PERSONAL_FIELDS) and not acting_user.has_perm(
        "catalogue.view_personal_data"
    ):
        raise PermissionDenied("Only legal and admins may change personal data.")
    with (
        transaction.atomic(),
        audit_context(actor=acting_user, reason=reason or "contributor changed"),
    ):
        locked = Contributor.objects.select_for_update().get(pk=contributor.pk)
        changes = diff(locked, fields)
        if not changes:
            return locked
        for name in changes:
            setattr(locked, name, fields[name])
        locked.save(update_fields=[*changes, "updated_at"])
        audit_event(
            actor=acting_user,
            action="contributor.updated",
            obj=locked,
            reason=reason,
            changes=redact_personal_data(changes),
        )
    return locked
