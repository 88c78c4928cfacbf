import pytest

from catalogue.models import Artifact
from catalogue.models import choices as c
from tests.factories import ArtifactFactory, MembershipFactory, TeamFactory, UserFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_deprecate_with_successor_then_banner_then_lessons_library(
    browser_page, live_server, login
):
    team = TeamFactory(slug="retail", name="Retail Banking")
    maintainer = UserFactory(username="maya", roles=[c.Role.CONTRIBUTOR, c.Role.VIEWER])
    MembershipFactory(team=team, user=maintainer, role=c.MembershipRole.MAINTAINER)
    ArtifactFactory(
        owner_team=team, published=True, slug="apr-chatbot", title="APR explainer chatbot prompt"
    )
    ArtifactFactory(
        owner_team=team, published=True, slug="apr-explainer-v2", title="APR explainer v2"
    )
    page = browser_page
    login(page, maintainer)

    page.goto(f"{live_server.url}/artifacts/apr-chatbot/")
    page.click("#retirement-actions >> text=Deprecate…")
    page.fill("#id_rationale", "Produced non-compliant APR statements under FCA CONC 3.5.")
    page.fill("#id_lessons_learned", "Have Compliance sample outputs monthly.")
    page.fill("#id_superseded_by", "apr-explainer-v2")
    page.fill("#id_sunset_on", "2031-01-31")
    page.click("#retirement-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/artifacts/apr-chatbot/")

    assert Artifact.objects.get(slug="apr-chatbot").status == c.ArtifactStatus.DEPRECATED
    record = page.locator("#retirement-record")
    assert "non-compliant APR statements" in record.inner_text()
    successor = record.locator("a.successor-link")
    assert successor.inner_text() == "APR explainer v2"
    banner = page.locator(".deprecation-banner, #retirement-record").first
    assert banner.is_visible()
    assert "APR explainer v2" in banner.inner_text()

    page.goto(f"{live_server.url}/lessons/")
    page.fill("#lessons-q", "CONC")
    page.press("#lessons-q", "Enter")
    entry = page.locator("#lesson-apr-chatbot")
    entry.wait_for()
    assert "Have Compliance sample outputs monthly." in entry.inner_text()
    assert entry.locator("a.successor-link").inner_text() == "APR explainer v2"
    page.fill("#lessons-q", "mortgage")
    page.press("#lessons-q", "Enter")
    page.locator("#lessons-empty").wait_for()
