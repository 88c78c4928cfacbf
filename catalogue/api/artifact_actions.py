"""Nested artifact endpoints: versions/, lineage/, submit/, publish/ (thin adapters)."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from ..models import Lineage, Version
from ..querysets import visible_artifacts
from ..selectors.artifacts import artifact_get
from ..selectors.lineage import ancestor_depths, descendant_depths
from ..services.artifacts import version_create
from ..services.lifecycle import artifact_publish, artifact_submit
from .artifacts import ArtifactSerializer
from .pagination import CursorPagination
from .schema import CONFLICT


class VersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Version
        fields = ["version", "changelog", "uri", "published_at", "created_at"]
        read_only_fields = ["published_at", "created_at"]
        extra_kwargs: dict = {"version": {"validators": []}, "uri": {"validators": []}}


class VersionListCreateView(generics.ListCreateAPIView):
    serializer_class = VersionSerializer
    pagination_class = CursorPagination
    filter_backends: list = []

    def get_queryset(self):
        artifact = artifact_get(user=self.request.user, slug=self.kwargs["slug"])
        return Version.objects.filter(artifact=artifact)

    def create(self, request, *args, **kwargs):
        artifact = artifact_get(user=request.user, slug=self.kwargs["slug"])
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        version = version_create(acting_user=request.user, artifact=artifact, **serializer.validated_data)
        return Response(self.get_serializer(version).data, status=201)


class LineageNodeSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    relation = serializers.CharField()
    depth = serializers.IntegerField()


class LineageSerializer(serializers.Serializer):
    ancestors = LineageNodeSerializer(many=True)
    descendants = LineageNodeSerializer(many=True)


def _nodes(user, artifact, depths: dict[int, int], *, towards: str) -> list[dict]:
    """Visible nodes at their shortest depth, each with the relation of the link that reaches it."""
    if not depths:
        return []
    nodes = {a.pk: a for a in visible_artifacts(user).filter(pk__in=depths).only("pk", "slug", "title")}
    depth_of = {**depths, artifact.pk: 0}
    if towards == "ancestors":
        links = Lineage.objects.filter(parent_id__in=nodes, child_id__in=depth_of).values_list("parent_id", "child_id", "relation")
    else:
        links = Lineage.objects.filter(child_id__in=nodes, parent_id__in=depth_of).values_list("child_id", "parent_id", "relation")
    relation_of: dict[int, str] = {}
    for node_id, via_id, relation in links:
        if depth_of[via_id] == depth_of[node_id] - 1:
            relation_of.setdefault(node_id, relation)
    return sorted(
        (
            {"slug": a.slug, "title": a.title, "relation": relation_of.get(a.pk, ""), "depth": depths[a.pk]}
            for a in nodes.values()
        ),
        key=lambda n: (n["depth"], n["title"]),
    )


class LineageView(APIView):
    @extend_schema(responses=LineageSerializer)
    def get(self, request, slug):
        artifact = artifact_get(user=request.user, slug=slug)
        return Response({
            "ancestors": _nodes(request.user, artifact, ancestor_depths([artifact.pk]), towards="ancestors"),
            "descendants": _nodes(request.user, artifact, descendant_depths([artifact.pk]), towards="descendants"),
        })


class ReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class PublishSerializer(ReasonInputSerializer):
    version = serializers.CharField(required=False, allow_blank=True, default="", help_text="Defaults to the current version.")


def _artifact_response(request, artifact):
    fresh = artifact_get(user=request.user, slug=artifact.slug)
    return Response(ArtifactSerializer(fresh, context={"request": request}).data)


class SubmitView(APIView):
    @extend_schema(request=ReasonInputSerializer, responses={200: ArtifactSerializer, 409: CONFLICT})
    def post(self, request, slug):
        artifact = artifact_get(user=request.user, slug=slug)
        data = ReasonInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        artifact_submit(acting_user=request.user, artifact=artifact, reason=data.validated_data["reason"])
        return _artifact_response(request, artifact)


class PublishView(APIView):
    @extend_schema(request=PublishSerializer, responses={200: ArtifactSerializer, 409: CONFLICT})
    def post(self, request, slug):
        artifact = artifact_get(user=request.user, slug=slug)
        data = PublishSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = None
        if data.validated_data["version"]:
            version = artifact.versions.filter(version=data.validated_data["version"]).first()
            if version is None:
                raise serializers.ValidationError({"version": ["No such version of this artifact."]})
        artifact_publish(
            acting_user=request.user, artifact=artifact, version=version, reason=data.validated_data["reason"]
        )
        return _artifact_response(request, artifact)
