"""Web routes of the catalogue; each sub-domain adds its own module of views."""

from django.urls import path

from .views import home

app_name = "catalogue"

urlpatterns = [
    path("", home.home, name="home"),
]
