"""CPR numbers (R-GEN-6): format, a real birth date, the 7th digit for the century.

SMDB itself asks the CPR register; offline we can check what the number itself
says, with python-stdnum's ``stdnum.dk.cpr`` (no modulus-11 check: CPR numbers
without it have been issued since 2007).
"""

from __future__ import annotations

from datetime import date

from stdnum.dk import cpr as stdnum_cpr
from stdnum.exceptions import ValidationError
from stdnum.util import isdigits

from smdb.rules.dato import today_dk


def compact(cpr: str) -> str:
    """``"010190-1234"`` -> ``"0101901234"`` (spaces and the hyphen dropped)."""
    return stdnum_cpr.compact(cpr)


def laes_cpr(cpr: str, *, today: date) -> tuple[str | None, date | None]:  # R-GEN-6
    """(error message or None, birth date or None); the checks are ``birth_date``'s."""
    if not compact(cpr or ""):
        return "Angiv borgerens CPR-nummer.", None
    try:
        born = birth_date(cpr)
    except ValueError as exc:
        return str(exc), None
    if born > today:
        return "Fødselsdatoen i CPR-nummeret ligger i fremtiden.", None
    return None, born


def cpr_error(cpr: str, *, today: date | None = None) -> str | None:  # R-GEN-6
    """A Danish message saying what is wrong with ``cpr``, or None when it is valid."""
    return laes_cpr(cpr, today=today or today_dk())[0]


def birth_date(cpr: str) -> date:
    """The birth date in ``cpr`` (century from the 7th digit); ValueError if none."""
    number = compact(cpr or "")
    if not isdigits(number) or len(number) != 10:
        raise ValueError("CPR-nummeret skal bestå af 10 cifre, fx 010190-1234.")
    try:
        return stdnum_cpr.get_birth_date(number)
    except ValidationError as exc:
        raise ValueError("CPR-nummeret indeholder ikke en gyldig fødselsdato.") from exc


def alder(born: date, d: date) -> int:
    """Age in whole years on ``d`` (a 29 February birthday counts from 1 March)."""
    return d.year - born.year - ((d.month, d.day) < (born.month, born.day))


def age_at(cpr: str, d: date) -> int:
    """The citizen's age in whole years on ``d`` (23-IVÆR)."""
    return alder(birth_date(cpr), d)
