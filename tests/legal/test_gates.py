"""Rule 1: legal publish gates, each with its stable code, all listed together."""

import datetime as dt

from django.utils import timezone

from catalogue.models import Authorship, IPAssignment, Review
from catalogue.models import choices as c
from catalogue.rules import PublishContext, failing_publish_gates
from tests.factories import (
    ArtifactFactory,
    AuthorshipFactory,
    ContributorFactory,
    IPAssignmentFactory,
    VersionFactory,
)


def gate_codes(artifact, version=None):
    authorships = list(Authorship.objects.filter(artifact=artifact).select_related("contributor"))
    ctx = PublishContext(
        artifact=artifact,
        version=version or artifact.current_version,
        authorships=authorships,
        extra={},
    )
    return [r.code for r in failing_publish_gates(ctx) if r.code.startswith("publish.")]


LEGAL = {
    "publish.consent_ip_review_missing",
    "publish.consent_missing",
    "publish.ip_assignment_missing",
}


def test_cleared_artifact_passes_legal_gates(cleared):
    assert not LEGAL & set(gate_codes(cleared["artifact"]))


def test_review_must_be_approved_current_and_of_that_version(cleared):
    artifact, review = cleared["artifact"], cleared["review"]
    other = VersionFactory(artifact=artifact, version="2.0.0")
    assert "publish.consent_ip_review_missing" in gate_codes(artifact, other)
    Review.objects.filter(pk=review.pk).update(
        valid_until=timezone.localdate() - dt.timedelta(days=1)
    )
    assert "publish.consent_ip_review_missing" in gate_codes(artifact)
    Review.objects.filter(pk=review.pk).update(valid_until=None, status=c.ReviewStatus.REJECTED)
    assert "publish.consent_ip_review_missing" in gate_codes(artifact)


def test_consents_must_exist_and_be_in_force(cleared):
    artifact, consent = cleared["artifact"], cleared["consent"]
    type(consent).objects.filter(pk=consent.pk).update(status=c.ConsentStatus.WITHDRAWN)
    assert "publish.consent_missing" in gate_codes(artifact)
    consent.artifacts.remove(artifact)
    assert "publish.consent_missing" in gate_codes(artifact)


def test_ip_gate_names_every_missing_contributor(cleared):
    artifact = cleared["artifact"]
    agency = ContributorFactory(agency=True)
    AuthorshipFactory(
        artifact=artifact, contributor=agency, role=c.AuthorRole.CO_AUTHOR, credit_share=0
    )
    IPAssignment.objects.filter(artifact=artifact).update(status=c.IPStatus.DRAFT)
    authorships = list(Authorship.objects.filter(artifact=artifact))
    reasons = failing_publish_gates(
        PublishContext(
            artifact=artifact, version=artifact.current_version, authorships=authorships, extra={}
        )
    )
    ip = [r for r in reasons if r.code == "publish.ip_assignment_missing"]
    assert len(ip) == 1
    assert agency.pseudonym in ip[0].message and cleared["customer"].pseudonym in ip[0].message


def test_all_failing_gates_listed_for_bare_restricted_artifact(retail):
    artifact = ArtifactFactory(owner_team=retail, restricted=True)
    AuthorshipFactory(artifact=artifact, contributor=ContributorFactory(agency=True))
    codes = gate_codes(artifact)
    assert {"publish.consent_ip_review_missing", "publish.ip_assignment_missing"} <= set(codes)
    # Restricted material without customer content needs no consent record.
    assert "publish.consent_missing" not in codes


def test_ordinary_artifact_skips_review_and_consent_but_needs_licences(retail):
    """Issue 15 finding 5: agency work needs a signed licence even when not customer-derived."""
    artifact = ArtifactFactory(owner_team=retail)
    agency = ContributorFactory(agency=True)
    AuthorshipFactory(artifact=artifact, contributor=agency)
    assert LEGAL & set(gate_codes(artifact)) == {"publish.ip_assignment_missing"}
    IPAssignmentFactory(artifact=artifact, assignor=agency, kind=c.IPKind.NON_EXCLUSIVE_LICENCE)
    assert not LEGAL & set(gate_codes(artifact))


def test_gates_query_count_is_bounded(cleared, count_queries):
    artifact = cleared["artifact"]
    for _ in range(10):
        AuthorshipFactory(
            artifact=artifact,
            contributor=ContributorFactory(agency=True),
            role=c.AuthorRole.CO_AUTHOR,
            credit_share=0,
        )
    authorships = list(Authorship.objects.filter(artifact=artifact))
    ctx = PublishContext(
        artifact=artifact, version=artifact.current_version, authorships=authorships, extra={}
    )
    assert count_queries(lambda: failing_publish_gates(ctx)) <= 4
