from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from catalogue.models import Artifact, AuditEvent, Lineage
from catalogue.models.choices import ArtifactStatus
from catalogue.rules import RuleViolation
from catalogue.services.artifacts import (
    artifact_register,
    artifact_update,
    lineage_add,
    lineage_remove,
    version_create,
    version_update,
)
from tests.factories import (
    ArtifactFactory,
    AuthorshipFactory,
    ContributorFactory,
    LineageFactory,
    VersionFactory,
)

pytestmark = pytest.mark.django_db


def register(user, team, **kw):
    defaults = {"slug": "mortgage-journey", "title": "Mortgage journey", "kind": "customer_journey"}
    return artifact_register(acting_user=user, owner_team=team, **{**defaults, **kw})


def codes(exc):
    return [r.code for r in exc.value.reasons]


class TestRegister:
    def test_happy_path_with_authors_parents_tags(self, alice, retail):
        parent = ArtifactFactory(owner_team=retail)
        author = ContributorFactory()
        artifact = register(
            alice,
            retail,
            summary=" s ",
            intent="Shorten time to offer",
            tags=["Mortgage", "mortgage", " Journey "],
            channels=["web"],
            authors=[{"contributor": author, "role": "originator", "credit_share": Decimal("0.6")}],
            parents=[{"artifact": parent, "relation": "derived_from", "version": None}],
            reason="new",
        )
        assert artifact.status == ArtifactStatus.DRAFT
        assert artifact.tags == ["mortgage", "journey"]
        assert artifact.summary == "s"
        assert artifact.created_by == alice
        assert list(artifact.authorships.values_list("contributor", "role", "credit_share")) == [
            (author.pk, "originator", Decimal("0.600"))
        ]
        assert list(artifact.parent_links.values_list("parent", "relation")) == [
            (parent.pk, "derived_from")
        ]
        event = AuditEvent.objects.get(action="artifact.registered")
        assert event.artifact_id == artifact.pk and event.reason == "new" and event.actor == alice
        assert event.changes["title"] == [None, "Mortgage journey"]

    def test_contributor_only_for_own_team(self, alice, cards):
        with pytest.raises(PermissionDenied):
            register(alice, cards)

    def test_viewer_and_legal_cannot_register(self, victor, legal1, retail):
        for user in (victor, legal1):
            with pytest.raises(PermissionDenied):
                register(user, retail)

    def test_admin_registers_for_any_team(self, admin_user, cards):
        assert register(admin_user, cards).owner_team == cards

    def test_credit_over_one(self, alice, retail):
        a, b = ContributorFactory(), ContributorFactory()
        with pytest.raises(RuleViolation) as exc:
            register(
                alice,
                retail,
                authors=[
                    {"contributor": a, "role": "originator", "credit_share": Decimal("0.7")},
                    {"contributor": b, "role": "co_author", "credit_share": Decimal("0.4")},
                ],
            )
        assert codes(exc) == ["authorship.credit_over_one"]
        assert not Artifact.objects.exists()

    def test_field_errors(self, alice, retail):
        with pytest.raises(ValidationError) as exc:
            register(
                alice,
                retail,
                slug="bad slug!",
                title=" ",
                kind="poem",
                channels=["telepathy"],
                sensitivity="secret",
            )
        assert set(exc.value.message_dict) >= {"title", "kind", "channels", "sensitivity"}
        with pytest.raises(ValidationError) as exc:
            register(alice, retail, slug="bad slug!")
        assert "slug" in exc.value.message_dict

    def test_author_shape_errors(self, alice, retail):
        c = ContributorFactory()
        with pytest.raises(ValidationError) as exc:
            register(
                alice,
                retail,
                authors=[
                    {"contributor": c, "role": "ghost", "credit_share": 0},
                    {"contributor": c, "role": "originator", "credit_share": 2},
                    {"contributor": None, "role": "originator"},
                ],
            )
        assert len(exc.value.message_dict["authors"]) == 3

    def test_duplicate_slug(self, alice, retail):
        ArtifactFactory(slug="mortgage-journey")
        with pytest.raises(ValidationError) as exc:
            register(alice, retail)
        assert "slug" in exc.value.message_dict

    def test_invisible_restricted_parent_is_unknown(self, bob, retail, cards):
        hidden = ArtifactFactory(owner_team=retail, restricted=True)
        with pytest.raises(ValidationError) as exc:
            register(
                bob,
                cards,
                parents=[{"artifact": hidden, "relation": "derived_from", "version": None}],
            )
        assert "parents" in exc.value.message_dict
        assert hidden.slug in exc.value.message_dict["parents"][0]


class TestUpdate:
    def test_changes_are_audited_and_sets_replaced(self, alice, retail):
        artifact = ArtifactFactory(owner_team=retail, tags=["a"])
        AuthorshipFactory(artifact=artifact, credit_share=Decimal("0.5"))
        new_author = ContributorFactory()
        updated = artifact_update(
            acting_user=alice,
            artifact=artifact,
            title="New title",
            tags=["b", "c"],
            authors=[
                {"contributor": new_author, "role": "originator", "credit_share": Decimal("1")}
            ],
        )
        assert updated.title == "New title" and updated.tags == ["b", "c"]
        assert list(updated.authorships.values_list("contributor", flat=True)) == [new_author.pk]
        event = AuditEvent.objects.get(action="artifact.updated")
        assert set(event.changes) == {"title", "tags", "authors"}

    def test_no_change_no_audit(self, alice, retail):
        artifact = ArtifactFactory(owner_team=retail)
        artifact_update(
            acting_user=alice, artifact=artifact, title=artifact.title, tags=artifact.tags
        )
        assert not AuditEvent.objects.filter(action="artifact.updated").exists()

    def test_member_of_team_may_edit_others_may_not(self, carol, bob, victor, retail):
        artifact = ArtifactFactory(owner_team=retail)
        artifact_update(acting_user=carol, artifact=artifact, summary="carol was here")
        for user in (bob, victor):
            with pytest.raises(PermissionDenied):
                artifact_update(acting_user=user, artifact=artifact, summary="x")

    def test_moving_to_foreign_team_refused(self, alice, retail, cards):
        artifact = ArtifactFactory(owner_team=retail)
        with pytest.raises(PermissionDenied):
            artifact_update(acting_user=alice, artifact=artifact, owner_team=cards)

    def test_archived_is_read_only(self, alice, retail):
        artifact = ArtifactFactory(owner_team=retail, archived=True)
        with pytest.raises(RuleViolation) as exc:
            artifact_update(acting_user=alice, artifact=artifact, title="x")
        assert codes(exc) == ["artifact.archived"]

    def test_credit_over_one_on_update(self, alice, retail):
        artifact = ArtifactFactory(owner_team=retail)
        a, b = ContributorFactory(), ContributorFactory()
        with pytest.raises(RuleViolation) as exc:
            artifact_update(
                acting_user=alice,
                artifact=artifact,
                authors=[
                    {"contributor": a, "role": "originator", "credit_share": Decimal("0.9")},
                    {"contributor": b, "role": "adapter", "credit_share": Decimal("0.2")},
                ],
            )
        assert codes(exc) == ["authorship.credit_over_one"]

    def test_parents_replaced_and_cycle_refused(self, alice, retail):
        a, b, c = (ArtifactFactory(owner_team=retail) for _ in range(3))
        LineageFactory(child=b, parent=a)
        artifact_update(
            acting_user=alice,
            artifact=a,
            parents=[{"artifact": c, "relation": "inspired_by", "version": None}],
        )
        assert list(a.parent_links.values_list("parent", flat=True)) == [c.pk]
        with pytest.raises(RuleViolation) as exc:
            artifact_update(
                acting_user=alice,
                artifact=a,
                parents=[{"artifact": b, "relation": "derived_from", "version": None}],
            )
        assert codes(exc) == ["lineage.cycle"]
        # the failed update rolled back entirely
        assert list(a.parent_links.values_list("parent", flat=True)) == [c.pk]

    def test_links_to_invisible_parents_survive_replacement(self, bob, cards, retail):
        mine = ArtifactFactory(owner_team=cards)
        hidden = ArtifactFactory(owner_team=retail, restricted=True)
        LineageFactory(child=mine, parent=hidden)
        other = ArtifactFactory(owner_team=cards)
        artifact_update(
            acting_user=bob,
            artifact=mine,
            parents=[{"artifact": other, "relation": "derived_from", "version": None}],
        )
        assert set(mine.parent_links.values_list("parent", flat=True)) == {hidden.pk, other.pk}


class TestVersions:
    def test_create_sets_current_version(self, carol, retail):
        artifact = ArtifactFactory(owner_team=retail)
        v = version_create(
            acting_user=carol,
            artifact=artifact,
            version="1.0.0",
            changelog="First",
            uri="https://git.bank.example/x",
        )
        artifact.refresh_from_db()
        assert artifact.current_version == v
        assert AuditEvent.objects.filter(action="version.created", artifact=artifact).exists()

    def test_duplicate_and_bad_uri(self, carol, retail):
        artifact = ArtifactFactory(owner_team=retail)
        version_create(acting_user=carol, artifact=artifact, version="1.0.0")
        with pytest.raises(ValidationError) as exc:
            version_create(acting_user=carol, artifact=artifact, version="1.0.0", uri="not a url")
        assert set(exc.value.message_dict) == {"uri"}
        with pytest.raises(ValidationError) as exc:
            version_create(acting_user=carol, artifact=artifact, version="1.0.0")
        assert set(exc.value.message_dict) == {"version"}

    def test_permissions_and_archived(self, bob, carol, retail):
        artifact = ArtifactFactory(owner_team=retail)
        with pytest.raises(PermissionDenied):
            version_create(acting_user=bob, artifact=artifact, version="1")
        archived = ArtifactFactory(owner_team=retail, archived=True)
        with pytest.raises(RuleViolation):
            version_create(acting_user=carol, artifact=archived, version="1")

    def test_published_version_immutable(self, carol, retail):
        from django.utils import timezone

        v = VersionFactory(artifact=ArtifactFactory(owner_team=retail))
        version_update(acting_user=carol, version=v, changelog="Better words")
        v.published_at = timezone.now()
        v.save()
        with pytest.raises(RuleViolation) as exc:
            version_update(acting_user=carol, version=v, changelog="Rewrite history")
        assert codes(exc) == ["version.published_immutable"]


class TestLineage:
    def test_add_and_remove(self, alice, retail):
        child, parent = ArtifactFactory(owner_team=retail), ArtifactFactory(owner_team=retail)
        link = lineage_add(acting_user=alice, child=child, parent=parent, relation="adapted_from")
        assert link.relation == "adapted_from"
        lineage_remove(acting_user=alice, child=child, parent=parent)
        assert not Lineage.objects.exists()
        assert (
            AuditEvent.objects.filter(action__in=["lineage.added", "lineage.removed"]).count() == 2
        )

    def test_cycle_through_chain(self, alice, retail):
        a, b, c = (ArtifactFactory(owner_team=retail) for _ in range(3))
        lineage_add(acting_user=alice, child=b, parent=a, relation="derived_from")
        lineage_add(acting_user=alice, child=c, parent=b, relation="derived_from")
        with pytest.raises(RuleViolation) as exc:
            lineage_add(acting_user=alice, child=a, parent=c, relation="derived_from")
        assert codes(exc) == ["lineage.cycle"]

    def test_self_link_duplicate_and_bad_relation(self, alice, retail):
        a, b = ArtifactFactory(owner_team=retail), ArtifactFactory(owner_team=retail)
        with pytest.raises(RuleViolation) as exc:
            lineage_add(acting_user=alice, child=a, parent=a, relation="derived_from")
        assert codes(exc) == ["lineage.cycle"]
        lineage_add(acting_user=alice, child=a, parent=b, relation="derived_from")
        with pytest.raises(RuleViolation) as exc:
            lineage_add(acting_user=alice, child=a, parent=b, relation="inspired_by")
        assert codes(exc) == ["lineage.duplicate"]
        with pytest.raises(ValidationError):
            lineage_add(acting_user=alice, child=b, parent=ArtifactFactory(), relation="copied")

    def test_permissions(self, bob, alice, retail):
        a, b = ArtifactFactory(owner_team=retail), ArtifactFactory(owner_team=retail)
        with pytest.raises(PermissionDenied):
            lineage_add(acting_user=bob, child=a, parent=b, relation="derived_from")
        LineageFactory(child=a, parent=b)
        with pytest.raises(PermissionDenied):
            lineage_remove(acting_user=bob, child=a, parent=b)
