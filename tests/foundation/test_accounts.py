import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from catalogue.models import AuditEvent, Membership, Team

pytestmark = pytest.mark.django_db


def test_healthz_is_open_and_reports_database_and_broker(client):
    response = client.get("/healthz")
    body = response.json()
    assert body["database"]["ok"] is True
    assert "broker" in body
    assert response.status_code == (200 if body["broker"]["ok"] else 503)


def test_anonymous_web_requests_go_to_login(client):
    response = client.get(reverse("catalogue:home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_login_page_renders_with_csp_nonce(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp
    assert "object-src 'none'" in csp


def test_anonymous_api_gets_401(client):
    assert client.get("/api/v1/").status_code == 401


def test_token_endpoint_issues_a_working_token(client, alice):
    response = client.post(
        "/api/v1/auth/token/",
        {"username": "alice", "password": "pw-for-tests-1"},
        content_type="application/json",
    )
    assert response.status_code == 200
    token = response.json()["token"]
    assert client.get("/api/v1/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 200


def test_token_endpoint_refuses_bad_password(client, alice):
    response = client.post(
        "/api/v1/auth/token/",
        {"username": "alice", "password": "wrong"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "detail" in response.json()


def test_login_form_locks_out_after_repeated_failures(client, alice):
    for _ in range(5):
        client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "alice", "password": "pw-for-tests-1"})
    assert response.status_code in (403, 429)
    assert "locked" in response.content.decode().lower()


def test_passwords_are_hashed_with_argon2_in_production_settings():
    from config.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_seed_demo_is_idempotent_and_resets_passwords():
    call_command("seed_demo", "--password", "first-pass-1")
    call_command("seed_demo", "--password", "second-pass-2")
    user_model = get_user_model()
    assert set(user_model.objects.values_list("username", flat=True)) >= {
        "admin",
        "legal1",
        "legal2",
        "alice",
        "bob",
        "victor",
    }
    assert Team.objects.filter(slug__in=["retail", "cards"]).count() == 2
    alice = user_model.objects.get(username="alice")
    assert alice.check_password("second-pass-2")
    assert Membership.objects.get(user=alice).role == "maintainer"
    assert not Membership.objects.filter(user__username="victor").exists()
    assert user_model.objects.filter(username="alice").count() == 1


def test_seed_demo_writes_are_audited_as_command():
    call_command("seed_demo", "--password", "first-pass-1")
    event = AuditEvent.objects.filter(action="team.membership_set").first()
    assert event is not None
    assert event.origin["kind"] == "command"


def test_unknown_page_renders_readable_404(client, victor):
    client.force_login(victor)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"Not found" in response.content
