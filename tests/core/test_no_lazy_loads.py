import pytest
from django.db.models import FETCH_RAISE
from rest_framework.test import APIRequestFactory

from catalogue.api.artifacts import ArtifactSerializer
from catalogue.selectors.artifacts import artifact_list
from tests.factories import ArtifactFactory, AuthorshipFactory, LineageFactory, VersionFactory

pytestmark = pytest.mark.django_db


def test_list_rows_serialize_without_lazy_loads(bob, retail, cards):
    for _ in range(3):
        a = ArtifactFactory(owner_team=retail)
        AuthorshipFactory(artifact=a)
        a.current_version = VersionFactory(artifact=a)
        a.save()
        LineageFactory(child=a, parent=ArtifactFactory(owner_team=cards))
    request = APIRequestFactory().get("/api/v1/artifacts/")
    request.user = bob
    rows = list(artifact_list(user=bob, params={}).fetch_mode(FETCH_RAISE))
    data = ArtifactSerializer(rows, many=True, context={"request": request}).data
    assert len(data) == 6
    assert sum(len(row["derived_from"]) for row in data) == 3


def test_detail_serializes_without_further_queries(bob, retail, count_queries):
    from catalogue.selectors.artifacts import artifact_get

    a = ArtifactFactory(owner_team=retail)
    AuthorshipFactory(artifact=a)
    a.current_version = VersionFactory(artifact=a)
    a.save()
    LineageFactory(child=a, parent=ArtifactFactory(owner_team=retail))
    request = APIRequestFactory().get("/")
    request.user = bob
    artifact = artifact_get(user=bob, slug=a.slug)
    data = {}
    assert (
        count_queries(
            lambda: data.update(ArtifactSerializer(artifact, context={"request": request}).data)
        )
        == 0
    )
    assert data["authors"] and data["derived_from"] and data["current_version"]
