"""A customer co-created artifact with everything Rule 1 needs, and helpers to break it."""

import datetime as dt

import pytest
from django.utils import timezone

from catalogue.models import choices as c
from tests.factories import (
    ArtifactFactory,
    AuthorshipFactory,
    ConsentFactory,
    ContributorFactory,
    IPAssignmentFactory,
    LineageFactory,
    ReviewFactory,
    VersionFactory,
)


@pytest.fixture
def customer():
    return ContributorFactory(customer=True, external_ref="CRM-123")


@pytest.fixture
def cleared(retail, alice, customer):
    """A customer-derived artifact of retail, published, with approved review, consent and IP."""
    artifact = ArtifactFactory(
        owner_team=retail, customer=True, published=True, slug="co-created-journey"
    )
    version = VersionFactory(artifact=artifact, version="1.0.0", published_at=timezone.now())
    artifact.current_version = version
    artifact.save(update_fields=["current_version"])
    staff = ContributorFactory(user=alice)
    AuthorshipFactory(artifact=artifact, contributor=staff)
    AuthorshipFactory(
        artifact=artifact, contributor=customer, role=c.AuthorRole.CO_AUTHOR, credit_share=0
    )
    consent = ConsentFactory(contributor=customer, purposes=["product_design", "research"])
    consent.artifacts.add(artifact)
    IPAssignmentFactory(artifact=artifact, assignor=customer)
    review = ReviewFactory(
        artifact=artifact,
        version=version,
        purposes=["product_design", "research"],
        status=c.ReviewStatus.APPROVED,
        decided_at=timezone.now(),
        valid_until=timezone.localdate() + dt.timedelta(days=300),
    )
    return {
        "artifact": artifact,
        "version": version,
        "consent": consent,
        "review": review,
        "customer": customer,
        "staff": staff,
    }


@pytest.fixture
def chain(cleared, retail, cards):
    """cleared <- child (retail) <- grandchild (cards): two hops of lineage."""
    child = ArtifactFactory(owner_team=retail, published=True, slug="child-journey")
    grandchild = ArtifactFactory(owner_team=cards, published=True, slug="grandchild-journey")
    LineageFactory(child=child, parent=cleared["artifact"])
    LineageFactory(child=grandchild, parent=child)
    return {**cleared, "child": child, "grandchild": grandchild}
