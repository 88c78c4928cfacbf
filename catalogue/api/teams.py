"""teams/: GET for everyone signed in, POST for admins."""

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response

from ..models import Membership, Team
from ..permissions import is_admin
from ..services.accounts import team_create
from .pagination import CursorPagination
from .params import KnownQueryParams


class TeamMemberSerializer(serializers.Serializer):
    username = serializers.CharField(source="user.username")
    role = serializers.CharField()


class TeamSerializer(serializers.ModelSerializer):
    members = serializers.SerializerMethodField()

    class Meta:
        model = Team
        fields = ["slug", "name", "members", "created_at"]
        read_only_fields = ["members", "created_at"]

    @extend_schema_field(TeamMemberSerializer(many=True))
    def get_members(self, team):
        return TeamMemberSerializer(team.memberships.all(), many=True).data


class TeamPagination(CursorPagination):
    ordering = ("slug", "id")


class TeamViewSet(
    KnownQueryParams,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = TeamSerializer
    lookup_field = "slug"
    pagination_class = TeamPagination
    filter_backends: list = []
    queryset = Team.objects.prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.select_related("user").order_by("user__username"),
        )
    )

    def create(self, request, *args, **kwargs):
        if not is_admin(request.user):
            raise PermissionDenied("Only admins may create teams.")
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        team = team_create(acting_user=request.user, **serializer.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=team.pk)).data, status=201)
