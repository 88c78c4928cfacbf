"""Web pages: the performance panel, charts as SVG images, outcome form, library, credit, value."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from catalogue import tasks
from catalogue.models import Outcome
from tests.factories import (
    ArtifactFactory,
    AuthorshipFactory,
    ContributorFactory,
    MetricFactory,
    OutcomeFactory,
    ReuseFactory,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()


@pytest.fixture
def lift():
    return MetricFactory(code="conversion_lift", min_value=-100, max_value=100)


def _reused(artifact, metric, values, team=None):
    reuse = ReuseFactory(artifact=artifact, **({"team": team} if team else {}))
    tasks.rollup_reuse(reuse.pk)
    for i, v in enumerate(values):
        end = TODAY - dt.timedelta(days=30 * i)
        tasks.rollup_outcome(
            OutcomeFactory(reuse=reuse, metric=metric, value=v, period_start=end, period_end=end).pk
        )
    return reuse


def test_artifact_page_shows_performance_panel_with_table_and_chart_images(client, victor, lift):
    artifact = ArtifactFactory(published=True)
    _reused(artifact, lift, [1.0, 2.0, 3.5, 2.5])
    client.force_login(victor)
    html = client.get(reverse("catalogue:artifact_detail", args=[artifact.slug])).content.decode()
    assert 'id="panel-performance"' in html
    assert 'id="performance-metrics"' in html and "bootstrap" in html
    chart_url = reverse("catalogue:performance_chart", args=[artifact.slug, "conversion_lift"])
    assert f'src="{chart_url}"' in html
    assert reverse("catalogue:adoption_chart", args=[artifact.slug]) in html
    assert " style=" not in html.split('id="panel-performance"')[1].split("</section>")[0]


def test_chart_views_serve_accessible_svg_without_scripts(client, victor, lift):
    artifact = ArtifactFactory(published=True, title="Lift engine")
    _reused(artifact, lift, [1.0, 2.0, 3.5, 2.5])
    client.force_login(victor)
    for url in (
        reverse("catalogue:performance_chart", args=[artifact.slug, "conversion_lift"]),
        reverse("catalogue:adoption_chart", args=[artifact.slug]),
        reverse("catalogue:library_chart", args=["conversion_lift"]),
    ):
        res = client.get(url)
        assert res.status_code == 200 and res["Content-Type"].startswith("image/svg+xml")
        svg = res.content.decode()
        assert re.search(r"<title[^>]*>[^<]+</title>", svg) and "<desc" in svg
        assert "<script" not in svg.lower() and "onload" not in svg.lower()
        assert "default-src 'none'" in res["Content-Security-Policy"]
    svg = client.get(
        reverse("catalogue:performance_chart", args=[artifact.slug, "conversion_lift"])
    ).content.decode()
    assert "Conversion lift of Lift engine" in svg and "n = 4" in svg


def test_restricted_artifact_performance_and_charts_are_404(client, alice, cards, lift):
    secret = ArtifactFactory(published=True, restricted=True, owner_team=cards)
    _reused(secret, lift, [1.0, 2.0])
    client.force_login(alice)
    for url in (
        reverse("catalogue:artifact_performance", args=[secret.slug]),
        reverse("catalogue:performance_chart", args=[secret.slug, "conversion_lift"]),
        reverse("catalogue:adoption_chart", args=[secret.slug]),
    ):
        assert client.get(url).status_code == 404
    library = client.get(reverse("catalogue:library")).content.decode()
    assert secret.title not in library


def test_outcome_form_records_and_shows_field_errors(client, alice, bob, retail, lift):
    reuse = ReuseFactory(team=retail)
    url = reverse("catalogue:outcome_create", args=[reuse.pk])
    client.force_login(bob)
    assert client.get(url).status_code == 403
    client.force_login(alice)
    assert client.get(url).status_code == 200
    data = {
        "metric": "conversion_lift",
        "value": "250",
        "period_start": str(TODAY),
        "period_end": str(TODAY - dt.timedelta(days=3)),
    }
    res = client.post(url, data)
    assert res.status_code == 200
    html = res.content.decode()
    assert "plausible maximum" in html and "cannot end before it starts" in html
    assert not Outcome.objects.exists()
    res = client.post(url, data | {"value": "2.5", "period_end": str(TODAY), "sample_size": "300"})
    assert res.status_code == 302 and res["Location"] == reverse(
        "catalogue:artifact_performance", args=[reuse.artifact.slug]
    )
    assert Outcome.objects.get().value == 2.5


def test_outcome_form_for_invisible_reuse_is_404(client, alice, cards):
    hidden = ReuseFactory(
        team=cards, artifact=ArtifactFactory(published=True, restricted=True, owner_team=cards)
    )
    client.force_login(alice)
    assert client.get(reverse("catalogue:outcome_create", args=[hidden.pk])).status_code == 404


def test_library_page_filters_and_charts(client, victor, lift, retail):
    good = ArtifactFactory(
        published=True, title="Good journey", kind="customer_journey", owner_team=retail
    )
    meh = ArtifactFactory(published=True, title="Meh prompt")
    _reused(good, lift, [5.0, 5.5, 4.5])
    _reused(meh, lift, [1.0, 1.5, 0.5])
    client.force_login(victor)
    html = client.get(reverse("catalogue:library")).content.decode()
    assert html.index("Good journey") < html.index("Meh prompt") or "customer_journey" in html
    assert reverse("catalogue:library_chart", args=["conversion_lift"]) in html
    filtered = client.get(
        reverse("catalogue:library"), {"kind": "customer_journey"}
    ).content.decode()
    assert "Good journey" in filtered and "Meh prompt" not in filtered
    assert "conversion_lift.svg?kind=customer_journey" in filtered
    bad = client.get(reverse("catalogue:library"), {"kind": "rocket"})
    assert bad.status_code == 200 and 'id="library-errors"' in bad.content.decode()


def test_library_page_query_count_is_constant(client, victor, lift, count_queries):
    client.force_login(victor)
    for _ in range(2):
        _reused(ArtifactFactory(published=True), lift, [1.0, 2.0])
    url = reverse("catalogue:library")
    client.get(url)
    few = count_queries(lambda: client.get(url))
    for _ in range(10):
        _reused(ArtifactFactory(published=True), lift, [1.0, 3.0])
    assert count_queries(lambda: client.get(url)) == few


def test_credit_and_value_pages(client, victor, retail):
    saved = MetricFactory(code="cost_saved", name="Cost saved", unit="GBP")
    author = ContributorFactory()
    artifact = ArtifactFactory(published=True, owner_team=retail, title="Savings kit")
    AuthorshipFactory(artifact=artifact, contributor=author, credit_share=1)
    _reused(artifact, saved, [1000.0, 2000.0, 1500.0], team=retail)
    client.force_login(victor)
    html = client.get(reverse("catalogue:contributor_credit", args=[author.pk])).content.decode()
    assert 'id="credit-total">1.00' in html and "Savings kit" in html
    assert author.legal_name not in html  # pseudonyms only
    html = client.get(reverse("catalogue:team_credit", args=["retail"])).content.decode()
    assert 'id="credit-total">1.00' in html
    html = client.get(reverse("catalogue:value_summary")).content.decode()
    assert 'id="value-by-team"' in html and "4,500 GBP" in html
    assert client.get(reverse("catalogue:team_credit", args=["nope"])).status_code == 404


def test_anonymous_users_are_sent_to_login(client):
    res = client.get(reverse("catalogue:library"))
    assert res.status_code == 302 and "/accounts/login/" in res["Location"]


def test_panel_offers_outcome_links_only_for_the_reusing_team(
    client, alice, bob, victor, retail, lift
):
    artifact = ArtifactFactory(published=True)
    reuse = _reused(artifact, lift, [1.0], team=retail)
    url = reverse("catalogue:artifact_detail", args=[artifact.slug])
    link = reverse("catalogue:outcome_create", args=[reuse.pk])
    client.force_login(alice)
    assert link in client.get(url).content.decode()
    for other in (bob, victor):
        client.force_login(other)
        assert link not in client.get(url).content.decode()
