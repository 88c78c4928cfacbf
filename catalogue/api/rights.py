"""Policy GET/PUT, the rights check and reuses: thin adapters over the rights services."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from ..models import Artifact, Reuse, Team, Version
from ..models.choices import Action, Channel, Purpose, ReuseMode
from ..querysets import visible_artifacts
from ..selectors.common import visible_artifact
from ..selectors.rights import ReuseFilterSet, reuse_list
from ..services.policy import InvalidPolicy, policy_set
from ..services.reuse import reuse_record
from ..services.rights import rights_check
from .params import REASON_PARAMETER, KnownQueryParams, request_reason


def _visible_artifact(user, slug: str) -> Artifact:
    return visible_artifact(user, slug, "owner_team", "current_policy")


class PolicyView(APIView):
    """The artifact's current reuse policy as ODRL 2.2 JSON-LD."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT}, operation_id="artifacts_policy_retrieve")
    def get(self, request, slug: str):
        artifact = _visible_artifact(request.user, slug)
        if artifact.current_policy is None:
            return Response(
                {"detail": "This artifact has no reuse policy yet."},
                status=status.HTTP_404_NOT_FOUND,
            )
        return _policy_response(artifact.current_policy)

    @extend_schema(
        request=OpenApiTypes.OBJECT,
        responses={
            200: OpenApiTypes.OBJECT,
            400: OpenApiResponse(
                description=(
                    "`odrl`: a list of `{path, message}`: the document is malformed, names a context other than "
                    "the bundled ODRL context (nothing is ever fetched), nests deeper than 64 levels or holds more "
                    "than 500 rules."
                )
            ),
        },
        parameters=[
            REASON_PARAMETER,
            OpenApiParameter(
                "reason", str, description="Older form of the X-Reason header.", deprecated=True
            ),
        ],
        operation_id="artifacts_policy_update",
    )
    def put(self, request, slug: str):
        artifact = _visible_artifact(request.user, slug)
        try:
            policy = policy_set(
                acting_user=request.user,
                artifact=artifact,
                odrl=request.data,
                reason=request_reason(request, fallback=request.query_params.get("reason", "")),
            )
        except InvalidPolicy as exc:
            return Response(
                {"odrl": [i.as_dict() for i in exc.issues]}, status=status.HTTP_400_BAD_REQUEST
            )
        return _policy_response(policy)


def _policy_response(policy) -> Response:
    response = Response(policy.odrl)
    response["X-Policy-Revision"] = str(policy.revision)
    return response


class RightsCheckRequestSerializer(serializers.Serializer):
    team = serializers.SlugRelatedField(slug_field="slug", queryset=Team.objects.all())
    action = serializers.ChoiceField(choices=Action.choices)
    purpose = serializers.ChoiceField(choices=Purpose.choices)
    channel = serializers.ChoiceField(choices=Channel.choices)
    at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    jurisdiction = serializers.RegexField(
        r"^[A-Za-z]{2}$",
        required=False,
        allow_null=True,
        default=None,
        help_text="ISO 3166 alpha-2 code of where the use happens (default: the bank's home "
        "jurisdiction, settings.CATALOGUE_JURISDICTION, GB). IP licences must cover it.",
    )


class ReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class DutySerializer(serializers.Serializer):
    code = serializers.CharField()
    action = serializers.CharField()
    description = serializers.CharField()


class RightsDecisionSerializer(serializers.Serializer):
    decision = serializers.CharField(help_text="permit or deny")
    reasons = ReasonSerializer(many=True)
    duties = DutySerializer(many=True)
    warnings = ReasonSerializer(many=True)
    evaluated_at = serializers.DateTimeField()
    policy_revision = serializers.IntegerField(allow_null=True, required=False)


class RightsCheckView(APIView):
    """May a team do an action on this artifact for a purpose in a channel (now or at `at`)?"""

    @extend_schema(
        request=RightsCheckRequestSerializer,
        responses=RightsDecisionSerializer,
        operation_id="artifacts_rights_check",
    )
    def post(self, request, slug: str):
        artifact = _visible_artifact(request.user, slug)
        data = RightsCheckRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decision = rights_check(artifact=artifact, acting_user=request.user, **data.validated_data)
        return Response(decision.as_dict())


class ReuseSerializer(serializers.ModelSerializer):
    artifact = serializers.SlugRelatedField(slug_field="slug", queryset=Artifact.objects.none())
    team = serializers.SlugRelatedField(slug_field="slug", queryset=Team.objects.all())
    version = serializers.CharField(
        source="version.version", required=False, allow_null=True, default=None
    )
    mode = serializers.ChoiceField(choices=ReuseMode.choices, default=ReuseMode.AS_IS)
    recorded_by: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="username",
        read_only=True,
        allow_null=True,  # null once the recording user is gone
    )

    class Meta:
        model = Reuse
        fields = [
            "id",
            "artifact",
            "version",
            "team",
            "initiative",
            "purpose",
            "channel",
            "mode",
            "occurred_on",
            "ended_on",
            "rights_decision",
            "recorded_by",
            "created_at",
        ]
        read_only_fields = ["id", "ended_on", "rights_decision", "recorded_by", "created_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # Invisible artifacts look exactly like missing ones (Rule 8).
            artifact_field = self.fields["artifact"]
            assert isinstance(
                artifact_field, serializers.RelatedField
            )  # declared above; fields are typed as Field
            artifact_field.queryset = visible_artifacts(request.user)  # type: ignore[arg-type]  # the stubs type the attribute as a Manager descriptor; a QuerySet is what DRF takes

    def validate(self, attrs):
        label = (attrs.pop("version", None) or {}).get("version")
        attrs["version"] = None
        if label:
            version = Version.objects.filter(artifact=attrs["artifact"], version=label).first()
            if version is None:
                raise serializers.ValidationError(
                    {"version": f"No version '{label}' of this artifact."}
                )
            attrs["version"] = version
        return attrs


@extend_schema(
    parameters=[
        OpenApiParameter("artifact", str, description="Artifact slug"),
        OpenApiParameter("team", str, description="Team slug"),
        OpenApiParameter("purpose", str, enum=Purpose.values),
    ]
)
class ReuseViewSet(
    KnownQueryParams, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    query_filterset = ReuseFilterSet
    """Reuses of the artifacts you may see; POST runs the rights check and refuses with 409."""

    serializer_class = ReuseSerializer
    filter_backends: list = []  # filtering is the shared selector's job

    def get_queryset(self):
        return reuse_list(user=self.request.user, params=self.request.query_params, strict=True)

    def perform_create(self, serializer):
        serializer.instance = reuse_record(
            acting_user=self.request.user, **serializer.validated_data
        )
