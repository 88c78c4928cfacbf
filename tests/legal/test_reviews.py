"""Rule 2: four eyes, two approvals, final decisions, concurrency; the submit hook opens reviews."""

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from catalogue.models import AuditEvent, Review, ReviewDecision
from catalogue.models import choices as c
from catalogue.rules import RuleViolation
from catalogue.services.lifecycle import artifact_submit
from catalogue.services.reviews import review_decide, review_request
from tests.factories import (
    ArtifactFactory,
    AuthorshipFactory,
    ConsentFactory,
    ContributorFactory,
    ReviewFactory,
    UserFactory,
    VersionFactory,
)


def codes(exc):
    return [r.code for r in exc.value.reasons]


@pytest.fixture
def review(retail, alice):
    artifact = ArtifactFactory(owner_team=retail, customer=True)
    # A covering consent: approving what no consent covers is refused (tests/legal/test_review_gates.py).
    ConsentFactory().artifacts.add(artifact)
    return ReviewFactory(artifact=artifact, requested_by=alice, purposes=["product_design"])


def test_approve_closes_single_approval_review(review, legal1):
    result = review_decide(
        acting_user=legal1, review=review, decision="approve", rationale="Consents in order."
    )
    assert result.status == c.ReviewStatus.APPROVED
    assert result.valid_until is not None and result.decided_at is not None
    assert AuditEvent.objects.filter(action="review.approve", object_id=str(review.pk)).exists()


@pytest.mark.parametrize(
    "decision,status",
    [
        ("reject", c.ReviewStatus.REJECTED),
        ("request_changes", c.ReviewStatus.CHANGES_REQUESTED),
    ],
)
def test_reject_and_request_changes_are_final(review, legal1, legal2, decision, status):
    assert (
        review_decide(acting_user=legal1, review=review, decision=decision, rationale="No.").status
        == status
    )
    with pytest.raises(RuleViolation) as exc:
        review_decide(acting_user=legal2, review=review, decision="approve", rationale="Yes.")
    assert codes(exc) == ["review.already_decided"]


def test_decision_after_approval_is_refused(review, legal1, legal2):
    review_decide(acting_user=legal1, review=review, decision="approve", rationale="Fine.")
    with pytest.raises(RuleViolation) as exc:
        review_decide(acting_user=legal2, review=review, decision="reject", rationale="Late.")
    assert codes(exc) == ["review.already_decided"]


def test_author_cannot_decide(review, legal1):
    AuthorshipFactory(artifact=review.artifact, contributor=ContributorFactory(user=legal1))
    with pytest.raises(RuleViolation) as exc:
        review_decide(acting_user=legal1, review=review, decision="approve", rationale="Mine.")
    assert codes(exc) == ["review.own_artifact"]
    assert not ReviewDecision.objects.exists()


def test_requester_cannot_decide(retail, legal1):
    review = ReviewFactory(
        artifact=ArtifactFactory(owner_team=retail, customer=True), requested_by=legal1
    )
    with pytest.raises(RuleViolation) as exc:
        review_decide(acting_user=legal1, review=review, decision="approve", rationale="I asked.")
    assert codes(exc) == ["review.own_request"]


def test_non_legal_cannot_decide(review, alice, victor):
    for user in (alice, victor):
        with pytest.raises(PermissionDenied):
            review_decide(acting_user=user, review=review, decision="approve", rationale="x")


def test_rationale_and_decision_are_required(review, legal1):
    with pytest.raises(ValidationError) as exc:
        review_decide(acting_user=legal1, review=review, decision="approve", rationale="  ")
    assert "rationale" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        review_decide(acting_user=legal1, review=review, decision="maybe", rationale="x")
    assert "decision" in exc.value.message_dict


def test_two_approvals_from_two_legal_reviewers(retail, legal1, legal2, alice):
    artifact = ArtifactFactory(owner_team=retail, restricted=True)
    review = review_request(
        acting_user=alice, artifact=artifact, kind="consent_ip", purposes=["research"]
    )
    assert review.required_approvals == 2
    first = review_decide(acting_user=legal1, review=review, decision="approve", rationale="One.")
    assert first.status == c.ReviewStatus.OPEN
    with pytest.raises(RuleViolation) as exc:
        review_decide(acting_user=legal1, review=review, decision="approve", rationale="Again.")
    assert codes(exc) == ["review.same_reviewer"]
    second = review_decide(acting_user=legal2, review=review, decision="approve", rationale="Two.")
    assert second.status == c.ReviewStatus.APPROVED


def test_model_training_needs_two_and_admin_approval_does_not_count(
    retail, legal1, admin_user, alice
):
    artifact = ArtifactFactory(owner_team=retail, customer=True)
    ConsentFactory(purposes=["model_training"]).artifacts.add(artifact)
    review = review_request(
        acting_user=alice, artifact=artifact, kind="consent_ip", purposes=["model_training"]
    )
    assert review.required_approvals == 2
    review_decide(acting_user=legal1, review=review, decision="approve", rationale="One.")
    with pytest.raises(RuleViolation) as exc:
        review_decide(acting_user=admin_user, review=review, decision="approve", rationale="Admin.")
    assert codes(exc) == ["review.legal_reviewer_required"]
    review.refresh_from_db()
    assert review.status == c.ReviewStatus.OPEN


def test_request_permissions_and_duplicates(retail, alice, bob, legal1):
    artifact = ArtifactFactory(owner_team=retail, customer=True)
    with pytest.raises(PermissionDenied):
        review_request(acting_user=bob, artifact=artifact, kind="consent_ip", purposes=[])
    review_request(acting_user=alice, artifact=artifact, kind="consent_ip", purposes=["research"])
    with pytest.raises(RuleViolation) as exc:
        review_request(
            acting_user=legal1, artifact=artifact, kind="consent_ip", purposes=["research"]
        )
    assert codes(exc) == ["review.already_open"]
    with pytest.raises(ValidationError):
        review_request(acting_user=alice, artifact=artifact, kind="vibes", purposes=["astrology"])


def test_submit_opens_consent_ip_and_ethics_reviews(retail, alice, legal1):
    artifact = ArtifactFactory(owner_team=retail, customer=True)
    version = VersionFactory(artifact=artifact)
    artifact.current_version = version
    artifact.save(update_fields=["current_version"])
    ConsentFactory(purposes=["model_training", "research"]).artifacts.add(artifact)
    artifact_submit(acting_user=alice, artifact=artifact)
    reviews = {r.kind: r for r in Review.objects.filter(artifact=artifact)}
    assert set(reviews) == {"consent_ip", "ethics"}
    assert reviews["consent_ip"].version == version
    assert reviews["consent_ip"].purposes == ["model_training", "research"]
    assert reviews["consent_ip"].required_approvals == 2
    assert legal1.notifications.filter(kind="review.requested").count() == 2


def test_submit_of_ordinary_artifact_opens_nothing(retail, alice):
    artifact = ArtifactFactory(owner_team=retail)
    artifact_submit(acting_user=alice, artifact=artifact)
    assert not Review.objects.exists()


def _race(review_pk, users, decision="approve"):
    results, barrier = [], threading.Barrier(len(users))

    def work(user):
        try:
            barrier.wait()
            review_decide(
                acting_user=user,
                review=Review.objects.get(pk=review_pk),
                decision=decision,
                rationale="Concurrent.",
            )
            results.append("ok")
        except RuleViolation as exc:
            results.append(exc.reasons[0].code)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_decisions_one_success(retail):
    review = ReviewFactory(artifact=ArtifactFactory(owner_team=retail, customer=True))
    ConsentFactory().artifacts.add(review.artifact)
    reviewers = [UserFactory(username=f"lawyer{i}", roles=[c.Role.LEGAL]) for i in range(50)]
    results = _race(review.pk, reviewers)
    assert results.count("ok") == 1
    assert set(results) - {"ok"} == {"review.already_decided"}
    assert ReviewDecision.objects.filter(review_id=review.pk).count() == 1


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_decisions_two_approval_review(retail):
    review = ReviewFactory(
        artifact=ArtifactFactory(owner_team=retail, restricted=True), required_approvals=2
    )
    reviewers = [UserFactory(username=f"lawyer{i}", roles=[c.Role.LEGAL]) for i in range(50)]
    results = _race(review.pk, reviewers)
    assert results.count("ok") == 2
    review.refresh_from_db()
    assert review.status == c.ReviewStatus.APPROVED
    assert (
        ReviewDecision.objects.filter(review_id=review.pk).values("reviewer").distinct().count()
        == 2
    )


@pytest.mark.django_db(transaction=True)
def test_same_reviewer_racing_with_itself_wins_once(retail):
    review = ReviewFactory(
        artifact=ArtifactFactory(owner_team=retail, restricted=True), required_approvals=2
    )
    lawyer = UserFactory(username="lawyer", roles=[c.Role.LEGAL])
    results = _race(review.pk, [lawyer] * 10)
    assert results.count("ok") == 1
    assert set(results) - {"ok"} == {"review.same_reviewer"}
