"""The administrator's SSO page (issue 26): /konto/brugere/sso/."""

from django.urls import path

from accounts import oidc_views

urlpatterns = [
    path("", oidc_views.sso_opsaetning, name="sso_opsaetning"),
    path("grupper/", oidc_views.sso_rolle_tilfoej, name="sso_rolle_tilfoej"),
    path("grupper/<int:pk>/slet/", oidc_views.sso_rolle_slet, name="sso_rolle_slet"),
]
