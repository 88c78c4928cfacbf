"""The library's index walk (stored rank, top per group) against a plain Python reference.

The reference reads every rollup, takes the kind from the artifact and the direction from the
metric (not the copies stored for the walk), and sorts each (metric, kind) group the way the
ranking is specified: best conservative bound first (the lower bound when higher is better,
the upper bound when lower is better), rows without an interval last, then the better mean,
then the artifact id.
"""

import random
from collections import defaultdict

import pytest
from django.contrib.auth.models import AnonymousUser

from catalogue import tasks
from catalogue.models import ArtifactMetricRollup
from catalogue.querysets import visible_artifacts
from catalogue.selectors.library import MAX_TOP, LibraryFilters, library_ranking
from catalogue.services.artifacts import artifact_update
from catalogue.services.outcomes import metric_update
from catalogue.services.rollups import rollups_recompute
from tests.factories import (
    ArtifactFactory,
    MetricFactory,
    OutcomeFactory,
    ReuseFactory,
    TeamFactory,
)

pytestmark = pytest.mark.django_db

KINDS = ("customer_journey", "dataset", "prompt_template")
TIED = [2.0, 3.0, 4.0]


def _entry(e) -> tuple:
    return (
        e.metric,
        e.kind,
        e.rank,
        e.artifact_slug,
        e.artifact_title,
        e.owner_team,
        e.metric_name,
        e.unit,
        e.direction,
        e.n,
        e.mean,
        e.ci_low,
        e.ci_high,
        e.method,
    )


def reference(user, filters: LibraryFilters) -> list[tuple]:
    top = max(1, min(filters.top, MAX_TOP))
    visible = set(visible_artifacts(user).values_list("pk", flat=True))
    groups = defaultdict(list)
    for r in ArtifactMetricRollup.objects.select_related("artifact__owner_team", "metric").order_by(
        "pk"
    ):
        a, m = r.artifact, r.metric
        if r.n == 0 or a.pk not in visible:
            continue
        if (filters.kind and a.kind != filters.kind) or (
            filters.team and a.owner_team.slug != filters.team
        ):
            continue
        if filters.metric and m.code != filters.metric:
            continue
        groups[(m.code, a.kind)].append(r)

    def best_first(r):
        higher = r.metric.direction == "higher_is_better"
        good = (lambda x: x) if higher else (lambda x: -x)
        bound = r.ci_low if higher else r.ci_high
        return (bound is None, 0.0 if bound is None else -good(bound), -good(r.mean), r.artifact_id)

    out = []
    for code, kind in sorted(groups):
        for rank, r in enumerate(sorted(groups[(code, kind)], key=best_first)[:top], start=1):
            a, m = r.artifact, r.metric
            out.append(
                (
                    code,
                    kind,
                    rank,
                    a.slug,
                    a.title,
                    a.owner_team.slug,
                    m.name,
                    m.unit,
                    m.direction,
                    r.n,
                    r.mean,
                    r.ci_low,
                    r.ci_high,
                    r.method,
                )
            )
    return out


def _record(artifact, metric, values):
    reuse = ReuseFactory(artifact=artifact)
    tasks.rollup_reuse(reuse.pk)
    for v in values:
        tasks.rollup_outcome(OutcomeFactory(reuse=reuse, metric=metric, value=v).pk)


@pytest.fixture
def population(retail, cards):
    """~40 artifacts over 3 kinds, 3 teams, a quarter restricted, both metric directions.

    Includes exact ties (identical outcomes: same bound and mean, so the artifact id decides),
    single outcomes (no interval: ranked last, by mean), and wide and narrow intervals.
    Everything goes through the incremental rollup writer.
    """
    rng = random.Random(10)
    lift = MetricFactory(code="conversion_lift")
    ttm = MetricFactory(
        code="time_to_market", name="Time to market", unit="days", direction="lower_is_better"
    )
    teams = [retail, cards, TeamFactory(slug="wealth")]
    for i in range(36):
        artifact = ArtifactFactory(
            slug=f"p-{i:02d}",
            kind=rng.choice(KINDS),
            owner_team=rng.choice(teams),
            published=True,
            restricted=rng.random() < 0.25,
        )
        for metric in (lift, ttm):
            shape = rng.random()
            if shape < 0.3:
                continue
            if shape < 0.45:
                values = [round(rng.uniform(1, 30), 1)]  # n = 1: no interval
            elif shape < 0.6:
                values = TIED
            else:
                values = [round(rng.gauss(10, 4), 2) for _ in range(rng.randint(2, 6))]
            _record(artifact, metric, values)
    # A tie group inside one (metric, kind) group with a restricted artifact between visible ones.
    for i, team in enumerate((retail, cards, cards, retail)):
        tied = ArtifactFactory(
            slug=f"tie-{i}", kind="dataset", owner_team=team, published=True, restricted=i == 1
        )
        _record(tied, lift, TIED)
    assert rollups_recompute() == []  # the incremental writer keeps the stored rank current
    return lift, ttm


FILTERS = [
    LibraryFilters(),
    LibraryFilters(top=1),
    LibraryFilters(top=2),
    LibraryFilters(top=3, metric="conversion_lift"),
    LibraryFilters(top=MAX_TOP),
    LibraryFilters(kind="dataset"),
    LibraryFilters(kind="dataset", top=2, metric="conversion_lift"),
    LibraryFilters(team="cards"),
    LibraryFilters(team="retail", kind="prompt_template", top=2),
    LibraryFilters(metric="time_to_market"),
    LibraryFilters(metric="no_such_metric"),
    LibraryFilters(kind="other"),
    LibraryFilters(team="no-such-team"),
]


def test_library_walk_equals_reference_for_every_user_and_filter(
    population, admin_user, legal1, alice, bob, victor
):
    users = (admin_user, legal1, alice, bob, victor)
    for user in users:
        for filters in FILTERS:
            got = [_entry(e) for e in library_ranking(user, filters)]
            assert got == reference(user, filters), (user.username, filters)
    assert library_ranking(AnonymousUser(), LibraryFilters()) == []
    # The population exercises what the reference distinguishes.
    rows = list(ArtifactMetricRollup.objects.filter(n__gt=0).select_related("artifact", "metric"))
    assert {r.metric.direction for r in rows} == {"higher_is_better", "lower_is_better"}
    assert any(r.rank_score is None for r in rows) and any(
        r.artifact.sensitivity == "restricted" for r in rows
    )
    everything = {e.artifact_slug for e in library_ranking(admin_user, LibraryFilters(top=MAX_TOP))}
    for_victor = {e.artifact_slug for e in library_ranking(victor, LibraryFilters(top=MAX_TOP))}
    assert "tie-1" in everything and "tie-1" not in for_victor
    ties = [
        e.artifact_slug
        for e in library_ranking(
            bob, LibraryFilters(kind="dataset", metric="conversion_lift", top=MAX_TOP)
        )
        if e.artifact_slug.startswith("tie-")
    ]
    assert ties == ["tie-0", "tie-1", "tie-2", "tie-3"]  # bob's team owns tie-1: ties in id order
    ties = [
        e.artifact_slug
        for e in library_ranking(
            alice, LibraryFilters(kind="dataset", metric="conversion_lift", top=MAX_TOP)
        )
        if e.artifact_slug.startswith("tie-")
    ]
    assert ties == ["tie-0", "tie-2", "tie-3"]


def test_kind_and_direction_changes_keep_the_walk_current(population, admin_user, alice):
    lift, ttm = population
    moved = (
        ArtifactMetricRollup.objects.filter(n__gt=0)
        .select_related("artifact")
        .order_by("pk")
        .first()
        .artifact
    )
    new_kind = next(k for k in KINDS if k != moved.kind)
    artifact_update(acting_user=admin_user, artifact=moved, kind=new_kind)
    assert set(
        ArtifactMetricRollup.objects.filter(artifact=moved).values_list("kind", flat=True)
    ) == {new_kind}
    metric_update(acting_user=admin_user, metric=ttm, direction="higher_is_better")
    assert rollups_recompute() == []
    for user in (admin_user, alice):
        for filters in (
            LibraryFilters(),
            LibraryFilters(kind=new_kind),
            LibraryFilters(metric="time_to_market", top=3),
        ):
            assert [_entry(e) for e in library_ranking(user, filters)] == reference(user, filters)
    assert any(
        e.artifact_slug == moved.slug
        for e in library_ranking(admin_user, LibraryFilters(kind=new_kind, top=MAX_TOP))
    )


def test_recompute_reports_and_repairs_a_stale_stored_rank(population):
    rollup = ArtifactMetricRollup.objects.filter(n__gt=1).order_by("pk").first()
    ArtifactMetricRollup.objects.filter(pk=rollup.pk).update(
        kind="other", rank_score=1e9, rank_mean=None
    )
    fields = {d.field for d in rollups_recompute()}
    assert fields == {"kind", "rank_score", "rank_mean"}
    rollups_recompute(fix=True)
    assert rollups_recompute() == []
    rollup.refresh_from_db()
    assert rollup.kind == rollup.artifact.kind and rollup.rank_score != 1e9
