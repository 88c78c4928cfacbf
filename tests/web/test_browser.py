"""In Chromium: search and filter the catalogue, open an artifact, register one with an author and a parent."""

import re

import pytest

from catalogue.models import Artifact
from catalogue.models import choices as c
from tests.factories import ArtifactFactory, ContributorFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _catalogue(retail, cards):
    ArtifactFactory(
        owner_team=retail,
        title="Mortgage affordability journey",
        slug="mortgage-affordability-journey",
        kind=c.ArtifactKind.CUSTOMER_JOURNEY,
        tags=["mortgages"],
        summary="Seven steps to an agreement in principle.",
    )
    ArtifactFactory(
        owner_team=retail,
        title="Mortgage rate explainer copy",
        slug="mortgage-rate-copy",
        kind=c.ArtifactKind.CONTENT,
        tags=["mortgages", "copy"],
    )
    ArtifactFactory(
        owner_team=cards,
        title="Card freeze toggle",
        slug="card-freeze-toggle",
        kind=c.ArtifactKind.DESIGN_COMPONENT,
        tags=["cards"],
    )


def _result_titles(page) -> list[str]:
    return page.locator("#result-list h2 a").all_inner_texts()


def test_search_filter_and_open_an_artifact(browser_page, live_server, login):
    from catalogue.models import Team

    retail = Team.objects.create(slug="retail", name="Retail Banking")
    cards = Team.objects.create(slug="cards", name="Cards & Payments")
    _catalogue(retail, cards)
    viewer = UserFactory(username="vera", roles=[c.Role.VIEWER])
    page = browser_page
    login(page, viewer)
    page.goto(f"{live_server.url}/artifacts/")
    assert len(_result_titles(page)) == 3

    # Typing searches in place (htmx) and the address follows, so the result can be shared.
    page.fill("#search-q", "mortgage")
    page.wait_for_url(re.compile(r"q=mortgage"))
    page.wait_for_function("document.querySelectorAll('#result-list li').length === 2")
    assert sorted(_result_titles(page)) == [
        "Mortgage affordability journey",
        "Mortgage rate explainer copy",
    ]
    assert page.locator("#search-q").input_value() == "mortgage"  # the box was not replaced

    # A facet narrows the results; its count reflects the search.
    facet = page.locator('[data-facet="kind"] a[data-facet-value="content"]')
    facet.click()
    page.wait_for_url(re.compile(r"kind=content"))
    page.wait_for_function("document.querySelectorAll('#result-list li').length === 1")
    assert _result_titles(page) == ["Mortgage rate explainer copy"]
    assert "q=mortgage" in page.url

    page.click("text=Mortgage rate explainer copy")
    page.wait_for_url(re.compile(r"/artifacts/mortgage-rate-copy/$"))
    assert page.locator("h1").inner_text() == "Mortgage rate explainer copy"
    assert page.locator("#artifact-status").inner_text() == "Draft"

    # Back to a filtered list by a plain link (works without JavaScript too).
    page.goto(f"{live_server.url}/artifacts/?owner_team=cards")
    assert _result_titles(page) == ["Card freeze toggle"]


def test_register_an_artifact_with_an_author_and_a_parent(browser_page, live_server, login):
    from catalogue.models import Team

    retail = Team.objects.create(slug="retail", name="Retail Banking")
    parent = ArtifactFactory(
        owner_team=retail, title="Accessible form field kit", slug="accessible-form-field-kit"
    )
    user = UserFactory(username="amira", roles=[c.Role.CONTRIBUTOR, c.Role.VIEWER])
    MembershipFactory(team=retail, user=user, role=c.MembershipRole.MAINTAINER)
    me = ContributorFactory(user=user)
    agency = ContributorFactory(kind=c.ContributorKind.AGENCY, organisation="Studio North")
    page = browser_page
    login(page, user)
    page.goto(f"{live_server.url}/artifacts/new/")

    # Inline validation: leaving the title empty shows its error without a page load.
    page.fill("#id_title", "x")
    page.locator("#id_summary").focus()
    page.fill("#id_title", "")
    page.locator("#id_summary").focus()
    page.wait_for_selector("#err-title .invalid-feedback")
    assert "required" in page.locator("#err-title").inner_text()

    page.fill("#id_title", "Affordability calculator widget")
    page.select_option("#id_kind", "design_component")
    page.fill("#id_summary", "Embeddable calculator with assumptions shown.")
    page.fill("#id_intent", "One honest calculator across mortgages, loans and cards.")
    page.fill("#id_tags", "calculator, affordability")
    page.check("input[name=channels][value=web]")
    assert page.locator("#id_authors-0-contributor").input_value() == me.pseudonym
    page.fill("#id_authors-0-credit_share", "0.7")
    page.wait_for_timeout(300)
    assert page.locator("#err-title .invalid-feedback").count() == 0

    # Add a second author row (no JavaScript needed), then a parent.
    page.click("button[name=add_authors]")
    page.wait_for_selector("#id_authors-1-contributor")
    page.fill("#id_authors-1-contributor", agency.pseudonym)
    page.select_option("#id_authors-1-role", "co_author")
    page.fill("#id_authors-1-credit_share", "0.3")
    page.fill("#id_parents-0-artifact", parent.slug)
    page.select_option("#id_parents-0-relation", "composed_of")
    page.click("#save-artifact")

    page.wait_for_url(re.compile(r"/artifacts/affordability-calculator-widget/$"))
    assert page.locator("h1").inner_text() == "Affordability calculator widget"
    authors = page.locator("#authors-table").inner_text()
    assert me.pseudonym in authors and agency.pseudonym in authors and "70%" in authors
    assert page.locator("#lineage-parents").inner_text().startswith("Accessible form field kit")
    assert page.locator("#lineage-graph svg").count() == 1
    artifact = Artifact.objects.get(slug="affordability-calculator-widget")
    assert artifact.parent_links.get().relation == "composed_of"
