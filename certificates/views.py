"""Administrator pages: certificates, environments, "Test forbindelse".
Thin: parse, call a service or selector, render. Every query is narrowed to
the administrator's myndighed (a certificate of another one is a 404)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import administrator_required
from audit.models import Handling
from audit.services import audit_record
from certificates import forbindelse, journal, selectors, services
from certificates.crypto import CertifikatFejl
from certificates.forms import MiljoeForm, UploadForm
from certificates.models import Besked, Haendelse, MiljoeNavn, Udfald


@administrator_required
def oversigt(request):
    myndighed_id = request.user.myndighed_id
    miljoeer = selectors.miljoeer(myndighed_id=myndighed_id)
    return render(
        request,
        "certificates/oversigt.html",
        {
            "certifikater": selectors.certifikater(myndighed_id=myndighed_id),
            "miljoeer": miljoeer,
            # None taken into use: the header's badge is settings.SMDB_ENDPOINT's
            # stand-in, which the page must not call "active" (issue 23).
            "aktivt": any(m.aktiv for m in miljoeer),
            "haendelser": Haendelse.objects.filter(myndighed_id=myndighed_id).select_related(
                "bruger"
            )[:20],
        },
    )


@administrator_required
@sensitive_post_parameters("adgangskode")
@sensitive_variables("form")
def upload(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            cert = services.certifikat_upload(
                myndighed=request.user.myndighed,
                data=form.cleaned_data["fil"].read(),
                password=form.cleaned_data["adgangskode"],
                miljoe=form.cleaned_data["miljoe"],
                navn=form.cleaned_data["navn"],
                bruger=request.user,
            )
        except CertifikatFejl as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Certifikatet er gemt: {cert.subject}")
            return redirect("certificates:detalje", pk=cert.pk)
    return render(request, "certificates/upload.html", {"form": form})


def _certifikat(request, pk: int):
    return get_object_or_404(selectors.certifikater(myndighed_id=request.user.myndighed_id), pk=pk)


@administrator_required
def detalje(request, pk: int):
    cert = _certifikat(request, pk)
    i_brug = [
        m for m in selectors.miljoeer(myndighed_id=cert.myndighed_id) if m.certifikat_id == cert.pk
    ]
    return render(request, "certificates/detalje.html", {"cert": cert, "i_brug": i_brug})


@administrator_required
@require_POST
def handling(request, pk: int, handling: str):
    cert = _certifikat(request, pk)
    if handling == "test":
        return _test_certifikat(request, cert)
    action = {
        "aktiver": services.certifikat_aktiver,
        "spaer": services.certifikat_spaer,
        "slet": services.certifikat_slet,
    }.get(handling)
    if action is None:
        return redirect("certificates:detalje", pk=pk)
    try:
        resultat = action(certifikat=cert, bruger=request.user)
    except CertifikatFejl as exc:
        messages.error(request, str(exc))
        return redirect("certificates:detalje", pk=pk)
    besked = {
        "aktiver": "Certifikatet er taget i brug i sit miljø.",
        "spaer": "Certifikatet er spærret og bruges aldrig igen.",
        "slet": "Certifikatet er fjernet.",
    }[handling]
    messages.success(request, besked)
    if handling == "aktiver" and not resultat.aktiv:
        messages.info(
            request,
            f"{resultat} er ikke det aktive SMDB-miljø endnu: vælg »Skift til "
            f"{resultat.get_navn_display()}« under Certifikater og miljøer, når det skal bruges.",
        )
    if handling == "slet":
        return redirect("certificates:oversigt")
    return redirect("certificates:detalje", pk=pk)


@administrator_required
def miljoe(request, navn: str):
    if navn not in MiljoeNavn.values:
        return redirect("certificates:oversigt")
    current = next(
        m for m in selectors.miljoeer(myndighed_id=request.user.myndighed_id) if m.navn == navn
    )
    initial = {
        "endpoint": current.endpoint or services.standard_endpoint(navn),
        "auth": current.auth,
        "sts_url": current.sts_url,
    }
    form = MiljoeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            m = services.miljoe_gem(
                myndighed=request.user.myndighed,
                navn=navn,
                bruger=request.user,
                **form.cleaned_data,
            )
        except CertifikatFejl as exc:
            form.add_error(None, str(exc))
        else:
            if request.POST.get("aktiver"):
                services.miljoe_aktiver(miljoe=m, bruger=request.user)
                messages.success(request, f"{m} er nu det aktive SMDB-miljø.")
            else:
                messages.success(request, f"{m} er gemt.")
            return redirect("certificates:oversigt")
    return render(request, "certificates/miljoe.html", {"form": form, "miljoe": current})


@administrator_required
@require_http_methods(["GET", "POST"])
def miljoe_aktiver(request, navn: str):
    """GET asks first (issue 23: every later call goes to the new environment)."""
    m = next(
        (
            m
            for m in selectors.miljoeer(myndighed_id=request.user.myndighed_id)
            if m.navn == navn and m.pk
        ),
        None,
    )
    if m is None:
        messages.error(request, "Miljøet er ikke sat op endnu.")
    elif request.method == "GET":
        nu = selectors.aktivt_miljoe_i_sidehoved(myndighed_id=request.user.myndighed_id)
        return render(
            request,
            "bekraeft.html",
            {
                "titel": f"Skift SMDB-miljø til {m.get_navn_display()}?",
                "tekst": [
                    f"Alle kald til SMDB fra {request.user.myndighed.navn} går herefter til "
                    f"{m.get_navn_display()} ({m.endpoint}) i stedet for {nu.label}.",
                ],
                "knap": f"Ja, skift til {m.get_navn_display()}",
                "knap_css": "btn-danger",
                "annuller_url": reverse("certificates:oversigt"),
            },
        )
    else:
        services.miljoe_aktiver(miljoe=m, bruger=request.user)
        messages.success(request, f"{m} er nu det aktive SMDB-miljø.")
    return redirect("certificates:oversigt")


def _test_certifikat(request, cert):
    """Rotation: test a new certificate in its environment before taking it into use."""
    if not cert.kan_bruges():
        messages.error(request, "Certifikatet er spærret, udløbet eller endnu ikke gyldigt.")
        return redirect("certificates:detalje", pk=cert.pk)
    miljoe = services.miljoe_til_test(certifikat=cert)
    with journal.kontekst(bruger=request.user, job="Test af certifikat"):
        resultat = forbindelse.forbindelsestest(myndighed_id=cert.myndighed_id, miljoe=miljoe)
    return render(request, "certificates/test_resultat.html", {"resultat": resultat})


@administrator_required
@require_POST
def test_forbindelse(request):
    with journal.kontekst(bruger=request.user, job="Test forbindelse"):
        resultat = forbindelse.forbindelsestest(myndighed_id=request.user.myndighed_id)
    return render(request, "certificates/test_resultat.html", {"resultat": resultat})


def _journal_adgang(request) -> tuple[bool, int | None]:
    """Administrators read their myndighed's whole journal; caseworkers and
    supervisors only a forløb of their own myndighed (the link from its SMDB state)."""
    user = request.user
    forloeb = request.GET.get("forloeb", "")
    forloeb_ref = int(forloeb) if forloeb.isdigit() else None
    if user.er_administrator:
        return True, forloeb_ref
    if user.kan_se_sager and forloeb_ref is not None:
        from cases.selectors import forloeb_for_user

        forloeb_obj = forloeb_for_user(user).filter(pk=forloeb_ref).first()
        if forloeb_obj is not None:
            audit_record(
                user=user,
                handling=Handling.VIST,
                forloeb=forloeb_obj,
                beskrivelse="Beskedjournal (SMDB-kald) for forløbet",
            )
            return True, forloeb_ref
    return False, None


def journal_liste(request):
    ok, forloeb_ref = _journal_adgang(request)
    if not ok:
        raise PermissionDenied("Din rolle giver ikke adgang til beskedjournalen.")
    filtre = {
        "handling": request.GET.get("handling", "").strip(),
        "udfald": request.GET.get("udfald", ""),
        "miljoe": request.GET.get("miljoe", ""),
        "forloeb": str(forloeb_ref or ""),
    }
    page = Paginator(
        selectors.journal(
            myndighed_id=request.user.myndighed_id,
            forloeb_ref=forloeb_ref,
            **{k: v for k, v in filtre.items() if k != "forloeb"},
        ),
        50,
    ).get_page(request.GET.get("side"))
    return render(
        request,
        "certificates/journal.html",
        {
            "page": page,
            "filtre": filtre,
            "udfald_valg": Udfald.choices,
            "miljoe_valg": MiljoeNavn.choices,
            "query": urlencode({k: v for k, v in filtre.items() if v}),
            "retention": settings.SMDB_JOURNAL_RETENTION_DAYS,
        },
    )


def journal_detalje(request, besked_pk: int):
    user = request.user
    besked = get_object_or_404(
        Besked.objects.filter(myndighed_id=user.myndighed_id or -1), pk=besked_pk
    )
    if not user.er_administrator:
        request.GET = request.GET.copy()
        request.GET["forloeb"] = str(besked.forloeb_ref or "")
        ok, _ = _journal_adgang(request)
        if not ok:
            raise PermissionDenied("Din rolle giver ikke adgang til beskedjournalen.")
    return render(request, "certificates/journal_detalje.html", {"besked": besked})
