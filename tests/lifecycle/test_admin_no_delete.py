"""Issue 15 finding 11(a): the Django admin cannot hard-delete domain objects (archiving is the
way); before, an artifact and its versions could vanish outside every service and audit event."""

import pytest
from django.urls import reverse

from catalogue.models import Artifact, Metric, Team, Version
from tests.factories import ArtifactFactory, VersionFactory

pytestmark = pytest.mark.django_db


def test_admin_cannot_delete_an_artifact(client, admin_user, retail):
    art = ArtifactFactory(owner_team=retail, published=True)
    VersionFactory(artifact=art, version="1.0.0")
    client.force_login(admin_user)
    assert (
        client.post(
            reverse("admin:catalogue_artifact_delete", args=[art.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    resp = client.post(
        reverse("admin:catalogue_artifact_changelist"),
        {"action": "delete_selected", "_selected_action": [art.pk], "post": "yes"},
    )
    assert resp.status_code in (200, 302)
    assert (
        Artifact.objects.filter(pk=art.pk).exists()
        and Version.objects.filter(artifact=art).exists()
    )
    page = client.get(reverse("admin:catalogue_artifact_change", args=[art.pk])).content.decode()
    assert reverse("admin:catalogue_artifact_delete", args=[art.pk]) not in page


@pytest.mark.parametrize("model", [Team, Metric])
def test_admin_cannot_delete_other_domain_objects(client, admin_user, retail, model):
    obj = (
        retail
        if model is Team
        else Metric.objects.create(
            code="zz_metric", name="ZZ", unit="x", direction="higher_is_better"
        )
    )
    client.force_login(admin_user)
    name = model._meta.model_name
    assert (
        client.post(
            reverse(f"admin:catalogue_{name}_delete", args=[obj.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert model.objects.filter(pk=obj.pk).exists()
