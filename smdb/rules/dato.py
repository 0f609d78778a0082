"""Today in Denmark, and dates as a caseworker reads them."""

from __future__ import annotations

import enum
from datetime import date, datetime
from zoneinfo import ZoneInfo

DK = ZoneInfo("Europe/Copenhagen")

#: The first date SMDB covers (R-GEN-3). Interpretation: the oldest period, "the
#: old, unsanitised schemas" (spec 6.3), has no stated start. Its dates (anmodning,
#: iværksættelse, tilknytning, afslutning) are VBGS's, the waiting-time register
#: "fra 2008" (spec 1.1) that the guarantee statistics are computed from; no
#: kontaktforløb in SMDB can be older. A date before it is a typing error (0001-01-01,
#: 0885-04-29), and SMDB's XSD refuses years before 1000 as we write them.
SMDB_FOERSTE_DATO = date(2008, 1, 1)


def today_dk() -> date:
    """Today's date in Europe/Copenhagen: the one "today" of the product (tests move
    it with time-machine or pass ``today=`` explicitly)."""
    return datetime.now(DK).date()


def dansk_dato(d: date) -> str:
    # Not strftime: it writes the year 885 as "885" on Linux.
    return f"{d.day:02d}.{d.month:02d}.{d.year:04d}"


class Hindring(enum.Enum):
    """Why a day count between two dates cannot be shown; the value is the Danish
    phrase a page shows in place of the number (issue 23: "-13462 dage")."""

    DATO_MANGLER = "kan ikke beregnes: dato mangler"
    DATO_AFVIST = "kan ikke beregnes: datoen er afvist"  # R-GEN-1, R-GEN-3, R-GEN-6
    ANMODET_SENERE = "anmodet senere"  # R-IVAER-3

    @property
    def tekst(self) -> str:
        return self.value


def beregning_hindret(
    start: date | None,
    slut: date | None,
    *,
    today: date | None = None,
    foedselsdato: date | None = None,
) -> Hindring | None:
    """Why the days from ``start`` (the anmodningsdato) to ``slut`` (the iværksættelse,
    or the reference date) cannot be counted, or None when they can.

    A date the general rules refuse has no count: before ``SMDB_FOERSTE_DATO``
    (R-GEN-3), after ``today`` (R-GEN-1), before the citizen's birth date (R-GEN-6).
    Nor has an end before its start: an iværksættelse before the anmodning is
    refused by R-IVAER-3, and a reference date before the anmodning has not reached
    it; both read "anmodet senere". So no page ever shows a negative count."""
    if start is None or slut is None:
        return Hindring.DATO_MANGLER
    for d in (start, slut):
        if d < SMDB_FOERSTE_DATO:  # R-GEN-3
            return Hindring.DATO_AFVIST
        if today is not None and d > today:  # R-GEN-1
            return Hindring.DATO_AFVIST
        if foedselsdato is not None and d < foedselsdato:  # R-GEN-6
            return Hindring.DATO_AFVIST
    if slut < start:  # R-IVAER-3
        return Hindring.ANMODET_SENERE
    return None


def dage_mellem(
    start: date | None,
    slut: date | None,
    *,
    today: date | None = None,
    foedselsdato: date | None = None,
) -> int | None:
    """The days from ``start`` to ``slut``, never negative; None when
    ``beregning_hindret`` says why not."""
    if start is None or slut is None:
        return None
    if beregning_hindret(start, slut, today=today, foedselsdato=foedselsdato) is not None:
        return None
    return (slut - start).days


def dagetal_tekst(dage: int | None, hindring: Hindring | None = None) -> str:
    """A day count as a page writes it ("1 dag", "12 dage"), or the reason there is none."""
    if hindring is not None:
        return hindring.tekst
    if dage is None:
        return Hindring.DATO_MANGLER.tekst
    if dage < 0:  # a stored count from before these checks (R-IVAER-3)
        return Hindring.ANMODET_SENERE.tekst
    return f"{dage} {'dag' if dage == 1 else 'dage'}"
