"""Keeps ``reporting.models.Forloebsstatus`` true: one row per forløb, recomputed from
its schemas in the transaction that changes them.

Two ways in, both inside the transaction of the change:

- A caseworker's write (``cases.skrivning``): when it succeeds, the rows of the
  forløb it loaded are computed from the objects in memory and written in one
  statement (``_ved_skrivning``).
- Anything else (the sync worker, imports, factories, the system change):
  ``opdater(ids)`` reads the named forløb again, with every other forløb of the same
  citizen in the same myndighed (R-SKIFT-4 pairs a system change's afslutning with
  the restart the next day, so one forløb's change can change its sibling's row).
  It runs from Django's signals on every save and delete of a forløb or schema, and
  from ``cases.signals.skemaer_opdateret``, which code that changes schemas with
  ``QuerySet.update`` sends.

``genopbyg()`` recomputes every row; ``afvigelser()`` names the forløb whose stored
row differs from a fresh computation (the test suite checks it after every test;
``manage.py forloebsstatus --kontroller`` does it on a database).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.apps import apps as global_apps
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save

from cases import skrivning
from cases.models import SyncStatus
from cases.signals import skemaer_opdateret, skrivning_afsluttet
from reporting.selectors import skema_frist, vaerste_status
from smdb.rules import variabler as v
from smdb.rules.systemskifte import er_systemskifte_afslutning

SKEMAER = ("Anmodning", "Ivaerksaettelse", "Tilbudstilknytning", "Afslutning")
#: Not received by SMDB and not refused: waiting to be sent (``ikke_sendt_siden``).
IKKE_SENDT = (SyncStatus.IKKE_SENDT, SyncStatus.AFVENTER, SyncStatus.FEJL)
BATCH = 2000


# --- computing a row ----------------------------------------------------------------


def _daekning(tilknytninger) -> tuple:
    """(first start, last slut or None while one is open-ended, gap between periods)."""
    perioder = sorted(
        (
            (t.tilbud_tilknyttet_behandling_start_dato, t.tilbud_tilknyttet_behandling_slut_dato)
            for t in tilknytninger
            if t.tilbud_tilknyttet_behandling_start_dato is not None
        ),
        key=lambda p: (p[0], p[1] or date.max),
    )
    if not perioder:
        return None, None, False
    huller = False
    slut = perioder[0][1]  # None: open-ended
    for start, s in perioder[1:]:
        if slut is not None and start > slut + timedelta(days=1):
            huller = True
        if slut is not None:
            slut = None if s is None else max(slut, s)
    return perioder[0][0], slut, huller


def _skema(f, rel: str):
    """The forløb's one schema of a kind, or None."""
    try:
        return getattr(f, rel)
    except ObjectDoesNotExist:
        return None


@dataclass
class Dele:
    """A forløb and its schemas as they are now."""

    forloeb: object
    anmodning: object = None
    ivaerksaettelse: object = None
    afslutning: object = None
    tilknytninger: list = field(default_factory=list)

    @classmethod
    def af(cls, f) -> Dele:
        """From a forløb loaded with its schemas (or reading them)."""
        return cls(
            f,
            *(_skema(f, rel) for rel in ENE_SKEMAER),
            list(f.tilbudstilknytninger.all()),
        )

    def skemaer(self) -> list[tuple[str, object]]:
        rows = [(rel, getattr(self, rel)) for rel in ENE_SKEMAER if getattr(self, rel)]
        return rows + [("tilbudstilknytning", t) for t in self.tilknytninger]


ENE_SKEMAER = ("anmodning", "ivaerksaettelse", "afslutning")


def _systemskift(afslutning) -> bool:
    if afslutning is None:
        return False
    return er_systemskifte_afslutning(
        {
            v.AFSL_AARSAG: afslutning.behandling_afsluttet_aarsag_kode,
            v.AFSL_AARSAG_TEKST: afslutning.behandling_afsluttet_aarsag_tekst,
        }
    )


def beregn(d: Dele) -> dict:
    """The row of one forløb, R-SKIFT-4 flags aside."""
    f, anm, iv, afsl = d.forloeb, d.anmodning, d.ivaerksaettelse, d.afslutning
    skemaer = d.skemaer()
    foerste, sidste, huller = _daekning(t for k, t in skemaer if k == "tilbudstilknytning")
    ikke_sendt = [r.aendret for _, r in skemaer if r.sync_status in IKKE_SENDT]
    frister = [
        frist
        for key, r in skemaer
        if r.sync_status != SyncStatus.SENDT and (frist := skema_frist(r, key)) is not None
    ]
    return {
        "myndighed_id": f.myndighed_id,
        "oprettet_af_id": f.oprettet_af_id,
        "person_identifikator": f.person_identifikator,
        "behandling_anmodning_dato": anm.behandling_anmodning_dato if anm else None,
        "ivaerksat_behandling_dato": iv.ivaerksat_behandling_dato if iv else None,
        "ivaerksat_behandling_dage_siden_anmodning_kvantitet": (
            iv.ivaerksat_behandling_dage_siden_anmodning_kvantitet if iv else None
        ),
        "person_ivaerksat_behandling_alder_kvantitet": (
            iv.person_ivaerksat_behandling_alder_kvantitet if iv else None
        ),
        "person_aktuelt_hovedstof_kode": iv.person_aktuelt_hovedstof_kode if iv else "",
        "oensker_borger_tilbud_laegesamtale_kode": (
            iv.oensker_borger_tilbud_laegesamtale_kode if iv else ""
        ),
        "laegesamtale_afholdt_indikator": iv.laegesamtale_afholdt_indikator if iv else None,
        "laegesamtale_afholdt_dato": iv.laegesamtale_afholdt_dato if iv else None,
        "behandling_garanti_overskrede_aarsag_kode": (
            iv.behandling_garanti_overskrede_aarsag_kode if iv else ""
        ),
        "behandling_afsluttet_dato": afsl.behandling_afsluttet_dato if afsl else None,
        "behandling_afsluttet_aarsag_kode": afsl.behandling_afsluttet_aarsag_kode if afsl else "",
        "tilknytning_foerste_start": foerste,
        "tilknytning_sidste_slut": sidste,
        "tilknytning_huller": huller,
        "senest_aendret": max((r.aendret for _, r in skemaer), default=None),
        "smdb_tilstand": vaerste_status(r.sync_status for _, r in skemaer),
        "ikke_sendt_siden": min(ikke_sendt, default=None),
        "naeste_frist": min(frister, default=None),
    }


def beregn_alle(dele: Iterable[Dele]) -> dict[int, dict]:
    """Rows for ``dele``, which must hold every forløb of each citizen in it (per
    myndighed): R-SKIFT-4 compares them."""
    rows: dict[int, dict] = {}
    grupper: dict[tuple, list[Dele]] = defaultdict(list)
    for d in dele:
        rows[d.forloeb.pk] = beregn(d)
        grupper[(d.forloeb.myndighed_id, d.forloeb.person_identifikator)].append(d)
    for gruppe in grupper.values():
        lukninger = {
            d.afslutning.behandling_afsluttet_dato for d in gruppe if _systemskift(d.afslutning)
        }
        anmodet = {rows[d.forloeb.pk]["behandling_anmodning_dato"] for d in gruppe} - {None}
        lukket_paa: dict[date, dict] = {}
        # Oldest first, so a forløb restarted twice takes the first one's dates.
        for d in sorted(
            gruppe, key=lambda d: rows[d.forloeb.pk]["behandling_anmodning_dato"] or date.max
        ):
            row = rows[d.forloeb.pk]
            anm = row["behandling_anmodning_dato"]
            afsl = row["behandling_afsluttet_dato"]
            row["genstart"] = anm is not None and anm - timedelta(days=1) in lukninger
            row["lukket_ved_systemskift"] = (
                _systemskift(d.afslutning)
                and afsl is not None
                and afsl + timedelta(days=1) in anmodet
            )
            if row["genstart"] and (forrige := lukket_paa.get(anm - timedelta(days=1))):
                row.update({k: forrige[k] for k in FOERSTE_FORLOEBS})
            if row["lukket_ved_systemskift"]:
                lukket_paa[afsl] = row
    return rows


#: R-SKIFT-4: a model-2 pair is one forløb to the lists, measured from the first
#: forløb's dates. The restarted forløb's row carries these of the first one's (the
#: closed one is left out of the lists by ``lukket_ved_systemskift``), so the
#: kontrollister, OVERBLIK's "dage siden anmodning", the guarantee figures and the
#: week's numbers see the wait that began with the first anmodning.
FOERSTE_FORLOEBS = (
    "behandling_anmodning_dato",
    "ivaerksat_behandling_dato",
    "ivaerksat_behandling_dage_siden_anmodning_kvantitet",
    "person_ivaerksat_behandling_alder_kvantitet",
    "oensker_borger_tilbud_laegesamtale_kode",
    "laegesamtale_afholdt_indikator",
    "laegesamtale_afholdt_dato",
    "behandling_garanti_overskrede_aarsag_kode",
)


# --- reading and writing rows ---------------------------------------------------------


def _modeller(apps):
    return apps.get_model("cases", "Kontaktforloeb"), apps.get_model("reporting", "Forloebsstatus")


def _indlaes(qs) -> list[Dele]:
    return [
        Dele.af(f) for f in qs.select_related(*ENE_SKEMAER).prefetch_related("tilbudstilknytninger")
    ]


def _gem(Status, rows: dict[int, dict]) -> None:
    if not rows:
        return
    Status.objects.bulk_create(
        [Status(forloeb_id=pk, **row) for pk, row in rows.items()],
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=["forloeb"],
        update_fields=[f.name for f in Status._meta.concrete_fields if not f.primary_key],
    )


def _borgernes_forloeb(Kontaktforloeb, ids: set[int]) -> list:
    """These forløb and every other forløb of their citizens in their myndigheder."""
    par = list(
        Kontaktforloeb.objects.filter(pk__in=ids).values_list(
            "myndighed_id", "person_identifikator"
        )
    )
    myndigheder = {m for m, _ in par}
    cprs = sorted({c for _, c in par})
    forloeb = []
    for i in range(0, len(cprs), BATCH):
        forloeb += _indlaes(
            Kontaktforloeb.objects.filter(
                myndighed_id__in=myndigheder, person_identifikator__in=cprs[i : i + BATCH]
            )
        )
    return forloeb


def opdater(forloeb_ids: Iterable[int | None], *, apps=global_apps) -> None:
    """Recompute the rows of these forløb and of their citizens' other forløb."""
    ids = {pk for pk in forloeb_ids if pk is not None}
    if not ids:
        return
    Kontaktforloeb, Status = _modeller(apps)
    _gem(Status, beregn_alle(_borgernes_forloeb(Kontaktforloeb, ids)))


def opdater_borger(myndighed_id: int, person_identifikator: str, *, apps=global_apps) -> None:
    Kontaktforloeb, Status = _modeller(apps)
    forloeb = _indlaes(
        Kontaktforloeb.objects.filter(
            myndighed_id=myndighed_id, person_identifikator=person_identifikator
        )
    )
    _gem(Status, beregn_alle(forloeb))


def _alle_friske(Kontaktforloeb, myndighed_id: int | None):
    myndigheder = (
        [myndighed_id]
        if myndighed_id is not None
        else Kontaktforloeb.objects.order_by().values_list("myndighed_id", flat=True).distinct()
    )
    for m in myndigheder:
        yield beregn_alle(_indlaes(Kontaktforloeb.objects.filter(myndighed_id=m)))


def genopbyg(*, myndighed_id: int | None = None, apps=global_apps) -> int:
    """Recompute every row (of one myndighed); returns how many."""
    Kontaktforloeb, Status = _modeller(apps)
    n = 0
    for rows in _alle_friske(Kontaktforloeb, myndighed_id):
        _gem(Status, rows)
        n += len(rows)
    return n


def afvigelser(*, myndighed_id: int | None = None) -> dict[int, dict]:
    """Forløb whose stored row is missing or differs from a fresh computation, each
    with the differing fields as (stored, computed)."""
    Kontaktforloeb, Status = _modeller(global_apps)
    stored_rows = Status.objects.all()
    if myndighed_id is not None:
        stored_rows = stored_rows.filter(myndighed_id=myndighed_id)
    gemt = {r["forloeb_id"]: r for r in stored_rows.values()}
    forkerte: dict[int, dict] = {}
    for rows in _alle_friske(Kontaktforloeb, myndighed_id):
        for pk, row in rows.items():
            stored = gemt.pop(pk, None)
            if stored is None:
                forkerte[pk] = {"": ("mangler", "")}
            elif diff := {k: (stored[k], v) for k, v in row.items() if stored[k] != v}:
                forkerte[pk] = diff
    forkerte.update({pk: {"": ("", "forløbet findes ikke")} for pk in gemt})
    return dict(sorted(forkerte.items()))


# --- signals ---------------------------------------------------------------------------


def _i_skrivning(forloeb_id) -> bool:
    """Inside a caseworker's write the unit updates the rows at its end; note the forløb."""
    enhed = skrivning.aktiv()
    if enhed is None:
        return False
    if forloeb_id is not None:
        enhed.andre_ids.add(forloeb_id)
    return True


def _ved_gem(sender, instance, raw=False, **kwargs):
    if raw:  # loaddata: ``manage.py forloebsstatus --genopbyg`` afterwards
        return
    pk = instance.pk if sender.__name__ == "Kontaktforloeb" else instance.forloeb_id
    if not _i_skrivning(pk):
        opdater([pk])


def _ved_sletning_af_skema(sender, instance, origin=None, **kwargs):
    # Part of deleting the forløb itself: no row for it (its own goes with it), and
    # its post_delete updates the citizen's others.
    if _slettes_forloebet(origin):
        return
    if not _i_skrivning(instance.forloeb_id):
        opdater([instance.forloeb_id])


def _slettes_forloebet(origin) -> bool:
    """``origin`` (what a deletion started from) is a forløb, or forløb."""
    Kontaktforloeb = global_apps.get_model("cases", "Kontaktforloeb")
    model = origin.model if isinstance(origin, QuerySet) else type(origin)
    return model is Kontaktforloeb


def _ved_sletning_af_forloeb(sender, instance, **kwargs):
    if not _i_skrivning(None):
        opdater_borger(instance.myndighed_id, instance.person_identifikator)


def _ved_opdatering(sender, forloeb_ids, **kwargs):
    ids = [pk for pk in forloeb_ids if not _i_skrivning(pk)]
    opdater(ids)


def _cachet(f, rel: str):
    """(known, row): the schema as loaded on ``f``, without asking the database."""
    related = getattr(type(f), rel).related
    if related.is_cached(f):
        return True, related.get_cached_value(f)
    return False, None


def _dele_i_hukommelsen(enhed, f) -> Dele | None:
    """The forløb's schemas after the write, from the objects the write loaded and the
    rows it created or deleted; None where they are not all known."""
    ny = f.pk in enhed.nye_forloeb
    nye = [r for r in enhed.nye if r.forloeb_id == f.pk]
    d = Dele(f)
    for rel in ENE_SKEMAER:
        model = type(f)._meta.get_field(rel).related_model
        oprettet = [r for r in nye if isinstance(r, model)]
        kendt, row = _cachet(f, rel)
        if oprettet:
            row = oprettet[-1]
        elif not kendt and not ny:
            return None
        if row is not None and _slettet(enhed, model, row):
            row = None
        setattr(d, rel, row)
    cache = getattr(f, "_prefetched_objects_cache", {})
    if "tilbudstilknytninger" in cache:
        tilknytninger = list(cache["tilbudstilknytninger"])
    elif ny:
        tilknytninger = []
    else:
        return None
    model = type(f)._meta.get_field("tilbudstilknytninger").related_model
    kendte = {t.pk for t in tilknytninger}
    tilknytninger += [r for r in nye if isinstance(r, model) and r.pk not in kendte]
    d.tilknytninger = [t for t in tilknytninger if not _slettet(enhed, model, t)]
    return d


def _slettet(enhed, model, row) -> bool:
    # Django clears a deleted instance's pk.
    return row.pk is None or (model, row.pk) in enhed.slettede


def _ved_skrivning(sender, skrivning, **kwargs):
    """A caseworker's write succeeded: the rows of the forløb it loaded, computed from
    memory and written in one statement; what it did not load is read again."""
    Kontaktforloeb, Status = _modeller(global_apps)
    laest = list({id(f): f for f in skrivning.forloeb}.values())
    dele, ukendte = [], set()
    for f in laest:
        if _slettet(skrivning, Kontaktforloeb, f):
            continue  # its row went with it
        d = _dele_i_hukommelsen(skrivning, f)
        if d is None:
            ukendte.add(f.pk)
        else:
            dele.append(d)
    if ukendte:  # a citizen's forløb are computed together (R-SKIFT-4): read them all
        opdater(ukendte | {d.forloeb.pk for d in dele} | skrivning.andre_ids)
        return
    _gem(Status, beregn_alle(dele))
    opdater(skrivning.andre_ids - {f.pk for f in laest})


def forbind() -> None:
    """Connect the signals (``ReportingConfig.ready``)."""
    Kontaktforloeb = global_apps.get_model("cases", "Kontaktforloeb")
    uid = "reporting.forloebsstatus"
    post_save.connect(_ved_gem, sender=Kontaktforloeb, dispatch_uid=f"{uid}.forloeb")
    post_delete.connect(_ved_sletning_af_forloeb, sender=Kontaktforloeb, dispatch_uid=uid)
    for navn in SKEMAER:
        model = global_apps.get_model("cases", navn)
        post_save.connect(_ved_gem, sender=model, dispatch_uid=f"{uid}.{navn}")
        post_delete.connect(_ved_sletning_af_skema, sender=model, dispatch_uid=f"{uid}.{navn}")
    skemaer_opdateret.connect(_ved_opdatering, dispatch_uid=uid)
    skrivning_afsluttet.connect(_ved_skrivning, dispatch_uid=uid)
