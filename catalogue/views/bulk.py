"""Web pages for bulk files: upload and results, job progress (htmx polling), export, templates."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from ..bulk import exporter
from ..bulk.access import (
    INLINE_IMPORT_ROWS,
    job_file_response,
    may_import,
    stream_export,
    visible_job,
)
from ..bulk.formats import FileProblem, RowError, check_size, parse
from ..bulk.templates import COLUMN_REFERENCE, NOTES, example_csv, example_json
from ..models import BackgroundJob
from ..services.bulk_import import ImportReport, import_rows
from ..services.bulk_jobs import IMPORT_JOB, export_job_create, import_job_create
from ..services.uploads import check_import_file

WEB_SORTS = {
    "newest": "-created_at",
    "title": "title",
    "updated": "-updated_at",
    "relevance": "relevance",
}


def _form_context(**extra) -> dict:
    return {
        "columns": COLUMN_REFERENCE,
        "notes": NOTES,
        "max_bytes": settings.MAX_UPLOAD_BYTES,
        "inline_rows": INLINE_IMPORT_ROWS,
        **extra,
    }


@require_http_methods(["GET", "POST"])
def bulk_import_view(request):
    """Upload a file (dry run or import); small files run at once, large ones as a job."""
    if not may_import(request.user):
        raise PermissionDenied("Only contributors and admins may import artifacts.")
    if request.method == "GET":
        return render(request, "catalogue/bulk/import.html", _form_context())
    upload = request.FILES.get("file")
    dry_run = request.POST.get("dry_run") == "on"
    if upload is None:
        errors = [RowError(None, "file", "Choose a CSV or JSON file to upload.")]
        return render(
            request,
            "catalogue/bulk/import.html",
            _form_context(file_errors=errors, dry_run=dry_run),
            status=400,
        )
    try:
        check_size(upload.size)
        data = upload.read()
        parsed = parse(data, filename=upload.name)
        check_import_file(data, filename=upload.name)
    except FileProblem as exc:
        return render(
            request,
            "catalogue/bulk/import.html",
            _form_context(file_errors=exc.errors, dry_run=dry_run, filename=upload.name),
            status=400,
        )
    if len(parsed.rows) > INLINE_IMPORT_ROWS:
        job = import_job_create(
            acting_user=request.user,
            data=data,
            filename=upload.name,
            dry_run=dry_run,
            total=len(parsed.rows),
        )
        return redirect("catalogue:bulk_job", pk=job.pk)
    report = import_rows(
        parsed.rows,
        acting_user=request.user,
        dry_run=dry_run,
        source=parsed.format,
        reason=f"bulk import of {upload.name}",
    )
    return render(
        request,
        "catalogue/bulk/import_result.html",
        {"report": report, "filename": upload.name},
        status=200 if report.ok else 400,
    )


@require_GET
def bulk_job_view(request, pk: int):
    """A background import or export; htmx polls the progress partial every second."""
    job = visible_job(request.user, pk)
    context = {"job": job, "report": _job_report(job)}
    if request.htmx:
        return render(request, "catalogue/bulk/_job_status.html", context)
    return render(request, "catalogue/bulk/job.html", context)


def _job_report(job: BackgroundJob) -> ImportReport | None:
    if job.kind != IMPORT_JOB or not job.result:
        return None
    result = dict(job.result)
    if "rows" not in result:  # the file itself could not be read
        return ImportReport.from_dict(
            {"dry_run": result.get("dry_run", False), "errors": result.get("errors", [])}
        )
    return ImportReport.from_dict(result)


@require_GET
def bulk_job_download_view(request, pk: int):
    return job_file_response(visible_job(request.user, pk))


@require_GET
def bulk_export_view(request):
    """The catalogue view given by the query string (same filters) as CSV or JSON."""
    fmt = request.GET.get("format", "csv")
    if fmt not in ("csv", "json"):
        raise Http404("Unknown export format.")
    params = request.GET.copy()
    if params.get("sort") in WEB_SORTS and not params.get("ordering"):
        params["ordering"] = WEB_SORTS[params["sort"]]  # the catalogue page's sort names
    queryset = exporter.export_queryset(user=request.user, params=params)
    total = exporter.count_capped(queryset)
    if total > exporter.BACKGROUND_THRESHOLD:
        job = export_job_create(
            acting_user=request.user, fmt=fmt, query=params.urlencode(), total=total
        )
        return redirect("catalogue:bulk_job", pk=job.pk)
    return stream_export(queryset, fmt)


@require_GET
def bulk_template_view(request, fmt: str):
    """Example import files documenting every column."""
    if fmt not in ("csv", "json"):
        raise Http404("Templates exist as .csv and .json.")
    if fmt == "json":
        response = HttpResponse(example_json(), content_type="application/json")
    else:
        response = HttpResponse(example_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="artifacts-template.{fmt}"'
    return response
