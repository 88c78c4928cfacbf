import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from catalogue.models import AuditEvent
from catalogue.rules import RuleViolation
from catalogue.services.contributors import contributor_create, contributor_update
from catalogue.services.uploads import attachment_add, check_upload
from tests.factories import ArtifactFactory, ContributorFactory, VersionFactory

from .helpers import PDF, PNG, docx_bytes, upload

pytestmark = pytest.mark.django_db


class TestContributors:
    def test_contributor_creates_pseudonymous(self, carol):
        c = contributor_create(acting_user=carol, kind="agency", organisation="Studio North")
        assert c.pseudonym.startswith("contributor-") and not c.legal_name
        assert AuditEvent.objects.filter(action="contributor.created", object_id=str(c.pk)).exists()

    def test_personal_data_only_by_legal_or_admin(self, carol, legal1, admin_user):
        with pytest.raises(PermissionDenied):
            contributor_create(acting_user=carol, kind="customer", legal_name="Jane Doe")
        c = contributor_create(
            acting_user=legal1, kind="customer", legal_name="Jane Doe", email="jane@example.com"
        )
        event = AuditEvent.objects.get(action="contributor.created", object_id=str(c.pk))
        assert "Jane" not in str(event.changes)  # the timeline never copies personal data
        with pytest.raises(PermissionDenied):
            contributor_update(acting_user=carol, contributor=c, email="x@example.com")
        updated = contributor_update(acting_user=admin_user, contributor=c, email="new@example.com")
        assert updated.email == "new@example.com"

    def test_viewer_cannot_create(self, victor):
        with pytest.raises(PermissionDenied):
            contributor_create(acting_user=victor, kind="employee")

    def test_field_errors(self, legal1):
        with pytest.raises(ValidationError) as exc:
            contributor_create(acting_user=legal1, kind="alien", email="not-an-email")
        assert set(exc.value.message_dict) == {"kind", "email"}

    def test_update_noop_writes_no_audit(self, carol):
        c = ContributorFactory(organisation="The Bank")
        contributor_update(acting_user=carol, contributor=c, organisation="The Bank")
        assert not AuditEvent.objects.filter(action="contributor.updated").exists()


class TestUploads:
    def test_png_declared_as_pdf_is_refused(self):
        with pytest.raises(ValidationError) as exc:
            check_upload(upload(PNG, "report.pdf"), "pdf")
        assert "file" in exc.value.message_dict

    @pytest.mark.parametrize(
        ("data", "declared", "content_type"),
        [
            (PDF, "pdf", "application/pdf"),
            (PNG, "png", "image/png"),
            (b"a,b\n1,2\n", "csv", "text/csv"),
            (b'{"a": 1}', "json", "application/json"),
            (
                docx_bytes(),
                "docx",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ),
        ],
    )
    def test_allowed_types(self, data, declared, content_type):
        assert check_upload(upload(data), declared)[0] == content_type

    @pytest.mark.parametrize(
        ("data", "declared"),
        [
            (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "svg"),
            (b'<svg xmlns="http://www.w3.org/2000/svg"></svg>', "txt"),
            (b"{not json", "json"),
            (PDF, "docx"),
            (b"\x00\x01binary", "txt"),
            (b"", "txt"),
        ],
    )
    def test_refused(self, data, declared):
        with pytest.raises(ValidationError):
            check_upload(upload(data), declared)

    @override_settings(MAX_UPLOAD_BYTES=10)
    def test_size_limit(self):
        with pytest.raises(ValidationError) as exc:
            check_upload(upload(PDF), "pdf")
        assert "larger" in exc.value.message_dict["file"][0]

    def test_attachment_add_names_by_hash(self, carol, retail, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        version = VersionFactory(artifact=ArtifactFactory(owner_team=retail))
        att = attachment_add(
            acting_user=carol,
            version=version,
            uploaded_file=upload(PDF, "../../evil.pdf"),
            declared_type="pdf",
        )
        assert att.original_name == "evil.pdf"
        assert att.file.name == f"attachments/{att.sha256[:2]}/{att.sha256}.pdf"
        assert att.size == len(PDF) and att.uploaded_by == carol
        assert AuditEvent.objects.filter(action="attachment.added").exists()

    def test_attachment_permissions_and_published(self, bob, carol, retail, settings, tmp_path):
        from django.utils import timezone

        settings.MEDIA_ROOT = tmp_path
        version = VersionFactory(artifact=ArtifactFactory(owner_team=retail))
        with pytest.raises(PermissionDenied):
            attachment_add(
                acting_user=bob, version=version, uploaded_file=upload(PDF), declared_type="pdf"
            )
        version.published_at = timezone.now()
        version.save()
        with pytest.raises(RuleViolation) as exc:
            attachment_add(
                acting_user=carol, version=version, uploaded_file=upload(PDF), declared_type="pdf"
            )
        assert exc.value.reasons[0].code == "version.published_immutable"
