"""Legal workspace pages: roles, audited personal-data views, forms, query counts; the inbox."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from catalogue.models import AuditEvent, Notification, WithdrawalImpact
from catalogue.models import choices as c
from catalogue.services.consent import consent_withdraw
from tests.factories import (
    ArtifactFactory,
    AuthorshipFactory,
    ConsentFactory,
    ContributorFactory,
    ReviewFactory,
)
from tests.upload_samples import pdf_bytes

LEGAL_PAGES = [
    "/legal/",
    "/legal/consents/",
    "/legal/consents/?view=expiring",
    "/legal/consents/?view=withdrawn",
    "/legal/ip-gaps/",
]


@pytest.fixture
def open_review(cleared, retail):
    artifact = cleared["artifact"]
    return ReviewFactory(
        artifact=artifact,
        version=cleared["version"],
        purposes=["model_training"],
        required_approvals=2,
    )


def test_workspace_is_legal_only(cleared, open_review, client, alice, victor, legal1, admin_user):
    consent = cleared["consent"]
    pages = [
        *LEGAL_PAGES,
        f"/legal/reviews/{open_review.pk}/",
        f"/legal/consents/{consent.pk}/",
        f"/legal/consents/{consent.pk}/impact/",
    ]
    for user in (alice, victor):
        client.force_login(user)
        for url in pages:
            assert client.get(url).status_code == 403, url
        assert (
            client.post(f"/legal/consents/{consent.pk}/withdraw/", {"reason": "x"}).status_code
            == 403
        )
    for user in (legal1, admin_user):
        client.force_login(user)
        for url in pages:
            assert client.get(url).status_code == 200, url
    client.logout()
    assert client.get("/legal/").status_code == 302


def test_queue_shows_age_kind_risk_and_filters(open_review, retail, client, legal1):
    ReviewFactory(
        artifact=ArtifactFactory(owner_team=retail, slug="plain-one"), kind=c.ReviewKind.ETHICS
    )
    client.force_login(legal1)
    html = client.get("/legal/").content.decode()
    assert "model_training" in html and "customer_derived" in html and "0 / 2" in html
    assert "Ethics" in html  # the plain ethics review is queued too
    only_training = client.get("/legal/?risk=model_training").content.decode()
    assert open_review.artifact.title in only_training and "Artifact number" in only_training
    ethics = client.get("/legal/?kind=ethics").content.decode()
    assert open_review.artifact.title not in ethics


def test_review_page_audits_personal_data_and_records_decision(
    cleared, open_review, client, legal1, legal2
):
    client.force_login(legal1)
    response = client.get(f"/legal/reviews/{open_review.pk}/")
    html = response.content.decode()
    assert cleared["customer"].legal_name in html
    viewed = AuditEvent.objects.filter(action="contributor.personal_data_viewed", actor=legal1)
    assert viewed.count() == 2  # staff author and customer
    missing = client.post(
        f"/legal/reviews/{open_review.pk}/", {"decision": "approve", "rationale": ""}
    )
    assert missing.status_code == 400 and "Explain the decision" in missing.content.decode()
    assert (
        client.post(
            f"/legal/reviews/{open_review.pk}/",
            {"decision": "approve", "rationale": "Consents fine."},
        ).status_code
        == 302
    )
    again = client.post(
        f"/legal/reviews/{open_review.pk}/", {"decision": "approve", "rationale": "Again."}
    )
    assert "already approved" in again.content.decode()
    client.force_login(legal2)
    client.post(
        f"/legal/reviews/{open_review.pk}/", {"decision": "approve", "rationale": "Second."}
    )
    open_review.refresh_from_db()
    assert open_review.status == c.ReviewStatus.APPROVED


def test_consent_page_audits_and_withdraws(chain, client, legal1):
    consent = chain["consent"]
    consent.evidence.save("e.pdf", ContentFile(b"%PDF-1.4 evidence"), save=True)
    client.force_login(legal1)
    assert client.get(f"/legal/consents/{consent.pk}/").status_code == 200
    assert (
        AuditEvent.objects.filter(action="consent.viewed", object_id=str(consent.pk)).count() == 1
    )
    assert (
        AuditEvent.objects.filter(
            action="contributor.personal_data_viewed", object_id=str(consent.contributor_id)
        ).count()
        == 1
    )
    download = client.get(f"/legal/consents/{consent.pk}/evidence/")
    assert download.status_code == 200
    assert AuditEvent.objects.filter(action="consent.evidence_downloaded").count() == 1
    blank = client.post(f"/legal/consents/{consent.pk}/withdraw/", {"reason": ""})
    assert blank.status_code == 302 and blank.url.endswith(f"/legal/consents/{consent.pk}/")
    response = client.post(
        f"/legal/consents/{consent.pk}/withdraw/", {"reason": "Customer asked."}, follow=True
    )
    html = response.content.decode()
    assert "3 artifacts affected" in html and "grandchild-journey" in html


def test_remediation_form_for_owner_maintainer(chain, client, legal1, alice, carol, bob):
    consent_withdraw(acting_user=legal1, consent=chain["consent"], reason="Asked.")
    impact = WithdrawalImpact.objects.get(artifact=chain["child"])
    url = f"/consent-impacts/{impact.pk}/"
    client.force_login(bob)
    assert client.get(url).status_code == 403
    client.force_login(carol)
    assert 'id="remediation-form"' not in client.get(url).content.decode()
    client.force_login(alice)
    bad = client.post(url, {"remediation": "retrain", "note": ""})
    assert "Explain the remediation" in bad.content.decode()
    assert (
        client.post(url, {"remediation": "replace", "note": "Swapped for v2."}).status_code == 302
    )
    impact.refresh_from_db()
    assert impact.remediation == "replace"


def test_ip_gaps_page(cleared, retail, client, legal1):
    agency = ContributorFactory(agency=True)
    gap = ArtifactFactory(owner_team=retail, customer=True, slug="gap-artifact")
    AuthorshipFactory(artifact=gap, contributor=agency)
    client.force_login(legal1)
    html = client.get("/legal/ip-gaps/").content.decode()
    assert "gap-artifact" in html and agency.pseudonym in html
    assert "co-created-journey" not in html


def _many(n, retail):
    for i in range(n):
        artifact = ArtifactFactory(owner_team=retail, customer=True)
        AuthorshipFactory(artifact=artifact, contributor=ContributorFactory(agency=True))
        ReviewFactory(artifact=artifact, purposes=["research"])
        consent = ConsentFactory(expires_at=timezone.now() + dt.timedelta(days=3 + i))
        consent.artifacts.add(artifact)
        ConsentFactory(status=c.ConsentStatus.WITHDRAWN).artifacts.add(artifact)


@pytest.mark.parametrize("url", LEGAL_PAGES)
def test_list_pages_query_count(url, retail, client, legal1, count_queries):
    client.force_login(legal1)
    _many(2, retail)
    client.get(url)
    few = count_queries(lambda: client.get(url))
    _many(10, retail)
    assert count_queries(lambda: client.get(url)) == few


def test_inbox_lists_counts_and_marks_read(client, alice, bob):
    notes = [
        Notification.objects.create(recipient=alice, kind="test", subject=f"Note {i}")
        for i in range(3)
    ]
    Notification.objects.create(recipient=bob, kind="test", subject="Bob's secret")
    client.force_login(alice)
    html = client.get("/inbox/").content.decode()
    assert "3 unread" in html and "Bob&#x27;s secret" not in html and "Bob's secret" not in html
    client.post(f"/inbox/{notes[0].pk}/read/")
    assert "2 unread" in client.get("/inbox/").content.decode()
    client.post(f"/inbox/{Notification.objects.get(recipient=bob).pk}/read/")
    assert Notification.objects.get(recipient=bob).read_at is None
    htmx = client.post(f"/inbox/{notes[1].pk}/read/", HTTP_HX_REQUEST="true")
    assert htmx.status_code == 200 and f'id="note-{notes[1].pk}"' in htmx.content.decode()
    client.post("/inbox/read-all/")
    assert "0 unread" in client.get("/inbox/").content.decode()


def test_inbox_query_count(client, alice, count_queries):
    client.force_login(alice)
    artifact = ArtifactFactory()
    for i in range(2):
        Notification.objects.create(recipient=alice, kind="t", subject=f"n{i}", artifact=artifact)
    client.get("/inbox/")
    few = count_queries(lambda: client.get("/inbox/"))
    for i in range(10):
        Notification.objects.create(
            recipient=alice, kind="t", subject=f"m{i}", artifact=ArtifactFactory()
        )
    assert count_queries(lambda: client.get("/inbox/")) == few


def test_panel_links_owners_to_open_remediation(chain, client, legal1, alice, victor):
    consent_withdraw(acting_user=legal1, consent=chain["consent"], reason="Asked.")
    impact = WithdrawalImpact.objects.get(artifact=chain["child"])
    client.force_login(alice)
    html = client.get(f"/artifacts/{chain['child'].slug}/").content.decode()
    assert 'id="legal-impacts"' in html and f"/consent-impacts/{impact.pk}/" in html
    client.force_login(victor)
    html = client.get(f"/artifacts/{chain['child'].slug}/").content.decode()
    assert 'id="legal-impacts"' in html and f"/consent-impacts/{impact.pk}/" not in html


def test_record_consent_form_with_checked_evidence(cleared, client, legal1, alice):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from catalogue.models import ConsentRecord

    client.force_login(alice)
    assert client.get("/legal/consents/new/").status_code == 403
    client.force_login(legal1)
    assert client.get("/legal/consents/new/").status_code == 200
    base = {
        "contributor": cleared["customer"].pseudonym,
        "artifacts": "co-created-journey, nope",
        "purposes": ["research"],
        "jurisdiction": "GB",
        "notice_version": "2026.3",
        "method": "email",
        "obtained_at": "2026-05-01T10:00",
    }
    response = client.post("/legal/consents/new/", base)
    assert response.status_code == 200 and "Unknown artifacts: nope" in response.content.decode()
    fake = SimpleUploadedFile("consent.pdf", b"<script>alert(1)</script>")
    response = client.post(
        "/legal/consents/new/",
        {**base, "artifacts": "co-created-journey", "evidence": fake, "evidence_type": "pdf"},
    )
    assert response.status_code == 200 and "not PDF" in response.content.decode()
    assert ConsentRecord.objects.filter(notice_version="2026.3").count() == 0
    good = SimpleUploadedFile("consent.pdf", pdf_bytes())
    response = client.post(
        "/legal/consents/new/",
        {**base, "artifacts": "co-created-journey", "evidence": good, "evidence_type": "pdf"},
    )
    assert response.status_code == 302
    consent = ConsentRecord.objects.get(notice_version="2026.3")
    assert consent.evidence and consent.evidence_content_type == "application/pdf"
    assert list(consent.artifacts.values_list("slug", flat=True)) == ["co-created-journey"]
    other = SimpleUploadedFile("more.txt", b"Signed on the phone, call ref 991.")
    client.post(
        f"/legal/consents/{cleared['consent'].pk}/evidence/upload/",
        {"evidence": other, "evidence_type": "txt"},
    )
    cleared["consent"].refresh_from_db()
    assert cleared["consent"].evidence_content_type == "text/plain"


def test_legal_panel_query_count_does_not_grow(cleared, rf, alice, count_queries):
    from catalogue.models import Artifact
    from catalogue.views.legal import legal_panel

    request = rf.get("/")
    request.user = alice
    artifact = Artifact.objects.get(pk=cleared["artifact"].pk)
    legal_panel(request, artifact)
    few = count_queries(lambda: legal_panel(request, artifact))
    for _ in range(10):
        ConsentFactory().artifacts.add(artifact)
        ReviewFactory(artifact=artifact)
        AuthorshipFactory(
            artifact=artifact,
            contributor=ContributorFactory(agency=True),
            role=c.AuthorRole.CO_AUTHOR,
            credit_share=0,
        )
    assert count_queries(lambda: legal_panel(request, artifact)) == few
