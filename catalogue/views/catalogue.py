"""The catalogue page: search, facets, sort and keyset pagination (no COUNT, no OFFSET).

With htmx the search form, facet and paging links swap `#results` in place; without
JavaScript the same links load the whole page.
"""

from urllib.parse import urlencode

from django.http import QueryDict
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from ..permissions import is_admin, is_contributor, team_roles
from ..selectors.artifacts import artifact_facets, artifact_list
from ..selectors.common import keyset_page

PAGE_SIZE = 20
FILTER_PARAMS = ("kind", "status", "owner_team", "tag", "sensitivity", "customer_derived")
# sort name -> (label, [(field, descending)]); `id` last makes every key unique.
SORTS = {
    "relevance": ("Relevance", [("rank", True), ("id", True)]),
    "newest": ("Newest", [("created_at", True), ("id", True)]),
    "title": ("Title A–Z", [("title", False), ("id", False)]),
    "updated": ("Recently updated", [("updated_at", True), ("id", True)]),
}


def _query(params: dict, **changes) -> str:
    merged = {k: v for k, v in {**params, **changes}.items() if v not in (None, "")}
    return "?" + urlencode(merged) if merged else "?"


FACET_TITLES = {
    "kind": "Kind",
    "status": "Status",
    "owner_team": "Team",
    "tag": "Tag",
    "sensitivity": "Sensitivity",
    "customer_derived": "Customer material",
}


def _facet_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _facet_groups(facets: dict, params: dict, link_params: dict) -> list[dict]:
    """Facet links: choosing a value filters by it, choosing it again removes the filter."""
    groups = []
    for name, title in FACET_TITLES.items():
        items = []
        for entry in facets.get(name) or []:
            value = _facet_value(entry["value"])
            active = params.get(name) == value
            items.append(
                {
                    "value": value,
                    "label": entry.get("label") or value,
                    "count": entry["count"],
                    "active": active,
                    "url": _query(link_params, **{name: None if active else value, "cursor": None}),
                }
            )
        if items:
            groups.append({"name": name, "title": title, "items": items})
    return groups


def _filter_params(request) -> QueryDict:
    params = QueryDict(mutable=True)
    for name in ("q", *FILTER_PARAMS):
        value = (request.GET.get(name) or "").strip()
        if value:
            params[name] = value
    return params


@require_GET
def artifact_list_view(request):
    """The catalogue: every artifact the user may see, searchable and faceted."""
    q = (request.GET.get("q") or "").strip()
    # No sort chosen ("best match"): relevance when searching, newest otherwise.
    chosen = request.GET.get("sort") or ""
    if chosen not in SORTS or (chosen == "relevance" and not q):
        chosen = ""
    sort = chosen or ("relevance" if q else "newest")
    query = _filter_params(request)
    params = query.dict()
    qs = artifact_list(user=request.user, params=query)
    facets = artifact_facets(user=request.user, queryset=qs)
    page = keyset_page(qs, SORTS[sort][1], request.GET.get("cursor"), PAGE_SIZE)
    link_params = {**params, "sort": chosen}
    context = {
        "q": q,
        "sort": chosen,
        "sorts": [("", "Best match")]
        + [(key, label) for key, (label, _) in SORTS.items() if key != "relevance"],
        "page": page,
        "facet_groups": _facet_groups(facets, params, link_params),
        "facets_sampled": facets.sampled,
        "facet_sample": facets.sample_limit,
        "active_filters": [
            {"name": k, "value": v, "url": _query(link_params, **{k: None, "cursor": None})}
            for k, v in params.items()
            if k != "q"
        ],
        "filter_params": {k: v for k, v in params.items() if k != "q"},
        "next_url": _query(link_params, cursor=page.next_cursor) if page.next_cursor else None,
        "previous_url": _query(link_params, cursor=page.previous_cursor)
        if page.previous_cursor
        else None,
        "clear_url": _query({"q": q} if q else {}),
        "can_register": is_admin(request.user)
        or (is_contributor(request.user) and bool(team_roles(request.user))),
    }
    htmx = getattr(request, "htmx", None)
    partial = htmx is not None and bool(htmx) and not htmx.history_restore_request
    template = (
        "catalogue/partials/artifact_results.html" if partial else "catalogue/artifact_list.html"
    )
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response
