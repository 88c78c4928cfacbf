"""One world for the security suite: a restricted `cards` artifact with every kind of related row,
between two visible `retail` artifacts (its lineage parent and child)."""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from catalogue import models as m
from catalogue.models import choices as c
from catalogue.services.audit import audit_event
from catalogue.services.rollups import rollup_apply_outcome, rollup_apply_reuse
from catalogue.services.uploads import attachment_add
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

SECRET_SLUG = "secret-cards-model"
SECRET_TITLE = "Zanzibar restricted scoring model"
SECRET_LEGAL_NAME = "Octavia Pemberton-Quill"
SECRET_EMAIL = "octavia.pq@customers.example"
# A customer of a visible artifact: her personal data is as private as Octavia's.
VISIBLE_LEGAL_NAME = "Barnaby Fennimore-Wick"
VISIBLE_EMAIL = "barnaby.fw@customers.example"

# Strings whose presence in any response to a non-legal outsider is a leak.
LEAK_MARKERS = (
    SECRET_SLUG,
    "Zanzibar",
    "zanzibar-tag",
    "secret-cards-lesson",
    "Octavia",
    "Pemberton",
    SECRET_EMAIL,
    VISIBLE_LEGAL_NAME,
    VISIBLE_EMAIL,
    "Rationale for the secret",
    # Longer strings of the restricted rows: still caught when a query echoes a short marker back.
    SECRET_TITLE,
    "Zanzibar retired lesson",
    "Zanzibar summary",
    "Zanzibar intent",
    "Zanzibar lesson learned",
    "Zanzibar rollout",
    "Zanzibar audit note",
    "Zanzibar changelog",
    "Zanzibar scope",
    "zanzibar-notes",
    "CRM-ZANZIBAR",
    "Zanzibar consent withdrawn",
    "Zanzibar outcome",
)


@dataclass
class World:
    secret: m.Artifact
    lesson: m.Artifact
    parent: m.Artifact
    child: m.Artifact
    secret_version: m.Version
    attachment: m.Attachment
    octavia: m.Contributor
    barnaby: m.Contributor
    consent: m.ConsentRecord
    visible_consent: m.ConsentRecord
    ip: m.IPAssignment
    review: m.Review
    reuse: m.Reuse
    outcome: m.Outcome
    visible_reuse: m.Reuse
    visible_outcome: m.Outcome
    metric: m.Metric
    impact: m.WithdrawalImpact
    job: m.BackgroundJob
    notification: m.Notification

    def ids(self) -> dict:
        """What a path parameter is filled with, by name of the object it designates."""
        return {
            "secret": self.secret.slug,
            "lesson": self.lesson.slug,
            "parent": self.parent.slug,
            "child": self.child.slug,
            "attachment": self.attachment.pk,
            "octavia": self.octavia.pk,
            "barnaby": self.barnaby.pk,
            "consent": self.consent.pk,
            "visible_consent": self.visible_consent.pk,
            "ip": self.ip.pk,
            "review": self.review.pk,
            "reuse": self.reuse.pk,
            "outcome": self.outcome.pk,
            "visible_reuse": self.visible_reuse.pk,
            "visible_outcome": self.visible_outcome.pk,
            "metric": self.metric.code,
            "impact": self.impact.pk,
            "job": self.job.pk,
            "notification": self.notification.pk,
            "cards": "cards",
            "retail": "retail",
            "csv": "csv",
            "json": "json",
        }


@pytest.fixture
def world(retail, cards, alice, bob, legal1, victor) -> World:
    today = dt.date.today()
    metric = MetricFactory()
    parent = ArtifactFactory(
        owner_team=retail,
        slug="visible-parent",
        title="Visible parent journey",
        published=True,
        tags=["shared"],
        customer_derived=True,
    )
    secret = ArtifactFactory(
        owner_team=cards,
        slug=SECRET_SLUG,
        title=SECRET_TITLE,
        restricted=True,
        published=True,
        customer_derived=True,
        kind=c.ArtifactKind.AI_MODEL,
        tags=["zanzibar-tag", "shared"],
        summary="Zanzibar summary",
        intent="Zanzibar intent",
    )
    child = ArtifactFactory(
        owner_team=retail, slug="visible-child", title="Visible child journey", published=True
    )
    lesson = ArtifactFactory(
        owner_team=cards,
        slug="secret-cards-lesson",
        title="Zanzibar retired lesson",
        restricted=True,
        archived=True,
        lessons_learned="Zanzibar lesson learned",
    )
    # A visible retired cards artifact beside the restricted one: lesson facets must count only it.
    ArtifactFactory(
        owner_team=cards, slug="cards-visible-lesson", title="Visible cards lesson", archived=True
    )
    LineageFactory(child=secret, parent=parent)
    LineageFactory(child=child, parent=secret)

    version = VersionFactory(artifact=secret, version="9.9.9", changelog="Zanzibar changelog")
    secret.current_version = version
    secret.save(update_fields=["current_version"])
    attachment = attachment_add(
        acting_user=bob,
        version=version,
        declared_type="txt",
        uploaded_file=SimpleUploadedFile(
            "zanzibar-notes.txt", b"Zanzibar notes", content_type="text/plain"
        ),
    )
    octavia = ContributorFactory(customer=True, legal_name=SECRET_LEGAL_NAME, email=SECRET_EMAIL)
    barnaby = ContributorFactory(customer=True, legal_name=VISIBLE_LEGAL_NAME, email=VISIBLE_EMAIL)
    AuthorshipFactory(artifact=secret, contributor=octavia)
    AuthorshipFactory(artifact=parent, contributor=barnaby)
    consent = ConsentFactory(contributor=octavia, external_ref="CRM-ZANZIBAR")
    consent.artifacts.add(secret)
    visible_consent = ConsentFactory(contributor=barnaby)
    visible_consent.artifacts.add(parent)
    ip = IPAssignmentFactory(artifact=secret, assignor=octavia, scope="Zanzibar scope")
    review = ReviewFactory(artifact=secret, version=version, requested_by=bob)
    m.ReviewDecision.objects.create(
        review=review, reviewer=legal1, decision="approve", rationale="Rationale for the secret"
    )
    reuse = ReuseFactory(
        artifact=secret, version=version, team=cards, initiative="Zanzibar rollout"
    )
    outcome = OutcomeFactory(reuse=reuse, metric=metric, value=42.0, note="Zanzibar outcome")
    visible_reuse = ReuseFactory(artifact=parent, team=retail, initiative="Visible rollout")
    visible_outcome = OutcomeFactory(reuse=visible_reuse, metric=metric, value=1.0)
    for r in (reuse, visible_reuse):
        rollup_apply_reuse(r.pk)
    for o in (outcome, visible_outcome):
        rollup_apply_outcome(o.pk)
    impact = m.WithdrawalImpact.objects.create(consent=consent, artifact=secret, live_reuses=1)
    job = m.BackgroundJob.objects.create(kind="export", created_by=bob, params={"q": "Zanzibar"})
    notification = m.Notification.objects.create(
        recipient=bob,
        kind="consent.withdrawn",
        subject="Zanzibar consent withdrawn",
        artifact=secret,
    )
    audit_event(actor=bob, action="artifact.noted", obj=secret, reason="Zanzibar audit note")
    audit_event(actor=bob, action="artifact.noted", obj=parent, reason="visible note")
    assert today  # the world is dated today: reuses and outcomes fall in every default window
    return World(
        secret=secret,
        lesson=lesson,
        parent=parent,
        child=child,
        secret_version=version,
        attachment=attachment,
        octavia=octavia,
        barnaby=barnaby,
        consent=consent,
        visible_consent=visible_consent,
        ip=ip,
        review=review,
        reuse=reuse,
        outcome=outcome,
        visible_reuse=visible_reuse,
        visible_outcome=visible_outcome,
        metric=metric,
        impact=impact,
        job=job,
        notification=notification,
    )


@pytest.fixture
def cara(cards):
    """Contributor and plain member (not maintainer) of cards, the restricted artifacts' owner team."""
    from tests.factories import MembershipFactory, UserFactory

    user = UserFactory(username="cara", roles=[c.Role.CONTRIBUTOR, c.Role.VIEWER])
    MembershipFactory(team=cards, user=user, role=c.MembershipRole.MEMBER)
    return user
