"""The catalogue page: visibility, search, facets, sort, keyset pagination, htmx partials."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalogue.models import choices as c
from tests.factories import ArtifactFactory, AuthorshipFactory, LineageFactory

URL = "/artifacts/"


def _titles(response) -> list[str]:
    return re.findall(
        r'<h2 class="h6 mb-1"><a href="/artifacts/[^"]+/">([^<]+)</a>', response.content.decode()
    )


def _facet(response, name: str) -> dict[str, int]:
    html = response.content.decode()
    block = re.search(rf'data-facet="{name}">(.*?)</section>', html, re.S)
    if not block:
        return {}
    return {
        value: int(count)
        for value, count in re.findall(
            r'data-facet-value="([^"]+)">.*?</a>\s*<span class="facet-count">(\d+)</span>',
            block.group(1),
            re.S,
        )
    }


@pytest.fixture
def catalogue(retail, cards):
    return {
        "mortgage": ArtifactFactory(
            owner_team=retail,
            title="Mortgage affordability journey",
            kind=c.ArtifactKind.CUSTOMER_JOURNEY,
            tags=["mortgages"],
        ),
        "fraud": ArtifactFactory(
            owner_team=cards,
            title="Card fraud scoring model",
            restricted=True,
            kind=c.ArtifactKind.AI_MODEL,
            tags=["fraud"],
        ),
        "copy": ArtifactFactory(
            owner_team=cards,
            title="Scam warning copy",
            kind=c.ArtifactKind.CONTENT,
            tags=["fraud", "copy"],
            customer_derived=True,
        ),
    }


def test_url_name():
    assert reverse("catalogue:artifact_list") == URL


def test_viewer_browses_but_never_sees_restricted_items_or_their_counts(client, victor, catalogue):
    client.force_login(victor)
    response = client.get(URL)
    assert response.status_code == 200
    titles = _titles(response)
    assert set(titles) == {"Mortgage affordability journey", "Scam warning copy"}
    assert "Card fraud scoring model" not in response.content.decode()
    assert _facet(response, "kind") == {"customer_journey": 1, "content": 1}
    assert _facet(response, "tag") == {"fraud": 1, "copy": 1, "mortgages": 1}
    assert "restricted" not in _facet(response, "sensitivity")
    assert _facet(response, "owner_team") == {"retail": 1, "cards": 1}
    # Searching for it directly finds nothing either.
    assert _titles(client.get(URL, {"q": "fraud scoring"})) == []


def test_owner_team_sees_its_restricted_item_and_counts_it(client, bob, catalogue):
    client.force_login(bob)
    response = client.get(URL)
    assert "Card fraud scoring model" in _titles(response)
    assert _facet(response, "sensitivity")["restricted"] == 1
    assert _facet(response, "tag")["fraud"] == 2


def test_search_box_filters_the_results(client, victor, catalogue):
    client.force_login(victor)
    response = client.get(URL, {"q": "mortgage"})
    assert _titles(response) == ["Mortgage affordability journey"]
    assert 'value="mortgage"' in response.content.decode()
    assert _titles(client.get(URL, {"q": "warning", "sort": "title"})) == ["Scam warning copy"]


def test_facet_links_filter_and_toggle_off(client, victor, catalogue):
    client.force_login(victor)
    response = client.get(URL, {"tag": "fraud"})
    assert _titles(response) == ["Scam warning copy"]
    html = response.content.decode()
    # The active value is marked and links back to the unfiltered list.
    active = re.search(
        r'<a href="([^"]*)" hx-get="[^"]*" class="[^"]*fw-bold"\s*aria-current="true" data-facet-value="fraud"',
        html,
    )
    assert active and active.group(1) == "?"
    assert _titles(client.get(URL, {"kind": "customer_journey"})) == [
        "Mortgage affordability journey"
    ]
    assert _titles(client.get(URL, {"customer_derived": "true"})) == ["Scam warning copy"]
    assert _titles(client.get(URL, {"owner_team": "retail"})) == ["Mortgage affordability journey"]
    assert _titles(client.get(URL, {"status": "published"})) == []


def test_htmx_request_gets_the_results_partial_only(client, victor, catalogue):
    client.force_login(victor)
    response = client.get(URL, {"q": "copy"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and 'id="result-list"' in body
    assert _titles(response) == ["Scam warning copy"]
    assert "HX-Request" in response["Vary"]
    # Plain requests (no JavaScript) get the whole page with the same results.
    full = client.get(URL, {"q": "copy"})
    assert "<html" in full.content.decode() and _titles(full) == ["Scam warning copy"]


def test_search_form_and_links_are_wired_for_htmx_and_plain_links(client, victor, catalogue):
    client.force_login(victor)
    html = client.get(URL, {"kind": "content"}).content.decode()
    assert (
        'hx-get="/artifacts/"' in html
        and 'hx-target="#results"' in html
        and 'hx-push-url="true"' in html
    )
    # Active filters ride along with the next search through hidden inputs of the search form.
    assert '<input type="hidden" form="search-form" name="kind" value="content">' in html


def _walk(client, params) -> tuple[list[str], list[str]]:
    pages, url, seen = [], URL, []
    response = client.get(url, params)
    while True:
        titles = _titles(response)
        pages.append(titles)
        seen.extend(titles)
        match = re.search(r'rel="next" href="([^"]+)"', response.content.decode())
        if not match:
            break
        response = client.get(URL + match.group(1).replace("&amp;", "&"))
    return seen, pages


def test_keyset_pagination_walks_forward_and_back_without_offset_or_count(client, victor, retail):
    for i in range(45):
        ArtifactFactory(owner_team=retail, title=f"Journey {i:02d}")
    client.force_login(victor)
    with CaptureQueriesContext(connection) as ctx:
        seen, pages = _walk(client, {"sort": "title"})
    assert seen == [f"Journey {i:02d}" for i in range(45)]
    assert [len(p) for p in pages] == [20, 20, 5]
    sql = " ".join(q["sql"].upper() for q in ctx.captured_queries)
    assert " OFFSET " not in sql
    # The only COUNTs are the facets' GROUP BY counts (and the nav's unread badge), never a total
    # of the result list.
    assert all(
        "GROUP BY" in q["sql"].upper()
        for q in ctx.captured_queries
        if "COUNT(" in q["sql"].upper() and "catalogue_notification" not in q["sql"]
    )

    last = client.get(URL, {"sort": "title"})
    second = client.get(
        URL
        + re.search(r'rel="next" href="([^"]+)"', last.content.decode())
        .group(1)
        .replace("&amp;", "&")
    )
    back = (
        re.search(r'rel="prev" href="([^"]+)"', second.content.decode())
        .group(1)
        .replace("&amp;", "&")
    )
    assert _titles(client.get(URL + back)) == [f"Journey {i:02d}" for i in range(20)]
    assert 'rel="prev"' not in client.get(URL + back).content.decode()


def test_newest_and_updated_sorts_page_through_everything(client, victor, retail):
    made = [ArtifactFactory(owner_team=retail, title=f"Item {i:02d}") for i in range(25)]
    client.force_login(victor)
    for sort in ("newest", "updated"):
        seen, _ = _walk(client, {"sort": sort})
        assert sorted(seen) == sorted(a.title for a in made)
        assert len(seen) == len(set(seen))
    newest, _ = _walk(client, {})
    assert newest == [a.title for a in reversed(made)]


def test_relevance_sort_pages_by_rank(client, victor, retail):
    for i in range(23):
        ArtifactFactory(
            owner_team=retail, title=f"Savings nudge {i}", summary="savings " * (i % 4 + 1)
        )
    client.force_login(victor)
    seen, pages = _walk(client, {"q": "savings"})
    assert len(seen) == 23 and len(set(seen)) == 23 and len(pages) == 2


def test_damaged_cursor_shows_the_first_page(client, victor, catalogue):
    client.force_login(victor)
    response = client.get(URL, {"cursor": "not-a-cursor!!"})
    assert response.status_code == 200
    assert len(_titles(response)) == 2


def _populate(retail, n):
    parent = ArtifactFactory(owner_team=retail, title="Shared parent")
    for i in range(n):
        artifact = ArtifactFactory(owner_team=retail, title=f"Row {i}", tags=["a", f"t{i}"])
        AuthorshipFactory(artifact=artifact)
        LineageFactory(child=artifact, parent=parent)


def test_query_count_does_not_grow_with_rows(client, victor, retail, count_queries):
    client.force_login(victor)
    _populate(retail, 2)
    client.get(URL)  # warm the session
    few = count_queries(lambda: client.get(URL))
    _populate(retail, 10)
    many = count_queries(lambda: client.get(URL))
    assert few == many
    many_htmx = count_queries(lambda: client.get(URL, headers={"HX-Request": "true"}))
    # The nav's unread badge comes with the user's own query (auth_backends.with_roles), so the
    # full page and the fragment (no nav) cost the same.
    assert many_htmx == many


def test_register_button_only_for_people_who_can_register(client, victor, alice, catalogue):
    client.force_login(victor)
    assert reverse("catalogue:artifact_create") not in client.get(URL).content.decode()
    client.force_login(alice)
    assert reverse("catalogue:artifact_create") in client.get(URL).content.decode()


def test_best_match_ranks_by_relevance_when_searching(client, victor, retail):
    ArtifactFactory(
        owner_team=retail, title="Another idea", summary="Mentions savings once.", tags=[]
    )
    ArtifactFactory(owner_team=retail, title="Savings pot", summary="Round-ups.", tags=["savings"])
    client.force_login(victor)
    # The search form always sends its sort select; "" is best match.
    assert _titles(client.get(URL, {"q": "savings", "sort": ""})) == ["Savings pot", "Another idea"]
    assert _titles(client.get(URL, {"q": "savings", "sort": "title"})) == [
        "Another idea",
        "Savings pot",
    ]
    html = client.get(URL, {"q": "savings"}).content.decode()
    assert '<option value="" selected>Best match</option>' in html
