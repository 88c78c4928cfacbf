"""Least privilege (issue 23 finding 5): the application's own connection cannot rewrite the audit
trail or switch its guards off; the owner's future tables reach the application role by default.

The test database is created by the superuser as usual; the roles and grants come from
config/dbroles.py (the code `make run` and CI use), and each check connects AS the role.
"""

from contextlib import contextmanager

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection
from psycopg import errors
from psycopg.conninfo import make_conninfo

from catalogue.models import AuditEvent, AuditSeal, Team
from catalogue.services.accounts import team_create
from catalogue.services.audit_chain import seal_pending
from config.dbroles import APP_ROLE, OWNER_ROLE, audit_tables, ensure_roles

pytestmark = pytest.mark.django_db(transaction=True)


def _conninfo(role: str | None = None) -> str:
    s = connection.settings_dict
    return make_conninfo(
        dbname=s["NAME"],
        host=s["HOST"] or None,
        port=s["PORT"] or None,
        user=role or s["USER"] or None,
        password=None if role else (s["PASSWORD"] or None),
    )


@pytest.fixture
def roles(admin_user):
    ensure_roles(_conninfo(), take_ownership=False)
    team_create(slug="ops", name="Operations", acting_user=admin_user)
    seal_pending()

    def connect(role: str) -> psycopg.Connection:
        return psycopg.connect(_conninfo(role), autocommit=True)

    return connect


def _refused(conn: psycopg.Connection, statement: str) -> errors.Error:
    with pytest.raises(errors.Error) as exc:
        conn.execute(statement)
    return exc.value


@contextmanager
def django_connects_as(role: str):
    """The product's own code (services, triggers, pghistory context) over the role's connection."""
    settings = connection.settings_dict
    saved = settings["USER"], settings["PASSWORD"]
    connection.close()
    settings["USER"], settings["PASSWORD"] = role, ""
    try:
        yield
    finally:
        connection.close()
        settings["USER"], settings["PASSWORD"] = saved


def test_application_role_cannot_change_delete_or_truncate_audit_records(roles):
    assert {
        AuditEvent._meta.db_table,
        AuditSeal._meta.db_table,
        "catalogue_teamevent",
        "pghistory_context",
    } <= set(audit_tables(connection.cursor().cursor))
    with roles(APP_ROLE) as app:
        assert app.execute(
            "SELECT current_user, usesuper FROM pg_user WHERE usename = current_user"
        ).fetchone() == (
            APP_ROLE,
            False,
        )
        assert app.execute("SELECT count(*) FROM catalogue_auditevent").fetchone()[0] >= 1  # noqa: S608
        columns = {
            AuditEvent._meta.db_table: "reason",
            AuditSeal._meta.db_table: "row_id",
            "catalogue_teamevent": "pgh_label",
        }
        for table, column in columns.items():
            # Refused by the grants, before the append-only trigger is even reached.
            update = f'UPDATE "{table}" SET {column} = {column}'
            for statement in (update, f'DELETE FROM "{table}"', f'TRUNCATE "{table}"'):
                error = _refused(app, statement)
                assert isinstance(error, errors.InsufficientPrivilege), statement
                assert f"permission denied for table {table}" in str(error)
        for statement in ('DELETE FROM "pghistory_context"', 'TRUNCATE "pghistory_context"'):
            assert isinstance(_refused(app, statement), errors.InsufficientPrivilege)


def test_application_role_cannot_alter_tables_disable_triggers_or_leave_its_privileges(roles):
    with roles(APP_ROLE) as app:
        for statement in (
            'ALTER TABLE "catalogue_auditevent" DISABLE TRIGGER ALL',
            'ALTER TABLE "catalogue_auditevent" DISABLE TRIGGER audit_guard_rows',
            'DROP TRIGGER audit_guard_rows ON "catalogue_auditevent"',
            'ALTER TABLE "catalogue_team" ADD COLUMN sneaky text',
            'DROP TABLE "catalogue_auditseal"',
        ):
            assert "must be owner" in str(_refused(app, statement)), statement
        assert "permission denied" in str(_refused(app, "SET session_replication_role = replica"))
        assert "permission denied for schema public" in str(
            _refused(app, "CREATE TABLE sneaky (id int)")
        )
        assert "permission denied" in str(_refused(app, "CREATE TEMP TABLE sneaky (id int)"))
        assert "permission denied" in str(
            _refused(app, "CREATE FUNCTION sneaky() RETURNS int AS 'SELECT 1' LANGUAGE sql")
        )
        assert "permission denied" in str(_refused(app, f"SET ROLE {OWNER_ROLE}"))
        assert "permission denied" in str(_refused(app, "SET ROLE postgres"))
        assert "admin option" in str(_refused(app, f"GRANT {OWNER_ROLE} TO {APP_ROLE}"))


def test_application_role_does_ordinary_writes_through_the_services(roles, admin_user):
    with django_connects_as(APP_ROLE):
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone()[0] == APP_ROLE
        team = team_create(slug="by-app", name="Written by the app role", acting_user=admin_user)
        Team.objects.filter(pk=team.pk).update(name="Renamed by the app role")
        assert AuditEvent.objects.filter(action="team.created", object_id=str(team.pk)).exists()
        assert seal_pending() >= 1
        Team.objects.filter(pk=team.pk).delete()


def test_tables_of_a_later_migration_reach_the_app_role_and_audit_ones_lose_update(roles):
    with roles(OWNER_ROLE) as owner, roles(APP_ROLE) as app:
        owner.execute(
            "CREATE TABLE zz_feature (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, v text)"
        )
        owner.execute(
            "CREATE TABLE zz_featureevent (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, v text)"
        )
        owner.execute(
            "CREATE TRIGGER audit_guard_rows BEFORE UPDATE OR DELETE ON zz_featureevent "
            "FOR EACH ROW EXECUTE FUNCTION audit_append_only_guard()"
        )
        try:
            # Default privileges: DML and the identity sequence, with no grant step in between.
            app.execute("INSERT INTO zz_feature (v) VALUES ('a')")
            app.execute("UPDATE zz_feature SET v = 'b'")
            app.execute("DELETE FROM zz_feature")
            assert isinstance(_refused(app, "TRUNCATE zz_feature"), errors.InsufficientPrivilege)
            call_command("migrate", verbosity=0)  # post_migrate re-applies the app role's grants
            app.execute("INSERT INTO zz_featureevent (v) VALUES ('kept')")
            for statement in ("UPDATE zz_featureevent SET v = 'x'", "DELETE FROM zz_featureevent"):
                assert "permission denied for table zz_featureevent" in str(
                    _refused(app, statement)
                )
        finally:
            owner.execute("DROP TABLE zz_feature, zz_featureevent")
