import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from catalogue.models import AuditEvent
from catalogue.models import choices as c
from catalogue.rules import TRANSITIONS, RuleViolation, ensure_transition
from catalogue.services.retirement import (
    artifact_archive,
    artifact_deprecate,
    artifact_restore,
)
from tests.factories import ArtifactFactory

pytestmark = pytest.mark.django_db
S = c.ArtifactStatus


def codes(exc) -> list[str]:
    return [r.code for r in exc.value.reasons]


@pytest.fixture
def published(retail):
    return ArtifactFactory(
        owner_team=retail, published=True, slug="mortgage-prompt", title="Mortgage prompt"
    )


@pytest.fixture
def successor(retail):
    return ArtifactFactory(owner_team=retail, published=True, slug="mortgage-prompt-v2")


def test_deprecate_sets_fields_and_audits(published, successor, alice):
    artifact_deprecate(
        acting_user=alice,
        artifact=published,
        rationale="  Quoted stale rates.  ",
        lessons_learned="Pull rates live.",
        superseded_by=successor,
        sunset_on=dt.date(2031, 1, 1),
    )
    published.refresh_from_db()
    assert published.status == S.DEPRECATED
    assert published.retirement_rationale == "Quoted stale rates."
    assert published.lessons_learned == "Pull rates live."
    assert published.superseded_by == successor
    assert published.sunset_on == dt.date(2031, 1, 1)
    assert published.retired_by == alice and published.retired_at is not None
    event = AuditEvent.objects.get(action="artifact.deprecated")
    assert event.reason == "Quoted stale rates."
    assert event.changes["status"] == ["published", "deprecated"]
    assert event.actor == alice


@pytest.mark.parametrize("status", [S.DRAFT, S.IN_REVIEW, S.DEPRECATED, S.ARCHIVED])
def test_deprecate_refused_unless_published(retail, alice, status):
    art = ArtifactFactory(owner_team=retail, status=status, published_at=None)
    with pytest.raises(RuleViolation) as exc:
        artifact_deprecate(acting_user=alice, artifact=art, rationale="Old.")
    assert codes(exc) == ["lifecycle.transition_not_allowed"]
    assert status in exc.value.reasons[0].message and "deprecated" in exc.value.reasons[0].message
    art.refresh_from_db()
    assert art.status == status


@pytest.mark.parametrize("status", [S.PUBLISHED, S.DEPRECATED])
def test_archive_allowed_from_published_and_deprecated(retail, alice, status):
    art = ArtifactFactory(owner_team=retail, status=status, lessons_learned="Keep me.")
    artifact_archive(acting_user=alice, artifact=art, rationale="Failed the pilot.")
    art.refresh_from_db()
    assert art.status == S.ARCHIVED
    assert art.retirement_rationale == "Failed the pilot."
    assert art.lessons_learned == "Keep me."
    assert (
        AuditEvent.objects.filter(action="artifact.archived", reason="Failed the pilot.").count()
        == 1
    )


@pytest.mark.parametrize("status", [S.DRAFT, S.IN_REVIEW, S.ARCHIVED])
def test_archive_refused_from_other_states(retail, alice, status):
    art = ArtifactFactory(owner_team=retail, status=status)
    with pytest.raises(RuleViolation) as exc:
        artifact_archive(acting_user=alice, artifact=art, rationale="x")
    assert codes(exc) == ["lifecycle.transition_not_allowed"]


@pytest.mark.parametrize(
    ("status", "published_at", "expected"),
    [
        (S.ARCHIVED, dt.datetime(2025, 1, 1, tzinfo=dt.UTC), S.PUBLISHED),
        (S.ARCHIVED, None, S.DRAFT),
        (S.DEPRECATED, dt.datetime(2025, 1, 1, tzinfo=dt.UTC), S.PUBLISHED),
    ],
)
def test_restore_by_admin(retail, admin_user, successor, status, published_at, expected):
    art = ArtifactFactory(
        owner_team=retail,
        status=status,
        published_at=published_at,
        retirement_rationale="Why.",
        superseded_by=successor,
        sunset_on=dt.date(2030, 1, 1),
    )
    artifact_restore(acting_user=admin_user, artifact=art, reason="Retired by mistake.")
    art.refresh_from_db()
    assert art.status == expected
    assert (art.retirement_rationale, art.superseded_by, art.sunset_on, art.retired_at) == (
        "",
        None,
        None,
        None,
    )
    event = AuditEvent.objects.get(action="artifact.restored")
    assert event.reason == "Retired by mistake."
    assert event.changes["retirement_rationale"] == ["Why.", ""]


@pytest.mark.parametrize("status", [S.DRAFT, S.IN_REVIEW, S.PUBLISHED])
def test_restore_refused_unless_retired(retail, admin_user, status):
    art = ArtifactFactory(owner_team=retail, status=status)
    with pytest.raises(RuleViolation) as exc:
        artifact_restore(acting_user=admin_user, artifact=art, reason="x")
    assert codes(exc) == ["lifecycle.transition_not_allowed"]


def test_restore_needs_admin_and_reason(retail, alice, admin_user):
    art = ArtifactFactory(owner_team=retail, archived=True)
    with pytest.raises(PermissionDenied):
        artifact_restore(acting_user=alice, artifact=art, reason="Please.")
    with pytest.raises(RuleViolation) as exc:
        artifact_restore(acting_user=admin_user, artifact=art, reason="   ")
    assert codes(exc) == ["retirement.reason_required"]


@pytest.mark.parametrize("blank", ["", "   \n"])
def test_rationale_required(published, alice, blank):
    with pytest.raises(RuleViolation) as exc:
        artifact_deprecate(acting_user=alice, artifact=published, rationale=blank)
    assert codes(exc) == ["retirement.rationale_required"]
    with pytest.raises(RuleViolation) as exc:
        artifact_archive(acting_user=alice, artifact=published, rationale=blank)
    assert codes(exc) == ["retirement.rationale_required"]
    published.refresh_from_db()
    assert published.status == S.PUBLISHED
    assert not AuditEvent.objects.exists()


def test_permissions(published, carol, bob, victor, admin_user):
    for user in (carol, bob, victor):  # member not maintainer, other team's maintainer, viewer
        with pytest.raises(PermissionDenied):
            artifact_deprecate(acting_user=user, artifact=published, rationale="x")
        with pytest.raises(PermissionDenied):
            artifact_archive(acting_user=user, artifact=published, rationale="x")
    artifact_archive(acting_user=admin_user, artifact=published, rationale="Admin decision.")
    assert published.status == S.ARCHIVED


def test_successor_rules(published, retail, cards, alice):
    with pytest.raises(RuleViolation) as exc:
        artifact_deprecate(
            acting_user=alice, artifact=published, rationale="x", superseded_by=published
        )
    assert codes(exc) == ["retirement.successor_self"]
    archived = ArtifactFactory(owner_team=retail, archived=True)
    with pytest.raises(RuleViolation) as exc:
        artifact_deprecate(
            acting_user=alice, artifact=published, rationale="x", superseded_by=archived
        )
    assert codes(exc) == ["retirement.successor_archived"]
    hidden = ArtifactFactory(owner_team=cards, published=True, restricted=True)
    with pytest.raises(RuleViolation) as exc:
        artifact_deprecate(
            acting_user=alice, artifact=published, rationale="x", superseded_by=hidden
        )
    assert codes(exc) == ["retirement.successor_not_found"]


def test_successor_loop_refused(retail, alice):
    a = ArtifactFactory(owner_team=retail, published=True, slug="a")
    b = ArtifactFactory(owner_team=retail, published=True, slug="b")
    c_ = ArtifactFactory(owner_team=retail, published=True, slug="c")
    artifact_deprecate(acting_user=alice, artifact=b, rationale="b replaced by c", superseded_by=c_)
    # c is superseded by a (set on the row: c is published, a later deprecation of c would do it)
    c_.superseded_by = a
    c_.save()
    with pytest.raises(RuleViolation) as exc:
        artifact_deprecate(
            acting_user=alice, artifact=a, rationale="a replaced by b", superseded_by=b
        )
    assert codes(exc) == ["retirement.successor_loop"]
    # a chain that does not come back is fine
    d = ArtifactFactory(owner_team=retail, published=True, slug="d")
    artifact_deprecate(acting_user=alice, artifact=d, rationale="d replaced by b", superseded_by=b)
    assert d.status == S.DEPRECATED


def test_transition_table_is_the_one_place():
    art = ArtifactFactory.build(status=S.ARCHIVED, slug="x")
    with pytest.raises(RuleViolation):
        ensure_transition(art, S.DEPRECATED, action="deprecate")
    assert (S.PUBLISHED, S.DEPRECATED) in TRANSITIONS["deprecate"]
    assert (S.DRAFT, S.PUBLISHED) in TRANSITIONS["publish"]
    # publishing never brings back retired work: that is restore's job, admins only
    assert all(frm not in (S.DEPRECATED, S.ARCHIVED) for frm, _ in TRANSITIONS["publish"])
    assert not any((S.ARCHIVED, S.DEPRECATED) in pairs for pairs in TRANSITIONS.values())
