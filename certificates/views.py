"""Administrator pages: certificates, environments, "Test forbindelse".
Thin: parse, call a service or selector, render. Every query is narrowed to
the administrator's myndighed (a certificate of another one is a 404)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cases.permissions import role_required
from certificates import forbindelse, selectors, services
from certificates.crypto import CertifikatFejl
from certificates.forms import MiljoeForm, UploadForm
from certificates.models import Haendelse, MiljoeNavn

admin_required = role_required("er_administrator")


@admin_required
def oversigt(request):
    myndighed_id = request.user.myndighed_id
    return render(
        request,
        "certificates/oversigt.html",
        {
            "certifikater": selectors.certifikater(myndighed_id=myndighed_id),
            "miljoeer": selectors.miljoeer(myndighed_id=myndighed_id),
            "haendelser": Haendelse.objects.filter(myndighed_id=myndighed_id).select_related(
                "bruger"
            )[:20],
        },
    )


@admin_required
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


@admin_required
def detalje(request, pk: int):
    cert = _certifikat(request, pk)
    i_brug = [
        m for m in selectors.miljoeer(myndighed_id=cert.myndighed_id) if m.certifikat_id == cert.pk
    ]
    return render(request, "certificates/detalje.html", {"cert": cert, "i_brug": i_brug})


@admin_required
@require_POST
def handling(request, pk: int, handling: str):
    cert = _certifikat(request, pk)
    action = {
        "aktiver": services.certifikat_aktiver,
        "spaer": services.certifikat_spaer,
        "slet": services.certifikat_slet,
    }.get(handling)
    if action is None:
        return redirect("certificates:detalje", pk=pk)
    try:
        action(certifikat=cert, bruger=request.user)
    except CertifikatFejl as exc:
        messages.error(request, str(exc))
        return redirect("certificates:detalje", pk=pk)
    besked = {
        "aktiver": "Certifikatet er taget i brug i sit miljø.",
        "spaer": "Certifikatet er spærret og bruges aldrig igen.",
        "slet": "Certifikatet er fjernet.",
    }[handling]
    messages.success(request, besked)
    if handling == "slet":
        return redirect("certificates:oversigt")
    return redirect("certificates:detalje", pk=pk)


@admin_required
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


@admin_required
@require_POST
def miljoe_aktiver(request, navn: str):
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
    else:
        services.miljoe_aktiver(miljoe=m, bruger=request.user)
        messages.success(request, f"{m} er nu det aktive SMDB-miljø.")
    return redirect("certificates:oversigt")


@admin_required
@require_POST
def test_forbindelse(request):
    resultat = forbindelse.forbindelsestest(myndighed_id=request.user.myndighed_id)
    return render(request, "certificates/test_resultat.html", {"resultat": resultat})
