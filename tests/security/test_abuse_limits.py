"""Finding 23.6: brute-force lockout per username + IP, and rate limits with 429 + Retry-After."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import override_settings
from rest_framework.test import APIClient

from tests.factories import ArtifactFactory

pytestmark = pytest.mark.django_db

LIMIT = settings.AXES_FAILURE_LIMIT
PASSWORD = "pw-for-tests-1"
OFFICE = "203.0.113.7"  # TEST-NET-3: only a REMOTE_ADDR value here, never a destination


def _web_login(client, username, password, ip=OFFICE):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def _token(username, password, ip=OFFICE):
    return APIClient().post(
        "/api/v1/auth/token/",
        {"username": username, "password": password},
        format="json",
        REMOTE_ADDR=ip,
    )


def test_web_lockout_is_per_username_and_ip(client, alice, bob):
    for _ in range(LIMIT - 1):
        assert (
            _web_login(client, "alice", "wrong").status_code == 200
        )  # the form again, with an error
    locked = _web_login(client, "alice", "wrong")
    assert locked.status_code == 429 and int(locked["Retry-After"]) > 0
    assert "locked" in locked.content.decode().lower()
    # alice's right password from that IP is refused too: the lockout holds ...
    assert _web_login(client, "alice", PASSWORD).status_code == 429
    # ... but a colleague behind the same office IP still logs in,
    assert _web_login(client, "bob", PASSWORD).status_code == 302
    # and alice herself from another address.
    assert _web_login(client, "alice", PASSWORD, ip="198.51.100.9").status_code == 302


def test_the_token_endpoint_answers_429_with_retry_after_once_locked(alice, bob):
    for _ in range(LIMIT - 1):
        response = _token("alice", "wrong")
        assert response.status_code == 400
    for password in ("wrong", PASSWORD):
        locked = _token("alice", password)
        assert locked.status_code == 429, locked.content
        assert locked["Content-Type"].startswith("application/json")
        assert int(locked["Retry-After"]) > 0
        assert "locked" in locked.json()["detail"].lower()
        assert "token" not in locked.json()
    assert "token" in _token("bob", PASSWORD).json()
    assert "token" in _token("alice", PASSWORD, ip="198.51.100.9").json()


RATES = {
    "writes_user": "3/min",
    "writes_ip": "5/min",
    "search_user": "2/min",
    "search_ip": "3/min",
    "exports_user": "1/min",
    "exports_ip": "2/min",
}


def _assert_throttled(response):
    assert response.status_code == 429, response.content[:200]
    assert int(response["Retry-After"]) > 0
    assert response["Content-Type"].startswith("application/json")
    assert (
        "throttled" in response.json()["detail"].lower()
        or "request was" in response.json()["detail"].lower()
    )


@override_settings(API_THROTTLE_RATES=RATES)
def test_writes_are_throttled_per_user(api_client_for, alice, carol):
    artifact = ArtifactFactory(owner_team=alice.memberships.get().team)
    client = api_client_for(alice)
    url = f"/api/v1/artifacts/{artifact.slug}/"
    for n in range(3):
        assert client.patch(url, {"summary": f"edit {n}"}, format="json").status_code == 200
    _assert_throttled(client.patch(url, {"summary": "one too many"}, format="json"))
    # Reads are not writes; another user has their own allowance (within the IP's).
    assert client.get(url).status_code == 200
    assert api_client_for(carol).patch(url, {"summary": "carol"}, format="json").status_code == 200


@override_settings(API_THROTTLE_RATES={**RATES, "writes_user": "10/min"})
def test_writes_are_throttled_per_ip_across_users(api_client_for, alice, carol):
    artifact = ArtifactFactory(owner_team=alice.memberships.get().team)
    url = f"/api/v1/artifacts/{artifact.slug}/"
    for n, user in enumerate((alice, alice, alice, carol, carol)):
        assert (
            api_client_for(user).patch(url, {"summary": f"e{n}"}, format="json").status_code == 200
        )
    _assert_throttled(
        api_client_for(carol).patch(url, {"summary": "sixth from this IP"}, format="json")
    )
    elsewhere = api_client_for(carol).patch(
        url, {"summary": "other office"}, format="json", REMOTE_ADDR="198.51.100.9"
    )
    assert elsewhere.status_code == 200


@override_settings(API_THROTTLE_RATES=RATES)
def test_search_is_throttled(api_client_for, victor):
    client = api_client_for(victor)
    for _ in range(2):
        assert client.get("/api/v1/artifacts/", {"q": "mortgage"}).status_code == 200
    _assert_throttled(client.get("/api/v1/artifacts/", {"q": "mortgage"}))
    assert client.get("/api/v1/artifacts/").status_code == 200  # a plain list is not a search


@override_settings(API_THROTTLE_RATES=RATES)
def test_exports_are_throttled(api_client_for, victor):
    client = api_client_for(victor)
    assert client.get("/api/v1/artifacts/export/", {"format": "json"}).status_code == 200
    _assert_throttled(client.get("/api/v1/artifacts/export/", {"format": "json"}))


def test_the_default_rates_let_ordinary_use_through(api_client_for, victor):
    client = api_client_for(victor)
    for _ in range(20):
        assert client.get("/api/v1/artifacts/", {"q": "x"}).status_code == 200


def test_throttle_counters_live_in_the_configured_cache():
    from django.core.cache import caches

    from catalogue.api.throttles import THROTTLE_CACHE

    assert THROTTLE_CACHE in settings.CACHES
    assert caches[THROTTLE_CACHE] is not None


def test_the_cache_is_redis_when_a_url_is_given_and_per_process_otherwise(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from config.settings.base import caches_from_env

    monkeypatch.delenv("CACHE_URL", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    assert caches_from_env()["default"]["BACKEND"].endswith("LocMemCache")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/3")
    assert caches_from_env()["default"] == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/3",
        "KEY_PREFIX": "catalogue",
        "TIMEOUT": 300,
    }
    monkeypatch.setenv("CACHE_URL", "memcached://x")
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL"):
        caches_from_env()


def test_a_forged_forwarded_for_header_does_not_change_the_client_address(client, alice):
    for n in range(LIMIT):
        client.post(
            "/accounts/login/",
            {"username": "alice", "password": "wrong"},
            REMOTE_ADDR=OFFICE,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )
    assert _web_login(client, "alice", PASSWORD).status_code == 429
