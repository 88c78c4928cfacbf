"""Issue 15 findings 7 and 8: a restore keeps the retirement as history (page, API, lessons
library), and the catalogue's search finds rationale and lessons, past ones included (Rule 6)."""

import pytest
from django.db import IntegrityError, InternalError, ProgrammingError, transaction
from django.urls import reverse

from catalogue.models import Artifact, Retirement
from catalogue.models import choices as c
from catalogue.selectors.artifacts import artifact_list
from catalogue.services.retirement import artifact_archive, artifact_deprecate, artifact_restore
from tests.factories import ArtifactFactory

pytestmark = pytest.mark.django_db
S = c.ArtifactStatus

RATIONALE = "Quoted superseded overdraft tariffs to customers in arrears."
LESSONS = "Never cache tariff tables in prompts; fetch the kaleidoscopic tariff register live."


@pytest.fixture
def restored(retail, alice, admin_user):
    art = ArtifactFactory(
        owner_team=retail, published=True, slug="tariff-bot", title="Tariff helper"
    )
    successor = ArtifactFactory(
        owner_team=retail, published=True, slug="tariff-bot-v2", title="Tariff helper v2"
    )
    artifact_deprecate(
        acting_user=alice,
        artifact=art,
        rationale=RATIONALE,
        lessons_learned=LESSONS,
        superseded_by=successor,
    )
    artifact_archive(acting_user=alice, artifact=art, rationale="Pilot closed for good.")
    artifact_restore(acting_user=admin_user, artifact=art, reason="Regulator asked for it back.")
    art.refresh_from_db()
    return art


def test_restore_keeps_every_retirement_as_history(restored, admin_user):
    assert restored.status == S.PUBLISHED
    records = list(Retirement.objects.filter(artifact=restored).order_by("decided_at", "id"))
    assert [(r.action, r.rationale) for r in records] == [
        ("deprecated", RATIONALE),
        ("archived", "Pilot closed for good."),
    ]
    assert (
        records[0].lessons_learned == LESSONS and records[0].superseded_by.slug == "tariff-bot-v2"
    )
    assert all(
        r.restored_at
        and r.restored_by == admin_user
        and r.restore_reason == "Regulator asked for it back."
        for r in records
    )
    assert "kaleidoscopic" in restored.lessons_history


def test_history_records_cannot_be_rewritten_or_deleted(restored):
    record = Retirement.objects.filter(artifact=restored).first()
    with pytest.raises((IntegrityError, InternalError, ProgrammingError)), transaction.atomic():
        Retirement.objects.filter(pk=record.pk).update(rationale="Nothing happened.")
    with pytest.raises((IntegrityError, InternalError, ProgrammingError)), transaction.atomic():
        Retirement.objects.filter(pk=record.pk).delete()


def test_api_detail_and_restore_response_show_the_history(
    api_client_for, alice, admin_user, retail
):
    art = ArtifactFactory(owner_team=retail, published=True, slug="journey", title="Journey")
    client = api_client_for(alice)
    assert (
        client.post(
            "/api/v1/artifacts/journey/archive/",
            {"rationale": RATIONALE, "lessons_learned": LESSONS},
            format="json",
        ).status_code
        == 200
    )
    resp = api_client_for(admin_user).post(
        "/api/v1/artifacts/journey/restore/", {"reason": "Mistake."}, format="json"
    )
    assert resp.status_code == 200
    assert [h["rationale"] for h in resp.json()["retirement_history"]] == [RATIONALE]
    data = client.get(f"/api/v1/artifacts/{art.slug}/").json()
    assert data["status"] == "published"
    (entry,) = data["retirement_history"]
    assert entry["action"] == "archived" and entry["lessons_learned"] == LESSONS
    assert (
        entry["decided_by"] == "alice"
        and entry["restored"] is True
        and entry["restore_reason"] == "Mistake."
    )
    assert {
        "action",
        "rationale",
        "lessons_learned",
        "superseded_by",
        "sunset_on",
        "decided_by",
        "decided_at",
    } <= set(entry)


def test_history_hides_a_successor_the_user_may_not_see(
    api_client_for, victor, alice, admin_user, retail
):
    art = ArtifactFactory(owner_team=retail, published=True, slug="old")
    ArtifactFactory(owner_team=retail, published=True, restricted=True, slug="secret-successor")
    successor = Artifact.objects.get(slug="secret-successor")
    artifact_deprecate(acting_user=alice, artifact=art, rationale="Old.", superseded_by=successor)
    artifact_restore(acting_user=admin_user, artifact=art, reason="Back.")
    (entry,) = api_client_for(victor).get("/api/v1/artifacts/old/").json()["retirement_history"]
    assert entry["superseded_by"] is None
    assert "secret-successor" not in str(
        api_client_for(victor).get("/api/v1/artifacts/old/").json()
    )


def test_restored_artifact_page_shows_its_history(client, victor, restored):
    client.force_login(victor)
    body = client.get(reverse("catalogue:artifact_detail", args=[restored.slug])).content.decode()
    assert 'id="retirement-history"' in body
    assert "Quoted superseded overdraft tariffs" in body and "kaleidoscopic" in body


def test_lessons_library_keeps_the_restored_lesson_marked_restored(client, victor, restored):
    client.force_login(victor)
    body = client.get(reverse("catalogue:lessons"), {"q": "kaleidoscopic"}).content.decode()
    assert (
        'id="lesson-tariff-bot"' in body and "lesson-restored" in body and "kaleidoscopic" in body
    )
    body = client.get(reverse("catalogue:lessons"), {"status": "restored"}).content.decode()
    assert 'id="lesson-tariff-bot"' in body
    body = client.get(reverse("catalogue:lessons"), {"status": "archived"}).content.decode()
    assert 'id="lesson-tariff-bot"' not in body


def test_catalogue_search_finds_lessons_and_rationale(alice, retail, api_client_for):
    art = ArtifactFactory(owner_team=retail, published=True, slug="apr-bot", title="APR helper")
    artifact_archive(
        acting_user=alice,
        artifact=art,
        rationale="Breached CONC rules on representative examples.",
        lessons_learned=LESSONS,
    )
    slugs = [a.slug for a in artifact_list(user=alice, params={"q": "kaleidoscopic"})]
    assert slugs == ["apr-bot"]
    assert [a.slug for a in artifact_list(user=alice, params={"q": "representative examples"})] == [
        "apr-bot"
    ]
    resp = api_client_for(alice).get("/api/v1/artifacts/", {"q": "kaleidoscopic"})
    assert [r["slug"] for r in resp.json()["results"]] == ["apr-bot"]


def test_catalogue_search_finds_the_lessons_of_a_restored_artifact(alice, restored):
    assert [a.slug for a in artifact_list(user=alice, params={"q": "kaleidoscopic"})] == [
        "tariff-bot"
    ]
    assert [
        a.slug for a in artifact_list(user=alice, params={"q": "superseded overdraft tariffs"})
    ] == ["tariff-bot"]


def test_catalogue_search_keeps_restricted_lessons_hidden(alice, bob, cards):
    art = ArtifactFactory(owner_team=cards, published=True, restricted=True, slug="hidden")
    artifact_archive(acting_user=bob, artifact=art, rationale="x", lessons_learned=LESSONS)
    assert list(artifact_list(user=alice, params={"q": "kaleidoscopic"})) == []


def test_restore_of_a_row_retired_without_a_record_still_keeps_it(retail, admin_user):
    art = ArtifactFactory(
        owner_team=retail, archived=True, published_at=None, lessons_learned=LESSONS
    )
    artifact_restore(acting_user=admin_user, artifact=art, reason="Back.")
    (record,) = Retirement.objects.filter(artifact=art)
    assert (
        record.rationale == "Failed." and record.lessons_learned == LESSONS and record.restored_at
    )
