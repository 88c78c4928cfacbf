"""The derived grant rows: rebuilt by policy_set and by the operator command."""

import pytest
from django.core.management import call_command

from catalogue.models import Artifact, RightsGrant
from catalogue.querysets import reusable_by
from tests.rights.conftest import set_policy

pytestmark = pytest.mark.django_db


def test_policy_change_replaces_grants(published, admin_user, retail, cards):
    artifact = published({})
    assert set(reusable_by(None, cards)) == {artifact}
    set_policy(artifact, admin_user, teams=["retail"], version=2)
    assert set(reusable_by(None, cards)) == set()
    assert set(reusable_by(None, retail)) == {artifact}
    artifact.refresh_from_db()
    assert set(
        RightsGrant.objects.filter(artifact=artifact).values_list("policy_id", flat=True)
    ) == {artifact.current_policy_id}


def test_rebuild_command(published, cards):
    artifact = published({"purposes": ["research"]})
    RightsGrant.objects.all().delete()
    assert not reusable_by(Artifact.objects.all(), cards).exists()
    call_command("rebuild_rights_grants", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert list(reusable_by(None, cards, purpose="research")) == [artifact]
    assert not reusable_by(None, cards, purpose="marketing").exists()
