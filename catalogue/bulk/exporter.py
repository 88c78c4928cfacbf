"""Export any filtered catalogue view as CSV or JSON that `import_artifacts` reads back.

Streams: a server-side cursor in chunks of 2,000 with the related rows prefetched per chunk,
so memory stays flat and no query runs per row. Only what the user may see is written: the
list selector starts from `visible_artifacts` and drops links to invisible parents.
"""

import csv
import json
from collections.abc import Callable, Iterator

from django.db.models import Prefetch, QuerySet

from ..models import Artifact, Version
from ..selectors.artifacts import artifact_list
from .formats import COLUMNS, LIST_SEP, PART_SEP, escape, join_escaped, neutralise

CHUNK = 2000
BACKGROUND_THRESHOLD = 20_000
FORMAT_NAME = "catalogue-artifacts"
FORMAT_VERSION = 1


def export_queryset(*, user, params, strict: bool = False) -> QuerySet[Artifact]:
    """The catalogue list for `params` (same filters, visibility and order) plus versions."""
    return artifact_list(user=user, params=params, strict=strict).prefetch_related(
        Prefetch(
            "versions",
            queryset=Version.objects.order_by("created_at", "id"),
            to_attr="export_versions",
        )
    )


def count_capped(queryset: QuerySet, cap: int = BACKGROUND_THRESHOLD) -> int:
    """How many rows, counting no further than cap + 1 (enough to choose inline or background)."""
    return queryset.order_by().values("pk")[: cap + 1].count()


def contributor_ref(contributor) -> str:
    """The portable name of a contributor: its system-of-record reference, else its pseudonym."""
    return contributor.external_ref or contributor.pseudonym


def _share(value) -> float | int:
    number = float(value)
    return int(number) if number.is_integer() else number


def record(artifact: Artifact) -> dict:
    """One artifact in the exchange shape (the JSON file's items; CSV cells derive from it)."""
    return {
        "slug": artifact.slug,
        "title": artifact.title,
        "kind": artifact.kind,
        "owner_team": artifact.owner_team.slug,
        "sensitivity": artifact.sensitivity,
        "customer_derived": artifact.customer_derived,
        "summary": artifact.summary,
        "intent": artifact.intent,
        "constraints": artifact.constraints,
        "constraint_tags": list(artifact.constraint_tags),
        "tags": list(artifact.tags),
        "channels": list(artifact.channels),
        "authors": [
            {
                "contributor": contributor_ref(a.contributor),
                "role": a.role,
                "credit_share": _share(a.credit_share),
                "kind": a.contributor.kind,
                "organisation": a.contributor.organisation,
            }
            for a in artifact.authorships.all()
        ],
        "derived_from": [
            {
                "artifact": link.parent.slug,
                "relation": link.relation,
                **(
                    {"version": link.parent_version.version}
                    if link.parent_version is not None
                    else {}
                ),
            }
            for link in artifact.parent_links.all()
        ],
        "versions": [
            {"version": v.version, "changelog": v.changelog, "uri": v.uri}
            for v in getattr(artifact, "export_versions", None)
            or artifact.versions.order_by("created_at", "id")
        ],
        "status": artifact.status,
    }


def _entries(items: list[list]) -> str:
    # Parts are escaped, so the entry list itself needs no second escaping.
    return (LIST_SEP + " ").join(PART_SEP.join(escape(p) for p in _trim(parts)) for parts in items)


def _trim(parts: list) -> list:
    parts = ["" if p is None else str(p) for p in parts]
    while parts and parts[-1] == "":
        parts.pop()
    return parts


def csv_cells(item: dict) -> dict[str, str]:
    """The CSV cells of one record, each neutralised against formula injection."""
    versions = item["versions"]
    cells = {
        **{
            k: item[k]
            for k in (
                "slug",
                "title",
                "kind",
                "owner_team",
                "sensitivity",
                "summary",
                "intent",
                "constraints",
                "status",
            )
        },
        "customer_derived": "true" if item["customer_derived"] else "false",
        **{k: join_escaped(item[k], LIST_SEP) for k in ("constraint_tags", "tags", "channels")},
        "authors": _entries(
            [
                [a["contributor"], a["role"], a["credit_share"], a["kind"], a["organisation"]]
                for a in item["authors"]
            ]
        ),
        "derived_from": _entries(
            [[d["artifact"], d["relation"], d.get("version")] for d in item["derived_from"]]
        ),
        "version": join_escaped([v["version"] for v in versions], LIST_SEP),
    }
    for key, column in (("changelog", "version_changelog"), ("uri", "version_uri")):
        values = [v[key] for v in versions]
        # One version: the text is written whole (as people type it); several: escaped and joined.
        cells[column] = (
            values[0]
            if len(values) == 1
            else (join_escaped(values, LIST_SEP) if any(values) else "")
        )
    return {k: neutralise(str(v)) for k, v in cells.items()}


class _Line:
    def write(self, value: str) -> str:
        return value


def iter_csv(
    queryset: QuerySet, *, progress: Callable[[int, int], None] | None = None, total: int = 0
) -> Iterator[str]:
    """CSV lines (with a UTF-8 BOM so spreadsheets pick the right encoding)."""
    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow(COLUMNS)
    for done, artifact in enumerate(queryset.iterator(chunk_size=CHUNK), start=1):
        cells = csv_cells(record(artifact))
        yield writer.writerow([cells[c] for c in COLUMNS])
        if progress:
            progress(done, max(total, done))


def iter_json(
    queryset: QuerySet, *, progress: Callable[[int, int], None] | None = None, total: int = 0
) -> Iterator[str]:
    yield f'{{"format": "{FORMAT_NAME}", "version": {FORMAT_VERSION}, "artifacts": [\n'
    for done, artifact in enumerate(queryset.iterator(chunk_size=CHUNK), start=1):
        yield ("" if done == 1 else ",\n") + json.dumps(record(artifact), ensure_ascii=False)
        if progress:
            progress(done, max(total, done))
    yield "\n]}\n"
