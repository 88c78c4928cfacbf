"""The API's read fast path (ArtifactSerializer.to_representation) says exactly what
ModelSerializer's generic representation says, row for row, over a varied population."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIRequestFactory

from catalogue.api.artifacts import ArtifactSerializer
from catalogue.models.choices import AuthorRole, LineageRelation
from catalogue.selectors.artifacts import artifact_get, artifact_list
from tests.factories import ArtifactFactory, AuthorshipFactory, LineageFactory, VersionFactory

pytestmark = pytest.mark.django_db


def _population(retail, cards):
    plain = ArtifactFactory(owner_team=retail, tags=[], channels=[], constraints="", intent="")
    published = ArtifactFactory(
        owner_team=retail,
        published=True,
        tags=["a", "b"],
        channels=["web", "branch"],
        constraint_tags=["pii"],
        customer=True,
        title="Ünïcode “quotes” & <tags>",
    )
    published.published_at = dt.datetime(2026, 3, 1, 12, 30, 15, 123456, tzinfo=dt.UTC)
    published.current_version = VersionFactory(artifact=published, version="2.0.0")
    published.save()
    for share, role in (
        (Decimal("0.333"), AuthorRole.ORIGINATOR),
        (Decimal("0"), AuthorRole.REVIEWER),
        (Decimal("0.5"), AuthorRole.CO_AUTHOR),
    ):
        AuthorshipFactory(artifact=published, credit_share=share, role=role)
    hidden_parent = ArtifactFactory(owner_team=retail, restricted=True)
    LineageFactory(child=published, parent=plain, relation=LineageRelation.DERIVED_FROM)
    LineageFactory(child=published, parent=hidden_parent, relation=LineageRelation.INSPIRED_BY)
    LineageFactory(
        child=plain, parent=ArtifactFactory(owner_team=cards), relation=LineageRelation.INSPIRED_BY
    )
    return [plain, published]


def _generic(serializer, instance):
    return serializers.ModelSerializer.to_representation(serializer, instance)


@pytest.mark.parametrize("user_fixture", ["bob", "alice", "legal1"])
def test_fast_rows_equal_the_generic_representation(request, retail, cards, user_fixture):
    user = request.getfixturevalue(user_fixture)
    _population(retail, cards)
    http = APIRequestFactory().get("/api/v1/artifacts/")
    http.user = user
    serializer = ArtifactSerializer(context={"request": http})
    rows = list(artifact_list(user=user, params={}))
    assert len(rows) >= 3
    for row in rows:
        fast, generic = serializer.to_representation(row), _generic(serializer, row)
        assert fast == generic
        assert list(fast) == list(generic)  # same key order, so the same JSON bytes
        assert JSONRenderer().render(fast) == JSONRenderer().render(generic)
    detail = artifact_get(user=user, slug=rows[0].slug)
    assert serializer.to_representation(detail) == _generic(serializer, detail)


def test_fast_path_hides_what_the_generic_one_hides(bob, retail, cards):
    plain, published = _population(retail, cards)
    http = APIRequestFactory().get("/api/v1/artifacts/")
    http.user = bob
    row = next(r for r in artifact_list(user=bob, params={}) if r.pk == published.pk)
    data = ArtifactSerializer(context={"request": http}).to_representation(row)
    # The restricted parent is not among bob's links; credit shares keep three decimals.
    assert [link["artifact"] for link in data["derived_from"]] == [plain.slug]
    assert [a["credit_share"] for a in data["authors"]] == ["0.333", "0.000", "0.500"]
    assert data["published_at"] == "2026-03-01T12:30:15.123456Z"
    assert json.loads(JSONRenderer().render(data))["title"] == "Ünïcode “quotes” & <tags>"
