"""In a real browser, under the real CSP: the performance charts load as images and the page reads well."""

import datetime as dt
import os
import re

import pytest

from catalogue import tasks
from tests.factories import (
    ArtifactFactory,
    MetricFactory,
    OutcomeFactory,
    ReuseFactory,
    UserFactory,
)


def _hash(message: str) -> str:
    found = re.search(r"sha256-[A-Za-z0-9+/=]+", message)
    return found.group(0) if found else message


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_performance_charts_render_under_csp(browser_page, live_server, login):
    viewer = UserFactory(username="viewer-b", roles=["viewer"])
    lift = MetricFactory(code="conversion_lift")
    artifact = ArtifactFactory(published=True, title="Checkout journey", slug="checkout-journey")
    for month in range(6):
        reuse = ReuseFactory(
            artifact=artifact, occurred_on=dt.date.today() - dt.timedelta(days=30 * month)
        )
        tasks.rollup_reuse(reuse.pk)
        end = dt.date.today() - dt.timedelta(days=30 * month)
        for v in (1.0 + month * 0.2, 1.5, 2.2):
            tasks.rollup_outcome(
                OutcomeFactory(
                    reuse=reuse, metric=lift, value=v, period_start=end, period_end=end
                ).pk
            )
    errors: list[str] = []
    browser_page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    login(browser_page, viewer)
    browser_page.goto(f"{live_server.url}/artifacts/checkout-journey/performance/")
    browser_page.wait_for_load_state("networkidle")
    images = browser_page.locator("figure.perf-chart img")
    assert images.count() == 2
    for i in range(images.count()):
        img = images.nth(i)
        img.scroll_into_view_if_needed()
        browser_page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=img.element_handle()
        )
    assert browser_page.locator("#performance-metrics tbody tr").count() == 1
    if os.environ.get("SCREENSHOT_DIR"):
        browser_page.screenshot(
            path=f"{os.environ['SCREENSHOT_DIR']}/performance.png", full_page=True
        )
    csp_errors = [e for e in errors if "Content Security Policy" in e]
    browser_page.goto(f"{live_server.url}/")
    browser_page.wait_for_load_state("networkidle")
    baseline = [e for e in errors if "Content Security Policy" in e][len(csp_errors) :]
    # base.html's own violations (htmx's indicator style) show on every page; ours add none.
    assert {_hash(e) for e in csp_errors} <= {_hash(e) for e in baseline}
    browser_page.goto(f"{live_server.url}/library/")
    browser_page.wait_for_load_state("networkidle")
    chart = browser_page.locator("#metric-conversion_lift figure img")
    browser_page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=chart.element_handle()
    )
    assert "Checkout journey" in browser_page.locator("#metric-conversion_lift table").inner_text()
    if os.environ.get("SCREENSHOT_DIR"):
        browser_page.screenshot(path=f"{os.environ['SCREENSHOT_DIR']}/library.png", full_page=True)
