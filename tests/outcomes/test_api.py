"""metrics/, outcomes/ (+ CSV export), artifacts/{slug}/performance/, library/, value/: per role."""

import csv
import datetime as dt
import io

import pytest

from catalogue import tasks
from catalogue.models import Metric, Outcome
from catalogue.selectors.library import LibraryFilters, library_ranking
from tests.factories import ArtifactFactory, MetricFactory, OutcomeFactory, ReuseFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()


@pytest.fixture
def lift():
    return MetricFactory(code="conversion_lift", min_value=-100, max_value=100)


@pytest.fixture
def ttm():
    return MetricFactory(
        code="time_to_market", name="Time to market", unit="days", direction="lower_is_better"
    )


def _outcomes(artifact, metric, values, team=None, period_end=None):
    reuse = ReuseFactory(artifact=artifact, **({"team": team} if team else {}))
    tasks.rollup_reuse(reuse.pk)
    for v in values:
        kw = {"period_end": period_end, "period_start": period_end} if period_end else {}
        tasks.rollup_outcome(OutcomeFactory(reuse=reuse, metric=metric, value=v, **kw).pk)
    return reuse


# --- metrics ------------------------------------------------------------------------------


def test_metrics_read_by_all_written_by_admins(api_client_for, victor, alice, admin_user, lift):
    assert api_client_for().get("/api/v1/metrics/").status_code == 401
    res = api_client_for(victor).get("/api/v1/metrics/")
    codes = [m["code"] for m in res.json()]
    assert res.status_code == 200 and "conversion_lift" in codes and codes == sorted(codes)
    body = {"code": "churn", "name": "Churn", "unit": "pp", "direction": "lower_is_better"}
    assert api_client_for(alice).post("/api/v1/metrics/", body).status_code == 403
    assert api_client_for(alice).post("/api/v1/metrics/", {}).status_code == 403  # 403 before 400
    assert api_client_for(admin_user).post("/api/v1/metrics/", body).status_code == 201
    bad = api_client_for(admin_user).post(
        "/api/v1/metrics/", body | {"code": "x", "min_value": 5, "max_value": 1}
    )
    assert bad.status_code == 400 and "max_value" in bad.json()
    res = api_client_for(admin_user).patch(
        "/api/v1/metrics/churn/", {"name": "Customer churn", "code": "zzz"}
    )
    assert res.status_code == 200 and res.json()["code"] == "churn"
    assert Metric.objects.get(code="churn").name == "Customer churn"
    assert api_client_for(alice).patch("/api/v1/metrics/churn/", {"name": "x"}).status_code == 403


# --- outcomes -----------------------------------------------------------------------------


def test_post_outcome_per_role(api_client_for, retail, alice, bob, victor, lift):
    reuse = ReuseFactory(team=retail)
    body = {
        "reuse": reuse.pk,
        "metric": "conversion_lift",
        "value": 1.8,
        "sample_size": 5000,
        "period_start": str(TODAY - dt.timedelta(days=28)),
        "period_end": str(TODAY),
        "baseline": 4.2,
    }
    assert api_client_for().post("/api/v1/outcomes/", body).status_code == 401
    assert api_client_for(victor).post("/api/v1/outcomes/", body).status_code == 403
    assert api_client_for(bob).post("/api/v1/outcomes/", body).status_code == 403
    res = api_client_for(alice).post("/api/v1/outcomes/", body)
    assert res.status_code == 201, res.json()
    assert (
        res.json()["artifact"] == reuse.artifact.slug and res.json()["metric"] == "conversion_lift"
    )
    bad = api_client_for(alice).post(
        "/api/v1/outcomes/", body | {"value": 400, "period_end": str(TODAY - dt.timedelta(days=40))}
    )
    assert bad.status_code == 400 and {"value", "period_end"} <= set(bad.json())
    assert (
        api_client_for(alice).post("/api/v1/outcomes/", body | {"metric": "nope"}).status_code
        == 400
    )
    assert Outcome.objects.count() == 1


def test_outcomes_of_invisible_artifacts_never_show(
    api_client_for, retail, cards, alice, bob, lift
):
    hidden = ReuseFactory(
        team=cards, artifact=ArtifactFactory(published=True, restricted=True, owner_team=cards)
    )
    shown = OutcomeFactory(reuse=ReuseFactory(team=retail), metric=lift)
    OutcomeFactory(reuse=hidden, metric=lift)
    res = api_client_for(alice).get("/api/v1/outcomes/")
    assert [o["id"] for o in res.json()["results"]] == [shown.pk]
    assert len(api_client_for(bob).get("/api/v1/outcomes/").json()["results"]) == 2
    # Posting against a reuse you cannot see looks like a missing one.
    body = {
        "reuse": hidden.pk,
        "metric": "conversion_lift",
        "value": 1,
        "period_start": str(TODAY),
        "period_end": str(TODAY),
    }
    res = api_client_for(alice).post("/api/v1/outcomes/", body)
    assert res.status_code == 400 and "reuse" in res.json()
    csv_text = b"".join(
        api_client_for(alice).get("/api/v1/outcomes/export.csv").streaming_content
    ).decode()
    assert hidden.artifact.slug not in csv_text and shown.reuse.artifact.slug in csv_text


def test_outcome_list_query_count_is_constant(api_client_for, victor, lift, count_queries):
    client = api_client_for(victor)
    for _ in range(2):
        OutcomeFactory(metric=lift)
    few = count_queries(lambda: client.get("/api/v1/outcomes/"))
    for _ in range(10):
        OutcomeFactory(metric=lift)
    assert count_queries(lambda: client.get("/api/v1/outcomes/")) == few


def test_csv_export_neutralises_formulas_and_keeps_numbers(api_client_for, victor, lift):
    reuse = ReuseFactory(initiative='=HYPERLINK("http://evil")')
    OutcomeFactory(reuse=reuse, metric=lift, value=-3.5, note="@SUM(A1:A9)", sample_size=40)
    OutcomeFactory(reuse=reuse, metric=lift, value=2, note="+cmd|' /C calc'!A0")
    OutcomeFactory(reuse=reuse, metric=lift, value=1, note="-1+1\tx")
    OutcomeFactory(reuse=reuse, metric=lift, value=1, note="\tTabbed")
    res = api_client_for(victor).get("/api/v1/outcomes/export.csv", {"metric": "conversion_lift"})
    assert res.status_code == 200 and res["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(res.streaming_content).decode())))
    assert len(rows) == 4
    assert {r["initiative"] for r in rows} == {'\'=HYPERLINK("http://evil")'}
    notes = {r["note"] for r in rows}
    assert notes == {"'@SUM(A1:A9)", "'+cmd|' /C calc'!A0", "'-1+1\tx", "'\tTabbed"}
    assert "-3.5" in {r["value"] for r in rows}  # a negative number is a number, not a formula
    assert api_client_for().get("/api/v1/outcomes/export.csv").status_code == 401


# --- performance --------------------------------------------------------------------------


def test_performance_reads_rollups(api_client_for, victor, lift, ttm):
    artifact = ArtifactFactory(published=True)
    _outcomes(artifact, lift, [1.0, 2.0, 3.0, 4.0])
    _outcomes(artifact, ttm, [30.0] * 3)
    res = api_client_for(victor).get(f"/api/v1/artifacts/{artifact.slug}/performance/")
    assert res.status_code == 200
    data = res.json()
    assert (data["reuse_count"], data["team_count"]) == (2, 2)
    by = {m["metric"]: m for m in data["metrics"]}
    assert by["conversion_lift"]["n"] == 4 and by["conversion_lift"]["mean"] == pytest.approx(2.5)
    assert by["conversion_lift"]["method"] == "bootstrap"
    assert by["conversion_lift"]["ci_low"] < 2.5 < by["conversion_lift"]["ci_high"]
    assert (
        by["time_to_market"]["direction"] == "lower_is_better"
        and by["time_to_market"]["unit"] == "days"
    )
    assert sum(a["reuses"] for a in data["adoption"]) == 2


def test_performance_of_restricted_artifact_is_404_for_outsiders(
    api_client_for, cards, alice, bob, legal1
):
    artifact = ArtifactFactory(published=True, restricted=True, owner_team=cards)
    url = f"/api/v1/artifacts/{artifact.slug}/performance/"
    assert api_client_for(alice).get(url).status_code == 404
    assert api_client_for(bob).get(url).status_code == 200
    assert api_client_for(legal1).get(url).status_code == 200
    assert api_client_for(alice).get("/api/v1/artifacts/nope/performance/").status_code == 404


def test_performance_query_count_is_constant(api_client_for, victor, lift, ttm, count_queries):
    artifact = ArtifactFactory(published=True)
    client = api_client_for(victor)
    url = f"/api/v1/artifacts/{artifact.slug}/performance/"
    for _ in range(2):
        _outcomes(artifact, lift, [1.0, 2.0])
    few = count_queries(lambda: client.get(url))
    for i in range(10):
        _outcomes(artifact, ttm if i % 2 else lift, [3.0, 5.0])
    assert count_queries(lambda: client.get(url)) == few


# --- library ------------------------------------------------------------------------------


def test_library_ranks_by_conservative_bound_and_respects_direction(
    api_client_for, victor, lift, ttm
):
    tight = ArtifactFactory(slug="tight", published=True)
    wide = ArtifactFactory(slug="wide", published=True)
    fast = ArtifactFactory(slug="fast", published=True)
    slow = ArtifactFactory(slug="slow", published=True)
    _outcomes(tight, lift, [5.0, 5.2, 4.8, 5.1, 4.9, 5.0])
    _outcomes(wide, lift, [-6.0, 20.0, 1.0, 15.0, -2.0, 12.0])  # higher mean, lower bound worse
    _outcomes(fast, ttm, [10.0, 11.0, 9.0, 10.0])
    _outcomes(slow, ttm, [40.0, 42.0, 38.0, 41.0])
    res = api_client_for(victor).get("/api/v1/library/")
    assert res.status_code == 200
    rows = res.json()["results"]
    lift_rows = [r for r in rows if r["metric"] == "conversion_lift"]
    assert [r["artifact"] for r in lift_rows] == ["tight", "wide"]
    assert lift_rows[1]["mean"] > lift_rows[0]["mean"]
    assert lift_rows[0]["conservative"] == lift_rows[0]["ci_low"]
    ttm_rows = [r for r in rows if r["metric"] == "time_to_market"]
    assert [r["artifact"] for r in ttm_rows] == ["fast", "slow"]
    assert ttm_rows[0]["conservative"] == ttm_rows[0]["ci_high"]
    assert [r["rank"] for r in ttm_rows] == [1, 2]
    only = (
        api_client_for(victor)
        .get("/api/v1/library/", {"metric": "time_to_market", "top": 1})
        .json()["results"]
    )
    assert [r["artifact"] for r in only] == ["fast"]


def test_library_filters_kind_team_and_visibility(api_client_for, retail, cards, alice, bob, lift):
    a = ArtifactFactory(
        slug="a-journey", kind="customer_journey", owner_team=retail, published=True
    )
    b = ArtifactFactory(slug="b-prompt", kind="prompt_template", owner_team=cards, published=True)
    secret = ArtifactFactory(slug="secret", owner_team=cards, published=True, restricted=True)
    for art in (a, b, secret):
        _outcomes(art, lift, [1.0, 2.0, 3.0])
    client = api_client_for(alice)

    def slugs(params):
        return [r["artifact"] for r in client.get("/api/v1/library/", params).json()["results"]]  # noqa: E731

    assert sorted(slugs({})) == ["a-journey", "b-prompt"]
    assert slugs({"kind": "customer_journey"}) == ["a-journey"]
    assert slugs({"team": "cards"}) == ["b-prompt"]
    assert "secret" in [
        r["artifact"] for r in api_client_for(bob).get("/api/v1/library/").json()["results"]
    ]
    assert client.get("/api/v1/library/", {"kind": "spaceship"}).status_code == 400
    assert client.get("/api/v1/library/", {"top": 500}).status_code == 400


def test_library_period_ranking_uses_only_outcomes_in_the_period(api_client_for, victor, lift):
    old_star = ArtifactFactory(slug="old-star", published=True)
    new_star = ArtifactFactory(slug="new-star", published=True)
    long_ago = TODAY - dt.timedelta(days=400)
    _outcomes(old_star, lift, [9.0, 9.5, 8.5, 9.0, 9.2, 8.8], period_end=long_ago)
    _outcomes(old_star, lift, [0.1, 0.3], period_end=TODAY)
    _outcomes(new_star, lift, [3.0, 3.2, 2.8], period_end=TODAY)
    client = api_client_for(victor)
    overall = [r["artifact"] for r in client.get("/api/v1/library/").json()["results"]]
    assert overall[0] == "old-star"
    recent = client.get("/api/v1/library/", {"from": str(TODAY - dt.timedelta(days=30))}).json()[
        "results"
    ]
    assert [r["artifact"] for r in recent] == ["new-star", "old-star"]
    assert recent[1]["n"] == 2 and recent[1]["mean"] == pytest.approx(0.2)
    # The period path computes intervals the same way as the rollups.
    everything = library_ranking(victor, LibraryFilters(period_from=long_ago))
    rolled = library_ranking(victor, LibraryFilters())

    def key(e):
        return (
            e.artifact_slug,
            e.n,
            round(e.mean, 9),
            round(e.ci_low, 9),
            round(e.ci_high, 9),
        )  # noqa: E731

    assert sorted(map(key, everything)) == sorted(map(key, rolled))
    bad = client.get(
        "/api/v1/library/", {"from": str(TODAY), "to": str(TODAY - dt.timedelta(days=1))}
    )
    assert bad.status_code == 400


@pytest.mark.parametrize("params", [{}, {"from": "2000-01-01"}])
def test_library_query_count_is_constant(api_client_for, victor, lift, ttm, count_queries, params):
    client = api_client_for(victor)
    for _ in range(2):
        _outcomes(ArtifactFactory(published=True), lift, [1.0, 2.0, 4.0])
    few = count_queries(lambda: client.get("/api/v1/library/", params))
    for i in range(10):
        _outcomes(
            ArtifactFactory(published=True, kind="dataset"), ttm if i % 2 else lift, [1.0, 3.0]
        )
    res = None

    def call():
        nonlocal res
        res = client.get("/api/v1/library/", params)

    assert count_queries(call) == few
    assert len(res.json()["results"]) == 12


# --- value --------------------------------------------------------------------------------


def test_value_summary_per_team_and_kind(api_client_for, victor, retail, cards):
    saved = MetricFactory(code="cost_saved", name="Cost saved", unit="GBP")
    hours = MetricFactory(code="hours_saved", name="Hours saved", unit="hours")
    a = ArtifactFactory(published=True, kind="dataset")
    b = ArtifactFactory(published=True, kind="dataset")
    _outcomes(a, saved, [1000.0, 3000.0], team=retail)
    _outcomes(b, saved, [2000.0], team=retail)
    _outcomes(b, hours, [10.0, 20.0, 30.0], team=cards)
    res = api_client_for(victor).get("/api/v1/value/")
    assert res.status_code == 200
    teams = {r["key"]: r for r in res.json()["by_team"]}
    assert (teams["retail"]["reuses"], teams["retail"]["ideas"]) == (2, 2)
    cost = {s["metric"]: s for s in teams["retail"]["savings"]}["cost_saved"]
    assert cost["n"] == 3 and cost["total"] == pytest.approx(6000.0)
    assert cost["per_idea"] == pytest.approx(3000.0)
    assert cost["total_low"] < 6000 < cost["total_high"]
    kinds = {r["key"]: r for r in res.json()["by_kind"]}
    assert kinds["dataset"]["reuses"] == 3
    assert {s["metric"] for s in kinds["dataset"]["savings"]} == {"cost_saved", "hours_saved"}


def test_value_query_count_is_constant(api_client_for, victor, count_queries):
    saved = MetricFactory(code="cost_saved", name="Cost saved", unit="GBP")
    client = api_client_for(victor)
    for _ in range(2):
        _outcomes(ArtifactFactory(published=True), saved, [100.0, 200.0])
    client.get("/api/v1/value/")
    few = count_queries(lambda: client.get("/api/v1/value/"))
    for kind in ("dataset", "content", "ai_model", "other", "pricing_design") * 2:
        _outcomes(ArtifactFactory(published=True, kind=kind), saved, [50.0])
    assert count_queries(lambda: client.get("/api/v1/value/")) == few
