from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render


def home(request):
    """The landing page; the catalogue sections hang off the navigation."""
    return render(request, "catalogue/home.html")


def _is_api(request) -> bool:
    return request.path_info.startswith("/api/")


def error_404(request, exception):
    # API clients get the API's JSON error shape, also for paths no API view matched.
    if _is_api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return render(request, "404.html", status=404)


def error_403(request, exception):
    if _is_api(request):
        return JsonResponse(
            {"detail": "You do not have permission to perform this action."}, status=403
        )
    return render(request, "403.html", status=403)


def error_500(request):
    if _is_api(request):
        return JsonResponse({"detail": "Server error."}, status=500)
    try:
        return render(request, "500.html", status=500)
    except Exception:  # the page itself needs the database (navigation); never fail twice
        return HttpResponseServerError(
            "<h1>Server error</h1><p>Something went wrong on our side.</p>"
        )
