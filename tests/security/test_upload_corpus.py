"""Hostile uploads (issue 23, finding 2): each sample is refused with its stable code, on every
path that stores a file; the benign sample of each type is still accepted."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalogue.models import Attachment, BackgroundJob
from catalogue.services.uploads import UploadRefused, attachment_add, check_upload
from tests.factories import ArtifactFactory, ConsentFactory, IPAssignmentFactory, VersionFactory
from tests.upload_samples import benign_samples, hostile_samples

HOSTILE = hostile_samples()
BENIGN = benign_samples()


@pytest.fixture(autouse=True)
def no_virus_scanner(settings, tmp_path):
    # The content checks on their own; the ClamAV scan has its own tests (test_upload_malware).
    settings.CLAMAV_SOCKET = settings.CLAMAV_HOST = ""
    settings.UPLOAD_SCAN_REQUIRED = False
    settings.MEDIA_ROOT = tmp_path


def _upload(data: bytes, name: str = "sample.bin") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_sample_is_refused_with_its_code(name):
    data, declared, code = HOSTILE[name]
    with pytest.raises(UploadRefused) as exc:
        check_upload(_upload(data), declared)
    assert exc.value.code == code, exc.value.message
    assert exc.value.field == "file" and exc.value.message_dict["file"] == [exc.value.message]


@pytest.mark.parametrize("name", BENIGN)
def test_benign_sample_is_accepted(name):
    data, declared = BENIGN[name]
    content_type, _, _, size = check_upload(_upload(data), declared)
    assert size == len(data) and content_type


def test_bombs_are_refused_from_the_directory_without_extracting(monkeypatch):
    import zipfile

    def no_extraction(*args, **kwargs):
        raise AssertionError("a member was opened")

    monkeypatch.setattr(zipfile.ZipFile, "open", no_extraction)
    for name in ("zip_bomb", "docx_bomb", "zip_ratio_bomb"):
        data, declared, code = HOSTILE[name]
        assert len(data) < 2 * 1024 * 1024  # 1 GiB (32 MiB for the ratio bomb) behind ~1 MiB
        with pytest.raises(UploadRefused) as exc:
            check_upload(_upload(data), declared)
        assert exc.value.code == code


def _refusal(response, code: str) -> None:
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["file"] and body["reasons"] == [{"code": code, "message": body["file"][0]}]


@pytest.mark.django_db
class TestEveryStoringPath:
    """The same gate on consent evidence, IP documents, version attachments and bulk imports."""

    def test_consent_evidence_api(self, api_client_for, legal1):
        consent = ConsentFactory()
        url = f"/api/v1/consents/{consent.pk}/evidence/"
        data, declared, code = HOSTILE["pdf_javascript_open_action"]
        response = api_client_for(legal1).post(
            url, {"file": _upload(data, "c.pdf"), "declared_type": declared}, format="multipart"
        )
        _refusal(response, code)
        consent.refresh_from_db()
        assert not consent.evidence
        good, _ = BENIGN["pdf"]
        response = api_client_for(legal1).post(
            url, {"file": _upload(good, "c.pdf"), "declared_type": "pdf"}, format="multipart"
        )
        assert response.status_code == 200

    def test_ip_document_api(self, api_client_for, legal1):
        assignment = IPAssignmentFactory()
        url = f"/api/v1/ip-assignments/{assignment.pk}/document/"
        data, declared, code = HOSTILE["gif_plus_jar"]
        response = api_client_for(legal1).post(
            url, {"file": _upload(data, "deed.gif"), "declared_type": declared}, format="multipart"
        )
        _refusal(response, code)
        assignment.refresh_from_db()
        assert not assignment.document

    def test_version_attachment_web(self, client, carol, retail):
        artifact = ArtifactFactory(owner_team=retail)
        data, declared, code = HOSTILE["png_plus_zip"]
        client.force_login(carol)
        response = client.post(
            reverse("catalogue:version_create", args=[artifact.slug]),
            {
                "version": "2.0.0",
                "changelog": "with a file",
                "declared_type": declared,
                "attachment": _upload(data, "shot.png"),
            },
        )
        assert response.status_code == 400
        assert "follow the end of the PNG image" in response.content.decode()
        assert not Attachment.objects.exists()

    def test_version_attachment_service(self, carol, retail):
        version = VersionFactory(artifact=ArtifactFactory(owner_team=retail))
        data, declared, code = HOSTILE["docx_bomb"]
        with pytest.raises(UploadRefused) as exc:
            attachment_add(
                acting_user=carol,
                version=version,
                uploaded_file=_upload(data),
                declared_type=declared,
            )
        assert exc.value.code == code and not Attachment.objects.exists()

    def test_bulk_import_api(self, api_client_for, alice):
        csv = (
            b"slug,title,kind,owner_team,summary\nx-1,X,content,retail,<script>alert(1)</script>\n"
        )
        response = api_client_for(alice).post(
            reverse("api-artifact-import"), {"file": _upload(csv, "f.csv")}, format="multipart"
        )
        assert response.status_code == 400
        assert response.json()["errors"] == [
            {
                "row": None,
                "column": "file",
                "message": "The file contains HTML or script (for example <script or javascript:).",
                "code": "upload.active_content",
            },
        ]
        assert not BackgroundJob.objects.exists()

    def test_bulk_import_web(self, client, alice):
        client.force_login(alice)
        json_file = b'[{"slug": "x-1", "title": "X", "kind": "content", "owner_team": "retail", "summary": "<script>x</script>"}]'
        response = client.post(
            reverse("catalogue:bulk_import"), {"file": _upload(json_file, "f.json")}
        )
        assert response.status_code == 400
        assert "HTML or script" in response.content.decode()
