"""Reads for supervisors: OVERBLIK, the kontrollister, hovedtal and godkendelse.

Every read starts from ``status_i(omfang)``, the one place a report is narrowed
to a myndighed (and, for a caseworker's "mine sager", to the forløb they
registered). It reads ``reporting.models.Forloebsstatus``, one row per forløb kept
by ``reporting.forloebsstatus``: each list is one ``Q`` over that table, so the
front page counts every list in a single scan of the myndighed's rows, and a list
page costs a fixed number of queries whatever the number of rows (the count, a
page of rows, and each row's schemas). The pages, the exports and ``smdb_rapport``
share these functions.
"""

from __future__ import annotations

import calendar
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from cases.models import Kontaktforloeb, SyncStatus, Tilbud, Tilbudstilknytning
from reporting.models import Forloebsstatus
from smdb.rules.dato import DK, Hindring, beregning_hindret, dage_mellem, dagetal_tekst, today_dk
from smdb.rules.visibility import GARANTI_DAGE

#: 8-TILB codes of medical treatment (§142 SUL); 04 (stoffri, §101 SEL / §33 Barnets
#: Lov) is social treatment.
MEDICINSKE_TYPER = ("01", "03", "05", "06", "07", "08")
#: "Frister": a schema is listed this many days before its deadline.
FRIST_VARSEL_DAGE = 7


@dataclass(frozen=True)
class Omfang:
    """Whose forløb a report covers: a myndighed, or one caseworker's in it."""

    myndighed_id: int | None
    sagsbehandler_id: int | None = None


def omfang_for_leder(user) -> Omfang:
    """A leder's or administrator's reports: their whole myndighed; nothing otherwise."""
    return Omfang(user.myndighed_id if getattr(user, "kan_se_rapporter", False) else None)


def omfang_for_sagsbehandler(user) -> Omfang:
    """A caseworker's own cases ("mine sager"): the forløb they registered."""
    if not getattr(user, "kan_se_sager", False):
        return Omfang(None)
    return Omfang(user.myndighed_id, sagsbehandler_id=user.pk)


def status_i(omfang: Omfang) -> QuerySet[Forloebsstatus]:
    """The myndighed's forløb (a caseworker's own), as their report rows (with the
    caseworker who registered each)."""
    if omfang.myndighed_id is None:
        return Forloebsstatus.objects.none()
    qs = Forloebsstatus.objects.filter(myndighed_id=omfang.myndighed_id).select_related(
        "oprettet_af"
    )
    if omfang.sagsbehandler_id is not None:
        qs = qs.filter(oprettet_af_id=omfang.sagsbehandler_id)
    return qs


def _tilknytninger() -> Prefetch:
    """A forløb's tilknytninger, each with its tilbud's name."""
    return Prefetch(
        "tilbudstilknytninger",
        queryset=Tilbudstilknytning.objects.annotate(
            tilbud_navn=Subquery(
                Tilbud.objects.filter(tilbud_id=OuterRef("tilbud_id")).values("navn")[:1]
            )
        ).order_by("pk"),
    )


def med_skemaer_qs(qs: QuerySet[Kontaktforloeb]) -> QuerySet[Kontaktforloeb]:
    """Forløb with every schema and their caseworker, each tilknytning with its tilbud's
    name (2 queries)."""
    return qs.select_related(
        "anmodning", "ivaerksaettelse", "afslutning", "oprettet_af"
    ).prefetch_related(_tilknytninger())


def med_skemaer(qs: QuerySet[Forloebsstatus]) -> QuerySet[Forloebsstatus]:
    """Report rows with their forløb, loaded as ``med_skemaer_qs`` (for the downloads
    and ``smdb_rapport``, which write every schema): 2 queries after the rows'."""
    return qs.prefetch_related(Prefetch("forloeb", queryset=med_skemaer_qs(Kontaktforloeb.objects)))


#: What a list's own column (``kontrolliste_detalje``, ``skema_frist``) reads of each
#: schema: its SMDB state, its last change and its dates; nothing else is loaded.
DETALJE_FAELLES = ("sync_status", "aendret")
DETALJE_FELTER = {
    "anmodning": ("behandling_anmodning_dato",),
    "ivaerksaettelse": ("ivaerksat_behandling_dato",),
    "afslutning": ("behandling_afsluttet_dato",),
}
DETALJE_TILKNYTNING = (
    "forloeb_id",
    "tilbud_tilknyttet_behandling_start_dato",
    "tilbud_tilknyttet_behandling_slut_dato",
    "behandling_type_kode",
)


def forloeb_til_detalje(ids) -> dict[int, Kontaktforloeb]:
    """A page's forløb by id with what the list's own column reads of every schema
    (2 queries): a schema has some fifty fields, the column needs a handful."""
    felter = [
        f"{rel}__{felt}"
        for rel, egne in DETALJE_FELTER.items()
        for felt in (*DETALJE_FAELLES, *egne)
    ]
    tilknytninger = Tilbudstilknytning.objects.only(*DETALJE_FAELLES, *DETALJE_TILKNYTNING)
    qs = (
        Kontaktforloeb.objects.filter(pk__in=ids)
        .select_related(*DETALJE_FELTER)
        .only("pk", *felter)
        .prefetch_related(Prefetch("tilbudstilknytninger", queryset=tilknytninger))
    )
    return {f.pk: f for f in qs}


def tilknytninger_for(ids) -> dict[int, list[Tilbudstilknytning]]:
    """A page's tilknytninger by forløb, each with its tilbud's name (1 query)."""
    ud: dict[int, list] = {pk: [] for pk in ids}
    for t in _tilknytninger().queryset.filter(forloeb_id__in=ids):
        ud[t.forloeb_id].append(t)
    return ud


def forloeb_af(rows) -> list[Kontaktforloeb]:
    """The forløb of report rows (loaded with ``med_skemaer``)."""
    return [row.forloeb for row in rows]


# --- dates -------------------------------------------------------------------


def plus_maaned(d: date, maaneder: int = 1) -> date:
    """``d`` moved by whole months, the day clamped to the month's last (31 Jan + 1 = 28/29 Feb)."""
    m = d.month - 1 + maaneder
    aar, maaned = d.year + m // 12, m % 12 + 1
    return date(aar, maaned, min(d.day, calendar.monthrange(aar, maaned)[1]))


def social_frist(haendelse: date) -> date:
    """Spec section 2, "Frist": by the 15th of the month after the event."""
    return plus_maaned(haendelse.replace(day=15), 1)


def medicinsk_frist(start: date) -> date:
    """Medical treatment (8-TILB other than 04): within one month of its start."""
    return plus_maaned(start, 1)


def tidspunkt(dato: date) -> datetime:
    """The moment a report "on ``dato``" is taken: now for today, otherwise the end of that day."""
    if dato == today_dk():
        return timezone.now()
    return datetime.combine(dato, time.max, tzinfo=DK)


def glemte_maaneder() -> int:
    return int(getattr(settings, "REPORTING_GLEMTE_MAANEDER", 6))


# --- the kontrollister ---------------------------------------------------------

#: "Open": no afslutning.
AABEN = Q(behandling_afsluttet_dato__isnull=True)


@dataclass(frozen=True)
class Kontrolliste:
    slug: str
    titel: str
    regel: str  # the rule, as written on its page
    q: Callable[[date], Q]  # reference date -> the condition on a Forloebsstatus
    kolonne: str = ""  # the list's own column heading
    orden: tuple[str, ...] = ("behandling_anmodning_dato", "forloeb")
    # Its column names schemas (which were refused, which are due): a page of the list
    # loads its forløb with every schema; the others read the row alone.
    skemaer: bool = False
    # Its rule says "in the year" (up to the reference date): a year may be asked
    # for (``aarets_referencedato``).
    pr_aar: bool = False


def _ikke_ivaerksat(dato: date) -> Q:
    # R-IVAER-4's guarantee: day 14 is within it, day 15 is not.
    return (
        AABEN
        & Q(ivaerksat_behandling_dato__isnull=True)
        & Q(behandling_anmodning_dato__lt=dato - timedelta(days=GARANTI_DAGE))
    )


def _ivaerksat_i_aaret(dato: date) -> Q:
    # R-SKIFT-4: a model-2 pair once, as its restarted forløb (with the first one's
    # dates, reporting.forloebsstatus.FOERSTE_FORLOEBS).
    return Q(
        ivaerksat_behandling_dato__gte=date(dato.year, 1, 1),
        ivaerksat_behandling_dato__lte=dato,
    ) & ~Q(lukket_ved_systemskift=True)


def _garanti_overskredet(dato: date) -> Q:
    # 32-IVÆR (days from anmodning to iværksættelse), as stored with the schema.
    return _ivaerksat_i_aaret(dato) & Q(
        ivaerksat_behandling_dage_siden_anmodning_kvantitet__gt=GARANTI_DAGE
    )


def med_tilknytning(q: Q) -> Q:
    """Forløb with a tilknytning matching ``q`` (an uncorrelated ``IN``, which
    PostgreSQL runs once and hashes)."""
    return Q(forloeb_id__in=Tilbudstilknytning.objects.filter(q).values("forloeb_id"))


def aaben_tilknytning_paa(dato: date) -> Q:
    """A tilknytning open on ``dato``: started on or before it, not ended before it."""
    return Q(tilbud_tilknyttet_behandling_start_dato__lte=dato) & (
        Q(tilbud_tilknyttet_behandling_slut_dato__isnull=True)
        | Q(tilbud_tilknyttet_behandling_slut_dato__gte=dato)
    )


def _uden_aaben_tilknytning(dato: date) -> Q:
    # The tilknytninger's cover (Forloebsstatus): none, all after the date, or all
    # ended before it. Between the first start and the last slut, the date is covered
    # unless the periods leave a gap; only then are the tilknytninger themselves asked.
    aaben_paa_datoen = Exists(
        Tilbudstilknytning.objects.filter(aaben_tilknytning_paa(dato), forloeb=OuterRef("pk"))
    )
    return (
        Q(tilknytning_foerste_start__isnull=True)
        | Q(tilknytning_foerste_start__gt=dato)
        | Q(tilknytning_sidste_slut__lt=dato)
        | (Q(tilknytning_huller=True) & ~aaben_paa_datoen)
    )


def _uden_tilknytning(dato: date) -> Q:
    return AABEN & Q(ivaerksat_behandling_dato__lte=dato) & _uden_aaben_tilknytning(dato)


def _laegesamtale(dato: date) -> Q:
    # R-IVAER-6: the lægesamtale is due within 14 days of the anmodning. Held on day
    # 14 is in time; not held is late only once day 14 has passed on ``dato``.
    frist = ExpressionWrapper(
        F("behandling_anmodning_dato") + timedelta(days=GARANTI_DAGE),
        output_field=DateField(),
    )
    holdt_for_sent = Q(laegesamtale_afholdt_indikator=True) & Q(laegesamtale_afholdt_dato__gt=frist)
    ikke_holdt = ~Q(laegesamtale_afholdt_indikator=True) & Q(
        behandling_anmodning_dato__lt=dato - timedelta(days=GARANTI_DAGE)
    )
    return (
        _ivaerksat_i_aaret(dato)
        & Q(oensker_borger_tilbud_laegesamtale_kode="01")
        & (holdt_for_sent | ikke_holdt)
    )


def glemt_foer(dato: date) -> datetime:
    return datetime.combine(plus_maaned(dato, -glemte_maaneder()), time.min, tzinfo=DK)


def _glemte(dato: date) -> Q:
    # No schema changed since the limit (Forloebsstatus.senest_aendret: the newest
    # change of the anmodning, iværksættelse and every tilknytning).
    return AABEN & Q(senest_aendret__lt=glemt_foer(dato))


def smdb_fejl_foer(dato: date) -> datetime:
    return tidspunkt(dato) - timedelta(days=1)


def _smdb_fejl(dato: date) -> Q:
    """A schema SMDB refused, or one not received and unchanged for more than a day."""
    return AFVIST | Q(ikke_sendt_siden__lt=smdb_fejl_foer(dato))


#: A schema SMDB refused; one it has not received (refused, or not sent yet).
AFVIST = Q(smdb_tilstand=SyncStatus.AFVIST)
IKKE_MODTAGET = ~Q(smdb_tilstand=SyncStatus.SENDT)


def frist_senest(dato: date) -> date:
    return dato + timedelta(days=FRIST_VARSEL_DAGE)


def _frister(dato: date) -> Q:
    # Forloebsstatus.naeste_frist: the earliest deadline (skema_frist) of the schemas
    # SMDB has not received.
    return Q(naeste_frist__lte=frist_senest(dato))


#: The lists of the year's iværksættelser read in that order (their rows are this year's:
#: walking the anmodningsdato index from the oldest would pass every other row first).
IVAERKSAT_ORDEN = ("ivaerksat_behandling_dato", "forloeb")

KONTROLLISTER: dict[str, Kontrolliste] = {
    k.slug: k
    for k in (
        Kontrolliste(
            "ikke-ivaerksat",
            "Ikke iværksat inden for 14 dage",
            "Åbne forløb uden iværksættelse, hvor der på referencedatoen er gået mere end "
            "14 dage siden anmodningsdatoen (2-ANM). Dag 14 er inden for behandlingsgarantien.",
            _ikke_ivaerksat,
            "Over garantien",
        ),
        Kontrolliste(
            "garanti-overskredet",
            "Behandlingsgaranti overskredet",
            "Forløb iværksat i året (til og med referencedatoen) med mere end 14 dage fra "
            "anmodning til iværksættelse (32-IVÆR), med den angivne årsag (4-IVÆR).",
            _garanti_overskredet,
            "Årsag (4-IVÆR)",
            IVAERKSAT_ORDEN,
            pr_aar=True,
        ),
        Kontrolliste(
            "uden-tilknytning",
            "Iværksat uden aktiv tilbudstilknytning",
            "Åbne forløb iværksat senest på referencedatoen, hvor ingen tilbudstilknytning er "
            "åben på referencedatoen (startdato på eller før datoen, og ingen slutdato eller "
            "slutdato på eller efter datoen).",
            _uden_tilknytning,
            "Seneste tilknytning",
            skemaer=True,
        ),
        Kontrolliste(
            "laegesamtale",
            "Lægesamtale ikke afholdt inden for 14 dage",
            "Forløb iværksat i året, hvor borgeren ønskede en lægesamtale (24-IVÆR = Ja), og "
            "den ikke blev afholdt senest 14 dage efter anmodningsdatoen: afholdt senere, "
            "eller ikke afholdt, og dag 14 er passeret (R-IVAER-6).",
            _laegesamtale,
            "Lægesamtale",
            IVAERKSAT_ORDEN,
            pr_aar=True,
        ),
        Kontrolliste(
            "glemte",
            "Glemte forløb",
            "Åbne forløb, hvor intet skema er ændret i de seneste {maaneder} måneder før "
            "referencedatoen.",
            _glemte,
            "Senest ændret",
        ),
        Kontrolliste(
            "smdb-fejl",
            "Afvist af SMDB eller ikke sendt",
            "Forløb med et skema, som SMDB har afvist, eller som ikke er modtaget af SMDB "
            "mere end et døgn efter seneste ændring.",
            _smdb_fejl,
            "Skemaer",
            skemaer=True,
        ),
        Kontrolliste(
            "frister",
            "Indberetningsfrister",
            "Forløb med et skema, som SMDB endnu ikke har modtaget, og hvis frist er "
            "overskredet eller falder inden for 7 dage efter referencedatoen. Social "
            "behandling: senest den 15. i måneden efter hændelsen (kravspecifikationen "
            "afsnit 2, Frist). Medicinsk behandling (8-TILB andet end 04): senest en måned "
            "efter startdatoen.",
            _frister,
            "Frister",
            skemaer=True,
        ),
    )
}


def aarets_referencedato(aar: int, dato: date | None, today: date) -> date:
    """A list counted "in the year" asked for year ``aar``: up to ``dato`` if given (it
    must lie in that year), else to the year's last day, today for this year.
    ValueError (Danish) if ``dato`` lies in another year."""
    if dato is not None:
        if dato.year != aar:
            raise ValueError(
                f"Referencedatoen {dato:%d.%m.%Y} ligger ikke i året {aar}; "
                "angiv kun det ene, eller en dato i året."
            )
        return dato
    return min(date(aar, 12, 31), today)


def kontrolliste_regel(liste: Kontrolliste) -> str:
    return liste.regel.format(maaneder=glemte_maaneder())


def kontrolliste_antal(*, omfang: Omfang, dato: date) -> dict[str, int]:
    """How many forløb are on each kontrolliste, in one query."""
    return _optael(
        omfang,
        {
            slug.replace("-", "_"): Count("pk", filter=liste.q(dato))
            for slug, liste in KONTROLLISTER.items()
        },
    )


def kontrolliste_forloeb(*, omfang: Omfang, slug: str, dato: date) -> QuerySet[Forloebsstatus]:
    """The forløb on one kontrolliste in its order (oldest first), with every schema."""
    liste = KONTROLLISTER[slug]
    return status_i(omfang).filter(liste.q(dato)).order_by(*liste.orden)


# --- what a row of a list says about its forløb (no queries: schemas are loaded) --


@dataclass
class Skemastatus:
    navn: str
    status: str
    status_tekst: str
    frist: date | None = None


def skemaer(forloeb: Kontaktforloeb) -> list:
    rows = []
    for rel in ("anmodning", "ivaerksaettelse"):
        row = getattr(forloeb, rel, None)
        if row is not None:
            rows.append(row)
    rows.extend(forloeb.tilbudstilknytninger.all())
    afslutning = getattr(forloeb, "afslutning", None)
    if afslutning is not None:
        rows.append(afslutning)
    return rows


def skema_frist(row, key: str | None = None) -> date | None:
    """The schema's reporting deadline; ``key`` names its kind where ``row`` is a
    migration's historical model, which has no ``schema``."""
    key = key or row.schema.key
    if key == "tilbudstilknytning":
        start = row.tilbud_tilknyttet_behandling_start_dato
        if start is None:
            return None
        if row.behandling_type_kode in MEDICINSKE_TYPER:
            return medicinsk_frist(start)
        return social_frist(start)
    haendelse = {
        "anmodning": "behandling_anmodning_dato",
        "ivaerksaettelse": "ivaerksat_behandling_dato",
        "afslutning": "behandling_afsluttet_dato",
    }[key]
    d = getattr(row, haendelse)
    return social_frist(d) if d else None


#: Schema states, worst first: a forløb's SMDB state is the worst of its schemas'.
VAERST_FOERST = (SyncStatus.AFVIST, SyncStatus.FEJL, SyncStatus.AFVENTER, SyncStatus.IKKE_SENDT)


def vaerste_status(statuses) -> str:
    statuses = set(statuses)
    return next((s for s in VAERST_FOERST if s in statuses), SyncStatus.SENDT)


def smdb_tilstand(forloeb: Kontaktforloeb) -> str:
    """The forløb's SMDB state in one word: the worst of its schemas'."""
    return SyncStatus(vaerste_status(row.sync_status for row in skemaer(forloeb))).label


def dage_siden(anmodet: date | None, dato: date) -> int | None:
    """Days from the anmodning to ``dato``; None, never a negative count, when the
    rule engine says they cannot be counted (``beregning_hindret``: a refused date,
    R-GEN-3, or a reference date before the anmodning, "anmodet senere")."""
    return dage_mellem(anmodet, dato)


def dage_siden_tekst(anmodet: date | None, dato: date) -> str:
    """The count as a page writes it: "12 dage", "anmodet senere", or "–"."""
    hindring = beregning_hindret(anmodet, dato)
    if hindring is Hindring.DATO_MANGLER:
        return "–"
    return dagetal_tekst(dage_siden(anmodet, dato), hindring)


def dage_siden_anmodning(forloeb: Kontaktforloeb, dato: date) -> int | None:
    anmodning = getattr(forloeb, "anmodning", None)
    return dage_siden(anmodning.behandling_anmodning_dato if anmodning else None, dato)


def aktive_tilknytninger(forloeb: Kontaktforloeb, dato: date) -> list:
    return aktive(forloeb.tilbudstilknytninger.all(), dato)


def aktive(tilknytninger, dato: date) -> list:
    """The tilknytninger open on ``dato`` (as ``aaben_tilknytning_paa`` asks the database)."""
    return [
        t
        for t in tilknytninger
        if t.tilbud_tilknyttet_behandling_start_dato
        and t.tilbud_tilknyttet_behandling_start_dato <= dato
        and (
            t.tilbud_tilknyttet_behandling_slut_dato is None
            or t.tilbud_tilknyttet_behandling_slut_dato >= dato
        )
    ]


def kontrolliste_detalje(
    slug: str, row: Forloebsstatus, dato: date, forloeb: Kontaktforloeb | None = None
) -> str:
    """The list's own column for one row: why the forløb is on it. ``forloeb`` (with
    every schema) for the lists marked ``skemaer``."""
    if slug == "ikke-ivaerksat":
        dage = dage_siden(row.behandling_anmodning_dato, dato)
        if dage is None:  # a refused anmodningsdato (R-GEN-3): no "-14 dage"
            return dage_siden_tekst(row.behandling_anmodning_dato, dato)
        return f"{dagetal_tekst(dage - GARANTI_DAGE)} over garantien"
    if slug == "garanti-overskredet":
        kode = row.behandling_garanti_overskrede_aarsag_kode
        aarsag = garanti_aarsager().get(kode, "ikke angivet") if kode else "ikke angivet"
        return (
            f"{dagetal_tekst(row.ivaerksat_behandling_dage_siden_anmodning_kvantitet)} – {aarsag}"
        )
    if slug == "laegesamtale":
        if row.laegesamtale_afholdt_indikator and row.laegesamtale_afholdt_dato:
            return f"afholdt {row.laegesamtale_afholdt_dato:%d.%m.%Y}"
        return "ikke afholdt"
    if slug == "glemte":
        return f"{row.senest_aendret:%d.%m.%Y}" if row.senest_aendret else ""
    if forloeb is None:
        return ""
    if slug == "uden-tilknytning":
        slut = [
            t.tilbud_tilknyttet_behandling_slut_dato
            for t in forloeb.tilbudstilknytninger.all()
            if t.tilbud_tilknyttet_behandling_slut_dato
        ]
        return f"sluttede {max(slut):%d.%m.%Y}" if slut else "ingen"
    if slug == "smdb-fejl":
        foer = smdb_fejl_foer(dato)
        return ", ".join(
            f"{r.schema.title}: {r.get_sync_status_display()}"
            for r in skemaer(forloeb)
            if r.sync_status == SyncStatus.AFVIST
            or (r.sync_status != SyncStatus.SENDT and r.aendret < foer)
        )
    if slug == "frister":
        senest = frist_senest(dato)
        return ", ".join(
            f"{r.schema.title}: {frist:%d.%m.%Y}"
            for r in skemaer(forloeb)
            if r.sync_status != SyncStatus.SENDT
            and (frist := skema_frist(r)) is not None
            and frist <= senest
        )
    return ""


@functools.cache
def garanti_aarsager() -> dict[str, str]:
    """4-IVÆR's codes and labels."""
    from smdb.fields import ALL_FIELDS

    return dict(ALL_FIELDS["BehandlingGarantiOverskredeAarsagKode"].codes)


# --- OVERBLIK --------------------------------------------------------------------


def overblik(*, omfang: Omfang) -> QuerySet[Forloebsstatus]:
    """Every open forløb (no afslutning): OVERBLIK, "Borgere med igangværende
    kontaktforløb", oldest anmodning first."""
    return status_i(omfang).filter(AABEN).order_by("behandling_anmodning_dato", "forloeb")


# --- the week, for the front page ----------------------------------------------


#: The front page's second block, each number a link to its forløb (``ugens_forloeb``).
UGENS_NAVNE = {
    "anmodninger": "Nye anmodninger",
    "ivaerksaettelser": "Nye iværksættelser",
    "afvist": "Forløb med et skema afvist af SMDB",
    "ikke_modtaget": "Forløb med et skema, som SMDB endnu ikke har modtaget",
}


UGE_DAGE = 7
#: The week's numbers that count dates in the week (the others are states as they are now).
UGENS_DATEREDE = ("anmodninger", "ivaerksaettelser")


def uge_fra(dato: date) -> date:
    """The first of the 7 days up to and including ``dato``."""
    return dato - timedelta(days=UGE_DAGE - 1)


def ugens_betingelser(dato: date) -> dict[str, Q]:
    """Anmodninger and iværksættelser dated in the 7 days up to ``dato``; the forløb
    SMDB has refused a schema of, or not yet received one of, as they stand now."""
    fra = uge_fra(dato)
    return {
        # R-SKIFT-4: a model-2 pair once, on the first forløb's dates.
        "anmodninger": Q(behandling_anmodning_dato__range=(fra, dato))
        & ~Q(lukket_ved_systemskift=True),
        "ivaerksaettelser": Q(ivaerksat_behandling_dato__range=(fra, dato))
        & ~Q(lukket_ved_systemskift=True),
        "afvist": AFVIST,
        "ikke_modtaget": IKKE_MODTAGET,
    }


def _ugens_optaellinger(dato: date) -> dict[str, Count]:
    return {k: Count("pk", filter=q) for k, q in ugens_betingelser(dato).items()}


def ugens_forloeb(*, omfang: Omfang, dato: date, noegle: str) -> QuerySet[Forloebsstatus]:
    """The forløb behind one of the front page's week numbers, oldest anmodning first."""
    return (
        status_i(omfang)
        .filter(ugens_betingelser(dato)[noegle])
        .order_by("behandling_anmodning_dato", "forloeb")
    )


def _optael(omfang: Omfang, optaellinger: dict[str, Count]) -> dict[str, int]:
    # Aliased apart from the table's own fields (a count may be named like one).
    tal = status_i(omfang).aggregate(**{f"antal_{k}": c for k, c in optaellinger.items()})
    return {k: tal[f"antal_{k}"] for k in optaellinger}


def ugens_tal(*, omfang: Omfang, dato: date) -> dict[str, int]:
    """New anmodninger and iværksættelser dated in the 7 days up to ``dato``, and the
    forløb with a schema SMDB refused or has not received yet (1 query)."""
    return _optael(omfang, _ugens_optaellinger(dato))


def forside_tal(*, omfang: Omfang, dato: date) -> tuple[dict[str, int], dict[str, int]]:
    """The front page's numbers, the kontrollister's and the week's, in one pass over the
    myndighed's forløb (one query)."""
    lister = {
        slug.replace("-", "_"): Count("pk", filter=k.q(dato)) for slug, k in KONTROLLISTER.items()
    }
    uge = _ugens_optaellinger(dato)
    tal = _optael(omfang, {**lister, **uge})
    return {k: tal[k] for k in lister}, {k: tal[k] for k in uge}


# --- hovedtal ---------------------------------------------------------------------

# R-SKIFT-4 (Forloebsstatus.genstart / lukket_ved_systemskift, computed with
# smdb.rules.systemskifte.er_systemskifte_afslutning): a forløb restarted the day after
# a system change's afslutning is the same forløb, counted once on the first one's dates.
GENSTART = Q(genstart=True)
LUKKET_VED_SYSTEMSKIFT = Q(lukket_ved_systemskift=True)


def _i_aaret(felt: str, aar: int) -> Q:
    return Q(**{f"{felt}__gte": date(aar, 1, 1), f"{felt}__lte": date(aar, 12, 31)})


IVAER_DATO = "ivaerksat_behandling_dato"
ANM_DATO = "behandling_anmodning_dato"
AFSL_DATO = "behandling_afsluttet_dato"
DAGE = "ivaerksat_behandling_dage_siden_anmodning_kvantitet"


def hovedtal_betingelser(aar: int) -> dict[str, Q]:
    """Each headline number as a condition on a forløb."""
    ivaerksat = _i_aaret(IVAER_DATO, aar) & ~GENSTART
    aaben_i_aaret = AABEN | Q(**{f"{AFSL_DATO}__gte": date(aar, 1, 1)})
    return {
        "anmodninger": _i_aaret(ANM_DATO, aar) & ~GENSTART,
        "ivaerksaettelser": ivaerksat,
        "afslutninger": _i_aaret(AFSL_DATO, aar) & ~LUKKET_VED_SYSTEMSKIFT,
        "inden_for_garanti": ivaerksat & Q(**{f"{DAGE}__lte": GARANTI_DAGE}),
        "over_garanti": ivaerksat & Q(**{f"{DAGE}__gt": GARANTI_DAGE}),
        "i_behandling": Q(**{f"{IVAER_DATO}__lte": date(aar, 12, 31)}) & aaben_i_aaret,
        # Godkendelse: every forløb open at some point in the year (a restart after a
        # system change is the same forløb, R-SKIFT-4).
        "forloeb": Q(**{f"{ANM_DATO}__lte": date(aar, 12, 31)}) & aaben_i_aaret & ~GENSTART,
    }


#: The headline numbers and what each counts, as the pages and the Excel file name them.
HOVEDTAL_NAVNE = {
    "anmodninger": "Anmodninger (anmodningsdato i året)",
    "ivaerksaettelser": "Iværksættelser (iværksat i året)",
    "afslutninger": "Afslutninger (afsluttet i året)",
    "personer_i_behandling": "Personer i behandling",
    "inden_for_garanti": "Iværksat inden for 14 dage (32-IVÆR ≤ 14)",
    "over_garanti": "Iværksat efter mere end 14 dage (32-IVÆR > 14)",
    "forloeb": "Forløb åbne i året",
    "personer": "Personer med forløb åbne i året",
}


def hovedtal_tal(*, omfang: Omfang, aar: int) -> dict[str, int]:
    """The year's counts, in one query."""
    b = hovedtal_betingelser(aar)
    return _hovedtal_qs(omfang).aggregate(
        **{k: Count("pk", filter=q) for k, q in b.items() if k != "i_behandling"},
        personer_i_behandling=Count(
            "person_identifikator", distinct=True, filter=b["i_behandling"]
        ),
        personer=Count("person_identifikator", distinct=True, filter=b["forloeb"]),
    )


def _hovedtal_qs(omfang: Omfang) -> QuerySet[Forloebsstatus]:
    return status_i(omfang)


ALDERSGRUPPER = (
    (0, 17, "Under 18"),
    (18, 24, "18-24"),
    (25, 29, "25-29"),
    (30, 39, "30-39"),
    (40, 49, "40-49"),
    (50, 200, "50 og derover"),
)


@dataclass
class Hovedtal:
    aar: int
    tal: dict[str, int]
    fordelinger: dict[str, list[tuple[str, int]]] = field(default_factory=dict)

    @property
    def andel_inden_for_garanti(self) -> float | None:
        i_alt = self.tal["inden_for_garanti"] + self.tal["over_garanti"]
        return round(100 * self.tal["inden_for_garanti"] / i_alt, 1) if i_alt else None

    def as_json(self) -> dict:
        return {
            "aar": self.aar,
            "anmodninger": self.tal["anmodninger"],
            "ivaerksaettelser": self.tal["ivaerksaettelser"],
            "afslutninger": self.tal["afslutninger"],
            "personer_i_behandling": self.tal["personer_i_behandling"],
            "inden_for_garanti": self.tal["inden_for_garanti"],
            "over_garanti": self.tal["over_garanti"],
            "andel_inden_for_garanti": self.andel_inden_for_garanti,
            "fordelinger": {k: dict(v) for k, v in self.fordelinger.items()},
        }


def _label(codes: dict, kode: str) -> str:
    return codes.get(kode, "Uoplyst") if kode else "Uoplyst"


def hovedtal(*, omfang: Omfang, aar: int) -> Hovedtal:
    """The year's headline numbers (3 queries): counts, and the year's iværksættelser
    by age group, sex and hovedstof, and its new tilknytninger by behandlingstype
    and intensitet."""
    from smdb.fields import ALL_FIELDS

    b = hovedtal_betingelser(aar)
    qs = _hovedtal_qs(omfang)
    tal = hovedtal_tal(omfang=omfang, aar=aar)
    alder = "person_ivaerksat_behandling_alder_kvantitet"
    grupper = (
        qs.filter(b["ivaerksaettelser"])
        .annotate(
            aldersgruppe=Case(
                *[
                    When(**{f"{alder}__gte": lo, f"{alder}__lte": hi}, then=Value(navn))
                    for lo, hi, navn in ALDERSGRUPPER
                ],
                default=Value("Uoplyst"),
                output_field=CharField(),
            ),
            # The CPR number's last digit: odd for men, even for women.
            koen=Case(
                When(
                    Q(person_identifikator__regex=r"[13579]$"),
                    then=Value("Mand"),
                ),
                default=Value("Kvinde"),
                output_field=CharField(),
            ),
            hovedstof=F("person_aktuelt_hovedstof_kode"),
        )
        .values("aldersgruppe", "koen", "hovedstof")
        .annotate(n=Count("pk"))
        .order_by()
    )
    hovedstoffer = dict(ALL_FIELDS["PersonAktueltHovedstofKode"].codes)
    fordelinger: dict[str, dict[str, int]] = {"aldersgruppe": {}, "koen": {}, "hovedstof": {}}
    for navn in [n for _, _, n in ALDERSGRUPPER] + ["Uoplyst"]:
        fordelinger["aldersgruppe"][navn] = 0
    fordelinger["koen"] = {"Kvinde": 0, "Mand": 0}
    for g in grupper:
        fordelinger["aldersgruppe"][g["aldersgruppe"]] += g["n"]
        fordelinger["koen"][g["koen"]] += g["n"]
        stof = _label(hovedstoffer, g["hovedstof"])
        fordelinger["hovedstof"][stof] = fordelinger["hovedstof"].get(stof, 0) + g["n"]
    tilknytninger = (
        Tilbudstilknytning.objects.filter(
            forloeb_id__in=status_i(omfang).values("forloeb_id"),
            tilbud_tilknyttet_behandling_start_dato__gte=date(aar, 1, 1),
            tilbud_tilknyttet_behandling_start_dato__lte=date(aar, 12, 31),
        )
        .values("behandling_type_kode", "behandling_intensitet_kode")
        .annotate(n=Count("pk"))
        .order_by()
    )
    typer = dict(ALL_FIELDS["BehandlingTypeKode"].codes)
    intensiteter = dict(ALL_FIELDS["BehandlingIntensitetKode"].codes)
    fordelinger["behandlingstype"] = {}
    fordelinger["intensitet"] = {}
    for t in tilknytninger:
        for key, codes, kode in (
            ("behandlingstype", typer, t["behandling_type_kode"]),
            ("intensitet", intensiteter, t["behandling_intensitet_kode"]),
        ):
            navn = _label(codes, kode)
            fordelinger[key][navn] = fordelinger[key].get(navn, 0) + t["n"]
    return Hovedtal(
        aar=aar,
        tal=tal,
        fordelinger={
            k: sorted(v.items(), key=lambda kv: -kv[1]) if k == "hovedstof" else list(v.items())
            for k, v in fordelinger.items()
        },
    )


def hovedtal_forloeb(
    *, omfang: Omfang, aar: int, noegle: str, aarsag: str | None = None
) -> QuerySet[Forloebsstatus]:
    """The forløb behind one headline number (godkendelse: "the rows behind each number");
    ``aarsag`` narrows the afslutninger to one 3-AFSL code."""
    noegle = {"personer_i_behandling": "i_behandling", "personer": "forloeb"}.get(noegle, noegle)
    qs = _hovedtal_qs(omfang).filter(hovedtal_betingelser(aar)[noegle])
    if aarsag is not None:
        qs = qs.filter(behandling_afsluttet_aarsag_kode=aarsag)
    return qs.order_by(ANM_DATO, "forloeb")


def afslutninger_efter_aarsag(*, omfang: Omfang, aar: int) -> list[tuple[str, str, int]]:
    """(code, label, count) of the year's afslutninger by 3-AFSL (1 query)."""
    from smdb.fields import ALL_FIELDS

    codes = dict(ALL_FIELDS["BehandlingAfsluttetAarsagKode"].codes)
    rows = (
        _hovedtal_qs(omfang)
        .filter(hovedtal_betingelser(aar)["afslutninger"])
        .values("behandling_afsluttet_aarsag_kode")
        .annotate(n=Count("pk"))
        .order_by("behandling_afsluttet_aarsag_kode")
    )
    return [
        (
            r["behandling_afsluttet_aarsag_kode"],
            _label(codes, r["behandling_afsluttet_aarsag_kode"]),
            r["n"],
        )
        for r in rows
    ]
