"""The system change as a resumable job (vejledning-systemskifte.txt, R-SKIFT-1..3).

Steps per citizen, each one transaction that moves ``SkifteBorger.trin`` with a
compare-and-set and records what SMDB must hear in the outbox (nothing is sent
from here):

- NY -> HENTET: the forløb fetched from SMDB by Id and planned (``planning``).
- Model 2 (R-SKIFT-2): HENTET -> LUKNING_SENDT (imported with SMDB's Ids, open
  tilknytninger ended and the Afslutning recorded) -> LUKKET once SMDB has taken
  every closing operation -> GENSTART_SENDT (the new forløb from the next day) ->
  FAERDIG once SMDB has it. The new forløb is recorded only after the old one is
  closed in SMDB, so a citizen never has two active forløb there (R-ANM-1).
- Model 1 (R-SKIFT-1): HENTET -> GENSENDING_SENDT (imported; deletions bagfra
  (R-DEL-1), a KvalHep just before its anmodning, then the inserts recorded on the
  same forløb, which the outbox sends in that order) -> FAERDIG. Every other model
  leaves a KvalHep (a forløb from before 1 July 2025) in SMDB as it is.
- Mellemløsning (R-SKIFT-3): HENTET -> FAERDIG (imported read-only).
- A forgotten case (any model but mellemløsning): closed on its real end date,
  HENTET -> LUKNING_SENDT -> FAERDIG.

A step either commits with its operations or not at all; a re-run continues from
``trin`` and never records a step twice. The outbox makes each send idempotent.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Min
from django.db.models.fields.json import KT
from django.utils import timezone

from accounts.models import Myndighed
from audit.models import Handling
from audit.services import audit_record
from cases import selectors, skrivning
from cases.models import Afslutning, Anmodning, Ivaerksaettelse, Kontaktforloeb, Tilbudstilknytning
from cases.schema_models import model_kwargs
from cases.validation import rules_forloeb
from cases.wizards import klargjorte_svar
from smdb import outbox, rules
from smdb.client import SmdbError, SmdbKlient
from smdb.contract import AFSL, ANM, IVAER, KVALHEP_UDGAAET, TILB
from smdb.models import SyncAction, SyncOperation, SyncOperationStatus
from smdb.rules import variabler as v
from smdb.schema_json import from_json, to_json
from systemskifte import planning
from systemskifte.models import AFSLUTTENDE_TRIN, JobStatus, Model, SkifteBorger, Systemskifte, Trin

logger = logging.getLogger(__name__)
S = SyncOperationStatus


class SkifteFejl(Exception):
    """A citizen's step cannot be made; the message is for the report (Danish)."""


# --- starting, stopping ---------------------------------------------------------------


#: R-GEN-3: SMDB's rule sets go back to 2008; no system change lies before.
TIDLIGSTE_SKIFTEDATO = date(2008, 1, 1)


def tidligst_mulige_skiftedato_fejl(model: str, skiftedato: date, today: date) -> str:
    """A plausible change date: not before 01.01.2008 (R-GEN-3), at most yesterday
    (R-GEN-1: model 2's new forløb start the day after, and no date in SMDB lies in
    the future). The myndighed's earliest forløb in SMDB is checked once they are
    fetched (``skiftedato_foer_tidligste_forloeb``)."""
    if skiftedato < TIDLIGSTE_SKIFTEDATO:
        return (
            f"Skiftedatoen kan tidligst være {TIDLIGSTE_SKIFTEDATO:%d.%m.%Y} (R-GEN-3); "
            f"{skiftedato:%d.%m.%Y} ligger før SMDB's forløb."
        )
    seneste = today - timedelta(days=1)
    if skiftedato > seneste:
        return (
            f"Skiftedatoen kan senest være {seneste:%d.%m.%Y}: "
            "ingen dato i SMDB må ligge i fremtiden (R-GEN-1)."
        )
    return ""


def ufaerdigt_skifte(myndighed_id: int) -> Systemskifte | None:
    return (
        Systemskifte.objects.filter(
            myndighed_id=myndighed_id,
            proevekoersel=False,
            status__in=[JobStatus.KOERER, JobStatus.STOPPET],
        )
        .order_by("pk")
        .first()
    )


@transaction.atomic
def start(
    *, user, model: str, skiftedato: date, proevekoersel: bool, koe_nu: bool = True
) -> Systemskifte:
    """Create the job and queue it on commit (``koe_nu``; the command runs it
    itself). Refused (ValueError, Danish) for a date in the future, or while another
    real system change of the myndighed is unfinished."""
    Myndighed.objects.select_for_update().get(pk=user.myndighed_id)
    if fejl := tidligst_mulige_skiftedato_fejl(model, skiftedato, rules.today_dk()):
        raise ValueError(fejl)
    if not proevekoersel and (aaben := ufaerdigt_skifte(user.myndighed_id)):
        raise ValueError(
            f"Systemskifte {aaben.pk} er ikke færdigt; genoptag eller afslut det først."
        )
    skifte = Systemskifte.objects.create(
        myndighed_id=user.myndighed_id,
        model=model,
        skiftedato=skiftedato,
        proevekoersel=proevekoersel,
        startet_af=user,
        sidst_aktiv=timezone.now(),
    )
    art = "prøvekørsel" if proevekoersel else "kørsel"
    audit_record(
        user=user,
        handling=Handling.OPRETTET,
        beskrivelse=f"Systemskifte {skifte.pk} startet: {skifte.get_model_display()}, "
        f"skiftedato {skiftedato:%d.%m.%Y} ({art})",
    )
    if koe_nu:
        koe(skifte.pk)
    return skifte


# The Celery tasks this app's services queue, by name: systemskifte.tasks are thin
# entry points that call the services, never imported by them (issue 27); the
# app's ready() registers them in every process.
KOER_SYSTEMSKIFTE = "systemskifte.tasks.koer_systemskifte"
KOER_AFSTEMNING = "systemskifte.tasks.koer_afstemning"


def koe_ved_commit(task: str, job_id: int, *, countdown: float | None = None) -> None:
    """Queue a job's task when the transaction commits. A broker failure is logged,
    not raised: the beat sweeper ``genoptag_haengende`` queues a system change later,
    and an afstemning goes stale and can be started again."""

    def send():
        try:
            current_app.tasks[task].apply_async((job_id,), countdown=countdown)
        except Exception:
            logger.exception("Kunne ikke lægge %s(%s) i køen", task, job_id)

    transaction.on_commit(send)


def koe(skifte_id: int, *, countdown: float | None = None) -> None:
    koe_ved_commit(KOER_SYSTEMSKIFTE, skifte_id, countdown=countdown)


def stop(*, user, skifte: Systemskifte) -> None:
    """Ask the job to stop between two citizens; what is done stays done."""
    if Systemskifte.objects.filter(pk=skifte.pk, status=JobStatus.KOERER).update(stop_oensket=True):
        audit_record(
            user=user, handling=Handling.AENDRET, beskrivelse=f"Systemskifte {skifte.pk} stoppet"
        )


@transaction.atomic
def genoptag(*, user, skifte: Systemskifte, koe_nu: bool = True) -> None:
    """Continue a stopped (or stuck) job from each citizen's recorded step."""
    if Systemskifte.objects.filter(
        pk=skifte.pk, status__in=[JobStatus.STOPPET, JobStatus.KOERER, JobStatus.FEJLET]
    ).update(status=JobStatus.KOERER, stop_oensket=False, fejl="", sidst_aktiv=timezone.now()):
        audit_record(
            user=user,
            handling=Handling.AENDRET,
            beskrivelse=f"Systemskifte {skifte.pk} genoptaget",
        )
        if koe_nu:
            koe(skifte.pk)


def genoptag_haengende(*, stale_after: timedelta | None = None) -> int:
    """Beat: queue running jobs nobody has worked on for a while (the worker died,
    or the broker lost the message). Returns how many were queued."""
    if stale_after is None:
        stale_after = timedelta(seconds=settings.SYSTEMSKIFTE_STALE_AFTER)
    ids = list(
        Systemskifte.objects.filter(
            status=JobStatus.KOERER, sidst_aktiv__lt=timezone.now() - stale_after
        ).values_list("pk", flat=True)
    )
    for pk in ids:
        koe(pk)
    return len(ids)


# --- the loop ---------------------------------------------------------------------------


def koer(skifte_id: int, *, klient: SmdbKlient | None = None, budget: float | None = None) -> str:
    """Work on the job for up to ``budget`` seconds. Returns the job's status after:
    "faerdig", "stoppet", "fejlet", or "koerer" when it must be called again (its
    outbox operations are under way, or the budget is spent)."""
    skifte = Systemskifte.objects.select_related("myndighed", "startet_af").get(pk=skifte_id)
    if skifte.status != JobStatus.KOERER:
        return skifte.status
    klient = klient or SmdbKlient()
    if budget is None:
        budget = settings.SYSTEMSKIFTE_BUDGET
    deadline = time.monotonic() + budget
    _puls(skifte)
    try:
        if not skifte.liste_hentet:
            hent_liste(skifte, klient)
        nye = list(skifte.borgere.filter(trin=Trin.NY).order_by("pk"))
        for i in range(0, len(nye), 40):
            chunk = nye[i : i + 40]
            her = smdb_webs_forloeb(skifte, chunk)
            for borger, data in zip(chunk, hent_mange(chunk, klient), strict=True):
                planlaeg_borger(skifte, borger, data, her=her)
            if _skal_holde_pause(skifte, deadline):
                return _pause(skifte)
    except SmdbError as exc:
        # SMDB cannot be reached: the job waits and is called again.
        Systemskifte.objects.filter(pk=skifte.pk).update(fejl=f"SMDB svarer ikke: {exc}")
        logger.warning("Systemskifte %s: SMDB svarer ikke", skifte.pk)
        return JobStatus.KOERER
    if skifte.fejl:
        Systemskifte.objects.filter(pk=skifte.pk).update(fejl="")
    if fejl := skiftedato_foer_tidligste_forloeb(skifte):
        # Before anything is sent: every citizen would need a person.
        Systemskifte.objects.filter(pk=skifte.pk, status=JobStatus.KOERER).update(
            status=JobStatus.FEJLET, fejl=fejl, afsluttet=timezone.now()
        )
        return JobStatus.FEJLET
    if skifte.proevekoersel:
        return _afslut(skifte)

    while True:
        fremskridt = 0
        aabne = skifte.borgere.exclude(trin__in=AFSLUTTENDE_TRIN).exclude(trin=Trin.NY)
        batch: list[SkifteBorger] = []
        for borger in aabne.order_by("pk").iterator(chunk_size=500):
            batch.append(borger)
            if len(batch) == 200:
                fremskridt += fremad(skifte, batch, deadline)
                batch = []
                if _skal_holde_pause(skifte, deadline):
                    return _pause(skifte)
        fremskridt += fremad(skifte, batch, deadline)
        if not skifte.borgere.exclude(trin__in=AFSLUTTENDE_TRIN).exists():
            return _afslut(skifte)
        if _skal_holde_pause(skifte, deadline):
            return _pause(skifte)
        if not fremskridt:
            return JobStatus.KOERER  # waiting for the outbox: called again shortly


def _puls(skifte: Systemskifte) -> None:
    Systemskifte.objects.filter(pk=skifte.pk).update(sidst_aktiv=timezone.now())


def _stop_oensket(skifte: Systemskifte) -> bool:
    return Systemskifte.objects.filter(pk=skifte.pk, stop_oensket=True).exists()


def _skal_holde_pause(skifte: Systemskifte, deadline: float) -> bool:
    _puls(skifte)
    return _stop_oensket(skifte) or time.monotonic() > deadline


def _pause(skifte: Systemskifte) -> str:
    if Systemskifte.objects.filter(pk=skifte.pk, stop_oensket=True, status=JobStatus.KOERER).update(
        status=JobStatus.STOPPET, stop_oensket=False
    ):
        return JobStatus.STOPPET
    return JobStatus.KOERER


def _afslut(skifte: Systemskifte) -> str:
    if Systemskifte.objects.filter(pk=skifte.pk, status=JobStatus.KOERER).update(
        status=JobStatus.FAERDIG, afsluttet=timezone.now()
    ):
        tal = fremdrift(skifte)
        audit_record(
            user=skifte.startet_af,
            handling=Handling.AENDRET,
            beskrivelse=f"Systemskifte {skifte.pk} færdigt: {tal['faerdige']} af "
            f"{tal['i_alt']} borgere, {tal['fejl']} med fejl",
        )
    return JobStatus.FAERDIG


def fremdrift(skifte: Systemskifte) -> dict:
    """Done / total / errors and the percentage, in one query. A dry-run's citizen
    is done when fetched and planned."""
    counts: dict[str, int] = defaultdict(int)
    for trin, n in (
        skifte.borgere.order_by()
        .values_list("trin")
        .annotate(n=Count("pk"))
        .values_list("trin", "n")
    ):
        counts[trin] = n
    i_alt = sum(counts.values())
    fejl = counts[Trin.FEJL]
    faerdige = counts[Trin.FAERDIG] + fejl
    if skifte.proevekoersel:
        faerdige += counts[Trin.HENTET]
    procent = 100 if skifte.status == JobStatus.FAERDIG else 0
    if i_alt and skifte.status != JobStatus.FAERDIG:
        procent = min(99, faerdige * 100 // i_alt) if skifte.liste_hentet else 0
    return {
        "i_alt": i_alt,
        "faerdige": faerdige,
        "fejl": fejl,
        "procent": procent,
        "hentet": i_alt - counts[Trin.NY],
    }


# --- fetching -------------------------------------------------------------------------


def hent_liste(skifte: Systemskifte, klient: SmdbKlient) -> None:
    """HentAktiveKontaktForloebIMyndighed, once per job (R-SKIFT-5)."""
    aktive = klient.hent_aktive_kontaktforloeb(skifte.myndighed.kommune_kode)
    SkifteBorger.objects.bulk_create(
        [
            SkifteBorger(
                skifte=skifte,
                anmodning_id=k["anmodning_id"],
                person_identifikator=k["person_identifikator"],
                smdb_data={
                    "liste": {
                        "ivaerksaettelse_id": k["ivaerksaettelse_id"],
                        "tilbudstilknytning_ids": list(k["tilbudstilknytning_ids"]),
                    }
                },
            )
            for k in aktive
        ],
        ignore_conflicts=True,
        batch_size=500,
    )
    Systemskifte.objects.filter(pk=skifte.pk).update(liste_hentet=True)
    skifte.liste_hentet = True


def hent_borger(skifte: Systemskifte, borger: SkifteBorger, klient: SmdbKlient) -> None:
    """Fetch each schema of the citizen's forløb by Id and plan it."""
    planlaeg_borger(skifte, borger, hent_data(borger, klient))


def hent_data(borger: SkifteBorger, klient: SmdbKlient) -> dict | str:
    """The citizen's forløb from SMDB, each schema by its Id, as JSON; or why not
    (Danish). Only SMDB calls, no database: run in threads (``hent_mange``)."""
    liste = borger.smdb_data.get("liste", {})
    anm = klient.hent(ANM, borger.anmodning_id)
    if anm is None or anm.afslutning is not None:
        hvad = "findes ikke længere" if anm is None else "er afsluttet"
        return f"Forløbet {hvad} i SMDB siden listen blev hentet."
    data = {"anmodning": {"id": anm.id, "values": to_json(anm.values)}}
    data["kvalhep"] = []
    anmodet = anm.values.get(v.ANM_DATO)
    if anmodet is not None and anmodet < KVALHEP_UDGAAET:
        # Only a forløb from before 1 July 2025 can have a KvalHep (discontinued
        # then): HentKvalHep lists the citizen's, we keep this anmodning's.
        data["kvalhep"] = [
            {"id": k.id, "values": {"Dato": k.dato.isoformat() if k.dato else None}}
            for k in klient.hent_kvalhep(anm.person_identifikator, anm.kommune_kode)
            if k.anmodning_id == anm.id
        ]
    if iv_id := liste.get("ivaerksaettelse_id"):
        iv = klient.hent(IVAER, iv_id)
        data["ivaerksaettelse"] = {"id": iv.id, "values": to_json(iv.values)} if iv else None
    data["tilbudstilknytninger"] = []
    for t_id in liste.get("tilbudstilknytning_ids", []):
        t = klient.hent(TILB, t_id)
        if t is not None:
            data["tilbudstilknytninger"].append({"id": t.id, "values": to_json(t.values)})
    data["liste"] = liste
    return data


def hent_mange(borgere: list[SkifteBorger], klient: SmdbKlient) -> list[dict | str]:
    """``hent_data`` for many citizens, a few SMDB calls at a time: the calls wait
    on the network, not on this process. Raises the first SmdbError."""
    traade = max(1, int(settings.SYSTEMSKIFTE_HENT_TRAADE))
    if traade == 1 or len(borgere) < 2:
        return [hent_data(b, klient) for b in borgere]
    with ThreadPoolExecutor(max_workers=traade) as pool:
        return list(pool.map(lambda b: hent_data(b, klient), borgere))


def smdb_webs_forloeb(skifte: Systemskifte, borgere: list[SkifteBorger]) -> dict:
    """What smdb-web already holds for these citizens, in two queries: the forløb
    whose SMDB AnmodningId is stored here (``kendte``: AnmodningId -> forløb pk),
    and each citizen's active forløb here (``aktive``: CPR -> forløb pks)."""
    kendte = dict(
        Anmodning.objects.filter(
            forloeb__myndighed_id=skifte.myndighed_id,
            smdb_id__in=[b.anmodning_id for b in borgere],
        ).values_list("smdb_id", "forloeb_id")
    )
    aktive: dict[str, list[int]] = defaultdict(list)
    for cpr, pk in (
        Kontaktforloeb.objects.for_myndighed(skifte.myndighed_id)
        .filter(
            person_identifikator__in=[b.person_identifikator for b in borgere],
            afslutning__isnull=True,
        )
        .values_list("person_identifikator", "pk")
        .order_by("pk")
    ):
        aktive[cpr].append(pk)
    return {"kendte": kendte, "aktive": aktive}


def planlaeg_borger(
    skifte: Systemskifte, borger: SkifteBorger, data: dict | str, *, her: dict | None = None
) -> None:
    """Plan one citizen from the snapshot ``data`` and store the plan (the dry run
    shows it, the real run sends what it says). A forløb smdb-web sent itself is
    left alone; a citizen with another active forløb here needs a person."""
    if isinstance(data, str):
        _saet(borger, Trin.NY, Trin.FEJL, fejl=data)
        return
    her = her if her is not None else smdb_webs_forloeb(skifte, [borger])
    snapshot = smdb_forloeb(data, skifte.myndighed.kommune_kode, borger.person_identifikator)
    kvalhep = data.get("kvalhep", [])
    # SMDB keeps it as it is, KvalHep too.
    uroert = {"smdb_efter": planning.smdb_efter_json([snapshot], kvalhep)}
    if (kendt := her["kendte"].get(borger.anmodning_id)) is not None:
        _saet(
            borger,
            Trin.NY,
            Trin.FAERDIG,
            smdb_data=data,
            allerede_i_smdb_web=True,
            forventet=uroert,
            plan=[f"Allerede i smdb-web (forløb {kendt}): røres ikke."],
        )
        return
    if andre := her["aktive"].get(borger.person_identifikator):
        _saet(
            borger,
            Trin.NY,
            Trin.FEJL,
            smdb_data=data,
            forventet=uroert,
            fejl=f"Borgeren har et andet aktivt forløb i smdb-web (forløb {andre[0]}) end "
            f"det i SMDB (anmodning {borger.anmodning_id}); en medarbejder må afklare, "
            "hvilket der gælder, før systemskiftet (R-ANM-1).",
        )
        return
    plan = planning.planlaeg(
        skifte.model,
        snapshot,
        skifte.skiftedato,
        klargjort=klargjorte_svar,
        today=rules.today_dk(),
        kvalhep=kvalhep,
    )
    _saet(
        borger,
        Trin.NY,
        Trin.FEJL if plan.fejl else Trin.HENTET,
        smdb_data=data,
        plan=plan.operationer,
        forventet=plan.forventet(),
        glemt=plan.glemt,
        fejl=plan.fejl,
    )


def skiftedato_foer_tidligste_forloeb(skifte: Systemskifte) -> str:
    """A change date before the myndighed's earliest active forløb in SMDB is no
    plausible date: every forløb would start after it. Danish, or ''."""
    tidligst = skifte.borgere.aggregate(
        d=Min(KT("smdb_data__anmodning__values__BehandlingAnmodningDato"))
    )["d"]
    if tidligst and skifte.skiftedato < date.fromisoformat(tidligst):
        return (
            f"Skiftedatoen {skifte.skiftedato:%d.%m.%Y} ligger før myndighedens tidligste "
            f"forløb i SMDB (anmodning {date.fromisoformat(tidligst):%d.%m.%Y}); "
            "vælg en senere dato."
        )
    return ""


def hent_smdb_forloeb(klient: SmdbKlient, anmodning_id: int) -> dict | None:
    """The whole forløb from SMDB by its AnmodningId, as JSON (None if SMDB lacks it):
    the anmodning (with its afslutning), the iværksættelse, the tilknytninger."""
    anm = klient.hent(ANM, anmodning_id)
    if anm is None:
        return None

    def j(skema):
        return {"id": skema.id, "values": to_json(skema.values)} if skema else None

    iv = klient.hent_ivaerksaettelse_for_anmodning(anm.id)
    return {
        "anmodning": j(anm),
        "person_identifikator": anm.person_identifikator,
        "ivaerksaettelse": j(iv),
        "tilbudstilknytninger": [
            j(t) for t in (klient.hent_tilknytninger_for_ivaerksaettelse(iv.id) if iv else [])
        ],
        "afslutning": j(anm.afslutning),
    }


def smdb_forloeb(data: dict, kommune_kode: int, cpr: str) -> rules.Forloeb:
    def values(key: str, d: dict | None):
        return from_json(key, d["values"]) if d else None

    return rules.Forloeb(
        kommune_kode=kommune_kode,
        person_identifikator=cpr,
        anmodning=values(ANM, data["anmodning"]),
        ivaerksaettelse=values(IVAER, data.get("ivaerksaettelse")),
        tilbudstilknytninger=tuple(values(TILB, t) for t in data.get("tilbudstilknytninger", [])),
    )


def _saet(borger: SkifteBorger, fra: str, til: str, **fields) -> bool:
    """Compare-and-set of the citizen's step; False if someone else moved it."""
    done = SkifteBorger.objects.filter(pk=borger.pk, trin=fra).update(
        trin=til, aendret=timezone.now(), **fields
    )
    if done:
        borger.trin = til
        for k, val in fields.items():
            setattr(borger, k, val)
    return bool(done)


# --- the steps ------------------------------------------------------------------------


def fremad(skifte: Systemskifte, borgere: list[SkifteBorger], deadline: float | None = None) -> int:
    """Move each citizen as far as it can go now, until the ``deadline`` (monotonic
    seconds); returns how many steps were made."""
    if not borgere:
        return 0
    skridt = 0
    venter = [b for b in borgere if b.trin in VENTER_PAA_SMDB]
    tilstand = _outbox_tilstand([_ventende_forloeb(b) for b in venter])
    for borger in borgere:
        if _stop_oensket(skifte) or (deadline is not None and time.monotonic() > deadline):
            break  # the caller sees the flag or the time and pauses
        while True:
            fra = borger.trin
            try:
                flyttet = _et_skridt(skifte, borger, tilstand)
            except SkifteFejl as exc:
                borger.trin = fra  # the step's transaction was rolled back
                flyttet = _saet(borger, fra, Trin.FEJL, fejl=str(exc))
            if not flyttet:
                break
            skridt += 1
            if borger.trin in AFSLUTTENDE_TRIN:
                break
            if borger.trin in VENTER_PAA_SMDB:
                # Eager Celery (the embedded default) has sent it on commit already.
                tilstand.update(_outbox_tilstand([_ventende_forloeb(borger)]))
    return skridt


VENTER_PAA_SMDB = (Trin.LUKNING_SENDT, Trin.GENSTART_SENDT, Trin.GENSENDING_SENDT)


def _ventende_forloeb(borger: SkifteBorger) -> int | None:
    if borger.trin == Trin.GENSTART_SENDT:
        return borger.nyt_forloeb_id
    return borger.gammelt_forloeb_id


def _outbox_tilstand(forloeb_ids: list[int | None]) -> dict[int, tuple[bool, str]]:
    """Per forløb: (every operation accepted by SMDB, the first error that needs a
    person). One query."""
    ids = [i for i in forloeb_ids if i]
    if not ids:
        return {}
    out: dict[int, tuple[bool, str]] = {i: (True, "") for i in ids}
    rows = (
        SyncOperation.objects.filter(forloeb_ref__in=ids)
        .exclude(status=S.ANNULLERET)
        .values_list("forloeb_ref", "status", "last_error")
        .order_by("pk")
    )
    for ref, status, last_error in rows:
        alle_sendt, fejl = out[ref]
        if status in (S.AFVIST, S.OPGIVET) and not fejl:
            fejl = f"SMDB afviste: {last_error}" if status == S.AFVIST else last_error
        out[ref] = (alle_sendt and status == S.SENDT, fejl)
    return out


def _et_skridt(skifte: Systemskifte, borger: SkifteBorger, tilstand: dict) -> bool:
    trin = borger.trin
    if trin == Trin.HENTET:
        if skifte.model == Model.MELLEMLOESNING:
            return importer_skrivebeskyttet(skifte, borger)
        if borger.glemt or skifte.model == Model.MODEL2:
            return luk(skifte, borger)
        return gensend(skifte, borger)
    if trin in VENTER_PAA_SMDB:
        alle_sendt, fejl = tilstand.get(_ventende_forloeb(borger), (False, ""))
        if fejl:
            raise SkifteFejl(fejl)
        if not alle_sendt:
            return False
        if trin == Trin.LUKNING_SENDT and not borger.glemt:
            return _saet(borger, trin, Trin.LUKKET)
        return _saet(borger, trin, Trin.FAERDIG)
    if trin == Trin.LUKKET:
        return genstart(skifte, borger)
    return False


def _importer(
    skifte: Systemskifte, borger: SkifteBorger, *, skrivebeskyttet: bool = False
) -> Kontaktforloeb:
    """The forløb as SMDB holds it, with SMDB's Ids, as already sent. A forløb we
    hold already (the same AnmodningId) is used as it is. Refused if the citizen
    has another active forløb here (R-ANM-1)."""
    andre = selectors.myndighedens_forloeb_for_cpr(
        myndighed_id=skifte.myndighed_id, cpr=borger.person_identifikator
    )
    kendt = next(
        (
            f
            for f in andre
            if getattr(f, "anmodning", None) and f.anmodning.smdb_id == borger.anmodning_id
        ),
        None,
    )
    aktive = [f for f in andre if f is not kendt and not hasattr(f, "afslutning")]
    if aktive:
        raise SkifteFejl(
            f"Borgeren har allerede et aktivt forløb i smdb-web (forløb {aktive[0].pk}); "
            "afklar det før systemskiftet (R-ANM-1)."
        )
    if kendt is not None:
        if skrivebeskyttet:
            Kontaktforloeb.objects.filter(pk=kendt.pk).update(vedligeholdes_i_smdb_web=True)
        return kendt
    return importer_forloeb(
        myndighed=skifte.myndighed,
        user=skifte.startet_af,
        cpr=borger.person_identifikator,
        data=borger.smdb_data,
        skrivebeskyttet=skrivebeskyttet,
        beskrivelse=f"Hentet fra SMDB ved systemskifte {skifte.pk}",
    )


def importer_forloeb(
    *, myndighed, user, cpr: str, data: dict, skrivebeskyttet: bool = False, beskrivelse: str
) -> Kontaktforloeb:
    """A forløb as SMDB holds it (``data`` as ``hent_smdb_forloeb`` gives it), with
    SMDB's Ids and marked as sent: nothing is recorded for the outbox. Call it in a
    transaction."""
    forloeb = Kontaktforloeb.objects.create(
        myndighed=myndighed,
        person_identifikator=cpr,
        oprettet_af=user,
        vedligeholdes_i_smdb_web=skrivebeskyttet,
    )

    def row(model, key, d):
        return model.objects.create(
            forloeb=forloeb,
            smdb_id=d["id"],
            sync_status="sendt",
            oprettet_af=user,
            aendret_af=user,
            **model_kwargs(from_json(key, d["values"])),
        )

    row(Anmodning, ANM, data["anmodning"])
    if data.get("ivaerksaettelse"):
        row(Ivaerksaettelse, IVAER, data["ivaerksaettelse"])
    for t in data.get("tilbudstilknytninger", []):
        row(Tilbudstilknytning, TILB, t)
    if data.get("afslutning"):
        row(Afslutning, AFSL, data["afslutning"])
    audit_record(user=user, handling=Handling.OPRETTET, forloeb=forloeb, beskrivelse=beskrivelse)
    return _med_skemaer(forloeb.pk)


def _med_skemaer(pk: int) -> Kontaktforloeb:
    return selectors.with_schemas(Kontaktforloeb.objects.filter(pk=pk)).get()


def _planlagt(skifte: Systemskifte, borger: SkifteBorger, hvad: str) -> rules.Forloeb:
    """The plan's ``lukket`` or ``ny`` forløb, as stored before anything was sent."""
    f = planning.forloeb_fra_json(
        (borger.forventet or {}).get(hvad),
        skifte.myndighed.kommune_kode,
        borger.person_identifikator,
    )
    if f is None:
        raise SkifteFejl("Planen for borgeren mangler; kør systemskiftet forfra.")
    return f


def _fejl_ved(violations: list[rules.Violation], hvad: str) -> SkifteFejl:
    return SkifteFejl(
        f"{hvad} bryder reglerne: " + "; ".join(f"{x.rule}: {x.message}" for x in violations[:3])
    )


def luk(skifte: Systemskifte, borger: SkifteBorger) -> bool:
    """Model 2 (R-SKIFT-2), and a forgotten case in model 1/2: import and close."""
    with skrivning.enhed():
        if not _saet(borger, Trin.HENTET, Trin.LUKNING_SENDT):
            return False
        forloeb = _importer(skifte, borger)
        closed = _planlagt(skifte, borger, "lukket")  # as the dry run showed it
        if violations := rules.validate_forloeb(closed, today=rules.today_dk()):
            raise _fejl_ved(violations, "Lukningen")
        user = skifte.startet_af
        slut = {
            t["id"]: values[v.TILB_SLUT]
            for t, values in zip(
                borger.smdb_data.get("tilbudstilknytninger", []),
                closed.tilbudstilknytninger,
                strict=True,
            )
        }
        for row in forloeb.tilbudstilknytninger.all():
            if row.tilbud_tilknyttet_behandling_slut_dato != slut[row.smdb_id]:
                row.tilbud_tilknyttet_behandling_slut_dato = slut[row.smdb_id]
                row.version += 1
                row.aendret_af = user
                row.save()
                outbox.record(schema_row=row, action=SyncAction.RET)
        afslutning = Afslutning.objects.create(
            forloeb=forloeb, oprettet_af=user, aendret_af=user, **model_kwargs(closed.afslutning)
        )
        outbox.record(schema_row=afslutning, action=SyncAction.INDSAET)
        audit_record(
            user=user,
            handling=Handling.AENDRET,
            forloeb=forloeb,
            beskrivelse=f"Afsluttet ved systemskifte {skifte.pk}"
            + (" (glemt sag)" if borger.glemt else ""),
        )
        SkifteBorger.objects.filter(pk=borger.pk).update(gammelt_forloeb=forloeb)
        borger.gammelt_forloeb = forloeb
    return True


def genstart(skifte: Systemskifte, borger: SkifteBorger) -> bool:
    """Model 2 (R-SKIFT-2): the new forløb, every start date = change date + 1.
    Called only when SMDB has taken the old forløb's Afslutning (R-ANM-1)."""
    with skrivning.enhed():
        Myndighed.objects.select_for_update().get(pk=skifte.myndighed_id)  # R-ANM-1
        if not _saet(borger, Trin.LUKKET, Trin.GENSTART_SENDT):
            return False
        gammelt = _med_skemaer(borger.gammelt_forloeb_id)
        # The planned forløb, built from the snapshot taken before the closing: the
        # tilknytninger open on the change date are in it (R-SKIFT-2).
        ny = _planlagt(skifte, borger, "ny")
        andre = selectors.myndighedens_forloeb_for_cpr(
            myndighed_id=skifte.myndighed_id, cpr=borger.person_identifikator
        )
        if violations := rules.validate_forloeb(
            ny, today=rules.today_dk(), andre_forloeb=[rules_forloeb(f) for f in andre]
        ):
            raise _fejl_ved(violations, "Det nye forløb")
        user = skifte.startet_af
        forloeb = Kontaktforloeb.objects.create(
            myndighed=skifte.myndighed,
            person_identifikator=borger.person_identifikator,
            oprettet_af=user,
        )

        def row(model, values):
            r = model.objects.create(
                forloeb=forloeb, oprettet_af=user, aendret_af=user, **model_kwargs(values)
            )
            outbox.record(schema_row=r, action=SyncAction.INDSAET)

        row(Anmodning, ny.anmodning)
        if ny.ivaerksaettelse:
            row(Ivaerksaettelse, ny.ivaerksaettelse)
        for t in ny.tilbudstilknytninger:
            row(Tilbudstilknytning, t)
        audit_record(
            user=user,
            handling=Handling.OPRETTET,
            forloeb=forloeb,
            beskrivelse=f"Nyt forløb efter systemskifte {skifte.pk} (fortsætter forløb "
            f"{gammelt.pk}, R-SKIFT-4)",
        )
        SkifteBorger.objects.filter(pk=borger.pk).update(nyt_forloeb=forloeb)
        borger.nyt_forloeb = forloeb
    return True


def gensend(skifte: Systemskifte, borger: SkifteBorger) -> bool:
    """Model 1 (R-SKIFT-1): import with the original dates, delete in SMDB bagfra
    (R-DEL-1), send again from here. Deletions and inserts are operations of one
    forløb, which the outbox sends in the order recorded: every deletion before the
    new anmodning, so SMDB never holds two active forløb for the citizen (R-ANM-1).
    The plan's KvalHep (a forløb from before 1 July 2025) is deleted just before the
    anmodning (the guide's step f; ``smdb.rules.deletion``) and not sent again:
    IndsaetKvalHep is refused since then."""
    with skrivning.enhed():
        if not _saet(borger, Trin.HENTET, Trin.GENSENDING_SENDT):
            return False
        forloeb = _importer(skifte, borger)
        raekkefoelge = selectors.slette_raekkefoelge(forloeb)
        slet_kvalhep = (borger.forventet or {}).get("slet_kvalhep", [])  # as the dry run showed
        for key, _, row in raekkefoelge:
            if key == ANM:
                for kvalhep_id in slet_kvalhep:
                    outbox.record_slet_kvalhep(forloeb=forloeb, kvalhep_id=kvalhep_id)
            outbox.record(schema_row=row, action=SyncAction.SLET)
        rows = [forloeb.anmodning]
        if getattr(forloeb, "ivaerksaettelse", None):
            rows.append(forloeb.ivaerksaettelse)
        rows += list(forloeb.tilbudstilknytninger.all())
        for row in rows:
            type(row).objects.filter(pk=row.pk).update(smdb_id=None)
            row.smdb_id = None
            outbox.record(schema_row=row, action=SyncAction.INDSAET)
        audit_record(
            user=skifte.startet_af,
            handling=Handling.AENDRET,
            forloeb=forloeb,
            beskrivelse=f"Slettet i SMDB og sendt igen ved systemskifte {skifte.pk}"
            + (
                f"; KvalHep {', '.join(map(str, slet_kvalhep))} slettet (udgået, sendes ikke igen)"
                if slet_kvalhep
                else ""
            ),
        )
        SkifteBorger.objects.filter(pk=borger.pk).update(gammelt_forloeb=forloeb)
        borger.gammelt_forloeb = forloeb
    return True


def importer_skrivebeskyttet(skifte: Systemskifte, borger: SkifteBorger) -> bool:
    """Mellemløsning (R-SKIFT-3): imported read-only, maintained in SMDB-web."""
    with skrivning.enhed():
        if not _saet(borger, Trin.HENTET, Trin.FAERDIG):
            return False
        forloeb = _importer(skifte, borger, skrivebeskyttet=True)
        SkifteBorger.objects.filter(pk=borger.pk).update(gammelt_forloeb=forloeb)
        borger.gammelt_forloeb = forloeb
    return True
