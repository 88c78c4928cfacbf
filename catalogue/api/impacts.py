"""withdrawal-impacts/: the consent withdrawal impact rows and their remediation (Rule 5).

Legal and admins see every row; owner-team members see their artifacts' rows; anyone else
gets an empty list and 404 on a row. Remediation goes through `impact_resolve`, which lets
the owner team's maintainers, legal and admins record it (403 for other members).
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from ..models.choices import Remediation
from ..selectors.impacts import impacts_visible_to
from ..services.consent import impact_resolve
from .params import KnownQueryParams


class WithdrawalImpactSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    consent = serializers.IntegerField(source="consent_id", read_only=True)
    consent_status = serializers.CharField(source="consent.status", read_only=True)
    artifact = serializers.CharField(source="artifact.slug", read_only=True)
    owner_team = serializers.CharField(source="artifact.owner_team.slug", read_only=True)
    via = serializers.SerializerMethodField()
    live_reuses = serializers.IntegerField(read_only=True)
    remediation = serializers.CharField(read_only=True)
    note = serializers.CharField(read_only=True)
    resolved_by = serializers.SerializerMethodField()
    resolved_at = serializers.DateTimeField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)

    def get_via(self, obj) -> str | None:
        return obj.via.slug if obj.via_id else None

    def get_resolved_by(self, obj) -> str | None:
        return obj.resolved_by.username if obj.resolved_by_id else None


class RemediatedSerializer(WithdrawalImpactSerializer):
    ended_reuses = serializers.ListField(child=serializers.IntegerField(), read_only=True)


class RemediateSerializer(serializers.Serializer):
    remediation = serializers.ChoiceField(
        choices=[c for c in Remediation.choices if c[0] != Remediation.OPEN]
    )
    note = serializers.CharField(allow_blank=False, trim_whitespace=True)


FILTERS = [
    OpenApiParameter("consent", OpenApiTypes.INT, description="Consent record id"),
    OpenApiParameter("artifact", OpenApiTypes.STR, description="Artifact slug"),
    OpenApiParameter("remediation", OpenApiTypes.STR, enum=Remediation.values),
]


@extend_schema_view(list=extend_schema(parameters=FILTERS))
class WithdrawalImpactViewSet(
    KnownQueryParams, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    query_params = ("consent", "artifact", "remediation")
    serializer_class = WithdrawalImpactSerializer
    permission_classes = [permissions.IsAuthenticated]
    filter_backends: list = []

    def get_queryset(self):
        qs = impacts_visible_to(self.request.user)
        if self.action != "list":
            return qs
        params = self.request.query_params
        errors = {}
        consent = params.get("consent", "")
        if consent:
            if consent.isdigit():
                qs = qs.filter(consent_id=int(consent))
            else:
                errors["consent"] = ["A consent id is a number."]
        if params.get("artifact"):
            qs = qs.filter(artifact__slug=params["artifact"])
        remediation = params.get("remediation", "")
        if remediation:
            if remediation in Remediation.values:
                qs = qs.filter(remediation=remediation)
            else:
                errors["remediation"] = [f"Choose one of {', '.join(Remediation.values)}."]
        if errors:
            raise serializers.ValidationError(errors)
        return qs

    @extend_schema(request=RemediateSerializer, responses={200: RemediatedSerializer})
    @action(detail=True, methods=["post"])
    def remediate(self, request, pk=None, format=None):
        """Record what the owners did (no_action, retrain, remove, replace) with a note.

        `remove` and `replace` end the artifact's live reuses (`ended_on` set, each audited as
        `reuse.ended`); `ended_reuses` lists their ids. `no_action` and `retrain` end nothing.
        """
        impact = get_object_or_404(self.get_queryset(), pk=pk)
        body = RemediateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        resolved = impact_resolve(acting_user=request.user, impact=impact, **body.validated_data)
        data = self.get_serializer(self.get_queryset().get(pk=impact.pk)).data
        data["ended_reuses"] = resolved.ended_reuse_ids
        return Response(data)
