"""The authorisation matrix (tests/security/matrix.py) against the running product: every route x role x object.

GET answers exactly the table's status. Unsafe requests carry an empty body and run in a savepoint
rolled back, so the World stays as built: on the API, every POST/PUT/PATCH/DELETE the view implements
is refused (4xx) for a role the table's `write` does not name; on the web, a POST is refused for
every role whose GET of that page is a 403/404 (nobody writes where they may not read). Web pages
that answer a POST by showing the page again (200) or POST-only web actions that redirect with a
message (302) are not told apart from a write by status alone: their rules are proved by the
service and view tests of each feature, and here only never to 5xx. Nothing answers 5xx; no 200 body shows personal data (`legal_name`,
`email`, the customers' names) outside legal and admin, nor the restricted World to a role that may
not see it. Query-string variants and format suffixes are walked by test_no_leaks.py.
"""

from urllib.parse import urlsplit

import pytest
from django.db import transaction
from django.test import Client
from django.urls import resolve

from .checks import body_of, leaks
from .conftest import SECRET_EMAIL, SECRET_LEGAL_NAME, VISIBLE_EMAIL, VISIBLE_LEGAL_NAME
from .matrix import (
    ANONYMOUS_API,
    ANONYMOUS_WEB,
    FIXTURES,
    PUBLIC,
    RESTRICTED,
    ROUTES,
    UNCLASSIFIED_ALLOWED,
)
from .urlconf import all_routes, params_of, render

pytestmark = pytest.mark.django_db
PERSONAL_MARKERS = (SECRET_LEGAL_NAME, SECRET_EMAIL, VISIBLE_LEGAL_NAME, VISIBLE_EMAIL)
API_UNSAFE = ("post", "put", "patch", "delete")
WEB_UNSAFE = ("post",)
# Logging out is anyone's right, and it would end the session the rest of the walk needs.
NO_UNSAFE_PROBE = {"accounts/logout/"}
# The schema is the same document for every signed-in role and takes seconds to build: two roles suffice.
ONCE = {"api/v1/schema/": ("anonymous", "viewer")}


def test_every_route_is_in_the_matrix():
    from .urlconf import base_of, is_format_variant

    routes = [r for r in all_routes() if not r.startswith(UNCLASSIFIED_ALLOWED)]
    missing = sorted({base_of(r) if is_format_variant(r) else r for r in routes} - set(ROUTES))
    assert missing == [], f"add these routes to tests/security/matrix.py: {missing}"
    assert sorted(set(ROUTES) - set(routes)) == [], "matrix.py lists routes that no longer exist"
    for route, probes in ROUTES.items():
        for probe in probes:
            assert set(probe.fill) == set(params_of(route)), route


def _cells():
    """(route, probe) once per route and object: the first probe of each distinct path."""
    for route, probes in ROUTES.items():
        seen = set()
        for probe in probes:
            key = tuple(sorted(probe.fill.items()))
            if key not in seen:
                seen.add(key)
                yield route, probe


def _unsafe_methods(path, is_api) -> list[str]:
    """The unsafe methods the view behind `path` implements: any other one is a 405 by construction."""
    candidates = API_UNSAFE if is_api else WEB_UNSAFE
    func = resolve(urlsplit(path).path).func
    if getattr(func, "actions", None):  # a DRF viewset route: its method -> action map
        return [m for m in candidates if m in func.actions]
    view_class = getattr(func, "view_class", None)
    if view_class is not None:
        return [m for m in candidates if hasattr(view_class, m)]
    return list(candidates)  # a function view: ask it


def _expected_get(route, probe, role, is_api) -> int:
    if role == "anonymous":
        return PUBLIC.get(route, ANONYMOUS_API if is_api else ANONYMOUS_WEB)
    return probe.get[role]


def _refused(response, role, is_api) -> bool:
    """A refusal: a 4xx, or (anonymous on the web) the redirect to the login page."""
    if 400 <= response.status_code < 500:
        return True
    if role == "anonymous" and not is_api and response.status_code == 302:
        return urlsplit(response["Location"]).path == "/accounts/login/"
    return False


def _leaks(response, path, *, sees_restricted, hidden) -> list[str]:
    """Personal data, for everyone; the restricted World too, for a role that may not see it."""
    schema = path.startswith(
        "/api/v1/schema/"
    )  # the schema names the fields; it holds no one's data
    body = body_of(response).lower()
    found = [f"personal data {marker!r}" for marker in PERSONAL_MARKERS if marker.lower() in body]
    for leak in leaks(
        response,
        url=path,
        hidden_ids=set() if sees_restricted else hidden,
        personal_keys_allowed=schema,
    ):
        if "personal data field" in leak or not sees_restricted:
            found.append(leak)
    return [f"{path}: {leak}" for leak in found]


@pytest.mark.parametrize("role", list(FIXTURES))
def test_matrix(request, world, api_client_for, role):
    fixture = FIXTURES[role]
    user = request.getfixturevalue(fixture) if fixture else None
    web = Client()
    if user is not None:
        web.force_login(user)
    api = api_client_for(user)
    ids = world.ids()
    sees_restricted = role != "anonymous" and RESTRICTED[role] == 200
    hidden = {world.secret.pk, world.lesson.pk, world.secret.slug, world.lesson.slug}
    failures, gets, writes = [], 0, 0
    for route, probe in _cells():
        if role not in ONCE.get(route, (role,)):
            continue
        path = render(
            route, {name: ids[probe.fill[name]] for name in params_of(route)}
        ) + probe.query.format(**ids)
        is_api = path.startswith("/api/v1/")
        client = api if is_api else web
        response = client.get(path)
        gets += 1
        expected = _expected_get(route, probe, role, is_api)
        if response.status_code != expected:
            failures.append(f"GET {path}: {response.status_code}, the matrix says {expected}")
        if (
            role == "anonymous"
            and response.status_code == 302
            and not _refused(response, role, is_api)
        ):
            failures.append(
                f"GET {path}: anonymous sent to {response['Location']}, not the login page"
            )
        if response.status_code == 200 and role not in {"legal", "admin"}:
            failures += _leaks(response, path, sees_restricted=sees_restricted, hidden=hidden)
        if route in NO_UNSAFE_PROBE or (
            not is_api and role != "anonymous" and expected not in (403, 404)
        ):
            continue
        for method in _unsafe_methods(path, is_api):
            with transaction.atomic():
                response = getattr(client, method)(
                    path, {}, **({"format": "json"} if is_api else {})
                )
                transaction.set_rollback(True)
            writes += 1
            status = response.status_code
            if status >= 500:
                failures.append(f"{method.upper()} {path}: {status}")
            elif role not in probe.write and not _refused(
                response, role, is_api
            ):  # web: GET was 403/404
                failures.append(
                    f"{method.upper()} {path}: {status} for {role}, who may not write here"
                )
    assert gets > 150 and writes > 50
    assert failures == [], "\n".join(dict.fromkeys(failures))
