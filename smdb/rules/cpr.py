"""CPR numbers (R-GEN-6): format, a real birth date, the 7th digit for the century.

SMDB itself asks the CPR register; offline we can check what the number itself
says, with python-stdnum's ``stdnum.dk.cpr`` (no modulus-11 check: CPR numbers
without it have been issued since 2007).

``normaliser_cpr`` is the one place a typed, imported or received CPR number becomes
the 10 ASCII digits we store, search by and send; every edge (forms, Find borger,
the services, ``smdb_validate``'s import, the SOAP client and the simulator) calls it.
"""

from __future__ import annotations

import unicodedata
from datetime import date

from stdnum.dk import cpr as stdnum_cpr
from stdnum.exceptions import ValidationError

from smdb.rules.dato import today_dk

MANGLER = "Angiv borgerens CPR-nummer."
TI_CIFRE = "CPR-nummeret skal bestå af 10 cifre, fx 010190-1234."
#: Minus-like characters outside Unicode's dash category (Pd): MINUS SIGN, MODIFIER
#: LETTER MINUS SIGN, SUPERSCRIPT/SUBSCRIPT MINUS, HEAVY MINUS SIGN.
_MINUS = frozenset("\u2212\u02d7\u207b\u208b\u2796")


def _skilletegn(ch: str) -> bool:
    """A character a caseworker may type or paste between the digits: whitespace,
    any dash or minus, and invisible format characters (soft hyphen, bidi marks,
    zero-width space) that come along when a number is copied from a document."""
    return ch.isspace() or ch in _MINUS or unicodedata.category(ch) in ("Pd", "Cf")


def normaliser_cpr(cpr: str | None) -> str:  # R-GEN-6
    """A CPR number as typed -> its 10 ASCII digits; ValueError (Danish) otherwise.

    Any decimal digit (fullwidth, mathematical, Arabic-Indic ...: Unicode category
    Nd) counts as its ASCII digit; dashes, spaces and invisible marks are dropped;
    anything else (letters, NUL, superscripts, other punctuation) is refused, so that
    ``"080881–1607"`` is the same citizen as ``"0808811607"`` (R-ANM-1, Find borger).
    """
    if cpr is None or not isinstance(cpr, str) or cpr.strip() == "":
        raise ValueError(MANGLER)
    digits = []
    for ch in cpr:
        if _skilletegn(ch):
            continue
        if unicodedata.category(ch) != "Nd":
            raise ValueError(TI_CIFRE)
        digits.append(str(unicodedata.decimal(ch)))
    if len(digits) != 10:
        raise ValueError(TI_CIFRE)
    return "".join(digits)


def normaliser_cpr_hvis_muligt(cpr: str | None) -> str | None:
    """``normaliser_cpr``'s 10 digits, or ``cpr`` unchanged when it cannot be read:
    for edges that pass a number on to a check that reports it (R-GEN-6, the XSD)."""
    try:
        return normaliser_cpr(cpr)
    except ValueError:
        return cpr


def maskeret(cpr: str | None) -> str:
    """For lists of many citizens: the birth date only (``010190-xxxx``)."""
    return f"{cpr[:6]}-xxxx" if cpr else "–"


def laes_cpr(cpr: str, *, today: date) -> tuple[str | None, date | None]:  # R-GEN-6
    """(error message or None, birth date or None); the checks are ``birth_date``'s."""
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
    number = normaliser_cpr(cpr)
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
