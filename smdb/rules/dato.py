"""Today in Denmark, and dates as a caseworker reads them."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

DK = ZoneInfo("Europe/Copenhagen")


def today_dk() -> date:
    """Today's date in Europe/Copenhagen: the one "today" of the product (tests move
    it with time-machine or pass ``today=`` explicitly)."""
    return datetime.now(DK).date()


def dansk_dato(d: date) -> str:
    return d.strftime("%d.%m.%Y")
