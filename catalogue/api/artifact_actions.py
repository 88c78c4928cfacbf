"""Nested artifact endpoints: versions/, lineage/, submit/, publish/ (thin adapters)."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from ..models import Lineage, Version
from ..querysets import visible_artifacts
from ..selectors.artifacts import artifact_get
from ..selectors.impacts import inherited_consent_state
from ..selectors.lineage import relatives_of
from ..services.artifacts import version_create
from ..services.lifecycle import artifact_publish, artifact_submit
from .artifacts import ArtifactSerializer
from .pagination import CursorPagination
from .params import REASON_PARAMETER, KnownQueryParams, request_reason
from .schema import CONFLICT


class VersionSerializer(serializers.ModelSerializer):
    status = serializers.SerializerMethodField(
        help_text="draft until published through the publish gates (POST publish/ with this version); "
        "only published versions can be reused, and they never change."
    )

    class Meta:
        model = Version
        fields = ["version", "changelog", "uri", "status", "published_at", "created_at"]
        read_only_fields = ["published_at", "created_at"]
        extra_kwargs: dict = {"version": {"validators": []}, "uri": {"validators": []}}

    def get_status(self, version) -> str:
        return "published" if version.published_at else "draft"


class VersionListCreateView(KnownQueryParams, generics.ListCreateAPIView):
    serializer_class = VersionSerializer
    pagination_class = CursorPagination
    filter_backends: list = []
    nested = True

    def get_queryset(self):
        artifact = artifact_get(user=self.request.user, slug=self.kwargs["slug"])
        self.check_query_params(self.request)
        return Version.objects.filter(artifact=artifact)

    @extend_schema(
        description="Add a version (a draft). Before the first publish it becomes `current_version`; "
        "on a published artifact the current version stays the newest published one until "
        "this one is published (POST publish/ with `version`). On a customer-derived or "
        "restricted artifact past draft, it opens a consent_ip review of this version.",
        responses={201: VersionSerializer, 409: CONFLICT},
        parameters=[REASON_PARAMETER],
    )
    def create(self, request, *args, **kwargs):
        artifact = artifact_get(user=request.user, slug=self.kwargs["slug"])
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        version = version_create(
            acting_user=request.user,
            artifact=artifact,
            reason=request_reason(request),
            **serializer.validated_data,
        )
        return Response(self.get_serializer(version).data, status=201)


class LineageNodeSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    relation = serializers.CharField()
    depth = serializers.IntegerField()


class InheritedConsentSerializer(serializers.Serializer):
    consent = serializers.IntegerField(source="consent_id")
    state = serializers.CharField(source="problem", help_text="Stable code, e.g. consent.withdrawn")
    since = serializers.DateTimeField(allow_null=True)
    ancestor = serializers.CharField(
        allow_null=True, help_text="Slug; null when you may not see that ancestor"
    )
    hops = serializers.IntegerField()


class LineageSerializer(serializers.Serializer):
    ancestors = LineageNodeSerializer(many=True)
    descendants = LineageNodeSerializer(many=True)
    inherited_consents = InheritedConsentSerializer(
        many=True,
        help_text="Ended consents (withdrawn, revoked, expired...) of customer-derived ancestors: "
        "the rights check denies this artifact because of them.",
    )


def _nodes(user, artifact, depths: dict[int, int], *, towards: str) -> list[dict]:
    """Visible nodes at their shortest depth, each with the relation of the link that reaches it."""
    if not depths:
        return []
    nodes = {
        a.pk: a for a in visible_artifacts(user).filter(pk__in=depths).only("pk", "slug", "title")
    }
    depth_of = {**depths, artifact.pk: 0}
    if towards == "ancestors":
        links = Lineage.objects.filter(parent_id__in=nodes, child_id__in=depth_of).values_list(
            "parent_id", "child_id", "relation"
        )
    else:
        links = Lineage.objects.filter(child_id__in=nodes, parent_id__in=depth_of).values_list(
            "child_id", "parent_id", "relation"
        )
    relation_of: dict[int, str] = {}
    for node_id, via_id, relation in links:
        if depth_of[via_id] == depth_of[node_id] - 1:
            relation_of.setdefault(node_id, relation)
    return sorted(
        (
            {
                "slug": a.slug,
                "title": a.title,
                "relation": relation_of.get(a.pk, ""),
                "depth": depths[a.pk],
            }
            for a in nodes.values()
        ),
        key=lambda n: (n["depth"], n["title"]),
    )


class LineageView(APIView):
    @extend_schema(responses=LineageSerializer)
    def get(self, request, slug):
        artifact = artifact_get(user=request.user, slug=slug)
        relatives = relatives_of(artifact)
        inherited = inherited_consent_state(artifact, user=request.user)
        return Response(
            {
                "ancestors": _nodes(request.user, artifact, relatives.up, towards="ancestors"),
                "descendants": _nodes(
                    request.user, artifact, relatives.down, towards="descendants"
                ),
                "inherited_consents": InheritedConsentSerializer(inherited, many=True).data,
            }
        )


class ReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class PublishSerializer(ReasonInputSerializer):
    version = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="First publish: defaults to the current version. A published artifact: the later version "
        "to publish, by default its newest unpublished one.",
    )


def _artifact_response(request, artifact):
    fresh = artifact_get(user=request.user, slug=artifact.slug)
    return Response(ArtifactSerializer(fresh, context={"request": request}).data)


class SubmitView(APIView):
    @extend_schema(
        request=ReasonInputSerializer, responses={200: ArtifactSerializer, 409: CONFLICT}
    )
    def post(self, request, slug):
        artifact = artifact_get(user=request.user, slug=slug)
        data = ReasonInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        artifact_submit(
            acting_user=request.user, artifact=artifact, reason=data.validated_data["reason"]
        )
        return _artifact_response(request, artifact)


class PublishView(APIView):
    @extend_schema(
        request=PublishSerializer,
        responses={200: ArtifactSerializer, 409: CONFLICT},
        description="Publish the artifact with a version, or a later version of a published artifact, "
        "through the same gates. 409 lists every failing gate: publish.intent_missing, "
        "publish.originator_missing, publish.policy_missing, publish.version_missing, "
        "publish.consent_ip_review_missing (an approved review of that version), "
        "publish.consent_missing, publish.ip_assignment_missing; and "
        "version.already_published, lifecycle.transition_not_allowed, artifact.archived.",
    )
    def post(self, request, slug):
        artifact = artifact_get(user=request.user, slug=slug)
        data = PublishSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = None
        if data.validated_data["version"]:
            version = artifact.versions.filter(version=data.validated_data["version"]).first()
            if version is None:
                raise serializers.ValidationError(
                    {"version": ["No such version of this artifact."]}
                )
        artifact_publish(
            acting_user=request.user,
            artifact=artifact,
            version=version,
            reason=data.validated_data["reason"],
        )
        return _artifact_response(request, artifact)
