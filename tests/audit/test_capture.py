"""Rule 7: every write lands in history with actor, reason and origin: services, QuerySet.update(),
bulk_create and raw SQL alike; nested services keep their own who/why."""

import pytest
from django.apps import apps
from django.db import connection, transaction

from catalogue.models import AuditEvent, Membership, Team
from catalogue.origin import origin
from catalogue.selectors.audit import row_diff
from catalogue.services.accounts import membership_set, team_create
from catalogue.services.artifacts import artifact_register, artifact_update
from catalogue.services.audit import audit_access, audit_context
from tests.factories import ContributorFactory, TeamFactory

pytestmark = pytest.mark.django_db

WEB = {"kind": "web", "request_id": "req-1", "method": "POST", "path": "/teams/ops/"}


def events(model: str, **filters):
    return list(
        apps.get_model("catalogue", model)
        .objects.filter(**filters)
        .select_related("pgh_context")
        .order_by("pgh_id")
    )


def meta(event) -> dict:
    assert event.pgh_context is not None, "history row written without actor/reason/origin"
    return event.pgh_context.metadata


def test_team_service_write_carries_actor_reason_origin(admin_user):
    with origin(**WEB):
        team = team_create(slug="ops", name="Operations", acting_user=admin_user)
    (insert,) = events("TeamEvent", pgh_obj_id=team.pk)
    assert insert.pgh_label == "insert"
    assert meta(insert)["actor"] == "admin"
    assert meta(insert)["actor_id"] == admin_user.pk
    assert meta(insert)["reason"] == "team created"
    assert meta(insert)["origin"] == WEB
    business = AuditEvent.objects.get(action="team.created")
    assert (business.actor, business.origin, business.context_id) == (
        admin_user,
        WEB,
        insert.pgh_context_id,
    )


def test_membership_service_from_a_task_records_old_and_new_role(admin_user, alice):
    team = TeamFactory(slug="ops")
    task = {"kind": "task", "task_id": "t-1", "task": "catalogue.tasks.x"}
    with origin(**task):
        membership = membership_set(team=team, user=alice, role="member", acting_user=admin_user)
        membership_set(team=team, user=alice, role="maintainer", acting_user=admin_user)
    insert, update = events("MembershipEvent", pgh_obj_id=membership.pk)
    assert update.pgh_label == "update"
    assert meta(update)["origin"] == task
    assert meta(update)["reason"] == "membership changed"
    assert row_diff(_row(update), _row(insert)) == {"role": ["member", "maintainer"]}


def _row(event) -> dict:
    return {
        f.attname: getattr(event, f.attname)
        for f in event._meta.concrete_fields
        if not f.name.startswith("pgh_")
    }


def test_artifact_services_record_actor_reason_origin_and_changes(alice, retail):
    author = ContributorFactory()
    with origin(kind="api", request_id="r-9", method="POST", path="/api/v1/artifacts/"):
        artifact = artifact_register(
            acting_user=alice,
            owner_team=retail,
            slug="journey",
            title="Journey",
            kind="customer_journey",
            intent="Faster onboarding",
            authors=[{"contributor": author, "role": "originator", "credit_share": 1}],
            reason="new journey",
        )
    with origin(**WEB):
        artifact_update(
            acting_user=alice, artifact=artifact, title="Onboarding journey", reason="clearer name"
        )
    insert, update = events("ArtifactEvent", pgh_obj_id=artifact.pk)
    assert meta(insert)["reason"] == "new journey"
    assert meta(insert)["origin"]["kind"] == "api"
    assert meta(update) | {"origin": None} == {
        "actor": "alice",
        "actor_id": alice.pk,
        "reason": "clearer name",
        "origin": None,
    }
    assert meta(update)["origin"] == WEB
    assert row_diff(_row(update), _row(insert)) == {"title": ["Journey", "Onboarding journey"]}
    (authorship,) = events("AuthorshipEvent", artifact_id=artifact.pk)
    assert meta(authorship)["reason"] == "new journey"  # bulk_create inside the service


def test_bulk_update_is_captured_with_old_and_new_values(admin_user):
    teams = TeamFactory.create_batch(3)
    with (
        origin(kind="command", command="rename_teams", pid=1),
        audit_context(actor=admin_user, reason="rebrand"),
    ):
        changed = Team.objects.filter(pk__in=[t.pk for t in teams]).update(name="Renamed")
    assert changed == 3
    for team in teams:
        insert, update = events("TeamEvent", pgh_obj_id=team.pk)
        assert row_diff(_row(update), _row(insert)) == {"name": [team.name, "Renamed"]}
        assert meta(update)["reason"] == "rebrand"
        assert meta(update)["actor"] == "admin"
        assert meta(update)["origin"]["command"] == "rename_teams"


def test_raw_sql_update_is_captured_with_old_and_new_values(admin_user):
    team = TeamFactory(name="Before")
    with audit_context(actor=admin_user, reason="raw fix"), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Team._meta.db_table} SET name = %s WHERE id = %s", ["After", team.pk]
        )
    insert, update = events("TeamEvent", pgh_obj_id=team.pk)
    assert row_diff(_row(update), _row(insert)) == {"name": ["Before", "After"]}
    assert meta(update)["reason"] == "raw fix"
    assert meta(update)["origin"] == {"kind": "shell"}


def test_bulk_create_and_delete_are_captured(admin_user, alice, bob):
    team = TeamFactory()
    with audit_context(actor=admin_user, reason="import"):
        Membership.objects.bulk_create(
            [Membership(team=team, user=alice), Membership(team=team, user=bob)]
        )
    with audit_context(actor=admin_user, reason="cleanup"):
        Membership.objects.filter(team=team).delete()
    rows = events("MembershipEvent", team_id=team.pk)
    assert [(e.pgh_label, meta(e)["reason"]) for e in rows] == [
        ("insert", "import"),
        ("insert", "import"),
        ("delete", "cleanup"),
        ("delete", "cleanup"),
    ]


def test_nested_service_keeps_the_outer_reason(admin_user, alice):
    with audit_context(actor=admin_user, reason="reorganisation"):
        team = Team.objects.create(slug="outer", name="Outer")
        membership_set(team=team, user=alice, role="member", acting_user=admin_user)
        Team.objects.filter(pk=team.pk).update(name="Outer 2")
    team_events = events("TeamEvent", pgh_obj_id=team.pk)
    assert [meta(e)["reason"] for e in team_events] == ["reorganisation", "reorganisation"]
    (membership,) = events("MembershipEvent", team_id=team.pk)
    assert meta(membership)["reason"] == "membership changed"


@pytest.mark.django_db(transaction=True)
def test_audit_access_works_outside_a_transaction(legal1, monkeypatch):
    monkeypatch.setattr("catalogue.tasks.seal_audit_chain.delay", lambda: None)
    contributor = ContributorFactory()
    assert not connection.in_atomic_block
    with origin(**WEB):
        event = audit_access(
            actor=legal1,
            action="contributor.personal_data_viewed",
            obj=contributor,
            detail="legal_name, email",
        )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.actor, stored.action, stored.object_id, stored.reason, stored.origin) == (
        legal1,
        "contributor.personal_data_viewed",
        str(contributor.pk),
        "legal_name, email",
        WEB,
    )


def test_audit_access_inside_a_transaction_rolls_back_with_it(legal1):
    contributor = ContributorFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_access(actor=legal1, action="consent.evidence_downloaded", obj=contributor)
        raise RuntimeError
    assert not AuditEvent.objects.filter(action="consent.evidence_downloaded").exists()


def test_admin_site_edits_carry_the_admin_as_actor(client, admin_user):
    team = TeamFactory(slug="ops", name="Ops")
    client.force_login(admin_user)
    response = client.post(
        f"/admin/catalogue/team/{team.pk}/change/",
        {
            "slug": "ops",
            "name": "Operations",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    update = events("TeamEvent", pgh_obj_id=team.pk)[-1]
    assert update.name == "Operations"
    assert meta(update)["actor"] == "admin"
    assert meta(update)["reason"] == "admin: team form"
    assert meta(update)["origin"]["kind"] == "web"
