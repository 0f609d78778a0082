import json
from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import ngettext
from django.views import View
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import sager_required
from audit.models import Handling
from audit.services import audit_record
from cases import selectors, services, soegning
from cases.forms import AnmodningForm, FindBorgerForm, SkemaForm, form_data
from cases.models import Kontaktforloeb
from cases.overblik import overblik
from cases.templatetags.smdb_tags import display_value
from cases.validation import rules_forloeb, validate, validate_insert
from cases.wizards import (
    AFSLUTNING_SIDE,
    ANMODNING_NY_SIDE,
    ANMODNING_SIDE,
    IVAERKSAETTELSE_ALLE,
    IVAERKSAETTELSE_TRIN,
    OPSUMMERING,
    TILBUDSTILKNYTNING_SIDE,
    TILKNYTNING_SLUT_SIDE,
    Side,
    Trin,
    flet_kladde,
    kladde_values,
    klargjorte_svar,
    laesefejl,
    opsummering,
    trin_for_slug,
    trin_for_variable,
    values_to_data,
)
from certificates import journal
from reporting import views as reporting_views
from smdb import rules, sync
from smdb.client import SmdbError
from smdb.fields import ALL_FIELDS, IVAERKSAETTELSE, SCHEMAS, TILBUDSTILKNYTNING, Field
from smdb.rules import variabler as rules_v


def _vist(request, forloeb: Kontaktforloeb, side: str = "") -> None:
    """Every page that shows a citizen's case (its CPR number, its answers) is in
    the access log: who, when, which forløb, and which page."""
    audit_record(user=request.user, handling=Handling.VIST, forloeb=forloeb, beskrivelse=side)


def home(request):
    context = {}
    if request.user.kan_se_rapporter:
        # Supervisors (leder, administrator) get the kontrollister and reports (issue 12).
        return reporting_views.forside(request)
    if request.user.kan_se_sager:
        context = {
            "find_form": FindBorgerForm(),
            "forloeb_list": selectors.seneste_forloeb(user=request.user),
            **reporting_views.sagsbehandler_kontekst(request.user),
        }
    return render(request, "cases/home.html", context)


@sager_required
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("cpr")
@sensitive_variables("cpr")
def find_borger(request):
    """Search by CPR. The CPR is sent by POST and never appears in a URL."""
    form = FindBorgerForm(request.POST or None)
    results = None
    if request.method == "POST" and form.is_valid():
        cpr = form.cleaned_data["cpr"]
        results = selectors.forloeb_for_cpr(user=request.user, cpr=cpr)
        soegning.husk_cpr(request.session, cpr)
        for forloeb in results:
            audit_record(user=request.user, handling=Handling.SOEGT, forloeb=forloeb)
        if not results:
            # A search without a hit is in the log too (issue 9), by the CPR's keyed hash.
            audit_record(user=request.user, handling=Handling.SOEGT_INTET, cpr=cpr)
    # R-ANM-1: with an active forløb there is no new anmodning to offer, only the way to it.
    aktivt = next((f for f in results or () if _aktivt(f)), None)
    return render(
        request, "cases/find_borger.html", {"form": form, "results": results, "aktivt": aktivt}
    )


def _aktivt(forloeb: Kontaktforloeb) -> bool:
    """Active as R-ANM-1 counts it: an anmodning without an afslutning."""
    return getattr(forloeb, "afslutning", None) is None


@sager_required
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("person_identifikator")
@sensitive_variables("cpr", "data")
def anmodning_create(request):
    aktivt = None  # the citizen's active forløb, when R-ANM-1 refuses a new one
    gammel_dato = None  # an anmodningsdato over a year back, to confirm once
    if request.method == "POST":
        form = AnmodningForm(request.POST)
        valid = form.is_valid()
        cpr = form.cleaned_data.get("person_identifikator", "")
        if valid and (gammel_dato := form.dato_skal_bekraeftes(rules.today_dk())):
            # Asked once: sent again with this date, it is saved.
            data = request.POST.copy()
            data["dato_bekraeftet"] = gammel_dato.isoformat()
            form = AnmodningForm(data)
            form.is_valid()
        try:
            # With unreadable answers (or a date to confirm) only checked, so that
            # every error shows at once.
            forloeb = services.anmodning_create(
                user=request.user,
                cpr=cpr,
                data=form.anmodning_data(),
                kontrol=not valid or gammel_dato is not None,
            )
        except services.RuleViolations as exc:
            if any(v.variable == rules_v.ANM_DATO for v in exc.violations):
                # A date the rules refuse (R-GEN-3 before 2008, R-GEN-6 before the
                # birth date, R-GEN-1 in the future) is only refused: "Er datoen
                # rigtig? … tryk igen" would offer a press that is refused again
                # (issue 23). Nor is the refused date carried along as confirmed.
                gammel_dato = None
                data = request.POST.copy()
                data.pop("dato_bekraeftet", None)
                form = AnmodningForm(data)
                form.is_valid()
            form.add_violations(uden_parsefejl(form, exc.violations))
            if any(v.rule == "R-ANM-1" for v in exc.violations):
                borgerens = selectors.forloeb_for_cpr(user=request.user, cpr=cpr)
                aktivt = next((f for f in borgerens if _aktivt(f)), None)
        else:
            if valid and gammel_dato is None:
                soegning.glem_cpr(request.session)
                messages.success(request, "Anmodningen er registreret.")
                return redirect("cases:forloeb_detail", pk=forloeb.pk)
    else:
        form = AnmodningForm(initial={"person_identifikator": soegning.husket_cpr(request.session)})
    # The questions through the shared template, marked "*" where they must be
    # answered (issue 23), as on every other schema form.
    ny = rules.Forloeb(
        kommune_kode=request.user.myndighed.kommune_kode,
        person_identifikator=None,
        anmodning=None,
        ivaerksaettelse=None,
    )
    return render(
        request,
        "cases/anmodning_form.html",
        {
            "form": form,
            "side": Side.bind(ANMODNING_NY_SIDE, None, ny, form=form),
            "myndighed": request.user.myndighed,
            "aktivt": aktivt,
            "gammel_dato": gammel_dato,
        },
    )


@sager_required
def forloeb_detail(request, pk: int):
    """The case page: the forløb as a timeline with its actions, drafts and the
    citizen's earlier forløb in this myndighed."""
    forloeb, andre = selectors.borgerens_forloeb(user=request.user, pk=pk)
    _vist(request, forloeb)
    # R-DEL-1: only the schema the rule engine names may be deleted now.
    raekkefoelge = selectors.slette_raekkefoelge(forloeb)
    ivaerksaettelse = getattr(forloeb, "ivaerksaettelse", None)
    afslutning = getattr(forloeb, "afslutning", None)
    fortsaetter, fortsat_i = selectors.systemskifte_par(forloeb, andre)
    return render(
        request,
        "cases/forloeb_detail.html",
        {
            "forloeb": forloeb,
            "andre": andre,
            "fortsaetter": fortsaetter,
            "fortsat_i": fortsat_i,
            "tilknytninger": forloeb.tilbudstilknytninger.all(),
            "overblik": overblik(forloeb),
            "ivaerksaettelse": ivaerksaettelse,
            "afslutning": afslutning,
            "slettes": raekkefoelge[0][2] if raekkefoelge else None,
            "kladder": selectors.kladder_for_forloeb(forloeb),
            # Which forms to offer; the rule engine still decides on submit.
            "kan_ivaerksaette": ivaerksaettelse is None and afslutning is None,
            "kan_tilknytte": ivaerksaettelse is not None and afslutning is None,
            "kan_afslutte": afslutning is None,
        },
    )


@sager_required
@require_POST
def glem_soegning(request):
    soegning.glem_cpr(request.session)
    return redirect("cases:find_borger")


# --- The schema forms: Iværksæt behandling, Tilknyt til tilbud, Afslut, Rediger, Slet ---


def uden_parsefejl(form, violations: list) -> list:
    """``violations`` less those at a field whose answer could not be read: it
    already says so, and the rule engine saw it as unanswered."""
    names = {f.variable: f.name for f in form.schema_fields()}
    return [v for v in violations if names.get(v.variable or "") not in form.errors]


def _forloeb_url(pk: int) -> str:
    return reverse("cases:forloeb_detail", args=[pk])


def _opdatering(request, side: Side, *, ekstra: Side | None = None, med_ekstra: bool = False):
    """The live update of a form page (htmx): the questions that appeared or
    disappeared and the computed values, swapped in out of band; nothing is saved.
    ``med_ekstra``: the page can ask questions of another schema (``ekstra``, Ret
    anmodning); they are swapped when which are asked changed."""
    ekstra_navne = _ekstra_navne(ekstra)
    return render(
        request,
        "cases/partials/opdatering.html",
        {
            "side": side,
            "blokke": side.aendrede_blokke(request.POST.get("_synlige", "")),
            "ekstra": ekstra,
            "ekstra_navne": ekstra_navne,
            "ekstra_aendret": med_ekstra and request.POST.get("_ekstra", "") != ekstra_navne,
        },
    )


def _ekstra_navne(ekstra: Side | None) -> str:
    return ",".join(f.name for f in ekstra.trin.fields) if ekstra is not None else ""


def _hent_fra_smdb(request, row) -> bool:
    """R-DEL-3: fetch SMDB's copy before a schema is shown for Rediger, so that a
    stale copy here never rolls SMDB back. False when it cannot be edited here."""
    try:
        with journal.kontekst(bruger=request.user):
            refreshed = sync.refresh_from_smdb(row)
        if refreshed:
            messages.info(
                request,
                f"{row.schema.title} var ændret i SMDB af et andet system. "
                "Formularen viser SMDB's udgave.",
            )
    except sync.SkemaSlettetISmdb as exc:
        messages.error(request, f"{exc} Det kan derfor ikke rettes.")
        return False
    except SmdbError:
        messages.warning(
            request,
            "SMDB kunne ikke nås, så skemaet er ikke hentet igen før rettelsen. Formularen "
            "viser smdb-webs udgave.",
        )
    return True


def _kladde_gemt(request, pk: int):
    messages.success(
        request, "Kladden er gemt. Du kan fortsætte, hvor du slap, fra forløbets side."
    )
    return redirect("cases:forloeb_detail", pk=pk)


@method_decorator(sager_required, name="dispatch")
class SkemaSideView(View):
    """One page form of a schema: Tilknyt til tilbud, Afslut tilbudstilknytning,
    Afslut behandling and the Rediger pages. GET shows it; POST with
    ``_handling=gem`` saves through a service, ``kladde`` keeps a draft; an htmx
    POST with ``_opdater`` only re-renders what the answers so far change."""

    trin: Trin
    titel: str
    knap: str
    with_version = False  # an edit: carries the row's version
    kladder = False  # a create that can be kept as a draft
    med_ekstra = False  # can ask questions of another schema (``ekstra``)

    # hooks
    def row(self, forloeb: Kontaktforloeb, **kwargs):
        return None

    def start_values(self, forloeb: Kontaktforloeb, row) -> dict:
        return row.smdb_values() if row is not None else {}

    def andre_svar(self, row) -> dict:
        """The schema's answers not on this page."""
        if row is None:
            return {}
        return {k: v for k, v in row.smdb_values().items() if k not in self.trin.variables}

    def save(self, request, pk: int, form: SkemaForm, *, kontrol: bool = False, **kwargs):
        """Save through the service; ``kontrol``: only check, save nothing."""
        raise NotImplementedError

    def oevrige_fejl(self, violations: list) -> list:
        """The violations shown on top (not at a field of this page)."""
        return violations

    def extra_context(self, forloeb) -> dict:
        return {}

    def start_json(self, request, row, conflict) -> str:
        """The answers an edit page began with, posted back with it so that a
        conflict can say who changed what: the stored row, after a conflict the
        version now stored, and on a page sent back with errors what it began with."""
        if not self.with_version:
            return ""
        if conflict is None and "_start" in request.POST:
            return request.POST["_start"]
        stored = conflict or row
        return json.dumps(values_to_data(self.trin.schema, stored.smdb_values() if stored else {}))

    def med_valg(self, request, pk: int, **kwargs):
        """The posted answers, with the other person's kept where this user chose
        "Behold den andens" after a conflict (``_behold_<field>=deres``)."""
        deres = [
            k.removeprefix("_behold_")
            for k, v in request.POST.items()
            if k.startswith("_behold_") and v == "deres"
        ]
        if not deres or not self.with_version:
            return request.POST
        forloeb, _ = selectors.borgerens_forloeb(user=request.user, pk=pk)
        row = self.row(forloeb, **kwargs)
        data = request.POST.copy()
        for f in self.trin.fields:
            if f.name in deres and not f.computed:
                data.setlist(f.name, form_data(f, getattr(row, f.name)))
        return data

    def ekstra(self, forloeb: Kontaktforloeb, row, form: SkemaForm) -> Side | None:
        """Questions of another schema that this page's answers make required, asked
        on the same page and saved with it (Ret anmodning: 4-IVÆR, R-IVAER-4)."""
        return None

    # flow
    def side(self, forloeb, row, *, data=None, form=None) -> Side:
        return Side.bind(
            self.trin,
            data,
            rules_forloeb(forloeb),
            andre_svar=self.andre_svar(row),
            with_version=self.with_version,
            form=form,
        )

    def get(self, request, pk: int, **kwargs):
        forloeb, _ = selectors.borgerens_forloeb(user=request.user, pk=pk)
        row = self.row(forloeb, **kwargs)
        if row is not None and not _hent_fra_smdb(request, row):
            return redirect("cases:forloeb_detail", pk=pk)
        kladde = None
        if self.kladder:
            kladde = selectors.kladde_for_user(
                user=request.user, forloeb_pk=pk, schema=self.trin.schema.key
            )
        if kladde is not None:
            data = dict(kladde.data)
        else:
            data = values_to_data(self.trin.schema, self.start_values(forloeb, row))
        if self.with_version:
            data["version"] = [str(row.version)]
        side = self.side(forloeb, row, data=data)
        return self.render(request, forloeb, row, side, kladde=kladde)

    def post(self, request, pk: int, **kwargs):
        form_class = self.trin.form_class(with_version=self.with_version)
        if request.htmx and "_opdater" in request.POST:
            forloeb, _ = selectors.borgerens_forloeb(user=request.user, pk=pk)
            row = self.row(forloeb, **kwargs)
            side = self.side(forloeb, row, data=request.POST)
            ekstra = self.ekstra(forloeb, row, side.form) if self.med_ekstra else None
            return _opdatering(request, side, ekstra=ekstra, med_ekstra=self.med_ekstra)
        form = form_class(self.med_valg(request, pk, **kwargs))
        valid = form.is_valid()
        handling = request.POST.get("_handling", "gem")
        if handling == "kladde" and self.kladder:
            services.kladde_save(
                user=request.user,
                forloeb_pk=pk,
                schema=self.trin.schema.key,
                data=form.raw_data(),
                trin=self.trin.slug,
            )
            return _kladde_gemt(request, pk)
        rest, conflict = [], None
        if not valid:
            conflict = self.ugyldig(request, pk, form, **kwargs)
            valid = conflict is None and form.is_valid()
            if conflict is None and not valid:
                # All of the page's errors in one round: the rule errors of what could
                # be read, beside the answers that could not (issue 11).
                try:
                    self.save(request, pk, form, kontrol=True, **kwargs)
                except services.RuleViolations as exc:
                    rest = form.add_violations(
                        uden_parsefejl(form, exc.violations), schema=exc.schema, index=exc.index
                    )
        if valid:
            try:
                self.save(request, pk, form, **kwargs)
            except services.RuleViolations as exc:
                rest = form.add_violations(exc.violations, schema=exc.schema, index=exc.index)
            except services.VersionConflict as exc:
                conflict = exc.current
            except services.IngenAendring:
                messages.info(request, "Intet er ændret, så intet er gemt eller sendt til SMDB.")
                return redirect("cases:forloeb_detail", pk=pk)
            else:
                return redirect("cases:forloeb_detail", pk=pk)
        if conflict is not None:
            # The next save is meant to overwrite: it names the version now stored.
            data = request.POST.copy()
            data["version"] = str(conflict.version)
            form = form_class(data)
            form.is_valid()
        forloeb, _ = selectors.borgerens_forloeb(user=request.user, pk=pk)
        row = self.row(forloeb, **kwargs)
        side = self.side(forloeb, row, form=form)
        ekstra = self.ekstra(forloeb, row, form)
        if ekstra is not None:
            # The other schema's violations next to its questions on this page.
            rest = ekstra.form.add_violations(rest, schema=ekstra.trin.schema.key)
        side.oevrige_fejl = self.oevrige_fejl(rest)
        return self.render(request, forloeb, row, side, conflict=conflict, ekstra=ekstra)

    def ugyldig(self, request, pk: int, form: SkemaForm, **kwargs):
        """A form that did not validate (issue 15: no refusal without a message). An
        error on a question not shown now is dropped with its answer (R-GEN-2); an
        unreadable hidden ``version`` is no version this row had: the row as it is now
        is returned, for the conflict page."""
        forloeb, _ = selectors.borgerens_forloeb(user=request.user, pk=pk)
        row = self.row(forloeb, **kwargs)
        self.side(forloeb, row, form=form).drop_skjulte_fejl()
        if self.with_version and "version" in form.errors:
            return row
        return None

    def render(self, request, forloeb, row, side: Side, *, kladde=None, conflict=None, ekstra=None):
        tilbud_valg = None
        valgt = side.values.get("TilbudId")
        if "TilbudId" in self.trin.variables:
            tilbud_valg = selectors.tilbud_soeg(
                valgt=valgt if isinstance(valgt, int) else None,
                kommune=request.user.myndighed.navn,
            )
        elif isinstance(valgt, int):  # Afslut tilbudstilknytning: which tilbud it is
            tilbud_valg = selectors.tilbud_soeg(valgt=valgt)
        _vist(request, forloeb, self.titel)
        return render(
            request,
            "cases/skema_form.html",
            {
                "forloeb": forloeb,
                "row": row,
                "side": side,
                "titel": self.titel,
                "knap": self.knap,
                "kladde": kladde,
                "fra_kladde": kladde is not None or bool(request.POST.get("_kladde")),
                "tilbud_valg": tilbud_valg,
                "kan_gemme_kladde": self.kladder,
                "konflikt": (
                    konflikt(
                        conflict,
                        side.values,
                        start=_start_values(request, self.trin.schema),
                        variables=self.trin.variables,
                    )
                    if conflict is not None
                    else None
                ),
                "start_json": self.start_json(request, row, conflict),
                **self.extra_context(forloeb),
                "fejl": side.fejl() + (ekstra.fejl() if ekstra is not None else []),
                "med_ekstra": self.med_ekstra,
                "ekstra": ekstra,
                "ekstra_navne": _ekstra_navne(ekstra),
            },
        )


@dataclass
class Forskel:
    """One field where the other person's saved answer and this user's differ."""

    field: Field
    deres: str
    min: str
    #: Changed since this user began (compared with the answers the page started from).
    deres_aendret: bool
    min_aendret: bool

    @property
    def name(self) -> str:
        return self.field.name

    @property
    def behold(self) -> str:
        """What is kept unless the user chooses: theirs when only they changed it, so
        that a save never rolls back what this user did not touch."""
        return "deres" if self.deres_aendret and not self.min_aendret else "min"


def konflikt(current, mine: dict, *, start: dict | None = None, variables=None) -> dict:
    """What the other person saved that differs from what this user typed, field by
    field, and who changed it since the page was opened (``start``: the answers it
    began with; unknown: both count as changed)."""
    by_var = current.schema.by_variable()
    forskelle = []
    for variable, theirs in current.smdb_values().items():
        f = by_var[variable]
        if f.computed or variable not in mine or mine[variable] == theirs:
            continue
        if variables is not None and variable not in variables:
            continue
        base = (start or {}).get(variable, theirs if start is None else None)
        forskelle.append(
            Forskel(
                f,
                display_value(f, theirs),
                display_value(f, mine[variable]),
                deres_aendret=start is None or theirs != base,
                min_aendret=start is None or mine[variable] != base,
            )
        )
    return {"current": current, "forskelle": forskelle}


def _start_values(request, schema) -> dict | None:
    """The answers an edit page began with, as it posted them back (``_start``);
    None when it did not (then who changed what is unknown)."""
    try:
        data = json.loads(request.POST.get("_start") or "null")
    except ValueError:
        return None
    if not isinstance(data, dict) or not all(isinstance(v, list) for v in data.values()):
        return None
    return kladde_values(schema, {k: [str(x) for x in v] for k, v in data.items()})


class TilknytningCreate(SkemaSideView):
    trin = TILBUDSTILKNYTNING_SIDE
    titel = "Tilknyt til tilbud"
    knap = "Tilknyt til tilbud"
    kladder = True

    def save(self, request, pk, form, *, kontrol=False, **kwargs):
        services.tilbudstilknytning_create(
            user=request.user,
            forloeb_pk=pk,
            data=form.values(),
            kladde=bool(request.POST.get("_kladde")),
            kontrol=kontrol,
        )
        if not kontrol:
            messages.success(request, "Tilbudstilknytningen er registreret.")


class _TilknytningEdit(SkemaSideView):
    with_version = True

    def row(self, forloeb, *, tilknytning_pk: int):
        row = next((t for t in forloeb.tilbudstilknytninger.all() if t.pk == tilknytning_pk), None)
        if row is None:
            raise Http404("Tilbudstilknytningen findes ikke på forløbet.")
        return row

    def save(self, request, pk, form, *, tilknytning_pk: int, kontrol=False):
        services.tilbudstilknytning_update(
            user=request.user,
            forloeb_pk=pk,
            tilknytning_pk=tilknytning_pk,
            version=form.version,
            data=form.values(),
            kontrol=kontrol,
        )
        if not kontrol:
            messages.success(request, self.besked)


class TilknytningRediger(_TilknytningEdit):
    trin = TILBUDSTILKNYTNING_SIDE
    titel = "Ret tilbudstilknytning"
    knap = "Gem ændringer"
    besked = "Tilbudstilknytningen er rettet."


class TilknytningAfslut(_TilknytningEdit):
    trin = TILKNYTNING_SLUT_SIDE
    titel = "Afslut tilbudstilknytning"
    knap = "Afslut tilbudstilknytning"
    besked = "Tilbudstilknytningen er afsluttet."


class AfslutningCreate(SkemaSideView):
    trin = AFSLUTNING_SIDE
    titel = "Afslut behandling"
    knap = "Afslut behandling"
    kladder = True

    def start_values(self, forloeb, row):
        # A help, not a rule: when every tilknytning has ended, the afslutningsdato
        # is usually the last slut date (R-AFSL-6 is checked by the rule engine).
        slut = [
            t.tilbud_tilknyttet_behandling_slut_dato for t in forloeb.tilbudstilknytninger.all()
        ]
        if slut and all(slut):
            return {"BehandlingAfsluttetDato": max(slut)}
        return {}

    def extra_context(self, forloeb) -> dict:
        # R-AFSL-5: said before the form, with a link to close each, rather than
        # only as an error after the caseworker has filled it in.
        return {"aabne_tilknytninger": overblik(forloeb).aabne}

    def oevrige_fejl(self, violations):
        # R-TILB-6 (4-TILB required once the forløb is closed) says what R-AFSL-5
        # says at 1-AFSL, about a field not on this page: shown once, not twice.
        return [v for v in violations if v.rule != "R-TILB-6"]

    def save(self, request, pk, form, *, kontrol=False, **kwargs):
        services.afslutning_create(
            user=request.user,
            forloeb_pk=pk,
            data=form.values(),
            kladde=bool(request.POST.get("_kladde")),
            kontrol=kontrol,
        )
        if not kontrol:
            messages.success(request, "Behandlingen er afsluttet.")


class AfslutningRediger(SkemaSideView):
    trin = AFSLUTNING_SIDE
    titel = "Ret afslutning"
    knap = "Gem ændringer"
    with_version = True

    def row(self, forloeb):
        return services._eksisterende(forloeb, "afslutning")

    def save(self, request, pk, form, *, kontrol=False):
        services.afslutning_update(
            user=request.user,
            forloeb_pk=pk,
            version=form.version,
            data=form.values(),
            kontrol=kontrol,
        )
        if not kontrol:
            messages.success(request, "Afslutningen er rettet.")


class AnmodningRediger(SkemaSideView):
    trin = ANMODNING_SIDE
    titel = "Ret anmodning"
    knap = "Gem ændringer"
    with_version = True

    med_ekstra = True

    def row(self, forloeb):
        return services._eksisterende(forloeb, "anmodning")

    def ekstra(self, forloeb, row, form) -> Side | None:
        """R-IVAER-4 (issue 10): a new anmodningsdato that puts more than 14 days
        before the iværksættelse makes 4-IVÆR required (and one that puts the
        lægesamtale past its deadline 29-IVÆR, R-IVAER-6). The rule engine says
        which, for the forløb as it would be after the edit; the page asks them, and
        their answers are saved and sent with the anmodning."""
        if not form.is_valid():
            return None
        anmodning = {**row.smdb_values(), **form.values()}
        mangler = services.ivaerksaettelse_svar_der_mangler(forloeb, anmodning=anmodning)
        if not mangler:
            return None
        andre = {k: v for k, v in forloeb.ivaerksaettelse.smdb_values().items() if k not in mangler}
        return Side.bind(
            Trin(IVAERKSAETTELSE, "anmodning-ivaer", "Iværksættelsen", mangler),
            form.data,
            rules_forloeb(forloeb, anmodning=anmodning),
            andre_svar=andre,
        )

    def save(self, request, pk, form, *, kontrol=False):
        forloeb, _ = selectors.borgerens_forloeb(user=request.user, pk=pk)
        ekstra = self.ekstra(forloeb, self.row(forloeb), form)
        services.anmodning_update(
            user=request.user,
            forloeb_pk=pk,
            version=form.version,
            data=form.values(),
            ivaerksaettelse_svar=ekstra.form.values() if ekstra is not None else None,
            kontrol=kontrol,
        )
        if not kontrol:
            messages.success(request, "Anmodningen er rettet.")


@method_decorator(sager_required, name="dispatch")
class IvaerksaettelseWizard(View):
    """Iværksæt behandling in four steps and a summary to confirm. Each step is
    kept in the user's draft (Kladde) as it is left, so the work survives logging
    out; the summary validates the whole forløb and the confirm saves it through
    the service. ``rediger``: the same steps edit the existing IVÆR (R-DEL-2)."""

    rediger = False
    schema_key = IVAERKSAETTELSE.key

    def url(self, pk: int, trin: str) -> str:
        name = (
            "cases:ivaerksaettelse_rediger_trin" if self.rediger else "cases:ivaerksaettelse_trin"
        )
        return reverse(name, args=[pk, trin])

    def load(self, request, pk: int):
        forloeb, andre = selectors.borgerens_forloeb(user=request.user, pk=pk)
        row = getattr(forloeb, "ivaerksaettelse", None)
        if self.rediger and row is None:
            raise Http404("Forløbet har ingen iværksættelse.")
        kladde = selectors.kladde_for_user(
            user=request.user,
            forloeb_pk=pk,
            schema=self.schema_key,
            skema_pk=row.pk if self.rediger else 0,
        )
        return forloeb, andre, row, kladde

    def data(self, row, kladde) -> dict:
        if kladde is not None:
            return dict(kladde.data)
        if self.rediger:
            return values_to_data(IVAERKSAETTELSE, row.smdb_values())
        return {}

    def version(self, row, kladde) -> int:
        if kladde is not None and self.rediger:
            return kladde.version
        return row.version if self.rediger else 0

    def step_side(self, step: Trin, forloeb, data: dict, *, version: int, form=None) -> Side:
        alle = kladde_values(IVAERKSAETTELSE, data)
        andre_svar = {k: v for k, v in alle.items() if k not in step.variables}
        if form is None and self.rediger:
            data = {**data, "version": [str(version)]}
        return Side.bind(
            step,
            data,
            rules_forloeb(forloeb),
            andre_svar=andre_svar,
            with_version=self.rediger,
            form=form,
        )

    def violations(self, forloeb, andre, values: dict) -> list:
        if self.rediger:
            return validate(forloeb, andre=andre, ivaerksaettelse=values)
        return validate_insert(forloeb, self.schema_key, values, andre=andre)

    # --- GET ---------------------------------------------------------------------
    def get(self, request, pk: int, trin: str | None = None):
        forloeb, andre, row, kladde = self.load(request, pk)
        if not self.rediger and row is not None:
            messages.info(
                request, "Behandlingen er allerede iværksat. Brug 'Ret' for at ændre den."
            )
            return redirect("cases:forloeb_detail", pk=pk)
        if trin is None:
            if self.rediger and not _hent_fra_smdb(request, row):
                return redirect("cases:forloeb_detail", pk=pk)
            start = (
                kladde.trin if kladde is not None and kladde.trin else IVAERKSAETTELSE_TRIN[0].slug
            )
            return redirect(self.url(pk, start))
        data = self.data(row, kladde)
        version = self.version(row, kladde)
        if trin == OPSUMMERING:
            return self.render_opsummering(request, forloeb, andre, data, version, kladde=kladde)
        step = trin_for_slug(trin)
        if step is None:
            raise Http404("Ukendt trin.")
        side = self.step_side(step, forloeb, data, version=version)
        if request.GET.get("fejl"):
            side.oevrige_fejl = self.step_violations(step, side, forloeb, andre)
        return self.render_step(request, forloeb, step, side, kladde=kladde)

    def step_violations(self, step: Trin, side: Side, forloeb, andre) -> list:
        values = klargjorte_svar(self.schema_key, side.values, rules_forloeb(forloeb))
        own = [
            v
            for v in self.violations(forloeb, andre, values)
            if v.schema == self.schema_key and v.variable in step.variables
        ]
        return side.form.add_violations(uden_parsefejl(side.form, own), schema=self.schema_key)

    @property
    def titel(self) -> str:
        return "Ret iværksættelse" if self.rediger else IVAERKSAETTELSE.action

    def render_step(self, request, forloeb, step: Trin, side: Side, *, kladde=None):
        index = IVAERKSAETTELSE_TRIN.index(step)
        _vist(request, forloeb, f"{self.titel}: {step.titel}")
        return render(
            request,
            "cases/ivaerksaettelse_trin.html",
            {
                "forloeb": forloeb,
                "side": side,
                "step": step,
                "nummer": index + 1,
                "antal": len(IVAERKSAETTELSE_TRIN),
                "alle_trin": self.trin_links(forloeb.pk),
                "forrige": index > 0,
                "kladde": kladde,
                "rediger": self.rediger,
                "titel": self.titel,
            },
        )

    def trin_links(self, pk: int) -> list[tuple[str, str, str]]:
        out = [(t.slug, t.titel, self.url(pk, t.slug)) for t in IVAERKSAETTELSE_TRIN]
        out.append((OPSUMMERING, "Opsummering", self.url(pk, OPSUMMERING)))
        return out

    def render_opsummering(
        self,
        request,
        forloeb,
        andre,
        data: dict,
        version: int,
        *,
        kladde=None,
        violations=None,
        conflict=None,
        status: int = 200,
    ):
        rf = rules_forloeb(forloeb)
        alle = kladde_values(IVAERKSAETTELSE, data)
        values = klargjorte_svar(self.schema_key, alle, rf)
        if violations is None:
            violations = self.violations(forloeb, andre, values)
        shown = rules.visible_fields(self.schema_key, values, rf)
        if laes := laesefejl(IVAERKSAETTELSE, data, shown):
            # What could not be read is named once, as what it is, not also as missing.
            bad = {v.variable for v in laes}
            violations = laes + [
                v for v in violations if v.schema != self.schema_key or v.variable not in bad
            ]
        fejl = []
        for v in violations:
            step = trin_for_variable(v.variable) if v.schema == self.schema_key else None
            href = ""
            if step is not None:
                href = self.url(forloeb.pk, step.slug) + "?fejl=1"
                if not ALL_FIELDS[v.variable].computed:
                    href += f"#id_{ALL_FIELDS[v.variable].name}"
            fejl.append((v, href))
        konflikt_ = None
        if conflict is not None:
            konflikt_ = konflikt(conflict, values)
            version = conflict.version
        _vist(request, forloeb, f"{self.titel}: opsummering")
        return render(
            request,
            "cases/ivaerksaettelse_opsummering.html",
            {
                "forloeb": forloeb,
                "afsnit": opsummering(values, rf, self.url, forloeb.pk),
                "fejl": fejl,
                "data": sorted(data.items()),
                "version": version,
                "rediger": self.rediger,
                "kladde": kladde,
                "alle_trin": self.trin_links(forloeb.pk),
                "konflikt": konflikt_,
                "titel": self.titel,
            },
            status=status,
        )

    # --- POST --------------------------------------------------------------------
    def post(self, request, pk: int, trin: str | None = None):
        if trin == OPSUMMERING:
            return self.bekraeft(request, pk)
        step = trin_for_slug(trin or "")
        if step is None:
            raise Http404("Ukendt trin.")
        forloeb, andre, row, kladde = self.load(request, pk)
        if not self.rediger and row is not None:
            return redirect("cases:forloeb_detail", pk=pk)
        data = self.data(row, kladde)
        version = self.version(row, kladde)
        form = step.form_class(with_version=self.rediger)(request.POST)
        form.is_valid()
        side = self.step_side(step, forloeb, data, version=version, form=form)
        side.drop_skjulte_fejl()
        # A step's version is only carried along; an unreadable one is not used (the
        # draft keeps the version the edit began from, which the confirm checks).
        form.errors.pop("version", None)
        if request.htmx and "_opdater" in request.POST:
            return _opdatering(request, side)
        handling = request.POST.get("_handling", "naeste")
        index = IVAERKSAETTELSE_TRIN.index(step)
        merged = flet_kladde(step, data, form, rules_forloeb(forloeb))
        rest = []
        if handling == "naeste":
            # Rule errors with the unreadable answers, in one round (issue 11).
            rest = self.step_violations(step, side, forloeb, andre)
        ok = handling != "naeste" or (form.is_valid() and not form.errors and not rest)
        if handling == "forrige" and index > 0:
            resume = IVAERKSAETTELSE_TRIN[index - 1].slug
        elif handling == "naeste" and ok:
            resume = (
                IVAERKSAETTELSE_TRIN[index + 1].slug
                if index + 1 < len(IVAERKSAETTELSE_TRIN)
                else OPSUMMERING
            )
        else:
            resume = step.slug
        services.kladde_save(
            user=request.user,
            forloeb_pk=pk,
            schema=self.schema_key,
            data=merged,
            trin=resume,
            skema_pk=row.pk if self.rediger else 0,
            version=(form.version or version) if self.rediger else 0,
        )
        if handling == "kladde":
            return _kladde_gemt(request, pk)
        if not ok:
            side.oevrige_fejl = rest
            return self.render_step(request, forloeb, step, side, kladde=kladde)
        return redirect(self.url(pk, resume))

    def bekraeft(self, request, pk: int):
        """Confirm on the summary: what the summary showed (posted back with it) is
        validated with the whole forløb and saved; the draft goes with it."""
        form = IVAERKSAETTELSE_ALLE.form_class(with_version=self.rediger)(request.POST)
        form.is_valid()
        data = form.raw_data()
        violations, conflict = None, None
        if form.errors:
            # Issue 15: an answer to a hidden question is dropped, not an error; an
            # unreadable version is the conflict page; what else cannot be read is
            # listed by the summary (laesefejl), each at its step.
            forloeb, _, row, _ = self.load(request, pk)
            Side.bind(
                IVAERKSAETTELSE_ALLE,
                None,
                rules_forloeb(forloeb),
                with_version=self.rediger,
                form=form,
            ).drop_skjulte_fejl()
            if self.rediger and "version" in form.errors:
                conflict = row
        if not form.errors:
            try:
                if self.rediger:
                    services.ivaerksaettelse_update(
                        user=request.user,
                        forloeb_pk=pk,
                        version=form.version,
                        data=form.values(),
                        kladde=True,
                    )
                    messages.success(request, "Iværksættelsen er rettet.")
                else:
                    services.ivaerksaettelse_create(
                        user=request.user, forloeb_pk=pk, data=form.values(), kladde=True
                    )
                    messages.success(request, "Behandlingen er iværksat.")
                return redirect("cases:forloeb_detail", pk=pk)
            except services.RuleViolations as exc:
                violations = exc.violations
            except services.VersionConflict as exc:
                conflict = exc.current
        forloeb, andre, row, kladde = self.load(request, pk)
        return self.render_opsummering(
            request,
            forloeb,
            andre,
            data,
            form.version or self.version(row, kladde),
            kladde=kladde,
            violations=violations,
            conflict=conflict,
        )


class IvaerksaettelseRediger(IvaerksaettelseWizard):
    rediger = True


@sager_required
@require_http_methods(["GET", "POST"])
def skema_slet(request, pk: int, schema: str, tilknytning_pk: int | None = None):
    """Slet one schema bagfra (R-DEL-1): a confirmation page; the POST is refused
    with the reason (409) when this is not the schema that may be deleted now."""
    if schema not in SCHEMAS or (schema == TILBUDSTILKNYTNING.key) != (tilknytning_pk is not None):
        raise Http404("Ukendt skema.")
    refused = None
    if request.method == "POST":
        try:
            rest = services.skema_delete(
                user=request.user, forloeb_pk=pk, schema=schema, tilknytning_pk=tilknytning_pk
            )
        except rules.DeletionRefused as exc:
            refused = exc
        else:
            navn = SCHEMAS[schema].title
            if rest is None:
                messages.success(request, f"{navn} er slettet, og dermed hele forløbet.")
                return redirect("cases:home")
            messages.success(request, f"{navn} er slettet.")
            return redirect("cases:forloeb_detail", pk=pk)
    forloeb, _ = selectors.borgerens_forloeb(user=request.user, pk=pk)
    row = None
    try:
        row, index = services.skema_til_sletning(forloeb, schema, tilknytning_pk)
        rules.check_deletion(rules_forloeb(forloeb), schema, index)
    except rules.DeletionRefused as exc:
        refused = refused or exc
    titel = f"Slet {SCHEMAS[schema].title.lower()}"
    _vist(request, forloeb, titel)
    return render(
        request,
        "cases/slet_bekraeft.html",
        {
            "forloeb": forloeb,
            "skema": row,
            "schema": SCHEMAS[schema],
            "refused": refused,
            "titel": titel,
        },
        status=409 if refused is not None and request.method == "POST" else 200,
    )


@sager_required
@require_http_methods(["GET", "POST"])
def forloeb_slet(request, pk: int):
    """Slet the whole forløb: walks back schema by schema (R-DEL-1)."""
    if request.method == "POST":
        antal = services.forloeb_delete(user=request.user, forloeb_pk=pk)
        skemaer = ngettext("%(antal)d skema", "%(antal)d skemaer", antal) % {"antal": antal}
        messages.success(
            request, f"Forløbet er slettet bagfra ({skemaer}). Sletningerne sendes til SMDB."
        )
        return redirect("cases:home")
    forloeb, _ = selectors.borgerens_forloeb(user=request.user, pk=pk)
    _vist(request, forloeb, "Slet hele forløbet")
    return render(
        request,
        "cases/forloeb_slet.html",
        {
            "forloeb": forloeb,
            "raekkefoelge": [
                (row.schema.title, row) for _, _, row in selectors.slette_raekkefoelge(forloeb)
            ],
        },
    )


@sager_required
@require_http_methods(["GET", "POST"])
def kladde_slet(request, pk: int, kladde_pk: int):
    """Kassér a draft: asked first (GET), done on POST (issue 11)."""
    if request.method == "POST":
        services.kladde_delete(user=request.user, kladde_pk=kladde_pk)
        messages.success(request, "Kladden er kasseret.")
        return redirect("cases:forloeb_detail", pk=pk)
    kladde = selectors.kladde_til_kassering(user=request.user, forloeb_pk=pk, kladde_pk=kladde_pk)
    _vist(request, kladde.forloeb, "Kassér kladde")
    return render(
        request,
        "cases/kladde_slet.html",
        {"forloeb": kladde.forloeb, "kladde": kladde, "titel": "Kassér kladde"},
    )


@sager_required
@require_GET
def tilbud_soeg(request):
    """Search the tilbud catalogue (htmx partial for 1-TILB)."""
    try:
        valgt = int(request.GET.get("tilbud_id") or 0) or None
    except ValueError:
        valgt = None
    q = request.GET.get("q", "")
    tilbud = selectors.tilbud_soeg(q=q, valgt=valgt, kommune=request.user.myndighed.navn)
    return render(
        request,
        "cases/partials/tilbud_resultater.html",
        {"tilbud": tilbud, "valgt": valgt, "q": q, "name": "tilbud_id"},
    )
