"""Shared fixtures: the demo roles as users, API clients with tokens, query counting."""

import os
import shutil
from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from catalogue.models import choices as c

from .factories import MembershipFactory, TeamFactory, UserFactory


@pytest.fixture(scope="session", autouse=True)
def _flush_past_append_only_triggers():
    """Transactional tests end with TRUNCATE, which the audit tables refuse by design.

    Only the test runner's flush is let through (as the superuser test role, in its own
    transaction); application code and every other connection still meet the triggers.
    """
    import pgtrigger
    from django.db.backends.base.operations import BaseDatabaseOperations

    original = BaseDatabaseOperations.execute_sql_flush

    from django.apps import apps

    # Every TRUNCATE-refusing trigger of the app: AuditEvent, AuditSeal, each pghistory event
    # table and the pghistory context proxy.
    no_truncate = [
        f"{model._meta.label}:{trigger.name}"
        for model in apps.get_app_config("catalogue").get_models()
        for trigger in getattr(model._meta, "triggers", [])
        if trigger.name == "no_truncate"
    ]

    def execute_sql_flush(self, sql_list):
        # The plain guard triggers (migration 0005) honour no setting but the superuser-only
        # session_replication_role; SET LOCAL ends with the flush's own transaction.
        with pgtrigger.ignore(*no_truncate):
            return original(self, ["SET LOCAL session_replication_role = replica", *sql_list])

    BaseDatabaseOperations.execute_sql_flush = execute_sql_flush
    yield
    BaseDatabaseOperations.execute_sql_flush = original


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Caches hold throttle counters (the token endpoint is rate-limited): none outlives a test."""
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()
    yield
    for cache in caches.all():
        cache.clear()


@pytest.fixture
def retail(db):
    return TeamFactory(slug="retail", name="Retail Banking")


@pytest.fixture
def cards(db):
    return TeamFactory(slug="cards", name="Cards & Payments")


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", roles=[c.Role.ADMIN])


@pytest.fixture
def legal1(db):
    return UserFactory(username="legal1", roles=[c.Role.LEGAL, c.Role.VIEWER])


@pytest.fixture
def legal2(db):
    return UserFactory(username="legal2", roles=[c.Role.LEGAL, c.Role.VIEWER])


@pytest.fixture
def alice(retail):
    """Contributor and maintainer in retail."""
    user = UserFactory(username="alice", roles=[c.Role.CONTRIBUTOR, c.Role.VIEWER])
    MembershipFactory(team=retail, user=user, role=c.MembershipRole.MAINTAINER)
    return user


@pytest.fixture
def carol(retail):
    """Contributor and plain member (not maintainer) in retail."""
    user = UserFactory(username="carol", roles=[c.Role.CONTRIBUTOR, c.Role.VIEWER])
    MembershipFactory(team=retail, user=user, role=c.MembershipRole.MEMBER)
    return user


@pytest.fixture
def bob(cards):
    """Contributor and maintainer in cards."""
    user = UserFactory(username="bob", roles=[c.Role.CONTRIBUTOR, c.Role.VIEWER])
    MembershipFactory(team=cards, user=user, role=c.MembershipRole.MAINTAINER)
    return user


@pytest.fixture
def victor(db):
    """Viewer in no team."""
    return UserFactory(username="victor", roles=[c.Role.VIEWER])


@pytest.fixture
def api_client_for() -> Callable[..., APIClient]:
    """api_client_for(user) -> an APIClient authenticated with the user's token."""

    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture
def count_queries():
    """count_queries(fn) -> number of SQL queries fn() ran."""

    def run(fn) -> int:
        with CaptureQueriesContext(connection) as ctx:
            fn()
        return len(ctx.captured_queries)

    return run


@pytest.fixture
def private_queue():
    """private_queue(*task_names) -> a queue of this test's own that those tasks are routed to,
    so a backlog left on a shared broker by other runs cannot delay a real-worker test."""
    import uuid

    from config.celery import app

    previous = app.conf.task_routes

    def use(routes):
        app.conf.task_routes = routes
        app.amqp.flush_routes()  # the router is built once and cached: rebuild it
        app.amqp.__dict__.pop("router", None)

    def route(*task_names: str) -> str:
        name = f"test-{uuid.uuid4().hex[:10]}"
        use({task: {"queue": name} for task in task_names})
        return name

    yield route
    use(previous)


def chromium_path() -> str | None:
    return (
        os.environ.get("CHROMIUM_PATH")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )


@pytest.fixture
def browser_page(live_server, monkeypatch):
    """A Playwright page in Debian's Chromium; skips (saying so) when Chromium is not installed."""
    executable = chromium_path()
    if executable is None:
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail("REQUIRE_BROWSER is set but Debian's chromium is not installed")
        pytest.skip("Debian's chromium is not installed on this machine (CI installs it)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls in the test are safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=executable,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        page = browser.new_page()
        page.set_default_timeout(15000)
        yield page
        browser.close()


@pytest.fixture
def login(live_server):
    """login(page, user, password='pw-for-tests-1') through the real login form."""

    def do(page, user, password="pw-for-tests-1"):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_load_state()

    return do
