"""Web: policy form round trip, the rights panel and check (htmx and plain), reuse form and list."""

import datetime as dt

import pytest
from django.urls import reverse

from catalogue import odrl
from catalogue.models import Reuse, ReusePolicy
from catalogue.models.choices import ArtifactStatus
from tests.factories import ReuseFactory, TeamFactory

pytestmark = pytest.mark.django_db


def logged_in(client, user):
    client.force_login(user)
    return client


FULL = {
    "teams_mode": "chosen",
    "teams": ["cards", "retail"],
    "actions": ["use", "derive"],
    "purposes": ["marketing", "research"],
    "channels": ["web"],
    "valid_from": "2026-01-01",
    "valid_until": "2027-12-31",
    "duties": ["attribute", "inform_owner", "approval_per_reuse"],
    "reason": "First policy",
    "prohibitions-TOTAL_FORMS": "2",
    "prohibitions-INITIAL_FORMS": "0",
    "prohibitions-0-action": "train",
    "prohibitions-0-purposes": ["model_training"],
    "prohibitions-1-action": "",
}


def test_policy_form_round_trips(client, alice, cards, published):
    artifact = published(None)
    url = reverse("catalogue:policy_edit", args=[artifact.slug])
    logged_in(client, alice)
    res = client.post(url, FULL)
    assert res.status_code == 302, res.content.decode()[:2000]
    policy = ReusePolicy.objects.get(artifact=artifact)
    values = odrl.form_values(policy.odrl)
    assert values["teams"] == ["cards", "retail"]
    assert values["actions"] == ["use", "derive"]
    assert values["purposes"] == ["marketing", "research"] and values["channels"] == ["web"]
    assert values["valid_from"] == dt.date(2026, 1, 1) and values["valid_until"] == dt.date(
        2027, 12, 31
    )
    assert values["duties"] == ["attribute", "inform_owner", "approval_per_reuse"]
    assert values["prohibitions"] == [{"action": "train", "purposes": ["model_training"]}]
    # The page reads it back into the form and in plain language.
    page = client.get(url).content.decode()
    assert client.get(url).context["form"].initial["teams_mode"] == "chosen"
    assert "Teams cards and retail may use, derive this artifact" in page
    assert "No team may train this artifact for model_training." in page
    assert "policy-json" in page and "urn:catalogue:artifact:" in page
    assert "revision 1" in page.lower()
    # Saving the same values again creates no new revision.
    client.post(url, {**FULL, "reason": "again"})
    assert ReusePolicy.objects.filter(artifact=artifact).count() == 1


def test_policy_preview_does_not_save(client, alice, cards, published):
    artifact = published(None)
    res = logged_in(client, alice).post(
        reverse("catalogue:policy_edit", args=[artifact.slug]), {**FULL, "preview": "1"}
    )
    assert res.status_code == 200
    assert "Preview (not saved)" in res.content.decode()
    assert not ReusePolicy.objects.filter(artifact=artifact).exists()


def test_policy_form_errors(client, alice, cards, published):
    artifact = published(None)
    bad = {**FULL, "teams": [], "valid_until": "2025-01-01"}
    res = logged_in(client, alice).post(reverse("catalogue:policy_edit", args=[artifact.slug]), bad)
    assert res.status_code == 200
    assert not ReusePolicy.objects.exists()
    errors = res.context["form"].errors
    assert "teams" in errors and "valid_until" in errors


def test_policy_page_read_only_for_others_and_post_forbidden(client, carol, published):
    artifact = published({})
    url = reverse("catalogue:policy_edit", args=[artifact.slug])
    page = logged_in(client, carol).get(url)
    assert page.status_code == 200 and b"policy-form" not in page.content
    assert b"Any team may use this artifact." in page.content
    assert client.post(url, FULL).status_code == 403


def test_policy_page_for_an_invisible_artifact_404(client, victor, published):
    artifact = published({}, restricted=True)
    assert (
        logged_in(client, victor)
        .get(reverse("catalogue:policy_edit", args=[artifact.slug]))
        .status_code
        == 404
    )


def test_artifact_page_has_the_rights_panel(client, carol, published):
    artifact = published({"purposes": ["research"]})
    page = (
        logged_in(client, carol)
        .get(reverse("catalogue:artifact_detail", args=[artifact.slug]))
        .content.decode()
    )
    assert 'id="panel-rights"' in page and "Can my team reuse this?" in page
    assert "Any team may use this artifact for research." in page
    # Defaults: the user's first team and `use`.
    assert '<option value="retail" selected>' in page
    assert '<option value="use" selected>' in page


def test_rights_check_htmx_partial_and_plain_page(client, victor, cards, published):
    artifact = published({"duties": ["inform_owner"]})
    url = reverse("catalogue:rights_check", args=[artifact.slug])
    query = {"team": "cards", "action": "use", "purpose": "marketing", "channel": "web"}
    logged_in(client, victor)
    partial = client.get(url, query, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-decision="permit"' in partial and "<html" not in partial
    assert "Inform the owner team Retail Banking" in partial
    full = client.get(url, {**query, "purpose": "gossip"}).content.decode()
    assert "<html" in full and "rights-result" not in full and "gossip" in full


def test_rights_check_page_shows_denial_reasons(client, victor, cards, published):
    artifact = published({}, status=ArtifactStatus.ARCHIVED)
    res = logged_in(client, victor).get(
        reverse("catalogue:rights_check", args=[artifact.slug]),
        {"team": "cards", "action": "use", "purpose": "research", "channel": "web"},
    )
    body = res.content.decode()
    assert 'data-decision="deny"' in body and "lifecycle.archived" in body


def test_reuse_form_shows_duties_on_success(client, carol, published):
    artifact = published({"duties": ["attribute"]})
    url = reverse("catalogue:reuse_create", args=[artifact.slug])
    logged_in(client, carol)
    assert client.get(url).status_code == 200
    res = client.post(
        url,
        {
            "team": "retail",
            "initiative": "Branch redesign",
            "purpose": "marketing",
            "channel": "branch",
            "mode": "as_is",
            "occurred_on": "2026-10-01",
        },
    )
    assert res.status_code == 200
    assert (
        "Reuse recorded" in res.content.decode()
        and "Attribute the originators" in res.content.decode()
    )
    assert Reuse.objects.filter(artifact=artifact, team__slug="retail").count() == 1


def test_reuse_form_shows_reasons_on_refusal(client, carol, published):
    artifact = published({"teams": ["cards"]})
    res = logged_in(client, carol).post(
        reverse("catalogue:reuse_create", args=[artifact.slug]),
        {
            "team": "retail",
            "initiative": "Branch redesign",
            "purpose": "marketing",
            "channel": "branch",
            "mode": "as_is",
            "occurred_on": "2026-10-01",
        },
    )
    assert res.status_code == 409
    assert "odrl.no_matching_permission" in res.content.decode()
    assert not Reuse.objects.exists()


def test_reuse_form_only_offers_your_teams(client, carol, victor, cards, published):
    artifact = published({})
    url = reverse("catalogue:reuse_create", args=[artifact.slug])
    res = logged_in(client, carol).post(
        url,
        {
            "team": "cards",
            "initiative": "x",
            "purpose": "marketing",
            "channel": "web",
            "mode": "as_is",
            "occurred_on": "2026-10-01",
        },
    )
    assert "team" in res.context["form"].errors and not Reuse.objects.exists()
    assert b"only for teams you contribute to" in logged_in(client, victor).get(url).content


def test_reuse_list_hides_invisible_filters_and_flat_queries(
    client, victor, cards, retail, published, count_queries
):
    visible = published({})
    hidden = published({}, restricted=True, owner_team=cards)
    ReuseFactory(artifact=visible, team=retail, initiative="Seen initiative")
    ReuseFactory(artifact=hidden, team=cards, initiative="Hidden initiative")
    logged_in(client, victor)
    page = client.get(reverse("catalogue:reuse_list")).content.decode()
    assert "Seen initiative" in page and "Hidden initiative" not in page
    assert (
        "Seen initiative"
        not in client.get(reverse("catalogue:reuse_list"), {"team": "cards"}).content.decode()
    )
    counts = []
    for n in (2, 12):
        ReuseFactory.create_batch(n, artifact=visible, team=TeamFactory())
        counts.append(count_queries(lambda: client.get(reverse("catalogue:reuse_list"))))
    assert counts[0] == counts[1]


def test_reuse_list_pages_by_keyset(client, admin_user, retail, published):
    from catalogue.views import rights as rights_views

    artifact = published({})
    ReuseFactory.create_batch(rights_views.PAGE_SIZE + 3, artifact=artifact, team=retail)
    logged_in(client, admin_user)
    first = client.get(reverse("catalogue:reuse_list"))
    assert len(first.context["reuses"]) == rights_views.PAGE_SIZE and first.context["next_query"]
    second = client.get(reverse("catalogue:reuse_list") + "?" + first.context["next_query"])
    assert len(second.context["reuses"]) == 3 and not second.context["next_query"]
