"""Related rows loaded inside another query, as a JSON array column, and turned back into models.

The artifact page shows a dozen small lists (authors, versions, history, metric rollups, ...).
Fetched one by one they cost a query each; as `ARRAY(SELECT json_build_object(...))` columns of
the artifact's own query they cost one round trip in all. `json_rows` builds such a column from
any queryset correlated with `OuterRef`; `from_json_rows` rebuilds model instances from it,
converting every value with its model field, so templates and code see the usual objects.

Decimals travel as text (a JSON number would come back as a float).
"""

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db import DEFAULT_DB_ALIAS, models
from django.db.models import F, QuerySet
from django.db.models.functions import Cast, JSONObject


def _columns(model: type[models.Model], prefix: str = "") -> dict[str, Any]:
    columns: dict[str, Any] = {}
    for field in model._meta.concrete_fields:
        ref = F(prefix + field.attname)
        columns[field.attname] = (
            Cast(ref, models.TextField()) if isinstance(field, models.DecimalField) else ref
        )
    return columns


def _related_model(model: type[models.Model], name: str) -> type[models.Model]:
    target = model._meta.get_field(name).related_model
    if not isinstance(target, type):
        raise TypeError(f"{model.__name__}.{name} is not a resolved relation")
    return target


def json_rows(queryset: QuerySet, related: Iterable[str] = ()) -> ArraySubquery:
    """An array column of one JSON object per row of `queryset`, with `related` (forward
    foreign keys, one level) nested as objects. Ordering and slicing of `queryset` apply."""
    model = queryset.model
    columns = _columns(model)
    for name in related:
        target = _related_model(model, name)
        columns[name] = JSONObject(**_columns(target, prefix=f"{name}__"))
    return ArraySubquery(queryset.values(row=JSONObject(**columns)))


def _instance(model: type[models.Model], data: dict) -> models.Model:
    fields = model._meta.concrete_fields
    values = [field.to_python(data.get(field.attname)) for field in fields]
    return model.from_db(DEFAULT_DB_ALIAS, [f.attname for f in fields], values)


def from_json_rows(
    model: type[models.Model], rows: list[dict] | None, related: Iterable[str] = ()
) -> list:
    """Model instances (as if read from the database) from a `json_rows` column."""
    related = list(related)
    instances = []
    for data in rows or ():
        obj = _instance(model, data)
        for name in related:
            nested = data.get(name) or {}
            target = _related_model(model, name)
            setattr(
                obj,
                name,
                _instance(target, nested)
                if nested.get(target._meta.pk.attname) is not None
                else None,
            )
        instances.append(obj)
    return instances


def preloaded(
    obj: models.Model,
    name: str,
    model: type[models.Model],
    load: Callable[[], Iterable],
    related: Iterable[str] = (),
) -> list:
    """The instances in `obj.<name>` when the query that loaded `obj` carried that `json_rows`
    column, else `list(load())` (the same rows, fetched on their own)."""
    if hasattr(obj, name):
        return from_json_rows(model, getattr(obj, name), related)
    return list(load())
