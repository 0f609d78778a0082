"""A service write as one unit (``@skrivning`` instead of ``@transaction.atomic``).

It notes which forløb the write loaded (with the citizen's other forløb) and which
schema rows it created, changed or deleted. When the write succeeds, still inside
its transaction, ``cases.signals.skrivning_afsluttet`` hands the unit to code that
keeps data derived from the forløb (the reports' read model, ``reporting``), which
can then update it once from the objects in memory instead of reading every
schema again after each row: a caseworker's submit stays within its 10 queries
(issues 3-6).

Outside a unit (factories, the sync worker, imports) such code listens to Django's
own signals instead.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import transaction

from cases.signals import skrivning_afsluttet

_lokal = threading.local()


@dataclass
class Skrivning:
    forloeb: list = field(default_factory=list)  # loaded forløb, the citizen's others too
    nye_forloeb: set[int] = field(default_factory=set)  # created in this write
    nye: list = field(default_factory=list)  # schema rows created
    slettede: set[tuple[type, int]] = field(default_factory=set)  # (model, pk)
    andre_ids: set[int] = field(default_factory=set)  # forløb changed by other means
    aendret: bool = False

    def laest(self, forloeb, andre=(), *, ny: bool = False) -> None:
        self.forloeb += [forloeb, *andre]
        if ny:
            self.nye_forloeb.add(forloeb.pk)

    def oprettet(self, row) -> None:
        self.nye.append(row)
        self.aendret = True

    def opdateret(self, row=None) -> None:
        self.aendret = True

    def slettet(self, row) -> None:
        """Call before ``row.delete()`` (Django clears the pk)."""
        self.slettede.add((type(row), row.pk))
        self.aendret = True


def aktiv() -> Skrivning | None:
    return getattr(_lokal, "skrivning", None)


@contextmanager
def enhed() -> Iterator[Skrivning]:
    """``transaction.atomic`` as one unit (see above). Code that writes many rows
    without loading their forløb (an import, the system change) gets its forløb's
    derived data updated once, at the end, instead of after every row."""
    with transaction.atomic():
        ydre = aktiv()
        if ydre is not None:  # inside another unit: part of it
            yield ydre
            return
        _lokal.skrivning = denne = Skrivning()
        try:
            yield denne
        finally:
            _lokal.skrivning = None
        if denne.aendret or denne.andre_ids:
            skrivning_afsluttet.send(sender=None, skrivning=denne)


def skrivning(func):
    """A write service as one unit: ``enhed()`` around it."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with enhed():
            return func(*args, **kwargs)

    return wrapper
