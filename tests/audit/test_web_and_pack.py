"""Audit web pages, the artifact page's history panel, and the audit pack (JSON and printable)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from catalogue.models import AuditEvent, ConsentCoverage, ReusePolicy
from catalogue.services.artifacts import artifact_update
from catalogue.services.audit import audit_event
from catalogue.views.panels import ARTIFACT_PANELS
from tests.factories import (
    ArtifactFactory,
    AuthorshipFactory,
    ConsentFactory,
    ContributorFactory,
    IPAssignmentFactory,
    ReviewFactory,
    VersionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def artifact(retail):
    return ArtifactFactory(owner_team=retail, slug="journey", title="Journey")


def _events(actor, artifact, n):
    for i in range(n):
        audit_event(actor=actor, action="artifact.noted", obj=artifact, reason=f"note {i}")


def test_audit_page_for_legal_and_admin_only(client, legal1, admin_user, alice, artifact):
    _events(alice, artifact, 2)
    url = reverse("catalogue:audit_events")
    assert url == "/audit/"
    client.force_login(alice)
    assert client.get(url).status_code == 403
    for user in (legal1, admin_user):
        client.force_login(user)
        html = client.get(url).content.decode()
        assert html.count('class="audit-event"') == 2
        assert "note 1" in html and 'href="/artifacts/journey/history/"' in html


def test_audit_page_filters_and_keyset_pages(client, legal1, alice, bob, artifact):
    _events(alice, artifact, 3)
    audit_event(actor=bob, action="artifact.published", obj=artifact, reason="go live")
    client.force_login(legal1)
    url = reverse("catalogue:audit_events")
    assert client.get(url, {"actor": "bob"}).content.decode().count('class="audit-event"') == 1
    assert (
        client.get(url, {"action": "artifact.noted"}).content.decode().count('class="audit-event"')
        == 3
    )
    assert (
        client.get(url, {"object": "artifact:journey"})
        .content.decode()
        .count('class="audit-event"')
        == 4
    )
    later = (timezone.localtime() + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    assert 'id="audit-empty"' in client.get(url, {"since": later}).content.decode()
    assert client.get(url, {"since": "nonsense"}).status_code == 400
    from catalogue.views import audit as views

    views.PAGE_SIZE, original = 2, views.PAGE_SIZE
    try:
        first = client.get(url)
        assert first.content.decode().count('class="audit-event"') == 2
        following = first.context["next_query"]
        second = client.get(f"{url}?{following}")
        assert "go live" not in second.content.decode()
        assert second.content.decode().count('class="audit-event"') == 2
    finally:
        views.PAGE_SIZE = original


def test_audit_page_query_count_is_flat(client, legal1, alice, artifact, count_queries):
    client.force_login(legal1)
    url = reverse("catalogue:audit_events")
    _events(alice, artifact, 2)
    client.get(url)
    few = count_queries(lambda: client.get(url))
    _events(alice, ArtifactFactory(), 10)
    assert few == count_queries(lambda: client.get(url))


def test_history_panel_is_registered_and_lists_latest_events(client, alice, victor, artifact):
    panel = next(p for p in ARTIFACT_PANELS if p.key == "history")
    assert panel.order == 90
    artifact_update(
        acting_user=alice, artifact=artifact, title="Journey 2", reason="renamed for clarity"
    )
    client.force_login(victor)
    html = client.get(reverse("catalogue:artifact_detail", args=[artifact.slug])).content.decode()
    assert 'id="panel-history"' in html
    assert "artifact.updated" in html and "renamed for clarity" in html and "alice" in html
    assert f'href="{reverse("catalogue:artifact_history", args=[artifact.slug])}"' in html


def test_history_page_shows_events_and_row_changes(client, alice, victor, artifact):
    artifact_update(acting_user=alice, artifact=artifact, title="Journey 2", reason="renamed")
    client.force_login(victor)
    html = client.get(reverse("catalogue:artifact_history", args=[artifact.slug])).content.decode()
    assert "history-event" in html and "history-change" in html
    assert "Journey 2" in html


def test_restricted_pages_404_for_outsiders(client, alice, cards):
    secret = ArtifactFactory(owner_team=cards, restricted=True)
    client.force_login(alice)
    for name in ("artifact_history", "artifact_as_of", "artifact_audit_pack"):
        assert client.get(reverse(f"catalogue:{name}", args=[secret.slug])).status_code == 404


def test_as_of_page_rejects_a_bad_moment(client, alice, artifact):
    client.force_login(alice)
    response = client.get(reverse("catalogue:artifact_as_of", args=[artifact.slug]), {"at": "soon"})
    assert response.status_code == 400
    assert "invalid-feedback" in response.content.decode()


@pytest.fixture
def full_artifact(artifact, alice, admin_user):
    person = ContributorFactory(legal_name="Ada Customer", email="ada@example.com", customer=True)
    AuthorshipFactory(artifact=artifact, contributor=person)
    VersionFactory(artifact=artifact, version="1.0.0")
    policy = ReusePolicy.objects.create(
        artifact=artifact, revision=1, odrl={"uid": "p1"}, summary="first"
    )
    ReusePolicy.objects.create(artifact=artifact, revision=2, odrl={"uid": "p2"}, summary="second")
    artifact.current_policy = policy
    artifact.save()
    ConsentCoverage.objects.create(consent=ConsentFactory(contributor=person), artifact=artifact)
    IPAssignmentFactory(artifact=artifact, assignor=person)
    ReviewFactory(artifact=artifact)
    artifact_update(acting_user=alice, artifact=artifact, title="Journey 2", reason="renamed")
    return artifact


def test_pack_json_for_owner_team_without_personal_data(api_client_for, alice, full_artifact):
    response = api_client_for(alice).get(f"/api/v1/artifacts/{full_artifact.slug}/audit-pack/")
    assert response.status_code == 200
    pack = response.json()
    assert set(pack) == {
        "artifact",
        "versions",
        "authorship",
        "lineage",
        "policy_history",
        "consents",
        "ip_chain",
        "reviews",
        "reuses",
        "history",
    }
    assert pack["artifact"]["title"] == "Journey 2"
    assert [p["revision"] for p in pack["policy_history"]] == [1, 2]
    assert [v["version"] for v in pack["versions"]] == ["1.0.0"]
    assert "Ada Customer" not in response.content.decode()
    assert "legal_name" not in pack["consents"][0]["contributor"]
    assert any(h["action"] == "artifact.updated" for h in pack["history"])
    assert not AuditEvent.objects.filter(action="contributor.personal_data_viewed").exists()


def test_pack_for_legal_includes_personal_data_and_logs_the_access(
    api_client_for, legal1, full_artifact
):
    response = api_client_for(legal1).get(f"/api/v1/artifacts/{full_artifact.slug}/audit-pack/")
    pack = response.json()
    assert pack["consents"][0]["contributor"]["legal_name"] == "Ada Customer"
    assert pack["ip_chain"][0]["assignor"]["email"] == "ada@example.com"
    access = AuditEvent.objects.get(action="contributor.personal_data_viewed")
    assert access.actor == legal1 and access.artifact_id == full_artifact.pk


def test_pack_refused_to_other_teams_and_viewers(api_client_for, bob, victor, full_artifact):
    for user in (bob, victor):
        assert (
            api_client_for(user)
            .get(f"/api/v1/artifacts/{full_artifact.slug}/audit-pack/")
            .status_code
            == 403
        )


def test_printable_pack_page(client, admin_user, victor, full_artifact):
    client.force_login(admin_user)
    response = client.get(reverse("catalogue:artifact_audit_pack", args=[full_artifact.slug]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "@media print" in html and "Revision 2" in html and "Ada Customer" in html
    for section in (
        "pack-versions",
        "pack-authorship",
        "pack-lineage",
        "pack-policies",
        "pack-consents",
        "pack-ip",
        "pack-reviews",
        "pack-reuses",
        "pack-history",
    ):
        assert f'id="{section}"' in html
    client.force_login(victor)
    assert (
        client.get(reverse("catalogue:artifact_audit_pack", args=[full_artifact.slug])).status_code
        == 403
    )
