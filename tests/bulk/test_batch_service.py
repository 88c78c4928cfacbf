"""artifacts_register_batch: artifact_register's rules and audit events, for many rows at once."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from catalogue.models import Artifact, AuditEvent, Lineage
from catalogue.rules import RuleViolation
from catalogue.services.bulk import artifacts_register_batch
from tests.factories import ArtifactFactory, ContributorFactory, VersionFactory

pytestmark = pytest.mark.django_db


def item(slug, team, **extra):
    return {"slug": slug, "owner_team": team, "title": slug.title(), "kind": "content", **extra}


def test_registers_with_authors_versions_links_and_audit(alice, retail):
    person = ContributorFactory()
    base = ArtifactFactory(slug="base", owner_team=retail)
    v1 = VersionFactory(artifact=base, version="1")
    created = artifacts_register_batch(
        acting_user=alice,
        reason="batch",
        items=[
            item(
                "child",
                retail,
                parents=[{"artifact": "parent", "relation": "adapted_from", "version": "2"}],
            ),
            item(
                "parent",
                retail,
                tags=["A", "a"],
                authors=[{"contributor": person, "role": "originator", "credit_share": "1"}],
                parents=[{"artifact": base, "relation": "derived_from", "version": v1}],
                versions=[{"version": "1"}, {"version": "2", "changelog": "second"}],
            ),
        ],
    )
    assert sorted(a.slug for a in created) == ["child", "parent"]
    parent = Artifact.objects.get(slug="parent")
    assert (
        parent.tags == ["a"]
        and parent.current_version.version == "2"
        and parent.created_by == alice
    )
    assert parent.authorships.get().contributor == person
    link = Lineage.objects.get(child__slug="child")
    assert (link.parent, link.parent_version.version, link.relation) == (
        parent,
        "2",
        "adapted_from",
    )
    assert Lineage.objects.get(child=parent).parent_version == v1
    registered = AuditEvent.objects.filter(action="artifact.registered")
    assert registered.count() == 2 and set(registered.values_list("reason", flat=True)) == {"batch"}
    assert AuditEvent.objects.filter(action="version.created", artifact=parent).count() == 2


def test_same_rules_as_artifact_register(alice, carol, retail, cards):
    with pytest.raises(PermissionDenied):
        artifacts_register_batch(acting_user=carol, items=[item("x", cards)])
    with pytest.raises(ValidationError):
        artifacts_register_batch(acting_user=alice, items=[item("x", retail, kind="spaceship")])
    with pytest.raises(ValidationError):
        artifacts_register_batch(acting_user=alice, items=[item("x", retail), item("x", retail)])
    ArtifactFactory(slug="taken", owner_team=retail)
    with pytest.raises(ValidationError):
        artifacts_register_batch(acting_user=alice, items=[item("taken", retail)])
    with pytest.raises(RuleViolation):
        person = ContributorFactory()
        artifacts_register_batch(
            acting_user=alice,
            items=[
                item(
                    "x",
                    retail,
                    authors=[
                        {"contributor": person, "role": "originator", "credit_share": "0.8"},
                        {"contributor": person, "role": "co_author", "credit_share": "0.8"},
                    ],
                )
            ],
        )
    with pytest.raises(RuleViolation) as caught:
        artifacts_register_batch(
            acting_user=alice,
            items=[
                item("a", retail, parents=[{"artifact": "b", "relation": "derived_from"}]),
                item("b", retail, parents=[{"artifact": "a", "relation": "derived_from"}]),
            ],
        )
    assert caught.value.reasons[0].code == "lineage.cycle"
    with pytest.raises(ValidationError):
        artifacts_register_batch(
            acting_user=alice,
            items=[
                item(
                    "a",
                    retail,
                    parents=[{"artifact": "b", "relation": "derived_from", "version": "9"}],
                ),
                item("b", retail),
            ],
        )
    with pytest.raises(ValidationError):
        artifacts_register_batch(
            acting_user=alice,
            items=[
                item("a", retail, parents=[{"artifact": "b", "relation": "copied"}]),
                item("b", retail),
            ],
        )
    assert not Artifact.objects.exclude(slug="taken").exists()


def test_invisible_parents_are_refused(alice, retail, cards):
    secret = ArtifactFactory(slug="secret", owner_team=cards, restricted=True)
    with pytest.raises(ValidationError):
        artifacts_register_batch(
            acting_user=alice,
            items=[item("x", retail, parents=[{"artifact": secret, "relation": "derived_from"}])],
        )


def test_new_row_may_link_to_a_version_the_same_file_adds(alice, retail, run_import):
    ArtifactFactory(
        slug="old", owner_team=retail, title="Old", kind="content", tags=[], channels=[]
    )
    data = (
        "slug,title,kind,owner_team,derived_from,version\n"
        "new,New,content,retail,old|derived_from|2.0,\n"
        "old,Old,content,retail,,2.0\n"
    )
    report = run_import(data, alice)
    assert report.errors == [] and report.created == ["new"] and report.updated == ["old"]
    link = Lineage.objects.get(child__slug="new")
    assert link.parent_version.version == "2.0"
