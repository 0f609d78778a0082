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
"""

from __future__ import annotations

from django.db import transaction
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
from systemskifte.models import Afstemning, Afvigelse, AfvigelseStatus, AfvigelseType
from systemskifte.services import hent_smdb_forloeb, importer_forloeb

T = AfvigelseType
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


def afstem(*, myndighed, user=None, klient: SmdbKlient | None = None) -> Afstemning:
    """Compare and list the differences; the previous open ones are replaced."""
    klient = klient or SmdbKlient()
    run = Afstemning.objects.create(myndighed=myndighed, startet_af=user)
    try:
        return _afstem(run, myndighed, klient)
    except SmdbError as exc:
        # The earlier kontrolliste stays as it was.
        Afstemning.objects.filter(pk=run.pk).update(
            fejl=f"SMDB svarer ikke: {exc}", afsluttet=timezone.now()
        )
        run.refresh_from_db()
        return run


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
    for f in aktive_her:
        anmodning_id = f.anmodning.smdb_id
        if anmodning_id in smdb_aktive:
            smdb = hent_smdb_forloeb(klient, anmodning_id)
            if smdb is not None and (d := forskelle(f, smdb)):
                ny(T.VAERDIER, forloeb=f, anmodning_id=anmodning_id, detaljer=d)
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
    with transaction.atomic():
        Afvigelse.objects.filter(myndighed=myndighed, status=AfvigelseStatus.AABEN).delete()
        Afvigelse.objects.bulk_create(fund)
        Afstemning.objects.filter(pk=run.pk).update(
            afsluttet=timezone.now(), antal_smdb=len(smdb_aktive), antal_her=len(aktive_her)
        )
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
