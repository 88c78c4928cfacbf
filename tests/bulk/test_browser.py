"""In Chromium: upload a file, watch the job's progress update by itself (htmx under CSP)."""

import pytest

from catalogue import tasks
from catalogue.models import Artifact, BackgroundJob
from catalogue.models import choices as c
from tests.factories import MembershipFactory, TeamFactory, UserFactory

CSV = (
    "slug,title,kind,owner_team\nnew-one,New one,content,retail\nsecond-one,Second,content,retail\n"
)


@pytest.fixture
def importer_user(db):
    team = TeamFactory(slug="retail")
    user = UserFactory(username="imogen", roles=[c.Role.CONTRIBUTOR, c.Role.VIEWER])
    MembershipFactory(team=team, user=user, role=c.MembershipRole.MAINTAINER)
    return user


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_small_upload_shows_the_dry_run_report(
    browser_page, live_server, login, importer_user, tmp_path
):
    path = tmp_path / "artifacts.csv"
    path.write_text(CSV, encoding="utf-8")
    login(browser_page, importer_user)
    browser_page.goto(f"{live_server.url}/import/")
    browser_page.set_input_files("#id_file", str(path))
    browser_page.click("#upload-button")
    browser_page.wait_for_selector("#import-report")
    assert "Importing this file would create 2" in browser_page.inner_text("#import-report")
    assert not Artifact.objects.exists()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_job_page_polls_until_the_import_is_done(
    browser_page, live_server, login, importer_user, tmp_path, monkeypatch
):
    monkeypatch.setattr("catalogue.views.bulk.INLINE_IMPORT_ROWS", 1)
    monkeypatch.setattr(
        tasks.run_import_job, "delay", lambda job_id: None
    )  # the test plays the worker
    path = tmp_path / "artifacts.csv"
    path.write_text(CSV, encoding="utf-8")
    login(browser_page, importer_user)
    browser_page.goto(f"{live_server.url}/import/")
    browser_page.set_input_files("#id_file", str(path))
    browser_page.uncheck("#id_dry_run")
    browser_page.click("#upload-button")
    browser_page.wait_for_selector("progress")
    assert "Waiting for a worker" in browser_page.inner_text("#job-status")
    url = browser_page.url
    tasks.run_import_job(BackgroundJob.objects.get().pk)
    browser_page.wait_for_selector("#import-report", timeout=10000)  # htmx swapped it in, no reload
    assert browser_page.url == url
    assert "Imported: 2 created" in browser_page.inner_text("#job-status")
    assert Artifact.objects.count() == 2
