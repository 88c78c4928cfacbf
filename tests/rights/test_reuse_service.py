"""reuse_record: happy path, refusal saves nothing, permissions, and locking against policy_set."""

import datetime as dt
import threading
import time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from catalogue.models import AuditEvent, Reuse, Watch
from catalogue.rules import RuleViolation
from catalogue.services.policy import policy_set
from catalogue.services.reuse import reuse_record
from tests.factories import VersionFactory
from tests.rights.conftest import policy_doc

TODAY = dt.date(2026, 11, 1)


def record(user, artifact, team, **kw):
    args = {
        "initiative": "Card onboarding refresh",
        "purpose": "marketing",
        "channel": "web",
        "occurred_on": TODAY,
        **kw,
    }
    return reuse_record(acting_user=user, artifact=artifact, team=team, **args)


@pytest.mark.django_db
def test_record_stores_snapshot_audits_watches_and_queues_rollup(
    carol, retail, published, django_capture_on_commit_callbacks
):
    artifact = published({"duties": ["inform_owner"]})
    version = VersionFactory(artifact=artifact, version="2.0.0", published_at=timezone.now())
    with django_capture_on_commit_callbacks() as callbacks:
        reuse = record(carol, artifact, retail, version=version, mode="adapted")
    assert reuse.rights_decision["decision"] == "permit"
    assert reuse.rights_decision["policy_revision"] == 1
    assert (
        reuse.rights_decision["duties"][0]["description"] == "Inform the owner team Retail Banking"
    )
    assert reuse.version == version and reuse.recorded_by == carol
    assert AuditEvent.objects.filter(action="reuse.recorded", object_id=str(reuse.pk)).exists()
    assert Watch.objects.get(user=carol, artifact=artifact).automatic
    # One of the callbacks is ours; the task exists, so it is queued with the reuse id.
    from unittest import mock

    with mock.patch("catalogue.tasks.rollup_reuse.delay") as delay:
        for cb in callbacks:
            cb()
    delay.assert_called_once_with(reuse.pk)


@pytest.mark.django_db
def test_version_defaults_to_the_latest_published(carol, retail, published):
    artifact = published({})
    newer = VersionFactory(artifact=artifact, version="2.0.0", published_at=timezone.now())
    draft = VersionFactory(artifact=artifact, version="3.0.0")
    type(artifact).objects.filter(pk=artifact.pk).update(current_version=draft)
    assert record(carol, artifact, retail).version_id == newer.pk


@pytest.mark.django_db
def test_unpublished_or_missing_version_refused(carol, retail, published):
    artifact = published({})
    draft = VersionFactory(artifact=artifact, version="2.0.0")
    with pytest.raises(RuleViolation) as exc:
        record(carol, artifact, retail, version=draft)
    assert [r.code for r in exc.value.reasons] == ["reuse.version_unpublished"]
    artifact.versions.exclude(pk=draft.pk).delete()
    with pytest.raises(RuleViolation) as exc:
        record(carol, artifact, retail)
    assert [r.code for r in exc.value.reasons] == ["reuse.no_published_version"]
    assert not Reuse.objects.exists()


@pytest.mark.django_db
def test_refused_saves_nothing(carol, retail, published):
    artifact = published({"purposes": ["research"]})
    counts = (Reuse.objects.count(), AuditEvent.objects.count(), Watch.objects.count())
    with pytest.raises(RuleViolation) as exc:
        record(carol, artifact, retail, purpose="marketing")
    assert exc.value.detail == "Reuse refused"
    assert [r.code for r in exc.value.reasons] == ["odrl.constraint_unsatisfied"]
    assert (Reuse.objects.count(), AuditEvent.objects.count(), Watch.objects.count()) == counts


@pytest.mark.django_db
def test_permissions(carol, bob, victor, admin_user, retail, cards, published):
    artifact = published({})
    for user, team in ((carol, cards), (bob, retail), (victor, retail)):
        with pytest.raises(PermissionDenied):
            record(user, artifact, team)
    assert record(admin_user, artifact, cards).team == cards


@pytest.mark.django_db
def test_invalid_input(carol, retail, published):
    artifact = published({})
    other = VersionFactory()
    with pytest.raises(ValidationError) as exc:
        record(
            carol, artifact, retail, purpose="gossip", mode="stolen", initiative=" ", version=other
        )
    assert set(exc.value.message_dict) == {"purpose", "mode", "initiative", "version"}


def _in_thread(fn, results, key):
    def run():
        try:
            results[key] = fn()
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            results[key] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.django_db(transaction=True)
def test_reuse_waits_for_a_concurrent_policy_change(carol, alice, retail, published):
    """A policy change in flight holds the artifact row: the reuse sees the new policy, not the old."""
    artifact = published({})
    narrowed = policy_doc(artifact, teams=["cards"], version=2)
    changed, release = threading.Event(), threading.Event()
    results: dict = {}

    def change_policy():
        with transaction.atomic():
            policy_set(acting_user=alice, artifact=artifact, odrl=narrowed)
            changed.set()
            release.wait(10)

    first = _in_thread(change_policy, results, "policy")
    assert changed.wait(10)
    second = _in_thread(lambda: record(carol, artifact, retail), results, "reuse")
    time.sleep(0.5)
    assert second.is_alive(), "the reuse must wait for the artifact lock"
    release.set()
    first.join(10)
    second.join(10)
    assert isinstance(results["reuse"], RuleViolation), results
    assert [r.code for r in results["reuse"].reasons] == ["odrl.no_matching_permission"]
    assert not Reuse.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_policy_change_waits_for_a_reuse_in_flight(carol, alice, retail, published):
    """A reuse in flight holds the row: it is recorded under revision 1, the change lands after."""
    artifact = published({})
    recorded, release = threading.Event(), threading.Event()
    results: dict = {}

    def reuse():
        with transaction.atomic():
            out = record(carol, artifact, retail)
            recorded.set()
            release.wait(10)
            return out

    first = _in_thread(reuse, results, "reuse")
    assert recorded.wait(10)
    second = _in_thread(
        lambda: policy_set(
            acting_user=alice,
            artifact=artifact,
            odrl=policy_doc(artifact, teams=["cards"], version=2),
        ),
        results,
        "policy",
    )
    time.sleep(0.5)
    assert second.is_alive(), "the policy change must wait for the artifact lock"
    release.set()
    first.join(10)
    second.join(10)
    assert results["reuse"].rights_decision["policy_revision"] == 1
    assert results["policy"].revision == 2
    assert Reuse.objects.get().rights_decision["decision"] == "permit"
