"""Root URLconf: the app, authentication, the admin and the health check."""

from django.contrib import admin
from django.urls import include, path

from operations.views import healthz

urlpatterns = [
    path("", include("operations.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]
