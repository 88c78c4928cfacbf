"""/api/v1/: every sub-domain registers its viewsets on the one router here."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from . import retirement
from .auth import ObtainTokenView

router = DefaultRouter(trailing_slash=True)

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Before the router, so "resemblance" is never read as an artifact slug.
    path("artifacts/resemblance/", retirement.ResemblanceView.as_view(), name="api-artifact-resemblance"),
    path("artifacts/<slug:slug>/deprecate/", retirement.ArtifactDeprecateView.as_view(), name="api-artifact-deprecate"),
    path("artifacts/<slug:slug>/archive/", retirement.ArtifactArchiveView.as_view(), name="api-artifact-archive"),
    path("artifacts/<slug:slug>/restore/", retirement.ArtifactRestoreView.as_view(), name="api-artifact-restore"),
    path("", include(router.urls)),
]
