"""Rule 3, legal parts: review state, IP chain and consent through lineage, with set forms."""

import datetime as dt

import pytest
from django.utils import timezone

from catalogue.checks import SetRequest
from catalogue.checks.legal import consent_set_form, ip_set_form, review_set_form
from catalogue.models import Artifact, IPAssignment, Review
from catalogue.models import choices as c
from catalogue.services.rights import rights_check
from tests.factories import (
    ArtifactFactory,
    AuthorshipFactory,
    ConsentFactory,
    ContributorFactory,
    IPAssignmentFactory,
    LineageFactory,
)


def legal_codes(decision):
    return sorted(
        r.code for r in decision.reasons if r.code.split(".")[0] in {"review", "ip", "consent"}
    )


def check(artifact, team, purpose="product_design", action="use", at=None):
    return rights_check(
        artifact=artifact, team=team, action=action, purpose=purpose, channel="web", at=at
    )


def agrees(artifact, team, purpose="product_design", action="use", at=None):
    """The set forms admit the artifact exactly when the single check has no legal denial."""
    at = at or timezone.now()
    request = SetRequest(team=team, action=action, purpose=purpose, channel="web", at=at)
    qs = Artifact.objects.filter(pk=artifact.pk)
    for form in (review_set_form, ip_set_form, consent_set_form):
        qs = form(qs, request)
    return qs.exists() == (not legal_codes(check(artifact, team, purpose, action, at)))


def test_cleared_artifact_has_no_legal_denial(cleared, retail):
    decision = check(cleared["artifact"], retail)
    assert legal_codes(decision) == []  # only the (missing) policy denies here
    assert "policy.missing" in decision.codes
    assert agrees(cleared["artifact"], retail)


def test_review_missing_expired_and_purpose(cleared, retail):
    review = cleared["review"]
    assert "review.purpose_not_approved" in legal_codes(
        check(cleared["artifact"], retail, "marketing")
    )
    assert agrees(cleared["artifact"], retail, "marketing")
    Review.objects.filter(pk=review.pk).update(
        valid_until=timezone.localdate() - dt.timedelta(days=1)
    )
    assert "review.expired" in legal_codes(check(cleared["artifact"], retail))
    assert agrees(cleared["artifact"], retail)
    Review.objects.filter(pk=review.pk).update(status=c.ReviewStatus.OPEN, valid_until=None)
    assert "review.missing" in legal_codes(check(cleared["artifact"], retail))
    assert agrees(cleared["artifact"], retail)


def test_model_training_needs_approval_of_that_purpose(cleared, retail):
    decision = check(cleared["artifact"], retail, "research", action="train")
    assert "review.purpose_not_approved" in legal_codes(decision)
    assert "consent.purpose_not_covered" in legal_codes(decision)
    assert agrees(cleared["artifact"], retail, "research", action="train")


def test_ip_chain_names_missing_contributor(cleared, retail):
    agency = ContributorFactory(agency=True)
    AuthorshipFactory(
        artifact=cleared["artifact"],
        contributor=agency,
        role=c.AuthorRole.CO_AUTHOR,
        credit_share=0,
    )
    decision = check(cleared["artifact"], retail)
    missing = [r for r in decision.reasons if r.code == "ip.assignment_missing"]
    assert len(missing) == 1 and agency.pseudonym in missing[0].message
    assert agrees(cleared["artifact"], retail)
    IPAssignment.objects.filter(assignor=cleared["customer"]).update(status=c.IPStatus.REVOKED)
    assert legal_codes(check(cleared["artifact"], retail)).count("ip.assignment_missing") == 2


def test_ordinary_artifacts_need_no_review_or_consent_but_need_licences(retail):
    """Issue 15 finding 5 (Rule 1): agency work needs a signed licence even when ordinary."""
    artifact = ArtifactFactory(owner_team=retail, published=True)
    agency = ContributorFactory(agency=True)
    AuthorshipFactory(artifact=artifact, contributor=agency)
    assert legal_codes(check(artifact, retail)) == ["ip.assignment_missing"]
    assert agrees(artifact, retail)
    IPAssignmentFactory(artifact=artifact, assignor=agency, kind=c.IPKind.NON_EXCLUSIVE_LICENCE)
    assert legal_codes(check(artifact, retail)) == []
    assert agrees(artifact, retail)


@pytest.mark.parametrize(
    "change,code",
    [
        ({"status": c.ConsentStatus.WITHDRAWN}, "consent.withdrawn"),
        ({"status": c.ConsentStatus.REVOKED}, "consent.revoked"),
        ({"expires_at": timezone.now() - dt.timedelta(days=1)}, "consent.expired"),
        ({"purposes": ["marketing"]}, "consent.purpose_not_covered"),
    ],
)
def test_consent_denies_artifact_and_descendants(chain, retail, cards, change, code):
    type(chain["consent"]).objects.filter(pk=chain["consent"].pk).update(**change)
    for artifact in (chain["artifact"], chain["child"], chain["grandchild"]):
        decision = check(artifact, cards)
        assert code in legal_codes(decision), artifact.slug
        assert agrees(artifact, cards)
    grand = [r for r in check(chain["grandchild"], cards).reasons if r.code == code][0]
    assert f"consent {chain['consent'].pk}".lower() in grand.message.lower()
    assert "co-created-journey" in grand.message


def test_customer_artifact_without_consent_is_denied(retail):
    artifact = ArtifactFactory(owner_team=retail, customer=True, published=True)
    assert "consent.missing" in legal_codes(check(artifact, retail))
    assert agrees(artifact, retail)


def test_check_as_of_before_withdrawal_still_permits(chain, cards):
    consent = chain["consent"]
    before = timezone.now()
    type(consent).objects.filter(pk=consent.pk).update(
        status=c.ConsentStatus.WITHDRAWN, status_changed_at=before + dt.timedelta(seconds=1)
    )
    assert "consent.withdrawn" not in legal_codes(check(chain["grandchild"], cards, at=before))
    assert agrees(chain["grandchild"], cards, at=before)


def test_consent_check_query_count_does_not_grow_with_lineage(cleared, retail, count_queries):
    def build(length, prefix):
        node = cleared["artifact"]
        for i in range(length):
            child = ArtifactFactory(
                owner_team=retail, published=True, customer=True, slug=f"{prefix}-{i}"
            )
            ConsentFactory(purposes=["product_design"]).artifacts.add(child)
            LineageFactory(child=child, parent=node)
            node = child
        return Artifact.objects.select_related("owner_team").get(pk=node.pk)

    short, long = build(2, "short"), build(12, "long")
    assert count_queries(lambda: check(short, retail)) == count_queries(lambda: check(long, retail))
