import pytest
from django.core.exceptions import PermissionDenied

from catalogue.models import AuditEvent
from catalogue.models.choices import ArtifactStatus
from catalogue.rules import RuleViolation
from catalogue.services import lifecycle
from catalogue.services.lifecycle import artifact_publish, artifact_submit
from tests.factories import ArtifactFactory, AuthorshipFactory, VersionFactory

from .helpers import with_policy

pytestmark = pytest.mark.django_db


def ready(team, **kw):
    artifact = with_policy(ArtifactFactory(owner_team=team, **kw))
    AuthorshipFactory(artifact=artifact, role="originator")
    version = VersionFactory(artifact=artifact)
    artifact.current_version = version
    artifact.save(update_fields=["current_version"])
    return artifact


def test_publish_happy_path_freezes_version(alice, retail):
    artifact = ready(retail)
    published = artifact_publish(acting_user=alice, artifact=artifact, reason="ship it")
    assert published.status == ArtifactStatus.PUBLISHED and published.published_at
    version = artifact.current_version
    version.refresh_from_db()
    assert version.published_at is not None
    event = AuditEvent.objects.get(action="artifact.published")
    assert event.changes["status"] == ["draft", "published"] and event.reason == "ship it"


def test_publish_lists_every_failing_gate(alice, retail):
    artifact = ArtifactFactory(owner_team=retail, intent="")
    with pytest.raises(RuleViolation) as exc:
        artifact_publish(acting_user=alice, artifact=artifact)
    codes = [r.code for r in exc.value.reasons]
    assert codes[:3] == [
        "publish.intent_missing",
        "publish.originator_missing",
        "publish.policy_missing",
    ]
    artifact.refresh_from_db()
    assert artifact.status == ArtifactStatus.DRAFT


def test_only_maintainers_or_admin_publish(carol, bob, admin_user, retail):
    artifact = ready(retail)
    for user in (carol, bob):
        with pytest.raises(PermissionDenied):
            artifact_publish(acting_user=user, artifact=artifact)
    assert (
        artifact_publish(acting_user=admin_user, artifact=artifact).status
        == ArtifactStatus.PUBLISHED
    )


def test_publish_refuses_published_and_archived(alice, retail):
    # A published artifact publishes only a version not yet published (tests/lifecycle/test_versions.py).
    published = ready(retail, published=True)
    type(published.current_version).objects.filter(pk=published.current_version_id).update(
        published_at=published.published_at
    )
    with pytest.raises(RuleViolation) as exc:
        artifact_publish(acting_user=alice, artifact=published)
    assert [r.code for r in exc.value.reasons] == ["publish.version_missing"]
    with pytest.raises(RuleViolation) as exc:
        artifact_publish(acting_user=alice, artifact=published, version=published.current_version)
    assert exc.value.reasons[0].code == "version.already_published"
    with pytest.raises(RuleViolation) as exc:
        artifact_publish(acting_user=alice, artifact=ready(retail, archived=True))
    assert exc.value.reasons[0].code == "artifact.archived"


def test_submit_runs_hooks_in_transaction(carol, retail, monkeypatch):
    seen = []
    monkeypatch.setattr(lifecycle, "SUBMIT_HOOKS", [lambda a, v, u: seen.append((a.slug, v, u))])
    artifact = ready(retail)
    submitted = artifact_submit(acting_user=carol, artifact=artifact)
    assert submitted.status == ArtifactStatus.IN_REVIEW
    assert seen == [(artifact.slug, artifact.current_version, carol)]
    with pytest.raises(RuleViolation) as exc:
        artifact_submit(acting_user=carol, artifact=artifact)
    assert exc.value.reasons[0].code == "lifecycle.transition_not_allowed"


def test_failing_hook_rolls_back_submit(carol, retail, monkeypatch):
    def refuse(artifact, version, user):
        raise RuleViolation("no", [])

    monkeypatch.setattr(lifecycle, "SUBMIT_HOOKS", [refuse])
    artifact = ready(retail)
    with pytest.raises(RuleViolation):
        artifact_submit(acting_user=carol, artifact=artifact)
    artifact.refresh_from_db()
    assert artifact.status == ArtifactStatus.DRAFT


def test_submit_permissions(bob, victor, retail):
    artifact = ready(retail)
    for user in (bob, victor):
        with pytest.raises(PermissionDenied):
            artifact_submit(acting_user=user, artifact=artifact)


def test_publish_from_in_review(alice, retail, monkeypatch):
    monkeypatch.setattr(lifecycle, "SUBMIT_HOOKS", [])
    artifact = ready(retail)
    artifact_submit(acting_user=alice, artifact=artifact)
    assert artifact_publish(acting_user=alice, artifact=artifact).status == ArtifactStatus.PUBLISHED
