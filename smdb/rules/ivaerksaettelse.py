"""Iværksæt behandling (spec 6.1.3), and the two computed fields 32-IVÆR and 23-IVÆR.

The conditional questions (R-IVAER-4, -6, -7, -8, -10, -12, -13, -15, -17, -19)
and the required ones (R-IVAER-14, -16, -17, -18) are in ``smdb.rules.visibility``;
this module has the rules that relate answers to each other and to the forløb.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date
from typing import Any

from smdb.fields import ALL_FIELDS
from smdb.rules import variabler as v
from smdb.rules.cpr import age_at, laes_cpr
from smdb.rules.dato import Hindring, beregning_hindret, dansk_dato
from smdb.rules.forloeb import Forloeb, Violation, dato
from smdb.rules.kontekst import Kontekst
from smdb.rules.visibility import dage_fra_anmodning

# R-IVAER-4, R-IVAER-5 -- who computes 32-IVÆR (a) and 23-IVÆR. **Reading** (issue 10):
# the spec's field table (3.1) marks both "Integer (read only)", "Automatisk udregnet
# fra BehandlingAnmodningDato og IvaerksatBehandlingDato" and "... fra CPR og
# IvaerksatBehandlingDato". A read-only, automatically computed field is not an
# answer: SMDB derives it from the dates and the CPR it holds, on every write to the
# forløb. So
# - SMDB recomputes them when it stores an Iværksættelse, and when an edit of the
#   Anmodning moves the anmodningsdato (the stored Iværksættelse's day count
#   follows); a value a client sends for them is replaced, never a reason to reject;
# - an edit that changes their inputs travels as one write: the anmodning (2-ANM) or
#   the iværksættelse (1-IVÆR) alone. The app computes the same values for its own
#   forms and rows (``computed_values``) and sends them, but sends no extra
#   Iværksættelse edit for them.
# The CPR number (23-IVÆR's other input) cannot be changed on a stored anmodning
# (SMDB: "slet forløbet og opret det igen"), so no edit moves the age on its own.
# Answers that depend on the day count (4-IVÆR only when > 14 days, R-IVAER-4) are
# answers, not computed: an edit that crosses 14 days changes the iværksættelse's
# answer too, which no single write can do while the rest of the forløb stays valid.
# Down across 14 days the answer is cleared and the iværksættelse sent again
# (``cases.services.anmodning_update``); up across it the reason must be given: the
# Ret anmodning page asks 4-IVÆR (``ivaerksaettelse_svar_der_mangler``), and the
# answer travels with the edit the same way (the iværksættelse deleted bagfra and
# inserted again with it); without it the edit is refused with R-IVAER-4's message
# (README, "Dependent edits").


def computed_values(forloeb: Forloeb) -> dict[str, Any]:
    """32-IVÆR (days from anmodning to iværksættelse) and 23-IVÆR (age at
    iværksættelse, from the CPR birth date); a key is left out while it cannot be
    computed (a date or a valid CPR number missing)."""
    ivaer = forloeb.ivaerksaettelse or {}
    dage = dage_fra_anmodning(ivaer, forloeb.anmodningsdato)
    if dage is None:
        return {}
    out: dict[str, Any] = {v.DAGE_SIDEN_ANMODNING: dage}
    cpr = forloeb.cpr
    if cpr:
        try:
            out[v.ALDER] = age_at(cpr, ivaer[v.IVAER_DATO])
        except ValueError:
            pass
    return out


def beregninger_hindret(forloeb: Forloeb, *, today: date) -> dict[str, Hindring]:
    """Per computed IVÆR value a page shows (32-IVÆR, 23-IVÆR), why it cannot be
    shown as a number (``beregning_hindret``): a refused date (R-GEN-1, R-GEN-3,
    R-GEN-6) or an iværksættelse before the anmodning (R-IVAER-3). ``computed_values``
    still computes them (the rules read them); this only says a page must not show
    "-13462 dage" (issue 23). A value whose dates are missing is left out."""
    ivaerksat = dato(forloeb.ivaerksaettelse or {}, v.IVAER_DATO)
    born = laes_cpr(forloeb.cpr, today=today)[1] if forloeb.cpr else None
    out: dict[str, Hindring] = {}
    dage = beregning_hindret(forloeb.anmodningsdato, ivaerksat, today=today, foedselsdato=born)
    if dage is not None and dage is not Hindring.DATO_MANGLER:
        out[v.DAGE_SIDEN_ANMODNING] = dage
    # The age needs only the iværksættelse's own date (and the birth date).
    alder = beregning_hindret(ivaerksat, ivaerksat, today=today, foedselsdato=born)
    if alder is not None and alder is not Hindring.DATO_MANGLER:
        out[v.ALDER] = alder
    return out


def with_computed_values(forloeb: Forloeb) -> Forloeb:
    """The forløb as SMDB stores it: the Iværksættelse's 32-IVÆR and 23-IVÆR
    computed from the forløb's dates and CPR, whatever a client sent for them
    (R-IVAER-4, R-IVAER-5: read only, see the reading above)."""
    if forloeb.ivaerksaettelse is None:
        return forloeb
    ivaer = dict(forloeb.ivaerksaettelse)
    for variable in (v.DAGE_SIDEN_ANMODNING, v.ALDER):
        ivaer.pop(variable, None)
    ivaer.update(computed_values(forloeb))
    return dataclasses.replace(forloeb, ivaerksaettelse=ivaer)


def en_ivaerksaettelse_pr_anmodning(forloeb: Forloeb) -> Violation | None:  # R-IVAER-1
    """Inserting an Iværksættelse where the anmodning already has one. A ``Forloeb``
    holds at most one by construction; the second can only arrive as an insert (the
    simulator's IndsaetIvaerksaettelse, a sync replaying), see ``validate_insert``."""
    if forloeb.ivaerksaettelse is None:
        return None
    d = forloeb.anmodningsdato
    fra = f" fra {dansk_dato(d)}" if d else ""
    return Violation(
        rule="R-IVAER-1",
        felt_id="1-IVÆR",
        message=f"Anmodningen{fra} er allerede iværksat. Der må kun være én iværksættelse "
        "pr. anmodning: ret den eksisterende iværksættelse i stedet.",
        schema="ivaerksaettelse",
        variable=v.IVAER_DATO,
    )


def ivaerksaettelse_hoerer_til_en_anmodning(k: Kontekst) -> Iterator[Violation]:  # R-IVAER-2
    if k.ivaer is not None and k.anm is None:
        yield k.violation(
            "R-IVAER-2",
            k.ivaer,
            v.IVAER_DATO,
            "Iværksættelsen skal høre til en anmodning. Registrér anmodningen først.",
        )


def ivaerksaettelse_ikke_foer_anmodning(k: Kontekst) -> Iterator[Violation]:  # R-IVAER-3
    if k.dage is not None and k.dage < 0:
        yield k.violation(
            "R-IVAER-3",
            k.ivaer,
            v.IVAER_DATO,
            f"Datoen for iværksættelse må ikke ligge før anmodningsdatoen "
            f"({dansk_dato(k.anm_dato)}).",
        )


def beregnede_felter_stemmer(k: Kontekst) -> Iterator[Violation]:  # R-IVAER-4, R-IVAER-5
    """32-IVÆR and 23-IVÆR are computed by the system; when given they must be right.
    Missing is fine (the system fills them). SMDB (and the simulator) validate
    ``with_computed_values(forloeb)``, so there this never fires; it guards the
    app's own rows and forms. Reported under the rule that uses the
    value: the day count decides the 14-day guarantee (R-IVAER-4), the age the
    choices Frit valg / Samtykkeerklæring (R-IVAER-5)."""
    if k.ivaer is None:
        return
    dage = k.ivaer.get(v.DAGE_SIDEN_ANMODNING)
    if dage is not None and k.dage is not None and dage != k.dage:
        yield k.violation(
            "R-IVAER-4",
            k.ivaer,
            v.DAGE_SIDEN_ANMODNING,
            f"Antal dage fra anmodning til iværksættelse skal være {k.dage} "
            "(beregnes ud fra datoerne).",
        )
    alder = k.ivaer.get(v.ALDER)
    if alder is not None and k.alder is not None and alder != k.alder:
        yield k.violation(
            "R-IVAER-5",
            k.ivaer,
            v.ALDER,
            f"Borgerens alder ved iværksættelse skal være {k.alder} "
            "(beregnes ud fra CPR-nummeret).",
        )


def garantiaarsager_ikke_for_alder(alder: int) -> dict[str, str]:  # R-IVAER-5
    """The 4-IVÆR codes that cannot be chosen for a citizen of ``alder`` at
    iværksættelse, with why: the form disables them, the rule below refuses them."""
    if alder < 18:
        return {"05": f"kun for borgere på 18 år og derover; borgeren er {alder} år"}
    return {"06": f"kun for borgere under 18 år; borgeren er {alder} år"}


def garantiaarsag_passer_til_alder(k: Kontekst) -> Iterator[Violation]:  # R-IVAER-5
    if k.ivaer is None or k.alder is None:
        return
    kode = k.ivaer.get(v.GARANTI_AARSAG)
    if kode not in garantiaarsager_ikke_for_alder(k.alder):
        return
    if kode == "05":
        yield k.violation(
            "R-IVAER-5",
            k.ivaer,
            v.GARANTI_AARSAG,
            f"'Frit valg' kan kun vælges for borgere på 18 år og derover (borgeren var "
            f"{k.alder} år ved iværksættelsen).",
        )
    else:
        yield k.violation(
            "R-IVAER-5",
            k.ivaer,
            v.GARANTI_AARSAG,
            f"'Manglende samtykkeerklæring' kan kun vælges for borgere under 18 år "
            f"(borgeren var {k.alder} år ved iværksættelsen).",
        )


def hovedstof_foerste_brug_ikke_efter_alder(k: Kontekst) -> Iterator[Violation]:  # R-IVAER-9
    if k.ivaer is None or k.alder is None:
        return
    foerste = k.ivaer.get(v.HOVEDSTOF_ALDER)
    if foerste is not None and foerste > k.alder:
        yield k.violation(
            "R-IVAER-9",
            k.ivaer,
            v.HOVEDSTOF_ALDER,
            f"Alderen ved første brug ({foerste} år) må ikke være højere end borgerens "
            f"alder ved iværksættelsen ({k.alder} år).",
        )


#: Hovedstof -> routes that cannot be chosen for it (spec 6.1.3 c).
UMULIGE_INDTAGELSESMAADER = {
    "15": frozenset({"01", "02", "03"}),  # Opløsningsmidler
    "13": frozenset({"01", "04"}),  # Hash/cannabis
    "12": frozenset({"04"}),  # Ecstasy
}


def indtagelsesmaade_passer_til_hovedstof(k: Kontekst) -> Iterator[Violation]:  # R-IVAER-11
    if k.ivaer is None:
        return
    stof = k.ivaer.get(v.HOVEDSTOF)
    maade = k.ivaer.get(v.HOVEDSTOF_INDTAGELSESMAADE)
    if maade is not None and maade in UMULIGE_INDTAGELSESMAADER.get(stof, ()):
        stof_navn = ALL_FIELDS[v.HOVEDSTOF].code_label(stof)
        maade_navn = ALL_FIELDS[v.HOVEDSTOF_INDTAGELSESMAADE].code_label(maade)
        yield k.violation(
            "R-IVAER-11",
            k.ivaer,
            v.HOVEDSTOF_INDTAGELSESMAADE,
            f"Indtagelsesmåden '{maade_navn}' kan ikke vælges for hovedstoffet '{stof_navn}'.",
        )


def stoffer_seneste_maaned_har_mindst_en_dag(k: Kontekst) -> Iterator[Violation]:  # R-IVAER-12
    """Interpretation (rules.md): when the citizen has taken non-prescribed drugs
    the last month (46 = ja), at least one 18-IVÆR count is above 0. The 17 counts
    are one question: an empty count means 0 days, so a form need not demand 17
    answers (each count must still be empty when 46 = nej)."""
    if k.ivaer is None or k.ivaer.get(v.STOFFER_SENESTE_MAANED) is not True:
        return
    values = k.ivaer.values
    if not any((values.get(d) or 0) > 0 for d in v.DAGE):
        yield k.violation(
            "R-IVAER-12",
            k.ivaer,
            None,
            "Angiv antal dage for mindst ét stof, når borgeren har taget ikke-ordinerede "
            "stoffer den seneste måned.",
            felt_id="18-IVÆR",
        )


def substitution_foerste_alder_ikke_efter_alder(k: Kontekst) -> Iterator[Violation]:  # R-IVAER-17
    """Interpretation (rules.md): the age at first substitution treatment cannot be
    above the age at iværksættelse."""
    if k.ivaer is None or k.alder is None:
        return
    foerste = k.ivaer.get(v.SUBSTITUTION_ALDER)
    if foerste is not None and foerste > k.alder:
        yield k.violation(
            "R-IVAER-17",
            k.ivaer,
            v.SUBSTITUTION_ALDER,
            f"Alderen ved første substitutionsbehandling ({foerste} år) må ikke være højere "
            f"end borgerens alder ved iværksættelsen ({k.alder} år).",
        )


def uoplyst_henvisning_staar_alene(k: Kontekst) -> Iterator[Violation]:  # R-IVAER-18
    """At least one code (missing: see visibility.REQUIRED_RULE); 99 Uoplyst alone."""
    if k.ivaer is None:
        return
    koder = k.ivaer.get(v.HENVISNING)
    if koder and "99" in koder and len(set(koder)) > 1:
        yield k.violation(
            "R-IVAER-18",
            k.ivaer,
            v.HENVISNING,
            "'Uoplyst' kan ikke kombineres med andre svar.",
        )


def laegesamtale_ikke_foer_anmodning(k: Kontekst) -> Iterator[Violation]:  # R-IVAER-20
    """The upper bound (<= today) is R-GEN-1, reported once under that rule."""
    if k.ivaer is None or k.anm_dato is None:
        return
    holdt = k.ivaer.get(v.LAEGESAMTALE_DATO)
    if holdt is not None and holdt < k.anm_dato:
        yield k.violation(
            "R-IVAER-20",
            k.ivaer,
            v.LAEGESAMTALE_DATO,
            f"Datoen for lægesamtalen må ikke ligge før anmodningsdatoen "
            f"({dansk_dato(k.anm_dato)}).",
        )
