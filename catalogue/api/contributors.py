"""contributors/: pseudonymous to everyone; `legal_name`/`email` only for legal and admins (audited)."""

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response

from ..models import Contributor
from ..models.choices import ContributorKind
from ..permissions import is_admin, is_contributor, is_legal
from ..selectors.contributors import (
    contributor_get,
    contributor_list,
    record_personal_data_view,
    shows_personal_data,
)
from ..services.contributors import PERSONAL_FIELDS, contributor_create, contributor_update
from .pagination import CursorPagination
from .params import REASON_PARAMETER, KnownQueryParams, request_reason


class ContributorSerializer(serializers.ModelSerializer):
    """Shape only; the services decide who may write what."""

    kind = serializers.ChoiceField(choices=ContributorKind.choices)
    legal_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    email = serializers.EmailField(required=False, allow_blank=True)

    class Meta:
        model = Contributor
        fields = [
            "id",
            "kind",
            "pseudonym",
            "organisation",
            "external_ref",
            "legal_name",
            "email",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "pseudonym", "created_at", "updated_at"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not shows_personal_data(self.context["request"].user):
            for name in PERSONAL_FIELDS:
                data.pop(name, None)
        return data


class ContributorPagination(CursorPagination):
    def get_ordering(self, request, queryset, view):
        return ("id",)


class ContributorViewSet(
    KnownQueryParams,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    query_params = ("kind", "q")
    serializer_class = ContributorSerializer
    pagination_class = ContributorPagination
    filter_backends: list = []
    http_method_names = ["get", "post", "patch", "head", "options"]
    queryset = Contributor.objects.none()  # for the schema; reads go through the selectors

    def get_queryset(self):
        return contributor_list(user=self.request.user, params=self.request.query_params)

    def get_object(self):
        return contributor_get(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(
        parameters=[
            OpenApiParameter("kind", str, enum=ContributorKind.values),
            OpenApiParameter(
                "q",
                str,
                description="Pseudonym, organisation or external reference (legal/admin: also name and email).",
            ),
        ]
    )
    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        record_personal_data_view(user=request.user, contributors=page)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        contributor = self.get_object()
        record_personal_data_view(user=request.user, contributors=[contributor])
        return Response(self.get_serializer(contributor).data)

    def _ensure_writer(self):
        user = self.request.user
        if not (is_admin(user) or is_legal(user) or is_contributor(user)):
            raise PermissionDenied("Only contributors, legal and admins may record contributors.")

    def create(self, request, *args, **kwargs):
        self._ensure_writer()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        contributor = contributor_create(acting_user=request.user, **serializer.validated_data)
        return Response(self.get_serializer(contributor).data, status=201)

    @extend_schema(parameters=[REASON_PARAMETER])
    def partial_update(self, request, *args, **kwargs):
        self._ensure_writer()
        contributor = self.get_object()
        serializer = self.get_serializer(contributor, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        contributor = contributor_update(
            acting_user=request.user,
            contributor=contributor,
            reason=request_reason(request),
            **serializer.validated_data,
        )
        return Response(self.get_serializer(contributor).data)
