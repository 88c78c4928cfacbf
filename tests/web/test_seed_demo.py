"""seed_demo's catalogue: realistic volume, every kind, both teams, lineage; idempotent."""

import io

import pytest
from django.core.management import call_command

from catalogue.models import Artifact, Authorship, Contributor, Lineage, Version
from catalogue.models import choices as c
from catalogue.selectors.lineage import ancestor_depths


@pytest.mark.django_db
def test_seed_demo_builds_the_catalogue_and_runs_twice_without_duplicates():
    call_command("seed_demo", password="demo-pass-1", stdout=io.StringIO())
    counts = [m.objects.count() for m in (Artifact, Contributor, Authorship, Version, Lineage)]
    assert 55 <= counts[0] <= 70
    assert set(Artifact.objects.values_list("kind", flat=True)) == set(c.ArtifactKind.values)
    assert set(Artifact.objects.values_list("owner_team__slug", flat=True)) == {"retail", "cards"}
    assert Artifact.objects.filter(sensitivity=c.Sensitivity.RESTRICTED).exists()
    assert Artifact.objects.filter(sensitivity=c.Sensitivity.CONFIDENTIAL).exists()
    customer_derived = Artifact.objects.filter(customer_derived=True)
    assert customer_derived.count() >= 5
    assert all(
        a.authorships.filter(contributor__kind="customer").exists() for a in customer_derived
    )
    assert set(Contributor.objects.values_list("kind", flat=True)) == set(c.ContributorKind.values)
    assert not Contributor.objects.filter(kind="customer").exclude(legal_name="").exists()
    assert set(Lineage.objects.values_list("relation", flat=True)) == set(c.LineageRelation.values)
    deepest = Artifact.objects.get(slug="remortgage-reminder-journey")
    assert max(ancestor_depths([deepest.pk]).values()) >= 3
    assert Artifact.objects.filter(created_by__username="alice").exists()

    call_command("seed_demo", password="demo-pass-1", stdout=io.StringIO())
    assert [
        m.objects.count() for m in (Artifact, Contributor, Authorship, Version, Lineage)
    ] == counts
