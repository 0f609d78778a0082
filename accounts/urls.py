from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts import oidc_views, views
from accounts.tokens import adgangskode_link_tokens

urlpatterns = [
    # Issue 26: the login page has a button per myndighed with single sign-on, and log
    # out offers the provider's log out after an SSO login.
    path("log-ind/", oidc_views.LoginView.as_view(), name="login"),
    path("log-ud/", oidc_views.LogoutView.as_view(), name="logout"),
    path("sso/", include("accounts.oidc_urls")),
    path("brugere/sso/", include("accounts.oidc_admin_urls")),
    # Issue 9: the administrator's user administration and the set-password link it e-mails.
    path("brugere/", include("accounts.brugere_urls")),
    path(
        "adgangskode/ny/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(token_generator=adgangskode_link_tokens),
        name="password_reset_confirm",
    ),
    path(
        "adgangskode/ny/faerdig/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "adgangskode/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "adgangskode/skiftet/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("to-faktor/", views.totp_verify, name="totp_verify"),
    path("to-faktor/opret/", views.totp_enrol, name="totp_enrol"),
    path("to-faktor/gendannelseskoder/", views.totp_nye_koder, name="totp_nye_koder"),
]
