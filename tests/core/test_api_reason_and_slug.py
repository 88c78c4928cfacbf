"""Issue 15 finding 11(b, c): API edits carry a reason (X-Reason) into their audit event; a
taken slug answers the same way whether the requester may see the holder or not (Rule 8)."""

import pytest

from catalogue import odrl
from catalogue.models import AuditEvent
from tests.factories import ArtifactFactory, ConsentFactory, ContributorFactory, IPAssignmentFactory

pytestmark = pytest.mark.django_db
WHY = "Ticket LEG-42: corrected after the review"


def last(action):
    return AuditEvent.objects.filter(action=action).order_by("-id").first()


def test_artifact_patch_reason_reaches_the_audit_event(api_client_for, carol, retail):
    art = ArtifactFactory(owner_team=retail)
    resp = api_client_for(carol).patch(
        f"/api/v1/artifacts/{art.slug}/", {"title": "Better"}, format="json", HTTP_X_REASON=WHY
    )
    assert resp.status_code == 200, resp.json()
    assert last("artifact.updated").reason == WHY


def test_reason_may_be_percent_encoded_utf8(api_client_for, carol, retail):
    art = ArtifactFactory(owner_team=retail)
    api_client_for(carol).patch(
        f"/api/v1/artifacts/{art.slug}/",
        {"title": "Better"},
        format="json",
        HTTP_X_REASON="Fix%C3%A9%20%E2%80%94%20typo",
    )
    assert last("artifact.updated").reason == "Fixé — typo"


def test_policy_put_reason_reaches_the_audit_event(api_client_for, alice, retail):
    art = ArtifactFactory(owner_team=retail)
    doc = odrl.build_policy(
        artifact_slug=art.slug, owner_team_slug="retail", teams=None, actions=["use"]
    )
    resp = api_client_for(alice).put(
        f"/api/v1/artifacts/{art.slug}/policy/", doc, format="json", HTTP_X_REASON=WHY
    )
    assert resp.status_code == 200, resp.content
    event = AuditEvent.objects.filter(artifact=art).order_by("-id").first()
    assert event.reason == WHY


def test_version_post_reason_reaches_the_audit_event(api_client_for, carol, retail):
    art = ArtifactFactory(owner_team=retail)
    resp = api_client_for(carol).post(
        f"/api/v1/artifacts/{art.slug}/versions/",
        {"version": "1.0.0"},
        format="json",
        HTTP_X_REASON=WHY,
    )
    assert resp.status_code == 201, resp.json()
    assert last("version.created").reason == WHY


def test_consent_and_ip_patch_reasons_reach_the_audit_event(api_client_for, legal1, retail):
    consent = ConsentFactory()
    client = api_client_for(legal1)
    resp = client.patch(
        f"/api/v1/consents/{consent.pk}/",
        {"notice_version": "2026.2"},
        format="json",
        HTTP_X_REASON=WHY,
    )
    assert resp.status_code == 200, resp.json()
    assert last("consent.changed").reason == WHY
    assignment = IPAssignmentFactory(artifact=ArtifactFactory(owner_team=retail))
    resp = client.patch(
        f"/api/v1/ip-assignments/{assignment.pk}/",
        {"scope": "UK only"},
        format="json",
        HTTP_X_REASON=WHY,
    )
    assert resp.status_code == 200, resp.json()
    assert last("ip_assignment.changed").reason == WHY


def test_contributor_patch_reason_reaches_the_audit_event(api_client_for, legal1):
    person = ContributorFactory()
    resp = api_client_for(legal1).patch(
        f"/api/v1/contributors/{person.pk}/",
        {"organisation": "Studio South"},
        format="json",
        HTTP_X_REASON=WHY,
    )
    assert resp.status_code == 200, resp.json()
    assert (
        AuditEvent.objects.filter(object_type="contributor", object_id=str(person.pk))
        .order_by("-id")
        .first()
        .reason
        == WHY
    )


def test_taken_slug_answers_alike_for_visible_and_restricted_holders(
    api_client_for, bob, retail, cards
):
    ArtifactFactory(owner_team=retail, restricted=True, slug="project-falcon")
    ArtifactFactory(owner_team=retail, slug="open-thing")
    client = api_client_for(bob)
    assert client.get("/api/v1/artifacts/project-falcon/").status_code == 404

    def register(slug):
        return client.post(
            "/api/v1/artifacts/",
            {"slug": slug, "title": "T", "kind": "content", "owner_team": "cards"},
            format="json",
        )

    hidden, visible = register("project-falcon"), register("open-thing")
    assert hidden.status_code == visible.status_code == 400

    def words(resp):  # the message without its random suggestion
        return resp.json()["slug"][0].split(" For example")[0]

    assert words(hidden) == words(visible) == "This slug is unavailable; choose another."
    assert "exist" not in str(hidden.json())
    suggestion = hidden.json()["slug"][0].split("'")[1]
    assert register(suggestion).status_code == 201
