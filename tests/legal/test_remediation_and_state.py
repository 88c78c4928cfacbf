"""Issue 15 finding 9: a remediation ends what it says it ends; descendants show the withdrawal;
the withdrawal's impact lists the live reuses (id, initiative, team, artifact)."""

import pytest
from django.utils import timezone

from catalogue.models import AuditEvent, Reuse, WithdrawalImpact
from catalogue.services.artifacts import lineage_add
from catalogue.services.consent import consent_withdraw, impact_resolve
from tests.factories import ArtifactFactory, ReuseFactory


@pytest.fixture
def live(chain, cards, retail):
    """Live reuses of the child (cards) and grandchild (retail), and one already ended."""
    return {
        "child": ReuseFactory(artifact=chain["child"], team=cards, initiative="Card journeys"),
        "grandchild": ReuseFactory(
            artifact=chain["grandchild"], team=retail, initiative="Branch pilot"
        ),
        "ended": ReuseFactory(artifact=chain["child"], team=retail, ended_on=timezone.localdate()),
    }


def test_remove_remediation_ends_the_live_reuses_audited(chain, live, legal1, alice):
    consent_withdraw(acting_user=legal1, consent=chain["consent"], reason="Asked.")
    impact = WithdrawalImpact.objects.get(consent=chain["consent"], artifact=chain["child"])
    impact_resolve(
        acting_user=alice, impact=impact, remediation="remove", note="Taken out of the journeys."
    )
    reuse = Reuse.objects.get(pk=live["child"].pk)
    assert reuse.ended_on == timezone.localdate()
    event = AuditEvent.objects.get(action="reuse.ended", object_id=str(reuse.pk))
    assert event.actor_id == alice.pk and "remove" in event.reason
    assert event.changes["ended_on"] == [None, timezone.localdate().isoformat()]
    remediated = AuditEvent.objects.get(
        action="consent.impact_remediated", object_id=str(impact.pk)
    )
    assert remediated.changes["ended_reuses"] == [reuse.pk]
    # The other artifact's reuse is untouched; no_action ends nothing.
    other = WithdrawalImpact.objects.get(consent=chain["consent"], artifact=chain["grandchild"])
    impact_resolve(
        acting_user=legal1, impact=other, remediation="no_action", note="Reviewed: keep."
    )
    assert Reuse.objects.get(pk=live["grandchild"].pk).ended_on is None


def test_remediate_api_reports_the_ended_reuses(chain, live, legal1, api_client_for):
    consent_withdraw(acting_user=legal1, consent=chain["consent"], reason="Asked.")
    impact = WithdrawalImpact.objects.get(consent=chain["consent"], artifact=chain["child"])
    response = api_client_for(legal1).post(
        f"/api/v1/withdrawal-impacts/{impact.pk}/remediate/",
        {"remediation": "remove", "note": "Removed."},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["ended_reuses"] == [live["child"].pk]
    assert Reuse.objects.get(pk=live["child"].pk).ended_on is not None


def test_withdraw_response_lists_live_reuses(chain, live, legal1, api_client_for):
    response = api_client_for(legal1).post(
        f"/api/v1/consents/{chain['consent'].pk}/withdraw/", {"reason": "Asked."}, format="json"
    )
    assert response.status_code == 200
    impact = response.json()["impact"]
    assert impact["reuse_count"] == 2
    assert sorted(impact["reuses"], key=lambda r: r["id"]) == sorted(
        [
            {
                "id": live["child"].pk,
                "initiative": "Card journeys",
                "team": "cards",
                "artifact": "child-journey",
            },
            {
                "id": live["grandchild"].pk,
                "initiative": "Branch pilot",
                "team": "retail",
                "artifact": "grandchild-journey",
            },
        ],
        key=lambda r: r["id"],
    )


def _page(client, user, artifact) -> str:
    client.force_login(user)
    response = client.get(f"/artifacts/{artifact.slug}/")
    assert response.status_code == 200
    return response.content.decode()


def test_descendant_pages_show_the_ancestor_withdrawal(chain, legal1, alice, bob, client, retail):
    consent_withdraw(acting_user=legal1, consent=chain["consent"], reason="Asked.")
    # Linked after the withdrawal: no impact row, but the rights check denies it all the same.
    late = ArtifactFactory(owner_team=retail, published=True, slug="late-descendant")
    lineage_add(acting_user=alice, child=late, parent=chain["grandchild"], relation="derived_from")
    for artifact in (chain["grandchild"], late):
        for user in (bob, legal1, alice):
            html = _page(client, user, artifact)
            assert 'id="ancestor-consent-state"' in html, (artifact.slug, user.username)
            assert "withdrawn" in html and "co-created-journey" in html
    customer = chain["customer"]
    html = _page(client, bob, late)
    assert customer.legal_name not in html and customer.email not in html


def test_state_still_shown_after_remediation(chain, live, legal1, alice, client):
    consent_withdraw(acting_user=legal1, consent=chain["consent"], reason="Asked.")
    for impact in WithdrawalImpact.objects.filter(consent=chain["consent"]):
        impact_resolve(acting_user=legal1, impact=impact, remediation="remove", note="Removed.")
    html = _page(client, alice, chain["child"])
    assert 'id="ancestor-consent-state"' in html and "withdrawn" in html


def test_impact_reuses_page_by_keyset(chain, live, legal1, api_client_for, monkeypatch):
    from catalogue.selectors import impacts

    monkeypatch.setattr(impacts, "IMPACT_REUSES_SHOWN", 1)
    client = api_client_for(legal1)
    body = client.post(
        f"/api/v1/consents/{chain['consent'].pk}/withdraw/", {"reason": "Asked."}, format="json"
    ).json()
    first = body["impact"]["reuses"]
    assert len(first) == 1 and body["impact"]["reuse_count"] == 2 and body["impact"]["reuses_next"]
    page = client.get(body["impact"]["reuses_next"]).json()
    assert [r["id"] for r in page["results"]] == sorted([live["child"].pk, live["grandchild"].pk])[
        1:
    ]
    assert (
        client.get(f"/api/v1/consents/{chain['consent'].pk}/impact-reuses/?after=x").status_code
        == 400
    )


def test_lineage_api_shows_the_inherited_withdrawal(chain, legal1, bob, api_client_for):
    url = f"/api/v1/artifacts/{chain['grandchild'].slug}/lineage/"
    assert api_client_for(bob).get(url).json()["inherited_consents"] == []
    consent_withdraw(acting_user=legal1, consent=chain["consent"], reason="Asked.")
    body = api_client_for(bob).get(url).json()
    assert [
        (s["consent"], s["state"], s["ancestor"], s["hops"]) for s in body["inherited_consents"]
    ] == [(chain["consent"].pk, "consent.withdrawn", "co-created-journey", 2)]
    assert [n["slug"] for n in body["ancestors"]] == ["child-journey", "co-created-journey"]


def test_web_remediation_ends_the_reuses_too(chain, live, legal1, alice, client):
    from django.urls import reverse

    consent_withdraw(acting_user=legal1, consent=chain["consent"], reason="Asked.")
    impact = WithdrawalImpact.objects.get(consent=chain["consent"], artifact=chain["child"])
    client.force_login(alice)
    url = reverse("catalogue:impact_remediate", args=[impact.pk])
    response = client.post(
        url, {"remediation": "replace", "note": "Replaced by the new journey."}, follow=True
    )
    assert response.status_code == 200
    assert "1 live reuse ended" in response.content.decode()
    assert Reuse.objects.get(pk=live["child"].pk).ended_on == timezone.localdate()
