"""withdrawal-impacts/ API: who sees which rows, filters, remediation per role (400/403/404)."""

import pytest

from catalogue.models import AuditEvent, WithdrawalImpact
from catalogue.services.consent import consent_withdraw
from tests.factories import ArtifactFactory, ConsentFactory

URL = "/api/v1/withdrawal-impacts/"


@pytest.fixture
def impacts(chain, legal1):
    consent_withdraw(acting_user=legal1, consent=chain["consent"], reason="Customer asked.")
    rows = {i.artifact.slug: i for i in WithdrawalImpact.objects.select_related("artifact")}
    assert set(rows) == {"co-created-journey", "child-journey", "grandchild-journey"}
    return rows


def slugs(response):
    assert response.status_code == 200, response.content
    return sorted(r["artifact"] for r in response.json()["results"])


def test_legal_sees_every_impact_and_owner_members_only_their_teams(
    impacts, legal1, admin_user, alice, carol, bob, victor, api_client_for
):
    everything = ["child-journey", "co-created-journey", "grandchild-journey"]
    assert slugs(api_client_for(legal1).get(URL)) == everything
    assert slugs(api_client_for(admin_user).get(URL)) == everything
    assert slugs(api_client_for(alice).get(URL)) == ["child-journey", "co-created-journey"]
    assert slugs(api_client_for(carol).get(URL)) == ["child-journey", "co-created-journey"]
    assert slugs(api_client_for(bob).get(URL)) == ["grandchild-journey"]
    assert slugs(api_client_for(victor).get(URL)) == []
    assert api_client_for(None).get(URL).status_code == 401
    grandchild = impacts["grandchild-journey"]
    assert api_client_for(alice).get(f"{URL}{grandchild.pk}/").status_code == 404
    row = api_client_for(bob).get(f"{URL}{grandchild.pk}/").json()
    assert row["via"] == "co-created-journey" and row["owner_team"] == "cards"
    assert row["remediation"] == "open" and row["consent_status"] == "withdrawn"


def test_filters(impacts, chain, legal1, alice, api_client_for):
    other = ConsentFactory()
    other.artifacts.add(ArtifactFactory(published=True, slug="unrelated-thing"))
    consent_withdraw(acting_user=legal1, consent=other, reason="Asked.")
    client = api_client_for(legal1)
    assert len(slugs(client.get(URL))) == 4
    assert slugs(client.get(URL, {"consent": other.pk})) == ["unrelated-thing"]
    assert slugs(client.get(URL, {"artifact": "child-journey"})) == ["child-journey"]
    api_client_for(alice).post(
        f"{URL}{impacts['child-journey'].pk}/remediate/",
        {"remediation": "retrain", "note": "Retrained without the data."},
        format="json",
    )
    assert slugs(client.get(URL, {"remediation": "retrain"})) == ["child-journey"]
    assert len(slugs(client.get(URL, {"remediation": "open"}))) == 3
    bad = client.get(URL, {"remediation": "burn", "consent": "x"})
    assert bad.status_code == 400 and set(bad.json()) == {"remediation", "consent"}


def test_owner_maintainer_remediates(impacts, alice, api_client_for):
    impact = impacts["co-created-journey"]
    response = api_client_for(alice).post(
        f"{URL}{impact.pk}/remediate/",
        {"remediation": "remove", "note": "Pulled from the app."},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["remediation"] == "remove" and body["note"] == "Pulled from the app."
    assert body["resolved_by"] == alice.username and body["resolved_at"]
    event = AuditEvent.objects.get(action="consent.impact_remediated", object_id=str(impact.pk))
    assert event.changes["remediation"] == ["open", "remove"]
    assert event.origin["kind"] == "api"


def test_remediation_errors_per_role(impacts, carol, bob, victor, legal1, alice, api_client_for):
    impact = impacts["co-created-journey"]
    url = f"{URL}{impact.pk}/remediate/"
    good = {"remediation": "replace", "note": "Replaced by v2."}
    assert (
        api_client_for(carol).post(url, good, format="json").status_code == 403
    )  # member, not maintainer
    assert api_client_for(bob).post(url, good, format="json").status_code == 404  # not his team's
    assert api_client_for(victor).post(url, good, format="json").status_code == 404
    assert api_client_for(None).post(url, good, format="json").status_code == 401
    assert (
        api_client_for(alice).post(f"{URL}999999/remediate/", good, format="json").status_code
        == 404
    )
    for body, field in (
        ({"remediation": "open", "note": "x"}, "remediation"),
        ({"remediation": "burn", "note": "x"}, "remediation"),
        ({"remediation": "retrain", "note": "  "}, "note"),
        ({"remediation": "retrain"}, "note"),
    ):
        response = api_client_for(alice).post(url, body, format="json")
        assert response.status_code == 400 and field in response.json(), body
    impact.refresh_from_db()
    assert impact.remediation == "open"
    # Legal may record it for any team; the same answer twice writes one audit event.
    for _ in range(2):
        assert api_client_for(legal1).post(url, good, format="json").status_code == 200
    assert (
        AuditEvent.objects.filter(
            action="consent.impact_remediated", object_id=str(impact.pk)
        ).count()
        == 1
    )


def test_list_query_count_does_not_grow(legal1, api_client_for, count_queries):
    client = api_client_for(legal1)

    def withdraw(n):
        consent = ConsentFactory()
        consent.artifacts.add(*[ArtifactFactory(published=True) for _ in range(n)])
        consent_withdraw(acting_user=legal1, consent=consent, reason="Asked.")

    withdraw(2)
    client.get(URL)  # warm caches (token, groups)
    small = count_queries(lambda: client.get(URL))
    withdraw(10)
    assert len(client.get(URL).json()["results"]) == 12
    assert count_queries(lambda: client.get(URL)) == small
