"""Export: round trip through import, formula injection, visibility, streaming cost."""

import csv
import io

import pytest

from catalogue.bulk.exporter import export_queryset, iter_csv, iter_json
from catalogue.bulk.formats import FORMULA_STARTS, NUMBER, parse
from catalogue.services.bulk_import import import_rows
from tests.factories import ArtifactFactory, AuthorshipFactory, ContributorFactory, VersionFactory

from .conftest import snapshot, wipe

pytestmark = pytest.mark.django_db


def export(user, fmt="csv", params=None) -> bytes:
    writer = iter_csv if fmt == "csv" else iter_json
    return "".join(writer(export_queryset(user=user, params=params or {}))).encode("utf-8")


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_round_trip_into_an_empty_catalogue(admin_user, catalogue, fmt):
    before = snapshot()
    data = export(admin_user, fmt)
    wipe()
    assert snapshot() == {}
    parsed = parse(data, filename=f"export.{fmt}")
    report = import_rows(parsed.rows, acting_user=admin_user, source=parsed.format)
    assert report.errors == []
    assert sorted(report.created) == sorted(before)
    assert snapshot() == before
    # and the export of the re-imported catalogue imports as unchanged
    again = parse(export(admin_user, fmt), filename=f"export.{fmt}")
    report = import_rows(again.rows, acting_user=admin_user, source=again.format)
    assert sorted(report.unchanged) == sorted(before) and report.created == report.updated == []


PAYLOADS = [
    '=HYPERLINK("http://evil")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
]


def test_formula_payloads_are_inert_and_negative_numbers_survive(admin_user, retail):
    for i, payload in enumerate(PAYLOADS):
        artifact = ArtifactFactory(
            slug=f"payload-{i}",
            owner_team=retail,
            title=payload,
            summary=payload,
            intent=payload,
            constraints=payload,
            tags=[payload],
            constraint_tags=[payload],
            channels=[],
        )
        VersionFactory(artifact=artifact, version=payload, changelog=payload, uri="")
        contributor = ContributorFactory(external_ref=payload, organisation=payload)
        AuthorshipFactory(artifact=artifact, contributor=contributor, credit_share="0.5")
    ArtifactFactory(
        slug="numbers", owner_team=retail, title="-12", summary="-0.5", tags=["-5"], channels=[]
    )
    data = export(admin_user, "csv")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    for row in body:
        for column, cell in zip(header, row, strict=True):
            assert cell[:1] not in FORMULA_STARTS or NUMBER.fullmatch(cell), (column, cell)
    numbers = dict(zip(header, next(r for r in body if r[0] == "numbers"), strict=True))
    assert (numbers["title"], numbers["summary"], numbers["tags"]) == ("-12", "-0.5", "-5")
    # The importer strips the protection: every value reads back exactly.
    by_slug = {row["slug"]: row for row in parse(data, filename="x.csv").rows}
    for i, payload in enumerate(PAYLOADS):
        row = by_slug[f"payload-{i}"]
        assert [row[f] for f in ("title", "summary", "intent", "constraints")] == [payload] * 4
        assert row["tags"] == [payload.strip()] and row["constraint_tags"] == [payload.strip()]
        assert (
            row["versions"][0]["version"] == payload.strip()
            and row["versions"][0]["changelog"] == payload
        )
        assert (
            row["authors"][0]["contributor"] == payload.strip()
            and row["authors"][0]["organisation"] == payload.strip()
        )
    assert by_slug["numbers"]["title"] == "-12"


def test_strip_stable_payloads_round_trip_through_the_services(alice, retail):
    stable = [p for p in PAYLOADS if p == p.strip()]
    rows = [
        {
            "slug": f"p-{i}",
            "title": p,
            "kind": "content",
            "owner_team": "retail",
            "summary": p,
            "intent": p,
            "constraints": p,
            "tags": [p],
            "versions": [{"version": "1", "changelog": p}],
            "authors": [
                {
                    "contributor": f"X{p}",
                    "role": "originator",
                    "credit_share": 0.5,
                    "kind": "agency",
                    "organisation": p,
                }
            ],
        }
        for i, p in enumerate(stable)
    ]
    assert import_rows(rows, acting_user=alice).committed
    before = snapshot()
    parsed = parse(export(alice, "csv"), filename="x.csv")
    report = import_rows(parsed.rows, acting_user=alice, source="csv")
    assert sorted(report.unchanged) == sorted(before)
    assert snapshot() == before


def test_restricted_rows_and_links_are_never_exported_to_others(victor, bob, catalogue):
    seen_by_victor = export(victor, "json").decode()
    assert "cards-secret" not in seen_by_victor and "Secret scoring" not in seen_by_victor
    assert "cards-journey" in seen_by_victor  # its link to the hidden parent is left out
    seen_by_bob = export(bob, "csv").decode()
    assert "cards-secret" in seen_by_bob


def test_exports_follow_the_catalogue_filters(admin_user, catalogue):
    rows = parse(export(admin_user, "csv", {"kind": ["ai_model"]}), filename="x.csv").rows
    assert [r["slug"] for r in rows] == ["churn-model"]
    rows = parse(export(admin_user, "json", {"owner_team": "cards"}), filename="x.json").rows
    assert sorted(r["slug"] for r in rows) == ["cards-journey", "cards-secret"]


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_costs_the_same_for_2_and_12_artifacts(admin_user, retail, count_queries, fmt):
    def make(n):
        for _ in range(n):
            artifact = ArtifactFactory(owner_team=retail)
            AuthorshipFactory(artifact=artifact)
            VersionFactory(artifact=artifact)

    make(2)
    small = count_queries(lambda: export(admin_user, fmt))
    make(10)
    large = count_queries(lambda: export(admin_user, fmt))
    assert small == large
