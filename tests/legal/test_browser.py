"""The legal journey in a real browser: queue -> review -> approve; withdraw a consent -> impact."""

import pytest

from catalogue.models import ConsentRecord, Review
from catalogue.models import choices as c
from tests.factories import ReviewFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_legal_journey(browser_page, live_server, login, chain, legal1, alice):
    page = browser_page
    review = ReviewFactory(
        artifact=chain["artifact"],
        version=chain["version"],
        requested_by=alice,
        purposes=["product_design"],
    )
    login(page, legal1)

    page.goto(f"{live_server.url}/legal/")
    queue = page.locator("#review-queue")
    assert chain["artifact"].title in queue.inner_text()
    assert "customer_derived" in queue.inner_text()
    queue.get_by_role("link", name="Review").first.click()
    page.wait_for_load_state()
    assert f"/legal/reviews/{review.pk}/" in page.url
    assert chain["customer"].pseudonym in page.locator("#review-contributors").inner_text()
    assert "in force" in page.locator("#review-consents").inner_text()

    page.check("#decision-approve")
    page.fill("#id_rationale", "Consent and licence in order for product design.")
    page.click("#decision-form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#review-status").inner_text() == "Approved"
    assert Review.objects.get(pk=review.pk).status == c.ReviewStatus.APPROVED

    page.goto(f"{live_server.url}/legal/consents/{chain['consent'].pk}/")
    page.fill("#id_reason", "The customer withdrew consent by phone.")
    page.click("#withdraw-form button[type=submit]")
    page.wait_for_load_state()
    assert f"/legal/consents/{chain['consent'].pk}/impact/" in page.url
    assert "3 artifacts affected" in page.locator("#impact-summary").inner_text()
    table = page.locator("#impact-table").inner_text()
    assert "grandchild-journey" in table and "child-journey" in table
    assert ConsentRecord.objects.get(pk=chain["consent"].pk).status == c.ConsentStatus.WITHDRAWN
