"""Regressions found by the fuzz run: NUL characters reached PostgreSQL through slug lookups and
query filters and came back as 500s; they are refused with 400 before any view runs."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (
            "/api/v1/reuses/",
            {"artifact": "\x00", "team": "retail", "purpose": "research", "channel": "web"},
        ),
        (
            "/api/v1/reviews/",
            {"artifact": "visible\x00", "kind": "consent_ip", "purposes": ["research"]},
        ),
    ],
)
def test_nul_in_a_json_body_is_a_400(world, api_client_for, legal1, alice, path, body):
    for user in (alice, legal1):
        response = api_client_for(user).post(path, body, format="json")
        assert response.status_code == 400
        assert "NUL" in response.json()["detail"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/consents/?status=%00",
        "/api/v1/artifacts/?q=a%00b",
        "/api/v1/reuses/?team=%00",
    ],
)
def test_nul_in_a_query_string_is_a_400(world, api_client_for, legal1, path):
    response = api_client_for(legal1).get(path)
    assert response.status_code == 400 and "detail" in response.json()


def test_nul_in_web_input_is_a_400_not_a_500(world, client, alice):
    client.force_login(alice)
    assert client.get("/artifacts/?q=%00").status_code == 400
    assert client.post("/artifacts/new/", {"title": "a\x00b"}).status_code == 400


def test_ordinary_input_is_untouched(world, api_client_for, alice):
    response = api_client_for(alice).get("/api/v1/artifacts/?q=visible%20child")
    assert response.status_code == 200
    assert "visible-child" in [a["slug"] for a in response.json()["results"]]
