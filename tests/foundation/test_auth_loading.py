"""A request's user arrives with their roles and team memberships in one query (auth_backends)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from catalogue.auth_backends import CatalogueModelBackend
from catalogue.models import Notification
from catalogue.models.choices import MembershipRole
from catalogue.permissions import is_contributor, is_legal, team_roles

pytestmark = pytest.mark.django_db


def test_session_user_comes_with_roles_memberships_and_unread_count(alice, retail):
    for i in range(3):
        Notification.objects.create(recipient=alice, kind="test", subject=f"n{i}")
    with CaptureQueriesContext(connection) as ctx:
        user = CatalogueModelBackend().get_user(alice.pk)
        assert is_contributor(user) and not is_legal(user)
        assert team_roles(user) == {retail.pk: MembershipRole.MAINTAINER}
    assert len(ctx.captured_queries) == 1
    assert user.loaded_unread == 3


def test_inactive_users_are_not_loaded(alice):
    alice.is_active = False
    alice.save()
    assert CatalogueModelBackend().get_user(alice.pk) is None


def test_token_request_authenticates_in_one_query(api_client_for, alice):
    client = api_client_for(alice)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/api/v1/artifacts/?page_size=1")
    assert response.status_code == 200
    sqls = [q["sql"] for q in ctx.captured_queries]
    assert len([s for s in sqls if 'FROM "authtoken_token"' in s]) == 1
    # No separate group or membership lookups: they came with the token.
    assert not [
        s for s in sqls if s.startswith(('SELECT "auth_group"', 'SELECT "catalogue_membership"'))
    ]


def test_bad_or_inactive_tokens_are_refused(api_client_for, alice, client):
    assert client.get("/api/v1/teams/", HTTP_AUTHORIZATION="Token nope").status_code == 401
    api = api_client_for(alice)
    alice.is_active = False
    alice.save()
    response = api.get("/api/v1/teams/")
    assert response.status_code == 401 and "inactive" in response.json()["detail"].lower()
    assert Token.objects.filter(user=alice).exists()


def test_nav_badge_uses_the_count_loaded_with_the_user(client, alice):
    Notification.objects.create(recipient=alice, kind="test", subject="hello")
    client.force_login(alice)
    with CaptureQueriesContext(connection) as ctx:
        html = client.get("/artifacts/").content.decode()
    assert 'id="nav-unread">1<' in html
    assert not [
        q
        for q in ctx.captured_queries
        if "catalogue_notification" in q["sql"] and "COUNT" in q["sql"]
    ]
