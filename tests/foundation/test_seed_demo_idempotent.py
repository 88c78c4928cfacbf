"""seed_demo twice: the second run changes no row count in any catalogue table."""

import io

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command


def counts() -> dict[str, int]:
    models = [*apps.get_app_config("catalogue").get_models(), get_user_model()]
    return {m._meta.db_table: m.objects.count() for m in models}


@pytest.mark.django_db
def test_second_seed_demo_changes_nothing():
    call_command("seed_demo", password="x", stdout=io.StringIO())
    first = counts()
    assert first["catalogue_outcome"] > 0 and first["catalogue_withdrawalimpact"] > 0
    call_command("seed_demo", password="x", stdout=io.StringIO())
    second = counts()
    assert {t: (first[t], second[t]) for t in first if first[t] != second[t]} == {}
