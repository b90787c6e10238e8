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

handler400 = "operations.views.bad_request"
handler403 = "operations.views.permission_denied"
handler404 = "operations.views.page_not_found"
handler500 = "operations.views.server_error"
