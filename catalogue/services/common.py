"""Small checks shared by several services."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError


def ensure_editable(values: dict, editable: Iterable[str]) -> None:
    """Refuse fields an update may not change, one field-keyed error each (API 400)."""
    unknown = set(values) - set(editable)
    if unknown:
        raise ValidationError({f: ["This field cannot be changed."] for f in sorted(unknown)})
