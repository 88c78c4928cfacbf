"""The rights seeder: realistic policies, publishing through the gates, reuses through the check."""

import pytest

from catalogue.demo import catalogue as catalogue_seed
from catalogue.demo import legal, people, rights
from catalogue.models import Artifact, Reuse, ReusePolicy
from catalogue.models.choices import ArtifactStatus
from catalogue.services.rights import rights_check

pytestmark = pytest.mark.django_db


def run_seeders():
    context: dict = {}
    # legal.seed before rights.seed, as in seed_demo: partner/agency work needs its licences (Rule 1).
    for seed in (people.seed, catalogue_seed.seed, legal.seed, rights.seed):
        context.update(seed(password="demo-pass-123", context=context) or {})
    return context


def test_seeder_is_realistic_and_idempotent():
    first = run_seeders()
    assert first["rights_policies_set"] == Artifact.objects.count()
    assert first["rights_published"] > 20
    assert first["rights_reuses_recorded"] >= 15
    # Every reuse carries the permit it was recorded under.
    assert all(r.rights_decision["decision"] == "permit" for r in Reuse.objects.all())
    # Some all-teams, some chosen teams, some prohibitions.
    odrl = [p.odrl for p in ReusePolicy.objects.all()]
    assert any("assignee" not in p["permission"][0] for p in odrl)
    assert any("assignee" in p["permission"][0] for p in odrl)
    assert any(
        pr.get("action") == "urn:catalogue:action:train" or pr.get("action") == "train"
        for p in odrl
        for pr in p.get("prohibition", [])
    )
    # Customer-derived work is never for model training.
    customer = Artifact.objects.filter(customer_derived=True).select_related("owner_team").first()
    retail = customer.owner_team
    decision = rights_check(
        artifact=customer, team=retail, action="use", purpose="model_training", channel="internal"
    )
    assert "odrl.prohibited" in decision.codes
    counts = (
        ReusePolicy.objects.count(),
        Reuse.objects.count(),
        Artifact.objects.filter(status=ArtifactStatus.PUBLISHED).count(),
    )
    second = run_seeders()
    assert second["rights_policies_set"] == 0 and second["rights_reuses_recorded"] == 0
    assert (
        ReusePolicy.objects.count(),
        Reuse.objects.count(),
        Artifact.objects.filter(status=ArtifactStatus.PUBLISHED).count(),
    ) == counts
