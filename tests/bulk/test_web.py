"""Web: import page and results, job page with htmx polling, export, templates."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalogue import tasks
from catalogue.bulk.formats import COLUMNS, parse
from catalogue.models import Artifact, BackgroundJob
from catalogue.services.bulk_import import import_rows

pytestmark = pytest.mark.django_db

CSV = (
    "slug,title,kind,owner_team\nnew-one,New one,content,retail\nsecond-one,Second,content,retail\n"
)


def upload(text, name="f.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


@pytest.fixture
def web(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def test_import_page_documents_every_column(web, alice):
    response = web(alice).get(reverse("catalogue:bulk_import"))
    assert response.status_code == 200
    html = response.content.decode()
    for column in COLUMNS:
        assert f"<code>{column}</code>" in html
    assert reverse("catalogue:bulk_template", args=["csv"]) in html
    assert reverse("catalogue:bulk_template", args=["json"]) in html


def test_viewers_may_not_import(web, victor):
    assert web(victor).get(reverse("catalogue:bulk_import")).status_code == 403


def test_small_file_runs_inline_dry_run_first(web, alice, retail):
    client = web(alice)
    response = client.post(reverse("catalogue:bulk_import"), {"file": upload(CSV), "dry_run": "on"})
    assert response.status_code == 200
    assert "Dry run: nothing was changed" in response.content.decode()
    assert not Artifact.objects.exists()
    response = client.post(reverse("catalogue:bulk_import"), {"file": upload(CSV)})
    assert "Imported: 2 created" in response.content.decode()
    assert Artifact.objects.count() == 2


def test_errors_page_lists_row_column_and_problem(web, alice, retail):
    response = web(alice).post(
        reverse("catalogue:bulk_import"), {"file": upload(CSV + "x,X,spaceship,retail\n")}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "nothing was imported" in html
    assert "<td>4</td><td><code>kind</code></td>" in html
    assert not Artifact.objects.exists()


def test_oversized_and_unreadable_files_are_refused(web, alice, settings):
    settings.MAX_UPLOAD_BYTES = 30
    response = web(alice).post(reverse("catalogue:bulk_import"), {"file": upload(CSV)})
    assert response.status_code == 400 and "the limit is 30 bytes" in response.content.decode()
    settings.MAX_UPLOAD_BYTES = 10_000
    data = SimpleUploadedFile(
        "f.csv", "slug,title,kind,owner_team\nx,Crème,content,retail\n".encode("cp1252")
    )
    response = web(alice).post(reverse("catalogue:bulk_import"), {"file": data})
    assert response.status_code == 400 and "not valid UTF-8" in response.content.decode()


def test_large_file_runs_as_a_job_with_a_progress_page(
    web, alice, bob, retail, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("catalogue.views.bulk.INLINE_IMPORT_ROWS", 1)
    queued = []
    monkeypatch.setattr(tasks.run_import_job, "delay", lambda job_id: queued.append(job_id))
    client = web(alice)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("catalogue:bulk_import"), {"file": upload(CSV)})
    assert len(callbacks) == 1
    job = BackgroundJob.objects.get()
    assert queued == [job.pk]
    assert response.status_code == 302 and response.url == reverse(
        "catalogue:bulk_job", args=[job.pk]
    )
    page = client.get(response.url).content.decode()
    assert 'hx-trigger="every 1s"' in page and "<progress" in page and ">Refresh</a>" in page
    assert 'http-equiv="refresh"' in page  # without JavaScript the page reloads itself too
    tasks.run_import_job(job.pk)
    partial = client.get(response.url, HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in partial and "Imported: 2 created" in partial
    assert "<html" not in partial
    assert web(bob).get(response.url).status_code == 404


def test_export_streams_the_filtered_view(web, alice, catalogue):
    response = web(alice).get(reverse("catalogue:bulk_export") + "?format=csv&kind=ai_model")
    assert response.status_code == 200
    rows = parse(b"".join(response.streaming_content), filename="x.csv").rows
    assert [r["slug"] for r in rows] == ["churn-model"]
    response = web(alice).get(reverse("catalogue:bulk_export") + "?format=json&owner_team=cards")
    rows = parse(b"".join(response.streaming_content), filename="x.json").rows
    assert [r["slug"] for r in rows] == [
        "cards-journey"
    ]  # the restricted one is not alice's to see


def test_large_export_is_downloaded_when_ready(
    web, alice, catalogue, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("catalogue.bulk.exporter.BACKGROUND_THRESHOLD", 1)
    monkeypatch.setattr(tasks.run_export_job, "delay", lambda job_id: None)
    client = web(alice)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.get(reverse("catalogue:bulk_export") + "?format=csv")
    assert len(callbacks) == 1 and response.status_code == 302
    job = BackgroundJob.objects.get()
    tasks.run_export_job(job.pk)
    page = client.get(response.url).content.decode()
    assert reverse("catalogue:bulk_job_download", args=[job.pk]) in page
    download = client.get(reverse("catalogue:bulk_job_download", args=[job.pk]))
    rows = parse(b"".join(download.streaming_content), filename="x.csv").rows
    assert len(rows) == 3


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_templates_download_and_import_cleanly(web, alice, fmt):
    response = web(alice).get(reverse("catalogue:bulk_template", args=[fmt]))
    assert response.status_code == 200
    parsed = parse(response.content, filename=f"t.{fmt}")
    report = import_rows(parsed.rows, acting_user=alice, source=parsed.format, dry_run=True)
    assert report.errors == [] and len(report.created) == 2


def test_unknown_template_format_is_404(web, alice):
    assert web(alice).get(reverse("catalogue:bulk_template", args=["xml"])).status_code == 404


def test_export_keeps_the_catalogue_page_sort(web, admin_user, catalogue):
    response = web(admin_user).get(reverse("catalogue:bulk_export") + "?format=csv&sort=title")
    rows = parse(b"".join(response.streaming_content), filename="x.csv").rows
    titles = [r["title"] for r in rows]
    assert titles == sorted(titles)
