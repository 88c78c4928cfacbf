"""Importing rows through the artifact services: all or nothing, every error, idempotent."""

import json

import pytest

from catalogue.models import Artifact, AuditEvent, Contributor, Lineage
from catalogue.services.bulk_import import import_rows
from tests.factories import ArtifactFactory, AuthorshipFactory, LineageFactory

pytestmark = pytest.mark.django_db

HEADER = "slug,title,kind,owner_team,authors,derived_from,version,version_changelog,version_uri\n"


def test_twenty_kinds_of_errors_are_all_reported_and_nothing_is_written(
    alice, existing, read_file, run_import, table_counts
):
    before = table_counts()
    report = run_import(read_file("twenty_errors.csv"), alice)
    assert table_counts() == before
    assert not report.committed
    found = {(e.row, e.column) for e in report.errors}
    expected = {
        (3, "slug"),
        (4, "slug"),
        (5, "slug"),
        (6, "kind"),
        (7, "sensitivity"),
        (8, "owner_team"),
        (9, "owner_team"),
        (10, "customer_derived"),
        (11, "title"),
        (12, "title"),
        (13, "channels"),
        (14, "authors"),
        (15, "authors"),
        (16, "authors"),
        (17, "authors"),
        (18, "authors"),
        (19, "authors"),
        (20, "derived_from"),
        (21, "derived_from"),
        (22, "derived_from"),
        (23, "derived_from"),
        (24, "derived_from"),
        (25, "version_uri"),
        (26, "version"),
        (27, "slug"),
        (28, "derived_from"),
        (29, "version"),
    }
    assert expected <= found, sorted(expected - found)
    assert not any(row == 2 for row, _ in found), "the valid row has no error"
    messages = {(e.row, e.column): e.message for e in report.errors}
    assert "also on row 2" in messages[(5, "slug")]
    assert "nowhere" in messages[(8, "owner_team")]
    assert "own teams" in messages[(9, "owner_team")]
    assert "HR-404" in messages[(14, "authors")]
    assert (
        "cyc-a" in messages[(22, "derived_from")]
        and "rows 22, 23" in messages[(22, "derived_from")]
    )
    assert "robot" in messages[(19, "authors")]
    # The restricted artifact's row fails like a taken slug; nothing about it is described.
    assert "could not be imported" in messages[(24, "derived_from")]
    assert "Hidden cards model" not in json.dumps(report.as_dict())


def test_invisible_parents_read_as_unknown(alice, existing, run_import):
    report = run_import(HEADER + "x,X,content,retail,,secret-cards|inspired_by,,,\n", alice)
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (2, "derived_from", "Parent 1: unknown artifact 'secret-cards'.")
    ]


def test_dry_run_reports_and_writes_nothing(alice, existing, run_import, table_counts):
    before = table_counts()
    data = (
        HEADER
        + "new-one,New,content,retail,HR-1|originator|1,existing-parent|derived_from|1.0,1.0,First,\n"
    )
    data += "existing-parent,Renamed parent,prompt_template,retail,,,,,\n"
    report = run_import(data, alice, dry_run=True)
    assert report.errors == []
    assert report.dry_run and not report.committed
    assert report.created == ["new-one"] and report.updated == ["existing-parent"]
    assert table_counts() == before
    assert Artifact.objects.get(slug="existing-parent").title != "Renamed parent"


def test_reimport_is_idempotent_and_unchanged_rows_write_nothing(alice, existing, run_import):
    data = (
        HEADER
        + "new-one,New,content,retail,HR-1|originator|0.5; HR-2|co_author|0.5,existing-parent|derived_from|1.0,1.0; 1.1,First; Second,\n"
    )
    first = run_import(data, alice)
    assert first.committed and first.created == ["new-one"]
    artifact = Artifact.objects.get(slug="new-one")
    stamp, events = artifact.updated_at, AuditEvent.objects.count()
    again = run_import(data, alice)
    assert again.committed and again.unchanged == ["new-one"] and again.created == []
    assert Artifact.objects.filter(slug="new-one").count() == 1
    artifact.refresh_from_db()
    assert artifact.updated_at == stamp
    assert AuditEvent.objects.count() == events
    assert artifact.current_version.version == "1.1"
    assert artifact.authorships.count() == 2


def test_changed_rows_update_through_the_services(alice, existing, run_import):
    run_import(HEADER + "new-one,New,content,retail,HR-1|originator|1,,1.0,First,\n", alice)
    report = run_import(
        HEADER + "new-one,Newer,content,retail,HR-2|originator|1,,1.0; 2.0,First; Second,\n", alice
    )
    assert report.updated == ["new-one"]
    artifact = Artifact.objects.get(slug="new-one")
    assert artifact.title == "Newer"
    assert [a.contributor.external_ref for a in artifact.authorships.all()] == ["HR-2"]
    assert sorted(artifact.versions.values_list("version", flat=True)) == ["1.0", "2.0"]
    assert AuditEvent.objects.filter(action="artifact.updated", object_id=str(artifact.pk)).exists()


def test_only_a_version_added_counts_as_update(alice, existing, run_import):
    run_import(HEADER + "new-one,New,content,retail,,,1.0,First,\n", alice)
    report = run_import(HEADER + "new-one,New,content,retail,,,1.0; 1.1,First; Fix,\n", alice)
    assert report.updated == ["new-one"]


def test_lineage_works_whatever_the_row_order(alice, retail, read_file, run_import):
    report = run_import(read_file("lineage_reverse_order.json"), alice, name="f.json")
    assert report.errors == []
    grandchild = Lineage.objects.get(child__slug="grandchild")
    assert grandchild.parent.slug == "child" and grandchild.parent_version.version == "2.0"
    assert Lineage.objects.get(child__slug="child").parent.slug == "root"


def test_cycle_through_existing_lineage_is_reported_with_its_row(alice, retail, run_import):
    a = ArtifactFactory(slug="a", owner_team=retail)
    b = ArtifactFactory(slug="b", owner_team=retail)
    LineageFactory(child=b, parent=a)  # b derives from a
    report = run_import(HEADER + "a,A,content,retail,,b|derived_from,,,\n", alice)
    assert [(e.row, e.column) for e in report.errors] == [(2, "derived_from")]
    assert "circular" in report.errors[0].message
    assert not Lineage.objects.filter(child=a).exists()


def test_unknown_contributor_with_kind_is_created_without_personal_data(alice, retail, run_import):
    report = run_import(
        HEADER
        + "x,X,content,retail,AG-9|originator|1|agency|Studio North; contributor-0123456789|co_author|0|customer,,,,\n",
        alice,
    )
    assert report.errors == [] and sorted(report.contributors_created) == [
        "AG-9",
        "contributor-0123456789",
    ]
    agency = Contributor.objects.get(external_ref="AG-9")
    assert (agency.kind, agency.organisation, agency.legal_name, agency.email) == (
        "agency",
        "Studio North",
        "",
        "",
    )
    customer = Contributor.objects.get(pseudonym="contributor-0123456789")
    assert (customer.kind, customer.external_ref) == ("customer", "")


def test_contributors_are_found_by_pseudonym_and_reference(alice, retail, people, run_import):
    pseudonym = people["HR-2"].pseudonym
    report = run_import(
        HEADER + f"x,X,content,retail,HR-1|originator|0.5; {pseudonym}|co_author|0.5,,,,\n", alice
    )
    assert report.errors == []
    assert set(
        Artifact.objects.get(slug="x").authorships.values_list("contributor_id", flat=True)
    ) == {
        people["HR-1"].pk,
        people["HR-2"].pk,
    }


def test_contributors_import_only_for_their_own_teams(
    carol, bob, retail, cards, run_import, table_counts
):
    before = table_counts()
    report = run_import(
        HEADER + "mine,Mine,content,retail,,,,,\ntheirs,Theirs,content,cards,,,,,\n", carol
    )
    assert [(e.row, e.column) for e in report.errors] == [(3, "owner_team")]
    assert table_counts() == before
    ArtifactFactory(slug="retail-thing", owner_team=retail)
    report = run_import(HEADER + "retail-thing,Taken over,content,retail,,,,,\n", bob)
    assert [(e.row, e.column) for e in report.errors] == [(2, "slug")]
    assert Artifact.objects.get(slug="retail-thing").title != "Taken over"


def test_viewers_cannot_import(victor, retail, run_import):
    report = run_import(HEADER + "x,X,content,retail,,,,,\n", victor)
    assert not report.committed and report.errors[0].column == "owner_team"


def test_archived_artifacts_refuse_changes(alice, retail, run_import):
    ArtifactFactory(slug="old", owner_team=retail, archived=True, title="Old")
    report = run_import(HEADER + "old,Old but renamed,content,retail,,,,,\n", alice)
    assert (
        report.errors
        and report.errors[0].column == "slug"
        and "archived" in report.errors[0].message
    )


def test_lookups_are_batched(alice, retail, people, count_queries):
    """Re-importing unchanged rows costs the same number of queries for 2 rows as for 12."""

    def rows(n):
        return [
            {
                "slug": f"item-{i}",
                "title": f"Item {i}",
                "kind": "content",
                "owner_team": "retail",
                "authors": [{"contributor": "HR-1", "role": "originator", "credit_share": 1}],
                "derived_from": [{"artifact": "item-0", "relation": "derived_from"}] if i else [],
            }
            for i in range(n)
        ]

    for n in (2, 12):
        assert import_rows(rows(n), acting_user=alice).committed
    small = count_queries(lambda: import_rows(rows(2), acting_user=alice))
    large = count_queries(lambda: import_rows(rows(12), acting_user=alice))
    assert small == large


def test_existing_authorship_is_compared_not_rewritten(alice, retail, people, run_import):
    artifact = ArtifactFactory(
        slug="kept",
        owner_team=retail,
        title="Kept",
        kind="content",
        tags=["reusable"],
        channels=["web"],
    )
    AuthorshipFactory(artifact=artifact, contributor=people["HR-1"], credit_share=1)
    report = run_import(HEADER + "kept,Kept,content,retail,HR-1|originator|1,,,,\n", alice)
    assert report.unchanged == ["kept"]


def test_blank_optional_cells_leave_existing_values_alone(alice, retail, run_import):
    ArtifactFactory(
        slug="kept",
        owner_team=retail,
        title="Kept",
        kind="content",
        sensitivity="confidential",
        customer_derived=True,
        tags=[],
        channels=[],
    )
    data = "slug,title,kind,owner_team,sensitivity,customer_derived\nkept,Kept,content,,,\nfresh,Fresh,content,retail,,\n"
    report = run_import(data, alice)
    assert report.errors == [] and report.unchanged == ["kept"] and report.created == ["fresh"]
    fresh = Artifact.objects.get(slug="fresh")
    assert (fresh.sensitivity, fresh.customer_derived) == ("internal", False)
