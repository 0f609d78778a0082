"""Reads for supervisors: OVERBLIK, the kontrollister, hovedtal and godkendelse.

Every read starts from ``forloeb_i(omfang)``, the one place a report is narrowed
to a myndighed (and, for a caseworker's "mine sager", to the forløb they
registered). Each list is one ``Q`` over ``Kontaktforloeb``, so that the front
page counts every list in a single query and a list page costs a fixed number of
queries whatever the number of rows. The pages, the exports and ``smdb_rapport``
share these functions.
"""

from __future__ import annotations

import calendar
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

from cases.models import Afslutning, Kontaktforloeb, SyncStatus, Tilbud, Tilbudstilknytning
from smdb.rules.dato import DK, today_dk
from smdb.rules.systemskifte import ANDEN_AARSAG
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


def forloeb_i(omfang: Omfang) -> QuerySet[Kontaktforloeb]:
    qs = Kontaktforloeb.objects.for_myndighed(omfang.myndighed_id)
    if omfang.sagsbehandler_id is not None:
        qs = qs.filter(oprettet_af_id=omfang.sagsbehandler_id)
    return qs


def med_skemaer(qs: QuerySet[Kontaktforloeb]) -> QuerySet[Kontaktforloeb]:
    """Every schema of each row, and each tilknytning's tilbud name, in 2 queries."""
    tilknytninger = Tilbudstilknytning.objects.annotate(
        tilbud_navn=Subquery(
            Tilbud.objects.filter(tilbud_id=OuterRef("tilbud_id")).values("navn")[:1]
        )
    ).order_by("pk")
    # Every forløb has its anmodning: the inner join lets PostgreSQL walk the
    # anmodningsdato index (reporting migration 0001) for "oldest first, 50 a page".
    return (
        qs.filter(anmodning__isnull=False)
        .select_related("anmodning", "ivaerksaettelse", "afslutning", "oprettet_af")
        .prefetch_related(Prefetch("tilbudstilknytninger", queryset=tilknytninger))
    )


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


def sidste_social_haendelse(frist_senest: date) -> date:
    """The first event date whose social deadline falls after ``frist_senest``: an event
    before it is due by then."""
    first = frist_senest.replace(day=1)
    return first if frist_senest.day >= 15 else plus_maaned(first, -1)


def sidste_medicinsk_start(frist_senest: date) -> date:
    """The last start date whose medical deadline is on or before ``frist_senest``."""
    d = plus_maaned(frist_senest, -1)
    while medicinsk_frist(d + timedelta(days=1)) <= frist_senest:
        d += timedelta(days=1)
    while medicinsk_frist(d) > frist_senest:
        d -= timedelta(days=1)
    return d


def tidspunkt(dato: date) -> datetime:
    """The moment a report "on ``dato``" is taken: now for today, otherwise the end of that day."""
    if dato == today_dk():
        return timezone.now()
    return datetime.combine(dato, time.max, tzinfo=DK)


def glemte_maaneder() -> int:
    return int(getattr(settings, "REPORTING_GLEMTE_MAANEDER", 6))


# --- the kontrollister ---------------------------------------------------------

#: "Open" (no afslutning) inside a count: a test on the joined afslutning row.
AABEN = Q(afslutning__isnull=True)
#: "Open" as a row filter: NOT EXISTS, which PostgreSQL plans as an anti-join with a
#: sound row estimate (a LEFT JOIN ... IS NULL with the afslutning's columns selected
#: was estimated at one row, and the planner chose nested loops over 10,000 rows).
AABEN_FILTER = ~Q(Exists(Afslutning.objects.filter(forloeb=OuterRef("pk"))))
IKKE_SENDT_TIL_SMDB = ~Q(sync_status=SyncStatus.SENDT)


@dataclass(frozen=True)
class Kontrolliste:
    slug: str
    titel: str
    regel: str  # the rule, as written on its page
    betingelse: Callable[[date, Q], Q]  # (reference date, "open") -> condition
    kolonne: str = ""  # the list's own column heading
    orden: tuple[str, ...] = ("anmodning__behandling_anmodning_dato", "pk")

    def q(self, dato: date, *, raekker: bool = False) -> Q:
        """The list's condition; ``raekker`` when it filters rows rather than counts."""
        return self.betingelse(dato, AABEN_FILTER if raekker else AABEN)


def _ikke_ivaerksat(dato: date, aaben: Q = AABEN) -> Q:
    # R-IVAER-4's guarantee: day 14 is within it, day 15 is not.
    return (
        aaben
        & Q(ivaerksaettelse__isnull=True)
        & Q(anmodning__behandling_anmodning_dato__lt=dato - timedelta(days=GARANTI_DAGE))
    )


def _ivaerksat_i_aaret(dato: date) -> Q:
    return Q(
        ivaerksaettelse__ivaerksat_behandling_dato__gte=date(dato.year, 1, 1),
        ivaerksaettelse__ivaerksat_behandling_dato__lte=dato,
    )


def _garanti_overskredet(dato: date, aaben: Q = AABEN) -> Q:
    # 32-IVÆR (days from anmodning to iværksættelse), as stored with the schema.
    return _ivaerksat_i_aaret(dato) & Q(
        ivaerksaettelse__ivaerksat_behandling_dage_siden_anmodning_kvantitet__gt=GARANTI_DAGE
    )


def med_tilknytning(q: Q) -> Q:
    """Forløb with a tilknytning matching ``q``. An uncorrelated ``IN``: PostgreSQL runs
    it once and hashes it (a hashed SubPlan inside a count, a semi-join in a filter),
    where a correlated EXISTS is one index probe per forløb."""
    return Q(pk__in=Tilbudstilknytning.objects.filter(q).values("forloeb_id"))


def _aaben_tilknytning(dato: date) -> Q:
    return med_tilknytning(
        Q(tilbud_tilknyttet_behandling_start_dato__lte=dato)
        & (
            Q(tilbud_tilknyttet_behandling_slut_dato__isnull=True)
            | Q(tilbud_tilknyttet_behandling_slut_dato__gte=dato)
        )
    )


def _uden_tilknytning(dato: date, aaben: Q = AABEN) -> Q:
    return (
        aaben & Q(ivaerksaettelse__ivaerksat_behandling_dato__lte=dato) & ~_aaben_tilknytning(dato)
    )


def _laegesamtale(dato: date, aaben: Q = AABEN) -> Q:
    # R-IVAER-6: the lægesamtale is due within 14 days of the anmodning. Held on day
    # 14 is in time; not held is late only once day 14 has passed on ``dato``.
    frist = ExpressionWrapper(
        F("anmodning__behandling_anmodning_dato") + timedelta(days=GARANTI_DAGE),
        output_field=DateField(),
    )
    holdt_for_sent = Q(ivaerksaettelse__laegesamtale_afholdt_indikator=True) & Q(
        ivaerksaettelse__laegesamtale_afholdt_dato__gt=frist
    )
    ikke_holdt = ~Q(ivaerksaettelse__laegesamtale_afholdt_indikator=True) & Q(
        anmodning__behandling_anmodning_dato__lt=dato - timedelta(days=GARANTI_DAGE)
    )
    return (
        _ivaerksat_i_aaret(dato)
        & Q(ivaerksaettelse__oensker_borger_tilbud_laegesamtale_kode="01")
        & (holdt_for_sent | ikke_holdt)
    )


def glemt_foer(dato: date) -> datetime:
    return datetime.combine(plus_maaned(dato, -glemte_maaneder()), time.min, tzinfo=DK)


def _glemte(dato: date, aaben: Q = AABEN) -> Q:
    foer = glemt_foer(dato)
    nyere_tilknytning = med_tilknytning(Q(aendret__gte=foer))
    return (
        aaben
        & Q(anmodning__aendret__lt=foer)
        & (Q(ivaerksaettelse__isnull=True) | Q(ivaerksaettelse__aendret__lt=foer))
        & ~nyere_tilknytning
    )


SKEMA_RELATIONER = ("anmodning", "ivaerksaettelse", "afslutning")


def _smdb_fejl_skema(foer: datetime) -> Q:
    """A schema SMDB refused, or one not sent and unchanged since ``foer``."""
    return Q(sync_status=SyncStatus.AFVIST) | Q(
        sync_status__in=(SyncStatus.IKKE_SENDT, SyncStatus.AFVENTER, SyncStatus.FEJL),
        aendret__lt=foer,
    )


def smdb_fejl_foer(dato: date) -> datetime:
    return tidspunkt(dato) - timedelta(days=1)


def _prefixed(q: Q, prefix: str) -> Q:
    """``q`` on a schema row, rewritten to filter forløb through ``prefix``."""
    out = Q()
    out.connector, out.negated = q.connector, q.negated
    for child in q.children:
        if isinstance(child, Q):
            out.children.append(_prefixed(child, prefix))
        else:
            key, value = child
            out.children.append((f"{prefix}__{key}", value))
    return out


def _smdb_fejl(dato: date, aaben: Q = AABEN) -> Q:
    skema = _smdb_fejl_skema(smdb_fejl_foer(dato))
    q = med_tilknytning(skema)
    for rel in SKEMA_RELATIONER:
        q |= _prefixed(skema, rel)
    return q


def frist_senest(dato: date) -> date:
    return dato + timedelta(days=FRIST_VARSEL_DAGE)


def _frister(dato: date, aaben: Q = AABEN) -> Q:
    senest = frist_senest(dato)
    foer = sidste_social_haendelse(senest)
    q = Q()
    for rel, dato_felt in (
        ("anmodning", "behandling_anmodning_dato"),
        ("ivaerksaettelse", "ivaerksat_behandling_dato"),
        ("afslutning", "behandling_afsluttet_dato"),
    ):
        q |= ~Q(**{f"{rel}__sync_status": SyncStatus.SENDT}) & Q(
            **{f"{rel}__{dato_felt}__lt": foer}
        )
    start = "tilbud_tilknyttet_behandling_start_dato"
    tilknytning = med_tilknytning(
        IKKE_SENDT_TIL_SMDB
        & (
            (
                Q(behandling_type_kode__in=MEDICINSKE_TYPER)
                & Q(**{f"{start}__lte": sidste_medicinsk_start(senest)})
            )
            | (~Q(behandling_type_kode__in=MEDICINSKE_TYPER) & Q(**{f"{start}__lt": foer}))
        )
    )
    return q | tilknytning


#: The lists of the year's iværksættelser read in that order (their rows are this year's:
#: walking the anmodningsdato index from the oldest would pass every other row first).
IVAERKSAT_ORDEN = ("ivaerksaettelse__ivaerksat_behandling_dato", "pk")

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
        ),
        Kontrolliste(
            "uden-tilknytning",
            "Iværksat uden aktiv tilbudstilknytning",
            "Åbne forløb iværksat senest på referencedatoen, hvor ingen tilbudstilknytning er "
            "åben på referencedatoen (startdato på eller før datoen, og ingen slutdato eller "
            "slutdato på eller efter datoen).",
            _uden_tilknytning,
            "Seneste tilknytning",
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
        ),
    )
}


def kontrolliste_regel(liste: Kontrolliste) -> str:
    return liste.regel.format(maaneder=glemte_maaneder())


def kontrolliste_antal(*, omfang: Omfang, dato: date) -> dict[str, int]:
    """How many forløb are on each kontrolliste, in one query."""
    return forloeb_i(omfang).aggregate(
        **{
            slug.replace("-", "_"): Count("pk", filter=liste.q(dato))
            for slug, liste in KONTROLLISTER.items()
        }
    )


def kontrolliste_forloeb(*, omfang: Omfang, slug: str, dato: date) -> QuerySet[Kontaktforloeb]:
    """The forløb on one kontrolliste in its order (oldest first), with every schema."""
    liste = KONTROLLISTER[slug]
    return med_skemaer(forloeb_i(omfang).filter(liste.q(dato, raekker=True)).order_by(*liste.orden))


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


def skema_frist(row) -> date | None:
    key = row.schema.key
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


def smdb_tilstand(forloeb: Kontaktforloeb) -> str:
    """The forløb's SMDB state in one word: the worst of its schemas'."""
    statuses = {row.sync_status for row in skemaer(forloeb)}
    for status in (SyncStatus.AFVIST, SyncStatus.FEJL, SyncStatus.AFVENTER, SyncStatus.IKKE_SENDT):
        if status in statuses:
            return SyncStatus(status).label
    return SyncStatus.SENDT.label


def dage_siden_anmodning(forloeb: Kontaktforloeb, dato: date) -> int | None:
    anmodning = getattr(forloeb, "anmodning", None)
    if anmodning is None or anmodning.behandling_anmodning_dato is None:
        return None
    return (dato - anmodning.behandling_anmodning_dato).days


def aktive_tilknytninger(forloeb: Kontaktforloeb, dato: date) -> list:
    return [
        t
        for t in forloeb.tilbudstilknytninger.all()
        if t.tilbud_tilknyttet_behandling_start_dato
        and t.tilbud_tilknyttet_behandling_start_dato <= dato
        and (
            t.tilbud_tilknyttet_behandling_slut_dato is None
            or t.tilbud_tilknyttet_behandling_slut_dato >= dato
        )
    ]


def kontrolliste_detalje(slug: str, forloeb: Kontaktforloeb, dato: date) -> str:
    """The list's own column for one row: why the forløb is on it."""
    iv = getattr(forloeb, "ivaerksaettelse", None)
    if slug == "ikke-ivaerksat":
        over = (dage_siden_anmodning(forloeb, dato) or 0) - GARANTI_DAGE
        return f"{over} {'dag' if over == 1 else 'dage'} over garantien"
    if slug == "garanti-overskredet" and iv is not None:
        aarsag = iv.get_behandling_garanti_overskrede_aarsag_kode_display() or "ikke angivet"
        return f"{iv.ivaerksat_behandling_dage_siden_anmodning_kvantitet} dage – {aarsag}"
    if slug == "uden-tilknytning":
        slut = [
            t.tilbud_tilknyttet_behandling_slut_dato
            for t in forloeb.tilbudstilknytninger.all()
            if t.tilbud_tilknyttet_behandling_slut_dato
        ]
        return f"sluttede {max(slut):%d.%m.%Y}" if slut else "ingen"
    if slug == "laegesamtale" and iv is not None:
        if iv.laegesamtale_afholdt_indikator and iv.laegesamtale_afholdt_dato:
            return f"afholdt {iv.laegesamtale_afholdt_dato:%d.%m.%Y}"
        return "ikke afholdt"
    if slug == "glemte":
        return f"{max(r.aendret for r in skemaer(forloeb)):%d.%m.%Y}"
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


# --- OVERBLIK --------------------------------------------------------------------


def overblik(*, omfang: Omfang) -> QuerySet[Kontaktforloeb]:
    """Every open forløb (no afslutning): OVERBLIK, "Borgere med igangværende
    kontaktforløb", oldest anmodning first."""
    return med_skemaer(forloeb_i(omfang).filter(AABEN_FILTER)).order_by(
        "anmodning__behandling_anmodning_dato", "pk"
    )


# --- the week, for the front page ----------------------------------------------


def _et_skema(*statuses) -> Q:
    """Forløb with a schema in one of ``statuses``."""
    q = Q(med_tilknytning(Q(sync_status__in=statuses)))
    for rel in SKEMA_RELATIONER:
        q |= Q(**{f"{rel}__sync_status__in": statuses})
    return q


def _ugens_optaellinger(dato: date) -> dict[str, Count]:
    fra = dato - timedelta(days=6)
    return {
        "afvist": Count("pk", filter=_et_skema(SyncStatus.AFVIST)),
        "ikke_modtaget": Count(
            "pk", filter=_et_skema(*(s for s in SyncStatus.values if s != SyncStatus.SENDT))
        ),
        "anmodninger": Count(
            "pk", filter=Q(anmodning__behandling_anmodning_dato__range=(fra, dato))
        ),
        "ivaerksaettelser": Count(
            "pk", filter=Q(ivaerksaettelse__ivaerksat_behandling_dato__range=(fra, dato))
        ),
    }


def ugens_tal(*, omfang: Omfang, dato: date) -> dict[str, int]:
    """New anmodninger and iværksættelser dated in the 7 days up to ``dato``, and the
    forløb with a schema SMDB refused or has not received yet (1 query)."""
    return forloeb_i(omfang).aggregate(**_ugens_optaellinger(dato))


def forside_tal(*, omfang: Omfang, dato: date) -> tuple[dict[str, int], dict[str, int]]:
    """The front page's numbers, the kontrollister's and the week's, in one pass over the
    myndighed's forløb (one query)."""
    lister = {
        slug.replace("-", "_"): Count("pk", filter=k.q(dato)) for slug, k in KONTROLLISTER.items()
    }
    uge = _ugens_optaellinger(dato)
    tal = forloeb_i(omfang).aggregate(**lister, **uge)
    return {k: tal[k] for k in lister}, {k: tal[k] for k in uge}


# --- hovedtal ---------------------------------------------------------------------

SYSTEMSKIFT_TEKSTER = ("systemskift", "systemskifte")


def _systemskift_lukning() -> Q:
    # R-SKIFT-4, as smdb.rules.systemskifte.er_systemskifte_afslutning reads it.
    return Q(afslutning__behandling_afsluttet_aarsag_kode=ANDEN_AARSAG) & (
        Q(afslutning__behandling_afsluttet_aarsag_tekst__iexact=SYSTEMSKIFT_TEKSTER[0])
        | Q(afslutning__behandling_afsluttet_aarsag_tekst__iexact=SYSTEMSKIFT_TEKSTER[1])
    )


def er_genstart() -> Exists:
    """R-SKIFT-4: this forløb restarts one closed by a system change the day before
    its anmodningsdato (same CPR, same myndighed). The pair counts once, on the first
    forløb's dates, so the restart's anmodning and iværksættelse are not counted."""
    dagen_foer = ExpressionWrapper(
        OuterRef("anmodning__behandling_anmodning_dato") - timedelta(days=1),
        output_field=DateField(),
    )
    return Exists(
        Kontaktforloeb.objects.filter(
            _systemskift_lukning(),
            myndighed_id=OuterRef("myndighed_id"),
            person_identifikator=OuterRef("person_identifikator"),
            afslutning__behandling_afsluttet_dato=dagen_foer,
        )
    )


def har_genstart() -> Exists:
    """R-SKIFT-4: this forløb was closed by a system change and restarted the next day;
    its afslutning is not counted (the pair ends when the restart ends)."""
    dagen_efter = ExpressionWrapper(
        OuterRef("afslutning__behandling_afsluttet_dato") + timedelta(days=1),
        output_field=DateField(),
    )
    return Exists(
        Kontaktforloeb.objects.filter(
            myndighed_id=OuterRef("myndighed_id"),
            person_identifikator=OuterRef("person_identifikator"),
            anmodning__behandling_anmodning_dato=dagen_efter,
        )
    )


# R-SKIFT-4 as uncorrelated sets (run once, hashed): the restarts, and the closings
# that were restarted. Each holds few forløb: only system changes.
GENSTART = Q(pk__in=Kontaktforloeb.objects.filter(er_genstart()).values("pk"))
LUKKET_VED_SYSTEMSKIFT = Q(
    pk__in=Kontaktforloeb.objects.filter(_systemskift_lukning(), har_genstart()).values("pk")
)


def _i_aaret(felt: str, aar: int) -> Q:
    return Q(**{f"{felt}__gte": date(aar, 1, 1), f"{felt}__lte": date(aar, 12, 31)})


IVAER_DATO = "ivaerksaettelse__ivaerksat_behandling_dato"
ANM_DATO = "anmodning__behandling_anmodning_dato"
AFSL_DATO = "afslutning__behandling_afsluttet_dato"
DAGE = "ivaerksaettelse__ivaerksat_behandling_dage_siden_anmodning_kvantitet"


def hovedtal_betingelser(aar: int) -> dict[str, Q]:
    """Each headline number as a condition on a forløb."""
    ivaerksat = _i_aaret(IVAER_DATO, aar) & ~GENSTART
    return {
        "anmodninger": _i_aaret(ANM_DATO, aar) & ~GENSTART,
        "ivaerksaettelser": ivaerksat,
        "afslutninger": _i_aaret(AFSL_DATO, aar) & ~LUKKET_VED_SYSTEMSKIFT,
        "inden_for_garanti": ivaerksat & Q(**{f"{DAGE}__lte": GARANTI_DAGE}),
        "over_garanti": ivaerksat & Q(**{f"{DAGE}__gt": GARANTI_DAGE}),
        "i_behandling": Q(**{f"{IVAER_DATO}__lte": date(aar, 12, 31)})
        & (Q(afslutning__isnull=True) | Q(**{f"{AFSL_DATO}__gte": date(aar, 1, 1)})),
        # Godkendelse: every forløb open at some point in the year (a restart after a
        # system change is the same forløb, R-SKIFT-4).
        "forloeb": Q(**{f"{ANM_DATO}__lte": date(aar, 12, 31)})
        & (Q(afslutning__isnull=True) | Q(**{f"{AFSL_DATO}__gte": date(aar, 1, 1)}))
        & ~GENSTART,
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


def _hovedtal_qs(omfang: Omfang) -> QuerySet[Kontaktforloeb]:
    return forloeb_i(omfang)


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
    alder = "ivaerksaettelse__person_ivaerksat_behandling_alder_kvantitet"
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
            hovedstof=F("ivaerksaettelse__person_aktuelt_hovedstof_kode"),
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
            forloeb__in=forloeb_i(omfang),
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
) -> QuerySet[Kontaktforloeb]:
    """The forløb behind one headline number (godkendelse: "the rows behind each number");
    ``aarsag`` narrows the afslutninger to one 3-AFSL code."""
    noegle = {"personer_i_behandling": "i_behandling", "personer": "forloeb"}.get(noegle, noegle)
    qs = _hovedtal_qs(omfang).filter(hovedtal_betingelser(aar)[noegle])
    if aarsag is not None:
        qs = qs.filter(afslutning__behandling_afsluttet_aarsag_kode=aarsag)
    return med_skemaer(qs.order_by(ANM_DATO, "pk"))


def afslutninger_efter_aarsag(*, omfang: Omfang, aar: int) -> list[tuple[str, str, int]]:
    """(code, label, count) of the year's afslutninger by 3-AFSL (1 query)."""
    from smdb.fields import ALL_FIELDS

    codes = dict(ALL_FIELDS["BehandlingAfsluttetAarsagKode"].codes)
    rows = (
        _hovedtal_qs(omfang)
        .filter(hovedtal_betingelser(aar)["afslutninger"])
        .values("afslutning__behandling_afsluttet_aarsag_kode")
        .annotate(n=Count("pk"))
        .order_by("afslutning__behandling_afsluttet_aarsag_kode")
    )
    return [
        (
            r["afslutning__behandling_afsluttet_aarsag_kode"],
            _label(codes, r["afslutning__behandling_afsluttet_aarsag_kode"]),
            r["n"],
        )
        for r in rows
    ]
