"""A consent_ip approval the publish gates would contradict is refused, or overridden on the record;
a new version of a customer-derived artifact opens its own review and publishes only once approved."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from catalogue.models import AuditEvent, Review
from catalogue.models import choices as c
from catalogue.rules import RuleViolation
from catalogue.services.artifacts import version_create
from catalogue.services.lifecycle import artifact_publish
from catalogue.services.reviews import review_decide
from tests.factories import ArtifactFactory, AuthorshipFactory, ContributorFactory, ReviewFactory
from tests.rights.conftest import set_policy

pytestmark = pytest.mark.django_db


@pytest.fixture
def uncovered(retail, alice, customer):
    """An open consent_ip review of a customer-derived artifact no consent covers, no IP signed."""
    artifact = ArtifactFactory(owner_team=retail, customer=True, status=c.ArtifactStatus.IN_REVIEW)
    AuthorshipFactory(
        artifact=artifact, contributor=customer, role=c.AuthorRole.CO_AUTHOR, credit_share=0
    )
    return ReviewFactory(artifact=artifact, requested_by=alice)


def test_approval_contradicting_the_gates_is_refused(uncovered, legal1):
    with pytest.raises(RuleViolation) as exc:
        review_decide(
            acting_user=legal1, review=uncovered, decision="approve", rationale="Looks fine."
        )
    assert [r.code for r in exc.value.reasons] == [
        "publish.consent_missing",
        "publish.ip_assignment_missing",
    ]
    uncovered.refresh_from_db()
    assert uncovered.status == c.ReviewStatus.OPEN and not uncovered.decisions.exists()
    # Rejecting needs no consent.
    assert (
        review_decide(
            acting_user=legal1, review=uncovered, decision="reject", rationale="No consent."
        ).status
        == "rejected"
    )


def test_override_needs_a_rationale_and_is_audited(uncovered, legal1):
    with pytest.raises(ValidationError) as exc:
        review_decide(
            acting_user=legal1,
            review=uncovered,
            decision="approve",
            rationale="Fine.",
            override=True,
        )
    assert set(exc.value.message_dict) == {"override_rationale"}
    done = review_decide(
        acting_user=legal1,
        review=uncovered,
        decision="approve",
        rationale="Fine.",
        override=True,
        override_rationale="Consent on paper, being scanned today.",
    )
    assert done.status == c.ReviewStatus.APPROVED
    event = AuditEvent.objects.get(action="review.gates_overridden")
    assert event.reason == "Consent on paper, being scanned today."
    assert event.changes["overridden"] == [
        "publish.consent_missing",
        "publish.ip_assignment_missing",
    ]


def test_api_decide_409_with_reasons_then_override(api_client_for, uncovered, legal1):
    client = api_client_for(legal1)
    target = f"/api/v1/reviews/{uncovered.pk}/decide/"
    res = client.post(target, {"decision": "approve", "rationale": "Fine."}, format="json")
    assert res.status_code == 409, res.content
    assert [r["code"] for r in res.json()["reasons"]] == [
        "publish.consent_missing",
        "publish.ip_assignment_missing",
    ]
    assert (
        client.post(
            target, {"decision": "approve", "rationale": "Fine.", "override": True}, format="json"
        ).status_code
        == 400
    )
    ok = client.post(
        target,
        {
            "decision": "approve",
            "rationale": "Fine.",
            "override": True,
            "override_rationale": "Signed on paper.",
        },
        format="json",
    )
    assert ok.status_code == 200 and ok.json()["status"] == "approved"


def test_web_decide_shows_reasons_then_override(client, uncovered, legal1):
    client.force_login(legal1)
    target = reverse("catalogue:review_detail", args=[uncovered.pk])
    res = client.post(target, {"decision": "approve", "rationale": "Fine."})
    assert res.status_code == 409
    assert (
        "No consent record covers" in res.content.decode()
        and 'name="override"' in res.content.decode()
    )
    res = client.post(
        target,
        {
            "decision": "approve",
            "rationale": "Fine.",
            "override": "on",
            "override_rationale": "Signed on paper.",
        },
    )
    assert res.status_code == 302
    uncovered.refresh_from_db()
    assert uncovered.status == c.ReviewStatus.APPROVED


def test_new_version_of_customer_derived_artifact_opens_its_review(
    cleared, alice, admin_user, legal1
):
    artifact = cleared["artifact"]
    set_policy(artifact, admin_user, purposes=["product_design"])
    v2 = version_create(acting_user=alice, artifact=artifact, version="2.0.0")
    review = Review.objects.get(artifact=artifact, version=v2)
    assert review.kind == c.ReviewKind.CONSENT_IP and review.status == c.ReviewStatus.OPEN
    assert review.requested_by == alice
    artifact.refresh_from_db()
    assert artifact.current_version == cleared["version"]  # v1 stays what is reusable
    with pytest.raises(RuleViolation) as exc:
        artifact_publish(acting_user=alice, artifact=artifact, version=v2)
    assert [r.code for r in exc.value.reasons] == ["publish.consent_ip_review_missing"]
    review_decide(acting_user=legal1, review=review, decision="approve", rationale="Same consents.")
    artifact_publish(acting_user=alice, artifact=artifact, version=v2)
    artifact.refresh_from_db()
    assert artifact.current_version == v2


def test_new_version_of_an_ordinary_artifact_opens_no_review(retail, alice):
    artifact = ArtifactFactory(owner_team=retail, published=True)
    AuthorshipFactory(artifact=artifact, contributor=ContributorFactory())
    version_create(acting_user=alice, artifact=artifact, version="2.0.0")
    assert not Review.objects.filter(artifact=artifact).exists()
