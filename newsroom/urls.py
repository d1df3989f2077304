from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from newsroom.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    # Not django.contrib.auth.urls: its password-reset pages are open to anyone and mail reset
    # links; here staff set passwords in the admin, and every other page needs an account.
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password_change/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("duplicates/", include("duplicates.urls")),
    path("", include("articles.urls")),
]
