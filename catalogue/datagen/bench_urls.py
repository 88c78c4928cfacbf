"""The product's URLs plus `bench/noop`: the framework's floor (middleware, routing, no work)."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import include, path


@login_not_required
def noop(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [
    path("bench/noop", noop, name="bench-noop"),
    path("", include("config.urls")),
]

from config.urls import handler403, handler404, handler500  # noqa: E402,F401 - same error pages
