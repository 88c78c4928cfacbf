"""Issue 15 finding 5: partner, agency and academic work needs a licence; scope and jurisdiction count.

Rule 1: every artifact needs a signed assignment or licence from every non-employee author,
at publish and in the rights check (and its set form). A licence whose scope excludes the
purpose or channel, or whose jurisdiction does not cover the use, makes the check deny.
"""

import itertools

import pytest
from django.core.exceptions import ValidationError

from catalogue.models import Artifact, IPAssignment
from catalogue.models import choices as c
from catalogue.querysets import reusable_by
from catalogue.rules import RuleViolation
from catalogue.services.ip import ip_assignment_create, ip_assignment_update
from catalogue.services.lifecycle import artifact_publish
from catalogue.services.rights import rights_check
from tests.factories import (
    ArtifactFactory,
    AuthorshipFactory,
    ContributorFactory,
    IPAssignmentFactory,
)
from tests.rights.conftest import set_policy

pytestmark = pytest.mark.django_db

KINDS = [c.ContributorKind.PARTNER, c.ContributorKind.AGENCY, c.ContributorKind.ACADEMIC]


def outside_work(retail, admin_user, kind=c.ContributorKind.AGENCY, *, published=True, **policy):
    """An ordinary internal artifact (not customer-derived, not restricted) with an outside co-author."""
    artifact = ArtifactFactory(owner_team=retail, published=published)
    AuthorshipFactory(artifact=artifact)  # the employee originator
    outsider = ContributorFactory(kind=kind, organisation="Outside Ltd")
    AuthorshipFactory(
        artifact=artifact, contributor=outsider, role=c.AuthorRole.CO_AUTHOR, credit_share=0
    )
    set_policy(artifact, admin_user, actions=("use", "train"), **policy)
    artifact.refresh_from_db()
    return artifact, outsider


def check(artifact, team, purpose="marketing", channel="web", **kw):
    return rights_check(
        artifact=artifact, team=team, action="use", purpose=purpose, channel=channel, **kw
    )


@pytest.mark.parametrize("kind", KINDS)
def test_outside_work_without_licence_cannot_publish(retail, alice, admin_user, kind):
    artifact, outsider = outside_work(retail, admin_user, kind, published=False)
    with pytest.raises(RuleViolation) as exc:
        artifact_publish(acting_user=alice, artifact=artifact)
    assert "publish.ip_assignment_missing" in [r.code for r in exc.value.reasons]
    assert outsider.pseudonym in str([r.message for r in exc.value.reasons])
    IPAssignmentFactory(artifact=artifact, assignor=outsider, kind=c.IPKind.NON_EXCLUSIVE_LICENCE)
    codes = []
    try:
        artifact_publish(acting_user=alice, artifact=artifact)
    except RuleViolation as again:
        codes = [r.code for r in again.reasons]
    assert "publish.ip_assignment_missing" not in codes


@pytest.mark.parametrize("kind", KINDS)
def test_rights_check_denies_outside_work_without_licence(retail, admin_user, kind):
    artifact, outsider = outside_work(retail, admin_user, kind)
    decision = check(artifact, retail)
    assert not decision.permitted and decision.codes == ["ip.assignment_missing"]
    assert artifact not in reusable_by(None, retail, purpose="marketing", channel="web")
    IPAssignmentFactory(artifact=artifact, assignor=outsider, kind=c.IPKind.EXCLUSIVE_LICENCE)
    assert check(artifact, retail).permitted
    assert artifact in reusable_by(None, retail, purpose="marketing", channel="web")


def test_draft_or_revoked_licence_does_not_count(retail, admin_user):
    artifact, outsider = outside_work(retail, admin_user)
    IPAssignmentFactory(
        artifact=artifact, assignor=outsider, status=c.IPStatus.DRAFT, signed_on=None
    )
    IPAssignmentFactory(artifact=artifact, assignor=outsider, status=c.IPStatus.REVOKED)
    IPAssignmentFactory(artifact=artifact, assignor=outsider, kind=c.IPKind.EMPLOYEE_WORK)
    assert check(artifact, retail).codes == ["ip.assignment_missing"]


def test_scope_excludes_purpose(retail, admin_user):
    artifact, outsider = outside_work(retail, admin_user)
    IPAssignmentFactory(
        artifact=artifact, assignor=outsider, scope_purposes=["research", "product_design"]
    )
    assert check(artifact, retail, purpose="research").permitted
    assert check(artifact, retail, purpose="marketing").codes == ["ip.scope_excludes_purpose"]
    trained = rights_check(
        artifact=artifact, team=retail, action="train", purpose="research", channel="internal"
    )
    assert trained.codes == ["ip.scope_excludes_purpose"]  # training relies on model_training too


def test_scope_excludes_channel(retail, admin_user):
    artifact, outsider = outside_work(retail, admin_user)
    IPAssignmentFactory(artifact=artifact, assignor=outsider, scope_channels=["internal", "web"])
    assert check(artifact, retail, channel="web").permitted
    assert check(artifact, retail, channel="partner").codes == ["ip.scope_excludes_channel"]


def test_jurisdiction_not_covered(retail, admin_user, settings):
    artifact, outsider = outside_work(retail, admin_user)
    IPAssignmentFactory(artifact=artifact, assignor=outsider, jurisdiction="IE,FR")
    assert check(artifact, retail).codes == ["ip.jurisdiction_not_covered"]  # home jurisdiction GB
    assert check(artifact, retail, jurisdiction="ie").permitted
    settings.CATALOGUE_JURISDICTION = "FR"
    assert check(artifact, retail).permitted


def test_one_covering_licence_is_enough_and_blank_means_unrestricted(retail, admin_user):
    artifact, outsider = outside_work(retail, admin_user)
    IPAssignmentFactory(
        artifact=artifact, assignor=outsider, scope_purposes=["research"], jurisdiction="US"
    )
    IPAssignmentFactory(artifact=artifact, assignor=outsider)  # pre-existing shape: no restriction
    for purpose, channel in itertools.product(c.Purpose.values, c.Channel.values):
        assert check(artifact, retail, purpose=purpose, channel=channel).permitted


def test_licence_terms_set_form_agrees_with_check(retail, cards, admin_user):
    """reusable_by and rights_check give the same answer over every licence shape."""
    shapes = [
        None,
        {},
        {"scope_purposes": ["research"]},
        {"scope_channels": ["internal"]},
        {"jurisdiction": "US"},
        {"jurisdiction": "WW"},
        {"jurisdiction": "gb, ie"},
        {"scope_purposes": ["marketing", "model_training"], "scope_channels": ["web", "partner"]},
        {"status": c.IPStatus.DRAFT, "signed_on": None},
    ]
    artifacts = []
    for i, shape in enumerate(shapes):
        artifact, outsider = outside_work(retail, admin_user, KINDS[i % 3])
        if shape is not None:
            IPAssignmentFactory(artifact=artifact, assignor=outsider, **shape)
        artifacts.append(artifact)
    questions = [
        ("use", "research", "internal"),
        ("use", "marketing", "web"),
        ("use", "marketing", "partner"),
        ("train", "model_training", "web"),
        ("use", "customer_service", "email"),
    ]
    permits = 0
    for team, (action, purpose, channel), where in itertools.product(
        [retail, cards], questions, [None, "US", "IE"]
    ):
        listed = set(
            reusable_by(
                Artifact.objects.all(),
                team,
                action=action,
                purpose=purpose,
                channel=channel,
                jurisdiction=where,
            ).values_list("pk", flat=True)
        )
        for a in artifacts:
            single = rights_check(
                artifact=a,
                team=team,
                action=action,
                purpose=purpose,
                channel=channel,
                jurisdiction=where,
            ).permitted
            permits += single
            assert single == (a.pk in listed), (a.pk, team.slug, action, purpose, channel, where)
    assert permits > 10


def test_service_validates_scope_and_jurisdiction(retail, legal1, admin_user):
    artifact, outsider = outside_work(retail, admin_user)
    with pytest.raises(ValidationError) as exc:
        ip_assignment_create(
            acting_user=legal1,
            artifact=artifact,
            assignor=outsider,
            kind="assignment",
            scope_purposes=["gambling"],
            scope_channels=["fax"],
            jurisdiction="Great Britain",
        )
    assert {"scope_purposes", "scope_channels", "jurisdiction"} <= set(exc.value.message_dict)
    ip = ip_assignment_create(
        acting_user=legal1,
        artifact=artifact,
        assignor=outsider,
        kind="assignment",
        status="signed",
        signed_on=artifact.created_at.date(),
        scope_purposes=["research", "research"],
        jurisdiction="gb, ie",
    )
    assert (ip.scope_purposes, ip.scope_channels, ip.jurisdiction) == (["research"], [], "GB,IE")
    ip = ip_assignment_update(
        acting_user=legal1, assignment=ip, scope_channels=["web"], jurisdiction="ww"
    )
    assert (ip.scope_channels, ip.jurisdiction) == (["web"], "WW")


def test_api_takes_scope_and_the_rights_check_jurisdiction(
    retail, legal1, alice, admin_user, api_client_for
):
    artifact, outsider = outside_work(retail, admin_user)
    client = api_client_for(legal1)
    body = {
        "artifact": artifact.slug,
        "assignor": outsider.pk,
        "kind": "non_exclusive_licence",
        "status": "signed",
        "signed_on": "2026-01-05",
        "scope_purposes": ["bogus"],
    }
    assert client.post("/api/v1/ip-assignments/", body, format="json").status_code == 400
    body.update(scope_purposes=["research"], scope_channels=["internal"], jurisdiction="IE")
    response = client.post("/api/v1/ip-assignments/", body, format="json")
    assert response.status_code == 201, response.json()
    assert (
        response.json()["scope_purposes"] == ["research"]
        and response.json()["jurisdiction"] == "IE"
    )
    url = f"/api/v1/artifacts/{artifact.slug}/rights-check/"
    ask = {"team": "retail", "action": "use", "purpose": "research", "channel": "internal"}
    answer = api_client_for(alice).post(url, ask, format="json").json()
    assert answer["decision"] == "deny" and [r["code"] for r in answer["reasons"]] == [
        "ip.jurisdiction_not_covered"
    ]
    answer = api_client_for(alice).post(url, {**ask, "jurisdiction": "IE"}, format="json").json()
    assert answer["decision"] == "permit" and answer["jurisdiction"] == "IE"
    assert (
        api_client_for(alice)
        .post(url, {**ask, "jurisdiction": "Ireland"}, format="json")
        .status_code
        == 400
    )


def test_existing_rows_mean_unrestricted(retail, admin_user):
    artifact, outsider = outside_work(retail, admin_user)
    ip = IPAssignmentFactory(artifact=artifact, assignor=outsider)
    IPAssignment.objects.filter(pk=ip.pk).update(jurisdiction="")
    ip.refresh_from_db()
    assert (ip.scope_purposes, ip.scope_channels) == ([], [])
    assert check(artifact, retail, purpose="personalisation", channel="partner").permitted
