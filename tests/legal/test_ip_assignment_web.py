"""The legal-only IP assignment form: access, validation, content-checked document, links."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from catalogue.legal_rules import missing_assignors
from catalogue.models import AuditEvent, IPAssignment
from tests.factories import ArtifactFactory, AuthorshipFactory, ContributorFactory
from tests.upload_samples import pdf_bytes

URL = "/legal/ip-assignments/new/"
PDF = pdf_bytes()


@pytest.fixture
def gap(retail):
    agency = ContributorFactory(agency=True)
    artifact = ArtifactFactory(
        owner_team=retail, customer=True, published=True, slug="gap-artifact"
    )
    AuthorshipFactory(artifact=artifact, contributor=agency)
    return artifact, agency


def payload(art, who, **extra):
    return {
        "artifact": art.slug,
        "assignor": who.pseudonym,
        "assignee": "The Bank",
        "kind": "assignment",
        "status": "signed",
        "signed_on": "2026-03-01",
        "scope": "All rights, worldwide.",
        "jurisdiction": "gb",
        **extra,
    }


def test_only_legal_and_admins(gap, client, alice, carol, victor, legal1, admin_user):
    artifact, agency = gap
    for user in (alice, carol, victor):
        client.force_login(user)
        assert client.get(URL).status_code == 403
        assert client.post(URL, payload(artifact, agency)).status_code == 403
    assert not IPAssignment.objects.exists()
    for user in (legal1, admin_user):
        client.force_login(user)
        assert client.get(URL).status_code == 200


def test_records_a_signed_assignment_with_document_and_closes_the_gap(gap, client, legal1):
    artifact, agency = gap
    assert missing_assignors([artifact.pk])[artifact.pk] == [agency]
    client.force_login(legal1)
    page = client.get(
        URL, {"artifact": artifact.slug, "assignor": agency.pseudonym}
    ).content.decode()
    assert f'value="{artifact.slug}"' in page and f'value="{agency.pseudonym}"' in page
    document = SimpleUploadedFile("signed.pdf", PDF, content_type="application/pdf")
    response = client.post(URL, payload(artifact, agency, document=document, document_type="pdf"))
    assert response.status_code == 302 and response["Location"] == f"/artifacts/{artifact.slug}/"
    assignment = IPAssignment.objects.get()
    assert (assignment.artifact, assignment.assignor, assignment.status) == (
        artifact,
        agency,
        "signed",
    )
    assert assignment.jurisdiction == "GB" and assignment.document.name.endswith(".pdf")
    assert missing_assignors([artifact.pk]).get(artifact.pk, []) == []
    actions = set(
        AuditEvent.objects.filter(object_id=str(assignment.pk)).values_list("action", flat=True)
    )
    assert actions == {"ip_assignment.recorded", "ip_assignment.document_attached"}
    html = client.get("/legal/ip-gaps/").content.decode()
    assert (
        "IP assignment" in html and "/artifacts/gap-artifact/" not in html
    )  # message shown, row gone


def test_refusals_save_nothing(gap, client, legal1):
    artifact, agency = gap
    client.force_login(legal1)
    cases = [
        (payload(artifact, agency, signed_on=""), "A signed assignment needs its signing date."),
        (payload(artifact, agency, artifact="no-such-thing"), "No artifact with that slug."),
        (
            payload(artifact, agency, assignor="contributor-nobody"),
            "No contributor with that pseudonym or id.",
        ),
        # Not a PDF, whatever it claims: the content check refuses it and the row is not kept.
        (
            payload(
                artifact,
                agency,
                document=SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf"),
                document_type="pdf",
            ),
            "not PDF as declared",
        ),
        (
            payload(artifact, agency, document=SimpleUploadedFile("x.pdf", PDF)),
            "Say what kind of file",
        ),
    ]
    for data, message in cases:
        response = client.post(URL, data)
        assert response.status_code == 200, message
        assert message in response.content.decode(), message
    assert not IPAssignment.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="ip_assignment.").exists()


def test_linked_from_ip_gaps_and_the_legal_panel(gap, client, legal1, alice):
    artifact, agency = gap
    client.force_login(legal1)
    gaps = client.get("/legal/ip-gaps/").content.decode()
    assert f"{URL}?artifact=gap-artifact&amp;assignor={agency.pseudonym}" in gaps
    panel = client.get(f"/artifacts/{artifact.slug}/").content.decode()
    assert 'id="legal-record-ip"' in panel and f"{URL}?artifact=gap-artifact" in panel
    client.force_login(alice)
    assert 'id="legal-record-ip"' not in client.get(f"/artifacts/{artifact.slug}/").content.decode()
