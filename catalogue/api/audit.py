"""Audit API: the business timeline, an artifact's history, its state as of a moment, its audit pack."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from ..audit_pack import build_pack
from ..models import Artifact, AuditEvent
from ..selectors.as_of import artifact_as_of
from ..selectors.audit import artifact_history, audit_event_list, parse_when
from ..selectors.common import visible_artifact
from .pagination import CursorPagination
from .params import KnownQueryParams


def _visible_artifact(user, slug: str) -> Artifact:
    return visible_artifact(user, slug)


class AuditEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_label", read_only=True)
    artifact: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "occurred_at",
            "actor",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "artifact",
            "reason",
            "origin",
            "changes",
            "context_id",
        ]
        read_only_fields = fields


class AuditEventPagination(CursorPagination):
    ordering = ("-occurred_at", "-id")


FILTERS = [
    OpenApiParameter("object", str, description="type:id, e.g. artifact:42 or artifact:<slug>"),
    OpenApiParameter("actor", str, description="username"),
    OpenApiParameter(
        "action", str, description="e.g. artifact.published, or a prefix such as consent"
    ),
    OpenApiParameter("since", OpenApiTypes.DATETIME),
    OpenApiParameter("until", OpenApiTypes.DATETIME),
]


@extend_schema(parameters=FILTERS)
class AuditEventListView(KnownQueryParams, generics.ListAPIView):
    query_params = ("object", "actor", "action", "since", "until")
    """GET audit-events/: legal and admins only; newest first, cursor-paginated."""

    serializer_class = AuditEventSerializer
    pagination_class = AuditEventPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no real user
            return AuditEvent.objects.none()
        params = self.request.query_params
        return audit_event_list(
            user=self.request.user,
            object=params.get("object"),
            actor=params.get("actor"),
            action=params.get("action"),
            since=parse_when(params.get("since"), "since"),
            until=parse_when(params.get("until"), "until"),
        )


HISTORY_ITEM_FIELDS: dict[str, serializers.Field] = {
    "kind": serializers.ChoiceField(choices=["event", "change"]),
    "at": serializers.DateTimeField(),
    "action": serializers.CharField(),
    "actor": serializers.CharField(),
    "reason": serializers.CharField(),
    "origin": serializers.DictField(),
    "object_type": serializers.CharField(),
    "object_id": serializers.CharField(),
    "changes": serializers.DictField(),
}


class ArtifactHistoryView(KnownQueryParams, APIView):
    """GET artifacts/{slug}/history/: business events and row changes, newest first."""

    nested = True

    @extend_schema(
        parameters=[OpenApiParameter("cursor", str), OpenApiParameter("page_size", int)],
        responses=inline_serializer(
            "ArtifactHistoryPage",
            {
                "results": inline_serializer("ArtifactHistoryItem", HISTORY_ITEM_FIELDS, many=True),
                "next": serializers.URLField(allow_null=True),
                "previous": serializers.URLField(allow_null=True),
            },
        ),
    )
    def get(self, request, slug):
        artifact = _visible_artifact(request.user, slug)
        self.check_query_params(request)
        try:
            size = min(max(int(request.query_params.get("page_size", 50)), 1), 200)
        except ValueError:
            raise ValidationError({"page_size": ["A whole number from 1 to 200."]}) from None
        items, following = artifact_history(
            user=request.user,
            artifact=artifact,
            cursor=request.query_params.get("cursor"),
            size=size,
        )
        next_url = None
        if following:
            query = request.query_params.copy()
            query["cursor"] = following
            next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
        return Response(
            {"results": [i.as_dict() for i in items], "next": next_url, "previous": None}
        )


class ArtifactAsOfView(APIView):
    """GET artifacts/{slug}/as-of/?at=: the artifact, its policy, consents, reviews at that moment."""

    @extend_schema(
        parameters=[OpenApiParameter("at", OpenApiTypes.DATETIME, required=True)],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request, slug):
        at = parse_when(request.query_params.get("at"), "at")
        if at is None:
            raise ValidationError(
                {"at": ["This query parameter is required (ISO 8601 date-time)."]}
            )
        artifact = _visible_artifact(request.user, slug)
        return Response(artifact_as_of(user=request.user, artifact=artifact, at=at))


class ArtifactAuditPackView(APIView):
    """GET artifacts/{slug}/audit-pack/: legal, admins and the owner team."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, slug):
        artifact = _visible_artifact(request.user, slug)
        return Response(build_pack(user=request.user, artifact=artifact))
