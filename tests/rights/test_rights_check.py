"""The rights check, one test per reason code, plus duties, warnings and the snapshot."""

import datetime as dt

import pytest
from django.utils import timezone

from catalogue.models.choices import ArtifactStatus
from catalogue.services.rights import rights_check
from tests.factories import ArtifactFactory, AuthorshipFactory, ContributorFactory, LineageFactory

pytestmark = pytest.mark.django_db


def check(artifact, team, *, action="use", purpose="marketing", channel="web", at=None):
    return rights_check(
        artifact=artifact, team=team, action=action, purpose=purpose, channel=channel, at=at
    )


def test_permit_for_all_teams_with_duties_and_policy_revision(published, cards):
    artifact = published({"duties": ["attribute", "inform_owner", "approval_per_reuse"]})
    originator = ContributorFactory()
    AuthorshipFactory(artifact=artifact, contributor=originator)
    decision = check(artifact, cards)
    assert decision.decision == "permit"
    assert decision.codes == ["odrl.permitted"]
    texts = [d["description"] for d in decision.duties]
    assert f"Attribute the originators: {originator.pseudonym}" in texts
    assert "Inform the owner team Retail Banking" in texts
    assert any("approval" in t for t in texts)
    snap = decision.as_dict()
    assert snap["policy_revision"] == 1 and snap["policy_id"] == artifact.current_policy_id
    assert snap["team"] == "cards" and snap["evaluated_at"]
    assert "revision 1" in decision.reasons[0].message


def test_policy_missing(published, cards):
    decision = check(published(None), cards)
    assert decision.decision == "deny"
    assert decision.codes == ["policy.missing"]


def test_no_matching_permission_for_unnamed_team(published, cards, retail):
    artifact = published({"teams": ["retail"]})
    assert check(artifact, retail).permitted
    decision = check(artifact, cards)
    assert not decision.permitted and decision.codes == ["odrl.no_matching_permission"]


def test_constraint_unsatisfied_purpose_and_channel(published, cards):
    artifact = published({"purposes": ["research"], "channels": ["internal"]})
    assert check(artifact, cards, purpose="research", channel="internal").permitted
    decision = check(artifact, cards, purpose="marketing", channel="internal")
    assert decision.codes == ["odrl.constraint_unsatisfied"]
    assert "marketing" in decision.reasons[0].message


def test_expired_validity_window(published, cards):
    artifact = published({"valid_until": dt.date(2020, 1, 1)})
    assert check(artifact, cards, at=dt.datetime(2019, 6, 1, tzinfo=dt.UTC)).permitted
    assert check(artifact, cards).codes == ["odrl.constraint_unsatisfied"]


def test_prohibition(published, cards):
    artifact = published(
        {
            "actions": ["use", "train"],
            "prohibitions": [{"action": "train", "purposes": ["model_training"]}],
        }
    )
    decision = check(artifact, cards, action="train", purpose="model_training")
    assert decision.codes == ["odrl.prohibited"]
    assert check(artifact, cards, action="train", purpose="research").permitted


def test_archived(published, cards):
    artifact = published({}, status=ArtifactStatus.ARCHIVED, retirement_rationale="Failed pilot.")
    decision = check(artifact, cards)
    assert decision.codes == ["lifecycle.archived"]
    assert "Failed pilot." in decision.reasons[0].message


@pytest.mark.parametrize("status", [ArtifactStatus.DRAFT, ArtifactStatus.IN_REVIEW])
def test_not_published(published, cards, status):
    artifact = published({}, status=status)
    assert check(artifact, cards).codes == ["lifecycle.not_published"]


def test_deprecated_warns_with_successor_until_sunset(published, cards, retail):
    successor = ArtifactFactory(owner_team=retail, slug="new-journey", published=True)
    today = timezone.localdate()
    artifact = published(
        {},
        status=ArtifactStatus.DEPRECATED,
        superseded_by=successor,
        sunset_on=today + dt.timedelta(days=10),
    )
    decision = check(artifact, cards)
    assert decision.permitted
    assert [w.code for w in decision.warnings] == ["lifecycle.deprecated"]
    assert "new-journey" in decision.warnings[0].message


def test_sunset_passed(published, cards):
    artifact = published(
        {}, status=ArtifactStatus.DEPRECATED, sunset_on=timezone.localdate() - dt.timedelta(days=1)
    )
    decision = check(artifact, cards)
    assert decision.codes == ["lifecycle.sunset_passed"]


def test_all_reasons_are_listed(published, cards):
    artifact = published(None, status=ArtifactStatus.ARCHIVED)
    assert check(artifact, cards).codes == ["lifecycle.archived", "policy.missing"]


def test_bad_codes_are_refused(published, cards):
    with pytest.raises(ValueError):
        check(published({}), cards, purpose="gossip")


def _chain(length, retail):
    nodes = [ArtifactFactory(owner_team=retail, published=True) for _ in range(length)]
    for child, parent in zip(nodes, nodes[1:], strict=False):
        LineageFactory(child=child, parent=parent)
    return nodes[0]


def test_bounded_queries_whatever_the_lineage(published, cards, retail, admin_user, count_queries):
    from tests.rights.conftest import set_policy

    counts = []
    for length in (3, 60):
        leaf = _chain(length, retail)
        set_policy(leaf, admin_user, duties=["attribute", "inform_owner"])
        leaf.refresh_from_db()
        counts.append(count_queries(lambda leaf=leaf: check(leaf, cards)))
    assert counts[0] == counts[1]


def test_policy_invalid_when_a_stored_revision_cannot_be_parsed(published, cards):
    """Only reachable if a row bypassed policy_set (e.g. a restore from an old backup)."""
    from catalogue.models import Artifact, ReusePolicy

    artifact = published(None)
    bad = ReusePolicy.objects.create(
        artifact=artifact, revision=1, odrl={"@type": "Set", "permission": "x"}
    )
    Artifact.objects.filter(pk=artifact.pk).update(current_policy=bad)
    artifact.refresh_from_db()
    decision = check(artifact, cards)
    assert decision.codes == ["policy.invalid"]
