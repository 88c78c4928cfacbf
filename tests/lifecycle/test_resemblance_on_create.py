import pytest

from tests.factories import ArtifactFactory

pytestmark = pytest.mark.django_db


def test_api_create_response_lists_resembling_retired_artifacts(api_client_for, alice, retail):
    ArtifactFactory(
        owner_team=retail,
        archived=True,
        slug="apr-chatbot-prompt",
        title="APR explainer chatbot prompt",
        retirement_rationale="Produced non-compliant APR statements.",
    )
    payload = {
        "slug": "apr-explainer-prompt-v2",
        "title": "APR explainer chatbot prompt v2",
        "kind": "prompt_template",
        "owner_team": "retail",
        "intent": "Explain APR to customers.",
    }
    response = api_client_for(alice).post("/api/v1/artifacts/", payload, format="json")
    assert response.status_code == 201, response.content
    matches = response.json()["resembles_retired"]
    assert [m["slug"] for m in matches] == ["apr-chatbot-prompt"]
    assert "non-compliant APR" in str(matches[0])


def test_api_create_response_is_empty_when_nothing_resembles(api_client_for, alice, retail):
    ArtifactFactory(
        owner_team=retail, archived=True, slug="old-thing", title="Branch queue signage"
    )
    payload = {
        "slug": "fx-fee-copy",
        "title": "FX fee transparency copy",
        "kind": "content",
        "owner_team": "retail",
    }
    response = api_client_for(alice).post("/api/v1/artifacts/", payload, format="json")
    assert response.status_code == 201
    assert response.json()["resembles_retired"] == []
