"""Who may import, which jobs a user sees, and the HTTP responses web and API share."""

from django.http import FileResponse, Http404, StreamingHttpResponse

from ..downloads import file_download, harden_download
from ..models import BackgroundJob
from ..permissions import is_admin, is_contributor
from . import exporter

INLINE_IMPORT_ROWS = 500  # larger files run as a background job


def may_import(user) -> bool:
    """Contributors (for their own teams, checked per row by the services) and admins."""
    return is_admin(user) or is_contributor(user)


def visible_job(user, pk: int) -> BackgroundJob:
    """The user's own job (admins: any); everyone else's answers 404."""
    job = BackgroundJob.objects.filter(pk=pk).first()
    if job is None or not (job.created_by_id == user.pk or is_admin(user)):
        raise Http404("No such job.")
    return job


def job_file_response(job: BackgroundJob) -> FileResponse:
    if not job.output_file:
        if job.result.get("files_expired_at"):
            raise Http404(
                "This job's file expired: files are kept for a week. Run the export again."
            )
        raise Http404("This job has no file (yet).")
    fmt = job.params.get("format", "csv")
    return file_download(
        job.output_file,
        filename=f"artifacts-{job.pk}.{fmt}",
        content_type="application/json" if fmt == "json" else "text/csv",
    )


def stream_export(queryset, fmt: str) -> StreamingHttpResponse:
    if fmt == "json":
        response = StreamingHttpResponse(
            exporter.iter_json(queryset), content_type="application/json"
        )
    else:
        response = StreamingHttpResponse(
            exporter.iter_csv(queryset), content_type="text/csv; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="artifacts.{fmt}"'
    harden_download(response)
    return response
