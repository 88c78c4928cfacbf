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
    secret = ArtifactFactory(slug="secret-cards", owner_team=cards, restricted=True, title="Hidden cards model")
    return {"parent": parent, "secret": secret}


@pytest.fixture
def run_import():
    """run_import(data, user, name='f.csv', **kw) -> ImportReport, parsing like every surface does."""
    from catalogue.bulk.formats import parse
    from catalogue.bulk.importer import import_rows

    def run(data, user, name="f.csv", **kwargs):
        if isinstance(data, str):
            data = data.encode("utf-8")
        parsed = parse(data, filename=name)
        return import_rows(parsed.rows, acting_user=user, source=parsed.format, **kwargs)

    return run
