import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from catalogue import tasks
from catalogue.models import Notification, NotificationPreference, Watch
from catalogue.services.retirement import artifact_archive, artifact_deprecate
from catalogue.services.watching import artifact_watch_set, digests_send, ensure_automatic_watches
from tests.factories import ArtifactFactory, ReuseFactory, UserFactory, VersionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(retail):
    return ArtifactFactory(
        owner_team=retail, published=True, slug="loan-journey", title="Loan journey"
    )


def test_deprecation_queues_the_notice_on_commit(
    published, alice, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(tasks.notify_artifact_retired, "delay", lambda *args: queued.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        artifact_deprecate(acting_user=alice, artifact=published, rationale="Replaced.")
    assert len(queued) == 1
    artifact_id, action, event_id = queued[0]
    assert (artifact_id, action) == (published.pk, "artifact.deprecated")
    assert not Notification.objects.exists()  # written by the task, not inside the request


def test_retirement_notice_reaches_owners_watchers_and_live_reusers_once(
    published,
    alice,
    carol,
    bob,
    victor,
    cards,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    queued = []
    monkeypatch.setattr(tasks.notify_artifact_retired, "delay", lambda *args: queued.append(args))
    artifact_watch_set(acting_user=victor, artifact=published, watching=True)
    ReuseFactory(artifact=published, team=cards)  # bob is in cards: a live reuse
    ended_team_member = UserFactory(username="erin")
    ended = ReuseFactory(artifact=published, ended_on=dt.date(2025, 1, 1))
    ended.team.memberships.create(user=ended_team_member)
    with django_capture_on_commit_callbacks(execute=True):
        artifact_deprecate(
            acting_user=alice, artifact=published, rationale="Replaced by the v2 journey."
        )
    assert tasks.notify_artifact_retired(*queued[0]) == 4
    tasks.notify_artifact_retired(*queued[0])  # redelivery is a no-op
    notes = Notification.objects.filter(kind="artifact.deprecated")
    assert sorted(n.recipient.username for n in notes) == ["alice", "bob", "carol", "victor"]
    assert "Replaced by the v2 journey." in notes[0].body
    # owners now watch automatically
    assert set(
        Watch.objects.filter(artifact=published, automatic=True).values_list(
            "user__username", flat=True
        )
    ) == {"alice", "carol"}


def test_archive_notice_skips_watchers_who_may_not_see_a_restricted_artifact(retail, alice, victor):
    art = ArtifactFactory(owner_team=retail, published=True, restricted=True)
    Watch.objects.create(user=victor, artifact=art)  # e.g. watched before it became restricted
    artifact_archive(acting_user=alice, artifact=art, rationale="Failed.")
    tasks.notify_artifact_retired(art.pk, "artifact.archived", 1)
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["alice"]


def test_new_version_notifies_watchers_but_not_its_author(published, alice, carol, victor):
    artifact_watch_set(acting_user=victor, artifact=published, watching=True)
    version = VersionFactory(artifact=published, created_by=alice, version="2.0.0")
    assert tasks.notify_new_version(version.pk) == 2
    tasks.notify_new_version(version.pk)  # redelivery adds nothing
    assert Notification.objects.count() == 2
    assert sorted(Notification.objects.values_list("recipient__username", flat=True)) == [
        "carol",
        "victor",
    ]
    assert tasks.notify_new_version(999999) == 0


def test_watch_and_unwatch(published, victor):
    artifact_watch_set(acting_user=victor, artifact=published, watching=True)
    artifact_watch_set(acting_user=victor, artifact=published, watching=True)
    assert Watch.objects.filter(user=victor).count() == 1
    artifact_watch_set(acting_user=victor, artifact=published, watching=False)
    assert not Watch.objects.filter(user=victor).exists()


def test_ensure_automatic_watches_is_idempotent(published, alice, carol):
    assert ensure_automatic_watches(published) == 2
    assert ensure_automatic_watches(published) == 0


def test_daily_digest_sends_one_email_per_user_once(alice, victor, published):
    NotificationPreference.objects.create(user=alice, daily_digest=True)
    for i in range(3):
        Notification.objects.create(recipient=alice, kind="k", subject=f"Note {i}", url="/x/")
    old = Notification.objects.create(recipient=alice, kind="k", subject="Old")
    Notification.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=2))
    Notification.objects.create(recipient=alice, kind="k", subject="Read", read_at=timezone.now())
    Notification.objects.create(recipient=victor, kind="k", subject="Victor gets his own emails")
    assert digests_send() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@bank.example"]
    assert "Note 0" in message.body and "Note 2" in message.body
    assert "Old" not in message.body and "Read" not in message.body
    assert digests_send() == 0
    assert len(mail.outbox) == 1


def test_digest_users_get_no_immediate_email(alice, victor):
    NotificationPreference.objects.create(user=alice, daily_digest=True)
    a = Notification.objects.create(recipient=alice, kind="k", subject="A")
    v = Notification.objects.create(recipient=victor, kind="k", subject="V")
    assert tasks.send_notification_emails([a.pk, v.pk]) == 1
    assert [m.to for m in mail.outbox] == [["victor@bank.example"]]
