import pytest

from catalogue.bulk.formats import parse
from catalogue.bulk.templates import example_csv, example_json
from catalogue.models import Artifact, Contributor
from catalogue.services.bulk_import import import_rows

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("maker,name", [(example_csv, "t.csv"), (example_json, "t.json")])
def test_example_files_import(alice, maker, name):
    parsed = parse(maker().encode(), filename=name)
    report = import_rows(parsed.rows, acting_user=alice, source=parsed.format)
    assert report.errors == []
    assert sorted(report.created) == ["card-onboarding-journey", "pricing-grid"]
    journey = Artifact.objects.get(slug="card-onboarding-journey")
    assert journey.current_version.version == "1.1.0"
    assert journey.parent_links.get().parent.slug == "pricing-grid"
    assert Contributor.objects.filter(external_ref__in=["HR-1042", "AG-77"]).count() == 2
    again = import_rows(
        parse(maker().encode(), filename=name).rows, acting_user=alice, source=parsed.format
    )
    assert again.errors == []
    assert sorted(again.unchanged) == ["card-onboarding-journey", "pricing-grid"]
