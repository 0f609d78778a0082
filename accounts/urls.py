from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

urlpatterns = [
    path("log-ind/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("log-ud/", auth_views.LogoutView.as_view(), name="logout"),
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
