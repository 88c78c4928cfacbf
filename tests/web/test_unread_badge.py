"""The nav's unread badge: right count, one indexed query per page, same cost for 2 or 12 rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalogue.models import Notification
from tests.factories import ArtifactFactory

pytestmark = pytest.mark.django_db


def note(user, n: int, *, read=False):
    Notification.objects.bulk_create(
        Notification(
            recipient=user, kind="test", subject=f"s{i}", read_at=timezone.now() if read else None
        )
        for i in range(n)
    )


def badge(html: str) -> str | None:
    marker = 'id="nav-unread">'
    if marker not in html:
        return None
    return html.split(marker, 1)[1].split("<", 1)[0]


def test_badge_shows_the_unread_count_and_goes_when_read(client, alice, bob):
    note(alice, 3)
    note(alice, 2, read=True)
    note(bob, 4)
    client.force_login(alice)
    assert badge(client.get("/").content.decode()) == "3"
    client.post("/inbox/read-all/")
    assert badge(client.get("/").content.decode()) is None


def test_badge_caps_at_99_plus(client, alice):
    note(alice, 100)
    client.force_login(alice)
    assert badge(client.get("/artifacts/").content.decode()) == "99+"


def test_one_notification_query_per_page_whatever_the_rows(client, alice, retail):
    note(alice, 1)
    client.force_login(alice)
    client.get("/artifacts/")

    def run():
        with CaptureQueriesContext(connection) as ctx:
            html = client.get("/artifacts/").content.decode()
        inbox = [
            q["sql"] for q in ctx.captured_queries if 'FROM "catalogue_notification"' in q["sql"]
        ]
        return len(ctx.captured_queries), inbox, html

    ArtifactFactory.create_batch(2, owner_team=retail, published=True)
    few, inbox_few, html = run()
    assert len(inbox_few) == 1 and badge(html) == "1"
    # The count comes with the user's own query (auth_backends.with_roles), as a subquery.
    assert 'FROM "auth_user"' in inbox_few[0]
    subquery = inbox_few[0].split('FROM "catalogue_notification"', 1)[1].split("LIMIT 100", 1)[0]
    # (recipient, read_at) is the `inbox` index's prefix; no ORDER BY, so no sort under the LIMIT.
    assert '"read_at" IS NULL' in subquery and "ORDER BY" not in subquery
    ArtifactFactory.create_batch(10, owner_team=retail, published=True)
    many, inbox_many, _ = run()
    assert many == few and len(inbox_many) == 1
