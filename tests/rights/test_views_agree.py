"""Issue 15 finding 3: every view of rights is the rights check (Rule 3).

Over one lineage with a withdrawn consent, a consent lacking model_training, restricted work,
partner work with and without a licence (scoped or not), lifecycle states and policies: the
single eligibility answer, the eligibility list filter (API and export), the library's
`reusable` flag and the rights check agree for every artifact.
"""

import datetime as dt
import itertools

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from catalogue import tasks
from catalogue.bulk.exporter import export_queryset
from catalogue.eligibility import (
    ALLOWED,
    ANY_TEAM,
    CONSTRAINED,
    NOT_ALLOWED,
    STATES,
    USES,
    artifact_eligibility,
    eligibility_filter,
    questions,
)
from catalogue.models import Artifact
from catalogue.models import choices as c
from catalogue.selectors.library import LibraryFilters, library_ranking, reusable_slugs
from catalogue.services.rights import rights_check, rights_checks
from tests.factories import (
    ArtifactFactory,
    AuthorshipFactory,
    ConsentFactory,
    ContributorFactory,
    IPAssignmentFactory,
    LineageFactory,
    MetricFactory,
    OutcomeFactory,
    ReuseFactory,
    ReviewFactory,
    VersionFactory,
)
from tests.rights.conftest import set_policy

pytestmark = pytest.mark.django_db

EVERYTHING = {"actions": ("use", "derive", "train")}


@pytest.fixture
def world(retail, cards, admin_user):
    """slug -> Artifact: a lineage and its neighbours, each with a policy unless said otherwise."""
    made = {}

    def make(
        slug, *, policy=EVERYTHING, parents=(), outsider=None, licence=None, review=None, **kw
    ):
        status = kw.pop("status", None)
        artifact = ArtifactFactory(
            slug=slug, owner_team=kw.pop("owner_team", retail), published=True, **kw
        )
        version = VersionFactory(artifact=artifact, version="1.0.0")
        Artifact.objects.filter(pk=artifact.pk).update(current_version=version)
        AuthorshipFactory(artifact=artifact)
        if outsider:
            who = ContributorFactory(kind=outsider, organisation="Outside Ltd")
            AuthorshipFactory(
                artifact=artifact, contributor=who, role=c.AuthorRole.CO_AUTHOR, credit_share=0
            )
            if licence is not None:
                IPAssignmentFactory(artifact=artifact, assignor=who, **licence)
        if review is not None:
            ReviewFactory(
                artifact=artifact,
                version=version,
                purposes=review,
                status=c.ReviewStatus.APPROVED,
                decided_at=timezone.now(),
            )
        for parent in parents:
            LineageFactory(child=artifact, parent=made[parent])
        if policy is not None:
            set_policy(artifact, admin_user, **policy)
        if status:
            Artifact.objects.filter(pk=artifact.pk).update(status=status)
        made[slug] = Artifact.objects.get(pk=artifact.pk)
        return made[slug]

    everything = list(c.Purpose.values)
    # A customer co-created root whose consent never covered model_training, and its lineage.
    no_training = make(
        "root-no-training",
        customer_derived=True,
        outsider=c.ContributorKind.CUSTOMER,
        licence={},
        review=everything,
    )
    ConsentFactory(purposes=["product_design", "research", "personalisation"]).artifacts.add(
        no_training
    )
    make("child-of-no-training", parents=["root-no-training"])
    make("grandchild-of-no-training", parents=["child-of-no-training"], owner_team=cards)
    # A root whose consent was withdrawn, and its descendants.
    withdrawn = make(
        "root-withdrawn",
        customer_derived=True,
        outsider=c.ContributorKind.CUSTOMER,
        licence={},
        review=everything,
    )
    ConsentFactory(
        purposes=everything,
        status=c.ConsentStatus.WITHDRAWN,
        status_changed_at=timezone.now() - dt.timedelta(days=1),
    ).artifacts.add(withdrawn)
    make("child-of-withdrawn", parents=["root-withdrawn"])
    # A root whose consent covers everything: trainable once reviewed.
    full = make(
        "root-full-consent",
        customer_derived=True,
        outsider=c.ContributorKind.CUSTOMER,
        licence={},
        review=everything,
    )
    ConsentFactory(purposes=everything).artifacts.add(full)
    unreviewed = make(
        "root-full-unreviewed",
        customer_derived=True,
        outsider=c.ContributorKind.CUSTOMER,
        licence={},
    )
    ConsentFactory(purposes=everything).artifacts.add(unreviewed)
    make("child-of-full", parents=["root-full-consent"])
    # Restricted work: awaiting review, reviewed for research only, reviewed for everything.
    make("restricted-unreviewed", restricted=True)
    make("restricted-research", restricted=True, review=["research"])
    make("restricted-cleared", restricted=True, review=everything)
    # Partner / agency / academic work.
    make("partner-unlicensed", outsider=c.ContributorKind.PARTNER)
    make("agency-licensed", outsider=c.ContributorKind.AGENCY, licence={})
    make(
        "academic-research-only",
        outsider=c.ContributorKind.ACADEMIC,
        licence={"scope_purposes": ["research"]},
    )
    make(
        "partner-internal-only",
        outsider=c.ContributorKind.PARTNER,
        licence={"scope_channels": ["internal"]},
    )
    make("partner-us-only", outsider=c.ContributorKind.PARTNER, licence={"jurisdiction": "US"})
    # Policies and lifecycle.
    make("plain")
    make("retail-only", policy={"teams": ["retail"], **EVERYTHING})
    make("no-training-policy", policy={"actions": ("use",), "prohibitions": [{"action": "train"}]})
    make("no-policy", policy=None)
    make("draft", status=c.ArtifactStatus.DRAFT)
    make("archived", status=c.ArtifactStatus.ARCHIVED)
    make("deprecated", status=c.ArtifactStatus.DEPRECATED)
    return made


def single_states(world, team=None):
    return {slug: artifact_eligibility(a, team=team) for slug, a in world.items()}


def test_descendant_of_consent_without_training_is_not_eligible_for_training(
    world, retail, alice, api_client_for
):
    """The finding as reported: the filter listed it while the rights check denied training."""
    child = world["child-of-no-training"]
    decision = rights_check(
        artifact=child, team=retail, action="train", purpose="model_training", channel="internal"
    )
    assert not decision.permitted and "consent.purpose_not_covered" in decision.codes
    listed = {
        a["slug"]
        for a in api_client_for(alice)
        .get("/api/v1/artifacts/?eligibility=ai_training:allowed&page_size=200")
        .json()["results"]
    }
    assert "child-of-no-training" not in listed and "grandchild-of-no-training" not in listed
    assert "child-of-full" in listed and "plain" in listed
    assert artifact_eligibility(child)["ai_training"] == NOT_ALLOWED
    assert artifact_eligibility(world["child-of-withdrawn"]) == dict.fromkeys(USES, NOT_ALLOWED)


def test_states_are_read_from_the_rights_check(world):
    states = single_states(world)
    assert states["plain"] == dict.fromkeys(USES, ALLOWED)
    assert states["restricted-unreviewed"] == dict.fromkeys(USES, CONSTRAINED)
    assert states["root-full-unreviewed"] == dict.fromkeys(USES, CONSTRAINED)
    assert states["partner-unlicensed"] == dict.fromkeys(USES, CONSTRAINED)
    assert states["partner-us-only"] == dict.fromkeys(USES, NOT_ALLOWED)
    assert states["academic-research-only"] == {
        "ai_training": NOT_ALLOWED,
        "data_mining": ALLOWED,
        "ai_inference": NOT_ALLOWED,
    }
    assert states["restricted-research"]["data_mining"] == ALLOWED
    assert states["restricted-research"]["ai_training"] == CONSTRAINED
    assert states["no-training-policy"]["ai_training"] == NOT_ALLOWED
    assert states["retail-only"] == dict.fromkeys(USES, NOT_ALLOWED)  # nothing for teams at large
    assert (
        states["draft"]
        == states["archived"]
        == states["no-policy"]
        == dict.fromkeys(USES, NOT_ALLOWED)
    )
    for slug in ("child-of-no-training", "partner-internal-only", "restricted-research", "plain"):
        for use, state in states[slug].items():
            action = USES[use][0]
            permits = [
                rights_check(
                    artifact=world[slug], team=ANY_TEAM, action=action, purpose=p, channel=ch
                ).permitted
                for p, ch in questions(use)
            ]
            assert (state == ALLOWED) == any(permits), (slug, use)


@pytest.mark.parametrize("team_name", [None, "retail", "cards"])
def test_list_filter_agrees_with_single_answer(world, request, team_name):
    team = request.getfixturevalue(team_name) if team_name else None
    states = single_states(world, team=team)
    seen = set()
    for use, state in itertools.product(USES, STATES):
        listed = set(
            eligibility_filter(Artifact.objects.all(), use, state, team=team).values_list(
                "slug", flat=True
            )
        )
        expected = {slug for slug, by_use in states.items() if by_use[use] == state}
        assert listed == expected, (use, state)
        seen |= {state} if expected else set()
    assert seen == set(STATES)  # the population shows every state


def test_api_and_export_lists_agree_with_single_answer(world, alice, api_client_for):
    states = single_states(world)
    client = api_client_for(alice)
    for use, state in itertools.product(USES, STATES):
        param = f"{use}:{state}"
        expected = {slug for slug, by_use in states.items() if by_use[use] == state}
        api = {
            a["slug"]
            for a in client.get(f"/api/v1/artifacts/?eligibility={param}&page_size=200").json()[
                "results"
            ]
        }
        export = set(
            export_queryset(user=alice, params={"eligibility": param}).values_list(
                "slug", flat=True
            )
        )
        assert api == export == expected, param


def test_library_flag_agrees_with_rights_check(world, retail, admin_user):
    metric = MetricFactory()
    for artifact in world.values():
        reuse = ReuseFactory(artifact=artifact, team=retail)
        tasks.rollup_reuse(reuse.pk)
        for value in (1.0, 2.0, 3.0):
            tasks.rollup_outcome(OutcomeFactory(reuse=reuse, metric=metric, value=value).pk)
    pairs = list(itertools.product(c.Purpose.values, c.Channel.values))

    def reusable(artifact):
        asked = [("use", p, ch) for p, ch in pairs]
        return any(
            d.permitted for d in rights_checks(artifact=artifact, team=ANY_TEAM, questions=asked)
        )

    expected = {slug for slug, a in world.items() if reusable(a)}
    assert reusable_slugs(world) == expected
    assert "child-of-withdrawn" not in expected and "plain" in expected
    for filters in (
        LibraryFilters(top=50),
        LibraryFilters(top=50, period_from=dt.date(2000, 1, 1)),
    ):
        entries = library_ranking(admin_user, filters)  # admins see all
        assert {e.artifact_slug for e in entries} == set(world)
        assert {e.artifact_slug for e in entries if e.reusable} == expected
    assert library_ranking(AnonymousUser(), LibraryFilters()) == []
