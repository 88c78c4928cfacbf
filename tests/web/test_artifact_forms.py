"""Register / edit / new-version forms: permissions, field and rule errors, inline validation."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalogue.models import Artifact, Contributor, Lineage
from catalogue.models import choices as c
from tests.factories import ArtifactFactory, AuthorshipFactory, ContributorFactory, LineageFactory

CREATE = "/artifacts/new/"
VALIDATE = "/artifacts/new/validate/"


def form_data(team, *, authors=(), parents=(), **fields) -> dict:
    data = {
        "title": "Savings round-up pot",
        "slug": "",
        "kind": c.ArtifactKind.PRODUCT_CONCEPT,
        "owner_team": str(team.pk),
        "sensitivity": "internal",
        "summary": "Round card payments up.",
        "intent": "Build a buffer.",
        "constraints": "Consumer Duty.",
        "constraint_tags": "consumer-duty",
        "tags": "Savings, resilience, savings",
        "channels": ["mobile", "web"],
    }
    data.update(fields)
    data.update(_rows("authors", authors))
    data.update(_rows("parents", parents))
    return data


def _rows(prefix, rows) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{k}": v for k, v in row.items()})
    return data


def author(contributor, role="originator", share="1") -> dict:
    return {"contributor": contributor.pseudonym, "role": role, "credit_share": share}


def test_url_names():
    assert reverse("catalogue:artifact_create") == CREATE
    assert reverse("catalogue:artifact_validate") == VALIDATE


def test_contributor_registers_for_own_team_with_author_and_parent(client, alice, retail):
    me = ContributorFactory(user=alice)
    parent = ArtifactFactory(owner_team=retail, title="Round-up research")
    client.force_login(alice)
    page = client.get(CREATE).content.decode()
    assert me.pseudonym in page  # prefilled as originator, and offered in the datalist
    response = client.post(
        CREATE,
        form_data(
            retail,
            authors=[author(me)],
            parents=[{"artifact": parent.slug, "relation": "inspired_by", "version": ""}],
        ),
    )
    assert response.status_code == 302
    artifact = Artifact.objects.get(slug="savings-round-up-pot")
    assert response["Location"] == reverse("catalogue:artifact_detail", args=[artifact.slug])
    assert artifact.owner_team == retail and artifact.created_by == alice
    assert artifact.tags == ["savings", "resilience"] and artifact.channels == ["mobile", "web"]
    assert [(a.contributor, a.role) for a in artifact.authorships.all()] == [(me, "originator")]
    assert list(artifact.parent_links.values_list("parent__slug", "relation")) == [
        (parent.slug, "inspired_by")
    ]


def test_contributor_cannot_register_for_another_team(client, alice, retail, cards):
    client.force_login(alice)
    assert f'value="{cards.pk}"' not in client.get(CREATE).content.decode()
    response = client.post(CREATE, form_data(cards))
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Artifact.objects.exists()


def test_viewer_cannot_open_the_register_form(client, victor):
    client.force_login(victor)
    assert client.get(CREATE).status_code == 403
    assert client.post(VALIDATE, {}).status_code == 403


def test_admin_may_register_for_any_team(client, admin_user, retail, cards):
    client.force_login(admin_user)
    assert client.post(CREATE, form_data(cards, slug="cards-thing")).status_code == 302
    assert Artifact.objects.get(slug="cards-thing").owner_team == cards


def test_field_errors_are_shown_and_nothing_is_saved(client, alice, retail):
    client.force_login(alice)
    response = client.post(CREATE, form_data(retail, title="", kind=""))
    html = response.content.decode()
    assert response.status_code == 400
    assert (
        '<div id="err-title" class="field-errors" aria-live="polite"><div class="invalid-feedback d-block">This field is required.'
        in html
    )
    assert '<div id="err-kind"' in html
    assert not Artifact.objects.exists()


def test_slug_clash_and_reserved_slug_are_field_errors(client, alice, retail):
    ArtifactFactory(slug="taken", owner_team=retail)
    client.force_login(alice)
    html = client.post(CREATE, form_data(retail, slug="taken")).content.decode()
    assert "An artifact already uses this address" in html
    html = client.post(CREATE, form_data(retail, slug="new")).content.decode()
    assert "reserved" in html


def test_blank_slug_is_derived_from_the_title_and_kept_unique(client, alice, retail):
    ArtifactFactory(slug="savings-round-up-pot", owner_team=retail)
    client.force_login(alice)
    assert client.post(CREATE, form_data(retail)).status_code == 302
    assert Artifact.objects.filter(slug="savings-round-up-pot-2").exists()


def test_rule_errors_from_the_service_appear_in_the_form(client, alice, retail):
    one, two = ContributorFactory(), ContributorFactory()
    client.force_login(alice)
    response = client.post(
        CREATE,
        form_data(retail, authors=[author(one, share="0.7"), author(two, "co_author", "0.6")]),
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Credit shares sum to 1.300; they may sum to at most 1." in html
    assert not Artifact.objects.exists()


def test_invisible_restricted_parent_answers_like_a_missing_one(client, alice, retail, cards):
    secret = ArtifactFactory(owner_team=cards, restricted=True)
    client.force_login(alice)
    html = client.post(
        CREATE, form_data(retail, parents=[{"artifact": secret.slug, "relation": "derived_from"}])
    ).content.decode()
    assert "No artifact with this address." in html
    assert secret.title not in html


def test_quick_new_contributor_is_created_with_the_artifact(client, alice, retail):
    client.force_login(alice)
    row = {
        "contributor": "",
        "role": "co_author",
        "credit_share": "0.2",
        "new_kind": "agency",
        "new_organisation": "Studio North",
    }
    assert client.post(CREATE, form_data(retail, authors=[row])).status_code == 302
    authorship = Artifact.objects.get().authorships.get()
    assert (
        authorship.contributor.kind == "agency"
        and authorship.contributor.organisation == "Studio North"
    )


def test_failed_registration_leaves_no_new_contributor_behind(client, alice, retail):
    client.force_login(alice)
    row = {"contributor": "", "role": "co_author", "credit_share": "0.2", "new_kind": "agency"}
    too_much = author(ContributorFactory(), share="0.9")
    assert client.post(CREATE, form_data(retail, authors=[row, too_much])).status_code == 400
    assert not Contributor.objects.filter(kind="agency").exists()


def test_add_another_author_row_without_javascript(client, alice, retail):
    client.force_login(alice)
    data = form_data(retail, title="", authors=[])
    data["add_authors"] = "1"
    response = client.post(CREATE, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="authors-0-contributor"' in html
    assert "This field is required." not in html
    assert not Artifact.objects.exists()


def test_inline_validation_shows_the_touched_fields_errors_out_of_band(client, alice, retail):
    client.force_login(alice)
    response = client.post(
        VALIDATE,
        form_data(retail, title="", summary=""),
        headers={"HX-Request": "true", "HX-Trigger-Name": "title"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        '<div id="err-title" class="field-errors" aria-live="polite" hx-swap-oob="true"><div class="invalid-feedback d-block">This field is required.'
        in html
    )
    # An empty field the user has not left yet is not reported.
    assert 'id="err-summary"' not in html
    assert "<html" not in html
    assert not Artifact.objects.exists()


def test_inline_validation_runs_the_service_rules_without_saving(client, alice, retail):
    one, two = ContributorFactory(), ContributorFactory()
    client.force_login(alice)
    html = client.post(
        VALIDATE,
        form_data(retail, authors=[author(one, share="0.7"), author(two, "co_author", "0.6")]),
        headers={"HX-Request": "true", "HX-Trigger-Name": "authors-1-credit_share"},
    ).content.decode()
    assert 'id="err-authors"' in html and "Credit shares sum to 1.300" in html
    ok = client.post(
        VALIDATE, form_data(retail, authors=[author(one)]), headers={"HX-Request": "true"}
    ).content.decode()
    assert "invalid-feedback" not in ok and "alert-danger" not in ok
    assert not Artifact.objects.exists()
    assert not Lineage.objects.exists()


def test_inline_validation_warns_about_resembling_retired_artifacts(client, alice, retail):
    ArtifactFactory(
        owner_team=retail,
        archived=True,
        title="Savings round-up pot",
        retirement_rationale="Customers in overdraft were nudged to save.",
    )
    client.force_login(alice)
    html = client.post(VALIDATE, form_data(retail), headers={"HX-Request": "true"}).content.decode()
    assert 'id="resemblance"' in html and "Customers in overdraft were nudged to save." in html


def test_form_inputs_are_wired_for_inline_validation(client, alice):
    client.force_login(alice)
    html = client.get(CREATE).content.decode()
    assert (
        f'hx-post="{VALIDATE}"' in html
        and 'hx-trigger="change"' in html
        and 'hx-swap="none"' in html
    )


@pytest.fixture
def owned(retail):
    artifact = ArtifactFactory(owner_team=retail, title="Overdraft explainer", tags=["overdraft"])
    AuthorshipFactory(artifact=artifact, role="originator", credit_share="1")
    return artifact


def _edit_data(artifact, **changes) -> dict:
    authorship = artifact.authorships.get()
    fields = {"title": artifact.title, "tags": "overdraft", "reason": "typo", **changes}
    data = form_data(artifact.owner_team, authors=[author(authorship.contributor)], **fields)
    data["authors-INITIAL_FORMS"] = "1"
    return data


def test_edit_changes_fields_and_parents(client, carol, owned, retail):
    parent = ArtifactFactory(owner_team=retail, title="Plain-language guide")
    client.force_login(carol)
    form = client.get(reverse("catalogue:artifact_edit", args=[owned.slug])).content.decode()
    assert (
        'value="Overdraft explainer"' in form
        and owned.authorships.get().contributor.pseudonym in form
    )
    data = _edit_data(
        owned,
        title="Overdraft cost explainer",
        parents=[{"artifact": parent.slug, "relation": "derived_from"}],
    )
    response = client.post(reverse("catalogue:artifact_edit", args=[owned.slug]), data)
    assert response.status_code == 302
    owned.refresh_from_db()
    assert owned.title == "Overdraft cost explainer"
    assert owned.authorships.count() == 1
    assert list(owned.parent_links.values_list("parent__slug", flat=True)) == [parent.slug]


def test_edit_refuses_a_lineage_cycle_with_the_rule_message(client, carol, owned, retail):
    child = ArtifactFactory(owner_team=retail)
    LineageFactory(child=child, parent=owned)
    client.force_login(carol)
    data = _edit_data(owned, parents=[{"artifact": child.slug, "relation": "derived_from"}])
    response = client.post(reverse("catalogue:artifact_edit", args=[owned.slug]), data)
    assert response.status_code == 400
    assert (
        "circular" in response.content.decode()
        or "already derives from" in response.content.decode()
    )
    assert not owned.parent_links.exists()


def test_other_teams_and_viewers_cannot_edit(client, bob, victor, owned):
    for user in (bob, victor):
        client.force_login(user)
        assert client.get(reverse("catalogue:artifact_edit", args=[owned.slug])).status_code == 403
        assert (
            client.post(
                reverse("catalogue:artifact_edit_validate", args=[owned.slug]), {}
            ).status_code
            == 403
        )


def test_new_version_with_a_checked_file(client, carol, owned):
    client.force_login(carol)
    target = reverse("catalogue:version_create", args=[owned.slug])
    upload = SimpleUploadedFile("notes.txt", b"Release notes.", content_type="text/plain")
    response = client.post(
        target,
        {
            "version": "1.0.0",
            "changelog": "First.",
            "uri": "https://git.bank.example/x",
            "attachment": upload,
            "declared_type": "txt",
        },
    )
    assert response.status_code == 302
    version = owned.versions.get()
    assert version.version == "1.0.0" and version.attachments.get().original_name == "notes.txt"
    owned.refresh_from_db()
    assert owned.current_version == version


def test_new_version_errors_duplicate_and_bad_file(client, carol, owned):
    client.force_login(carol)
    target = reverse("catalogue:version_create", args=[owned.slug])
    client.post(target, {"version": "1.0.0"})
    html = client.post(target, {"version": "1.0.0"}).content.decode()
    assert "Version 1.0.0 already exists." in html
    fake_pdf = SimpleUploadedFile("x.pdf", b"not really a pdf", content_type="application/pdf")
    response = client.post(
        target, {"version": "1.1.0", "attachment": fake_pdf, "declared_type": "pdf"}
    )
    assert response.status_code == 400 and "not PDF as declared" in response.content.decode()
    assert not owned.versions.filter(
        version="1.1.0"
    ).exists()  # the version rolls back with the file


def test_new_version_refused_for_viewers_and_archived(client, victor, alice, retail, owned):
    client.force_login(victor)
    assert client.get(reverse("catalogue:version_create", args=[owned.slug])).status_code == 403
    archived = ArtifactFactory(owner_team=retail, archived=True)
    client.force_login(alice)
    response = client.get(reverse("catalogue:version_create", args=[archived.slug]), follow=True)
    assert "archived and read-only" in response.content.decode()


def test_lookups_offer_visible_artifacts_and_pseudonyms_only(client, victor, cards, retail):
    ArtifactFactory(owner_team=retail, title="Mortgage journey", slug="mortgage-journey")
    ArtifactFactory(
        owner_team=cards, restricted=True, title="Mortgage secret", slug="mortgage-secret"
    )
    person = ContributorFactory(legal_name="Zoe Quinn", organisation="Studio North")
    client.force_login(victor)
    html = client.get(
        reverse("catalogue:artifact_lookup"), {"parents-0-artifact": "mortgage"}
    ).content.decode()
    assert "mortgage-journey" in html and "mortgage-secret" not in html
    html = client.get(
        reverse("catalogue:contributor_lookup"), {"authors-0-contributor": "studio"}
    ).content.decode()
    assert person.pseudonym in html and "Zoe Quinn" not in html
    assert (
        person.pseudonym
        not in client.get(reverse("catalogue:contributor_lookup"), {"q": "Zoe"}).content.decode()
    )
