"""Root URLconf: the app, its API, authentication, the admin and the health check."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from operations.views import healthz

urlpatterns = [
    path("", include("operations.urls")),
    path("api/v1/", include("operations.api.urls")),
    # Django's auth URLs without the password-reset pages: no e-mail is configured, so they could only pretend to
    # send a link. An administrator sets a forgotten password (README "Roles and accounts").
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password_change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    # Open to anonymous users too, so the login page can be switched to another language.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
]

handler400 = "operations.views.bad_request"
handler403 = "operations.views.permission_denied"
handler404 = "operations.views.page_not_found"
handler500 = "operations.views.server_error"
