"""Rule 1: publishing needs a version; each later version passes the gates before it can be reused."""

import pytest
from django.urls import reverse

from catalogue.models import AuditEvent, Reuse
from catalogue.models import choices as c
from catalogue.rules import RuleViolation
from catalogue.services.artifacts import version_create
from catalogue.services.lifecycle import artifact_publish
from tests.factories import ArtifactFactory, AuthorshipFactory
from tests.rights.conftest import set_policy

pytestmark = pytest.mark.django_db

REUSE = {
    "team": "retail",
    "initiative": "Branch redesign",
    "purpose": "marketing",
    "channel": "web",
    "mode": "as_is",
    "occurred_on": "2026-10-01",
}


def url(slug, action):
    return f"/api/v1/artifacts/{slug}/{action}/"


@pytest.fixture
def ready(retail, admin_user):
    """A draft retail artifact with intent, an originator and a policy, but no version."""
    artifact = ArtifactFactory(owner_team=retail, slug="journey")
    AuthorshipFactory(artifact=artifact)
    set_policy(artifact, admin_user)
    return artifact


def test_publish_needs_a_version(api_client_for, alice, ready):
    with pytest.raises(RuleViolation) as exc:
        artifact_publish(acting_user=alice, artifact=ready)
    assert [r.code for r in exc.value.reasons] == ["publish.version_missing"]
    res = api_client_for(alice).post(url("journey", "publish"), {})
    assert res.status_code == 409
    assert [r["code"] for r in res.json()["reasons"]] == ["publish.version_missing"]
    ready.refresh_from_db()
    assert ready.status == c.ArtifactStatus.DRAFT


def test_a_later_version_is_a_draft_until_published_through_the_gates(
    api_client_for, alice, carol, ready
):
    client = api_client_for(alice)
    assert client.post(url("journey", "versions"), {"version": "1.0"}).status_code == 201
    assert client.post(url("journey", "publish"), {}).status_code == 200
    assert client.post(url("journey", "versions"), {"version": "2.0"}).status_code == 201
    body = client.get("/api/v1/artifacts/journey/").json()
    assert body["status"] == "published" and body["current_version"] == "1.0"
    versions = {v["version"]: v for v in client.get(url("journey", "versions")).json()["results"]}
    assert versions["2.0"]["published_at"] is None and versions["2.0"]["status"] == "draft"
    assert versions["1.0"]["status"] == "published"

    reuser = api_client_for(carol)
    refused = reuser.post("/api/v1/reuses/", {**REUSE, "artifact": "journey", "version": "2.0"})
    assert refused.status_code == 409, refused.content
    assert [r["code"] for r in refused.json()["reasons"]] == ["reuse.version_unpublished"]
    assert not Reuse.objects.exists()
    default = reuser.post("/api/v1/reuses/", {**REUSE, "artifact": "journey"})
    assert default.status_code == 201 and default.json()["version"] == "1.0"

    published = client.post(url("journey", "publish"), {"version": "2.0", "reason": "v2 ready"})
    assert published.status_code == 200, published.content
    assert published.json()["current_version"] == "2.0"
    event = AuditEvent.objects.get(action="version.published")
    assert event.reason == "v2 ready" and event.changes["current_version"] == ["1.0", "2.0"]
    again = client.post(url("journey", "publish"), {"version": "2.0"})
    assert again.status_code == 409
    assert [r["code"] for r in again.json()["reasons"]] == ["version.already_published"]
    assert (
        reuser.post(
            "/api/v1/reuses/", {**REUSE, "artifact": "journey", "version": "2.0"}
        ).status_code
        == 201
    )


def test_a_later_version_meets_the_same_gates(alice, ready):
    version_create(acting_user=alice, artifact=ready, version="1.0")
    artifact_publish(acting_user=alice, artifact=ready)
    v2 = version_create(acting_user=alice, artifact=ready, version="2.0")
    type(ready).objects.filter(pk=ready.pk).update(intent="")
    with pytest.raises(RuleViolation) as exc:
        artifact_publish(acting_user=alice, artifact=ready, version=v2)
    assert [r.code for r in exc.value.reasons] == ["publish.intent_missing"]
    v2.refresh_from_db()
    assert v2.published_at is None


def test_web_publishes_a_later_version(client, alice, ready):
    version_create(acting_user=alice, artifact=ready, version="1.0")
    artifact_publish(acting_user=alice, artifact=ready)
    version_create(acting_user=alice, artifact=ready, version="2.0")
    client.force_login(alice)
    page = client.get(reverse("catalogue:artifact_detail", args=["journey"])).content.decode()
    assert 'name="version" value="2.0"' in page
    res = client.post(reverse("catalogue:artifact_publish", args=["journey"]), {"version": "2.0"})
    assert res.status_code == 302
    ready.refresh_from_db()
    assert ready.current_version.version == "2.0" and ready.current_version.published_at is not None
