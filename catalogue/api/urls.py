"""/api/v1/: every sub-domain registers its viewsets on the one router here."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from .auth import ObtainTokenView

router = DefaultRouter(trailing_slash=True)

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("", include(router.urls)),
]
