"""/api/v1/: every sub-domain registers its viewsets on the one router here."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from . import artifact_actions, artifacts, contributors, retirement, teams
from . import audit as audit_api
from . import bulk as bulk_api
from . import facts as facts_api
from . import impacts as impacts_api
from . import legal as legal_api
from . import outcomes as outcomes_api
from . import rights as rights_api
from .auth import ObtainTokenView


class Router(DefaultRouter):
    """Viewsets looked up by their integer `pk` match only digits: `contributors/null,null/` or
    `withdrawal-impacts/false/remediate/` is a 404, never a lookup that fails in the database."""

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        if getattr(viewset, "lookup_field", "pk") == "pk" and not hasattr(
            viewset, "lookup_value_regex"
        ):
            return f"(?P<{lookup_prefix}pk>[0-9]+)"
        return super().get_lookup_regex(viewset, lookup_prefix)


router = Router(trailing_slash=True)
router.register("teams", teams.TeamViewSet, basename="team")
router.register("contributors", contributors.ContributorViewSet, basename="contributor")
router.register("artifacts", artifacts.ArtifactViewSet, basename="artifact")
router.register("reuses", rights_api.ReuseViewSet, basename="reuse")
router.register("metrics", outcomes_api.MetricViewSet, basename="metric")
router.register("outcomes", outcomes_api.OutcomeViewSet, basename="outcome")
router.register("consents", legal_api.ConsentViewSet, basename="consent")
router.register("ip-assignments", legal_api.IPAssignmentViewSet, basename="ip-assignment")
router.register("reviews", legal_api.ReviewViewSet, basename="review")
router.register(
    "withdrawal-impacts", impacts_api.WithdrawalImpactViewSet, basename="withdrawal-impact"
)

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Before the router, so "resemblance" is never read as an artifact slug.
    path(
        "artifacts/resemblance/",
        retirement.ResemblanceView.as_view(),
        name="api-artifact-resemblance",
    ),
    path("artifacts/import/", bulk_api.ArtifactImportView.as_view(), name="api-artifact-import"),
    path("artifacts/export/", bulk_api.ArtifactExportView.as_view(), name="api-artifact-export"),
    path(
        "artifacts/<slug:slug>/prov/", bulk_api.ArtifactProvView.as_view(), name="api-artifact-prov"
    ),
    path("jobs/<int:pk>/", bulk_api.JobDetailView.as_view(), name="api-job-detail"),
    path("jobs/<int:pk>/download/", bulk_api.JobDownloadView.as_view(), name="api-job-download"),
    path(
        "artifacts/<slug:slug>/deprecate/",
        retirement.ArtifactDeprecateView.as_view(),
        name="api-artifact-deprecate",
    ),
    path(
        "artifacts/<slug:slug>/archive/",
        retirement.ArtifactArchiveView.as_view(),
        name="api-artifact-archive",
    ),
    path(
        "artifacts/<slug:slug>/restore/",
        retirement.ArtifactRestoreView.as_view(),
        name="api-artifact-restore",
    ),
    path(
        "artifacts/<slug:slug>/policy/", rights_api.PolicyView.as_view(), name="api-artifact-policy"
    ),
    path(
        "artifacts/<slug:slug>/rights-check/",
        rights_api.RightsCheckView.as_view(),
        name="api-artifact-rights-check",
    ),
    path(
        "artifacts/<slug:slug>/versions/",
        artifact_actions.VersionListCreateView.as_view(),
        name="api-artifact-versions",
    ),
    path(
        "artifacts/<slug:slug>/correct-facts/",
        facts_api.ArtifactCorrectFactsView.as_view(),
        name="api-artifact-correct-facts",
    ),
    path(
        "artifacts/<slug:slug>/lineage/",
        artifact_actions.LineageView.as_view(),
        name="api-artifact-lineage",
    ),
    path(
        "artifacts/<slug:slug>/submit/",
        artifact_actions.SubmitView.as_view(),
        name="api-artifact-submit",
    ),
    path(
        "artifacts/<slug:slug>/publish/",
        artifact_actions.PublishView.as_view(),
        name="api-artifact-publish",
    ),
    path(
        "outcomes/export.csv", outcomes_api.OutcomeExportView.as_view(), name="api-outcomes-export"
    ),
    path(
        "artifacts/<slug:slug>/performance/",
        outcomes_api.ArtifactPerformanceView.as_view(),
        name="api-artifact-performance",
    ),
    path("library/", outcomes_api.LibraryView.as_view(), name="api-library"),
    path("value/", outcomes_api.ValueView.as_view(), name="api-value"),
    path(
        "contributors/<int:pk>/credit/",
        outcomes_api.ContributorCreditView.as_view(),
        name="api-contributor-credit",
    ),
    path(
        "teams/<slug:slug>/credit/", outcomes_api.TeamCreditView.as_view(), name="api-team-credit"
    ),
    path("audit-events/", audit_api.AuditEventListView.as_view(), name="api-audit-events"),
    path(
        "artifacts/<slug:slug>/history/",
        audit_api.ArtifactHistoryView.as_view(),
        name="api-artifact-history",
    ),
    path(
        "artifacts/<slug:slug>/as-of/",
        audit_api.ArtifactAsOfView.as_view(),
        name="api-artifact-as-of",
    ),
    path(
        "artifacts/<slug:slug>/audit-pack/",
        audit_api.ArtifactAuditPackView.as_view(),
        name="api-artifact-audit-pack",
    ),
    path(
        "contributors/<int:pk>/erase/",
        legal_api.ContributorEraseView.as_view(),
        name="api-contributor-erase",
    ),
    path("", include(router.urls)),
]
