"""What the artifact page must not query again (the scale benchmark's findings)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalogue import tasks
from catalogue.auth_backends import CatalogueModelBackend
from catalogue.models import ConsentCoverage, WithdrawalImpact
from catalogue.selectors.artifacts import artifact_get
from catalogue.selectors.legal import legal_panel_data, legal_panel_loads
from catalogue.views.panels import panel_loads
from tests.factories import (
    ArtifactFactory,
    AuthorshipFactory,
    ConsentFactory,
    ContributorFactory,
    IPAssignmentFactory,
    LineageFactory,
    ReuseFactory,
    ReviewFactory,
    VersionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("user_fixture", ["victor", "alice"])
def test_artifact_page_queries_once_per_concern(request, client, retail, user_fixture):
    user = request.getfixturevalue(user_fixture)
    artifact = ArtifactFactory(owner_team=retail, published=True)
    LineageFactory(child=artifact, parent=ArtifactFactory(owner_team=retail))
    LineageFactory(child=ArtifactFactory(owner_team=retail), parent=artifact)
    for _ in range(3):
        tasks.rollup_reuse(ReuseFactory(artifact=artifact).pk)
    client.force_login(user)
    client.get(reverse("catalogue:artifact_detail", args=[artifact.slug]))
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("catalogue:artifact_detail", args=[artifact.slug]))
    assert response.status_code == 200
    sqls = [q["sql"] for q in ctx.captured_queries]
    # Rule-owned permissions never fall through to ModelBackend's permission tables.
    assert not [s for s in sqls if "auth_permission" in s]
    # Selects render from lists, not server-side cursors.
    assert not [s for s in sqls if s.lstrip().upper().startswith("DECLARE")]
    # One lineage walk for both directions; no live GROUP BY over the artifact's reuses.
    assert len([s for s in sqls if "WITH RECURSIVE" in s]) == 1
    assert not [s for s in sqls if "catalogue_reuse" in s and "GROUP BY" in s.upper()]
    # The adoption chart is still offered (it loads on its own request).
    assert reverse("catalogue:adoption_chart", args=[artifact.slug]) in response.content.decode()
    # The benchmark's target (issue 10): at most 10 queries per page.
    assert len(sqls) <= 10, len(sqls)


def _busy_artifact(retail):
    """Every panel has something to show: legal (consents, reviews, an open impact, a missing
    IP assignment), lineage both ways, versions, authors, reuses with rollups."""
    artifact = ArtifactFactory(owner_team=retail, published=True, customer=True)
    parent = ArtifactFactory(owner_team=retail)
    LineageFactory(child=artifact, parent=parent)
    LineageFactory(child=ArtifactFactory(owner_team=retail), parent=artifact)
    signed, unsigned = ContributorFactory(customer=True), ContributorFactory(agency=True)
    for contributor in (signed, unsigned, ContributorFactory()):
        AuthorshipFactory(artifact=artifact, contributor=contributor, credit_share=0)
    IPAssignmentFactory(artifact=artifact, assignor=signed)
    for i in range(3):
        VersionFactory(artifact=artifact, version=f"9.{i}")
    consents = [ConsentFactory() for _ in range(3)]
    for consent in consents:
        ConsentCoverage.objects.create(consent=consent, artifact=artifact)
    ReviewFactory(artifact=artifact)
    ReviewFactory(artifact=artifact, kind="ip")
    WithdrawalImpact.objects.create(
        consent=consents[0], artifact=artifact, via=parent, live_reuses=2
    )
    for _ in range(3):
        tasks.rollup_reuse(ReuseFactory(artifact=artifact).pk)
    return artifact, unsigned


@pytest.mark.parametrize(
    "user_fixture", ["victor", "alice", "carol", "bob", "legal1", "admin_user"]
)
def test_busy_artifact_page_stays_within_ten_queries(request, client, retail, user_fixture):
    user = request.getfixturevalue(user_fixture)
    artifact, unsigned = _busy_artifact(retail)
    client.force_login(user)
    page = reverse("catalogue:artifact_detail", args=[artifact.slug])
    client.get(page)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(page)
    assert response.status_code == 200
    html = response.content.decode()
    # The preloaded panels still show what they showed when each queried on its own.
    assert (
        "3 covering consents" in html
        and unsigned.pseudonym in html
        and "remediation is open" in html
    )
    assert "9.2" in html and "9.0" in html
    assert len(ctx.captured_queries) <= 10, [q["sql"][:80] for q in ctx.captured_queries]


def test_legal_panel_reads_the_same_rows_preloaded_or_queried(retail, legal1):
    artifact, unsigned = _busy_artifact(retail)
    queried = legal_panel_data(artifact_get(user=legal1, slug=artifact.slug))
    preloaded = legal_panel_data(
        artifact_get(user=legal1, slug=artifact.slug, preload=legal_panel_loads(legal1))
    )

    def shape(data):
        return (
            [(c.pk, c.status, c.purposes, c.expires_at) for c in data.consents],
            [
                (r.pk, r.kind, r.status, r.version_id, r.version.version if r.version else None)
                for r in data.reviews
            ],
            [(i.pk, i.consent.pk, i.consent.status, i.via.slug) for i in data.open_impacts],
            [c.pk for c in data.missing_ip],
        )

    assert shape(preloaded) == shape(queried)
    assert [c.pk for c in preloaded.missing_ip] == [unsigned.pk]
    assert (
        len(preloaded.consents) == 3
        and len(preloaded.reviews) == 2
        and len(preloaded.open_impacts) == 1
    )


def test_every_panel_load_is_one_column_of_the_artifact_query(retail, alice):
    artifact, _ = _busy_artifact(retail)
    user = CatalogueModelBackend().get_user(alice.pk)  # roles loaded with the user, as per request
    with CaptureQueriesContext(connection) as ctx:
        loaded = artifact_get(user=user, slug=artifact.slug, links=False, preload=panel_loads(user))
    assert len(ctx.captured_queries) == 1
    assert {
        "watch_watching",
        "legal_consents",
        "history_events",
        "rights_teams",
        "performance_rollups",
    } <= set(vars(loaded))
