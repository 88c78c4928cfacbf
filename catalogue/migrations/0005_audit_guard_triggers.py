"""Append-only guard on every audit table that no session setting can switch off.

pgtrigger's triggers (pghistory's append_only, our no_truncate) honour the `pgtrigger.ignore`
setting, which any role may set. These plain triggers refuse UPDATE, DELETE and TRUNCATE for
every role; only a superuser can bypass them (session_replication_role = replica or
ALTER TABLE ... DISABLE TRIGGER), and the hash chain makes that detectable.
A new tracked model needs a migration like this one for its event table
(tests/audit/test_append_only.py checks that every audit table has the guard).
"""

from django.db import migrations

GUARD_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_append_only_guard() RETURNS trigger AS $$
BEGIN
    IF TG_LEVEL = 'ROW' AND TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'pghistory_context' THEN
        -- pghistory upserts the context row while the transaction that created it runs.
        IF OLD.created_at = now() THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION 'audit table % is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def audit_tables(apps) -> list[str]:
    tables = ["pghistory_context"]
    for model in apps.get_app_config("catalogue").get_models():
        names = {f.name for f in model._meta.local_fields}
        if model._meta.proxy:
            continue
        if "pgh_id" in names or model._meta.model_name in {"auditevent", "auditseal"}:
            tables.append(model._meta.db_table)
    return tables


def install(apps, schema_editor):
    statements = [GUARD_FUNCTION]
    for table in audit_tables(apps):
        statements += [
            f'DROP TRIGGER IF EXISTS audit_guard_rows ON "{table}"',
            f'CREATE TRIGGER audit_guard_rows BEFORE UPDATE OR DELETE ON "{table}" '
            "FOR EACH ROW EXECUTE FUNCTION audit_append_only_guard()",
            f'DROP TRIGGER IF EXISTS audit_guard_truncate ON "{table}"',
            f'CREATE TRIGGER audit_guard_truncate BEFORE TRUNCATE ON "{table}" '
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only_guard()",
        ]
    for sql in statements:
        schema_editor.execute(sql, params=None)


def uninstall(apps, schema_editor):
    for table in audit_tables(apps):
        schema_editor.execute(f'DROP TRIGGER IF EXISTS audit_guard_rows ON "{table}"')
        schema_editor.execute(f'DROP TRIGGER IF EXISTS audit_guard_truncate ON "{table}"')
    schema_editor.execute("DROP FUNCTION IF EXISTS audit_append_only_guard()")


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0004_audit_append_only_everywhere"),
        ("pghistory", "0007_auto_20250421_0444"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
