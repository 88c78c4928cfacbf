"""Example import files and the column reference shown on the import page (one source)."""

import json

from ..models.choices import (
    ArtifactKind,
    AuthorRole,
    Channel,
    ContributorKind,
    LineageRelation,
    Sensitivity,
)
from .exporter import csv_cells
from .formats import COLUMNS


def _values(choices) -> str:
    return ", ".join(choices.values)


# (column, required for a new artifact, what it holds, example)
COLUMN_REFERENCE: list[tuple[str, bool, str, str]] = [
    (
        "slug",
        True,
        "Unique key (letters, digits, '-' or '_'). Re-importing a slug updates that artifact.",
        "card-onboarding-journey",
    ),
    ("title", True, "Up to 200 characters.", "Card onboarding journey"),
    ("kind", True, f"One of: {_values(ArtifactKind)}.", "customer_journey"),
    ("owner_team", True, "Team slug; contributors may import only for their own teams.", "retail"),
    (
        "sensitivity",
        False,
        f"One of: {_values(Sensitivity)}; blank means internal for a new artifact, unchanged otherwise.",
        "internal",
    ),
    (
        "customer_derived",
        False,
        "true/false (also yes/no, 1/0); blank means false for a new artifact, unchanged otherwise.",
        "false",
    ),
    ("summary", False, "Free text.", "Five-step digital onboarding for new card holders."),
    (
        "intent",
        False,
        "The purpose or hypothesis behind it (needed to publish later).",
        "Cut onboarding drop-out by a third.",
    ),
    ("constraints", False, "Regulatory, data and usage limits, free text.", "UK customers only."),
    ("constraint_tags", False, "Labels separated by ';'.", "uk-only; no-minors"),
    ("tags", False, "Labels separated by ';' (stored in lower case).", "onboarding; cards"),
    ("channels", False, f"Separated by ';', each one of: {_values(Channel)}.", "web; mobile"),
    (
        "authors",
        False,
        "Entries separated by ';', each contributor|role|credit_share[|kind|organisation]. "
        "contributor is a pseudonym or an external reference (consent/HR system); "
        f"role one of {_values(AuthorRole)}; credit_share 0 to 1 (shares add up to at most 1). "
        f"An unknown contributor is created when its kind ({_values(ContributorKind)}) is given, "
        "otherwise it is an error.",
        "HR-1042|originator|0.6|employee|The Bank; AG-77|co_author|0.4|agency|Studio North",
    ),
    (
        "derived_from",
        False,
        f"Lineage: entries separated by ';', each artifact-slug|relation[|version]; relation one of "
        f"{_values(LineageRelation)}. The parent may be another row of the same file, in any order.",
        "pricing-grid|adapted_from|1.0.0",
    ),
    (
        "version",
        False,
        "Version string; several versions separated by ';' (oldest first, the last becomes current). "
        "Existing versions are kept; new ones are added.",
        "1.0.0",
    ),
    (
        "version_changelog",
        False,
        "What changed; with several versions, one per version separated by ';'.",
        "First release.",
    ),
    (
        "version_uri",
        False,
        "Where the version lives (URL); with several versions, separated by ';'.",
        "https://git.bank.example/journeys/onboarding",
    ),
    (
        "status",
        False,
        "Written by exports for information; ignored on import (publishing has its own checks).",
        "draft",
    ),
]

NOTES = [
    "Files must be UTF-8 (with or without a byte order mark); CSV may use ',', ';' or tab between columns.",
    "A column left out of the file leaves that field unchanged on artifacts that already exist.",
    "Inside a cell write a literal ';' or '|' as '\\;' or '\\|' (a single version's changelog and URI need no escaping).",
    "A leading apostrophe that protects a cell starting with =, +, -, @, tab or carriage return is removed on import.",
    "Everything is checked first; if any row has a problem, nothing is imported and every problem is listed.",
]

assert [c for c, *_ in COLUMN_REFERENCE] == list(COLUMNS), "the reference documents every column"

EXAMPLE = [
    {
        "slug": "pricing-grid",
        "title": "Tiered pricing grid",
        "kind": "pricing_design",
        "owner_team": "retail",
        "sensitivity": "internal",
        "customer_derived": False,
        "summary": "Three-tier fee grid with a loyalty discount.",
        "intent": "Test price elasticity by segment.",
        "constraints": "Fees reviewed by the pricing committee.",
        "constraint_tags": ["pricing-committee"],
        "tags": ["pricing", "fees"],
        "channels": ["web", "branch"],
        "authors": [
            {
                "contributor": "HR-1042",
                "role": "originator",
                "credit_share": 1,
                "kind": "employee",
                "organisation": "The Bank",
            }
        ],
        "derived_from": [],
        "versions": [
            {
                "version": "1.0.0",
                "changelog": "First release.",
                "uri": "https://git.bank.example/pricing/grid",
            }
        ],
    },
    {
        "slug": "card-onboarding-journey",
        "title": "Card onboarding journey",
        "kind": "customer_journey",
        "owner_team": "retail",
        "sensitivity": "confidential",
        "customer_derived": True,
        "summary": "Five-step digital onboarding for new card holders.",
        "intent": "Cut onboarding drop-out by a third.",
        "constraints": "UK customers only.",
        "constraint_tags": ["uk-only"],
        "tags": ["onboarding", "cards"],
        "channels": ["web", "mobile"],
        "authors": [
            {
                "contributor": "HR-1042",
                "role": "originator",
                "credit_share": 0.6,
                "kind": "employee",
                "organisation": "The Bank",
            },
            {
                "contributor": "AG-77",
                "role": "co_author",
                "credit_share": 0.4,
                "kind": "agency",
                "organisation": "Studio North",
            },
        ],
        "derived_from": [
            {"artifact": "pricing-grid", "relation": "inspired_by", "version": "1.0.0"}
        ],
        "versions": [
            {
                "version": "1.0.0",
                "changelog": "Pilot.",
                "uri": "https://git.bank.example/journeys/onboarding",
            },
            {
                "version": "1.1.0",
                "changelog": "Shorter identity step.",
                "uri": "https://git.bank.example/journeys/onboarding",
            },
        ],
    },
]


def example_json() -> str:
    return (
        json.dumps(
            {"format": "catalogue-artifacts", "version": 1, "artifacts": EXAMPLE},
            indent=2,
            ensure_ascii=False,
        )
        + "\n"
    )


def example_csv() -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for item in EXAMPLE:
        cells = csv_cells({**item, "status": "draft"})
        writer.writerow([cells[c] for c in COLUMNS])
    return "\ufeff" + out.getvalue()
