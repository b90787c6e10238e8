"""Routes of the API (/api/v1/, namespace "api"): the lists, their details, the schema, the docs page, the feed."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from . import views

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
    # The schema and its docs page describe the API, not the data: open to anyone (client generators fetch them).
    path("schema/", login_not_required(SpectacularAPIView.as_view()), name="schema"),
    path("docs/", views.DocsView.as_view(), name="docs"),
    re_path(r"^feed/(?P<language>en|es|fr)\.atom$", views.feed, name="feed"),
    re_path(r"^", views.not_found),
]
