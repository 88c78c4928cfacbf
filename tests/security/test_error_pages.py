"""Browsers get readable HTML error pages; the API always answers errors in JSON."""

import pytest
from django.test import override_settings
from django.urls import path

from catalogue.views import home

pytestmark = pytest.mark.django_db


def _boom(request):
    raise RuntimeError("boom")


urlpatterns = [path("boom/", _boom), path("api/v1/boom/", _boom)]
handler404 = "catalogue.views.home.error_404"
handler500 = "catalogue.views.home.error_500"


@pytest.mark.parametrize(
    "path", ["/api/v1/nonexistent/", "/api/v1/artifacts/x/nonexistent/", "/api/nowhere"]
)
def test_unknown_api_paths_answer_json_404(api_client_for, victor, path):
    response = api_client_for(victor).get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "Not found."}


def test_unknown_web_paths_answer_the_html_404_page(client, victor):
    client.force_login(victor)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "Not found" in html and "<nav" in html  # the site's own page, with its navigation


def test_forbidden_web_page_is_the_html_403_page(client, victor):
    client.force_login(victor)
    response = client.get("/legal/")
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")
    assert "<html" in response.content.decode()


def test_forbidden_api_call_is_json(api_client_for, victor):
    response = api_client_for(victor).get("/api/v1/consents/")
    assert response.status_code == 403 and "detail" in response.json()


@override_settings(ROOT_URLCONF=__name__)
def test_server_errors_are_html_for_browsers_and_json_for_the_api(client, victor):
    client.raise_request_exception = False
    client.force_login(victor)
    page = client.get("/boom/")
    assert page.status_code == 500 and page["Content-Type"].startswith("text/html")
    assert "Server error" in page.content.decode() or "went wrong" in page.content.decode()
    api = client.get("/api/v1/boom/")
    assert api.status_code == 500 and api.json() == {"detail": "Server error."}


def test_500_page_survives_a_broken_template_context(rf, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(home, "render", broken)
    response = home.error_500(rf.get("/artifacts/"))
    assert response.status_code == 500 and b"Server error" in response.content
