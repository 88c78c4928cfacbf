from django.shortcuts import render


def home(request):
    """The landing page; the catalogue sections hang off the navigation."""
    return render(request, "catalogue/home.html")


def error_404(request, exception):
    return render(request, "404.html", status=404)


def error_403(request, exception):
    return render(request, "403.html", status=403)


def error_500(request):
    return render(request, "500.html", status=500)
