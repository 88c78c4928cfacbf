"""Metrics, outcomes (with CSV export), artifact performance, the library and value summaries."""

import csv
import numbers

from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django_filters import rest_framework as dfilters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from ..bulk.formats import neutralise
from ..models import Contributor, Metric, Outcome, Reuse, Team
from ..models.choices import ArtifactKind, MetricDirection
from ..permissions import is_admin
from ..querysets import visible_artifacts
from ..selectors.common import visible_artifact
from ..selectors.credit import contributor_credit, team_credit
from ..selectors.library import DEFAULT_TOP, MAX_TOP, LibraryFilters, library_ranking, value_summary
from ..selectors.performance import artifact_performance, outcome_list
from ..services.outcomes import metric_create, metric_update, outcome_record
from .params import KnownQueryParams

# --- Metrics ---------------------------------------------------------------------------


class MetricSerializer(serializers.ModelSerializer):
    direction = serializers.ChoiceField(choices=MetricDirection.choices)

    class Meta:
        model = Metric
        fields = ["code", "name", "unit", "direction", "min_value", "max_value", "description"]


class MetricUpdateSerializer(MetricSerializer):
    class Meta(MetricSerializer.Meta):
        read_only_fields = ["code"]


class AdminWrites(permissions.IsAuthenticated):
    """Reads for every signed-in user; writes for admins (checked before the body is validated)."""

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        return request.method in permissions.SAFE_METHODS or is_admin(request.user)


class MetricViewSet(
    KnownQueryParams,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The metric catalogue: everyone reads it (unpaginated, it is small); admins add and change it."""

    queryset = Metric.objects.order_by("code")
    permission_classes = [AdminWrites]
    lookup_field = "code"
    pagination_class = None
    filter_backends: list = []
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_serializer_class(self):
        return MetricUpdateSerializer if self.action == "partial_update" else MetricSerializer

    def perform_create(self, serializer):
        serializer.instance = metric_create(
            acting_user=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = metric_update(
            acting_user=self.request.user, metric=serializer.instance, **serializer.validated_data
        )


# --- Outcomes --------------------------------------------------------------------------


class OutcomeFilterSet(dfilters.FilterSet):
    artifact = dfilters.CharFilter(field_name="reuse__artifact__slug")
    team = dfilters.CharFilter(field_name="reuse__team__slug")
    metric = dfilters.CharFilter(field_name="metric__code")
    reuse = dfilters.NumberFilter(field_name="reuse_id")
    period_from = dfilters.DateFilter(field_name="period_end", lookup_expr="gte")
    period_to = dfilters.DateFilter(field_name="period_end", lookup_expr="lte")

    class Meta:
        model = Outcome
        fields: list = []


class OutcomeSerializer(serializers.ModelSerializer):
    reuse = serializers.PrimaryKeyRelatedField(queryset=Reuse.objects.none())
    metric = serializers.SlugRelatedField(slug_field="code", queryset=Metric.objects.all())
    unit = serializers.CharField(
        write_only=True, required=False, help_text="Checked against the metric's unit."
    )
    artifact = serializers.CharField(source="reuse.artifact.slug", read_only=True)
    team = serializers.CharField(source="reuse.team.slug", read_only=True)

    class Meta:
        model = Outcome
        fields = [
            "id",
            "reuse",
            "artifact",
            "team",
            "metric",
            "value",
            "unit",
            "sample_size",
            "period_start",
            "period_end",
            "baseline",
            "note",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # A reuse of an artifact you may not see looks exactly like a missing one (Rule 8).
            reuse_field = self.fields["reuse"]
            assert isinstance(
                reuse_field, serializers.RelatedField
            )  # declared above; fields are typed as Field
            reuse_field.queryset = Reuse.objects.filter(  # type: ignore[arg-type]  # the stubs type the attribute as a Manager descriptor; a QuerySet is what DRF takes
                artifact__in=visible_artifacts(request.user).values("pk")
            ).select_related("team", "artifact")


@extend_schema(
    parameters=[
        OpenApiParameter("artifact", str, description="Artifact slug"),
        OpenApiParameter("team", str, description="Reusing team slug"),
        OpenApiParameter("metric", str, description="Metric code"),
    ]
)
class OutcomeViewSet(
    KnownQueryParams,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Outcomes of reuses of the artifacts you may see; POST records one for your team's reuse."""

    serializer_class = OutcomeSerializer
    filterset_class = OutcomeFilterSet

    def get_queryset(self):
        return outcome_list(self.request.user)

    def perform_create(self, serializer):
        serializer.instance = outcome_record(
            acting_user=self.request.user, **serializer.validated_data
        )


EXPORT_COLUMNS = [
    ("id", "id"),
    ("artifact", "reuse__artifact__slug"),
    ("team", "reuse__team__slug"),
    ("initiative", "reuse__initiative"),
    ("reuse", "reuse_id"),
    ("metric", "metric__code"),
    ("unit", "metric__unit"),
    ("value", "value"),
    ("sample_size", "sample_size"),
    ("period_start", "period_start"),
    ("period_end", "period_end"),
    ("baseline", "baseline"),
    ("note", "note"),
    ("created_at", "created_at"),
]


def csv_cell(value):
    """Numbers stay numbers; text goes through the one CSV formula-injection neutraliser."""
    if value is None:
        return ""
    if isinstance(value, numbers.Number) and not isinstance(value, bool):
        return value
    return neutralise(value.isoformat() if hasattr(value, "isoformat") else str(value))


class _Echo:
    def write(self, value):
        return value


class OutcomeExportView(APIView):
    """CSV of the outcomes you may see (same filters as the list), streamed row by row."""

    @extend_schema(
        responses={(200, "text/csv"): OpenApiTypes.STR},
        operation_id="outcomes_export_csv",
        parameters=[
            OpenApiParameter("artifact", str),
            OpenApiParameter("team", str),
            OpenApiParameter("metric", str),
        ],
    )
    def get(self, request):
        filterset = OutcomeFilterSet(request.query_params, queryset=outcome_list(request.user))
        if not filterset.is_valid():
            return Response(filterset.errors, status=400)
        rows = filterset.qs.values_list(*(path for _, path in EXPORT_COLUMNS)).iterator(
            chunk_size=2000
        )
        writer = csv.writer(_Echo())

        def stream():
            yield writer.writerow([name for name, _ in EXPORT_COLUMNS])
            for row in rows:
                yield writer.writerow([csv_cell(v) for v in row])

        response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="outcomes.csv"'
        return response


# --- Performance, library, value -----------------------------------------------------------


class MetricPerformanceSerializer(serializers.Serializer):
    metric = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField()
    direction = serializers.CharField()
    n = serializers.IntegerField()
    mean = serializers.FloatField(allow_null=True)
    ci_low = serializers.FloatField(allow_null=True)
    ci_high = serializers.FloatField(allow_null=True)
    method = serializers.CharField(help_text="t, bootstrap, or none (a single observation)")


class AdoptionSerializer(serializers.Serializer):
    month = serializers.DateField()
    reuses = serializers.IntegerField()
    teams = serializers.IntegerField()


class PerformanceSerializer(serializers.Serializer):
    artifact = serializers.CharField(source="artifact.slug")
    reuse_count = serializers.IntegerField()
    team_count = serializers.IntegerField()
    last_reused_on = serializers.DateField(allow_null=True)
    metrics = MetricPerformanceSerializer(many=True)
    adoption = AdoptionSerializer(many=True)


class ArtifactPerformanceView(APIView):
    """Reuse count, teams, per-metric n/mean/95% interval and monthly adoption (from the rollups)."""

    @extend_schema(responses=PerformanceSerializer, operation_id="artifacts_performance_retrieve")
    def get(self, request, slug: str):
        artifact = visible_artifact(request.user, slug)
        return Response(PerformanceSerializer(artifact_performance(artifact)).data)


class LibraryQuerySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ArtifactKind.choices, required=False)
    team = serializers.SlugField(required=False, help_text="Owner team slug")
    metric = serializers.SlugField(required=False, help_text="Metric code")
    # `from` is a Python keyword: the query parameters are `from` and `to`.
    period_from = serializers.DateField(required=False)
    period_to = serializers.DateField(required=False)
    top = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_TOP, default=DEFAULT_TOP
    )

    def to_internal_value(self, data):
        data = data.copy()
        for short, long in (("from", "period_from"), ("to", "period_to")):
            if short in data and long not in data:
                data[long] = data[short]
        return super().to_internal_value(data)

    def validate(self, attrs):
        if (
            attrs.get("period_from")
            and attrs.get("period_to")
            and attrs["period_to"] < attrs["period_from"]
        ):
            raise serializers.ValidationError({"to": ["The period cannot end before it starts."]})
        return attrs


class LibraryEntrySerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    kind = serializers.CharField()
    artifact = serializers.CharField(source="artifact_slug")
    title = serializers.CharField(source="artifact_title")
    owner_team = serializers.CharField()
    metric = serializers.CharField()
    unit = serializers.CharField()
    direction = serializers.CharField()
    n = serializers.IntegerField()
    mean = serializers.FloatField(allow_null=True)
    ci_low = serializers.FloatField(allow_null=True)
    ci_high = serializers.FloatField(allow_null=True)
    method = serializers.CharField()
    conservative = serializers.FloatField(
        allow_null=True, help_text="ci_low when higher is better, else ci_high"
    )
    reusable = serializers.BooleanField(
        help_text="Whether the rights check permits teams (any team the policy does not single out) "
        "to use it as is now, for some purpose and channel: the same evaluation as rights-check.",
    )


def library_filters(params) -> LibraryFilters:
    query = LibraryQuerySerializer(data=params)
    query.is_valid(raise_exception=True)
    return LibraryFilters(**query.validated_data)


class LibraryView(KnownQueryParams, APIView):
    """Best practice: per kind and metric, artifacts ranked by the conservative end of the interval.

    Bounded: at most `top` (≤ 50) artifacts per kind and metric. With `from`/`to` the ranking
    is computed from the outcomes whose period ends in that range.
    """

    query_params = ("kind", "team", "metric", "top", "from", "to")

    @extend_schema(
        parameters=[
            LibraryQuerySerializer,
            OpenApiParameter("from", OpenApiTypes.DATE),
            OpenApiParameter("to", OpenApiTypes.DATE),
        ],
        responses=inline_serializer(
            "LibraryPage",
            {
                "results": LibraryEntrySerializer(many=True),
                "next": serializers.CharField(allow_null=True),
                "previous": serializers.CharField(allow_null=True),
            },
        ),
        operation_id="library_list",
    )
    def get(self, request):
        entries = library_ranking(request.user, library_filters(request.query_params))
        return Response(
            {
                "results": LibraryEntrySerializer(entries, many=True).data,
                "next": None,
                "previous": None,
            }
        )


class SavingSerializer(serializers.Serializer):
    metric = serializers.CharField()
    unit = serializers.CharField()
    n = serializers.IntegerField()
    total = serializers.FloatField(allow_null=True)
    total_low = serializers.FloatField(allow_null=True)
    total_high = serializers.FloatField(allow_null=True)
    per_idea = serializers.FloatField(allow_null=True)
    per_idea_low = serializers.FloatField(allow_null=True)
    per_idea_high = serializers.FloatField(allow_null=True)
    method = serializers.CharField()


class ValueRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
    reuses = serializers.IntegerField()
    ideas = serializers.IntegerField(help_text="Distinct artifacts reused")
    savings = serializers.SerializerMethodField()

    @extend_schema_field(SavingSerializer(many=True))
    def get_savings(self, row) -> list[dict]:
        return list(SavingSerializer(list(row.savings.values()), many=True).data)


class ValueSummarySerializer(serializers.Serializer):
    by_team = ValueRowSerializer(many=True)
    by_kind = ValueRowSerializer(many=True)


class ValueView(APIView):
    """Value per reusing team and per kind: reuses, ideas, estimated savings with 95% intervals."""

    @extend_schema(responses=ValueSummarySerializer, operation_id="value_retrieve")
    def get(self, request):
        data = {
            "by_team": value_summary(request.user, by="team"),
            "by_kind": value_summary(request.user, by="kind"),
        }
        return Response(ValueSummarySerializer(data).data)


# --- Credit ------------------------------------------------------------------------------------


class CreditSourceSerializer(serializers.Serializer):
    reused = serializers.CharField(source="reused.slug", help_text="The artifact that was reused")
    via = serializers.CharField(
        source="via.slug", help_text="The credited artifact it derives from"
    )
    hops = serializers.IntegerField()
    reuses = serializers.IntegerField()
    share = serializers.FloatField()
    credit = serializers.FloatField()


class CreditReuseSerializer(serializers.Serializer):
    reuse = serializers.IntegerField(source="reuse.pk")
    artifact = serializers.CharField(source="reuse.artifact.slug")
    team = serializers.CharField(source="reuse.team.slug")
    occurred_on = serializers.DateField(source="reuse.occurred_on")
    hops = serializers.IntegerField()
    credit = serializers.FloatField()


class CreditReportSerializer(serializers.Serializer):
    total = serializers.FloatField()
    sources = CreditSourceSerializer(many=True)
    recent = CreditReuseSerializer(many=True)


class ContributorCreditView(APIView):
    """Reuse credit of a contributor through lineage (each hop halves), and where it came from."""

    @extend_schema(responses=CreditReportSerializer, operation_id="contributors_credit_retrieve")
    def get(self, request, pk: int):
        contributor = get_object_or_404(Contributor, pk=pk)
        return Response(CreditReportSerializer(contributor_credit(request.user, contributor)).data)


class TeamCreditView(APIView):
    """Reuse credit earned by a team's artifacts through lineage, and where it came from."""

    @extend_schema(responses=CreditReportSerializer, operation_id="teams_credit_retrieve")
    def get(self, request, slug: str):
        team = get_object_or_404(Team, slug=slug)
        return Response(CreditReportSerializer(team_credit(request.user, team)).data)
