"""Issue 15 finding 1: customer_derived and lineage are facts about published work (Rule 3).

No edit by the owner team (API PATCH, web form, bulk import, lineage_remove, admin) may untick
customer_derived or remove / alter a lineage link of published work; legal corrects them with
a reason, audited, and a correction that lifts a withdrawal says so and notifies.
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from catalogue.models import AuditEvent, Lineage, Notification, Reuse
from catalogue.rules import RuleViolation
from catalogue.services.artifacts import artifact_update, lineage_remove
from catalogue.services.consent import consent_withdraw
from catalogue.services.facts import artifact_correct_facts
from catalogue.services.rights import rights_check
from tests.factories import ArtifactFactory, AuthorshipFactory, LineageFactory
from tests.rights.conftest import set_policy

CHECK = {"team": "cards", "action": "use", "purpose": "product_design", "channel": "web"}


def codes(artifact, team):
    decision = rights_check(
        artifact=artifact, team=team, action="use", purpose="product_design", channel="web"
    )
    return decision.decision, decision.codes


@pytest.fixture
def withdrawn(chain, admin_user, legal1, cards):
    """The chain with a permit-all policy on child and grandchild, then the root's consent withdrawn."""
    for name in ("child", "grandchild"):
        set_policy(chain[name], admin_user)
        chain[name].refresh_from_db()
    assert codes(chain["child"], cards)[0] == "permit", codes(chain["child"], cards)
    consent_withdraw(acting_user=legal1, consent=chain["consent"], reason="The customer asked.")
    assert "consent.withdrawn" in codes(chain["child"], cards)[1]
    return chain


def reason_codes(response) -> list[str]:
    return [r["code"] for r in response.json()["reasons"]]


# --- the reproduction of the finding, through the API ------------------------------------------


def test_api_patch_cannot_switch_propagation_off(withdrawn, alice, bob, api_client_for):
    root, child = withdrawn["artifact"], withdrawn["child"]
    owner = api_client_for(alice)
    response = owner.patch(
        f"/api/v1/artifacts/{root.slug}/", {"customer_derived": False}, format="json"
    )
    assert response.status_code == 409, response.content
    assert reason_codes(response) == ["facts.customer_derived_locked"]
    response = owner.patch(f"/api/v1/artifacts/{child.slug}/", {"derived_from": []}, format="json")
    assert response.status_code == 409, response.content
    assert reason_codes(response) == ["facts.lineage_locked"]
    response = owner.patch(
        f"/api/v1/artifacts/{child.slug}/",
        {"derived_from": [{"artifact": root.slug, "relation": "inspired_by"}]},
        format="json",
    )
    assert response.status_code == 409 and reason_codes(response) == ["facts.lineage_locked"]
    root.refresh_from_db()
    assert root.customer_derived and Lineage.objects.filter(child=child, parent=root).exists()
    check = (
        api_client_for(bob)
        .post(f"/api/v1/artifacts/{child.slug}/rights-check/", CHECK, format="json")
        .json()
    )
    assert check["decision"] == "deny" and "consent.withdrawn" in [
        r["code"] for r in check["reasons"]
    ]
    reuse = api_client_for(bob).post(
        "/api/v1/reuses/",
        {
            "artifact": child.slug,
            "team": "cards",
            "initiative": "Q3 journeys",
            "purpose": "product_design",
            "channel": "web",
            "mode": "as_is",
            "occurred_on": "2026-01-05",
        },
        format="json",
    )
    assert reuse.status_code == 409 and "consent.withdrawn" in reason_codes(reuse)
    assert not Reuse.objects.filter(artifact=child).exists()


def test_tightening_stays_allowed(withdrawn, alice, retail, api_client_for):
    child = withdrawn["child"]
    other = ArtifactFactory(owner_team=retail, slug="other-parent")
    owner = api_client_for(alice)
    response = owner.patch(
        f"/api/v1/artifacts/{child.slug}/",
        {
            "customer_derived": True,
            "derived_from": [
                {"artifact": withdrawn["artifact"].slug, "relation": "derived_from"},
                {"artifact": other.slug, "relation": "derived_from"},
            ],
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    assert sorted(link["artifact"] for link in response.json()["derived_from"]) == [
        "co-created-journey",
        "other-parent",
    ]
    assert response.json()["customer_derived"] is True


def test_draft_work_relied_on_by_nothing_published_stays_editable(alice, retail):
    parent = ArtifactFactory(owner_team=retail)
    draft = ArtifactFactory(owner_team=retail, customer_derived=True)
    LineageFactory(child=draft, parent=parent)
    artifact_update(acting_user=alice, artifact=draft, customer_derived=False, parents=[])
    draft.refresh_from_db()
    assert not draft.customer_derived and not draft.parent_links.exists()


def test_a_draft_relied_on_by_published_descendants_is_locked(chain, alice):
    # The child is published; the draft between it and the root would carry the withdrawal.
    middle = ArtifactFactory(owner_team=chain["artifact"].owner_team)
    LineageFactory(child=middle, parent=chain["artifact"])
    LineageFactory(child=chain["child"], parent=middle)
    with pytest.raises(RuleViolation) as exc:
        artifact_update(acting_user=alice, artifact=middle, parents=[])
    assert [r.code for r in exc.value.reasons] == ["facts.lineage_locked"]


def test_an_ended_consent_locks_customer_derived_even_on_a_draft(alice, legal1, retail, customer):
    from tests.factories import ConsentFactory

    draft = ArtifactFactory(owner_team=retail, customer_derived=True)
    consent = ConsentFactory(contributor=customer)
    consent.artifacts.add(draft)
    consent_withdraw(acting_user=legal1, consent=consent, reason="Asked.")
    with pytest.raises(RuleViolation) as exc:
        artifact_update(acting_user=alice, artifact=draft, customer_derived=False)
    assert [r.code for r in exc.value.reasons] == ["facts.customer_derived_locked"]


def test_lineage_remove_service_is_refused(withdrawn, alice):
    with pytest.raises(RuleViolation) as exc:
        lineage_remove(acting_user=alice, child=withdrawn["child"], parent=withdrawn["artifact"])
    assert [r.code for r in exc.value.reasons] == ["facts.lineage_locked"]
    assert Lineage.objects.filter(child=withdrawn["child"], parent=withdrawn["artifact"]).exists()


def test_admin_edit_is_refused(withdrawn, admin_user):
    from catalogue.admin import ArtifactFacts

    root = withdrawn["artifact"]
    form = ArtifactFacts(instance=root, data={"customer_derived": False})
    assert not form.is_valid()
    assert "facts.customer_derived_locked" in str(form.errors) or "only legal" in str(form.errors)
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    from django.test import Client

    client = Client()
    client.force_login(admin_user)
    page = client.get(reverse("admin:catalogue_artifact_change", args=[root.pk]))
    assert page.status_code == 200
    data = {k: v for k, v in page.context["adminform"].form.initial.items() if v is not None}
    data.update(
        customer_derived="",
        owner_team=root.owner_team_id,
        tags="reusable",
        channels="web",
        constraint_tags="",
    )
    response = client.post(reverse("admin:catalogue_artifact_change", args=[root.pk]), data)
    assert response.status_code == 200  # the form again, with the error
    assert "only legal can correct" in response.content.decode()
    root.refresh_from_db()
    assert root.customer_derived


# --- the web form and bulk import reach the same rule ----------------------------------------


def _edit_form(client, artifact) -> dict:
    page = client.get(reverse("catalogue:artifact_edit", args=[artifact.slug]))
    assert page.status_code == 200
    data = {}
    for form in (page.context["form"], page.context["authors"], page.context["parents"]):
        forms = getattr(form, "forms", [form])
        if hasattr(form, "management_form"):
            for field in form.management_form:
                data[field.html_name] = field.value()
        for f in forms:
            for field in f:
                value = field.value()
                if value is None or value is False:
                    continue
                data[field.html_name] = value
    return data


def test_web_edit_form_cannot_untick_or_drop_lineage(withdrawn, alice, client):
    client.force_login(alice)
    root, child = withdrawn["artifact"], withdrawn["child"]
    data = _edit_form(client, root)
    assert data.get("customer_derived")
    data.pop("customer_derived")
    data["reason"] = "not customer work"
    response = client.post(reverse("catalogue:artifact_edit", args=[root.slug]), data)
    assert response.status_code == 400
    assert "only legal can correct" in response.content.decode()
    root.refresh_from_db()
    assert root.customer_derived
    data = _edit_form(client, child)
    data["parents-0-DELETE"] = "on"
    for key in [k for k in data if k.startswith("parents-0-")]:
        data[key] = "" if not key.endswith("DELETE") else "on"
    response = client.post(reverse("catalogue:artifact_edit", args=[child.slug]), data)
    assert response.status_code == 400, response.status_code
    assert "only legal can correct lineage" in response.content.decode()
    assert Lineage.objects.filter(child=child, parent=root).exists()
    assert "consent.withdrawn" in codes(child, withdrawn["child"].owner_team)[1]


def test_bulk_import_update_cannot_untick_or_drop_lineage(withdrawn, alice):
    from catalogue.bulk.formats import parse
    from catalogue.services.bulk_import import import_rows

    data = (
        "slug,title,kind,owner_team,customer_derived\n"
        f"{withdrawn['artifact'].slug},Journey,customer_journey,retail,false\n"
    ).encode()
    report = import_rows(parse(data, filename="f.csv").rows, acting_user=alice, source="csv")
    assert not report.committed and any(
        "only legal can correct" in e.message for e in report.errors
    )
    data = (
        "slug,title,kind,owner_team,derived_from\n"
        f"{withdrawn['child'].slug},Child,customer_journey,retail,\n"
    ).encode()
    report = import_rows(parse(data, filename="f.csv").rows, acting_user=alice, source="csv")
    assert not report.committed and any(
        "only legal can correct lineage" in e.message for e in report.errors
    )
    withdrawn["artifact"].refresh_from_db()
    assert withdrawn["artifact"].customer_derived
    assert Lineage.objects.filter(child=withdrawn["child"], parent=withdrawn["artifact"]).exists()


# --- the legal correction -----------------------------------------------------------------------


def test_correction_is_refused_to_the_owner_team_and_needs_a_reason(withdrawn, alice, legal1):
    with pytest.raises(PermissionDenied):
        artifact_correct_facts(
            acting_user=alice,
            artifact=withdrawn["artifact"],
            customer_derived=False,
            reason="We think it is not customer work.",
        )
    with pytest.raises(ValidationError):
        artifact_correct_facts(
            acting_user=legal1, artifact=withdrawn["artifact"], customer_derived=False, reason=" "
        )


def test_correction_that_lifts_a_withdrawal_must_say_so_and_is_audited_and_notified(
    withdrawn,
    legal1,
    legal2,
    alice,
    bob,
    cards,
):
    root, child = withdrawn["artifact"], withdrawn["child"]
    with pytest.raises(RuleViolation) as exc:
        artifact_correct_facts(
            acting_user=legal1,
            artifact=root,
            customer_derived=False,
            reason="Flag set by mistake: synthetic data only.",
        )
    assert [r.code for r in exc.value.reasons] == ["facts.lifts_withdrawal"]
    root.refresh_from_db()
    assert root.customer_derived
    artifact_correct_facts(
        acting_user=legal1,
        artifact=root,
        customer_derived=False,
        lift_withdrawals=True,
        reason="Flag set by mistake: synthetic data only.",
    )
    root.refresh_from_db()
    assert not root.customer_derived
    # The child no longer inherits the withdrawal: recorded, not silent.
    assert "consent.withdrawn" not in codes(child, cards)[1]
    event = AuditEvent.objects.get(action="artifact.facts_corrected", object_id=str(root.pk))
    assert event.reason == "Flag set by mistake: synthetic data only."
    assert event.changes["customer_derived"] == [True, False]
    lifted = {(row["artifact"], row["consent"]) for row in event.changes["lifted_withdrawals"]}
    assert lifted == {
        (child.slug, withdrawn["consent"].pk),
        (withdrawn["grandchild"].slug, withdrawn["consent"].pk),
    }
    for user in (legal2, alice, bob):  # legal, and the owners of every artifact whose denial lifted
        assert Notification.objects.filter(recipient=user, kind="facts.corrected").exists(), user


def test_correction_of_lineage_via_api(withdrawn, legal1, alice, api_client_for):
    root, child = withdrawn["artifact"], withdrawn["child"]
    url = f"/api/v1/artifacts/{child.slug}/correct-facts/"
    body = {"remove_parents": [root.slug], "reason": "Linked by mistake."}
    assert api_client_for(alice).post(url, body, format="json").status_code == 403
    assert (
        api_client_for(legal1).post(url, {"remove_parents": [root.slug]}, format="json").status_code
        == 400
    )
    response = api_client_for(legal1).post(url, body, format="json")
    assert response.status_code == 409 and reason_codes(response) == ["facts.lifts_withdrawal"]
    response = api_client_for(legal1).post(url, {**body, "lift_withdrawals": True}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["derived_from"] == []
    assert not Lineage.objects.filter(child=child, parent=root).exists()
    event = AuditEvent.objects.get(action="artifact.facts_corrected", object_id=str(child.pk))
    assert event.reason == "Linked by mistake." and event.actor_id == legal1.pk


def test_correction_that_lifts_nothing_needs_no_confirmation(legal1, retail):
    published = ArtifactFactory(owner_team=retail, published=True, customer_derived=True)
    AuthorshipFactory(artifact=published)
    artifact_correct_facts(
        acting_user=legal1,
        artifact=published,
        customer_derived=False,
        reason="No customer material after all.",
    )
    published.refresh_from_db()
    assert not published.customer_derived
    assert (
        AuditEvent.objects.get(action="artifact.facts_corrected").changes["lifted_withdrawals"]
        == []
    )


def test_api_patch_repeating_a_versioned_link_keeps_it(withdrawn, alice, retail, api_client_for):
    child, root = withdrawn["child"], withdrawn["artifact"]
    Lineage.objects.filter(child=child, parent=root).update(parent_version=withdrawn["version"])
    other = ArtifactFactory(owner_team=retail, slug="another-parent")
    response = api_client_for(alice).patch(
        f"/api/v1/artifacts/{child.slug}/",
        {
            "derived_from": [
                {"artifact": root.slug, "relation": "derived_from"},
                {"artifact": other.slug, "relation": "derived_from"},
            ]
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    assert (
        Lineage.objects.get(child=child, parent=root).parent_version_id == withdrawn["version"].pk
    )
