"""API per role: consents/, ip-assignments/, reviews/ (400/403/404/409), receipts, query counts."""

import datetime as dt

import jsonschema
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from catalogue.models import AuditEvent, IPAssignment, Review
from catalogue.models import choices as c
from catalogue.receipts import receipt_schema, validate_receipt
from tests.factories import (
    ArtifactFactory,
    ConsentFactory,
    ContributorFactory,
    ReviewFactory,
)
from tests.upload_samples import pdf_bytes

PDF = pdf_bytes()


@pytest.fixture
def consent(cleared):
    return cleared["consent"]


def test_non_legal_users_get_403_on_every_consent_endpoint(
    consent, alice, victor, bob, api_client_for
):
    for user in (alice, victor, bob):
        client = api_client_for(user)
        assert client.get("/api/v1/consents/").status_code == 403
        assert client.get(f"/api/v1/consents/{consent.pk}/").status_code == 403
        assert client.post("/api/v1/consents/", {}).status_code == 403
        assert (
            client.patch(f"/api/v1/consents/{consent.pk}/", {"notice_version": "x"}).status_code
            == 403
        )
        assert (
            client.post(f"/api/v1/consents/{consent.pk}/withdraw/", {"reason": "x"}).status_code
            == 403
        )
        assert client.get(f"/api/v1/consents/{consent.pk}/receipt/").status_code == 403
        assert client.get(f"/api/v1/consents/{consent.pk}/evidence/").status_code == 403
        assert client.get("/api/v1/ip-assignments/").status_code == 403
    assert api_client_for(None).get("/api/v1/consents/").status_code == 401


def test_legal_creates_patches_and_reads_consents(cleared, legal1, api_client_for):
    client = api_client_for(legal1)
    customer = ContributorFactory(customer=True)
    payload = {
        "contributor": customer.pk,
        "artifacts": [cleared["artifact"].slug],
        "purposes": ["research", "model_training"],
        "obtained_at": "2026-01-02T10:00:00Z",
        "expires_at": "2027-01-02T10:00:00Z",
        "method": "written",
        "notice_version": "2026.2",
        "jurisdiction": "gb",
        "external_ref": "CMP-77",
    }
    response = client.post("/api/v1/consents/", payload, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "given" and body["artifacts"] == [cleared["artifact"].slug]
    assert body["jurisdiction"] == "GB"
    patched = client.patch(
        f"/api/v1/consents/{body['id']}/",
        {"purposes": ["research"], "status": "withdrawn"},
        format="json",
    )
    assert patched.status_code == 200 and patched.json()["purposes"] == ["research"]
    assert patched.json()["status"] == "given"  # read-only
    assert client.get(f"/api/v1/consents/{body['id']}/").status_code == 200
    assert (
        AuditEvent.objects.filter(action="consent.viewed", object_id=str(body["id"])).count() == 1
    )


def test_consent_validation_errors(legal1, api_client_for):
    client = api_client_for(legal1)
    response = client.post(
        "/api/v1/consents/", {"purposes": ["astrology"], "method": "pigeon"}, format="json"
    )
    assert response.status_code == 400
    assert {"contributor", "purposes", "method", "obtained_at"} <= set(response.json())
    assert client.get("/api/v1/consents/999999/").status_code == 404


def test_withdraw_endpoint_returns_impact_and_409_when_ended(chain, legal1, api_client_for):
    client = api_client_for(legal1)
    consent = chain["consent"]
    assert (
        client.post(f"/api/v1/consents/{consent.pk}/withdraw/", {}, format="json").status_code
        == 400
    )
    response = client.post(
        f"/api/v1/consents/{consent.pk}/withdraw/", {"reason": "Asked."}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "withdrawn"
    assert body["impact"]["artifacts"] == sorted(
        ["co-created-journey", "child-journey", "grandchild-journey"]
    )
    assert body["impact"]["reuses"] == [] and body["impact"]["reuse_count"] == 0
    response = client.patch(
        f"/api/v1/consents/{consent.pk}/", {"notice_version": "x"}, format="json"
    )
    assert response.status_code == 409 and response.json()["reasons"][0]["code"] == "consent.final"


def test_receipt_validates_against_kantara_schema(consent, legal1, api_client_for):
    response = api_client_for(legal1).get(f"/api/v1/consents/{consent.pk}/receipt/")
    assert response.status_code == 200
    receipt = response.json()
    validate_receipt(receipt)
    jsonschema.Draft4Validator(receipt_schema()).validate(receipt)
    assert receipt["piiPrincipalId"] == "CRM-123"  # the external reference, not a name
    assert [p["purpose"] for p in receipt["services"][0]["purposes"]] == [
        "product_design",
        "research",
    ]
    assert AuditEvent.objects.filter(action="consent.receipt_viewed").count() == 1


def test_schema_validation_can_fail(consent):
    from catalogue.receipts import consent_receipt

    broken = consent_receipt(consent)
    del broken["piiControllers"][0]["email"]
    with pytest.raises(jsonschema.ValidationError):
        validate_receipt(broken)


def test_evidence_upload_is_content_checked_and_download_audited(consent, legal1, api_client_for):
    client = api_client_for(legal1)
    url = f"/api/v1/consents/{consent.pk}/evidence/"
    assert client.get(url).status_code == 404
    fake = SimpleUploadedFile("form.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    assert (
        client.post(url, {"file": fake, "declared_type": "pdf"}, format="multipart").status_code
        == 400
    )
    good = SimpleUploadedFile("form.pdf", PDF, content_type="application/pdf")
    response = client.post(url, {"file": good, "declared_type": "pdf"}, format="multipart")
    assert response.status_code == 200, response.json()
    assert response.json()["has_evidence"] is True
    download = client.get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert (
        AuditEvent.objects.filter(
            action="consent.evidence_downloaded", object_id=str(consent.pk)
        ).count()
        == 1
    )


def test_consent_list_filters_and_query_count(legal1, api_client_for, count_queries, cleared):
    client = api_client_for(legal1)
    ConsentFactory(expires_at=timezone.now() + dt.timedelta(days=5)).artifacts.add(
        cleared["artifact"]
    )
    ConsentFactory(status=c.ConsentStatus.WITHDRAWN)
    assert len(client.get("/api/v1/consents/?view=expiring").json()["results"]) == 1
    assert len(client.get("/api/v1/consents/?view=withdrawn").json()["results"]) == 1
    few = count_queries(lambda: client.get("/api/v1/consents/"))
    for _ in range(10):
        ConsentFactory().artifacts.add(ArtifactFactory())
    many = count_queries(lambda: client.get("/api/v1/consents/"))
    assert few == many
    assert len(client.get("/api/v1/consents/").json()["results"]) == 13


def test_ip_assignments_api(cleared, legal1, api_client_for, count_queries):
    client = api_client_for(legal1)
    agency = ContributorFactory(agency=True)
    response = client.post(
        "/api/v1/ip-assignments/",
        {
            "artifact": cleared["artifact"].slug,
            "assignor": agency.pk,
            "kind": "exclusive_licence",
            "status": "signed",
        },
        format="json",
    )
    assert response.status_code == 400 and "signed_on" in response.json()
    response = client.post(
        "/api/v1/ip-assignments/",
        {
            "artifact": cleared["artifact"].slug,
            "assignor": agency.pk,
            "kind": "exclusive_licence",
            "signed_on": "2026-03-01",
            "status": "signed",
            "scope": "Worldwide",
            "jurisdiction": "gb",
        },
        format="json",
    )
    assert response.status_code == 201
    pk = response.json()["id"]
    assert (
        client.patch(
            f"/api/v1/ip-assignments/{pk}/", {"status": "revoked"}, format="json"
        ).status_code
        == 200
    )
    conflict = client.patch(f"/api/v1/ip-assignments/{pk}/", {"scope": "UK"}, format="json")
    assert conflict.status_code == 409 and conflict.json()["reasons"][0]["code"] == "ip.revoked"
    few = count_queries(lambda: client.get("/api/v1/ip-assignments/"))
    for _ in range(10):
        IPAssignment.objects.create(
            artifact=ArtifactFactory(),
            assignor=ContributorFactory(customer=True),
            kind="assignment",
        )
    assert count_queries(lambda: client.get("/api/v1/ip-assignments/")) == few


def test_reviews_visibility_request_and_decide(
    retail, cards, alice, bob, victor, legal1, legal2, api_client_for
):
    mine = ReviewFactory(artifact=ArtifactFactory(owner_team=retail, customer=True))
    hidden = ReviewFactory(artifact=ArtifactFactory(owner_team=cards, restricted=True))

    def ids(user):
        return {r["id"] for r in api_client_for(user).get("/api/v1/reviews/").json()["results"]}  # noqa: E731

    assert ids(legal1) == {mine.pk, hidden.pk}
    assert ids(alice) == {mine.pk}
    assert ids(victor) == set()
    assert api_client_for(alice).get(f"/api/v1/reviews/{hidden.pk}/").status_code == 404

    artifact = ArtifactFactory(owner_team=retail, customer=True)
    ConsentFactory().artifacts.add(artifact)  # approving what no consent covers is refused
    response = api_client_for(alice).post(
        "/api/v1/reviews/",
        {
            "artifact": artifact.slug,
            "kind": "consent_ip",
            "purposes": ["model_training"],
        },
        format="json",
    )
    assert response.status_code == 201
    review = response.json()
    assert review["required_approvals"] == 2 and review["requested_by"] == "alice"
    assert (
        api_client_for(bob)
        .post("/api/v1/reviews/", {"artifact": artifact.slug, "kind": "consent_ip"}, format="json")
        .status_code
        == 403
    )
    restricted = ArtifactFactory(owner_team=cards, restricted=True)
    assert (
        api_client_for(alice)
        .post(
            "/api/v1/reviews/", {"artifact": restricted.slug, "kind": "consent_ip"}, format="json"
        )
        .status_code
        == 400
    )

    decide = f"/api/v1/reviews/{review['id']}/decide/"
    assert (
        api_client_for(alice).post(decide, {"decision": "approve", "rationale": "x"}).status_code
        == 403
    )
    assert api_client_for(legal1).post(decide, {"decision": "approve"}).status_code == 400
    first = api_client_for(legal1).post(decide, {"decision": "approve", "rationale": "Fine."})
    assert first.status_code == 200 and first.json()["status"] == "open"
    again = api_client_for(legal1).post(decide, {"decision": "approve", "rationale": "Again."})
    assert again.status_code == 409 and again.json()["reasons"][0]["code"] == "review.same_reviewer"
    second = api_client_for(legal2).post(decide, {"decision": "approve", "rationale": "Fine too."})
    assert second.json()["status"] == "approved" and len(second.json()["decisions"]) == 2
    late = api_client_for(legal2).post(decide, {"decision": "reject", "rationale": "Late."})
    assert late.status_code == 409 and late.json()["reasons"][0]["code"] == "review.already_decided"


def test_review_list_query_count(retail, legal1, api_client_for, count_queries):
    client = api_client_for(legal1)
    ReviewFactory(artifact=ArtifactFactory(owner_team=retail))
    ReviewFactory(artifact=ArtifactFactory(owner_team=retail))
    few = count_queries(lambda: client.get("/api/v1/reviews/"))
    for _ in range(10):
        ReviewFactory(artifact=ArtifactFactory(owner_team=retail), requested_by=legal1)
    assert count_queries(lambda: client.get("/api/v1/reviews/")) == few
    assert Review.objects.count() == 12


def test_schema_is_valid(legal1, api_client_for):
    response = api_client_for(legal1).get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200


def test_ip_document_upload_is_content_checked(cleared, legal1, alice, api_client_for):
    assignment = IPAssignment.objects.get(artifact=cleared["artifact"])
    url = f"/api/v1/ip-assignments/{assignment.pk}/document/"
    client = api_client_for(legal1)
    assert api_client_for(alice).get(url).status_code == 403
    assert client.get(url).status_code == 404
    bad = SimpleUploadedFile("deed.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    assert (
        client.post(url, {"file": bad, "declared_type": "pdf"}, format="multipart").status_code
        == 400
    )
    good = SimpleUploadedFile("deed.pdf", PDF, content_type="application/pdf")
    response = client.post(url, {"file": good, "declared_type": "pdf"}, format="multipart")
    assert response.status_code == 200 and response.json()["has_document"] is True
    assert b"".join(client.get(url).streaming_content) == PDF
    assert AuditEvent.objects.filter(action="ip_assignment.document_downloaded").count() == 1


def test_end_endpoint_revokes_and_invalidates(chain, legal1, alice, api_client_for):
    url = f"/api/v1/consents/{chain['consent'].pk}/end/"
    assert (
        api_client_for(alice)
        .post(url, {"status": "revoked", "reason": "x"}, format="json")
        .status_code
        == 403
    )
    assert (
        api_client_for(legal1)
        .post(url, {"status": "given", "reason": "x"}, format="json")
        .status_code
        == 400
    )
    response = api_client_for(legal1).post(
        url, {"status": "revoked", "reason": "Script defect."}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "revoked"
    assert len(response.json()["impact"]["artifacts"]) == 3
    again = api_client_for(legal1).post(
        url, {"status": "invalidated", "reason": "x"}, format="json"
    )
    assert again.status_code == 409 and again.json()["reasons"][0]["code"] == "consent.final"


def test_recording_a_licence_or_consent_keeps_the_api_reason(cleared, legal1, api_client_for):
    """Found by tests/rights/test_every_door.py: a licence signed through the API (which lifts
    `ip.assignment_missing`) was audited with an empty reason although X-Reason was sent."""
    from catalogue.models import AuditEvent

    client = api_client_for(legal1)
    agency = ContributorFactory(agency=True)
    response = client.post(
        "/api/v1/ip-assignments/",
        {
            "artifact": cleared["artifact"].slug,
            "assignor": agency.pk,
            "kind": "non_exclusive_licence",
            "signed_on": "2026-03-01",
            "status": "signed",
        },
        format="json",
        HTTP_X_REASON="Agency contract 2026-114 countersigned",
    )
    assert response.status_code == 201, response.content
    event = AuditEvent.objects.get(
        action="ip_assignment.recorded", object_id=str(response.json()["id"])
    )
    assert event.reason == "Agency contract 2026-114 countersigned"
