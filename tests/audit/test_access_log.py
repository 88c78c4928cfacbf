"""Access log (Rule 7): showing a contributor's personal data through the API is audited."""

import pytest

from catalogue.models import AuditEvent
from tests.factories import ContributorFactory

pytestmark = pytest.mark.django_db


def test_legal_viewing_personal_data_is_logged_with_origin(api_client_for, legal1, victor):
    person = ContributorFactory(legal_name="Ada Customer", email="ada@example.com", customer=True)
    url = f"/api/v1/contributors/{person.pk}/"
    assert api_client_for(victor).get(url).status_code == 200
    assert not AuditEvent.objects.filter(action="contributor.personal_data_viewed").exists()
    response = api_client_for(legal1).get(url)
    assert response.json()["legal_name"] == "Ada Customer"
    event = AuditEvent.objects.get(action="contributor.personal_data_viewed")
    assert event.actor == legal1
    assert event.origin["kind"] == "api" and event.origin["path"] == url
