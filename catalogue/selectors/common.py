"""Helpers shared by several selectors: one visible artifact by slug, keyset pagination.

One implementation for every server-rendered list: no COUNT, no OFFSET, one query of
`size + 1` rows per page. The API uses DRF's cursor pagination (`api/pagination.py`).
"""

import base64
import binascii
import json
from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404

from ..models import Artifact
from ..querysets import visible_artifacts


def visible_artifact(user, slug: str, *related: str) -> Artifact:
    """The artifact by slug if the user may see it; 404 whether it is missing or restricted (Rule 8)."""
    qs = visible_artifacts(user).filter(slug=slug)
    if related:  # select_related() with no fields means "everything" (and is deprecated)
        qs = qs.select_related(*related)
    artifact = qs.first()
    if artifact is None:
        raise Http404
    return artifact


# [(field or annotation, descending)]; the last key must make rows unique (usually `id`).
Keys = list[tuple[str, bool]]


@dataclass
class Page:
    items: list
    next_cursor: str | None
    previous_cursor: str | None


def _encode(values: list, *, backwards: bool) -> str:
    raw = json.dumps({"v": values, "b": backwards}, default=str, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _field(qs: QuerySet, name: str):
    if name in qs.query.annotations:
        return qs.query.annotations[name].output_field
    return qs.model._meta.get_field(name)


def _decode(qs: QuerySet, cursor: str, keys: Keys) -> tuple[list, bool] | None:
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        values, backwards = raw["v"], bool(raw["b"])
        if len(values) != len(keys):
            return None
        # Each value is read back as its column's type, so a tampered cursor fails here, not in SQL.
        decoded = [
            _field(qs, name).to_python(value) for (name, _), value in zip(keys, values, strict=True)
        ]
        if any(value is None for value in decoded):
            return None
        return decoded, backwards
    except (ValueError, KeyError, TypeError, binascii.Error, ValidationError, FieldDoesNotExist):
        return None


def _after(keys: Keys, values: list, *, backwards: bool) -> Q:
    """Rows strictly after `values` in the sort order (before it when going backwards)."""
    condition = Q()
    for i in reversed(range(len(keys))):
        field, desc = keys[i]
        op = "lt" if desc != backwards else "gt"
        step = Q(**{f"{field}__{op}": values[i]})
        if i < len(keys) - 1:
            step |= Q(**{field: values[i]}) & condition
        condition = step
    return condition


def keyset_page(
    qs: QuerySet, keys: Keys, cursor: str | None, size: int, *, strict: bool = False
) -> Page:
    """One page by keyset, either direction; a damaged cursor gives the first page
    (or, with `strict`, a ValidationError on `cursor`)."""
    decoded = _decode(qs, cursor, keys) if cursor else None
    if cursor and decoded is None and strict:
        raise ValidationError({"cursor": ["Invalid cursor."]})
    backwards = bool(decoded and decoded[1])
    order = [("-" if desc != backwards else "") + field for field, desc in keys]
    if decoded:
        qs = qs.filter(_after(keys, decoded[0], backwards=backwards))
    rows = list(qs.order_by(*order)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()

    def key_of(row) -> list:
        values = (getattr(row, field) for field, _ in keys)
        return [value.isoformat() if hasattr(value, "isoformat") else value for value in values]

    if not rows:
        return Page([], None, None)
    has_next = (more and not backwards) or (backwards and decoded is not None)
    has_previous = (more and backwards) or (not backwards and decoded is not None)
    return Page(
        items=rows,
        next_cursor=_encode(key_of(rows[-1]), backwards=False) if has_next else None,
        previous_cursor=_encode(key_of(rows[0]), backwards=True) if has_previous else None,
    )
