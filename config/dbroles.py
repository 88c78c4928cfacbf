"""Least-privilege database roles: `catalogue_owner` runs migrations, `catalogue_app` runs the product.

    python -m config.dbroles setup     # as a superuser (DATABASE_URL): prints the two role URLs

`setup` is idempotent: it creates both roles when missing, hands the database and everything in
its `public` schema to the owner, sets the owner's default privileges (so a later migration's
tables are granted to the app role without another step) and applies `grant_app_privileges`.
`manage.py migrate` re-applies `grant_app_privileges` after every run (catalogue/apps.py), so a new
audit table loses UPDATE/DELETE for the app role as soon as it exists. Plain psycopg, no Django:
`make run` calls it before Django starts. Production runs the equivalent SQL (README).
"""

import os
import sys
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

OWNER_ROLE = "catalogue_owner"
APP_ROLE = "catalogue_app"
# The append-only guard (migration 0005) sits on exactly the audit and history tables.
GUARD_TRIGGER = "audit_guard_rows"
# pghistory upserts its context row inside the transaction that created it; the guard refuses
# any later change, so this one keeps UPDATE.
UPSERTED_AUDIT_TABLES = {"pghistory_context"}
ROLE_ATTRIBUTES = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"


def url_for_role(url: str, role: str) -> str:
    """The same server and database as `url`, connecting as `role` (no password: local trust)."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{role}@{host}"))


def audit_tables(cursor) -> list[str]:
    cursor.execute(
        "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND t.tgname = %s "
        "ORDER BY 1",
        [GUARD_TRIGGER],
    )
    return [name for (name,) in cursor.fetchall()]


def role_exists(cursor, role: str) -> bool:
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
    return cursor.fetchone() is not None


def grant_app_privileges(cursor, *, app: str = APP_ROLE) -> None:
    """DML on ordinary tables; INSERT and SELECT only on audit and history tables; never
    TRUNCATE, TRIGGER or REFERENCES. Run by the owner (after migrate) or a superuser."""
    role = sql.Identifier(app)
    cursor.execute(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(role))
    cursor.execute(
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}").format(
            role
        )
    )
    cursor.execute(
        sql.SQL(
            "REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM {}"
        ).format(role)
    )
    cursor.execute(
        sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(role)
    )
    for table in audit_tables(cursor):
        refused = "DELETE" if table in UPSERTED_AUDIT_TABLES else "UPDATE, DELETE"
        cursor.execute(
            sql.SQL(f"REVOKE {refused} ON TABLE {{}} FROM {{}}").format(sql.Identifier(table), role)
        )  # noqa: S608 - constant


def _create_role(cursor, role: str) -> None:
    cursor.execute(
        "SELECT rolsuper OR rolcreatedb OR rolcreaterole OR rolreplication OR rolbypassrls "
        "OR NOT rolcanlogin FROM pg_roles WHERE rolname = %s",
        [role],
    )
    row = cursor.fetchone()
    if row is None:
        # Roles are cluster-wide: another process (a parallel test run) may create it first.
        cursor.execute(
            sql.SQL(
                "DO $$ BEGIN CREATE ROLE {} " + ROLE_ATTRIBUTES + "; "
                "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
            ).format(sql.Identifier(role))
        )
    elif row[0]:
        cursor.execute(sql.SQL("ALTER ROLE {} " + ROLE_ATTRIBUTES).format(sql.Identifier(role)))


def _hand_public_schema_to(cursor, owner: str) -> None:
    """Objects made before the roles existed (an older `.local` database) move to the owner."""
    cursor.execute(
        "SELECT CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' "
        "WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END, c.relname FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' "
        "AND c.relkind IN ('r', 'p', 'v', 'm', 'S') AND pg_get_userbyid(c.relowner) <> %s "
        # identity and serial sequences follow their table; extension objects stay as they are
        "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass "
        "AND d.objid = c.oid AND d.deptype IN ('a', 'i', 'e'))",
        [owner],
    )
    for kind, name in cursor.fetchall():
        cursor.execute(
            sql.SQL(f"ALTER {kind} {{}} OWNER TO {{}}").format(
                sql.Identifier(name), sql.Identifier(owner)
            )
        )
    cursor.execute(
        "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
        "WHERE n.nspname = 'public' AND pg_get_userbyid(p.proowner) <> %s AND NOT EXISTS ("
        "SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')",
        [owner],
    )
    for (signature,) in cursor.fetchall():
        cursor.execute(
            sql.SQL(f"ALTER ROUTINE {signature} OWNER TO {{}}").format(sql.Identifier(owner))
        )


def ensure_roles(
    conninfo: str, *, owner: str = OWNER_ROLE, app: str = APP_ROLE, take_ownership: bool = True
) -> None:
    """Create and configure both roles on the database of `conninfo` (a superuser connection)."""
    with psycopg.connect(conninfo, autocommit=True) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
        if not (row and row[0]):
            raise PermissionError("creating the database roles needs a superuser connection")
        _create_role(cursor, owner)
        _create_role(cursor, app)
        cursor.execute("SELECT current_database()")
        database = sql.Identifier(cursor.fetchone()[0])  # type: ignore[index]
        owner_id, app_id = sql.Identifier(owner), sql.Identifier(app)
        with conn.transaction():
            if take_ownership:
                cursor.execute(sql.SQL("ALTER DATABASE {} OWNER TO {}").format(database, owner_id))
                _hand_public_schema_to(cursor, owner)
            cursor.execute(sql.SQL("GRANT USAGE, CREATE ON SCHEMA public TO {}").format(owner_id))
            # Nobody else creates objects, not even temporary tables.
            cursor.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
            cursor.execute(
                sql.SQL("REVOKE CREATE, TEMPORARY ON DATABASE {} FROM PUBLIC").format(database)
            )
            cursor.execute(
                sql.SQL("GRANT CONNECT ON DATABASE {} TO {}, {}").format(database, owner_id, app_id)
            )
            cursor.execute(
                sql.SQL(
                    "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {}"
                ).format(owner_id, app_id)
            )
            cursor.execute(
                sql.SQL(
                    "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {}"
                ).format(owner_id, app_id)
            )
            grant_app_privileges(cursor, app=app)


def is_superuser(conninfo: str) -> bool:
    with psycopg.connect(conninfo, connect_timeout=5) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
        return bool(row and row[0])


def setup(superuser_url: str) -> dict[str, str]:
    """Roles ready on the database of `superuser_url`; returns the environment for the product."""
    ensure_roles(superuser_url)
    return {
        "DATABASE_URL": url_for_role(superuser_url, APP_ROLE),
        "DATABASE_OWNER_URL": url_for_role(superuser_url, OWNER_ROLE),
    }


def main() -> None:
    if sys.argv[1:] != ["setup"]:
        sys.exit("usage: DATABASE_URL=<superuser url> python -m config.dbroles setup")
    url = os.environ.get("DATABASE_URL")
    if not url:
        sys.exit("DATABASE_URL (a superuser connection) is not set")
    for name, value in setup(url).items():
        print(f"export {name}='{value}'")


if __name__ == "__main__":
    main()
