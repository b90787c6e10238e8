"""Routes of the operations app. The URL shapes are part of the contract (issues #3, #4, #6): keep them."""

from django.urls import path

from . import views
from .api.profile import ProfileView

app_name = "operations"

urlpatterns = [
    path("", views.OverviewView.as_view(), name="home"),
    path("operations/", views.OperationListView.as_view(), name="operation_list"),
    path("operations/<slug:slug>/", views.OperationDashboardView.as_view(), name="operation_detail"),
    path("results/", views.ResultListView.as_view(), name="result_list"),
    path("countries/", views.CountryListView.as_view(), name="country_list"),
    path("countries/<str:iso2>/", views.CountryDetailView.as_view(), name="country_detail"),
    path("compare/", views.CompareView.as_view(), name="compare"),
    path("about/data/", views.DataDictionaryView.as_view(), name="data_dictionary"),
    path("profile/", ProfileView.as_view(), name="profile"),
]
