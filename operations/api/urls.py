"""Routes of the API (/api/v1/, namespace "api"): the lists, their details, the schema, the docs page, the feed."""

from functools import cache

from django.contrib.auth.decorators import login_not_required
from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt

from . import views


@cache
def _schema_view():
    from drf_spectacular.views import SpectacularAPIView  # imported on first use: see schema.py

    return SpectacularAPIView.as_view()


@csrf_exempt  # as every DRF view is: a POST gets DRF's 405, not a CSRF 403
@login_not_required  # the schema describes the API, not the data: open to anyone (client generators fetch it)
def schema(request, *args, **kwargs):
    """The OpenAPI schema (drf-spectacular's view, imported by the first request for it)."""
    return _schema_view()(request, *args, **kwargs)


app_name = "api"

urlpatterns = [
    path("", views.RootView.as_view(), name="root"),
    path("operations/", views.OperationListView.as_view(), name="operations"),
    path("operations/<str:slug>/", views.OperationDetailView.as_view(), name="operation"),
    path("results/", views.ResultListView.as_view(), name="results"),
    path("countries/", views.CountryListView.as_view(), name="countries"),
    path("countries/<str:iso2>/", views.CountryDetailView.as_view(), name="country"),
    path("sources/", views.SourceListView.as_view(), name="sources"),
    path("sources/<str:pk>/", views.SourceDetailView.as_view(), name="source"),
    path("deletions/", views.DeletionListView.as_view(), name="deletions"),
    path("schema/", schema, name="schema"),
    path("docs/", views.DocsView.as_view(), name="docs"),
    re_path(r"^feed/(?P<language>en|es|fr)\.atom$", views.feed, name="feed"),
    re_path(r"^", views.not_found),
]
