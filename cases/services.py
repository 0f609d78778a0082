"""Writes of citizens' cases. Each service validates the whole forløb with the
rule engine, writes the schema, its outbox row and its audit row in one transaction.

Every service that changes a forløb first locks the citizen's forløb rows and
loads them fresh (``selectors.borgerens_forloeb(for_update=True)``): what it
validates is what it saves next to. Edits name the ``version`` they began from
(optimistic locking): a stale one raises ``VersionConflict`` and saves nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import Http404
from django.utils import timezone

from accounts.models import Myndighed
from audit.models import Handling
from audit.services import audit_record
from cases import selectors
from cases import skrivning as enhed
from cases.models import (
    VERSION_MAX,
    Afslutning,
    Anmodning,
    Ivaerksaettelse,
    Kladde,
    Kontaktforloeb,
    Skema,
    SyncStatus,
    Tilbudstilknytning,
)
from cases.schema_models import model_kwargs
from cases.skrivning import skrivning
from cases.validation import rules_forloeb, validate, validate_insert
from cases.wizards import klargjorte_svar
from smdb import outbox, rules
from smdb.contract import unanswered
from smdb.fields import (
    AFSLUTNING,
    ALL_FIELDS,
    ANMODNING,
    IVAERKSAETTELSE,
    SCHEMAS,
    TILBUDSTILKNYTNING,
)
from smdb.models import SyncAction


class RuleViolations(Exception):
    """The change breaks SMDB's business rules; nothing was saved.

    ``schema`` and ``index`` name the schema the change was to (a tilknytning's
    position among the forløb's), so a form shows its own violations at its fields.
    """

    def __init__(
        self, violations: list[rules.Violation], *, schema: str = "", index: int | None = None
    ):
        super().__init__("; ".join(f"{v.rule}: {v.message}" for v in violations))
        self.violations = violations
        self.schema = schema
        self.index = index


#: ``kontrol=True`` on a write service: check the change as the save would (raising
#: RuleViolations) and save nothing. A form with unreadable answers uses it to show
#: the rule errors of the rest in the same round (issue 11).


class VersionConflict(Exception):
    """Someone saved the schema after this edit began; nothing was saved.

    ``current`` is the row as it is now (who changed it, when, and its values).
    """

    def __init__(self, current: Skema):
        super().__init__(f"{current} er ændret (version {current.version})")
        self.current = current


class IngenAendring(Exception):
    """The edit gives every answer the schema already has: nothing is saved, the row
    is not marked changed and no copy is sent to SMDB (issue 23)."""


def _uden_aendring(row: Skema, version: int | None, values: Mapping[str, Any]) -> None:
    """Raise IngenAendring when ``values`` are the stored answers of ``row`` at the
    version the edit began from (an edit of an older version is a conflict instead)."""
    if version is None or version != row.version:
        return
    before = row.smdb_values()
    if all(_samme_svar(before.get(k), v) for k, v in values.items()):
        raise IngenAendring(str(row))


@skrivning
def anmodning_create(*, user, cpr: str, data: dict, kontrol: bool = False) -> Kontaktforloeb:
    """Register an Anmodning: a new kontaktforløb for ``cpr`` in the user's myndighed.

    ``data`` holds the ANM values keyed by SMDB variable name; 8-ANM KommuneKode
    comes from the user's myndighed.
    """
    # Only 10 ASCII digits are stored and searched by (R-GEN-6), so that every way
    # of typing the number is the same citizen (R-ANM-1).
    try:
        cpr = rules.normaliser_cpr(cpr)
    except ValueError as exc:
        raise RuleViolations(
            [rules.Violation("R-GEN-6", "6-ANM", str(exc), ANMODNING.key, "PersonIdentifikator")],
            schema=ANMODNING.key,
        ) from None
    # Serialise registrations per myndighed so two clerks cannot both open a
    # forløb for the same citizen at once (R-ANM-1).
    myndighed = Myndighed.objects.select_for_update().get(pk=user.myndighed_id)
    forloeb = Kontaktforloeb(myndighed=myndighed, person_identifikator=cpr, oprettet_af=user)
    andre = selectors.myndighedens_forloeb_for_cpr(myndighed_id=myndighed.pk, cpr=cpr)
    _check_edit(forloeb, andre, ANMODNING.key, anmodning=data)
    if kontrol:
        return forloeb
    forloeb.save()
    enhed.aktiv().laest(forloeb, andre, ny=True)
    # SMDB hears of it through the outbox, queued when this transaction commits.
    _create(
        Anmodning, user=user, forloeb=forloeb, values=data, beskrivelse="Anmodning", kladde=False
    )
    return forloeb


# --- Iværksættelse, tilbudstilknytning, afslutning, Rediger, Slet bagfra, kladder ------


def _laas(*, user, forloeb_pk: int) -> tuple[Kontaktforloeb, list[Kontaktforloeb]]:
    forloeb, andre = selectors.borgerens_forloeb(user=user, pk=forloeb_pk, for_update=True)
    enhed.aktiv().laest(forloeb, andre)
    if forloeb.vedligeholdes_i_smdb_web:
        message = "Forløbet vedligeholdes i SMDB-web (mellemløsning) og kan ikke ændres her."
        raise RuleViolations([rules.Violation("R-SKIFT-3", "", message, ANMODNING.key)])
    return forloeb, andre


def _klargjort(
    schema_key: str, data: Mapping[str, Any], forloeb: Kontaktforloeb, **replace
) -> dict:
    """``data`` as it is saved: hidden answers cleared, computed values filled in
    (with the forløb's schemas in ``replace`` as edited)."""
    return klargjorte_svar(schema_key, data, rules_forloeb(forloeb, **replace))


def _tilknytninger(forloeb: Kontaktforloeb) -> list[Tilbudstilknytning]:
    # The order the rule engine is given them in (cases.validation.rules_forloeb).
    return list(forloeb.tilbudstilknytninger.all())


def _check_insert(forloeb, andre, schema_key: str, values: dict, index=None) -> None:
    violations = validate_insert(forloeb, schema_key, values, andre=andre)
    if violations:
        raise RuleViolations(violations, schema=schema_key, index=index)


def _check_edit(forloeb, andre, schema_key: str, index=None, **replace) -> None:
    violations = validate(forloeb, andre=andre, **replace)
    if violations:
        raise RuleViolations(violations, schema=schema_key, index=index)


def _create(model, *, user, forloeb, values: dict, beskrivelse: str, kladde: bool):
    row = model.objects.create(
        forloeb=forloeb,
        oprettet_af=user,
        aendret_af=user,
        sync_status=SyncStatus.AFVENTER,
        **model_kwargs(values),
    )
    enhed.aktiv().oprettet(row)
    outbox.record(schema_row=row, action=SyncAction.INDSAET, oprettet_afventer=True)
    audit_record(user=user, handling=Handling.OPRETTET, forloeb=forloeb, beskrivelse=beskrivelse)
    if kladde:
        _slet_kladde(user=user, forloeb=forloeb, schema=model.schema.key, skema_pk=0)
    return row


def _update(
    row: Skema,
    *,
    user,
    version: int | None,
    values: dict,
    beskrivelse: str,
    til_smdb: bool = True,
) -> Skema:
    """Compare-and-set on ``version``: save only if nobody saved since the edit began.
    ``til_smdb=False``: a change SMDB makes itself (computed fields), not sent."""
    if version is None or row.version != version:
        raise VersionConflict(row)
    kwargs = model_kwargs(values)
    nu = timezone.now()
    saved = (
        type(row)
        .objects.filter(pk=row.pk, version=version)
        .update(**kwargs, version=version + 1, aendret_af=user, aendret=nu)
    )
    if saved != 1:
        raise VersionConflict(type(row).objects.select_related("aendret_af").get(pk=row.pk))
    for name, value in kwargs.items():
        setattr(row, name, value)
    row.version, row.aendret_af, row.aendret = version + 1, user, nu
    enhed.aktiv().opdateret(row)
    if til_smdb:
        outbox.record(schema_row=row, action=SyncAction.RET)
    audit_record(user=user, handling=Handling.AENDRET, forloeb=row.forloeb, beskrivelse=beskrivelse)
    return row


def _slet_kladde(*, user, forloeb, schema: str, skema_pk: int) -> None:
    Kladde.objects.filter(forloeb=forloeb, bruger=user, schema=schema, skema_pk=skema_pk).delete()


@skrivning
def ivaerksaettelse_create(
    *, user, forloeb_pk: int, data: Mapping[str, Any], kladde: bool = False
) -> Ivaerksaettelse:
    """Iværksæt behandling: add the IVÆR (``data`` by SMDB variable) to the forløb.
    ``kladde``: the user's IVÆR draft is used up and deleted."""
    forloeb, andre = _laas(user=user, forloeb_pk=forloeb_pk)
    values = _klargjort(IVAERKSAETTELSE.key, data, forloeb)
    _check_insert(forloeb, andre, IVAERKSAETTELSE.key, values)
    return _create(
        Ivaerksaettelse,
        user=user,
        forloeb=forloeb,
        values=values,
        beskrivelse="Iværksættelse",
        kladde=kladde,
    )


# --- Edits that move a date another schema must equal -------------------------------
# R-TILB-3 (a tilknytning starts on IvaerksatBehandlingDato) and R-AFSL-6 (the
# afslutning is on the latest TilbudTilknyttetBehandlingSlutDato) tie two schemas'
# dates by equality. Moving the iværksættelsesdato moves the tilknytninger that
# started on it; moving the afslutningsdato moves the slut dates that were on it.
# **Reading** (issue 10): SMDB validates each write with the whole forløb as it would
# be after it (R-DEL-2), and no SMDB action writes two schemas at once, so neither
# schema's edit can go first. The edit travels in an order in which every step is
# valid, using R-DEL-1's "slette bagfra" and R-GEN-4's "deleted and created again":
# the dependent schemas are deleted in SMDB bagfra, the edit is sent, and they are
# inserted again in order with their new dates (new SMDB Ids; our rows stay). An
# edit of a date that no other schema equals is sent as a plain edit.


def _slet_i_smdb(rows: list[Skema]) -> None:
    """Record deleting ``rows`` in SMDB (bagfra), keeping them here; they are sent
    again by ``_indsaet_igen``. Their SMDB Id is forgotten, so a child waits for its
    parent's new one (the Slet keeps the old Id in its payload)."""
    for row in rows:
        outbox.record(schema_row=row, action=SyncAction.SLET)
        type(row).objects.filter(pk=row.pk).update(smdb_id=None)
        row.smdb_id = None


def _indsaet_igen(rows: list[Skema]) -> None:
    for row in rows:
        outbox.record(schema_row=row, action=SyncAction.INDSAET)


def _flyttede(tilknytninger, variable: str, old, new) -> dict[int, dict[str, Any]]:
    """R-TILB-3, R-AFSL-6: the tilknytninger whose date ``variable`` was on the moved
    date ``old``, each with that date moved to ``new`` (by pk)."""
    if not new or old == new:
        return {}
    name = ALL_FIELDS[variable].name
    return {
        t.pk: {**t.smdb_values(), variable: new} for t in tilknytninger if getattr(t, name) == old
    }


def _med_flyttede(replace: dict[str, Any], tilknytninger, flyttes) -> dict[str, Any]:
    """``replace`` for the rule engine, with the moved tilknytninger when any moved."""
    if flyttes:
        replace["tilbudstilknytninger"] = [
            flyttes.get(t.pk, t.smdb_values()) for t in tilknytninger
        ]
    return replace


@skrivning
def ivaerksaettelse_update(
    *, user, forloeb_pk: int, version: int | None, data: Mapping[str, Any], kladde: bool = False
) -> Ivaerksaettelse:
    """Rediger the forløb's IVÆR (R-DEL-2), re-validated with the rest of the forløb.
    A moved iværksættelsesdato moves the tilknytninger that started on it (R-TILB-3),
    sent to SMDB as described above."""
    forloeb, andre = _laas(user=user, forloeb_pk=forloeb_pk)
    row = _eksisterende(forloeb, IVAERKSAETTELSE.key)
    values = _klargjort(IVAERKSAETTELSE.key, data, forloeb)
    tilknytninger = _tilknytninger(forloeb)
    flyttes = _flyttede(
        tilknytninger,
        "TilbudTilknyttetBehandlingStartDato",
        row.ivaerksat_behandling_dato,
        values.get("IvaerksatBehandlingDato"),
    )
    replace = _med_flyttede({"ivaerksaettelse": values}, tilknytninger, flyttes)
    _check_edit(forloeb, andre, IVAERKSAETTELSE.key, **replace)
    bagfra = [*([forloeb.afslutning] if _har(forloeb, "afslutning") else []), *tilknytninger[::-1]]
    if flyttes:
        _slet_i_smdb(bagfra)
    row = _update(row, user=user, version=version, values=values, beskrivelse="Iværksættelse")
    if flyttes:
        for t in tilknytninger:
            if t.pk in flyttes:
                _update(
                    t,
                    user=user,
                    version=t.version,
                    values=flyttes[t.pk],
                    beskrivelse="Tilbudstilknytning (startdato flyttet med iværksættelsen)",
                    til_smdb=False,
                )
        _indsaet_igen(bagfra[::-1])
    if kladde:
        _slet_kladde(user=user, forloeb=forloeb, schema=IVAERKSAETTELSE.key, skema_pk=row.pk)
    return row


@skrivning
def tilbudstilknytning_create(
    *, user, forloeb_pk: int, data: Mapping[str, Any], kladde: bool = False, kontrol: bool = False
) -> Tilbudstilknytning:
    """Tilknyt til tilbud: add a tilbudstilknytning to the forløb."""
    forloeb, andre = _laas(user=user, forloeb_pk=forloeb_pk)
    values = _klargjort(TILBUDSTILKNYTNING.key, data, forloeb)
    index = len(_tilknytninger(forloeb))
    _check_insert(forloeb, andre, TILBUDSTILKNYTNING.key, values, index=index)
    if kontrol:
        return None
    return _create(
        Tilbudstilknytning,
        user=user,
        forloeb=forloeb,
        values=values,
        beskrivelse="Tilbudstilknytning",
        kladde=kladde,
    )


@skrivning
def tilbudstilknytning_update(
    *,
    user,
    forloeb_pk: int,
    tilknytning_pk: int,
    version: int | None,
    data: Mapping[str, Any],
    kontrol: bool = False,
) -> Tilbudstilknytning:
    """Rediger a tilbudstilknytning; "Afslut tilbudstilknytning" is this with the
    slut date (4-TILB) set and the other answers unchanged."""
    forloeb, andre = _laas(user=user, forloeb_pk=forloeb_pk)
    tilknytninger = _tilknytninger(forloeb)
    row = next((t for t in tilknytninger if t.pk == tilknytning_pk), None)
    if row is None:
        raise Http404("Tilbudstilknytningen findes ikke på forløbet.")
    index = tilknytninger.index(row)
    values = _klargjort(TILBUDSTILKNYTNING.key, {**row.smdb_values(), **data}, forloeb)
    replaced = [t.smdb_values() for t in tilknytninger]
    replaced[index] = values
    _check_edit(forloeb, andre, TILBUDSTILKNYTNING.key, index=index, tilbudstilknytninger=replaced)
    if kontrol:
        return row
    _uden_aendring(row, version, values)
    return _update(row, user=user, version=version, values=values, beskrivelse="Tilbudstilknytning")


@skrivning
def afslutning_create(
    *, user, forloeb_pk: int, data: Mapping[str, Any], kladde: bool = False, kontrol: bool = False
) -> Afslutning:
    """Afslut behandling: close the forløb."""
    forloeb, andre = _laas(user=user, forloeb_pk=forloeb_pk)
    values = _klargjort(AFSLUTNING.key, data, forloeb)
    _check_insert(forloeb, andre, AFSLUTNING.key, values)
    if kontrol:
        return None
    return _create(
        Afslutning,
        user=user,
        forloeb=forloeb,
        values=values,
        beskrivelse="Afslutning",
        kladde=kladde,
    )


@skrivning
def afslutning_update(
    *, user, forloeb_pk: int, version: int | None, data: Mapping[str, Any], kontrol: bool = False
) -> Afslutning:
    """Rediger the afslutning. A moved afslutningsdato moves the slut dates that were
    on it (R-AFSL-6), sent to SMDB as described above: the afslutning is deleted in
    SMDB, the tilknytninger edited, and the afslutning inserted again."""
    forloeb, andre = _laas(user=user, forloeb_pk=forloeb_pk)
    row = _eksisterende(forloeb, AFSLUTNING.key)
    values = _klargjort(AFSLUTNING.key, data, forloeb)
    tilknytninger = _tilknytninger(forloeb)
    flyttes = _flyttede(
        tilknytninger,
        "TilbudTilknyttetBehandlingSlutDato",
        row.behandling_afsluttet_dato,
        values.get("BehandlingAfsluttetDato"),
    )
    replace = _med_flyttede({"afslutning": values}, tilknytninger, flyttes)
    _check_edit(forloeb, andre, AFSLUTNING.key, **replace)
    if kontrol:
        return row
    _uden_aendring(row, version, values)
    if not flyttes:
        return _update(row, user=user, version=version, values=values, beskrivelse="Afslutning")
    _slet_i_smdb([row])
    for t in tilknytninger:
        if t.pk in flyttes:
            _update(
                t,
                user=user,
                version=t.version,
                values=flyttes[t.pk],
                beskrivelse="Tilbudstilknytning (slutdato flyttet med afslutningen)",
            )
    row = _update(
        row, user=user, version=version, values=values, beskrivelse="Afslutning", til_smdb=False
    )
    _indsaet_igen([row])
    return row


@skrivning
def anmodning_update(
    *,
    user,
    forloeb_pk: int,
    version: int | None,
    data: Mapping[str, Any],
    ivaerksaettelse_svar: Mapping[str, Any] | None = None,
    kontrol: bool = False,
) -> Anmodning:
    """Rediger the anmodning. A changed anmodningsdato changes the IVÆR's computed
    32-IVÆR too: saved on our row with it, but not sent, because SMDB recomputes
    it from the new date (R-IVAER-4, the reading in ``smdb.rules.ivaerksaettelse``).
    One write travels, the anmodning's, and SMDB accepts it in one step.

    ``ivaerksaettelse_svar``: answers to the IVÆR questions the new date makes
    required (4-IVÆR past 14 days, R-IVAER-4; 29-IVÆR, R-IVAER-6), given on the same
    page (``ivaerksaettelse_svar_der_mangler``); answers to other questions are
    ignored, the IVÆR's own page edits those."""
    forloeb, andre = _laas(user=user, forloeb_pk=forloeb_pk)
    row = _eksisterende(forloeb, ANMODNING.key)
    values = _klargjort(ANMODNING.key, {**row.smdb_values(), **data}, forloeb)
    old, new = row.behandling_anmodning_dato, values.get("BehandlingAnmodningDato")
    if old and new and (fejl := rules.start_date_change_error(old, new)):
        raise RuleViolations(
            [rules.Violation("R-GEN-4", "2-ANM", fejl, ANMODNING.key, "BehandlingAnmodningDato")],
            schema=ANMODNING.key,
        )
    ivaer = getattr(forloeb, "ivaerksaettelse", None)
    replace: dict[str, Any] = {"anmodning": values}
    ivaer_values = None
    svar_aendret = False
    if ivaer is not None:
        # The new date may hide answers of the IVÆR that depended on the old one
        # (4-IVÆR when no longer > 14 days, R-IVAER-4; 29-IVÆR, R-IVAER-6): they are
        # cleared as the IVÆR form would clear them (R-GEN-2). One the new date makes
        # required takes the answer given with the edit; without one the edit is
        # refused below, with the rule's message.
        before = ivaer.smdb_values()
        mangler = ivaerksaettelse_svar_der_mangler(forloeb, anmodning=values)
        givet = {k: v for k, v in (ivaerksaettelse_svar or {}).items() if k in mangler}
        klar = _klargjort(IVAERKSAETTELSE.key, {**before, **givet}, forloeb, anmodning=values)
        aendret = [k for k, v in klar.items() if not _samme_svar(before.get(k), v)]
        if aendret:
            ivaer_values = klar
            replace["ivaerksaettelse"] = ivaer_values
            svar_aendret = any(not ALL_FIELDS[k].computed for k in aendret)
    _check_edit(forloeb, andre, ANMODNING.key, **replace)
    if kontrol:
        return row
    if ivaer_values is None:
        _uden_aendring(row, version, values)
    # Computed fields only: SMDB recomputes them, the anmodning's edit is all it needs.
    # Answers cleared or given: the IVÆR itself changes, which SMDB cannot take before
    # or after the anmodning's edit alone (before it the IVÆR's answer contradicts the
    # stored date, after it the stored IVÆR lacks or holds an answer the new date
    # forbids); it travels like the equality-tied dates above (the IVÆR and what hangs
    # on it deleted bagfra, the edit, all inserted again with the new answers).
    bagfra = []
    if svar_aendret:
        tilknytninger = _tilknytninger(forloeb)
        bagfra = [*([forloeb.afslutning] if _har(forloeb, "afslutning") else [])]
        bagfra += [*tilknytninger[::-1], ivaer]
        _slet_i_smdb(bagfra)
    row = _update(row, user=user, version=version, values=values, beskrivelse="Anmodning")
    if ivaer_values is not None:
        _update(
            ivaer,
            user=user,
            version=ivaer.version,
            values=ivaer_values,
            beskrivelse="Iværksættelse (ændret med anmodningsdatoen)",
            til_smdb=False,
        )
    _indsaet_igen(bagfra[::-1])
    return row


def ivaerksaettelse_svar_der_mangler(
    forloeb: Kontaktforloeb, *, anmodning: Mapping[str, Any]
) -> tuple[str, ...]:
    """The IVÆR questions (variables, in ``smdb.fields`` order) that the forløb with
    ``anmodning`` as edited requires and the stored IVÆR has not answered: 4-IVÆR
    when the gap passes 14 days (R-IVAER-4), 29-IVÆR when the lægesamtale falls
    past its deadline (R-IVAER-6). The rule engine decides; empty without an IVÆR."""
    ivaer = getattr(forloeb, "ivaerksaettelse", None)
    if ivaer is None:
        return ()
    efter = rules_forloeb(forloeb, anmodning=dict(anmodning))
    klar = klargjorte_svar(IVAERKSAETTELSE.key, ivaer.smdb_values(), efter)
    kraevet = rules.required_fields(IVAERKSAETTELSE.key, klar, efter)
    return tuple(
        f.variable
        for f in IVAERKSAETTELSE.fields
        if f.variable in kraevet and not f.computed and unanswered(klar.get(f.variable))
    )


def _samme_svar(a: Any, b: Any) -> bool:
    """Equal answers; empty is empty whatever its form."""
    return (None if unanswered(a) else a) == (None if unanswered(b) else b)


def _har(forloeb: Kontaktforloeb, schema_key: str) -> bool:
    return getattr(forloeb, schema_key, None) is not None


def _eksisterende(forloeb: Kontaktforloeb, schema_key: str) -> Skema:
    row = getattr(forloeb, schema_key, None)
    if row is None:
        raise Http404(f"Forløbet har ingen {SCHEMAS[schema_key].title.lower()}.")
    return row


def skema_til_sletning(
    forloeb: Kontaktforloeb, schema_key: str, tilknytning_pk: int | None = None
) -> tuple[Skema, int | None]:
    """The row a "Slet" names and its index among the tilknytninger; refused when
    the forløb has no such schema."""
    if schema_key == TILBUDSTILKNYTNING.key:
        tilknytninger = _tilknytninger(forloeb)
        row = next((t for t in tilknytninger if t.pk == tilknytning_pk), None)
        if row is None:
            raise rules.DeletionRefused("Tilbudstilknytningen findes ikke på forløbet.")
        return row, tilknytninger.index(row)
    row = getattr(forloeb, schema_key, None) if schema_key in SCHEMAS else None
    if row is None:
        raise rules.DeletionRefused("Forløbet har ikke det skema.")
    return row, None


def _slet(*, user, forloeb: Kontaktforloeb, row: Skema) -> None:
    outbox.record(schema_row=row, action=SyncAction.SLET)  # before the row goes
    enhed.aktiv().slettet(row)
    row.delete()
    audit_record(
        user=user,
        handling=Handling.SLETTET,
        forloeb=forloeb,
        beskrivelse=row.schema.title,
    )


@skrivning
def skema_delete(
    *, user, forloeb_pk: int, schema: str, tilknytning_pk: int | None = None
) -> Kontaktforloeb | None:
    """Slet one schema, bagfra (R-DEL-1): only the one the rule engine says may go
    now; any other raises ``rules.DeletionRefused`` with the reason. Deleting the
    anmodning deletes the (then empty) forløb; returns None then."""
    forloeb, _ = _laas(user=user, forloeb_pk=forloeb_pk)
    row, index = skema_til_sletning(forloeb, schema, tilknytning_pk)
    rules.check_deletion(rules_forloeb(forloeb), schema, index)
    _slet(user=user, forloeb=forloeb, row=row)
    if schema == ANMODNING.key:
        enhed.aktiv().slettet(forloeb)
        forloeb.delete()
        return None
    return forloeb


@skrivning
def forloeb_delete(*, user, forloeb_pk: int) -> int:
    """Slet the whole forløb by walking back schema by schema (R-DEL-1): each step
    deletes what the rule engine says may go now, with its own outbox row, until
    nothing is left. Returns how many schemas were deleted."""
    forloeb, _ = _laas(user=user, forloeb_pk=forloeb_pk)
    raekkefoelge = selectors.slette_raekkefoelge(forloeb)
    for _, _, row in raekkefoelge:
        _slet(user=user, forloeb=forloeb, row=row)
    enhed.aktiv().slettet(forloeb)
    forloeb.delete()
    return len(raekkefoelge)


def kladde_save(
    *,
    user,
    forloeb_pk: int,
    schema: str,
    data: dict[str, list[str]],
    trin: str = "",
    skema_pk: int = 0,
    version: int = 0,
) -> Kladde:
    """Keep what the user typed so far as their draft (never sent to SMDB, R-GEN-2).

    Only what the database can hold is kept (issue 15): strings without NUL
    characters, and a version within the column's range (another is no version the
    row ever had: 0, so that saving from the draft meets the conflict page)."""
    forloeb = selectors.forloeb_for_user(user).filter(pk=forloeb_pk).first()
    if forloeb is None:
        raise Http404("Forløbet findes ikke i din myndighed.")
    if not 0 <= version <= VERSION_MAX:
        version = 0
    kladde, _ = Kladde.objects.update_or_create(
        forloeb=forloeb,
        bruger=user,
        schema=schema,
        skema_pk=skema_pk,
        defaults={"data": _kladde_data(data), "trin": trin[:30], "version": version},
    )
    return kladde


def _kladde_data(data: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """A draft's data as JSON every database can store: str keys and values, no NUL."""
    return {
        str(key).replace("\x00", ""): [str(v).replace("\x00", "") for v in values]
        for key, values in data.items()
    }


def kladde_delete(*, user, kladde_pk: int) -> None:
    """Kassér one of the user's own drafts."""
    deleted, _ = Kladde.objects.filter(
        pk=kladde_pk, bruger=user, forloeb__in=selectors.forloeb_for_user(user)
    ).delete()
    if not deleted:
        raise Http404("Kladden findes ikke.")
