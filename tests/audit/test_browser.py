"""In Chromium: from the artifact page's history panel to the full history, then back in time
with the as-of page's datetime picker; and the audit trail page for legal."""

import datetime as dt
import time

import pytest
from django.apps import apps
from django.utils import timezone

from catalogue.models import Team
from catalogue.models import choices as c
from catalogue.services.artifacts import artifact_update
from tests.factories import ArtifactFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_history_panel_full_history_and_as_of_picker(browser_page, live_server, login, monkeypatch):
    monkeypatch.setattr("catalogue.tasks.seal_audit_chain.delay", lambda: None)
    retail = Team.objects.create(slug="retail", name="Retail Banking")
    maintainer = UserFactory(username="mia", roles=[c.Role.CONTRIBUTOR, c.Role.VIEWER])
    MembershipFactory(team=retail, user=maintainer, role=c.MembershipRole.MAINTAINER)
    artifact = ArtifactFactory(owner_team=retail, slug="savings-nudge", title="Savings nudge")
    events = apps.get_model("catalogue", "ArtifactEvent").objects.filter(pgh_obj_id=artifact.pk)
    # The picker has one-second steps: let a whole second pass between the two versions.
    between = events.get(pgh_label="insert").pgh_created_at.replace(microsecond=0) + dt.timedelta(
        seconds=1
    )
    time.sleep(max(0.0, (between - timezone.now()).total_seconds()) + 0.2)
    artifact_update(
        acting_user=maintainer,
        artifact=artifact,
        title="Savings nudge v2",
        reason="clearer wording",
    )
    assert events.get(pgh_label="update").pgh_created_at > between
    page = browser_page
    login(page, maintainer)
    page.goto(f"{live_server.url}/artifacts/savings-nudge/")
    panel = page.locator("#panel-history")
    assert "artifact.updated" in panel.inner_text() and "clearer wording" in panel.inner_text()
    page.click("#history-full-link")
    page.wait_for_url(f"{live_server.url}/artifacts/savings-nudge/history/")
    assert page.locator(".history-change").count() >= 2
    page.click("text=View as of a date…")
    assert page.locator("#as-of-title").inner_text() == "Savings nudge v2"
    page.fill("#as-of-at", timezone.localtime(between).strftime("%Y-%m-%dT%H:%M:%S"))
    page.click("#as-of-form button[type=submit]")
    page.wait_for_url(lambda url: "at=" in url)
    assert page.locator("#as-of-title").inner_text() == "Savings nudge"
    assert page.locator("#as-of-status").inner_text() == "draft"


def test_audit_trail_filters_for_legal(browser_page, live_server, login, monkeypatch):
    monkeypatch.setattr("catalogue.tasks.seal_audit_chain.delay", lambda: None)
    retail = Team.objects.create(slug="retail", name="Retail Banking")
    legal = UserFactory(username="lena", roles=[c.Role.LEGAL, c.Role.VIEWER])
    admin = UserFactory(username="root", roles=[c.Role.ADMIN])
    for slug in ("one", "two"):
        artifact = ArtifactFactory(owner_team=retail, slug=slug, title=slug.title())
        artifact_update(
            acting_user=admin, artifact=artifact, summary=f"{slug} summary", reason=f"tidy {slug}"
        )
    page = browser_page
    login(page, legal)
    page.goto(f"{live_server.url}/audit/")
    assert page.locator(".audit-event").count() == 2
    page.fill("#f-object", "artifact:two")
    page.click("#audit-filters button[type=submit]")
    page.wait_for_url(lambda url: "object=" in url)
    assert page.locator(".audit-event").count() == 1
    assert "tidy two" in page.locator("#audit-events").inner_text()
