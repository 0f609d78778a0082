"""Today in Denmark, and dates as a caseworker reads them."""

from __future__ import annotations

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
