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


@pytest.mark.django_db
def test_seed_demo_leaves_users_own_artifacts_alone_and_is_audited_as_the_command():
    """Issue 15 finding 10: seeding touches only the demo's own objects, writes nothing on a
    second run, and never names a demo persona as the actor of what the command did."""
    from catalogue.models import Artifact, AuditEvent
    from catalogue.models.choices import ArtifactStatus
    from tests.factories import ArtifactFactory, TeamFactory

    retail = TeamFactory(slug="retail", name="Retail Banking")
    cards = TeamFactory(slug="cards", name="Cards & Payments")
    mine = ArtifactFactory(
        owner_team=retail, slug="my-own-draft", title="My own draft", status=ArtifactStatus.DRAFT
    )
    theirs = ArtifactFactory(
        owner_team=cards, slug="their-own-draft", title="Their draft", status=ArtifactStatus.DRAFT
    )
    before = {a.slug: (a.status, a.current_policy_id, a.updated_at) for a in (mine, theirs)}

    call_command("seed_demo", password="x", stdout=io.StringIO())
    events_after_first = AuditEvent.objects.count()
    call_command("seed_demo", password="x", stdout=io.StringIO())

    assert AuditEvent.objects.count() == events_after_first  # second run: 0 events
    after = {
        a.slug: (a.status, a.current_policy_id, a.updated_at)
        for a in Artifact.objects.filter(slug__in=list(before))
    }
    assert after == before
    assert not AuditEvent.objects.filter(artifact__in=[mine, theirs]).exists()
    demo_people = get_user_model().objects.filter(
        username__in=["alice", "bob", "legal1", "legal2", "admin"]
    )
    assert not AuditEvent.objects.filter(actor__in=demo_people).exists()
    assert not AuditEvent.objects.filter(
        actor_label__in=["alice", "bob", "legal1", "legal2", "admin"]
    ).exists()
    seeded = AuditEvent.objects.filter(action="artifact.registered").first()
    assert seeded.actor_id is None and seeded.actor_label == "seed_demo"
    assert seeded.origin["kind"] == "command" and seeded.origin["command"] == "seed_demo"
