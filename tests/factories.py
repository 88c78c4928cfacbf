"""factory_boy factories with traits; rows made here bypass services on purpose (test setup)."""

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from catalogue import models as m
from catalogue.models import choices as c


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@bank.example")
    password = factory.django.Password("pw-for-tests-1")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for role in extracted or [c.Role.VIEWER]:
            self.groups.add(Group.objects.get_or_create(name=role)[0])
        if c.Role.ADMIN in (extracted or []):
            self.is_superuser = self.is_staff = True
            self.save()


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Team
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"team{n}")
    name = factory.LazyAttribute(lambda o: o.slug.title())


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Membership

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(UserFactory)
    role = c.MembershipRole.MEMBER


class ContributorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Contributor

    kind = c.ContributorKind.EMPLOYEE
    legal_name = factory.Faker("name")
    email = factory.Faker("email")
    organisation = "The Bank"

    class Params:
        customer = factory.Trait(kind=c.ContributorKind.CUSTOMER, organisation="")
        agency = factory.Trait(kind=c.ContributorKind.AGENCY, organisation="Studio North")


class ArtifactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Artifact

    slug = factory.Sequence(lambda n: f"artifact-{n}")
    title = factory.Sequence(lambda n: f"Artifact number {n}")
    kind = c.ArtifactKind.PROMPT_TEMPLATE
    summary = "A reusable component."
    intent = "Reduce time to market for new journeys."
    constraints = "Internal use only."
    owner_team = factory.SubFactory(TeamFactory)
    sensitivity = c.Sensitivity.INTERNAL
    tags = factory.LazyFunction(lambda: ["reusable"])
    channels = factory.LazyFunction(lambda: ["web"])

    class Params:
        restricted = factory.Trait(sensitivity=c.Sensitivity.RESTRICTED)
        confidential = factory.Trait(sensitivity=c.Sensitivity.CONFIDENTIAL)
        customer = factory.Trait(customer_derived=True)
        published = factory.Trait(
            status=c.ArtifactStatus.PUBLISHED, published_at=factory.LazyFunction(timezone.now)
        )
        archived = factory.Trait(status=c.ArtifactStatus.ARCHIVED, retirement_rationale="Failed.")


class AuthorshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Authorship

    artifact = factory.SubFactory(ArtifactFactory)
    contributor = factory.SubFactory(ContributorFactory)
    role = c.AuthorRole.ORIGINATOR
    credit_share = 1


class VersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Version

    artifact = factory.SubFactory(ArtifactFactory)
    version = factory.Sequence(lambda n: f"1.{n}.0")
    changelog = "Initial version."
    uri = "https://git.bank.example/components/x"


class LineageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Lineage

    child = factory.SubFactory(ArtifactFactory)
    parent = factory.SubFactory(ArtifactFactory)
    relation = c.LineageRelation.DERIVED_FROM


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.ConsentRecord

    contributor = factory.SubFactory(ContributorFactory, customer=True)
    purposes = factory.LazyFunction(lambda: ["product_design", "research"])
    jurisdiction = "GB"
    notice_version = "2026.1"
    method = c.ConsentMethod.WEB_FORM
    obtained_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=30))
    expires_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=365))


class IPAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.IPAssignment

    artifact = factory.SubFactory(ArtifactFactory)
    assignor = factory.SubFactory(ContributorFactory, customer=True)
    kind = c.IPKind.ASSIGNMENT
    status = c.IPStatus.SIGNED
    signed_on = factory.LazyFunction(dt.date.today)


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Review

    artifact = factory.SubFactory(ArtifactFactory)
    kind = c.ReviewKind.CONSENT_IP
    purposes = factory.LazyFunction(lambda: ["product_design"])


class MetricFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Metric
        django_get_or_create = ("code",)

    code = "conversion_lift"
    name = "Conversion lift"
    unit = "pp"
    direction = c.MetricDirection.HIGHER_IS_BETTER


class ReuseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Reuse

    artifact = factory.SubFactory(ArtifactFactory, published=True)
    team = factory.SubFactory(TeamFactory)
    initiative = factory.Sequence(lambda n: f"Initiative {n}")
    purpose = c.Purpose.PRODUCT_DESIGN
    channel = c.Channel.WEB
    occurred_on = factory.LazyFunction(dt.date.today)
    rights_decision = factory.LazyFunction(lambda: {"decision": "permit", "reasons": []})


class OutcomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Outcome

    reuse = factory.SubFactory(ReuseFactory)
    metric = factory.SubFactory(MetricFactory)
    value = 1.5
    sample_size = 1000
    period_start = factory.LazyFunction(lambda: dt.date.today() - dt.timedelta(days=30))
    period_end = factory.LazyFunction(dt.date.today)
