"""Rule 7: audit tables refuse UPDATE, DELETE and TRUNCATE at the database, for every role."""

import pgtrigger
import pytest
from django.apps import apps
from django.db import DatabaseError, connection, transaction

from catalogue.models import AuditEvent, AuditSeal, Team
from catalogue.models.history import AuditContext
from catalogue.services.accounts import team_create
from catalogue.services.audit import audit_event
from catalogue.services.audit_chain import audit_sources, seal_pending

pytestmark = pytest.mark.django_db


def _refused(sql: str, params=()) -> str:
    with pytest.raises(DatabaseError) as exc, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
    return str(exc.value)


@pytest.fixture
def audited(admin_user):
    team_create(slug="ops", name="Operations", acting_user=admin_user)
    seal_pending()


def test_every_history_table_refuses_update_delete_truncate(audited):
    tables = [s.table for s in audit_sources()] + [AuditSeal._meta.db_table]
    assert len(tables) >= 20
    for table in tables:
        assert "TRUNCATE refused" in _refused(f'TRUNCATE "{table}"')
    event_table = apps.get_model("catalogue", "TeamEvent")._meta.db_table
    for table in (event_table, AuditEvent._meta.db_table, AuditSeal._meta.db_table):
        _refused(
            f'UPDATE "{table}" SET {"pgh_label" if table == event_table else "row_id" if "seal" in table else "reason"} = {"%s"}',
            ["x" if "seal" not in table else 1],
        )
        _refused(f'DELETE FROM "{table}"')


def test_orm_update_and_delete_of_business_events_fail(audited, admin_user):
    with transaction.atomic():
        event = audit_event(actor=admin_user, action="test.done", obj=Team.objects.get(slug="ops"))
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(reason="rewritten")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).reason == ""


@pytest.mark.django_db(transaction=True)
def test_committed_context_rows_cannot_be_rewritten_or_deleted(audited):
    """Rows committed by earlier transactions only: pghistory upserts within its own."""
    table = AuditContext._meta.db_table
    assert AuditContext.objects.exists()
    message = _refused(f'UPDATE "{table}" SET metadata = \'{{"actor": "mallory"}}\'::jsonb')
    assert "UPDATE refused" in message
    _refused(f'DELETE FROM "{table}"')
    assert "TRUNCATE refused" in _refused(f'TRUNCATE "{table}" CASCADE')


def test_application_role_without_superuser_cannot_touch_audit_rows_or_disable_triggers(audited):
    """The least-privilege story: a role with DML (even TRUNCATE) grants but no ownership,
    TRIGGER or superuser rights meets the triggers and cannot switch them off."""
    event_table = apps.get_model("catalogue", "TeamEvent")._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("CREATE ROLE audit_test_app NOLOGIN NOSUPERUSER NOBYPASSRLS")
        cursor.execute("GRANT USAGE ON SCHEMA public TO audit_test_app")
        cursor.execute(
            "GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA public TO audit_test_app"
        )
        cursor.execute("GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO audit_test_app")
        cursor.execute("SET LOCAL ROLE audit_test_app")
    try:
        for table in (AuditEvent._meta.db_table, AuditSeal._meta.db_table, event_table):
            assert "TRUNCATE refused" in _refused(f'TRUNCATE "{table}"')
            _refused(f'DELETE FROM "{table}"')
        _refused(f"UPDATE \"{AuditEvent._meta.db_table}\" SET reason = 'x'")
        _refused(f"UPDATE \"{event_table}\" SET name = 'x'")
        assert "owner" in _refused(f'ALTER TABLE "{event_table}" DISABLE TRIGGER ALL')
        assert "permission denied" in _refused("SET session_replication_role = replica")
        with transaction.atomic():  # ordinary writes still work for the role
            Team.objects.create(slug="by-app-role", name="Written by the app role")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


def test_every_audit_table_has_the_guard_that_no_setting_switches_off(audited):
    tables = {s.table for s in audit_sources()} | {
        AuditSeal._meta.db_table,
        AuditContext._meta.db_table,
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, array_agg(t.tgname::text ORDER BY t.tgname) FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid WHERE t.tgname LIKE 'audit_guard_%%' GROUP BY c.relname"
        )
        guarded = dict(cursor.fetchall())
    missing = sorted(
        t for t in tables if guarded.get(t) != ["audit_guard_rows", "audit_guard_truncate"]
    )
    assert not missing, f"add a migration like 0005_audit_guard_triggers for {missing}"


def test_pgtrigger_ignore_does_not_open_audit_tables(audited):
    """Any role may set pgtrigger.ignore; the plain guard triggers do not listen to it."""
    event_table = apps.get_model("catalogue", "TeamEvent")._meta.db_table
    with pgtrigger.ignore(
        "catalogue.AuditEvent:append_only",
        "catalogue.AuditEvent:no_truncate",
        "catalogue.TeamEvent:append_only",
        "catalogue.TeamEvent:no_truncate",
    ):
        assert "UPDATE refused" in _refused(
            f"UPDATE \"{AuditEvent._meta.db_table}\" SET reason = 'x'"
        )
        assert "DELETE refused" in _refused(f'DELETE FROM "{event_table}"')
        assert "TRUNCATE refused" in _refused(f'TRUNCATE "{event_table}"')
