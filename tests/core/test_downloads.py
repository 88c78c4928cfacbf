import pytest
from django.urls import reverse

from catalogue.services.uploads import attachment_add
from tests.factories import ArtifactFactory, VersionFactory

from .helpers import PDF, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def attachment_of(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    def make(user, **artifact_kw):
        version = VersionFactory(artifact=ArtifactFactory(**artifact_kw))
        return attachment_add(
            acting_user=user,
            version=version,
            uploaded_file=upload(PDF, "deck.pdf"),
            declared_type="pdf",
        )

    return make


def test_download_is_an_attachment_with_nosniff(client, attachment_of, carol, victor, retail):
    att = attachment_of(carol, owner_team=retail)
    client.force_login(victor)
    response = client.get(reverse("catalogue:attachment_download", args=[att.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF


def test_confidential_files_only_for_team(client, attachment_of, carol, victor, legal1, retail):
    att = attachment_of(carol, owner_team=retail, confidential=True)
    url = reverse("catalogue:attachment_download", args=[att.pk])
    client.force_login(victor)
    assert client.get(url).status_code == 403
    client.force_login(legal1)
    assert client.get(url).status_code == 200


def test_restricted_files_404_for_outsiders(client, attachment_of, carol, bob, retail):
    att = attachment_of(carol, owner_team=retail, restricted=True)
    client.force_login(bob)
    assert client.get(reverse("catalogue:attachment_download", args=[att.pk])).status_code == 404


# --- every stored file is served as a download that cannot run (issue 23, finding 2) -----

DOWNLOAD_CSP = "sandbox; default-src 'none'"


def _assert_safe_download(response) -> None:
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == DOWNLOAD_CSP


def test_attachment_download_is_sandboxed(client, attachment_of, carol, retail):
    att = attachment_of(carol, owner_team=retail)
    client.force_login(carol)
    _assert_safe_download(client.get(reverse("catalogue:attachment_download", args=[att.pk])))


def test_consent_evidence_downloads_are_sandboxed(
    client, api_client_for, legal1, settings, tmp_path
):
    from catalogue.services.consent import consent_attach_evidence
    from tests.factories import ConsentFactory

    settings.MEDIA_ROOT = tmp_path
    consent = consent_attach_evidence(
        acting_user=legal1,
        consent=ConsentFactory(),
        uploaded_file=upload(PDF, "e.pdf"),
        declared_type="pdf",
    )
    client.force_login(legal1)
    _assert_safe_download(client.get(reverse("catalogue:consent_evidence", args=[consent.pk])))
    api = api_client_for(legal1).get(f"/api/v1/consents/{consent.pk}/evidence/")
    _assert_safe_download(api)
    assert api["Content-Type"] == "application/pdf"


def test_ip_document_download_is_sandboxed(api_client_for, legal1, settings, tmp_path):
    from catalogue.services.ip import ip_assignment_attach_document
    from tests.factories import IPAssignmentFactory

    settings.MEDIA_ROOT = tmp_path
    assignment = ip_assignment_attach_document(
        acting_user=legal1,
        assignment=IPAssignmentFactory(),
        uploaded_file=upload(PDF, "d.pdf"),
        declared_type="pdf",
    )
    _assert_safe_download(
        api_client_for(legal1).get(f"/api/v1/ip-assignments/{assignment.pk}/document/")
    )


def test_job_file_download_is_sandboxed(client, api_client_for, alice, settings, tmp_path):
    from django.core.files.base import ContentFile

    from catalogue.models import BackgroundJob

    settings.MEDIA_ROOT = tmp_path
    job = BackgroundJob(
        kind="artifact_export", created_by=alice, status="succeeded", params={"format": "csv"}
    )
    job.output_file.save("export.csv", ContentFile(b"slug\nx\n"), save=False)
    job.save()
    client.force_login(alice)
    _assert_safe_download(client.get(reverse("catalogue:bulk_job_download", args=[job.pk])))
    _assert_safe_download(api_client_for(alice).get(f"/api/v1/jobs/{job.pk}/download/"))
