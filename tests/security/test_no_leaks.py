"""Rule 8 over the whole URL conf: an outsider walks every GET route, every query variant and format
suffix of the matrix (tests/security/matrix.py), and never sees the restricted world."""

import pytest

from catalogue.selectors.artifacts import artifact_facets, artifact_list

from .checks import leaks
from .matrix import FIXTURES, OUTSIDERS, ROUTES, UNCLASSIFIED_ALLOWED
from .urlconf import all_routes, base_of, is_format_variant, params_of, render

pytestmark = pytest.mark.django_db


def _probes():
    """(route, path, expected statuses) for every route, format-suffix variants included."""
    for route in all_routes():
        if route.startswith(UNCLASSIFIED_ALLOWED):
            continue
        base = base_of(route) if is_format_variant(route) else route
        for probe in ROUTES[base]:
            yield route, probe, is_format_variant(route)


def _path(route, probe, ids, fmt):
    values = {name: ids[probe.fill[name]] for name in params_of(route)}
    if fmt:
        values["format"] = "json"
        route = route.replace("<drf_format_suffix:format>", ".<format>")
    path = render(route, values).replace("/?", "")
    return path + probe.query.format(**ids)


@pytest.mark.parametrize("role", OUTSIDERS)
def test_outsiders_see_nothing_of_the_restricted_world(
    request, world, client, api_client_for, role
):
    user = request.getfixturevalue(FIXTURES[role])
    client.force_login(user)
    api = api_client_for(user)
    ids = world.ids()
    hidden = {world.secret.pk, world.lesson.pk, world.secret.slug, world.lesson.slug}
    failures = []
    seen = 0
    for route, probe, fmt in _probes():
        path = _path(route, probe, ids, fmt)
        response = (api if path.startswith("/api/v1/") else client).get(path)
        seen += 1
        status = response.status_code
        if status != probe.get[role]:
            failures.append(f"{path}: {status}, the matrix says {probe.get[role]}")
        elif status >= 500:
            failures.append(f"{path}: {status}")
        personal_ok = route == "api/v1/schema/"  # the schema names fields; it holds no one's data
        failures += [
            f"{path}: {leak}"
            for leak in leaks(
                response, url=path, hidden_ids=hidden, personal_keys_allowed=personal_ok
            )
        ]
    assert seen > 200
    assert failures == [], "\n".join(failures)


@pytest.mark.parametrize(
    "query", ["", "?q=Zanzibar", "?tag=shared", "?owner_team=cards", "?kind=ai_model"]
)
def test_catalogue_facet_counts_are_those_without_the_restricted_artifacts(
    world, client, victor, admin_user, query
):
    from django.http import QueryDict

    client.force_login(victor)
    groups = client.get("/artifacts/" + query).context["facet_groups"]
    shown = {(g["name"], item["label"]): item["count"] for g in groups for item in g["items"]}
    params = QueryDict(query.lstrip("?"))
    absent = artifact_list(user=admin_user, params=params).exclude(
        pk__in=[world.secret.pk, world.lesson.pk]
    )
    expected = {
        (name, entry["label"]): entry["count"]
        for name, entries in artifact_facets(user=admin_user, queryset=absent).items()
        for entry in entries
    }
    assert shown == {
        key: n for key, n in expected.items() if key[0] in {k for k, _ in shown} or not shown
    }
    assert ("tag", "zanzibar-tag") not in shown


def test_catalogue_facets_count_restricted_artifacts_for_their_team(world, client, bob):
    """The check above could pass by hiding every facet; bob, in cards, does see his artifact."""
    client.force_login(bob)
    groups = client.get("/artifacts/?q=Zanzibar").context["facet_groups"]
    shown = {(g["name"], item["label"]): item["count"] for g in groups for item in g["items"]}
    assert shown[("tag", "zanzibar-tag")] == 1


def test_lesson_facets_count_only_visible_retired_artifacts(world, client, victor, bob):
    def team_counts(user):
        client.force_login(user)
        groups = client.get("/lessons/").context["facet_groups"]
        return {
            row["value"]: row["count"] for g in groups if g["name"] == "team" for row in g["rows"]
        }

    assert team_counts(victor).get("cards") == 1
    assert team_counts(bob).get("cards") == 2
