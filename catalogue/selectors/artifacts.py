"""Artifact reads shared by the web pages and the API."""

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404, QueryDict

from ..filters import ArtifactFilterSet
from ..models import Artifact, Authorship, Lineage, Version
from ..models.choices import ArtifactKind, ArtifactStatus, Sensitivity
from ..querysets import visible_artifacts

TOP_TAGS = 20


def _visible_links(user, *, towards: str) -> Prefetch:
    # Links to artifacts the user may not see are left out, so their slugs never leak (Rule 8).
    other = "parent" if towards == "parents" else "child"
    links = (
        Lineage.objects.filter(**{f"{other}__in": visible_artifacts(user)})
        .select_related(other, "parent_version")
        .order_by("id")
    )
    return Prefetch("parent_links" if towards == "parents" else "child_links", queryset=links)


def for_list(queryset: QuerySet[Artifact], *, user) -> QuerySet[Artifact]:
    """Everything a list row (web or API) shows, in a fixed number of queries."""
    return queryset.select_related("owner_team", "current_version").prefetch_related(
        Prefetch("authorships", queryset=Authorship.objects.select_related("contributor").order_by("id")),
        _visible_links(user, towards="parents"),
    )


def _as_querydict(params) -> QueryDict:
    if isinstance(params, QueryDict):
        return params
    data = QueryDict(mutable=True)
    for key, value in (params or {}).items():
        if isinstance(value, list | tuple):
            data.setlist(key, [str(v) for v in value])
        elif value is not None:
            data[key] = str(value) if not isinstance(value, bool) else ("true" if value else "false")
    return data


def artifact_list(*, user, params=None, strict: bool = False) -> QuerySet[Artifact]:
    """Visible artifacts filtered, searched and ordered by `params` (QueryDict or dict; ArtifactFilterSet).

    With `strict`, invalid filter values raise ValidationError (the API's 400); the web ignores them.
    """
    filterset = ArtifactFilterSet(_as_querydict(params), queryset=visible_artifacts(user))
    if strict and not filterset.is_valid():
        raise ValidationError({k: list(v) for k, v in filterset.errors.items()})
    return for_list(filterset.qs, user=user)


def artifact_get(*, user, slug: str) -> Artifact:
    """One artifact with authors, versions and visible lineage prefetched; 404 if missing or invisible."""
    queryset = visible_artifacts(user).select_related(
        "owner_team", "current_version", "current_policy", "superseded_by", "created_by"
    ).prefetch_related(
        Prefetch("authorships", queryset=Authorship.objects.select_related("contributor").order_by("id")),
        Prefetch("versions", queryset=Version.objects.order_by("-created_at", "-id")),
        _visible_links(user, towards="parents"),
        _visible_links(user, towards="children"),
    )
    artifact = queryset.filter(slug=slug).first()
    if artifact is None:
        raise Http404("No such artifact.")
    return artifact


def _counts(queryset: QuerySet, field: str, labels: dict | None = None) -> list[dict]:
    rows = queryset.order_by().values_list(field).annotate(n=Count("id")).order_by("-n", field)
    labels = labels or {}
    return [{"value": value, "label": labels.get(value, str(value)), "count": n} for value, n in rows]


def _tag_counts(queryset: QuerySet) -> list[dict]:
    sql, params = queryset.order_by().values("tags").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT tag, count(*) AS n FROM ({sql}) AS visible(tags), unnest(visible.tags) AS tag "  # noqa: S608 - sql is the ORM's own, parameters stay bound
            f"GROUP BY tag ORDER BY n DESC, tag LIMIT %s",
            [*params, TOP_TAGS],
        )
        return [{"value": tag, "label": tag, "count": n} for tag, n in cursor.fetchall()]


def artifact_facets(*, user, queryset: QuerySet[Artifact]) -> dict:
    """{facet: [{"value", "label", "count"}, ...]} over the (visible, filtered) queryset, most first.

    Facets: kind, status, owner_team (value = team slug), sensitivity, tag (top 20), customer_derived.
    Starting again from visible_artifacts(user) keeps invisible items out even if a caller
    passes an unfiltered queryset.
    """
    base = visible_artifacts(user, queryset)
    teams = base.order_by().values_list("owner_team__slug", "owner_team__name").annotate(n=Count("id"))
    return {
        "kind": _counts(base, "kind", dict(ArtifactKind.choices)),
        "status": _counts(base, "status", dict(ArtifactStatus.choices)),
        "owner_team": [
            {"value": slug, "label": name, "count": n} for slug, name, n in teams.order_by("-n", "owner_team__slug")
        ],
        "sensitivity": _counts(base, "sensitivity", dict(Sensitivity.choices)),
        "tag": _tag_counts(base),
        "customer_derived": _counts(base, "customer_derived", {True: "Customer-derived", False: "Not customer-derived"}),
    }
