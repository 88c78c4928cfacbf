"""Credit flows back through lineage: each hop halves it, split by credit shares."""

import pytest

from catalogue import tasks
from catalogue.selectors.credit import contributor_credit, reuse_credit, team_credit
from tests.factories import (
    ArtifactFactory,
    AuthorshipFactory,
    ContributorFactory,
    LineageFactory,
    ReuseFactory,
    TeamFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_hops(retail, cards):
    """root <- child <- grandchild <- great: three hops from `great` back to `root`."""
    c1, c2, c3, c4, c5 = (ContributorFactory() for _ in range(5))
    root = ArtifactFactory(slug="root", owner_team=retail, published=True)
    child = ArtifactFactory(slug="child", owner_team=cards, published=True)
    grandchild = ArtifactFactory(slug="grandchild", owner_team=retail, published=True)
    great = ArtifactFactory(slug="great", owner_team=cards, published=True)
    AuthorshipFactory(artifact=root, contributor=c1, credit_share="0.6")
    AuthorshipFactory(artifact=root, contributor=c2, credit_share="0.4", role="co_author")
    AuthorshipFactory(artifact=child, contributor=c3, credit_share="1")
    AuthorshipFactory(artifact=grandchild, contributor=c1, credit_share="0.5")
    AuthorshipFactory(artifact=grandchild, contributor=c4, credit_share="0.5", role="adapter")
    AuthorshipFactory(artifact=great, contributor=c5, credit_share="1")
    LineageFactory(child=child, parent=root)
    LineageFactory(child=grandchild, parent=child)
    LineageFactory(child=great, parent=grandchild)
    reusing = TeamFactory()
    reuses = [ReuseFactory(artifact=a, team=reusing) for a in (great, great, grandchild, root)]
    for r in reuses:
        tasks.rollup_reuse(r.pk)
    return {"c": (c1, c2, c3, c4, c5), "a": (root, child, grandchild, great)}


def test_one_reuse_gives_exact_credit_up_the_lineage(three_hops):
    c1, c2, c3, c4, c5 = three_hops["c"]
    great = three_hops["a"][3]
    credit = reuse_credit(great.pk)
    assert credit == pytest.approx(
        {
            c5.pk: 1.0,  # great itself
            c1.pk: 0.5 * 0.5 + 0.125 * 0.6,  # grandchild (1 hop) and root (3 hops)
            c4.pk: 0.5 * 0.5,
            c3.pk: 0.25 * 1.0,  # child, 2 hops
            c2.pk: 0.125 * 0.4,
        }
    )


def test_contributor_credit_totals_and_sources(three_hops, victor):
    c1, c2, c3, c4, c5 = three_hops["c"]
    report = contributor_credit(victor, c1)
    # root reused once (0.6); grandchild reused once (0.5) and through it root (0.25 x 0.6);
    # great reused twice: via grandchild 2 x 0.5 x 0.5, via root 2 x 0.125 x 0.6.
    assert report.total == pytest.approx(0.6 + 0.5 + 0.15 + 0.5 + 0.15)
    sources = {(s.reused.slug, s.via.slug): (s.hops, s.reuses, s.credit) for s in report.sources}
    assert sources == {
        ("root", "root"): (0, 1, pytest.approx(0.6)),
        ("grandchild", "grandchild"): (0, 1, pytest.approx(0.5)),
        ("grandchild", "root"): (2, 1, pytest.approx(0.15)),
        ("great", "grandchild"): (1, 2, pytest.approx(0.5)),
        ("great", "root"): (3, 2, pytest.approx(0.15)),
    }
    assert contributor_credit(victor, c3).total == pytest.approx(0.5 * 1 + 0.25 * 2)
    assert contributor_credit(victor, c2).total == pytest.approx(0.4 * (1 + 0.25 + 2 * 0.125))
    assert len(report.recent) == 4  # every reuse that credits c1 is listed


def test_team_credit_counts_whole_artifacts(three_hops, retail, cards, victor):
    # retail owns root and grandchild: root 1 + grandchild (1 + 0.25) + great (2 x 0.5 + 2 x 0.125)
    assert team_credit(victor, retail).total == pytest.approx(1 + 1.25 + 1.25)
    # cards owns child and great: child (grandchild 0.5 + great 2 x 0.25) + great 2 x 1
    assert team_credit(victor, cards).total == pytest.approx(1.0 + 2.0)


def test_restricted_artifacts_do_not_leak_through_credit(three_hops, victor, admin_user):
    c1 = three_hops["c"][0]
    great = three_hops["a"][3]
    great.sensitivity = "restricted"
    great.save()
    assert contributor_credit(victor, c1).total == pytest.approx(0.6 + 0.5 + 0.15)
    assert all(s.reused.slug != "great" for s in contributor_credit(victor, c1).sources)
    assert contributor_credit(admin_user, c1).total == pytest.approx(1.9)


def test_equal_split_when_no_shares_are_given(victor):
    a = ArtifactFactory(published=True)
    p1, p2, reviewer = ContributorFactory(), ContributorFactory(), ContributorFactory()
    AuthorshipFactory(artifact=a, contributor=p1, credit_share=0)
    AuthorshipFactory(artifact=a, contributor=p2, credit_share=0)
    AuthorshipFactory(artifact=a, contributor=reviewer, credit_share=0, role="reviewer")
    assert reuse_credit(a.pk) == {p1.pk: 0.5, p2.pk: 0.5}


def test_credit_query_count_is_constant(three_hops, victor, count_queries):
    c1 = three_hops["c"][0]
    contributor_credit(victor, c1)  # the user's roles are cached after the first call
    small = count_queries(lambda: contributor_credit(victor, c1))
    for _ in range(10):
        extra = ArtifactFactory(published=True)
        AuthorshipFactory(artifact=extra, contributor=c1)
        LineageFactory(child=ArtifactFactory(published=True), parent=extra)
        tasks.rollup_reuse(ReuseFactory(artifact=extra).pk)
    assert count_queries(lambda: contributor_credit(victor, c1)) == small


def test_credit_api_for_contributors_and_teams(three_hops, api_client_for, victor, retail):
    c1 = three_hops["c"][0]
    client = api_client_for(victor)
    res = client.get(f"/api/v1/contributors/{c1.pk}/credit/")
    assert res.status_code == 200
    data = res.json()
    assert data["total"] == pytest.approx(1.9)
    assert {(s["reused"], s["via"], s["hops"]) for s in data["sources"]} >= {("great", "root", 3)}
    assert len(data["recent"]) == 4 and {"reuse", "artifact", "team", "hops", "credit"} <= set(
        data["recent"][0]
    )
    assert client.get("/api/v1/teams/retail/credit/").json()["total"] == pytest.approx(3.5)
    assert client.get("/api/v1/contributors/999999/credit/").status_code == 404
    assert client.get("/api/v1/teams/nope/credit/").status_code == 404
    assert api_client_for().get(f"/api/v1/contributors/{c1.pk}/credit/").status_code == 401
