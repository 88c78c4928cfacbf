"""Artifact reads shared by the web pages and the API."""

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Prefetch, QuerySet
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
        .defer(f"{other}__search_vector")  # large, and never shown for a relative
        .order_by("id")
    )
    return Prefetch("parent_links" if towards == "parents" else "child_links", queryset=links)


def for_list(queryset: QuerySet[Artifact], *, user) -> QuerySet[Artifact]:
    """Everything a list row (web or API) shows, in a fixed number of queries."""
    # search_vector is large and no list row shows it.
    return (
        queryset.defer("search_vector")
        .select_related("owner_team", "current_version")
        .prefetch_related(
            Prefetch(
                "authorships",
                queryset=Authorship.objects.select_related("contributor").order_by("id"),
            ),
            _visible_links(user, towards="parents"),
        )
    )


def _as_querydict(params) -> QueryDict:
    if isinstance(params, QueryDict):
        return params
    data = QueryDict(mutable=True)
    for key, value in (params or {}).items():
        if isinstance(value, list | tuple):
            data.setlist(key, [str(v) for v in value])
        elif value is not None:
            data[key] = (
                str(value) if not isinstance(value, bool) else ("true" if value else "false")
            )
    return data


def artifact_list(*, user, params=None, strict: bool = False) -> QuerySet[Artifact]:
    """Visible artifacts filtered, searched and ordered by `params` (QueryDict or dict; ArtifactFilterSet).

    With `strict`, invalid filter values raise ValidationError (the API's 400); the web ignores them.
    """
    filterset = ArtifactFilterSet(_as_querydict(params), queryset=visible_artifacts(user))
    if strict and not filterset.is_valid():
        raise ValidationError({k: list(v) for k, v in filterset.errors.items()})
    return for_list(filterset.qs, user=user)


def artifact_get(*, user, slug: str, links: bool = True, preload: dict | None = None) -> Artifact:
    """One artifact with authors, versions and visible lineage prefetched; 404 if missing or invisible.

    `links=False` skips the parent/child link prefetches (the artifact page reads its lineage
    from one walk instead). `preload` (the artifact page) replaces the prefetches with
    annotations of the same query (`selectors.preload`), named as the caller reads them.
    """
    if preload is None:
        prefetches = [
            Prefetch(
                "authorships",
                queryset=Authorship.objects.select_related("contributor").order_by("id"),
            ),
            Prefetch("versions", queryset=Version.objects.order_by("-created_at", "-id")),
        ]
    else:
        prefetches = []
    if links:
        prefetches += [
            _visible_links(user, towards="parents"),
            _visible_links(user, towards="children"),
        ]
    queryset = (
        visible_artifacts(user)
        .select_related(
            "owner_team",
            "current_version",
            "current_policy",
            "superseded_by",
            "created_by",
            "rollup",
        )
        .prefetch_related(*prefetches)
        .annotate(**(preload or {}))
    )
    artifact = queryset.filter(slug=slug).first()
    if artifact is None:
        raise Http404("No such artifact.")
    return artifact


# One statement for every facet: the visible, filtered rows are read once (a CTE referenced twice
# is materialised), GROUPING SETS counts the five columns, and the top tags come from unnest.
# The rows counted are the FACET_SAMPLE most recent matches: counting all of them took ~3.5 s
# for the unfiltered catalogue at 1M artifacts; the page says when its counts are sampled.
FACET_SAMPLE = 20_000
_FACETS_SQL = """
WITH visible AS ({visible})
SELECT 'sample', NULL, NULL, count(*) FROM visible
UNION ALL
SELECT CASE WHEN GROUPING(v.kind) = 0 THEN 'kind'
            WHEN GROUPING(v.status) = 0 THEN 'status'
            WHEN GROUPING(t.slug) = 0 THEN 'owner_team'
            WHEN GROUPING(v.sensitivity) = 0 THEN 'sensitivity'
            ELSE 'customer_derived' END AS facet,
       COALESCE(v.kind, v.status, t.slug, v.sensitivity, v.customer_derived::text) AS value,
       t.name AS label, count(*) AS n
  FROM visible AS v LEFT JOIN catalogue_team AS t ON t.id = v.owner_team_id
 GROUP BY GROUPING SETS ((v.kind), (v.status), (t.slug, t.name), (v.sensitivity), (v.customer_derived))
UNION ALL
(SELECT 'tag', tag, NULL, count(*) AS n FROM visible, unnest(visible.tags) AS tag
  GROUP BY tag ORDER BY n DESC, tag LIMIT %s)
"""
_FACET_LABELS: dict[str, dict] = {
    "kind": dict(ArtifactKind.choices),
    "status": dict(ArtifactStatus.choices),
    "sensitivity": dict(Sensitivity.choices),
    "customer_derived": {True: "Customer-derived", False: "Not customer-derived"},
}


class Facets(dict):
    """{facet: [entries]}; `sampled` says the counts cover only the `sample_limit` most recent matches."""

    sampled: bool = False
    sample_limit: int = FACET_SAMPLE


def artifact_facets(*, user, queryset: QuerySet[Artifact]) -> Facets:
    """{facet: [{"value", "label", "count"}, ...]} over the (visible, filtered) queryset, most first.

    Facets: kind, status, owner_team (value = team slug), sensitivity, tag (top 20), customer_derived;
    `.sampled` is True when more than FACET_SAMPLE rows match and the counts cover the most recent
    FACET_SAMPLE of them. Starting again from visible_artifacts(user) keeps invisible items out
    even if a caller passes an unfiltered queryset. One query.
    """
    base = (
        visible_artifacts(user, queryset)
        .order_by("-created_at", "-id")
        .values("kind", "status", "owner_team_id", "sensitivity", "customer_derived", "tags")[
            :FACET_SAMPLE
        ]
    )
    sql, params = base.query.sql_with_params()
    with connection.cursor() as cursor:
        # sql is the ORM's own compiled query; its parameters stay bound.
        cursor.execute(_FACETS_SQL.format(visible=sql), [*params, TOP_TAGS])
        rows = cursor.fetchall()
    facets = Facets(
        {
            name: []
            for name in ("kind", "status", "owner_team", "sensitivity", "tag", "customer_derived")
        }
    )
    facets.sample_limit = FACET_SAMPLE
    for facet, value, label, n in rows:
        if facet == "sample":
            facets.sampled = n >= FACET_SAMPLE
            continue
        if facet == "customer_derived":
            value = value == "true"
        facets[facet].append(
            {
                "value": value,
                "label": label or _FACET_LABELS.get(facet, {}).get(value, str(value)),
                "count": n,
            }
        )
    for facet in ("kind", "status", "owner_team", "sensitivity", "customer_derived"):
        facets[facet].sort(key=lambda entry: (-entry["count"], entry["value"]))
    return facets
