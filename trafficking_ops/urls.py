"""Root URLconf: the app, its API, authentication, the admin and the health check."""

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from operations.views import healthz

urlpatterns = [
    path("", include("operations.urls")),
    path("api/v1/", include("operations.api.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    # Open to anonymous users too, so the login page can be switched to another language.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
]

handler400 = "operations.views.bad_request"
handler403 = "operations.views.permission_denied"
handler404 = "operations.views.page_not_found"
handler500 = "operations.views.server_error"
