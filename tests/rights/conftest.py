"""Helpers for the rights tests: published artifacts with policies set through the service."""

import pytest
from django.utils import timezone

from catalogue.models import Artifact
from catalogue.odrl import build_policy
from catalogue.services.policy import policy_set
from tests.factories import ArtifactFactory, VersionFactory


def policy_doc(artifact, *, teams=None, actions=("use",), version=1, **kwargs):
    return build_policy(
        artifact_slug=artifact.slug,
        teams=teams,
        actions=list(actions),
        owner_team_slug=artifact.owner_team.slug,
        version=version,
        **kwargs,
    )


def set_policy(artifact, user, **kwargs):
    return policy_set(acting_user=user, artifact=artifact, odrl=policy_doc(artifact, **kwargs))


@pytest.fixture
def published(retail, admin_user):
    """make(**policy kwargs) -> a published retail artifact with that policy (None: no policy)."""

    def make(policy=None, **artifact_kwargs):
        artifact_kwargs.setdefault("owner_team", retail)
        later = {
            k: artifact_kwargs.pop(k)
            for k in ("status", "retirement_rationale", "sunset_on", "superseded_by")
            if k in artifact_kwargs
        }
        artifact = ArtifactFactory(published=True, **artifact_kwargs)
        # Rule 1: a published artifact has a published version, the one reuses default to.
        version = VersionFactory(artifact=artifact, version="1.0.0", published_at=timezone.now())
        Artifact.objects.filter(pk=artifact.pk).update(current_version=version)
        if policy is not None:
            set_policy(artifact, admin_user, **policy)
        # Lifecycle set after the policy: archived artifacts refuse policy changes.
        Artifact.objects.filter(pk=artifact.pk).update(**later)
        artifact.refresh_from_db()
        return artifact

    return make
