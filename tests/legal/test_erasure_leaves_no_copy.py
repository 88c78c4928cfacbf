"""Erasure removes personal data everywhere, history included (it never entered history)."""

import pghistory.models
import pytest
from django.apps import apps
from django.db import connection

from catalogue.services.contributors import contributor_create, contributor_update
from catalogue.services.privacy import contributor_erase

pytestmark = pytest.mark.django_db


def _history_tables_containing(text: str) -> list[str]:
    hits = []
    tables = [m._meta.db_table for m in apps.get_app_config("catalogue").get_models()
              if issubclass(m, pghistory.models.Event)]
    tables += ["catalogue_auditevent", "pghistory_context"]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{table}" t WHERE row_to_json(t)::text LIKE %s', [f"%{text}%"])
            if cursor.fetchone()[0]:
                hits.append(table)
    return hits


def test_personal_data_is_never_copied_into_audit_tables(legal1):
    person = contributor_create(
        acting_user=legal1, kind="customer", legal_name="Wilhelmina Quaxley", email="w.quaxley@example.org",
    )
    contributor_update(acting_user=legal1, contributor=person, legal_name="Wilhelmina Quaxley-Smith")
    assert _history_tables_containing("Quaxley") == []
    assert _history_tables_containing("w.quaxley@example.org") == []

    contributor_erase(acting_user=legal1, contributor=person, reason="erasure request 2026-114")
    person.refresh_from_db()
    assert "Quaxley" not in person.legal_name
    assert person.email == ""
    assert _history_tables_containing("Quaxley") == []
