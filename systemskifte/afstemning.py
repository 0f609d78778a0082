"""Reconciliation: the myndighed's active forløb in SMDB compared with ours.

``afstem`` fetches SMDB's active forløb (HentAktiveKontaktForloebIMyndighed, then
each schema by Id) and lists every difference as an ``Afvigelse`` on the
kontrolliste. Nothing is changed here: a person picks the fix (``send_vores`` or
``hent_smdbs``), and the fix is audit-logged. A forløb with operations still on
their way to SMDB is not compared (the outbox is not done with it yet).

The kinds (``AfvigelseType``):
- KUN_I_SMDB: SMDB has an active forløb we do not hold. Fix: fetch SMDB's.
- MANGLER_I_SMDB: ours is active and SMDB lacks it (deleted there, or never
  accepted). Fix: send ours again (as new schemas).
- AFSLUTTET_I_SMDB: ours is active, SMDB's closed. Fix: fetch SMDB's.
- AFSLUTTET_HER: ours is closed, SMDB's active. Fix: send ours.
- VAERDIER: both active, answers or schemas differ. Fix: either.

A run is a job (issue 23: "Afstem nu" took 7.6–7.9 s inside the request in the
demo): ``start`` creates it "venter" and queues ``tasks.koer_afstemning`` on
commit; ``koer`` claims it with a compare-and-set (venter -> kører), so a
duplicate task or a double click never runs it twice, and writes its progress and
heartbeat (``sidst_aktiv``) as it goes. At most one unfinished run per myndighed
(a constraint); one whose heartbeat is stale (its process died) is marked failed
when a new one is asked for. The nightly ``afstem_alle`` runs each inline.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from audit.models import Handling
from audit.services import audit_record
from cases import selectors
from cases.models import Afslutning, Kontaktforloeb, Tilbudstilknytning
from cases.schema_models import model_kwargs
from cases.signals import meld_opdatering
from smdb import outbox, sync
from smdb.client import SmdbError, SmdbKlient
from smdb.contract import AFSL, ANM, IVAER, TILB
from smdb.fields import SCHEMAS
from smdb.models import SyncAction, SyncOperation
from smdb.schema_json import from_json
from systemskifte.models import (
    UFAERDIGE_AFSTEMNINGER,
    Afstemning,
    AfstemningStatus,
    Afvigelse,
    AfvigelseStatus,
    AfvigelseType,
)
from systemskifte.services import (
    KOER_AFSTEMNING,
    hent_smdb_forloeb,
    importer_forloeb,
    koe_ved_commit,
)

logger = logging.getLogger(__name__)
T = AfvigelseType
A = AfstemningStatus
#: Seconds between two writes of a run's progress and heartbeat (tests set 0).
PULS_HVER = 0.5
#: Fixes offered per kind; "send" re-sends ours, "hent" fetches SMDB's.
RETTELSER = {
    T.KUN_I_SMDB: ("hent",),
    T.MANGLER_I_SMDB: ("send",),
    T.AFSLUTTET_I_SMDB: ("hent",),
    T.AFSLUTTET_HER: ("send",),
    T.VAERDIER: ("send", "hent"),
}


def rettelser(afvigelse: Afvigelse) -> tuple[str, ...]:
    """The safe fixes; a forløb maintained in SMDB-web (R-SKIFT-3) is never sent from
    here, only fetched."""
    valg = RETTELSER[afvigelse.type]
    if afvigelse.forloeb is not None and afvigelse.forloeb.vedligeholdes_i_smdb_web:
        valg = tuple(r for r in valg if r == "hent")
    return valg


def _i_gang(forloeb_ids) -> set[int]:
    return set(
        SyncOperation.objects.filter(
            forloeb_ref__in=forloeb_ids, status__in=[*outbox.UNSENT, "sender"]
        )
        .exclude(status__in=["afvist", "opgivet"])
        .values_list("forloeb_ref", flat=True)
    )


def _rows(forloeb: Kontaktforloeb) -> list:
    rows = [forloeb.anmodning]
    if getattr(forloeb, "ivaerksaettelse", None):
        rows.append(forloeb.ivaerksaettelse)
    rows += list(forloeb.tilbudstilknytninger.all())
    if getattr(forloeb, "afslutning", None):
        rows.append(forloeb.afslutning)
    return rows


def forskelle(forloeb: Kontaktforloeb, smdb: dict) -> list[str]:
    """What differs between our forløb and SMDB's (``hent_smdb_forloeb``), in Danish."""
    ud = []

    def sammenlign(key: str, row, remote: dict | None, navn: str):
        if row is None and remote is None:
            return
        if row is None:
            ud.append(f"{navn} findes kun i SMDB.")
        elif remote is None:
            ud.append(f"{navn} findes kun her.")
        else:
            ours, theirs = row.smdb_values(), from_json(key, remote["values"])
            felter = [
                f.ident
                for f in SCHEMAS[key].stored_fields
                if not sync.same_values(
                    key,
                    {f.variable: ours.get(f.variable)},
                    {f.variable: theirs.get(f.variable)},
                    computed=True,
                )
            ]
            if felter:
                ud.append(f"{navn}: forskellige svar i {', '.join(felter)}.")

    sammenlign(ANM, forloeb.anmodning, smdb["anmodning"], "Anmodningen")
    sammenlign(
        IVAER, getattr(forloeb, "ivaerksaettelse", None), smdb["ivaerksaettelse"], "Iværksættelsen"
    )
    remote_t = {t["id"]: t for t in smdb["tilbudstilknytninger"]}
    for t in forloeb.tilbudstilknytninger.all():
        sammenlign(
            TILB, t, remote_t.pop(t.smdb_id, None), f"Tilbudstilknytning (tilbud {t.tilbud_id})"
        )
    for t in remote_t.values():
        ud.append(f"Tilbudstilknytning (tilbud {t['values'].get('TilbudId')}) findes kun i SMDB.")
    sammenlign(AFSL, getattr(forloeb, "afslutning", None), smdb["afslutning"], "Afslutningen")
    return ud


# --- the run as a job --------------------------------------------------------------------


class Afbrudt(Exception):
    """The run is no longer "kører" (given up as stale while it still worked)."""


def gaaet_i_staa(run: Afstemning) -> bool:
    """Unfinished, and no heartbeat for AFSTEMNING_STALE_AFTER seconds: its process
    died (a restarted ``make run``, a killed worker) or its task was lost."""
    graense = timezone.now() - timedelta(seconds=settings.AFSTEMNING_STALE_AFTER)
    return run.ufaerdig and (run.sidst_aktiv is None or run.sidst_aktiv < graense)


def ufaerdig_afstemning(myndighed_id: int) -> Afstemning | None:
    return (
        Afstemning.objects.filter(myndighed_id=myndighed_id, status__in=UFAERDIGE_AFSTEMNINGER)
        .select_related("startet_af")
        .first()
    )


def start(*, myndighed, user=None, koe_nu: bool = True) -> tuple[Afstemning, bool]:
    """A new run, queued on commit (``koe_nu``), and True; or the myndighed's
    unfinished run and False: a second is never started beside it. A run gone
    stale is marked failed first, so it can be started again."""
    try:
        with transaction.atomic():
            aaben = ufaerdig_afstemning(myndighed.pk)
            if aaben is not None:
                if not gaaet_i_staa(aaben):
                    return aaben, False
                sidst = timezone.localtime(aaben.sidst_aktiv or aaben.startet)
                Afstemning.objects.filter(pk=aaben.pk, status__in=UFAERDIGE_AFSTEMNINGER).update(
                    status=A.FEJLET,
                    afsluttet=timezone.now(),
                    fejl=f"Afstemningen gik i stå (intet livstegn siden {sidst:%H.%M}).",
                )
            run = Afstemning.objects.create(
                myndighed=myndighed, startet_af=user, sidst_aktiv=timezone.now()
            )
            if koe_nu:
                koe(run.pk)
            return run, True
    except IntegrityError:
        # Another request created one in the same moment (the unique constraint).
        aaben = ufaerdig_afstemning(myndighed.pk)
        if aaben is None:
            raise
        return aaben, False


def koe(afstemning_id: int) -> None:
    koe_ved_commit(KOER_AFSTEMNING, afstemning_id)


def koer(afstemning_id: int, *, klient: SmdbKlient | None = None) -> Afstemning:
    """Claim the run and compare; a run already claimed (a duplicate task) is left
    alone. SMDB down is the run's ``fejl``, in Danish; the earlier kontrolliste stays."""
    if not Afstemning.objects.filter(pk=afstemning_id, status=A.VENTER).update(
        status=A.KOERER, sidst_aktiv=timezone.now()
    ):
        return Afstemning.objects.get(pk=afstemning_id)
    run = Afstemning.objects.select_related("myndighed").get(pk=afstemning_id)
    try:
        return _afstem(run, run.myndighed, klient or SmdbKlient())
    except Afbrudt:
        pass
    except SmdbError as exc:
        _fejlet(run, f"SMDB svarer ikke: {exc}")
    except Exception:
        _fejlet(run, "Afstemningen stoppede med en fejl. Prøv igen; ellers se serverens log.")
        raise
    run.refresh_from_db()
    return run


def _fejlet(run: Afstemning, fejl: str) -> None:
    Afstemning.objects.filter(pk=run.pk, status=A.KOERER).update(
        status=A.FEJLET, fejl=fejl, afsluttet=timezone.now()
    )


def _skriv(run: Afstemning, **fields) -> None:
    """Progress and heartbeat, only while the run is still "kører"."""
    if not Afstemning.objects.filter(pk=run.pk, status=A.KOERER).update(
        sidst_aktiv=timezone.now(), **fields
    ):
        raise Afbrudt


def fremdrift(run: Afstemning) -> dict:
    """Compared / to compare and the percentage (None until SMDB's list is here)."""
    i_alt = run.antal_i_alt
    if run.status == A.FAERDIG:
        procent = 100
    elif i_alt:
        procent = min(99, run.antal_sammenlignet * 100 // i_alt)
    else:
        procent = 0
    return {"i_alt": i_alt, "sammenlignet": run.antal_sammenlignet, "procent": procent}


def afstem(*, myndighed, user=None, klient: SmdbKlient | None = None) -> Afstemning:
    """Compare now, in this process, and list the differences; the previous open ones
    are replaced. With a run of the myndighed unfinished, that run is returned."""
    run, ny = start(myndighed=myndighed, user=user, koe_nu=False)
    if not ny:
        return run
    return koer(run.pk, klient=klient)


def _afstem(run: Afstemning, myndighed, klient: SmdbKlient) -> Afstemning:
    smdb_aktive = {
        k["anmodning_id"]: k for k in klient.hent_aktive_kontaktforloeb(myndighed.kommune_kode)
    }
    vores = list(
        selectors.with_schemas(Kontaktforloeb.objects.for_myndighed(myndighed.pk)).filter(
            anmodning__isnull=False
        )
    )
    i_gang = _i_gang([f.pk for f in vores])
    efter_id = {f.anmodning.smdb_id: f for f in vores if f.anmodning.smdb_id}
    aktive_her = [f for f in vores if not hasattr(f, "afslutning") and f.pk not in i_gang]
    # Each of SMDB's active forløb that is not one of our active ones is one look;
    # each of our active ones one fetch from SMDB (the slow part).
    kun_smdb_side = [
        aid
        for aid in smdb_aktive
        if (f := efter_id.get(aid)) is None or (f.pk not in i_gang and hasattr(f, "afslutning"))
    ]
    i_alt = len(kun_smdb_side) + len(aktive_her)
    _skriv(run, antal_i_alt=i_alt, antal_smdb=len(smdb_aktive), antal_her=len(aktive_her))
    sammenlignet = 0
    skrevet = time.monotonic()

    def talt(n: int = 1) -> None:
        nonlocal sammenlignet, skrevet
        sammenlignet += n
        if time.monotonic() - skrevet >= PULS_HVER:
            _skriv(run, antal_sammenlignet=sammenlignet)
            skrevet = time.monotonic()

    fund: list[Afvigelse] = []

    def ny(type_, *, forloeb=None, anmodning_id=None, cpr="", detaljer=()):
        fund.append(
            Afvigelse(
                afstemning=run,
                myndighed=myndighed,
                type=type_,
                forloeb=forloeb,
                anmodning_id=anmodning_id,
                person_identifikator=cpr or (forloeb.person_identifikator if forloeb else ""),
                detaljer=list(detaljer),
            )
        )

    for anmodning_id, k in smdb_aktive.items():
        f = efter_id.get(anmodning_id)
        if f is None:
            ny(
                T.KUN_I_SMDB,
                anmodning_id=anmodning_id,
                cpr=k["person_identifikator"],
                detaljer=["SMDB har et aktivt forløb, som ikke findes her."],
            )
        elif f.pk in i_gang:
            continue
        elif hasattr(f, "afslutning"):
            ny(
                T.AFSLUTTET_HER,
                forloeb=f,
                anmodning_id=anmodning_id,
                detaljer=["Forløbet er afsluttet her, men aktivt i SMDB."],
            )
    talt(len(kun_smdb_side))
    for f in aktive_her:
        anmodning_id = f.anmodning.smdb_id
        if anmodning_id in smdb_aktive:
            smdb = hent_smdb_forloeb(klient, anmodning_id)
            if smdb is not None and (d := forskelle(f, smdb)):
                ny(T.VAERDIER, forloeb=f, anmodning_id=anmodning_id, detaljer=d)
            talt()
            continue
        smdb = hent_smdb_forloeb(klient, anmodning_id) if anmodning_id else None
        if smdb is not None and smdb["afslutning"]:
            ny(
                T.AFSLUTTET_I_SMDB,
                forloeb=f,
                anmodning_id=anmodning_id,
                detaljer=["Forløbet er afsluttet i SMDB, men aktivt her."],
            )
        else:
            ny(
                T.MANGLER_I_SMDB,
                forloeb=f,
                anmodning_id=anmodning_id,
                detaljer=["SMDB har ikke forløbet."],
            )
        talt()
    with transaction.atomic():
        # Finished only if still ours: a run given up as stale meanwhile writes nothing.
        _skriv(run, status=A.FAERDIG, afsluttet=timezone.now(), antal_sammenlignet=i_alt)
        Afvigelse.objects.filter(myndighed=myndighed, status=AfvigelseStatus.AABEN).delete()
        Afvigelse.objects.bulk_create(fund)
    run.refresh_from_db()
    return run


def aabne_afvigelser(myndighed_id: int):
    return (
        Afvigelse.objects.filter(myndighed_id=myndighed_id, status=AfvigelseStatus.AABEN)
        .select_related("forloeb")
        .order_by("type", "pk")
    )


class RettelseFejl(Exception):
    """The fix cannot be made; the message is for the page (Danish)."""


def _rettet(afvigelse: Afvigelse, *, user, rettelse: str) -> None:
    if not Afvigelse.objects.filter(pk=afvigelse.pk, status=AfvigelseStatus.AABEN).update(
        status=AfvigelseStatus.RETTET, rettet_af=user, rettet=timezone.now(), rettelse=rettelse
    ):
        raise RettelseFejl("Afvigelsen er allerede rettet.")


@transaction.atomic
def send_vores(*, user, afvigelse: Afvigelse) -> None:
    """Send our forløb to SMDB again through the outbox: a schema SMDB lacks as new,
    the others as "Rediger" with our values."""
    if "send" not in rettelser(afvigelse) or afvigelse.forloeb is None:
        raise RettelseFejl("Den rettelse kan ikke bruges her.")
    _rettet(afvigelse, user=user, rettelse="Vores forløb sendt til SMDB igen")
    forloeb = selectors.with_schemas(
        Kontaktforloeb.objects.select_for_update(of=("self",)).filter(pk=afvigelse.forloeb_id)
    ).get()
    ny_i_smdb = afvigelse.type == T.MANGLER_I_SMDB  # SMDB deleted it: every Id is stale
    for row in _rows(forloeb):
        if ny_i_smdb and row.smdb_id:
            type(row).objects.filter(pk=row.pk).update(smdb_id=None)
            row.smdb_id = None
        action = SyncAction.RET if row.smdb_id else SyncAction.INDSAET
        outbox.record(schema_row=row, action=action)
    audit_record(
        user=user,
        handling=Handling.AENDRET,
        forloeb=forloeb,
        beskrivelse=f"Afstemning: sendt til SMDB igen ({afvigelse.get_type_display()})",
    )


def hent_smdbs(*, user, afvigelse: Afvigelse, klient: SmdbKlient | None = None) -> None:
    """Take SMDB's forløb as it is: import it, or update our schemas to SMDB's
    values (each edited row's version is bumped, so a form open on it is refused).
    A forløb maintained in SMDB-web (R-SKIFT-3) that has ended there gets its
    Afslutning and so leaves the mellemløsning list."""
    if "hent" not in rettelser(afvigelse):
        raise RettelseFejl("Den rettelse kan ikke bruges her.")
    smdb = hent_smdb_forloeb(klient or SmdbKlient(), afvigelse.anmodning_id)
    if smdb is None:
        raise RettelseFejl("SMDB har ikke længere forløbet; afstem igen.")
    with transaction.atomic():
        _rettet(afvigelse, user=user, rettelse="SMDB's forløb hentet")
        if afvigelse.forloeb_id is None:
            importer_forloeb(
                myndighed=afvigelse.myndighed,
                user=user,
                cpr=smdb["person_identifikator"] or afvigelse.person_identifikator,
                data=smdb,
                beskrivelse="Afstemning: hentet fra SMDB",
            )
            return
        forloeb = selectors.with_schemas(
            Kontaktforloeb.objects.select_for_update(of=("self",)).filter(pk=afvigelse.forloeb_id)
        ).get()
        _overtag(forloeb, smdb, user=user)
        audit_record(
            user=user,
            handling=Handling.AENDRET,
            forloeb=forloeb,
            beskrivelse=f"Afstemning: SMDB's oplysninger hentet ({afvigelse.get_type_display()})",
        )


def _overtag(forloeb: Kontaktforloeb, smdb: dict, *, user) -> None:
    def opdater(row, d):
        values = model_kwargs(from_json(row.schema.key, d["values"]))
        type(row).objects.filter(pk=row.pk).update(
            **values,
            smdb_id=d["id"],
            sync_status="sendt",
            version=row.version + 1,
            aendret_af=user,
            aendret=timezone.now(),
        )

    def opret(model, d):
        model.objects.create(
            forloeb=forloeb,
            smdb_id=d["id"],
            sync_status="sendt",
            oprettet_af=user,
            aendret_af=user,
            **model_kwargs(from_json(model.schema.key, d["values"])),
        )

    opdater(forloeb.anmodning, smdb["anmodning"])
    iv = getattr(forloeb, "ivaerksaettelse", None)
    if iv is not None and smdb["ivaerksaettelse"]:
        opdater(iv, smdb["ivaerksaettelse"])
    elif smdb["ivaerksaettelse"]:
        from cases.models import Ivaerksaettelse

        opret(Ivaerksaettelse, smdb["ivaerksaettelse"])
    lokale = {t.smdb_id: t for t in forloeb.tilbudstilknytninger.all() if t.smdb_id}
    for d in smdb["tilbudstilknytninger"]:
        if d["id"] in lokale:
            opdater(lokale[d["id"]], d)
        else:
            opret(Tilbudstilknytning, d)
    afsl = getattr(forloeb, "afslutning", None)
    if smdb["afslutning"]:
        if afsl is not None:
            opdater(afsl, smdb["afslutning"])
        else:
            opret(Afslutning, smdb["afslutning"])
    meld_opdatering(forloeb.pk)  # the rows changed by QuerySet.update send no signal


def afstem_alle() -> int:
    """Beat (nightly): every myndighed that has forløb here."""
    from accounts.models import Myndighed

    count = 0
    for m in Myndighed.objects.filter(
        Exists(Kontaktforloeb.objects.filter(myndighed=OuterRef("pk")))
    ):
        afstem(myndighed=m)
        count += 1
    return count
