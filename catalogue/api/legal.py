"""consents/, ip-assignments/ (legal and admins only: 403 for everyone else) and reviews/."""

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from ..downloads import file_download
from ..models import (
    Artifact,
    ConsentRecord,
    Contributor,
    IPAssignment,
    Review,
    ReviewDecision,
    Version,
)
from ..models.choices import (
    Channel,
    ConsentMethod,
    ConsentStatus,
    IPKind,
    IPStatus,
    Purpose,
    ReviewDecisionKind,
    ReviewKind,
)
from ..querysets import visible_artifacts
from ..receipts import consent_receipt
from ..selectors import impacts as impact_selectors
from ..selectors.impacts import impact_live_reuse_count, impact_live_reuses
from ..selectors.legal import consent_list, impacts_for_consent, ip_list, reviews_visible_to
from ..services.consent import (
    consent_attach_evidence,
    consent_create,
    consent_end,
    consent_update,
    consent_withdraw,
)
from ..services.ip import (
    ip_assignment_attach_document,
    ip_assignment_create,
    ip_assignment_update,
)
from ..services.privacy import contributor_erase, record_access
from ..services.reviews import review_decide, review_request
from ..services.uploads import ALLOWED_TYPES
from .artifact_actions import CONFLICT
from .params import REASON_PARAMETER, KnownQueryParams, request_reason
from .parsers import LimitedJSONParser, NulFreeFormParser, NulFreeMultiPartParser


class ManagesConsent(permissions.BasePermission):
    """Legal and admins; every other authenticated user gets 403 on every endpoint."""

    message = "Only legal and admins may see or change consent records and IP assignments."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.has_perm("catalogue.manage_consent"))


# --- consents -------------------------------------------------------------------------------


class ConsentSerializer(serializers.ModelSerializer):
    contributor = serializers.PrimaryKeyRelatedField(queryset=Contributor.objects.all())
    artifacts = serializers.SlugRelatedField(
        slug_field="slug", many=True, queryset=Artifact.objects.all(), required=False
    )
    purposes = serializers.ListField(
        child=serializers.ChoiceField(choices=Purpose.choices), allow_empty=False
    )
    method = serializers.ChoiceField(choices=ConsentMethod.choices)
    has_evidence = serializers.SerializerMethodField()

    class Meta:
        model = ConsentRecord
        fields = [
            "id",
            "contributor",
            "artifacts",
            "purposes",
            "status",
            "status_changed_at",
            "status_reason",
            "obtained_at",
            "expires_at",
            "method",
            "notice_version",
            "jurisdiction",
            "external_ref",
            "compensation",
            "has_evidence",
            "evidence_content_type",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "status",
            "status_changed_at",
            "status_reason",
            "evidence_content_type",
            "created_at",
            "updated_at",
        ]

    def get_has_evidence(self, obj) -> bool:
        return bool(obj.evidence)


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField()


class EndSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["withdrawn", "revoked", "invalidated"])
    reason = serializers.CharField()


class EvidenceSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="Parsed as the declared type and virus-scanned; see README 'Uploads'."
    )
    declared_type = serializers.CharField(help_text=", ".join(ALLOWED_TYPES))


UPLOAD_REFUSED = OpenApiResponse(
    inline_serializer(
        "UploadRefused",
        {
            "file": serializers.ListField(child=serializers.CharField(), required=False),
            "declared_type": serializers.ListField(child=serializers.CharField(), required=False),
            "reasons": inline_serializer(
                "UploadRefusalReason",
                {
                    "code": serializers.CharField(
                        help_text="upload.malware, upload.pdf_javascript, upload.polyglot, upload.trailing_data, ..."
                    ),
                    "message": serializers.CharField(),
                },
                many=True,
                required=False,
            ),
            "detail": serializers.CharField(
                required=False, help_text="A body refused before the file is read (e.g. a NUL)."
            ),
        },
    ),
    description="400: the file is refused (malformed, active content, polyglot, bomb, malware), or the body "
    "is (`detail`); "
    "503 upload.scan_unavailable: the virus scanner could not scan it (nothing stored).",
)


class ImpactReuseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    initiative = serializers.CharField()
    team = serializers.CharField(help_text="Team slug")
    artifact = serializers.CharField(help_text="Artifact slug")


class ImpactReusePage(serializers.Serializer):
    results = ImpactReuseSerializer(many=True)
    next = serializers.CharField(allow_null=True)


WITHDRAW_RESPONSE = inline_serializer(
    name="ConsentWithdrawResult",
    fields={
        "status": serializers.CharField(),
        "impact": inline_serializer(
            name="ConsentImpact",
            fields={
                "artifacts": serializers.ListField(child=serializers.CharField()),
                "reuses": ImpactReuseSerializer(
                    many=True,
                    help_text=(
                        "Live reuses of the affected artifacts, by id, at most 200; when `reuses_next` is set, "
                        "GET consents/{id}/impact-reuses/?after=<last id> for the rest."
                    ),
                ),
                "reuse_count": serializers.IntegerField(help_text="How many live reuses in all."),
                "reuses_next": serializers.CharField(allow_null=True),
                "details": serializers.ListField(child=serializers.DictField()),
            },
        ),
    },
)


@extend_schema(
    parameters=[
        OpenApiParameter("view", str, enum=["expiring", "withdrawn"]),
        OpenApiParameter("status", str, enum=ConsentStatus.values),
        OpenApiParameter("contributor", int),
        OpenApiParameter("artifact", str),
    ]
)
class ConsentViewSet(
    KnownQueryParams,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    query_params = ("view", "status", "contributor", "artifact")
    serializer_class = ConsentSerializer
    permission_classes = [permissions.IsAuthenticated, ManagesConsent]
    filter_backends: list = []
    http_method_names = ["get", "post", "patch", "head", "options"]
    parser_classes = [LimitedJSONParser, NulFreeMultiPartParser, NulFreeFormParser]

    def get_queryset(self):
        params = self.request.query_params
        qs = consent_list(view=params.get("view", ""))
        if params.get("status"):
            qs = qs.filter(status=params["status"])
        if params.get("contributor", "").isdigit():
            qs = qs.filter(contributor_id=int(params["contributor"]))
        if params.get("artifact"):
            qs = qs.filter(coverage__artifact__slug=params["artifact"])
        return qs

    def retrieve(self, request, *args, **kwargs):
        consent = self.get_object()
        record_access(
            actor=request.user, action="consent.viewed", obj=consent, detail="API consent detail"
        )
        return Response(self.get_serializer(consent).data)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data["artifacts"] = data.get("artifacts", [])
        serializer.instance = consent_create(
            acting_user=self.request.user, reason=request_reason(self.request), **data
        )

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        return Response(self.get_serializer(self._reload(serializer.instance)).data, status=201)

    @extend_schema(parameters=[REASON_PARAMETER])
    def partial_update(self, request, *args, **kwargs):
        consent = self.get_object()
        serializer = self.get_serializer(consent, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "contributor" in data and data.pop("contributor") != consent.contributor:
            raise serializers.ValidationError(
                {"contributor": ["A consent's contributor cannot change."]}
            )
        consent = consent_update(
            acting_user=request.user, consent=consent, reason=request_reason(request), **data
        )
        return Response(self.get_serializer(self._reload(consent)).data)

    def _reload(self, consent):
        return consent_list().get(pk=consent.pk)

    @extend_schema(request=WithdrawSerializer, responses=WITHDRAW_RESPONSE)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None, format=None):
        consent = self.get_object()
        body = WithdrawSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        impact = consent_withdraw(
            acting_user=request.user, consent=consent, reason=body.validated_data["reason"]
        )
        return self._impact_response(consent, impact)

    @extend_schema(request=EndSerializer, responses=WITHDRAW_RESPONSE)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None, format=None):
        """Revoke (by the bank) or invalidate (found defective): same effect as a withdrawal."""
        consent = self.get_object()
        body = EndSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        impact = consent_end(acting_user=request.user, consent=consent, **body.validated_data)
        return self._impact_response(consent, impact)

    def _impact_response(self, consent, impact):
        rows = list(impacts_for_consent(consent))
        reuses = impact_live_reuses(consent)
        return Response(
            {
                "status": consent.status,
                "impact": {
                    "artifacts": sorted(r.artifact.slug for r in rows),
                    "reuses": reuses,
                    "reuse_count": impact_live_reuse_count(consent),
                    "reuses_next": self._reuses_next(consent, reuses),
                    "details": [
                        {
                            "artifact": r.artifact.slug,
                            "owner_team": r.artifact.owner_team.slug,
                            "via": r.via.slug if r.via is not None else None,
                            "live_reuses": r.live_reuses,
                            "remediation": r.remediation,
                        }
                        for r in rows
                    ],
                },
            }
        )

    def _reuses_next(self, consent, page: list[dict]) -> str | None:
        if len(page) < impact_selectors.IMPACT_REUSES_SHOWN:
            return None
        url = reverse("consent-impact-reuses", args=[consent.pk])
        return self.request.build_absolute_uri(f"{url}?after={page[-1]['id']}")

    @extend_schema(
        parameters=[OpenApiParameter("after", int, description="Last reuse id already seen")],
        responses={200: ImpactReusePage},
        description="Live reuses of the artifacts this consent's ending affects, 200 per page by id.",
    )
    @action(detail=True, methods=["get"], url_path="impact-reuses")
    def impact_reuses(self, request, pk=None):
        consent = self.get_object()
        after = request.query_params.get("after", "0")
        if not after.isdigit():
            raise serializers.ValidationError({"after": ["A reuse id is a number."]})
        page = impact_live_reuses(consent, after=int(after))
        return Response({"results": page, "next": self._reuses_next(consent, page)})

    @extend_schema(
        responses={200: OpenApiTypes.OBJECT}, description="Kantara Consent Receipt v1.1 JSON"
    )
    @action(detail=True, methods=["get"])
    def receipt(self, request, pk=None, format=None):
        consent = self.get_object()
        record_access(
            actor=request.user,
            action="consent.receipt_viewed",
            obj=consent,
            detail="Kantara receipt",
        )
        return Response(consent_receipt(consent))

    @extend_schema(
        request=EvidenceSerializer,
        responses={200: ConsentSerializer, 400: UPLOAD_REFUSED, 503: UPLOAD_REFUSED},
    )
    @action(detail=True, methods=["get", "post"])
    def evidence(self, request, pk=None, format=None):
        consent = self.get_object()
        if request.method == "POST":
            body = EvidenceSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            consent = consent_attach_evidence(
                acting_user=request.user,
                consent=consent,
                uploaded_file=body.validated_data["file"],
                declared_type=body.validated_data["declared_type"],
            )
            return Response(self.get_serializer(self._reload(consent)).data)
        if not consent.evidence:
            raise Http404("No evidence on file.")
        record_access(
            actor=request.user,
            action="consent.evidence_downloaded",
            obj=consent,
            detail="API evidence download",
        )
        return file_download(
            consent.evidence,
            filename=f"consent-{consent.pk}-evidence",
            content_type=consent.evidence_content_type,
        )


# --- IP assignments -----------------------------------------------------------------------


class IPAssignmentSerializer(serializers.ModelSerializer):
    artifact = serializers.SlugRelatedField(slug_field="slug", queryset=Artifact.objects.all())
    assignor = serializers.PrimaryKeyRelatedField(queryset=Contributor.objects.all())
    kind = serializers.ChoiceField(choices=IPKind.choices)
    status = serializers.ChoiceField(choices=IPStatus.choices, required=False)
    has_document = serializers.SerializerMethodField()
    scope_purposes = serializers.ListField(
        child=serializers.ChoiceField(choices=Purpose.choices),
        required=False,
        help_text="Purposes the licence covers; empty: every purpose. Others are denied by the rights check.",
    )
    scope_channels = serializers.ListField(
        child=serializers.ChoiceField(choices=Channel.choices),
        required=False,
        help_text="Channels the licence covers; empty: every channel.",
    )

    class Meta:
        model = IPAssignment
        fields = [
            "id",
            "artifact",
            "assignor",
            "assignee",
            "kind",
            "signed_on",
            "status",
            "scope",
            "scope_purposes",
            "scope_channels",
            "jurisdiction",
            "has_document",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {
            "jurisdiction": {
                "help_text": "ISO 3166 alpha-2 codes, comma-separated; blank or WW: worldwide."
            }
        }
        read_only_fields = ["id", "created_at", "updated_at"]

    def get_has_document(self, obj) -> bool:
        return bool(obj.document)


class IPAssignmentViewSet(
    KnownQueryParams,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    query_params = ("artifact", "status")
    serializer_class = IPAssignmentSerializer
    permission_classes = [permissions.IsAuthenticated, ManagesConsent]
    filter_backends: list = []
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        qs = ip_list()
        params = self.request.query_params
        if params.get("artifact"):
            qs = qs.filter(artifact__slug=params["artifact"])
        if params.get("status"):
            qs = qs.filter(status=params["status"])
        return qs

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assignment = ip_assignment_create(
            acting_user=request.user, reason=request_reason(request), **serializer.validated_data
        )
        return Response(self.get_serializer(assignment).data, status=201)

    @extend_schema(parameters=[REASON_PARAMETER])
    def partial_update(self, request, *args, **kwargs):
        assignment = self.get_object()
        serializer = self.get_serializer(assignment, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        for fixed in ("artifact", "assignor"):
            if fixed in data and data.pop(fixed) != getattr(assignment, fixed):
                raise serializers.ValidationError({fixed: ["Record a new assignment instead."]})
        assignment = ip_assignment_update(
            acting_user=request.user, assignment=assignment, reason=request_reason(request), **data
        )
        return Response(self.get_serializer(assignment).data)

    @extend_schema(
        request=EvidenceSerializer,
        responses={200: IPAssignmentSerializer, 400: UPLOAD_REFUSED, 503: UPLOAD_REFUSED},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        parser_classes=[NulFreeMultiPartParser, NulFreeFormParser],
    )
    def document(self, request, pk=None, format=None):
        """POST a content-checked signed document; GET downloads it (recorded in the audit trail)."""
        assignment = self.get_object()
        if request.method == "POST":
            body = EvidenceSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            assignment = ip_assignment_attach_document(
                acting_user=request.user,
                assignment=assignment,
                uploaded_file=body.validated_data["file"],
                declared_type=body.validated_data["declared_type"],
            )
            return Response(self.get_serializer(assignment).data)
        if not assignment.document:
            raise Http404("No document on file.")
        record_access(
            actor=request.user,
            action="ip_assignment.document_downloaded",
            obj=assignment,
            detail="API document download",
        )
        return file_download(
            assignment.document,
            filename=f"ip-assignment-{assignment.pk}{Path(assignment.document.name).suffix}",
        )


# --- reviews --------------------------------------------------------------------------------


class ReviewDecisionSerializer(serializers.ModelSerializer):
    reviewer = serializers.CharField(source="reviewer.username", read_only=True)

    class Meta:
        model = ReviewDecision
        fields = ["reviewer", "decision", "rationale", "decided_at"]


class ReviewSerializer(serializers.ModelSerializer):
    artifact = serializers.SlugRelatedField(slug_field="slug", queryset=Artifact.objects.all())
    version = serializers.CharField(source="version.version", required=False, allow_null=True)
    kind = serializers.ChoiceField(choices=ReviewKind.choices)
    purposes = serializers.ListField(
        child=serializers.ChoiceField(choices=Purpose.choices), required=False
    )
    requested_by = serializers.CharField(
        source="requested_by.username", read_only=True, default=None
    )
    decisions = ReviewDecisionSerializer(many=True, read_only=True)

    class Meta:
        model = Review
        fields = [
            "id",
            "artifact",
            "version",
            "kind",
            "purposes",
            "status",
            "required_approvals",
            "requested_by",
            "valid_until",
            "decided_at",
            "created_at",
            "decisions",
        ]
        read_only_fields = [
            "id",
            "status",
            "required_approvals",
            "valid_until",
            "decided_at",
            "created_at",
        ]


class DecideSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=ReviewDecisionKind.choices)
    rationale = serializers.CharField()
    valid_until = serializers.DateField(required=False)
    override = serializers.BooleanField(
        default=False,
        help_text="Approve a consent_ip review although the publish gates contradict it (no covering "
        "consent in force, a missing IP assignment...). Needs override_rationale; audited.",
    )
    override_rationale = serializers.CharField(required=False, allow_blank=True, default="")


class ReviewViewSet(
    KnownQueryParams,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    query_params = ("status", "kind", "artifact")
    serializer_class = ReviewSerializer
    filter_backends: list = []

    def get_queryset(self):
        qs = reviews_visible_to(self.request.user).prefetch_related("decisions__reviewer")
        params = self.request.query_params
        for name in ("status", "kind"):
            if params.get(name):
                qs = qs.filter(**{name: params[name]})
        if params.get("artifact"):
            qs = qs.filter(artifact__slug=params["artifact"])
        return qs

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        artifact = data["artifact"]
        if not visible_artifacts(request.user).filter(pk=artifact.pk).exists():
            raise serializers.ValidationError({"artifact": ["Object with slug does not exist."]})
        version = None
        label = (data.get("version") or {}).get("version")
        if label:
            version = Version.objects.filter(artifact=artifact, version=label).first()
            if version is None:
                raise serializers.ValidationError(
                    {"version": [f"'{artifact.slug}' has no version {label}."]}
                )
        review = review_request(
            acting_user=request.user,
            artifact=artifact,
            kind=data["kind"],
            purposes=data.get("purposes", []),
            version=version,
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=review.pk)).data, status=201)

    @extend_schema(
        request=DecideSerializer,
        responses={200: ReviewSerializer, 409: CONFLICT},
        description="Record a decision. 409 lists the reasons it is refused: four eyes (review.own_artifact, "
        "review.own_request, review.same_reviewer, review.legal_reviewer_required, "
        "review.already_decided), or, approving a consent_ip review, the publish gates it "
        "contradicts (publish.consent_missing, publish.ip_assignment_missing) unless "
        "`override` with `override_rationale` (audited as review.gates_overridden).",
    )
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None, format=None):
        review = self.get_object()
        if not request.user.has_perm("catalogue.decide_review"):
            raise PermissionDenied("Only legal reviewers and admins decide reviews.")
        body = DecideSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        review_decide(acting_user=request.user, review=review, **body.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=review.pk)).data)


# --- erasure --------------------------------------------------------------------------------


class EraseSerializer(serializers.Serializer):
    reason = serializers.CharField()
    erase_external_ref = serializers.BooleanField(default=False)


class ContributorEraseView(APIView):
    """POST contributors/{id}/erase/: pseudonymise a contributor (legal and admins)."""

    permission_classes = [permissions.IsAuthenticated, ManagesConsent]

    @extend_schema(
        request=EraseSerializer,
        responses=inline_serializer(
            name="ContributorErased",
            fields={
                "id": serializers.IntegerField(),
                "pseudonym": serializers.CharField(),
                "erased_at": serializers.DateTimeField(),
            },
        ),
    )
    def post(self, request, pk: int):
        contributor = get_object_or_404(Contributor, pk=pk)
        body = EraseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        erased = contributor_erase(
            acting_user=request.user, contributor=contributor, **body.validated_data
        )
        return Response(
            {"id": erased.pk, "pseudonym": erased.pseudonym, "erased_at": erased.erased_at}
        )
