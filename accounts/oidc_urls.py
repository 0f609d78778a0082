"""Single sign-on (issue 26): /konto/sso/ (the login at the provider and its answer)."""

from django.urls import path

from accounts import oidc_views

urlpatterns = [
    path("svar/", oidc_views.sso_callback, name="sso_callback"),
    path("<int:kommune_kode>/", oidc_views.SsoStartView.as_view(), name="sso_start"),
]
