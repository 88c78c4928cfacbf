"""Smoke test of the scale tooling: generate a tiny catalogue, check it, run the quick benchmarks."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count

from catalogue.models import Artifact, AuditEvent, ConsentCoverage, Lineage, Reuse
from catalogue.selectors.lineage import ancestor_depths
from catalogue.services.rollups import rollups_recompute

SECTIONS = 8


def _count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - constant table names
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_generate_then_bench(tmp_path):
    call_command(
        "generate_data",
        artifacts=2000,
        reuses=10000,
        contributors=400,
        consents=300,
        no_progress=True,
    )

    assert Artifact.objects.count() == 2000
    assert Reuse.objects.count() == 10000
    # The search vector trigger fired on COPY; the row-history triggers did not (one audit event instead).
    assert not Artifact.objects.filter(search_vector__isnull=True).exists()
    assert _count("catalogue_artifactevent") == 0
    assert _count("catalogue_reuseevent") == 0
    event = AuditEvent.objects.get(action="data.generated", changes__phase="catalogue")
    assert event.changes["counts"]["artifacts"] == 2000
    assert event.origin["kind"] == "command"
    # Every committed batch carries its own event (Rule 7: audited in the same transaction).
    batches = AuditEvent.objects.filter(action="data.generated").values_list(
        "changes__phase", flat=True
    )
    assert sorted(batches) == ["catalogue", "outcomes", "reuses"]
    # The 1,000-node lineage and the 100 consents covering its root.
    leaf = Artifact.objects.get(slug="scale-chain-0999")
    assert len(ancestor_depths([leaf.pk])) == 999
    assert ConsentCoverage.objects.filter(artifact__slug="scale-chain-0000").count() == 100
    assert Lineage.objects.filter(child_id__gt=leaf.pk).exists()  # the forest beyond the chain
    # Zipf popularity: the most reused artifact far above the median one.
    counts = sorted(
        Reuse.objects.values("artifact").annotate(n=Count("id")).values_list("n", flat=True)
    )
    assert counts[-1] > 20 * counts[len(counts) // 2]
    # Rollups agree with a from-scratch recomputation.
    assert rollups_recompute() == []

    with pytest.raises(CommandError, match="not empty"):
        call_command(
            "generate_data", artifacts=10, reuses=0, contributors=5, consents=0, no_progress=True
        )

    call_command("bench", size="tiny", quick=True, out=str(tmp_path))

    report = json.loads((tmp_path / "report.json").read_text())
    assert [s["number"] for s in report["sections"]] == list(range(1, SECTIONS + 1))
    for section in report["sections"]:
        assert section["figures"], section["title"]
        for figure in section["figures"]:
            assert isinstance(figure["value"], int | float), figure
            assert figure["verdict"] in {"PASS", "MISS", "INFO"}
            assert figure["verdict"] != "MISS" or figure["reason"]
    markdown = (tmp_path / "report.md").read_text()
    for number in range(1, SECTIONS + 1):
        assert f"\n## {number}. " in markdown
    load = report["sections"][7]["measurements"]
    assert load["noop"][0]["requests"] > 0 and load["mixed"][0]["requests"] > 0
