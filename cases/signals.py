"""Signals the cases app sends for others to keep their derived data true."""

from __future__ import annotations

from django.dispatch import Signal

#: Schema rows of these forløb were changed by ``QuerySet.update`` (which sends no
#: post_save), e.g. the outbox setting ``sync_status``. Send it with ``forloeb_ids``.
skemaer_opdateret = Signal()


def meld_opdatering(*forloeb_ids: int | None) -> None:
    skemaer_opdateret.send(sender=None, forloeb_ids=[pk for pk in forloeb_ids if pk is not None])


#: A service write (``cases.skrivning``) succeeded; sent inside its transaction with
#: ``skrivning``: the forløb it loaded and the rows it created or deleted.
skrivning_afsluttet = Signal()
