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
        return attachment_add(acting_user=user, version=version, uploaded_file=upload(PDF, "deck.pdf"), declared_type="pdf")

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
