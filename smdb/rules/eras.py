"""Datostyring (R-GEN-3): the anmodningsdato picks the rule set.

Spec 6.2: "Det er altid anmodningsdatoen, der styrer, hvilke indberetningsregler der
gælder": anmodning >= 2025-07-01 follows the 2026 specification (all of
``smdb.rules``); 2019-07-01 .. 2025-06-30 follows the specification in force from
2025-01-01; before 2019-07-01 the old, unsanitised schemas (spec 6.3).

Neither older text is among our seeds. For those periods we apply only rules the
2026 texts state as properties of SMDB itself rather than of the 2025 forms:

- R-GEN-1 dates not in the future, R-GEN-2 as far as an answer must have the
  right type (a date is a date), R-GEN-5/R-GEN-6 the CPR number (the register's
  unit is the person's CPR, spec 2 "Enheder"; the law excludes citizens without one).
- The structure of a kontaktforløb and one active forløb per citizen: R-ANM-1
  (the system-change guide states it as SMDB's invariant: "Man kan kun have én
  aktiv sag pr. borger", and old active cases are exactly what it is about),
  R-ANM-2, R-IVAER-1, R-IVAER-2, R-TILB-1, R-AFSL-1 (R-IVAER-1 and the second-
  Afslutning half of R-AFSL-1 are checked on insert, ``validation.validate_insert``).
- The ordering of the forløb's dates, which the 2019 text (6.3) already steers by
  the same Felt-IDs 2-ANM, 1-IVÆR, 3-TILB, 4-TILB, 1-AFSL and which the guarantee
  statistics since 2008 are computed from: R-IVAER-3, R-TILB-2..6, R-AFSL-2..6.
- Deletion bagfra (R-DEL-1, ``smdb.rules.deletion``) and R-GEN-4 (changing a start
  date across a boundary between these periods) apply to every period.

Not applied to older periods: which questions are required or hidden (R-GEN-2 and
the conditional R-IVAER/R-TILB-10/R-AFSL-7 rules), code lists and value ranges
(6.3: 4-IVÆR and 6-IVÆR had other codes before 2019; the 2025-01-01 lists are not in
the seeds), R-IVAER-5/-9/-11/-17/-18, R-TILB-7..10 and the computed 23/32-IVÆR. The
2026 text does not say which questions came on 2025-07-01 (it only says that
section 3's values are those "der gælder fra 1. juli 2025"), so no question beyond
the dates above is demanded from an older forløb: that way no field introduced on
2025-07-01 can be demanded from one. Unknown fields are allowed there too (R-GEN-3
rejects them only from the current period): old forløb may carry fields that no
longer exist ('Udgået'), and we do not know their names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from smdb.rules import afslutning, anmodning, general, ivaerksaettelse, tilbud
from smdb.rules.dato import SMDB_FOERSTE_DATO, dansk_dato
from smdb.rules.forloeb import Violation
from smdb.rules.kontekst import Kontekst

Rule = Callable[[Kontekst], Iterable[Violation]]


@dataclass(frozen=True)
class RuleSet:
    key: str
    title: str
    fra: date | None  # first anmodningsdato it applies to; None: since the beginning
    til: date | None  # first anmodningsdato it no longer applies to; None: still in force
    rules: tuple[Rule, ...]

    def applies_to(self, anmodningsdato: date) -> bool:
        return (self.fra is None or self.fra <= anmodningsdato) and (
            self.til is None or anmodningsdato < self.til
        )


FAELLES_REGLER: tuple[Rule, ...] = (
    general.datoer_ligger_ikke_i_fremtiden,  # R-GEN-1
    general.datoer_ligger_i_en_periode_smdb_daekker,  # R-GEN-3 (no period before 2008)
    general.datoer_ikke_foer_foedsel,  # R-GEN-6 (not before the CPR's birth date)
    general.svar_har_rette_type,  # R-GEN-2 (types only)
    general.borgeren_har_cpr_nummer,  # R-GEN-5
    general.cpr_nummeret_er_gyldigt,  # R-GEN-6
    anmodning.kun_et_aktivt_kontaktforloeb,  # R-ANM-1
    ivaerksaettelse.ivaerksaettelse_hoerer_til_en_anmodning,  # R-IVAER-2
    ivaerksaettelse.ivaerksaettelse_ikke_foer_anmodning,  # R-IVAER-3
    tilbud.tilknytning_hoerer_til_en_ivaerksaettelse,  # R-TILB-1
    tilbud.tilknytning_starter_ikke_foer_ivaerksaettelse,  # R-TILB-2
    tilbud.en_tilknytning_starter_ved_ivaerksaettelse,  # R-TILB-3
    tilbud.tilknytning_starter_ikke_efter_slut,  # R-TILB-4
    tilbud.ingen_slutdato_uden_startdato,  # R-TILB-5
    tilbud.tilknytning_afsluttet_med_forloebet,  # R-TILB-6
    anmodning.ikke_ivaerksat_forloeb_har_kun_anmodning_og_afslutning,  # R-ANM-2
    afslutning.afslutning_hoerer_til_en_anmodning,  # R-AFSL-1
    afslutning.afslutning_ikke_foer_anmodning,  # R-AFSL-2
    afslutning.afslutning_ikke_foer_ivaerksaettelse,  # R-AFSL-3
    afslutning.afslutning_ikke_foer_seneste_tilbudsslut,  # R-AFSL-4
    afslutning.ingen_aabne_tilknytninger_ved_afslutning,  # R-AFSL-5
    afslutning.afslutning_er_seneste_tilbudsslut,  # R-AFSL-6
)

REGLER_2025: tuple[Rule, ...] = (
    *FAELLES_REGLER,
    general.felterne_findes_i_skemaet,  # R-GEN-3
    general.svar_er_blandt_svarmulighederne,  # R-GEN-2
    general.viste_spoergsmaal_er_besvaret,  # R-GEN-2, the conditional questions
    ivaerksaettelse.beregnede_felter_stemmer,  # 32-IVÆR, 23-IVÆR
    ivaerksaettelse.garantiaarsag_passer_til_alder,  # R-IVAER-5
    ivaerksaettelse.hovedstof_foerste_brug_ikke_efter_alder,  # R-IVAER-9
    ivaerksaettelse.indtagelsesmaade_passer_til_hovedstof,  # R-IVAER-11
    ivaerksaettelse.stoffer_seneste_maaned_har_mindst_en_dag,  # R-IVAER-12
    ivaerksaettelse.substitution_foerste_alder_ikke_efter_alder,  # R-IVAER-17
    ivaerksaettelse.uoplyst_henvisning_staar_alene,  # R-IVAER-18
    ivaerksaettelse.laegesamtale_ikke_foer_anmodning,  # R-IVAER-20
    tilbud.en_substitutionsbehandling_ad_gangen,  # R-TILB-8 (and R-TILB-7)
    tilbud.en_doegnbehandling_ad_gangen,  # R-TILB-9
    tilbud.autorisations_id_har_fem_tegn,  # R-TILB-10
)

SANERINGSDATO_2019 = date(2019, 7, 1)
KRAV_2025_07 = date(2025, 7, 1)

KRAVSPEC_2026 = RuleSet(
    key="2025-07",
    title="Kravspecifikation 2026 (anmodning fra 1. juli 2025)",
    fra=KRAV_2025_07,
    til=None,
    rules=REGLER_2025,
)
KRAVSPEC_2025_01 = RuleSet(
    key="2019-07",
    title="Kravspecifikation med virkning fra 1. januar 2025 (anmodning 1. juli 2019 - "
    "30. juni 2025)",
    fra=SANERINGSDATO_2019,
    til=KRAV_2025_07,
    rules=FAELLES_REGLER,
)
USANEREDE_SKEMAER = RuleSet(
    key="foer-2019",
    title="Gamle, ikke-sanerede skemaer (anmodning før 1. juli 2019)",
    fra=SMDB_FOERSTE_DATO,
    til=SANERINGSDATO_2019,
    rules=FAELLES_REGLER,
)

#: Newest first. A new period is one more RuleSet here (and its boundary date).
RULE_SETS: tuple[RuleSet, ...] = (KRAVSPEC_2026, KRAVSPEC_2025_01, USANEREDE_SKEMAER)


def rule_set_for(anmodningsdato: date | None) -> RuleSet:
    """The rule set for a forløb; without an anmodningsdato (a draft) the current one,
    since a new anmodning is registered under today's rules.

    A date before every period (``SMDB_FOERSTE_DATO``) gets the oldest set, whose
    R-GEN-3 rule refuses that date; a date after today is refused by R-GEN-1 in
    every set. So no date is ever accepted just because a looser period is chosen."""
    if anmodningsdato is None:
        return RULE_SETS[0]
    for rule_set in RULE_SETS:
        if rule_set.applies_to(anmodningsdato):
            return rule_set
    return RULE_SETS[-1]


def start_date_change_error(old_date: date, new_date: date) -> str | None:  # R-GEN-4
    """Refuse changing a start date (the anmodningsdato, which steers datostyring)
    across a boundary between rule sets; such a case is deleted (Slet...) and
    created again.

    The spec (1.2.2) says "på tværs af saneringsdatoer", plural; rules.md gives
    2019-07-01 as an example. We treat every boundary in ``RULE_SETS`` as one,
    2025-07-01 included: moving across it changes which questions the forløb must
    answer exactly as moving across 2019-07-01 does, which is the reason for the rule.
    """
    if rule_set_for(old_date) is rule_set_for(new_date):
        return None
    if min(old_date, new_date) < SMDB_FOERSTE_DATO:
        # No period covers it: R-GEN-3 refuses the new date, or the correction of
        # an old one typed wrong is welcome.
        return None
    lo, hi = sorted((old_date, new_date))
    graense = min(rs.fra for rs in RULE_SETS if rs.fra is not None and lo < rs.fra <= hi)
    return (
        f"Startdatoen kan ikke ændres fra {dansk_dato(old_date)} til {dansk_dato(new_date)}, "
        f"fordi ændringen krydser saneringsdatoen {dansk_dato(graense)}, hvor andre "
        "indberetningsregler gælder. Slet forløbet (bagfra) og opret det igen med den nye "
        "dato."
    )
