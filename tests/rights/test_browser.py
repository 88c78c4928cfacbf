"""In Chromium: author a policy, ask the panel (htmx swap, no reload), record a reuse."""

import pytest
from django.utils import timezone

from catalogue.models import Reuse
from catalogue.models import choices as c
from tests.factories import (
    ArtifactFactory,
    MembershipFactory,
    TeamFactory,
    UserFactory,
    VersionFactory,
)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_policy_then_panel_then_reuse(browser_page, live_server, login):
    retail = TeamFactory(slug="retail", name="Retail Banking")
    TeamFactory(slug="cards", name="Cards & Payments")
    maya = UserFactory(username="maya", roles=[c.Role.CONTRIBUTOR, c.Role.VIEWER])
    MembershipFactory(team=retail, user=maya, role=c.MembershipRole.MAINTAINER)
    guide = ArtifactFactory(
        owner_team=retail, published=True, slug="style-guide", title="Plain language style guide"
    )
    # Only a published version can be reused (Rule 1).
    guide.current_version = VersionFactory(
        artifact=guide, version="1.0", published_at=timezone.now()
    )
    guide.save(update_fields=["current_version"])
    page = browser_page
    login(page, maya)

    page.goto(f"{live_server.url}/artifacts/style-guide/policy/")
    page.check("#id_purposes_0")  # product_design
    page.check("#id_duties_1")  # inform the owner team
    page.click("button[name=save]")
    page.wait_for_url(f"{live_server.url}/artifacts/style-guide/policy/")
    assert (
        "Any team may use this artifact for product_design."
        in page.locator("#policy-reading").inner_text()
    )

    page.goto(f"{live_server.url}/artifacts/style-guide/")
    page.select_option("#rights_purpose", "marketing")
    page.click("#rights-form button[type=submit]")
    result = page.locator("#rights-result")
    result.wait_for()
    assert result.get_attribute("data-decision") == "deny"
    assert page.url == f"{live_server.url}/artifacts/style-guide/"  # swapped in place by htmx
    page.select_option("#rights_purpose", "product_design")
    page.click("#rights-form button[type=submit]")
    page.locator("#rights-result[data-decision=permit]").wait_for()
    assert "Inform the owner team Retail Banking" in page.locator("#rights-result").inner_text()

    page.goto(f"{live_server.url}/artifacts/style-guide/reuse/")
    page.fill("#id_initiative", "Letters rewrite")
    page.select_option("#id_purpose", "product_design")
    page.click("#reuse-form button[type=submit]")
    page.locator("#reuse-recorded").wait_for()
    assert "Inform the owner team Retail Banking" in page.locator("#reuse-duties").inner_text()
    assert Reuse.objects.filter(artifact__slug="style-guide", team=retail).count() == 1
