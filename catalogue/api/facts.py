"""artifacts/{slug}/correct-facts/: legal's correction of customer_derived and lineage (Rule 3)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.views import APIView

from ..querysets import visible_artifacts
from ..selectors.artifacts import artifact_get
from ..services.facts import artifact_correct_facts
from .artifact_actions import CONFLICT, _artifact_response
from .artifacts import ArtifactSerializer


class CorrectFactsSerializer(serializers.Serializer):
    reason = serializers.CharField(
        help_text="Why the published facts were wrong (kept in the audit trail)."
    )
    customer_derived = serializers.BooleanField(required=False, allow_null=True, default=None)
    remove_parents = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        default=list,
        help_text="Slugs of parents whose lineage link to this artifact is removed.",
    )
    lift_withdrawals = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Confirm a correction that stops a withdrawn or ended consent from denying artifacts.",
    )


class ArtifactCorrectFactsView(APIView):
    @extend_schema(
        request=CorrectFactsSerializer,
        responses={
            200: ArtifactSerializer,
            403: OpenApiResponse(description="Not legal or admin."),
            409: CONFLICT,
        },
        description=(
            "Legal and admins only. Set `customer_derived` or remove lineage links of published work, "
            "with a reason, audited as `artifact.facts_corrected`. A correction that would lift a consent "
            "withdrawal answers 409 `facts.lifts_withdrawal` unless `lift_withdrawals` is true; then the "
            "lifted (artifact, consent) pairs are audited and legal and the owner teams are notified. "
            "Owner-team edits (PATCH, forms, import) that loosen these facts answer 409 "
            "`facts.customer_derived_locked` / `facts.lineage_locked`."
        ),
    )
    def post(self, request, slug):
        artifact = artifact_get(user=request.user, slug=slug)
        body = CorrectFactsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        wanted = set(data["remove_parents"])
        parents = list(visible_artifacts(request.user).filter(slug__in=wanted))
        missing = sorted(wanted - {p.slug for p in parents})
        if missing:
            raise serializers.ValidationError(
                {"remove_parents": [f"Unknown artifact '{s}'." for s in missing]}
            )
        artifact_correct_facts(
            acting_user=request.user,
            artifact=artifact,
            reason=data["reason"],
            customer_derived=data["customer_derived"],
            remove_parents=parents,
            lift_withdrawals=data["lift_withdrawals"],
        )
        return _artifact_response(request, artifact)
