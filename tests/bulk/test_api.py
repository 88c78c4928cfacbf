"""API: POST artifacts/import/, GET artifacts/export/, jobs/{id}/, artifacts/{slug}/prov/."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from catalogue import tasks
from catalogue.models import Artifact, BackgroundJob
from catalogue.services.bulk_jobs import ProgressWriter, import_job_run

pytestmark = pytest.mark.django_db

IMPORT = "/api/v1/artifacts/import/"
EXPORT = "/api/v1/artifacts/export/"
CSV = "slug,title,kind,owner_team\nnew-one,New one,content,retail\n"


def upload(text: str, name: str = "f.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def test_import_small_file_returns_the_report(alice, api_client_for):
    response = api_client_for(alice).post(IMPORT, {"file": upload(CSV)}, format="multipart")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["created"] == ["new-one"] and body["committed"] is True and body["errors"] == []
    assert Artifact.objects.filter(slug="new-one").exists()


def test_import_dry_run_writes_nothing(alice, api_client_for):
    response = api_client_for(alice).post(
        IMPORT, {"file": upload(CSV), "dry_run": "true"}, format="multipart"
    )
    assert response.status_code == 200
    assert response.json()["dry_run"] is True and response.json()["created"] == ["new-one"]
    assert not Artifact.objects.exists()


def test_import_errors_are_400_with_row_column_message(alice, api_client_for):
    text = CSV + "new-one,Again,content,retail\nx,X,spaceship,nowhere\n"
    response = api_client_for(alice).post(IMPORT, {"file": upload(text)}, format="multipart")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {(e["row"], e["column"]) for e in errors} == {
        (3, "slug"),
        (4, "kind"),
        (4, "owner_team"),
    }
    assert all(e["message"] for e in errors)
    assert not Artifact.objects.exists()


def test_unreadable_file_is_400(alice, api_client_for):
    data = SimpleUploadedFile("f.csv", CSV.replace("New", "Né").encode("cp1252"))
    response = api_client_for(alice).post(IMPORT, {"file": data}, format="multipart")
    assert response.status_code == 400
    assert "not valid UTF-8" in response.json()["errors"][0]["message"]


def test_oversized_upload_is_refused(alice, api_client_for, settings):
    settings.MAX_UPLOAD_BYTES = 20
    response = api_client_for(alice).post(IMPORT, {"file": upload(CSV)}, format="multipart")
    assert response.status_code == 400
    assert "limit is 20 bytes" in response.json()["errors"][0]["message"]


def test_import_roles(victor, api_client_for, retail):
    assert (
        api_client_for(victor).post(IMPORT, {"file": upload(CSV)}, format="multipart").status_code
        == 403
    )
    assert (
        api_client_for().post(IMPORT, {"file": upload(CSV)}, format="multipart").status_code == 401
    )


def test_large_import_runs_as_a_job(
    alice, bob, api_client_for, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("catalogue.api.bulk.INLINE_IMPORT_ROWS", 1)
    queued = []
    monkeypatch.setattr(tasks.run_import_job, "delay", lambda job_id: queued.append(job_id))
    text = CSV + "second-one,Second,content,retail\n"
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client_for(alice).post(IMPORT, {"file": upload(text)}, format="multipart")
    assert response.status_code == 202
    job_id = response.json()["job"]
    assert queued == [job_id]
    assert response.json()["url"].endswith(f"/api/v1/jobs/{job_id}/")
    assert not Artifact.objects.exists()
    assert tasks.run_import_job(job_id) == "succeeded"
    assert tasks.run_import_job(job_id) == "skipped"  # redelivery does nothing
    body = api_client_for(alice).get(f"/api/v1/jobs/{job_id}/").json()
    assert body["status"] == "succeeded" and sorted(body["result"]["created"]) == [
        "new-one",
        "second-one",
    ]
    assert (body["progress"], body["total"]) == (2, 2)
    assert api_client_for(bob).get(f"/api/v1/jobs/{job_id}/").status_code == 404


def test_job_reports_progress_row_by_row(alice, retail):
    from catalogue.services.bulk_jobs import import_job_create

    job = import_job_create(
        acting_user=alice,
        data=(CSV + "b,B,content,retail\nc,C,content,retail\n").encode(),
        filename="f.csv",
        dry_run=False,
        total=3,
    )

    class Recorder:
        calls: list = []

        def __call__(self, done, total):
            self.calls.append((done, total))

        def close(self):
            pass

    recorder = Recorder()
    import_job_run(job_id=job.pk, progress=recorder)
    assert recorder.calls == [(1, 6), (2, 6), (3, 6), (6, 6), (6, 6)]


@pytest.mark.django_db(transaction=True)
def test_progress_is_visible_while_the_import_transaction_is_open(alice):
    job = BackgroundJob.objects.create(kind="artifact_import", created_by=alice, total=10)
    writer = ProgressWriter(job.pk, interval=0)
    try:
        with transaction.atomic():
            writer(4, 10)
            # another connection (the polling page) sees it although this transaction is open
            assert BackgroundJob.objects.get(pk=job.pk).progress == 4
            BackgroundJob.objects.select_for_update().get(pk=job.pk)
            writer(5, 10)  # the row is locked here: skipped, not waited for
        assert BackgroundJob.objects.get(pk=job.pk).progress == 4
    finally:
        writer.close()


def test_export_streams_csv_and_json(alice, api_client_for, catalogue):
    response = api_client_for(alice).get(EXPORT, {"format": "csv", "kind": "ai_model"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert text.startswith("slug,title,kind")
    assert [line.split(",", 1)[0] for line in text.splitlines()[1:]] == ["churn-model"]
    response = api_client_for(alice).get(EXPORT, {"format": "json"})
    document = json.loads(b"".join(response.streaming_content))
    assert {a["slug"] for a in document["artifacts"]} == {
        "root-dataset",
        "churn-model",
        "cards-journey",
    }


def test_export_bad_parameters_are_400(alice, api_client_for):
    assert api_client_for(alice).get(EXPORT, {"format": "xml"}).status_code == 400
    assert api_client_for(alice).get(EXPORT, {"kind": "spaceship"}).status_code == 400


def test_export_never_includes_what_the_user_may_not_see(victor, bob, api_client_for, catalogue):
    text = b"".join(api_client_for(victor).get(EXPORT).streaming_content).decode()
    assert "cards-secret" not in text
    text = b"".join(api_client_for(bob).get(EXPORT).streaming_content).decode()
    assert "cards-secret" in text


def test_large_export_runs_as_a_job_the_user_downloads(
    alice, victor, api_client_for, catalogue, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("catalogue.bulk.exporter.BACKGROUND_THRESHOLD", 1)
    queued = []
    monkeypatch.setattr(tasks.run_export_job, "delay", lambda job_id: queued.append(job_id))
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client_for(alice).get(EXPORT, {"format": "json"})
    assert response.status_code == 202
    job_id = response.json()["job"]
    assert queued == [job_id]
    assert tasks.run_export_job(job_id) == "succeeded"
    body = api_client_for(alice).get(f"/api/v1/jobs/{job_id}/").json()
    assert body["status"] == "succeeded" and body["download"].endswith(
        f"/api/v1/jobs/{job_id}/download/"
    )
    download = api_client_for(alice).get(f"/api/v1/jobs/{job_id}/download/")
    document = json.loads(b"".join(download.streaming_content))
    assert len(document["artifacts"]) == 3
    assert api_client_for(victor).get(f"/api/v1/jobs/{job_id}/download/").status_code == 404


def test_prov_json_of_ancestry_and_descent(victor, api_client_for, catalogue):
    response = api_client_for(victor).get("/api/v1/artifacts/churn-model/prov/")
    assert response.status_code == 200
    doc = response.json()
    assert set(doc["entity"]) == {
        "catalogue:churn-model",
        "catalogue:root-dataset",
        "catalogue:cards-journey",
    }
    derivations = {
        (d["prov:generatedEntity"], d["prov:usedEntity"], d["prov:type"])
        for d in doc["wasDerivedFrom"].values()
    }
    assert derivations == {
        ("catalogue:churn-model", "catalogue:root-dataset", "derived_from"),
        ("catalogue:cards-journey", "catalogue:churn-model", "composed_of"),
    }
    assert "team:retail" in doc["agent"]
    contributors = [k for k in doc["agent"] if k.startswith("contributor:")]
    assert contributors and all(
        k.removeprefix("contributor:").startswith("contributor-") for k in contributors
    )
    attributions = {(a["prov:entity"], a["prov:role"]) for a in doc["wasAttributedTo"].values()}
    assert ("catalogue:root-dataset", "originator") in attributions and (
        "catalogue:churn-model",
        "owner",
    ) in attributions
    text = json.dumps(doc)
    assert "cards-secret" not in text and "@" not in text  # no hidden artifact, no e-mail


def test_prov_hides_restricted_artifacts(victor, bob, api_client_for, catalogue):
    assert api_client_for(victor).get("/api/v1/artifacts/cards-secret/prov/").status_code == 404
    doc = api_client_for(bob).get("/api/v1/artifacts/root-dataset/prov/").json()
    assert "catalogue:cards-secret" in doc["entity"]


def test_schema_stays_valid(alice, api_client_for):
    response = api_client_for(alice).get("/api/v1/schema/")
    assert response.status_code == 200
    assert b"/api/v1/artifacts/import/" in response.content
