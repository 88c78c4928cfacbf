"""reusable_by (the list filter) and rights_check (the single answer) are the same rule."""

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from catalogue.models import Artifact
from catalogue.models.choices import ArtifactStatus, Channel, Purpose
from catalogue.querysets import reusable_by
from catalogue.services.policy import policy_set
from catalogue.services.rights import rights_check
from tests.factories import ArtifactFactory, TeamFactory
from tests.rights.conftest import policy_doc

pytestmark = pytest.mark.django_db

PAST = dt.datetime(2019, 6, 1, 12, tzinfo=dt.UTC)
BOUNDARY = dt.datetime(2027, 3, 1, 0, 0, tzinfo=dt.UTC)

POLICIES = {
    "all-teams": {},
    "retail-only": {"teams": ["retail"]},
    "cards-and-ops": {
        "teams": ["cards", "ops"],
        "actions": ["use", "derive"],
        "duties": ["attribute"],
    },
    "research-internal": {"purposes": ["research", "internal_analysis"], "channels": ["internal"]},
    "no-training": {
        "actions": ["use", "train"],
        "prohibitions": [{"action": "train", "purposes": ["model_training"]}],
    },
    "no-partner-channel": {"prohibitions": [{"action": "use", "channels": ["partner"]}]},
    "expired": {"valid_until": dt.date(2020, 1, 1)},
    "from-boundary": {"valid_from": BOUNDARY},
    "window": {
        "valid_from": dt.date(2019, 1, 1),
        "valid_until": dt.date(2019, 12, 31),
        "purposes": ["marketing"],
    },
}


def hand_written(slug):
    """Beyond the form: a logical `or` and a `neq`, to show the grants follow the engine."""
    return {
        "@context": "http://www.w3.org/ns/odrl.jsonld",
        "@type": "Set",
        "uid": f"urn:catalogue:policy:{slug}:1",
        "target": f"urn:catalogue:artifact:{slug}",
        "permission": [
            {
                "action": "use",
                "constraint": [
                    {
                        "or": [
                            {
                                "leftOperand": "purpose",
                                "operator": "eq",
                                "rightOperand": "research",
                            },
                            {
                                "leftOperand": "deliveryChannel",
                                "operator": "eq",
                                "rightOperand": "web",
                            },
                        ]
                    }
                ],
            },
            {
                "action": "use",
                "assignee": "urn:catalogue:team:cards",
                "constraint": [
                    {"leftOperand": "deliveryChannel", "operator": "neq", "rightOperand": "email"}
                ],
            },
        ],
    }


@pytest.fixture
def population(retail, cards, admin_user):
    ops = TeamFactory(slug="ops", name="Operations")
    today = timezone.localdate()
    lifecycles = {
        "published": {},
        "deprecated-live": {
            "status": ArtifactStatus.DEPRECATED,
            "sunset_on": today + dt.timedelta(days=30),
        },
        "deprecated-open": {"status": ArtifactStatus.DEPRECATED},
        "sunset": {"status": ArtifactStatus.DEPRECATED, "sunset_on": today - dt.timedelta(days=1)},
        "archived": {"status": ArtifactStatus.ARCHIVED},
        "draft": {"status": ArtifactStatus.DRAFT},
    }
    artifacts = []
    for i, name in enumerate(POLICIES):
        # Every policy under "published", and a rotating lifecycle state besides.
        for state in ("published", list(lifecycles)[1 + i % (len(lifecycles) - 1)]):
            a = ArtifactFactory(
                slug=f"{name}-{state}", owner_team=retail if i % 2 else cards, published=True
            )
            policy_set(acting_user=admin_user, artifact=a, odrl=policy_doc(a, **POLICIES[name]))
            Artifact.objects.filter(pk=a.pk).update(**lifecycles[state])
            artifacts.append(a)
    odd = ArtifactFactory(slug="hand-written", owner_team=retail, published=True)
    policy_set(acting_user=admin_user, artifact=odd, odrl=hand_written(odd.slug))
    ArtifactFactory(slug="no-policy", owner_team=retail, published=True)
    return [retail, cards, ops]


QUESTIONS = [
    ("use", "marketing", "web"),
    ("use", "research", "internal"),
    ("use", "research", "email"),
    ("use", "marketing", "partner"),
    ("derive", "product_design", "web"),
    ("train", "model_training", "internal"),
    ("train", "research", "web"),
]


@pytest.mark.parametrize("at", [None, PAST, BOUNDARY, BOUNDARY - dt.timedelta(microseconds=1)])
def test_filter_agrees_with_check(population, at):
    artifacts = list(Artifact.objects.order_by("slug"))
    when = at or timezone.now()
    disagreements, permits = [], 0
    for team, (action, purpose, channel) in itertools.product(population, QUESTIONS):
        listed = set(
            reusable_by(
                Artifact.objects.all(),
                team,
                action=action,
                purpose=purpose,
                channel=channel,
                at=when,
            ).values_list("slug", flat=True)
        )
        for a in artifacts:
            single = rights_check(
                artifact=a, team=team, action=action, purpose=purpose, channel=channel, at=when
            ).permitted
            permits += single
            if single != (a.slug in listed):
                disagreements.append((a.slug, team.slug, action, purpose, channel, single))
    assert not disagreements
    assert permits > 20  # the population has both answers, not only denials


def test_unspecified_purpose_and_channel_mean_for_some(population):
    """reusable_by without purpose/channel lists what the team may use for at least one of them."""
    cards = population[1]
    artifacts = list(Artifact.objects.order_by("slug"))
    now = timezone.now()
    listed = set(reusable_by(None, cards, at=now).values_list("slug", flat=True))
    by_purpose = set(
        reusable_by(None, cards, purpose="research", at=now).values_list("slug", flat=True)
    )
    by_channel = set(
        reusable_by(None, cards, channel="email", at=now).values_list("slug", flat=True)
    )
    for a in artifacts:
        answers = {
            (p, c): rights_check(
                artifact=a, team=cards, action="use", purpose=p, channel=c, at=now
            ).permitted
            for p in Purpose.values
            for c in Channel.values
        }
        assert (a.slug in listed) == any(answers.values()), a.slug
        assert (a.slug in by_purpose) == any(
            v for (p, _), v in answers.items() if p == "research"
        ), a.slug
        assert (a.slug in by_channel) == any(v for (_, c), v in answers.items() if c == "email"), (
            a.slug
        )
