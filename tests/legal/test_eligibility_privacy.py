"""Training-data eligibility (predicate == set form, list filter) and personal-data erasure."""

import pytest
from django.core.exceptions import PermissionDenied

from catalogue.eligibility import (
    ALLOWED,
    CONSTRAINED,
    NOT_ALLOWED,
    USES,
    artifact_eligibility,
    eligibility_filter,
)
from catalogue.models import Artifact, AuditEvent, Contributor, Review
from catalogue.models import choices as c
from catalogue.services.privacy import contributor_erase
from tests.factories import ArtifactFactory, ConsentFactory
from tests.rights.conftest import set_policy

EVERYTHING = {"actions": ("use", "train")}


def states(artifact):
    # Read from the rights check (issue 15 finding 3: no second copy of the rules).
    return artifact_eligibility(Artifact.objects.get(pk=artifact.pk))


def assert_set_form_agrees(*artifacts):
    for artifact in artifacts:
        expected = states(artifact)
        for use in USES:
            for state in (ALLOWED, CONSTRAINED, NOT_ALLOWED):
                found = eligibility_filter(
                    Artifact.objects.filter(pk=artifact.pk), use, state
                ).exists()
                assert found == (expected[use] == state), (artifact.slug, use, state)


def published(retail, admin_user, **kwargs):
    artifact = ArtifactFactory(owner_team=retail, published=True, **kwargs)
    set_policy(artifact, admin_user, **EVERYTHING)
    return artifact


def test_eligibility_states(cleared, retail, admin_user):
    artifact = cleared["artifact"]
    set_policy(artifact, admin_user, **EVERYTHING)
    # consent grants product_design + research; review approves the same.
    assert states(artifact) == {
        "ai_training": NOT_ALLOWED,
        "data_mining": ALLOWED,
        "ai_inference": NOT_ALLOWED,
    }
    trainable = published(retail, admin_user, customer=True, slug="trainable")
    ConsentFactory(purposes=["model_training", "personalisation"]).artifacts.add(trainable)
    assert states(trainable) == {
        "ai_training": CONSTRAINED,
        "data_mining": NOT_ALLOWED,
        "ai_inference": CONSTRAINED,
    }
    ordinary = published(retail, admin_user)
    assert set(states(ordinary).values()) == {ALLOWED}
    restricted = published(retail, admin_user, restricted=True)
    assert set(states(restricted).values()) == {CONSTRAINED}
    bare = published(retail, admin_user, customer=True)
    assert set(states(bare).values()) == {NOT_ALLOWED}
    unpublished = ArtifactFactory(owner_team=retail)  # a draft with no policy is not eligible
    assert set(states(unpublished).values()) == {NOT_ALLOWED}
    assert_set_form_agrees(artifact, trainable, ordinary, restricted, bare, unpublished)
    type(cleared["consent"]).objects.filter(pk=cleared["consent"].pk).update(
        status=c.ConsentStatus.WITHDRAWN
    )
    Review.objects.filter(artifact=trainable).delete()
    assert states(artifact)["data_mining"] == NOT_ALLOWED
    assert_set_form_agrees(artifact, trainable)


def test_eligibility_list_filter(cleared, retail, alice, admin_user, api_client_for):
    set_policy(cleared["artifact"], admin_user, **EVERYTHING)
    published(retail, admin_user, slug="plain")
    client = api_client_for(alice)

    def slugs(q):
        return {
            a["slug"] for a in client.get(f"/api/v1/artifacts/?eligibility={q}").json()["results"]
        }  # noqa: E731

    assert "co-created-journey" in slugs("data_mining:allowed")
    assert "co-created-journey" not in slugs("ai_training:allowed")
    assert "co-created-journey" in slugs("ai_training:not_allowed")
    assert "plain" in slugs("ai_training:allowed")


def test_panel_shows_eligibility_without_personal_data(cleared, alice, client):
    client.force_login(alice)
    response = client.get(f"/artifacts/{cleared['artifact'].slug}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="legal-panel"' in html and 'id="eligibility-slot"' in html
    fragment = client.get(
        f"/artifacts/{cleared['artifact'].slug}/eligibility/", HTTP_HX_REQUEST="true"
    )
    assert fragment.status_code == 200 and 'id="eligibility"' in fragment.content.decode()
    html += fragment.content.decode()
    assert cleared["customer"].legal_name not in html
    assert cleared["customer"].email not in html


def test_erasure_pseudonymises_and_is_idempotent(cleared, legal1, alice):
    customer = cleared["customer"]
    old_name, pseudonym = customer.legal_name, customer.pseudonym
    with pytest.raises(PermissionDenied):
        contributor_erase(acting_user=alice, contributor=customer, reason="x")
    erased = contributor_erase(
        acting_user=legal1,
        contributor=customer,
        reason="Erasure request #9",
        erase_external_ref=True,
    )
    assert (erased.legal_name, erased.email, erased.external_ref) == ("", "", "")
    assert erased.pseudonym == pseudonym and erased.erased_at is not None
    event = AuditEvent.objects.get(action="contributor.erased")
    assert set(event.changes) == {"legal_name", "email", "external_ref"}
    assert old_name not in str(event.changes)
    contributor_erase(acting_user=legal1, contributor=customer, reason="again")
    assert AuditEvent.objects.filter(action="contributor.erased").count() == 1
    # The receipt now identifies the principal by pseudonym... unless the consent holds its own ref.
    from catalogue.receipts import consent_receipt, validate_receipt

    consent = (
        type(cleared["consent"]).objects.select_related("contributor").get(pk=cleared["consent"].pk)
    )
    receipt = consent_receipt(consent)
    validate_receipt(receipt)
    assert receipt["piiPrincipalId"] == pseudonym
    assert Contributor.objects.filter(legal_name=old_name).count() == 0


def test_contributor_api_hides_personal_data_after_and_before_erasure(
    cleared, alice, legal1, api_client_for
):
    customer = cleared["customer"]
    body = api_client_for(alice).get(f"/api/v1/contributors/{customer.pk}/").json()
    assert "legal_name" not in body and "email" not in body
    body = api_client_for(legal1).get(f"/api/v1/contributors/{customer.pk}/").json()
    assert body["legal_name"] == customer.legal_name


def test_erase_api(cleared, alice, legal1, api_client_for):
    customer = cleared["customer"]
    url = f"/api/v1/contributors/{customer.pk}/erase/"
    assert api_client_for(alice).post(url, {"reason": "x"}, format="json").status_code == 403
    assert api_client_for(legal1).post(url, {}, format="json").status_code == 400
    response = api_client_for(legal1).post(url, {"reason": "Erasure request #12"}, format="json")
    assert response.status_code == 200 and response.json()["pseudonym"] == customer.pseudonym
    body = api_client_for(legal1).get(f"/api/v1/contributors/{customer.pk}/").json()
    assert body["legal_name"] == "" and body["email"] == "" and body["external_ref"] == "CRM-123"
