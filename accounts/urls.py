from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

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
    # Issue 23: Django's own "set-password" step in the address bar, in Danish; an
    # address with the old word (a page opened before the change) still leads there.
    path(
        "adgangskode/ny/<uidb64>/set-password/",
        RedirectView.as_view(pattern_name="password_reset_form_step", query_string=True),
    ),
    path(
        "adgangskode/ny/<uidb64>/vaelg-adgangskode/",
        views.VaelgAdgangskodeView.as_view(token_generator=adgangskode_link_tokens),
        {"token": views.VaelgAdgangskodeView.reset_url_token},
        name="password_reset_form_step",
    ),
    path(
        "adgangskode/ny/<uidb64>/<token>/",
        views.VaelgAdgangskodeView.as_view(token_generator=adgangskode_link_tokens),
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
