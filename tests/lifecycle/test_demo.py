import pytest

from catalogue.demo import catalogue, people, retirement
from catalogue.models import Artifact, AuditEvent
from catalogue.models import choices as c

pytestmark = pytest.mark.django_db


def run(context):
    for seeder in (people.seed, catalogue.seed, retirement.seed):
        context.update(seeder(password="pw-for-demo-1", context=context) or {})
    return context


def test_demo_retires_artifacts_with_rationales_and_successors_idempotently():
    context = run({})
    assert len(context["retired"]) >= 4
    archived = Artifact.objects.get(slug="agent-knowledge-answer-prompt")
    assert archived.status == c.ArtifactStatus.ARCHIVED
    assert "CONC 3.5" in archived.retirement_rationale and archived.lessons_learned
    deprecated = Artifact.objects.get(slug="branch-campaign-test-template")
    assert deprecated.status == c.ArtifactStatus.DEPRECATED
    assert deprecated.superseded_by.slug == "consumer-duty-ab-test-template"
    assert deprecated.sunset_on is not None
    events = AuditEvent.objects.count()
    assert run({})["retired"] == []
    assert AuditEvent.objects.count() == events
