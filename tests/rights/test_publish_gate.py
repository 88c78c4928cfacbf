"""Publishing needs a reuse policy (Rule 1): gate_policy, through the real publish service."""

import pytest

from catalogue.models.choices import ArtifactStatus
from catalogue.rules import PUBLISH_GATES, RuleViolation, gate_policy
from catalogue.services.lifecycle import artifact_publish
from tests.factories import ArtifactFactory, AuthorshipFactory, VersionFactory
from tests.rights.conftest import set_policy

pytestmark = pytest.mark.django_db


def draft(retail):
    artifact = ArtifactFactory(owner_team=retail)
    AuthorshipFactory(artifact=artifact)
    artifact.current_version = VersionFactory(artifact=artifact)  # publishing needs a version too
    artifact.save(update_fields=["current_version"])
    return artifact


def test_gate_is_registered():
    assert gate_policy in PUBLISH_GATES


def test_publish_refused_without_policy(alice, retail):
    artifact = draft(retail)
    with pytest.raises(RuleViolation) as exc:
        artifact_publish(acting_user=alice, artifact=artifact)
    assert [r.code for r in exc.value.reasons] == ["publish.policy_missing"]
    artifact.refresh_from_db()
    assert artifact.status == ArtifactStatus.DRAFT


def test_publish_listed_with_other_failing_gates(alice, retail):
    artifact = ArtifactFactory(owner_team=retail, intent="")
    with pytest.raises(RuleViolation) as exc:
        artifact_publish(acting_user=alice, artifact=artifact)
    codes = [r.code for r in exc.value.reasons]
    assert {
        "publish.intent_missing",
        "publish.originator_missing",
        "publish.policy_missing",
    } <= set(codes)


def test_publish_with_policy(alice, retail):
    artifact = draft(retail)
    set_policy(artifact, alice)
    artifact.refresh_from_db()
    artifact_publish(acting_user=alice, artifact=artifact)
    artifact.refresh_from_db()
    assert artifact.status == ArtifactStatus.PUBLISHED
