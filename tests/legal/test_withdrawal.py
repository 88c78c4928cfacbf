"""Rule 5: withdrawal and expiry take effect at once; impact report; background notifications."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from catalogue.models import AuditEvent, ConsentRecord, Notification, WithdrawalImpact
from catalogue.models import choices as c
from catalogue.rules import RuleViolation
from catalogue.services.consent import (
    consent_expiry_sweep,
    consent_withdraw,
    impact_notify,
    impact_resolve,
)
from catalogue.services.rights import rights_check
from catalogue.tasks import notify_consent_impact
from tests.factories import (
    ArtifactFactory,
    ConsentFactory,
    MembershipFactory,
    ReuseFactory,
    UserFactory,
)


def denied(artifact, team, code="consent.withdrawn"):
    decision = rights_check(
        artifact=artifact, team=team, action="use", purpose="product_design", channel="web"
    )
    return decision.decision == "deny" and code in decision.codes


@pytest.fixture
def reuses(chain, cards, retail):
    live = ReuseFactory(artifact=chain["child"], team=cards)
    ReuseFactory(artifact=chain["child"], team=retail, ended_on=timezone.localdate())
    ReuseFactory(artifact=chain["grandchild"], team=cards)
    return live


@pytest.mark.django_db(transaction=True)
def test_withdrawal_denies_at_once_after_commit(chain, cards, legal1, reuses, monkeypatch):
    queued = []
    monkeypatch.setattr(
        notify_consent_impact, "delay", lambda consent_id: queued.append(consent_id)
    )
    consent = chain["consent"]
    assert not denied(chain["grandchild"], cards)
    impact = consent_withdraw(acting_user=legal1, consent=consent, reason="Customer asked.")
    # Committed (transactional test): the very next checks deny, two hops away too.
    assert denied(chain["artifact"], cards)
    assert denied(chain["child"], cards)
    assert denied(chain["grandchild"], cards)
    ids = {chain["artifact"].pk, chain["child"].pk, chain["grandchild"].pk}
    assert set(impact.artifacts) == ids and impact.reuses == 2
    assert queued == [consent.pk]  # ran on the real commit


def test_impact_report_is_complete(chain, legal1, reuses):
    consent_withdraw(acting_user=legal1, consent=chain["consent"], reason="Customer asked.")
    rows = {i.artifact_id: i for i in WithdrawalImpact.objects.filter(consent=chain["consent"])}
    assert rows[chain["artifact"].pk].via_id is None
    assert rows[chain["child"].pk].via_id == chain["artifact"].pk
    assert rows[chain["grandchild"].pk].via_id == chain["artifact"].pk
    assert rows[chain["child"].pk].live_reuses == 1
    assert rows[chain["grandchild"].pk].live_reuses == 1
    assert all(i.remediation == c.Remediation.OPEN for i in rows.values())
    consent = ConsentRecord.objects.get(pk=chain["consent"].pk)
    assert (
        consent.status == c.ConsentStatus.WITHDRAWN and consent.status_reason == "Customer asked."
    )
    event = AuditEvent.objects.get(action="consent.withdrawn", object_id=str(consent.pk))
    assert event.changes["status"] == ["given", "withdrawn"]


def test_notifications_only_queued_after_commit_and_idempotent(
    chain, legal1, alice, bob, reuses, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr(
        notify_consent_impact, "delay", lambda consent_id: queued.append(consent_id)
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        consent_withdraw(acting_user=legal1, consent=chain["consent"], reason="Customer asked.")
        assert queued == []
    assert not Notification.objects.filter(kind="consent.withdrawn").exists()
    for callback in callbacks:
        callback()
    assert queued == [chain["consent"].pk]
    first = notify_consent_impact(chain["consent"].pk)
    assert first > 0
    # alice (retail maintainer) owns artifact and child; bob (cards) owns the grandchild and reuses child.
    assert Notification.objects.filter(recipient=alice, kind="consent.withdrawn").count() == 2
    assert Notification.objects.filter(recipient=bob, kind="consent.withdrawn").count() == 2
    total = Notification.objects.count()
    assert (
        impact_notify(consent_id=chain["consent"].pk) == 0 or Notification.objects.count() == total
    )
    assert Notification.objects.count() == total


def test_withdraw_rules(chain, legal1, alice):
    with pytest.raises(PermissionDenied):
        consent_withdraw(acting_user=alice, consent=chain["consent"], reason="x")
    with pytest.raises(ValidationError):
        consent_withdraw(acting_user=legal1, consent=chain["consent"], reason=" ")
    consent_withdraw(acting_user=legal1, consent=chain["consent"], reason="Asked.")
    again = consent_withdraw(acting_user=legal1, consent=chain["consent"], reason="Asked twice.")
    assert len(again.artifacts) == 3
    assert AuditEvent.objects.filter(action="consent.withdrawn").count() == 1


def test_ended_consent_cannot_be_withdrawn(legal1):
    consent = ConsentFactory(status=c.ConsentStatus.EXPIRED)
    with pytest.raises(RuleViolation) as exc:
        consent_withdraw(acting_user=legal1, consent=consent, reason="Too late.")
    assert exc.value.reasons[0].code == "consent.final"


def test_remediation_by_owner_maintainer(chain, legal1, alice, carol, bob):
    consent_withdraw(acting_user=legal1, consent=chain["consent"], reason="Asked.")
    impact = WithdrawalImpact.objects.get(consent=chain["consent"], artifact=chain["child"])
    with pytest.raises(PermissionDenied):
        impact_resolve(acting_user=bob, impact=impact, remediation="remove", note="Not mine.")
    with pytest.raises(PermissionDenied):
        impact_resolve(acting_user=carol, impact=impact, remediation="remove", note="Member only.")
    with pytest.raises(ValidationError):
        impact_resolve(acting_user=alice, impact=impact, remediation="open", note="x")
    with pytest.raises(ValidationError):
        impact_resolve(acting_user=alice, impact=impact, remediation="retrain", note="")
    done = impact_resolve(
        acting_user=alice, impact=impact, remediation="retrain", note="Retrained without."
    )
    assert done.remediation == "retrain" and done.resolved_by == alice
    assert AuditEvent.objects.filter(action="consent.impact_remediated").count() == 1


def test_expiry_sweep_expires_and_warns_idempotently(chain, cards, alice):
    consent = chain["consent"]
    ConsentRecord.objects.filter(pk=consent.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    expiring = ConsentFactory(expires_at=timezone.now() + dt.timedelta(days=10))
    expiring.artifacts.add(chain["artifact"])
    later = ConsentFactory(expires_at=timezone.now() + dt.timedelta(days=90))
    later.artifacts.add(chain["artifact"])
    assert consent_expiry_sweep() == {"expired": 1, "warned": 1}
    consent.refresh_from_db()
    assert consent.status == c.ConsentStatus.EXPIRED
    assert WithdrawalImpact.objects.filter(consent=consent).count() == 3
    assert denied(chain["grandchild"], cards, "consent.expired")
    expiring.refresh_from_db()
    assert expiring.expiry_warned_at is not None
    assert Notification.objects.filter(recipient=alice, kind="consent.expiring").count() == 1
    assert consent_expiry_sweep() == {"expired": 0, "warned": 0}
    assert Notification.objects.filter(recipient=alice, kind="consent.expiring").count() == 1


def test_reusing_team_members_are_notified(chain, legal1, cards):
    member = UserFactory(username="cardsmember")
    MembershipFactory(team=cards, user=member)
    ReuseFactory(artifact=chain["artifact"], team=cards)
    consent_withdraw(acting_user=legal1, consent=chain["consent"], reason="Asked.")
    impact_notify(consent_id=chain["consent"].pk)
    assert Notification.objects.filter(recipient=member, artifact=chain["artifact"]).exists()
    assert not ArtifactFactory._meta.model.objects.filter(slug="nothing").exists()


@pytest.mark.django_db(transaction=True)
def test_withdrawal_waits_for_a_reuse_in_flight(chain, cards, legal1, monkeypatch):
    """A reuse holding the artifact lock commits first and shows up as live in the impact."""
    import threading
    import time

    from django.db import connection, transaction

    from catalogue.models import Artifact

    monkeypatch.setattr(notify_consent_impact, "delay", lambda consent_id: None)
    locked = threading.Event()

    def reuse_in_flight():
        try:
            with transaction.atomic():
                Artifact.objects.select_for_update().get(pk=chain["child"].pk)
                locked.set()
                time.sleep(1.5)
                ReuseFactory(artifact=chain["child"], team=cards)
        finally:
            connection.close()

    worker = threading.Thread(target=reuse_in_flight)
    worker.start()
    assert locked.wait(10)
    impact = consent_withdraw(acting_user=legal1, consent=chain["consent"], reason="Asked.")
    worker.join()
    assert impact.reuses == 1
    assert WithdrawalImpact.objects.get(artifact=chain["child"]).live_reuses == 1
