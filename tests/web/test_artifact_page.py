"""The artifact page: visibility, personal data, buttons by permission, lineage, files, lifecycle."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalogue.models import AuditEvent
from catalogue.models import choices as c
from catalogue.services.uploads import attachment_add
from tests.factories import (
    ArtifactFactory,
    AuthorshipFactory,
    ContributorFactory,
    LineageFactory,
    UserFactory,
    VersionFactory,
)


def url(artifact, name="catalogue:artifact_detail"):
    return reverse(name, args=[artifact.slug])


@pytest.fixture
def journey(retail):
    artifact = ArtifactFactory(
        owner_team=retail,
        title="Mortgage affordability journey",
        intent="Honest affordability before a hard search.",
        constraints="FCA Consumer Duty.",
        constraint_tags=["consumer-duty"],
    )
    AuthorshipFactory(
        artifact=artifact,
        contributor=ContributorFactory(legal_name="Alice Morgan"),
        role=c.AuthorRole.ORIGINATOR,
        credit_share="0.6",
    )
    VersionFactory(artifact=artifact, version="1.0.0", changelog="Launched on web.")
    return artifact


def test_viewer_sees_the_one_page_summary_without_personal_data(client, victor, journey):
    client.force_login(victor)
    response = client.get(url(journey))
    html = response.content.decode()
    assert response.status_code == 200
    for text in (
        "Mortgage affordability journey",
        "Honest affordability before a hard search.",
        "FCA Consumer Duty.",
        "consumer-duty",
        "1.0.0",
        "Launched on web.",
        "60%",
        "Originator",
        journey.authorships.get().contributor.pseudonym,
    ):
        assert text in html
    assert "Alice Morgan" not in html
    assert not AuditEvent.objects.filter(action="contributor.personal_data_viewed").exists()
    for name in ("artifact_edit", "version_create", "artifact_publish", "artifact_submit"):
        assert url(journey, f"catalogue:{name}") not in html


def test_legal_sees_legal_names_and_the_viewing_is_audited(client, legal1, journey):
    client.force_login(legal1)
    html = client.get(url(journey)).content.decode()
    assert "Alice Morgan" in html
    event = AuditEvent.objects.get(action="contributor.personal_data_viewed")
    assert event.actor == legal1
    assert event.changes["contributor_ids"][1] == [journey.authorships.get().contributor_id]


def test_restricted_artifact_is_404_for_outsiders_and_visible_to_team_and_legal(
    client, victor, bob, alice, legal1, cards
):
    secret = ArtifactFactory(owner_team=cards, restricted=True, title="Fraud model")
    for user, status in ((victor, 404), (alice, 404), (bob, 200), (legal1, 200)):
        client.force_login(user)
        assert client.get(url(secret)).status_code == status, user


def test_buttons_follow_permissions(client, alice, carol, bob, journey):
    client.force_login(carol)  # member of the owner team, not maintainer
    html = client.get(url(journey)).content.decode()
    assert url(journey, "catalogue:artifact_edit") in html
    assert url(journey, "catalogue:artifact_submit") in html
    assert url(journey, "catalogue:artifact_publish") not in html
    client.force_login(alice)
    assert url(journey, "catalogue:artifact_publish") in client.get(url(journey)).content.decode()
    client.force_login(bob)  # another team's maintainer
    html = client.get(url(journey)).content.decode()
    assert url(journey, "catalogue:artifact_edit") not in html
    assert url(journey, "catalogue:artifact_publish") not in html


def test_lineage_graph_names_parents_escaped_and_lists_them(client, victor, retail, cards):
    grandparent = ArtifactFactory(owner_team=retail, title="Style guide")
    parent = ArtifactFactory(owner_team=retail, title='Overdraft <script>alert("x")</script> copy')
    child = ArtifactFactory(owner_team=retail, title="Cost-of-living copy")
    grandchild = ArtifactFactory(owner_team=retail, title="Persistent debt letters")
    hidden = ArtifactFactory(owner_team=cards, restricted=True, title="Secret pricing input")
    LineageFactory(child=parent, parent=grandparent, relation=c.LineageRelation.DERIVED_FROM)
    LineageFactory(child=child, parent=parent, relation=c.LineageRelation.ADAPTED_FROM)
    LineageFactory(child=child, parent=hidden, relation=c.LineageRelation.INSPIRED_BY)
    LineageFactory(child=grandchild, parent=child, relation=c.LineageRelation.ADAPTED_FROM)
    client.force_login(victor)
    html = client.get(url(child)).content.decode()
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert "Overdraft &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; copy" in svg
    assert "<script>" not in html.replace("<script src=", "")
    assert "Style guide" in svg and "Persistent debt letters" in svg
    assert "adapted from" in svg
    assert "Secret pricing input" not in html
    parents = html[html.index('id="lineage-parents"') :]
    assert url(parent) in parents[: parents.index("</ul>")]
    assert url(grandchild) in html[html.index('id="lineage-children"') :]


def test_archived_banner_shows_why_and_edit_is_refused(client, alice, retail):
    archived = ArtifactFactory(
        owner_team=retail,
        archived=True,
        title="Loyalty rates",
        retirement_rationale="Poor value for loyal customers.",
        lessons_learned="Test loyalty pricing on those it does not reward.",
    )
    client.force_login(alice)
    html = client.get(url(archived)).content.decode()
    assert 'id="archive-banner"' in html and "Poor value for loyal customers." in html
    assert url(archived, "catalogue:artifact_edit") not in html
    response = client.get(url(archived, "catalogue:artifact_edit"), follow=True)
    assert response.redirect_chain[-1][0] == url(archived)
    assert "archived and read-only" in response.content.decode()
    response = client.post(url(archived, "catalogue:artifact_edit"), {"title": "x"}, follow=True)
    assert "archived and read-only" in response.content.decode()


def test_deprecation_banner_names_the_visible_successor(client, victor, retail):
    successor = ArtifactFactory(owner_team=retail, title="Cashback engine")
    old = ArtifactFactory(
        owner_team=retail,
        status=c.ArtifactStatus.DEPRECATED,
        title="Rewards catalogue",
        retirement_rationale="Low redemption.",
        superseded_by=successor,
    )
    client.force_login(victor)
    html = client.get(url(old)).content.decode()
    assert (
        'id="deprecation-banner"' in html and "Low redemption." in html and url(successor) in html
    )


def _attach(artifact, user, *, evidence=False):
    version = VersionFactory(artifact=artifact, version="2.0.0")
    upload = SimpleUploadedFile(
        "notes.txt", b"Session notes, plain text.", content_type="text/plain"
    )
    return attachment_add(
        acting_user=user,
        version=version,
        uploaded_file=upload,
        declared_type="txt",
        is_evidence=evidence,
    )


def test_files_of_confidential_artifacts_only_for_the_team(client, victor, alice, retail):
    artifact = ArtifactFactory(owner_team=retail, confidential=True)
    attachment = _attach(artifact, alice)
    download = reverse("catalogue:attachment_download", args=[attachment.pk])
    client.force_login(alice)
    assert download in client.get(url(artifact)).content.decode()
    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == b"Session notes, plain text."
    client.force_login(victor)
    assert download not in client.get(url(artifact)).content.decode()
    assert client.get(download).status_code == 403


def test_download_of_a_restricted_artifacts_file_is_404_for_outsiders(
    client, victor, alice, retail
):
    attachment = _attach(ArtifactFactory(owner_team=retail, restricted=True), alice)
    client.force_login(victor)
    assert (
        client.get(reverse("catalogue:attachment_download", args=[attachment.pk])).status_code
        == 404
    )


def test_publish_refused_lists_every_failing_gate(client, alice, retail):
    draft = ArtifactFactory(owner_team=retail, intent="")
    client.force_login(alice)
    response = client.post(url(draft, "catalogue:artifact_publish"), follow=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Not published" in html
    assert "State the intent" in html and "originator" in html and "reuse policy" in html
    draft.refresh_from_db()
    assert draft.status == c.ArtifactStatus.DRAFT


def test_submit_for_review_moves_the_draft(client, carol, journey):
    client.force_login(carol)
    response = client.post(url(journey, "catalogue:artifact_submit"), follow=True)
    assert "submitted for review" in response.content.decode()
    journey.refresh_from_db()
    assert journey.status == c.ArtifactStatus.IN_REVIEW


def test_lifecycle_buttons_refuse_outsiders_with_a_message_not_an_error(client, victor, journey):
    client.force_login(victor)
    response = client.post(url(journey, "catalogue:artifact_publish"), follow=True)
    assert response.status_code == 200 and "Not published" in response.content.decode()
    response = client.post(url(journey, "catalogue:artifact_submit"), follow=True)
    assert response.status_code == 200 and "Not submitted for review" in response.content.decode()
    journey.refresh_from_db()
    assert journey.status == c.ArtifactStatus.DRAFT


def test_lifecycle_buttons_need_post(client, alice, journey):
    client.force_login(alice)
    assert client.get(url(journey, "catalogue:artifact_publish")).status_code == 405


def _populate(artifact, n):
    for i in range(n):
        AuthorshipFactory(artifact=artifact, credit_share=0)
        version = VersionFactory(artifact=artifact, version=f"{n}.{i}")
        attachment_add(
            acting_user=UserFactory(username="admin", roles=[c.Role.ADMIN]),
            version=version,
            uploaded_file=SimpleUploadedFile("a.txt", b"text"),
            declared_type="txt",
        )
        LineageFactory(child=ArtifactFactory(owner_team=artifact.owner_team), parent=artifact)
        LineageFactory(child=artifact, parent=ArtifactFactory(owner_team=artifact.owner_team))


@pytest.mark.parametrize("user_fixture", ["alice", "legal1"])
def test_query_count_does_not_grow_with_authors_versions_or_lineage(
    request, client, retail, count_queries, user_fixture
):
    user = request.getfixturevalue(user_fixture)
    artifact = ArtifactFactory(owner_team=retail)
    _populate(artifact, 2)
    client.force_login(user)
    client.get(url(artifact))
    few = count_queries(lambda: client.get(url(artifact)))
    _populate(artifact, 10)
    many = count_queries(lambda: client.get(url(artifact)))
    assert few == many


def test_pages_use_no_inline_styles_or_handlers(client, alice, journey, retail):
    """CSP: no style= attributes and no on*= handlers in what these views render."""
    LineageFactory(child=ArtifactFactory(owner_team=retail), parent=journey)
    client.force_login(alice)
    for target in (
        "/artifacts/",
        url(journey),
        "/artifacts/new/",
        url(journey, "catalogue:artifact_edit"),
        url(journey, "catalogue:version_create"),
    ):
        html = client.get(target).content.decode()
        assert " style=" not in html, target
        assert " onclick=" not in html and " onchange=" not in html, target
