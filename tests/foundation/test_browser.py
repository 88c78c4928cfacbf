import pytest

from catalogue.models import choices as c
from tests.factories import UserFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_user_logs_in_and_sees_home(browser_page, live_server, login):
    user = UserFactory(username="walter", roles=[c.Role.VIEWER])
    login(browser_page, user)
    assert browser_page.locator("h1").inner_text() == "Welcome, walter"
    assert "/accounts/login" not in browser_page.url
