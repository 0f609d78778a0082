from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path("log-ind/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("log-ud/", auth_views.LogoutView.as_view(), name="logout"),
    # Issue 9: the administrator's user administration and the set-password link it e-mails.
    path("brugere/", include("accounts.brugere_urls")),
    path(
        "adgangskode/ny/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "adgangskode/ny/faerdig/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
