"""Fixtures for bulk import/export tests: files under files/, and row counts of every table touched."""

from pathlib import Path

import pytest

from catalogue import models as m

FILES = Path(__file__).parent / "files"

TABLES = (m.Artifact, m.Authorship, m.Version, m.Lineage, m.Contributor, m.AuditEvent)


@pytest.fixture
def read_file():
    def read(name: str) -> bytes:
        return (FILES / name).read_bytes()

    return read


@pytest.fixture
def table_counts():
    """table_counts() -> {model name: rows} for the tables an import writes."""

    def counts() -> dict[str, int]:
        return {model.__name__: model.objects.count() for model in TABLES}

    return counts


@pytest.fixture
def people(db):
    """Two employees known by their HR references."""
    from tests.factories import ContributorFactory

    return {
        "HR-1": ContributorFactory(external_ref="HR-1"),
        "HR-2": ContributorFactory(external_ref="HR-2"),
    }


@pytest.fixture
def existing(retail, cards, people):
    """A retail parent with version 1.0 and a restricted cards artifact alice may not see."""
    from tests.factories import ArtifactFactory, VersionFactory

    parent = ArtifactFactory(slug="existing-parent", owner_team=retail)
    VersionFactory(artifact=parent, version="1.0")
    secret = ArtifactFactory(
        slug="secret-cards", owner_team=cards, restricted=True, title="Hidden cards model"
    )
    return {"parent": parent, "secret": secret}


@pytest.fixture
def run_import():
    """run_import(data, user, name='f.csv', **kw) -> ImportReport, parsing like every surface does."""
    from catalogue.bulk.formats import parse
    from catalogue.services.bulk_import import import_rows

    def run(data, user, name="f.csv", **kwargs):
        if isinstance(data, str):
            data = data.encode("utf-8")
        parsed = parse(data, filename=name)
        return import_rows(parsed.rows, acting_user=user, source=parsed.format, **kwargs)

    return run


@pytest.fixture
def catalogue(retail, cards):
    """A varied catalogue: authors with and without external references, several versions with
    awkward changelogs, lineage with and without parent versions, a restricted cards artifact."""
    from tests.factories import (
        ArtifactFactory,
        AuthorshipFactory,
        ContributorFactory,
        LineageFactory,
        VersionFactory,
    )

    hr = ContributorFactory(external_ref="HR-7", organisation="The Bank")
    agency = ContributorFactory(agency=True, external_ref="")
    customer = ContributorFactory(customer=True, external_ref="CRM-42")
    root = ArtifactFactory(
        slug="root-dataset",
        owner_team=retail,
        kind="dataset",
        title="Root dataset",
        tags=["data", "uk"],
        channels=["internal"],
        constraint_tags=["gdpr"],
        constraints="No export; | pipes \\ backslash",
        customer_derived=True,
        sensitivity="confidential",
    )
    v1 = VersionFactory(
        artifact=root,
        version="1.0",
        changelog="First; with a semicolon",
        uri="https://git.bank.example/root",
    )
    VersionFactory(
        artifact=root,
        version="2.0",
        changelog="Second | with a pipe\nand a newline \\ slash",
        uri="",
    )
    root.current_version = root.versions.get(version="2.0")
    root.save()
    AuthorshipFactory(artifact=root, contributor=hr, role="originator", credit_share="0.5")
    AuthorshipFactory(artifact=root, contributor=agency, role="co_author", credit_share="0.25")
    AuthorshipFactory(artifact=root, contributor=customer, role="reviewer", credit_share="0.125")
    model = ArtifactFactory(
        slug="churn-model",
        owner_team=retail,
        kind="ai_model",
        title="Churn model",
        tags=[],
        channels=[],
    )
    VersionFactory(artifact=model, version="0.1", changelog="", uri="")
    model.current_version = model.versions.get()
    model.save()
    AuthorshipFactory(artifact=model, contributor=hr, role="originator", credit_share=1)
    LineageFactory(child=model, parent=root, relation="derived_from", parent_version=v1)
    secret = ArtifactFactory(
        slug="cards-secret", owner_team=cards, restricted=True, title="Secret scoring"
    )
    LineageFactory(child=secret, parent=root, relation="adapted_from")
    journey = ArtifactFactory(
        slug="cards-journey", owner_team=cards, title="Cards journey", summary="Multi\nline"
    )
    LineageFactory(child=journey, parent=secret, relation="inspired_by")
    LineageFactory(child=journey, parent=model, relation="composed_of")
    return {"root": root, "model": model, "secret": secret, "journey": journey}


def snapshot() -> dict:
    """Everything an import must reproduce, keyed by slug (status and timestamps excluded)."""
    result = {}
    for a in m.Artifact.objects.select_related("owner_team", "current_version").order_by("slug"):
        result[a.slug] = {
            "fields": [
                a.title,
                a.kind,
                a.summary,
                a.intent,
                a.constraints,
                list(a.constraint_tags),
                a.owner_team.slug,
                a.sensitivity,
                a.customer_derived,
                list(a.tags),
                list(a.channels),
            ],
            "authors": sorted(
                (
                    au.contributor.external_ref or au.contributor.pseudonym,
                    au.contributor.kind,
                    au.contributor.organisation,
                    au.role,
                    str(au.credit_share),
                )
                for au in a.authorships.select_related("contributor")
            ),
            "versions": [
                (v.version, v.changelog, v.uri) for v in a.versions.order_by("created_at", "id")
            ],
            "current": a.current_version.version if a.current_version else None,
            "lineage": sorted(
                (
                    link.parent.slug,
                    link.relation,
                    link.parent_version.version if link.parent_version else None,
                )
                for link in a.parent_links.select_related("parent", "parent_version")
            ),
        }
    return result


def wipe() -> None:
    """Empty the catalogue (test transaction only: the audit rows keep dangling ids)."""
    m.Lineage.objects.all().delete()
    m.Artifact.objects.update(current_version=None)
    m.Artifact.objects.all().delete()
    m.Contributor.objects.all().delete()
