import datetime as dt

import pytest
from django.utils import timezone

from catalogue import tasks
from catalogue.models import AuditEvent, Notification
from catalogue.models import choices as c
from catalogue.odrl import build_policy
from catalogue.services.policy import policy_set
from catalogue.services.retirement import artifact_deprecate, artifacts_sunset_sweep
from catalogue.services.retirement_notices import stale_artifacts_flag
from catalogue.services.rights import rights_check
from tests.factories import ArtifactFactory, ReuseFactory

pytestmark = pytest.mark.django_db
S = c.ArtifactStatus


@pytest.fixture
def with_policy(retail, admin_user):
    def make(**kwargs):
        art = ArtifactFactory(owner_team=retail, published=True, **kwargs)
        policy_set(
            acting_user=admin_user,
            artifact=art,
            odrl=build_policy(
                artifact_slug=art.slug, teams=None, actions=["use"], owner_team_slug=retail.slug
            ),
        )
        art.refresh_from_db()
        return art

    return make


def test_sunset_sweep_archives_past_sunset_with_recorded_rationale_and_is_idempotent(retail, alice):
    today = timezone.localdate()
    due = ArtifactFactory(owner_team=retail, published=True, slug="due")
    not_yet = ArtifactFactory(owner_team=retail, published=True, slug="not-yet")
    no_sunset = ArtifactFactory(owner_team=retail, published=True, slug="no-sunset")
    artifact_deprecate(
        acting_user=alice,
        artifact=due,
        rationale="Superseded by the v2 model.",
        lessons_learned="Retrain quarterly.",
        sunset_on=today - dt.timedelta(days=1),
    )
    artifact_deprecate(acting_user=alice, artifact=not_yet, rationale="Old.", sunset_on=today)
    artifact_deprecate(acting_user=alice, artifact=no_sunset, rationale="Old.")

    assert tasks.archive_sunset_artifacts() == 1
    due.refresh_from_db()
    assert due.status == S.ARCHIVED
    assert due.retirement_rationale == "Superseded by the v2 model."
    assert due.lessons_learned == "Retrain quarterly."
    assert due.retired_by is None
    event = AuditEvent.objects.get(action="artifact.archived")
    assert event.actor is None and event.actor_label == "system"
    assert "Superseded by the v2 model." in event.reason and "passed" in event.reason
    assert event.origin["kind"] == "task"

    snapshot = list(AuditEvent.objects.order_by("id").values_list("id", flat=True))
    assert artifacts_sunset_sweep() == []
    assert list(AuditEvent.objects.order_by("id").values_list("id", flat=True)) == snapshot
    for art in (not_yet, no_sunset):
        art.refresh_from_db()
        assert art.status == S.DEPRECATED
    assert artifacts_sunset_sweep(today=today + dt.timedelta(days=1)) == [not_yet.pk]


def test_rights_check_permits_with_warning_before_sunset_and_denies_after(
    with_policy, retail, cards, alice
):
    successor = ArtifactFactory(
        owner_team=retail, published=True, slug="journey-v2", title="Journey v2"
    )
    art = with_policy(slug="journey-v1")
    ask = {"team": cards, "action": "use", "purpose": "product_design", "channel": "web"}
    assert rights_check(artifact=art, **ask).decision == "permit"

    sunset = timezone.localdate() + dt.timedelta(days=30)
    artifact_deprecate(
        acting_user=alice,
        artifact=art,
        rationale="Replaced.",
        superseded_by=successor,
        sunset_on=sunset,
    )
    art.refresh_from_db()
    before = rights_check(artifact=art, **ask)
    assert before.decision == "permit"
    assert [w.code for w in before.warnings] == ["lifecycle.deprecated"]
    assert "journey-v2" in before.warnings[0].message

    after_sunset = timezone.now() + dt.timedelta(days=32)
    after = rights_check(artifact=art, at=after_sunset, **ask)
    assert after.decision == "deny"
    assert "lifecycle.sunset_passed" in after.codes

    artifacts_sunset_sweep(today=sunset + dt.timedelta(days=1))
    art.refresh_from_db()
    archived = rights_check(artifact=art, **ask)
    assert archived.decision == "deny" and "lifecycle.archived" in archived.codes


def test_stale_flags_owners_once_a_month(retail, cards, alice, carol, bob):
    now = timezone.now()
    long_ago = now - dt.timedelta(days=400)
    stale = ArtifactFactory(owner_team=retail, published=True, slug="stale")
    reused = ArtifactFactory(owner_team=retail, published=True, slug="reused")
    ReuseFactory(artifact=reused, team=cards, occurred_on=(now - dt.timedelta(days=30)).date())
    fresh = ArtifactFactory(owner_team=retail, published=True, slug="fresh")
    draft = ArtifactFactory(owner_team=retail, slug="old-draft")
    from catalogue.models import Artifact

    Artifact.objects.filter(pk__in=[stale.pk, reused.pk, draft.pk]).update(updated_at=long_ago)
    old_reuse = ReuseFactory(artifact=stale, team=cards, occurred_on=long_ago.date())
    type(old_reuse).objects.filter(pk=old_reuse.pk).update(created_at=long_ago)
    assert fresh.updated_at > long_ago

    assert tasks.flag_stale_artifacts() == 1
    notes = Notification.objects.filter(kind="artifact.stale")
    assert sorted(n.recipient.username for n in notes) == ["alice", "carol"]
    assert {n.artifact_id for n in notes} == {stale.pk}
    assert notes[0].dedupe_key == f"stale:{stale.pk}:{now:%Y-%m}"

    stale_artifacts_flag(now=now)
    assert Notification.objects.filter(kind="artifact.stale").count() == 2
    stale_artifacts_flag(now=now + dt.timedelta(days=35))  # next month: flagged again
    assert Notification.objects.filter(kind="artifact.stale").count() == 4


def test_periodic_tasks_are_scheduled_daily():
    from django.conf import settings

    schedule = {
        entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }
    for task in ("archive_sunset_artifacts", "flag_stale_artifacts", "send_daily_digests"):
        assert schedule[f"catalogue.tasks.{task}"] == 24 * 3600.0
        assert callable(getattr(tasks, task))
