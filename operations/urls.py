"""Routes of the operations app."""

from django.urls import path

from . import views

app_name = "operations"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
]
