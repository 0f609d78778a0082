"""Single sign-on pages (issue 26): the login page with a "Log ind med …" button per
myndighed, the start of a login at the provider, the provider's answer, log out (with
the provider's own log out offered), and the administrator's SSO page."""

from __future__ import annotations

import logging
from urllib.parse import parse_qs, urlencode, urlparse

import requests
from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, SuspiciousOperation, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_POST
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationRequestView

from accounts import oidc, oidc_services
from accounts.models import Godkendelse, OidcKonfiguration, Rolle, User
from accounts.oidc_forms import AdgangskodeLoginForm, KonfigurationForm, RolleForm
from accounts.permissions import administrator_required
from accounts.selectors import ventende_sso_anmodninger

logger = logging.getLogger(__name__)


class LoginView(auth_views.LoginView):
    """Django's login page, with a button for each myndighed that has SSO."""

    authentication_form = AdgangskodeLoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sso_knapper"] = list(
            OidcKonfiguration.objects.filter(aktiv=True)
            .select_related("myndighed")
            .order_by("myndighed__navn")
        )
        return context


@method_decorator(login_not_required, name="dispatch")
class SsoStartView(OIDCAuthenticationRequestView):
    """Sends the browser to the myndighed's provider (authorization code flow with PKCE;
    state and nonce kept in the session by mozilla-django-oidc). The URL names the
    myndighed by its kommunekode."""

    def __init__(self, *args, **kwargs):
        # The library reads one provider from settings here; ours is chosen by the URL.
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    def get_settings(self, attr, *args):
        if attr == "OIDC_RP_SCOPES":
            return self.konfiguration.scopes
        return import_from_settings(attr, *args)

    def get(self, request, kommune_kode: int):
        self.konfiguration = (
            OidcKonfiguration.objects.filter(aktiv=True, myndighed__kommune_kode=kommune_kode)
            .select_related("myndighed")
            .first()
        )
        if self.konfiguration is None:
            raise Http404("Myndigheden har ikke fælles login (SSO).")
        try:
            meta = oidc.udbyder(self.konfiguration)
        except oidc.SsoFejl as exc:
            return _fejl(request, str(exc), status=503)
        self.OIDC_OP_AUTH_ENDPOINT = meta.authorization_endpoint
        self.OIDC_RP_CLIENT_ID = self.konfiguration.client_id
        response = super().get(request)
        state = parse_qs(urlparse(response["Location"]).query)["state"][0]
        states = request.session.get(oidc.SESSION_STATES) or {}
        # Bounded as the library bounds its own states (50).
        states = dict(list(states.items())[-49:])
        states[state] = self.konfiguration.pk
        request.session[oidc.SESSION_STATES] = states
        return response


def _fejl(request, tekst: str, *, status: int = 400):
    return render(request, "accounts/sso_fejl.html", {"tekst": tekst}, status=status)


def _hvem_at_spoerge(konfiguration: OidcKonfiguration) -> str:
    if konfiguration.kontakt:
        return konfiguration.kontakt
    navne = [
        u.get_full_name() or u.username
        for u in User.objects.filter(
            myndighed_id=konfiguration.myndighed_id,
            rolle=Rolle.ADMINISTRATOR,
            is_active=True,
            is_staff=False,
            is_superuser=False,
        ).order_by("first_name", "last_name")[:5]
    ]
    if navne:
        return "myndighedens administrator (" + ", ".join(navne) + ")"
    return "myndighedens administrator"


@login_not_required
@sensitive_variables()
def sso_callback(request):
    """The provider's answer. The state must be one this browser's session started and
    not yet used; it is removed before the code is exchanged, so a replay is refused."""
    state = request.GET.get("state", "")
    session = request.session
    konfiguration_id = (session.get(oidc.SESSION_STATES) or {}).pop(state, None)
    entry = (session.get("oidc_states") or {}).pop(state, None)
    if konfiguration_id is not None or entry is not None:
        session.modified = True
        session.save()
    if request.GET.get("error"):
        return _fejl(request, "Login blev afbrudt hos udbyderen. Prøv igen.")
    if konfiguration_id is None or entry is None or not request.GET.get("code"):
        return _fejl(
            request,
            "Login-svaret passer ikke til et login, du har startet (eller det er brugt "
            "allerede). Start forfra fra login-siden.",
        )
    konfiguration = (
        OidcKonfiguration.objects.filter(pk=konfiguration_id, aktiv=True)
        .select_related("myndighed")
        .first()
    )
    if konfiguration is None:
        return _fejl(request, "Fælles login (SSO) er slået fra for myndigheden.")
    try:
        user = auth.authenticate(
            request,
            oidc_konfiguration=konfiguration,
            nonce=entry.get("nonce"),
            code_verifier=entry.get("code_verifier"),
        )
    except oidc.IngenRolle:
        return render(
            request,
            "accounts/sso_ingen_rolle.html",
            {"konfiguration": konfiguration, "spoerg": _hvem_at_spoerge(konfiguration)},
            status=403,
        )
    except oidc.SsoFejl as exc:
        return _fejl(request, str(exc), status=403)
    except (SuspiciousOperation, requests.RequestException, ValueError) as exc:
        logger.warning("SSO: login through %s refused: %s", konfiguration.navn, exc)
        return _fejl(
            request,
            f"Login med {konfiguration.navn} kunne ikke gennemføres: svaret fra udbyderen "
            "kunne ikke godkendes. Prøv igen, og kontakt din administrator, hvis det sker igen.",
        )
    if user is None or not user.is_active:
        return _fejl(request, "Login blev afvist.", status=403)
    next_url = session.get("oidc_login_next")
    auth.login(request, user)
    request.session[oidc.SESSION_KONFIGURATION] = konfiguration.pk
    request.session[oidc.SESSION_MFA] = oidc.mfa_i_token(request.sso_claims)
    request.session[oidc.SESSION_ID_TOKEN] = request.sso_id_token
    return HttpResponseRedirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))


class LogoutView(auth_views.LogoutView):
    """Ends the local session; after an SSO login it offers the provider's log out too
    (a link, not a redirect: the user may be signed in to other services there)."""

    def post(self, request, *args, **kwargs):
        konfiguration_id = request.session.get(oidc.SESSION_KONFIGURATION)
        id_token = request.session.get(oidc.SESSION_ID_TOKEN)
        response = super().post(request, *args, **kwargs)
        konfiguration = OidcKonfiguration.objects.filter(pk=konfiguration_id).first()
        if konfiguration is None:
            return response
        try:
            endpoint = oidc.udbyder(konfiguration).end_session_endpoint
        except oidc.SsoFejl:
            endpoint = ""
        if not endpoint:
            return response
        params = {
            "client_id": konfiguration.client_id,
            "post_logout_redirect_uri": request.build_absolute_uri(reverse("login")),
        }
        if id_token:
            params["id_token_hint"] = id_token
        return render(
            request,
            "accounts/sso_logget_ud.html",
            {"konfiguration": konfiguration, "udbyder_log_ud": f"{endpoint}?{urlencode(params)}"},
        )


# --- The administrator's SSO page: /konto/brugere/sso/ -------------------------------


@administrator_required
@sensitive_post_parameters("client_secret")
def sso_opsaetning(request):
    konfiguration = OidcKonfiguration.objects.filter(myndighed_id=request.user.myndighed_id).first()
    form = KonfigurationForm(
        request.POST if request.method == "POST" else None,
        instance=konfiguration,
        har_secret=bool(konfiguration and konfiguration.client_secret_krypteret),
    )
    if request.method == "POST" and form.is_valid():
        try:
            resultat = oidc_services.konfiguration_gem(
                administrator=request.user,
                data=form.cleaned_data,
                logget_ind_med_sso=bool(request.session.get(oidc.SESSION_KONFIGURATION)),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if isinstance(resultat, Godkendelse):
                messages.info(request, oidc_services.VENTER)
            else:
                messages.success(request, "SSO-opsætningen er gemt.")
            return redirect("sso_opsaetning")
    return render(
        request,
        "accounts/sso_opsaetning.html",
        {
            "form": form,
            "konfiguration": konfiguration,
            "roller": list(konfiguration.roller.all()) if konfiguration else [],
            "ventende": list(ventende_sso_anmodninger(myndighed_id=request.user.myndighed_id)),
            "rolle_form": RolleForm(),
            "callback_url": request.build_absolute_uri(reverse("sso_callback")),
            "logout_url": request.build_absolute_uri(reverse("login")),
        },
    )


@administrator_required
def sso_rolle_tilfoej(request):
    if request.method != "POST":
        return redirect("sso_opsaetning")
    form = RolleForm(request.POST)
    if form.is_valid():
        try:
            resultat = oidc_services.rolle_tilfoej(administrator=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if isinstance(resultat, Godkendelse):
                messages.info(request, oidc_services.VENTER)
            else:
                messages.success(request, "Gruppen er tilføjet.")
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect("sso_opsaetning")


@administrator_required
@require_POST
def sso_rolle_slet(request, pk: int):
    tilknytning = get_object_or_404(
        oidc_services.roller_i_myndighed(myndighed_id=request.user.myndighed_id), pk=pk
    )
    try:
        oidc_services.rolle_slet(administrator=request.user, tilknytning=tilknytning)
    except PermissionDenied:
        raise Http404() from None
    messages.success(request, f"Gruppen {tilknytning.claim_vaerdi} er fjernet.")
    return redirect("sso_opsaetning")
