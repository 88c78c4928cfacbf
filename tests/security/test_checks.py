"""The leak checks themselves can fail: each kind of leak is caught, and the positive controls
(legal sees personal data, the owner team sees its artifact) show the checks are not vacuous."""

import pytest
from django.http import HttpResponse, JsonResponse

from .checks import leaks
from .conftest import SECRET_LEGAL_NAME, SECRET_SLUG, SECRET_TITLE

pytestmark = pytest.mark.django_db


def test_each_kind_of_leak_is_caught():
    hidden = {7, SECRET_SLUG}
    assert leaks(HttpResponse(f"<p>{SECRET_TITLE}</p>"), url="/", hidden_ids=hidden) != []
    assert leaks(JsonResponse({"results": [{"legal_name": "x"}]}), url="/", hidden_ids=hidden) != []
    assert (
        leaks(JsonResponse({"changes": {"parent_id": [None, 7]}}), url="/", hidden_ids=hidden) != []
    )
    assert (
        leaks(
            JsonResponse({"object_type": "artifact", "object_id": "7"}), url="/", hidden_ids=hidden
        )
        != []
    )
    assert (
        leaks(JsonResponse({"object_type": "reuse", "object_id": "7"}), url="/", hidden_ids=hidden)
        == []
    )
    # A searched word echoed back is not a leak; the full title still is.
    assert leaks(HttpResponse('value="Zanzibar"'), url="/?q=Zanzibar", hidden_ids=hidden) == []
    assert leaks(HttpResponse(SECRET_TITLE), url="/?q=Zanzibar", hidden_ids=hidden) != []


def test_legal_sees_personal_data_and_the_owner_team_sees_its_artifact(
    world, api_client_for, legal1, bob
):
    people = api_client_for(legal1).get(f"/api/v1/contributors/{world.octavia.pk}/").json()
    assert people["legal_name"] == SECRET_LEGAL_NAME
    found = api_client_for(bob).get("/api/v1/artifacts/?q=Zanzibar").json()["results"]
    assert SECRET_SLUG in [a["slug"] for a in found]
    assert api_client_for(bob).get(f"/api/v1/artifacts/{SECRET_SLUG}/").status_code == 200
