"""The system-change wizard and the kontrollister, for the myndighed's administrator.
Views parse input and call services; reads through selectors."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import administrator_required, role_required
from audit.models import Handling
from audit.services import audit_record_many
from smdb.client import SmdbError
from systemskifte import report, selectors, services
from systemskifte.forms import StartForm
from systemskifte.models import Afstemning, AfstemningStatus, Afvigelse, JobStatus


@administrator_required
@require_http_methods(["GET", "POST"])
def oversigt(request):
    """Pick model and date (and whether it is a dry-run); the jobs so far."""
    form = StartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            skifte = services.start(
                user=request.user,
                model=form.cleaned_data["model"],
                skiftedato=form.cleaned_data["skiftedato"],
                proevekoersel=form.cleaned_data["proevekoersel"],
            )
        except ValueError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("systemskifte:detalje", pk=skifte.pk)
    skifter = selectors.skifter_for_user(request.user).select_related("startet_af")[:50]
    return render(request, "systemskifte/oversigt.html", {"form": form, "skifter": skifter})


def _kontekst(skifte) -> dict:
    tal = services.fremdrift(skifte)
    return {
        "skifte": skifte,
        "tal": tal,
        "koerer": skifte.status == JobStatus.KOERER,
        "fremdrift_tekst": f"Fremdrift: {tal['faerdige']} af {tal['i_alt']} borgere, "
        f"{tal['fejl']} med fejl",
    }


@administrator_required
@require_GET
def detalje(request, pk: int):
    skifte = selectors.skifte_for_user(request.user, pk)
    context = _kontekst(skifte)
    context["borgere"] = selectors.rapport(skifte) if not context["koerer"] else []
    return render(request, "systemskifte/detalje.html", context)


@administrator_required
@require_GET
def fremdrift(request, pk: int):
    """The progress bar, polled by htmx while the job runs."""
    skifte = selectors.skifte_for_user(request.user, pk)
    response = render(request, "systemskifte/partials/fremdrift.html", _kontekst(skifte))
    if skifte.status != JobStatus.KOERER and request.htmx:
        response["HX-Refresh"] = "true"  # show the report
    return response


@administrator_required
@require_POST
def stop(request, pk: int):
    skifte = selectors.skifte_for_user(request.user, pk)
    services.stop(user=request.user, skifte=skifte)
    messages.info(request, "Systemskiftet stopper efter den borger, der er i gang.")
    return redirect("systemskifte:detalje", pk=pk)


@administrator_required
@require_POST
def genoptag(request, pk: int):
    skifte = selectors.skifte_for_user(request.user, pk)
    if skifte.proevekoersel or skifte.status == JobStatus.FAERDIG:
        messages.error(request, "Kun et stoppet systemskifte kan genoptages.")
    else:
        services.genoptag(user=request.user, skifte=skifte)
    return redirect("systemskifte:detalje", pk=pk)


@administrator_required
@require_http_methods(["GET", "POST"])
def udfoer(request, pk: int):
    """Run for real what a dry-run showed: the same model and date, fetched anew.
    GET asks first (issue 23): the run sends to SMDB and cannot be taken back."""
    proeve = selectors.skifte_for_user(request.user, pk)
    if not proeve.proevekoersel:
        messages.error(request, "Kun en prøvekørsel kan udføres.")
        return redirect("systemskifte:detalje", pk=pk)
    if request.method == "GET":
        return render(
            request,
            "bekraeft.html",
            {
                "titel": "Udfør systemskiftet?",
                "tekst": [
                    f"Systemskiftet ({proeve.get_model_display()}, skiftedato "
                    f"{proeve.skiftedato:%d.%m.%Y}) køres nu for alvor: skemaerne sendes til "
                    f"SMDB for alle borgere med aktive forløb i {request.user.myndighed.navn}.",
                    "Det kan ikke fortrydes. Prøvekørslens rapport viser, hvad der sendes.",
                ],
                "knap": "Ja, udfør systemskiftet",
                "knap_css": "btn-danger",
                "annuller_url": reverse("systemskifte:detalje", args=[pk]),
            },
        )
    try:
        skifte = services.start(
            user=request.user, model=proeve.model, skiftedato=proeve.skiftedato, proevekoersel=False
        )
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect("systemskifte:detalje", pk=pk)
    return redirect("systemskifte:detalje", pk=skifte.pk)


@administrator_required
@require_GET
def excel(request, pk: int):
    """The job's report. It names citizens (CPR masked), so each is logged with its
    CPR hash: a search by CPR in the access log finds the download (issue 21)."""
    skifte = selectors.skifte_for_user(request.user, pk)
    audit_record_many(
        user=request.user,
        handling=Handling.EKSPORTERET,
        borgere=[
            (b.nyt_forloeb_id or b.gammelt_forloeb_id, b.person_identifikator)
            for b in selectors.rapport(skifte)
        ],
        beskrivelse=f"Download: systemskifte {skifte.pk} (systemskifte-{skifte.pk}.xlsx)",
    )
    response = HttpResponse(
        report.excel(skifte),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="systemskifte-{skifte.pk}.xlsx"'
    return response


@role_required("myndighed_id")
@require_GET
def mellemloesning(request):
    """R-SKIFT-3: the forløb maintained in SMDB-web until they end, so none is
    forgotten. Caseworkers and administrators of the myndighed."""
    forloeb = list(selectors.mellemloesning_forloeb(request.user.myndighed_id))
    return render(request, "systemskifte/mellemloesning.html", {"forloeb_list": forloeb})


# --- Afstemning med SMDB (the kontrolliste) ----------------------------------------------


def _afstemning_kontekst(run: Afstemning | None) -> dict:
    from systemskifte import afstemning

    if run is None:
        return {"run": None, "i_gang": False}
    haengende = afstemning.gaaet_i_staa(run)
    tal = afstemning.fremdrift(run)
    faerdig = run.status == AfstemningStatus.FAERDIG
    return {
        "run": run,
        "i_gang": run.ufaerdig and not haengende,
        "haengende": haengende,
        "tal": tal,
        "fremdrift_tekst": "Afstemning i gang: henter listen over aktive forløb fra SMDB"
        if tal["i_alt"] is None
        else f"Afstemning i gang: {tal['sammenlignet']} af {tal['i_alt']} forløb sammenlignet",
        "antal_afvigelser": run.afvigelser.count() if faerdig else None,
    }


def _afvigelser(myndighed_id: int) -> list:
    from systemskifte import afstemning

    return [(a, afstemning.rettelser(a)) for a in afstemning.aabne_afvigelser(myndighed_id)]


@administrator_required
@require_GET
def kontrolliste(request):
    """The differences between SMDB's active forløb and ours, each with its fixes;
    a run under way shows its progress, polled until it is done."""
    context = _afstemning_kontekst(selectors.seneste_afstemning(request.user.myndighed_id))
    context["afvigelser"] = _afvigelser(request.user.myndighed_id)
    return render(request, "systemskifte/kontrolliste.html", context)


@administrator_required
@require_GET
def afstemning_fremdrift(request, pk: int):
    """The run's progress, polled by htmx while it runs; once it is done, its result
    and (out of band) the new list of differences, without reloading the page."""
    context = _afstemning_kontekst(selectors.afstemning_for_user(request.user, pk))
    if not context["i_gang"]:
        context["afvigelser"] = _afvigelser(request.user.myndighed_id)
        context["oob"] = True
    return render(request, "systemskifte/partials/afstemning_status.html", context)


@administrator_required
@require_POST
def afstem(request):
    """Start a run in the background (issue 23) and show the kontrolliste at once;
    with one under way, that one is shown and no second is started."""
    from systemskifte import afstemning

    run, ny = afstemning.start(myndighed=request.user.myndighed, user=request.user)
    if not ny:
        startet = timezone.localtime(run.startet)
        messages.info(
            request,
            f"En afstemning er allerede i gang (startet kl. {startet:%H.%M}); "
            "den vises herunder. Der startes ikke en ny.",
        )
    return redirect("systemskifte:kontrolliste")


@administrator_required
@require_POST
def ret(request, pk: int, rettelse: str):
    """One click: 'send' ours again or 'hent' SMDB's, for one difference."""
    from systemskifte import afstemning

    afvigelse = (
        Afvigelse.objects.filter(pk=pk, myndighed_id=request.user.myndighed_id)
        .select_related("forloeb", "myndighed")
        .first()
    )
    if afvigelse is None or rettelse not in ("send", "hent"):
        raise Http404("Afvigelsen findes ikke i din myndighed.")
    try:
        if rettelse == "send":
            afstemning.send_vores(user=request.user, afvigelse=afvigelse)
            messages.success(request, "Vores forløb sendes til SMDB igen.")
        else:
            afstemning.hent_smdbs(user=request.user, afvigelse=afvigelse)
            messages.success(request, "SMDB's oplysninger er hentet.")
    except afstemning.RettelseFejl as exc:
        messages.error(request, str(exc))
    except SmdbError as exc:
        messages.error(request, f"SMDB svarer ikke; prøv igen senere ({exc}).")
    return redirect("systemskifte:kontrolliste")
