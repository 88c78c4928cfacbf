"""Personal data: access records (Rule 7) and erasure requests.

Erasure approach: `Contributor.legal_name` and `email` (and, on request, `external_ref`) are
blanked in the live row and replaced by nothing but the stable pseudonym everywhere the product
shows a contributor. The row-level history (pghistory event tables) and the audit hash chain are
append-only by design and cannot be rewritten, so the values of `ERASABLE_FIELDS` never enter
them: row history excludes those columns (models/contributors.py) and audit events record that
they changed, never the values (`redact_erasable`). After an erasure the database holds no copy
(tests/legal/test_erasure_leaves_no_copy.py checks a pg_dump). The history of an external
reference lives in the consent / HR system of record it points into.
"""

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone

from ..models import Contributor
from .audit import audit_access, audit_context, audit_event

ERASED_NAME = ""
PERSONAL_FIELDS = ("legal_name", "email")
# Everything `contributor_erase` can blank: kept out of every append-only copy.
ERASABLE_FIELDS = (*PERSONAL_FIELDS, "external_ref")
REDACTED = "<redacted>"


def redact_erasable(changes: dict) -> dict:
    """Audit `changes` with the erasable fields' values replaced by a marker (the name stays)."""
    return {k: ([REDACTED, REDACTED] if k in ERASABLE_FIELDS else v) for k, v in changes.items()}


def record_access(*, actor, action: str, obj: models.Model, detail: str = "") -> None:
    """One access record for viewing personal data or consent evidence (Rule 7)."""
    audit_access(actor=actor, action=action, obj=obj, detail=detail)


def can_see_personal_data(user) -> bool:
    return bool(user and user.has_perm("catalogue.view_personal_data"))


def contributor_erase(
    *, acting_user, contributor: Contributor, reason: str, erase_external_ref: bool = False
) -> Contributor:
    """Pseudonymise a contributor: blank the personal fields (row locked); idempotent."""
    if not acting_user.has_perm("catalogue.manage_consent"):
        raise PermissionDenied("Only legal and admins handle erasure requests.")
    with transaction.atomic(), audit_context(actor=acting_user, reason=reason or "erasure request"):
        locked = Contributor.objects.select_for_update().get(pk=contributor.pk)
        fields = [f for f in PERSONAL_FIELDS if getattr(locked, f)]
        if erase_external_ref and locked.external_ref:
            fields.append("external_ref")
        if not fields and locked.erased_at is not None:
            return locked
        for field in fields:
            setattr(locked, field, "")
        locked.erased_at = timezone.now()
        locked.save(update_fields=[*fields, "erased_at", "updated_at"])
        # Only the names of the erased fields: the audit trail must not re-copy the values.
        audit_event(
            actor=acting_user,
            action="contributor.erased",
            obj=locked,
            reason=reason,
            changes={f: ["<erased>", ""] for f in fields},
        )
    return locked
