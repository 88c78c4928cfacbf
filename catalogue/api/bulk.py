"""Bulk files over the API: import, export, background jobs, PROV-JSON lineage (thin adapters)."""

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from ..bulk import exporter
from ..bulk.access import (
    INLINE_IMPORT_ROWS,
    job_file_response,
    may_import,
    stream_export,
    visible_job,
)
from ..bulk.formats import FileProblem, RowError, check_size, parse, parse_bool
from ..bulk.prov import artifact_prov
from ..filters import ArtifactFilterSet
from ..models import BackgroundJob
from ..selectors.artifacts import artifact_get
from ..services.bulk_import import import_rows
from ..services.bulk_jobs import export_job_create, import_job_create
from ..services.uploads import check_import_file
from .parsers import NulFreeFormParser, NulFreeMultiPartParser

ImportReportSerializer = inline_serializer(
    "ImportReport",
    {
        "dry_run": serializers.BooleanField(),
        "committed": serializers.BooleanField(),
        "rows": serializers.IntegerField(),
        "created": serializers.ListField(child=serializers.CharField()),
        "updated": serializers.ListField(child=serializers.CharField()),
        "unchanged": serializers.ListField(child=serializers.CharField()),
        "contributors_created": serializers.ListField(child=serializers.CharField()),
        "errors": inline_serializer(
            "BulkRowError",
            {
                "row": serializers.IntegerField(allow_null=True),
                "column": serializers.CharField(),
                "message": serializers.CharField(),
                "code": serializers.CharField(
                    required=False, help_text="stable code of an upload refusal (upload.*)"
                ),
            },
            many=True,
        ),
    },
)
JobAcceptedSerializer = inline_serializer(
    "BulkJobAccepted",
    {
        "job": serializers.IntegerField(),
        "status": serializers.CharField(),
        "url": serializers.CharField(),
    },
)


def file_problem_response(errors: list[RowError], *, dry_run: bool) -> Response:
    return Response(
        {
            "detail": "The file cannot be imported.",
            "dry_run": dry_run,
            "committed": False,
            "errors": [e.as_dict() for e in errors],
        },
        status=400,
    )


def job_accepted(request, job: BackgroundJob) -> Response:
    url = request.build_absolute_uri(reverse("api-job-detail", args=[job.pk]))
    return Response(
        {"job": job.pk, "status": job.status, "url": url}, status=202, headers={"Location": url}
    )


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    dry_run = serializers.BooleanField(default=False)


class ArtifactImportView(APIView):
    """Import a CSV or JSON file of artifacts: all rows or none; big files run as a job."""

    parser_classes = [NulFreeMultiPartParser, NulFreeFormParser]

    @extend_schema(
        request={"multipart/form-data": ImportUploadSerializer},
        responses={
            200: ImportReportSerializer,
            202: JobAcceptedSerializer,
            400: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description=(
                    "Field errors of the upload form, or a file that cannot be imported: `detail` and the"
                    " `errors` found (row, column, message); a dry run's report has the 200 shape."
                ),
            ),
        },
    )
    def post(self, request):
        if not may_import(request.user):
            raise PermissionDenied("Only contributors and admins may import artifacts.")
        upload = request.FILES.get("file")
        try:
            dry_run = parse_bool(request.data.get("dry_run", False))
        except ValueError as exc:
            return Response({"dry_run": [str(exc)]}, status=400)
        if upload is None:
            return Response({"file": ["Attach a CSV or JSON file as 'file'."]}, status=400)
        try:
            check_size(upload.size)
            data = upload.read()
            parsed = parse(data, filename=upload.name)
            check_import_file(data, filename=upload.name)
        except FileProblem as exc:
            return file_problem_response(exc.errors, dry_run=dry_run)
        if len(parsed.rows) > INLINE_IMPORT_ROWS:
            job = import_job_create(
                acting_user=request.user,
                data=data,
                filename=upload.name,
                dry_run=dry_run,
                total=len(parsed.rows),
            )
            return job_accepted(request, job)
        report = import_rows(
            parsed.rows,
            acting_user=request.user,
            dry_run=dry_run,
            source=parsed.format,
            reason=f"bulk import of {upload.name}",
        )
        return Response(report.as_dict(), status=200 if report.ok else 400)


class ArtifactExportView(APIView):
    """The filtered catalogue (same filters as artifacts/) as CSV or JSON; huge ones as a job."""

    def perform_content_negotiation(self, request, force=False):
        # `format` picks the file format here, not a DRF renderer; errors are always JSON.
        return JSONRenderer(), JSONRenderer.media_type

    @extend_schema(
        parameters=[
            OpenApiParameter("format", OpenApiTypes.STR, enum=["csv", "json"], default="csv"),
            *[
                OpenApiParameter(name, OpenApiTypes.STR, description="as in artifacts/")
                for name in ArtifactFilterSet.base_filters
            ],
        ],
        responses={
            (200, "text/csv"): OpenApiTypes.STR,
            (200, "application/json"): OpenApiTypes.OBJECT,
            202: JobAcceptedSerializer,
        },
    )
    def get(self, request):
        fmt = request.query_params.get("format", "csv")
        if fmt not in ("csv", "json"):
            return Response({"format": ["Use csv or json."]}, status=400)
        queryset = exporter.export_queryset(
            user=request.user, params=request.query_params, strict=True
        )
        total = exporter.count_capped(queryset)
        if total > exporter.BACKGROUND_THRESHOLD:
            job = export_job_create(
                acting_user=request.user,
                fmt=fmt,
                query=request.query_params.urlencode(),
                total=total,
            )
            return job_accepted(request, job)
        return stream_export(queryset, fmt)


class JobSerializer(serializers.ModelSerializer):
    # Plain strings: a job's status is not another "status" enum in the schema.
    status = serializers.CharField(read_only=True, help_text="queued, running, succeeded or failed")
    download = serializers.SerializerMethodField()

    class Meta:
        model = BackgroundJob
        fields = [
            "id",
            "kind",
            "status",
            "progress",
            "total",
            "params",
            "result",
            "created_at",
            "finished_at",
            "download",
        ]

    def get_download(self, job) -> str | None:
        if not job.output_file:
            return None
        return self.context["request"].build_absolute_uri(
            reverse("api-job-download", args=[job.pk])
        )


class JobDetailView(APIView):
    """A background import or export: status, progress, result (its creator and admins)."""

    @extend_schema(responses={200: JobSerializer})
    def get(self, request, pk: int):
        return Response(
            JobSerializer(visible_job(request.user, pk), context={"request": request}).data
        )


class JobDownloadView(APIView):
    """The file a finished export job wrote."""

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, pk: int):
        return job_file_response(visible_job(request.user, pk))


class ArtifactProvView(APIView):
    """W3C PROV-JSON of the artifact's ancestry and descent (visible artifacts, pseudonyms only)."""

    @extend_schema(
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT, description="PROV-JSON document")}
    )
    def get(self, request, slug: str):
        artifact = artifact_get(user=request.user, slug=slug)
        return Response(artifact_prov(user=request.user, artifact=artifact))
