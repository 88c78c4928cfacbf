"""Deprecate, archive, restore and the resemblance check: thin adapters over the services."""

from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from ..models import Artifact
from ..querysets import visible_artifacts
from ..resemblance import resembling_archived_data
from ..selectors.common import visible_artifact
from ..selectors.lessons import retirement_history
from ..services.retirement import artifact_archive, artifact_deprecate, artifact_restore


def _visible_artifact(user, slug: str) -> Artifact:
    return visible_artifact(user, slug, "superseded_by", "retired_by")


class RetirementRecordSerializer(serializers.Serializer):
    """One deprecation or archive decision, kept for good; `restored` ones were undone by a restore."""

    action = serializers.CharField()
    rationale = serializers.CharField()
    lessons_learned = serializers.CharField()
    superseded_by = serializers.CharField(
        allow_null=True, help_text="successor slug (null if you may not see it)"
    )
    sunset_on = serializers.DateField(allow_null=True)
    decided_by = serializers.CharField(
        allow_null=True, help_text="username; null when the system decided"
    )
    decided_at = serializers.DateTimeField()
    restored = serializers.BooleanField()
    restored_at = serializers.DateTimeField(allow_null=True)
    restored_by = serializers.CharField(allow_null=True)
    restore_reason = serializers.CharField()


def retirement_history_data(user, artifact) -> list:
    return list(
        RetirementRecordSerializer(retirement_history(user=user, artifact=artifact), many=True).data
    )


class RetirementStatusSerializer(serializers.ModelSerializer):
    superseded_by: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="slug",
        read_only=True,
        allow_null=True,  # no successor named
    )
    retired_by: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = Artifact
        fields = [
            "slug",
            "status",
            "retirement_rationale",
            "lessons_learned",
            "superseded_by",
            "sunset_on",
            "retired_at",
            "retired_by",
            "updated_at",
            "retirement_history",
        ]
        read_only_fields = fields

    retirement_history = serializers.SerializerMethodField()

    @extend_schema_field(RetirementRecordSerializer(many=True))
    def get_retirement_history(self, artifact) -> list:
        return retirement_history_data(self.context["request"].user, artifact)


class DeprecateSerializer(serializers.Serializer):
    rationale = serializers.CharField(trim_whitespace=True)
    lessons_learned = serializers.CharField(required=False, allow_blank=True, default="")
    superseded_by = serializers.SlugField(
        required=False, allow_null=True, allow_blank=True, default=None
    )
    sunset_on = serializers.DateField(required=False, allow_null=True, default=None)

    def validate_superseded_by(self, value):
        if not value:
            return None
        successor = visible_artifacts(self.context["request"].user).filter(slug=value).first()
        if successor is None:
            raise serializers.ValidationError(f"No artifact '{value}'.")
        return successor


class ArchiveSerializer(serializers.Serializer):
    rationale = serializers.CharField(trim_whitespace=True)
    lessons_learned = serializers.CharField(required=False, allow_blank=True, default="")


class RestoreSerializer(serializers.Serializer):
    reason = serializers.CharField(trim_whitespace=True)


class ResemblanceRequestSerializer(serializers.Serializer):
    title = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    summary = serializers.CharField(required=False, allow_blank=True, default="")
    intent = serializers.CharField(required=False, allow_blank=True, default="")


class ResemblanceMatchSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    status = serializers.CharField()
    retirement_rationale = serializers.CharField()
    lessons_learned = serializers.CharField()
    superseded_by = serializers.CharField(allow_null=True)
    retired_at = serializers.DateTimeField(allow_null=True)
    resemblance = serializers.FloatField()


class ResemblanceResponseSerializer(serializers.Serializer):
    matches = ResemblanceMatchSerializer(many=True)


class _TransitionView(APIView):
    request_serializer: type[serializers.Serializer]
    service: (
        staticmethod  # artifact_deprecate / _archive / _restore(acting_user=, artifact=, **data)
    )

    def post(self, request, slug: str):
        artifact = _visible_artifact(request.user, slug)
        data = self.request_serializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        self.service(acting_user=request.user, artifact=artifact, **data.validated_data)
        artifact = _visible_artifact(request.user, slug)
        return Response(RetirementStatusSerializer(artifact, context={"request": request}).data)


def _transition_schema(request_serializer, operation_id: str):
    return extend_schema_view(
        post=extend_schema(
            request=request_serializer,
            responses=RetirementStatusSerializer,
            operation_id=operation_id,
        )
    )


@_transition_schema(DeprecateSerializer, "artifacts_deprecate")
class ArtifactDeprecateView(_TransitionView):
    request_serializer = DeprecateSerializer
    service = staticmethod(artifact_deprecate)


@_transition_schema(ArchiveSerializer, "artifacts_archive")
class ArtifactArchiveView(_TransitionView):
    request_serializer = ArchiveSerializer
    service = staticmethod(artifact_archive)


@_transition_schema(RestoreSerializer, "artifacts_restore")
class ArtifactRestoreView(_TransitionView):
    request_serializer = RestoreSerializer
    service = staticmethod(artifact_restore)


class ResemblanceView(APIView):
    """Check a draft's title, summary and intent against retired artifacts before saving."""

    @extend_schema(
        request=ResemblanceRequestSerializer,
        responses=ResemblanceResponseSerializer,
        operation_id="artifacts_resemblance",
    )
    def post(self, request):
        data = ResemblanceRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(
            {"matches": resembling_archived_data(user=request.user, **data.validated_data)}
        )
