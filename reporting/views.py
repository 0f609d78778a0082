"""Supervisors' pages: the front page, OVERBLIK, the kontrollister, hovedtal and
godkendelse, with their downloads. Views parse input and call ``reporting.selectors``."""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django_tables2 import RequestConfig

from accounts.permissions import borgerlister_required, rapporter_required
from accounts.selectors import ventende_godkendelser
from audit.models import Handling
from audit.services import audit_record_many
from reporting import charts, exports, selectors
from reporting.filters import OverblikFilter
from reporting.tables import ForloebTable, KontrollisteTable
from smdb.rules.dato import today_dk


class ReferenceForm(forms.Form):
    dato = forms.DateField(
        label="Referencedato", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    aar = forms.IntegerField(label="År", required=False, min_value=2000, max_value=2100)

    def clean_dato(self):
        # The years a report can be about, as for ``aar``: a date at the ends of the
        # calendar would overflow the weeks and periods counted from it (issue 21).
        d = self.cleaned_data["dato"]
        if d is not None and not (date(2000, 1, 1) <= d <= date(2100, 12, 31)):
            raise forms.ValidationError("Datoen skal ligge mellem 2000 og 2100.")
        return d


def reference(request) -> tuple[date, int]:
    """The reference date and year of a report (``?dato=``, ``?aar=``): today and its
    year unless given; a bad value gets a Danish message and the default."""
    form = ReferenceForm(request.GET)
    if not form.is_valid():
        messages.warning(request, "Ugyldig dato eller år: viser i stedet dags dato.")
        d = today_dk()
        return d, d.year
    d = form.cleaned_data.get("dato") or today_dk()
    return d, form.cleaned_data.get("aar") or d.year


def _omfang(request):
    return selectors.omfang_for_leder(request.user)


def _download(request, body, *, filnavn: str, content_type: str, forloeb, hvad: str):
    """The file, with one access-log row for each citizen it names (by forløb and CPR
    hash, so a search by CPR finds it); ``forloeb=[None]`` for a file of counts."""
    audit_record_many(
        user=request.user,
        handling=Handling.EKSPORTERET,
        borgere=[(f.pk, f.person_identifikator) if f else (None, None) for f in forloeb],
        beskrivelse=f"Download: {hvad} ({filnavn})",
    )
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filnavn}"'
    return response


def kontrolliste_links(antal: dict[str, int], *, mine: bool = False) -> list[dict]:
    return [
        {"liste": liste, "antal": antal[slug.replace("-", "_")], "mine": mine}
        for slug, liste in selectors.KONTROLLISTER.items()
    ]


def _tabel(request, rows, dato) -> ForloebTable:
    """Report rows as the lists show them: 50 a page, sorted by ``?sort=``."""
    table = ForloebTable(rows, user=request.user, dato=dato)
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return table


# --- front pages ---------------------------------------------------------------------


@rapporter_required
@require_GET
def forside(request):
    """The supervisor's front page: each kontrolliste's count, the week, SMDB's state."""
    dato, _ = reference(request)
    antal, uge = selectors.forside_tal(omfang=_omfang(request), dato=dato)
    return render(
        request,
        "reporting/forside.html",
        {
            # Issue 21: what another administrator asked for, to approve or reject.
            "godkendelser": list(ventende_godkendelser(administrator=request.user)),
            "dato": dato,
            "kontrollister": kontrolliste_links(antal),
            "uge": uge,
            "uge_tal": [
                {"noegle": k, "navn": navn, "antal": uge[k]}
                for k, navn in selectors.UGENS_NAVNE.items()
            ],
        },
    )


@rapporter_required
@require_GET
def uge_raekker(request, noegle: str):
    """The forløb behind one of the front page's week numbers."""
    dato, _ = reference(request)
    table = _tabel(
        request, selectors.ugens_forloeb(omfang=_omfang(request), dato=dato, noegle=noegle), dato
    )
    return render(
        request,
        "reporting/uge_raekker.html",
        {
            "navn": selectors.UGENS_NAVNE[noegle],
            "dateret": noegle in selectors.UGENS_DATEREDE,
            "fra": selectors.uge_fra(dato),
            "dato": dato,
            "table": table,
        },
    )


def sagsbehandler_kontekst(user) -> dict:
    """A caseworker's front page additions: their open forløb and their own counts."""
    omfang = selectors.omfang_for_sagsbehandler(user)
    dato = today_dk()
    return {
        "mine_sager": selectors.forloeb_af(
            selectors.med_skemaer(selectors.overblik(omfang=omfang))[:20]
        ),
        "mine_kontrollister": kontrolliste_links(
            selectors.kontrolliste_antal(omfang=omfang, dato=dato), mine=True
        ),
    }


# --- OVERBLIK -----------------------------------------------------------------------------


def _overblik_filter(request):
    omfang = _omfang(request)
    return OverblikFilter(request.GET, queryset=selectors.overblik(omfang=omfang), omfang=omfang)


@rapporter_required
@require_GET
def overblik(request):
    dato, _ = reference(request)
    filterset = _overblik_filter(request)
    table = _tabel(request, filterset.qs, dato)
    if filterset.form.errors:
        table.empty_text = "Ingen forløb vist: ret fejlen i filteret ovenfor."
    return render(
        request,
        "reporting/overblik.html",
        {"filter": filterset, "table": table, "dato": dato, "query": request.GET.urlencode()},
    )


@borgerlister_required
@require_GET
def overblik_download(request, format: str):
    dato, _ = reference(request)
    rows = selectors.forloeb_af(selectors.med_skemaer(_overblik_filter(request).qs))
    kode = request.user.myndighed.kommune_kode
    navn = f"aktivliste-{kode}-{dato:%Y-%m-%d}"
    if format == "xlsx":
        body = exports.aktivliste_xlsx(rows, kommune_kode=kode, dato=dato)
        return _download(
            request,
            body,
            filnavn=f"{navn}.xlsx",
            content_type=exports.XLSX,
            forloeb=rows,
            hvad="OVERBLIK",
        )
    body = exports.liste_csv(rows, kommune_kode=kode, dato=dato).encode("utf-8-sig")
    return _download(
        request,
        body,
        filnavn=f"{navn}.csv",
        content_type="text/csv; charset=utf-8",
        forloeb=rows,
        hvad="OVERBLIK",
    )


# --- kontrollister ------------------------------------------------------------------------


@require_GET
def kontrolliste(request, liste: str):
    """A leder sees the myndighed's list (or their own with ``?mine=1``); a caseworker
    sees only the forløb they registered; anyone else is refused."""
    user = request.user
    mine = request.GET.get("mine") == "1" or not user.kan_se_rapporter
    if mine and user.kan_se_sager:
        omfang = selectors.omfang_for_sagsbehandler(user)
    elif user.kan_se_rapporter:
        omfang = selectors.omfang_for_leder(user)
    else:
        raise PermissionDenied("Din rolle giver ikke adgang til denne side.")
    definition = selectors.KONTROLLISTER[liste]
    dato, aar = reference(request)
    if definition.pr_aar and request.GET.get("aar") and not request.GET.get("dato"):
        # The year asked for, as smdb_rapport --aar: to its last day (today this year).
        dato = selectors.aarets_referencedato(aar, None, today_dk())
    table = KontrollisteTable(
        selectors.kontrolliste_forloeb(omfang=omfang, slug=liste, dato=dato),
        user=user,
        dato=dato,
        liste=definition,
    )
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return render(
        request,
        "reporting/kontrolliste.html",
        {
            "liste": definition,
            "regel": selectors.kontrolliste_regel(definition),
            "table": table,
            "dato": dato,
            "mine": mine,
            "andre": selectors.KONTROLLISTER.values(),
        },
    )


# --- hovedtal and godkendelse ---------------------------------------------------------------

FORDELING_TITLER = {
    "aldersgruppe": "Iværksættelser efter aldersgruppe (23-IVÆR)",
    "koen": "Iværksættelser efter køn (fra CPR-nummeret)",
    "hovedstof": "Iværksættelser efter hovedstof (20-IVÆR)",
    "behandlingstype": "Nye tilbudstilknytninger efter behandlingstype (8-TILB)",
    "intensitet": "Nye tilbudstilknytninger efter intensitet (7-TILB)",
}


@rapporter_required
@require_GET
def hovedtal(request):
    _, aar = reference(request)
    h = selectors.hovedtal(omfang=_omfang(request), aar=aar)
    tal = [(selectors.HOVEDTAL_NAVNE[k], h.tal[k], k) for k in HOVEDTAL_SIDE]
    return render(
        request,
        "reporting/hovedtal.html",
        {
            "aar": aar,
            "h": h,
            "tal": tal,
            "tal_diagram": charts.soejlediagram(
                f"Hovedtal {aar}", [(KORTE_NAVNE[k], n) for _, n, k in tal]
            ),
            "fordelinger": [
                (FORDELING_TITLER[k], par, charts.soejlediagram(FORDELING_TITLER[k], par))
                for k, par in h.fordelinger.items()
            ],
        },
    )


KORTE_NAVNE = {
    "anmodninger": "Anmodninger",
    "ivaerksaettelser": "Iværksættelser",
    "afslutninger": "Afslutninger",
    "personer_i_behandling": "Personer i behandling",
    "inden_for_garanti": "Inden for 14 dage",
    "over_garanti": "Over 14 dage",
}
HOVEDTAL_SIDE = (
    "anmodninger",
    "ivaerksaettelser",
    "afslutninger",
    "personer_i_behandling",
    "inden_for_garanti",
    "over_garanti",
)
GODKENDELSE_TAL = (
    "forloeb",
    "personer",
    "ivaerksaettelser",
    "inden_for_garanti",
    "over_garanti",
    "afslutninger",
)


@rapporter_required
@require_GET
def hovedtal_excel(request):
    _, aar = reference(request)
    h = selectors.hovedtal(omfang=_omfang(request), aar=aar)
    ark = [
        (
            "Hovedtal",
            ["Tal", "Antal"],
            [[selectors.HOVEDTAL_NAVNE[k], h.tal[k]] for k in HOVEDTAL_SIDE]
            + [["Andel inden for garantien (%)", h.andel_inden_for_garanti]],
        ),
    ]
    for k, par in h.fordelinger.items():
        ark.append((k.capitalize(), [FORDELING_TITLER[k], "Antal"], [list(p) for p in par]))
    body = exports.tal_xlsx(f"Hovedtal {aar}", ark)
    # Counts only, no citizen: logged as one download without a forløb.
    return _download(
        request,
        body,
        filnavn=f"hovedtal-{request.user.myndighed.kommune_kode}-{aar}.xlsx",
        content_type=exports.XLSX,
        forloeb=[None],
        hvad=f"Hovedtal {aar}",
    )


def _godkendelse(request, aar):
    omfang = _omfang(request)
    tal = selectors.hovedtal_tal(omfang=omfang, aar=aar)
    return (
        [(selectors.HOVEDTAL_NAVNE[k], tal[k], k) for k in GODKENDELSE_TAL],
        selectors.afslutninger_efter_aarsag(omfang=omfang, aar=aar),
    )


@rapporter_required
@require_GET
def godkendelse(request):
    _, aar = reference(request)
    tal, aarsager = _godkendelse(request, aar)
    return render(
        request, "reporting/godkendelse.html", {"aar": aar, "tal": tal, "aarsager": aarsager}
    )


@rapporter_required
@require_GET
def godkendelse_raekker(request, noegle: str):
    """The forløb behind one number of the godkendelse (or of hovedtal)."""
    dato, aar = reference(request)
    if noegle not in selectors.HOVEDTAL_NAVNE:
        raise Http404("Ukendt tal.")
    aarsag = request.GET.get("aarsag") if noegle == "afslutninger" else None
    rows = selectors.hovedtal_forloeb(
        omfang=_omfang(request), aar=aar, noegle=noegle, aarsag=aarsag
    )
    table = _tabel(request, rows, dato)
    return render(
        request,
        "reporting/godkendelse_raekker.html",
        {"aar": aar, "navn": selectors.HOVEDTAL_NAVNE[noegle], "table": table, "aarsag": aarsag},
    )


#: The workbook's sheets by what they hold, in Danish (31 characters at most, Excel's limit).
GODKENDELSE_ARK = {
    "anmodninger": "Anmodninger",
    "ivaerksaettelser": "Iværksættelser",
    "afslutninger": "Afslutninger",
    "personer_i_behandling": "Personer i behandling",
    "inden_for_garanti": "Iværksat inden for 14 dage",
    "over_garanti": "Iværksat efter over 14 dage",
    "forloeb": "Forløb åbne i året",
}


@borgerlister_required
@require_GET
def godkendelse_excel(request):
    dato, aar = reference(request)
    omfang = _omfang(request)
    tal, aarsager = _godkendelse(request, aar)
    ark = [
        (
            "Godkendelse",
            ["Tal", "Antal"],
            [[navn, n] for navn, n, _ in tal]
            + [[f"Afslutninger: {label}", n] for _, label, n in aarsager],
        ),
    ]
    navngivne: dict = {}  # forløb id → forløb, each named once
    for _navn, _, noegle in tal:
        if noegle == "personer":
            continue
        rows = selectors.forloeb_af(
            selectors.med_skemaer(selectors.hovedtal_forloeb(omfang=omfang, aar=aar, noegle=noegle))
        )
        navngivne.update((f.pk, f) for f in rows)
        raekker = [exports.forloeb_raekke(f, dato) for f in rows]
        kolonner = [
            "PersonIdentifikator",
            "BehandlingAnmodningDato",
            "IvaerksatBehandlingDato",
            "Forloeb",
        ]
        data = [[r[k] for k in kolonner] for r in raekker]
        if noegle == "afslutninger":
            # What the number counts: when and why each forløb ended (1-AFSL, 3-AFSL).
            kolonner = [*kolonner, "BehandlingAfsluttetDato", "BehandlingAfsluttetAarsag"]
            for raekke, f in zip(data, rows, strict=True):
                afsl = getattr(f, "afslutning", None)
                raekke += [
                    afsl.behandling_afsluttet_dato if afsl else None,
                    afsl.get_behandling_afsluttet_aarsag_kode_display() if afsl else "",
                ]
        ark.append((GODKENDELSE_ARK.get(noegle, noegle), kolonner, data))
    body = exports.tal_xlsx(f"Godkendelse {aar}", ark)
    return _download(
        request,
        body,
        filnavn=f"godkendelse-{request.user.myndighed.kommune_kode}-{aar}.xlsx",
        content_type=exports.XLSX,
        forloeb=[navngivne[pk] for pk in sorted(navngivne)],
        hvad=f"Godkendelse {aar}",
    )
