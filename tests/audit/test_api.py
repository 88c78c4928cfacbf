"""Audit API per role: audit-events (legal/admin), history, as-of errors, query counts."""

import datetime as dt

import pytest
from django.utils import timezone

from catalogue.models import AuditEvent
from catalogue.services.accounts import team_create
from catalogue.services.artifacts import artifact_update
from catalogue.services.audit import audit_event
from tests.factories import ArtifactFactory

pytestmark = pytest.mark.django_db

EVENTS = "/api/v1/audit-events/"


def _events(actor, artifact, n):
    for i in range(n):
        audit_event(actor=actor, action="artifact.noted", obj=artifact, reason=f"note {i}")


@pytest.fixture
def artifact(retail):
    return ArtifactFactory(owner_team=retail, slug="journey")


@pytest.fixture
def secret(cards):
    return ArtifactFactory(owner_team=cards, slug="secret", restricted=True)


def test_audit_events_only_for_legal_and_admin(
    api_client_for, legal1, admin_user, alice, victor, artifact
):
    _events(alice, artifact, 2)
    assert api_client_for().get(EVENTS).status_code == 401
    for user in (alice, victor):
        response = api_client_for(user).get(EVENTS)
        assert response.status_code == 403
        assert "detail" in response.json()
    for user in (legal1, admin_user):
        response = api_client_for(user).get(EVENTS)
        assert response.status_code == 200
        body = response.json()
        assert set(body) >= {"results", "next", "previous"}
        assert [e["reason"] for e in body["results"]] == ["note 1", "note 0"]
        first = body["results"][0]
        assert first["actor"] == "alice" and first["artifact"] == "journey"
        assert first["action"] == "artifact.noted" and first["object_type"] == "artifact"


def test_audit_events_filters(api_client_for, legal1, alice, bob, artifact, admin_user):
    other = ArtifactFactory(slug="other")
    _events(alice, artifact, 2)
    audit_event(actor=bob, action="artifact.published", obj=other, reason="go")
    team_create(slug="ops", name="Ops", acting_user=admin_user)
    client = api_client_for(legal1)

    def reasons(**params):
        response = client.get(EVENTS, params)
        assert response.status_code == 200, response.content
        return [e["reason"] or e["action"] for e in response.json()["results"]]

    assert reasons(object=f"artifact:{artifact.pk}") == ["note 1", "note 0"]
    assert reasons(object="artifact:other") == ["go"]
    assert reasons(actor="bob") == ["go"]
    assert reasons(action="artifact.published") == ["go"]
    assert reasons(action="team") == ["team.created"]
    future = (timezone.now() + dt.timedelta(hours=1)).isoformat()
    assert reasons(since=future) == []
    assert len(reasons(until=future)) == 4
    past = (timezone.now() - dt.timedelta(hours=1)).isoformat()
    assert reasons(until=past) == []


def test_audit_events_bad_filters_are_400(api_client_for, legal1):
    client = api_client_for(legal1)
    response = client.get(EVENTS, {"since": "yesterday"})
    assert response.status_code == 400
    assert "since" in response.json()
    assert client.get(EVENTS, {"object": "artifact"}).status_code == 400


def test_audit_events_cursor_pagination(api_client_for, legal1, alice, artifact):
    _events(alice, artifact, 5)
    response = api_client_for(legal1).get(EVENTS, {"page_size": 2})
    body = response.json()
    assert [e["reason"] for e in body["results"]] == ["note 4", "note 3"]
    following = api_client_for(legal1).get(body["next"]).json()
    assert [e["reason"] for e in following["results"]] == ["note 2", "note 1"]


def test_audit_events_query_count_is_flat(api_client_for, legal1, alice, artifact, count_queries):
    client = api_client_for(legal1)
    _events(alice, artifact, 2)
    client.get(EVENTS)  # warm the token and permission caches
    few = count_queries(lambda: client.get(EVENTS))
    _events(alice, ArtifactFactory(), 10)
    assert AuditEvent.objects.count() == 12
    many = count_queries(lambda: client.get(EVENTS))
    assert few == many


def test_history_lists_events_and_row_changes(api_client_for, alice, victor, artifact):
    artifact_update(acting_user=alice, artifact=artifact, title="Renamed", reason="clearer")
    response = api_client_for(victor).get(f"/api/v1/artifacts/{artifact.slug}/history/")
    assert response.status_code == 200
    body = response.json()
    kinds = {(i["kind"], i["action"]) for i in body["results"]}
    assert ("event", "artifact.updated") in kinds
    assert ("change", "artifact.update") in kinds
    assert ("change", "artifact.insert") in kinds
    change = next(i for i in body["results"] if i["action"] == "artifact.update")
    assert change["changes"]["title"] == [artifact.title, "Renamed"]
    assert change["actor"] == "alice" and change["reason"] == "clearer"
    assert body["previous"] is None


def test_history_cursor_walks_every_item_once(api_client_for, alice, artifact):
    for i in range(4):
        artifact_update(acting_user=alice, artifact=artifact, title=f"Title {i}", reason=f"r{i}")
    client = api_client_for(alice)
    everything = client.get(
        f"/api/v1/artifacts/{artifact.slug}/history/", {"page_size": 200}
    ).json()["results"]
    seen, url, params = [], f"/api/v1/artifacts/{artifact.slug}/history/", {"page_size": 3}
    while url:
        body = client.get(url, params).json()
        seen += body["results"]
        url, params = body["next"], None
    assert len(everything) == 9  # insert + 4 updates, and 4 business events
    assert seen == everything


def test_history_query_count_is_flat(api_client_for, alice, artifact, count_queries):
    client = api_client_for(alice)
    url = f"/api/v1/artifacts/{artifact.slug}/history/"
    _events(alice, artifact, 2)
    client.get(url)
    few = count_queries(lambda: client.get(url))
    _events(alice, artifact, 10)
    assert few == count_queries(lambda: client.get(url))


def test_restricted_artifact_is_404_for_outsiders(api_client_for, alice, bob, legal1, secret):
    for path in ("history", "as-of", "audit-pack"):
        url = f"/api/v1/artifacts/{secret.slug}/{path}/"
        # Only as-of takes `at`; the history list now refuses parameters it does not know (issue 15).
        params = {"at": timezone.now().isoformat()} if path == "as-of" else {}
        assert api_client_for(alice).get(url, params).status_code == 404
        if path == "history":
            assert (
                api_client_for(alice).get(url, {"bogus": "1"}).status_code == 404
            )  # 404 before 400
        assert api_client_for(bob).get(url, params).status_code == 200
        assert api_client_for(legal1).get(url, params).status_code == 200


def test_as_of_requires_a_valid_at(api_client_for, alice, artifact):
    url = f"/api/v1/artifacts/{artifact.slug}/as-of/"
    client = api_client_for(alice)
    missing = client.get(url)
    assert missing.status_code == 400 and "at" in missing.json()
    assert client.get(url, {"at": "not-a-date"}).status_code == 400
    assert client.get(url, {"at": "2026-01-01T10:00:00"}).status_code == 400  # no time zone
    assert (
        client.get("/api/v1/artifacts/nope/as-of/", {"at": timezone.now().isoformat()}).status_code
        == 404
    )
    assert client.get(url, {"at": timezone.now().isoformat()}).status_code == 200
    assert api_client_for().get(url, {"at": timezone.now().isoformat()}).status_code == 401


def test_schema_stays_valid(api_client_for, admin_user):
    response = api_client_for(admin_user).get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = response.content.decode()
    for path in ("/api/v1/audit-events/", "/as-of/", "/history/", "/audit-pack/"):
        assert path in paths
