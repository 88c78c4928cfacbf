import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from catalogue.models import Artifact, NotificationPreference, Watch
from catalogue.models import choices as c
from catalogue.services.retirement import artifact_deprecate
from tests.factories import ArtifactFactory

pytestmark = pytest.mark.django_db
S = c.ArtifactStatus


def retired(
    team, *, slug, title, status=S.ARCHIVED, rationale="Failed.", lessons="", when=None, **kw
):
    return ArtifactFactory(
        owner_team=team,
        slug=slug,
        title=title,
        status=status,
        retirement_rationale=rationale,
        lessons_learned=lessons,
        retired_at=when or timezone.now(),
        published_at=timezone.now(),
        **kw,
    )


@pytest.fixture
def library(retail, cards):
    successor = ArtifactFactory(
        owner_team=retail, published=True, slug="apr-v2", title="APR explainer v2"
    )
    hidden_successor = ArtifactFactory(
        owner_team=cards,
        published=True,
        restricted=True,
        slug="secret-v2",
        title="Secret successor",
    )
    return {
        "apr": retired(
            retail,
            slug="apr-bot",
            title="APR chatbot",
            rationale="Non-compliant APR statements (CONC 3.5).",
            lessons="Have compliance review prompts.",
            superseded_by=successor,
            kind=c.ArtifactKind.PROMPT_TEMPLATE,
        ),
        "churn": retired(
            cards,
            slug="churn-model",
            title="Churn model",
            status=S.DEPRECATED,
            rationale="Drifted after the pricing change.",
            kind=c.ArtifactKind.AI_MODEL,
            superseded_by=hidden_successor,
            when=timezone.now() - dt.timedelta(days=400),
        ),
        "secret": retired(
            cards,
            slug="secret-pricing",
            title="Secret pricing",
            restricted=True,
            rationale="Pricing discrimination risk.",
            kind=c.ArtifactKind.PRICING_DESIGN,
        ),
        "live": ArtifactFactory(owner_team=retail, published=True, slug="live", title="Live thing"),
    }


def test_lessons_library_lists_retired_visible_artifacts_with_successor(client, alice, library):
    client.force_login(alice)
    resp = client.get(reverse("catalogue:lessons"))
    body = resp.content.decode()
    assert resp.status_code == 200
    assert "APR chatbot" in body and "Churn model" in body
    assert "Non-compliant APR statements" in body and "Have compliance review prompts." in body
    assert reverse("catalogue:artifact_detail", args=["apr-v2"]) in body
    assert (
        "Secret pricing" not in body and "Secret successor" not in body and "Live thing" not in body
    )


def test_lessons_search_matches_rationale_and_lessons(client, alice, library):
    client.force_login(alice)
    body = client.get(reverse("catalogue:lessons"), {"q": "compliance"}).content.decode()
    assert "APR chatbot" in body and "Churn model" not in body
    body = client.get(reverse("catalogue:lessons"), {"q": "drifted pricing"}).content.decode()
    assert "Churn model" in body and "APR chatbot" not in body
    # the restricted one matches the words but stays hidden
    body = client.get(reverse("catalogue:lessons"), {"q": "discrimination"}).content.decode()
    assert "Secret pricing" not in body and 'id="lessons-empty"' in body


def test_lessons_facets_count_only_visible(alice, bob, library):
    from catalogue.selectors.lessons import LessonsQuery, lessons_facets

    facets = lessons_facets(user=alice, query=LessonsQuery())
    assert {r["value"]: r["count"] for r in facets["team"]} == {"retail": 1, "cards": 1}
    assert {r["value"] for r in facets["kind"]} == {"prompt_template", "ai_model"}
    this_year, last = timezone.now().year, (timezone.now() - dt.timedelta(days=400)).year
    assert {r["value"]: r["count"] for r in facets["year"]} == {this_year: 1, last: 1}
    facets = lessons_facets(user=bob, query=LessonsQuery())
    assert {r["value"]: r["count"] for r in facets["team"]} == {"retail": 1, "cards": 2}
    # a facet ignores its own selection but applies the others
    facets = lessons_facets(user=bob, query=LessonsQuery(team="cards"))
    assert {r["value"]: r["count"] for r in facets["team"]} == {"retail": 1, "cards": 2}
    assert {r["value"]: r["count"] for r in facets["kind"]} == {"ai_model": 1, "pricing_design": 1}


def test_lessons_facet_filters_and_htmx_partial(client, alice, library):
    client.force_login(alice)
    resp = client.get(
        reverse("catalogue:lessons"), {"team": "cards"}, headers={"HX-Request": "true"}
    )
    body = resp.content.decode()
    assert "<html" not in body
    assert "Churn model" in body and "APR chatbot" not in body
    assert "Secret successor" not in body
    # the search form's hidden facet inputs follow the swap, so a new search keeps the facet
    assert (
        'id="lessons-hidden" class="d-none" hx-swap-oob="true"' in body
        and 'name="team" value="cards"' in body
    )
    full = client.get(reverse("catalogue:lessons"), {"team": "cards"}).content.decode()
    assert full.count('id="lessons-hidden"') == 1


def test_lessons_keyset_pagination(client, alice, retail):
    for i in range(25):
        retired(
            retail,
            slug=f"old-{i}",
            title=f"Old idea {i}",
            when=timezone.now() - dt.timedelta(days=i),
        )
    from catalogue.selectors.lessons import LessonsQuery, lessons_page

    first = lessons_page(user=alice, query=LessonsQuery(), page_size=10)
    second = lessons_page(
        user=alice, query=LessonsQuery(), cursor=first["next_cursor"], page_size=10
    )
    third = lessons_page(
        user=alice, query=LessonsQuery(), cursor=second["next_cursor"], page_size=10
    )
    slugs = [a.slug for p in (first, second, third) for a in p["entries"]]
    assert slugs == [f"old-{i}" for i in range(25)]
    assert third["next_cursor"] is None
    client.force_login(alice)
    resp = client.get(reverse("catalogue:lessons"), {"cursor": "garbage!!"})
    assert resp.status_code == 200


def test_lessons_page_query_count_is_flat(client, alice, retail, cards, count_queries):
    def add(start, n):
        for i in range(start, start + n):
            succ = ArtifactFactory(owner_team=retail, published=True)
            retired(
                retail if i % 2 else cards,
                slug=f"r-{i}",
                title=f"Retired {i}",
                superseded_by=succ,
                lessons="Lesson.",
            )

    client.force_login(alice)

    def page():
        resp = client.get(reverse("catalogue:lessons"), {"q": "retired"})
        assert resp.status_code == 200

    add(0, 2)
    page()  # warm the session
    with_two = count_queries(page)
    add(2, 10)
    assert count_queries(page) == with_two


def test_deprecate_form_flow(client, alice, retail):
    art = ArtifactFactory(owner_team=retail, published=True, slug="journey")
    ArtifactFactory(owner_team=retail, published=True, slug="journey-v2", title="Journey v2")
    client.force_login(alice)
    url = reverse("catalogue:artifact_deprecate", args=["journey"])
    assert client.get(url).status_code == 200
    resp = client.post(url, {"rationale": "", "superseded_by": "journey-v2"})
    assert resp.status_code == 200 and "This field is required." in resp.content.decode()
    resp = client.post(url, {"rationale": "x", "superseded_by": "nope"})
    assert "No artifact" in resp.content.decode()
    resp = client.post(
        url, {"rationale": "Slow.", "superseded_by": "journey-v2", "sunset_on": "2031-01-31"}
    )
    assert resp.status_code == 302
    art.refresh_from_db()
    assert (art.status, art.superseded_by.slug, art.sunset_on) == (
        S.DEPRECATED,
        "journey-v2",
        dt.date(2031, 1, 31),
    )
    # a refused transition is shown as a form error, not a crash
    resp = client.post(url, {"rationale": "Again."})
    assert "lifecycle.transition_not_allowed" in resp.content.decode()


def test_retirement_forms_permissions(client, carol, victor, alice, admin_user, retail, cards):
    art = ArtifactFactory(owner_team=retail, published=True, slug="thing")
    hidden = ArtifactFactory(owner_team=cards, published=True, restricted=True, slug="hidden")
    for user in (carol, victor):
        client.force_login(user)
        assert (
            client.get(reverse("catalogue:artifact_deprecate", args=["thing"])).status_code == 403
        )
        assert (
            client.post(
                reverse("catalogue:artifact_archive", args=["thing"]), {"rationale": "x"}
            ).status_code
            == 403
        )
    client.force_login(alice)
    assert client.get(reverse("catalogue:artifact_archive", args=[hidden.slug])).status_code == 404
    assert (
        client.post(
            reverse("catalogue:artifact_archive", args=["thing"]), {"rationale": "Done."}
        ).status_code
        == 302
    )
    assert client.get(reverse("catalogue:artifact_restore", args=["thing"])).status_code == 403
    client.force_login(admin_user)
    resp = client.post(
        reverse("catalogue:artifact_restore", args=["thing"]), {"reason": "Mistake."}
    )
    assert resp.status_code == 302
    art.refresh_from_db()
    assert art.status == S.PUBLISHED


def test_artifact_page_shows_retirement_record_and_watch_panel(client, alice, victor, retail):
    successor = ArtifactFactory(owner_team=retail, published=True, slug="v2", title="Version two")
    art = ArtifactFactory(owner_team=retail, published=True, slug="v1", title="Version one")
    artifact_deprecate(
        acting_user=alice,
        artifact=art,
        rationale="Too slow for the contact centre.",
        lessons_learned="Measure latency first.",
        superseded_by=successor,
        sunset_on=dt.date(2031, 3, 1),
    )
    client.force_login(victor)
    body = client.get(reverse("catalogue:artifact_detail", args=["v1"])).content.decode()
    assert 'id="panel-retirement"' in body and 'id="retirement-record"' in body
    assert body.index('id="panel-retirement"') < body.index('id="panel-watch"')
    assert "Too slow for the contact centre." in body and "Measure latency first." in body
    assert "1 Mar 2031" in body and "by alice" in body
    assert reverse("catalogue:artifact_detail", args=["v2"]) in body
    assert 'id="retirement-actions"' not in body  # a viewer gets no lifecycle buttons
    client.force_login(alice)
    body = client.get(reverse("catalogue:artifact_detail", args=["v2"])).content.decode()
    assert reverse("catalogue:artifact_deprecate", args=["v2"]) in body
    assert 'id="retirement-record"' not in body


def test_watch_toggle_htmx_and_plain(client, victor, retail):
    ArtifactFactory(owner_team=retail, published=True, slug="w")
    client.force_login(victor)
    url = reverse("catalogue:artifact_watch", args=["w"])
    resp = client.post(url, {"watch": "1"}, headers={"HX-Request": "true"})
    assert resp.status_code == 200 and "Watching" in resp.content.decode()
    assert Watch.objects.filter(user=victor, artifact__slug="w").exists()
    resp = client.post(url, {"watch": "0"})
    assert resp.status_code == 302
    assert not Watch.objects.filter(user=victor).exists()
    assert client.get(url).status_code == 405
    resp = client.post(
        reverse("catalogue:notification_digest"),
        {"daily_digest": "1", "artifact": "w"},
        headers={"HX-Request": "true"},
    )
    assert "Daily digest is on" in resp.content.decode()
    assert NotificationPreference.objects.get(user=victor).daily_digest is True


def test_watch_refuses_invisible_artifacts(client, victor, cards):
    ArtifactFactory(owner_team=cards, published=True, restricted=True, slug="r")
    client.force_login(victor)
    assert (
        client.post(reverse("catalogue:artifact_watch", args=["r"]), {"watch": "1"}).status_code
        == 404
    )


def test_resemblance_check_partial(client, alice, retail):
    retired(
        retail,
        slug="apr-bot",
        title="Credit card APR explainer chatbot prompt",
        rationale="Non-compliant APR statements under FCA CONC 3.5.",
    )
    client.force_login(alice)
    url = reverse("catalogue:resemblance_check")
    body = client.get(
        url, {"title": "Credit card APR explainer chatbot"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "Similar to archived" in body and "retired because Non-compliant APR" in body
    assert "You can still proceed." in body
    body = client.get(url, {"title": "Branch queue dashboard"}).content.decode()
    assert body.strip() == ""


def test_nav_has_lessons(client, victor):
    client.force_login(victor)
    assert reverse("catalogue:lessons") in client.get(reverse("catalogue:home")).content.decode()
    assert Artifact.objects.count() == 0
