import pytest

from catalogue.models import choices as c
from catalogue.resemblance import resembling_archived, resembling_archived_data
from tests.factories import ArtifactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def archived_chatbot(retail):
    return ArtifactFactory(
        owner_team=retail,
        archived=True,
        slug="apr-chatbot-prompt",
        title="Credit card APR explainer chatbot prompt",
        summary="Prompt template for a chatbot answering questions about credit card interest rates.",
        intent="Let customers ask in plain language how APR and interest charges on their card work.",
        retirement_rationale="Produced non-compliant APR statements under FCA CONC 3.5.",
    )


def test_near_duplicate_title_is_flagged(archived_chatbot, alice):
    matches = resembling_archived(user=alice, title="Credit card APR explainer chat bot prompt v2")
    assert [m.slug for m in matches] == ["apr-chatbot-prompt"]
    assert matches[0].retirement_rationale.startswith("Produced non-compliant")
    assert matches[0].resemblance > 0.5


def test_similar_intent_with_a_different_title_is_flagged(archived_chatbot, alice):
    matches = resembling_archived(
        user=alice,
        title="Card help assistant",
        intent="Customers ask in plain language how interest charges and APR on their credit card work.",
    )
    assert [m.slug for m in matches] == ["apr-chatbot-prompt"]


def test_unrelated_artifact_is_not_flagged(archived_chatbot, alice):
    matches = resembling_archived(
        user=alice,
        title="Branch queue dashboard",
        summary="Dashboard of waiting times in branches.",
        intent="Help branch managers staff the counters at peak times.",
    )
    assert matches == []


def test_published_artifacts_are_not_considered(retail, alice):
    ArtifactFactory(
        owner_team=retail, published=True, title="Credit card APR explainer chatbot prompt"
    )
    assert resembling_archived(user=alice, title="Credit card APR explainer chatbot prompt") == []


def test_restricted_archived_artifacts_stay_hidden_from_other_teams(cards, alice, bob):
    ArtifactFactory(
        owner_team=cards, archived=True, restricted=True, title="Fraud score override model"
    )
    assert resembling_archived(user=alice, title="Fraud score override model") == []
    assert len(resembling_archived(user=bob, title="Fraud score override model")) == 1


def test_data_form_includes_rationale_and_visible_successor(archived_chatbot, retail, alice):
    successor = ArtifactFactory(owner_team=retail, published=True, slug="apr-explainer-v2")
    archived_chatbot.superseded_by = successor
    archived_chatbot.save()
    data = resembling_archived_data(user=alice, title="Credit card APR explainer chatbot prompt")
    assert data[0]["slug"] == "apr-chatbot-prompt"
    assert data[0]["superseded_by"] == "apr-explainer-v2"
    assert data[0]["status"] == c.ArtifactStatus.ARCHIVED
    assert "CONC 3.5" in data[0]["retirement_rationale"]


def test_blank_input_matches_nothing(archived_chatbot, alice):
    assert resembling_archived(user=alice, title="  ") == []
