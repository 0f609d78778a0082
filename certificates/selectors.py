"""Reads on certificates and environments, always narrowed to one myndighed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone

from certificates.models import AuthMetode, Besked, Certifikat, Miljoe, MiljoeNavn

#: Expiry warnings on the administrator's front page and by e-mail (issue 13).
ADVARSEL_DAGE = (60, 30, 14, 7)


@dataclass(frozen=True)
class AktivtMiljoe:
    """What the header shows: which SMDB environment the myndighed's calls go to."""

    navn: str
    label: str
    endpoint: str
    auth: str
    miljoe: Miljoe | None = None

    @property
    def css(self) -> str:
        return f"miljoe-{self.navn}"


def standard_miljoe() -> AktivtMiljoe:
    """No environment configured: settings.SMDB_ENDPOINT without authentication."""
    return AktivtMiljoe(
        navn=MiljoeNavn.TEST,
        label=MiljoeNavn.TEST.label,
        endpoint=settings.SMDB_ENDPOINT,
        auth=AuthMetode.INGEN,
    )


def aktivt_miljoe(*, myndighed_id: int | None) -> AktivtMiljoe:
    miljoe = (
        Miljoe.objects.filter(myndighed_id=myndighed_id, aktiv=True)
        .select_related("certifikat")
        .first()
        if myndighed_id
        else None
    )
    if miljoe is None:
        return standard_miljoe()
    return AktivtMiljoe(
        navn=miljoe.navn,
        label=miljoe.get_navn_display(),
        endpoint=miljoe.endpoint,
        auth=miljoe.auth,
        miljoe=miljoe,
    )


def aktivt_miljoe_i_sidehoved(*, myndighed_id: int | None) -> AktivtMiljoe:
    """``aktivt_miljoe`` for the page header, on every page: its name and endpoint
    only (no certificate, no key material loaded)."""
    fundet = (
        Miljoe.objects.filter(myndighed_id=myndighed_id, aktiv=True)
        .values("navn", "endpoint", "auth")
        .first()
        if myndighed_id
        else None
    )
    if fundet is None:
        return standard_miljoe()
    return AktivtMiljoe(label=MiljoeNavn(fundet["navn"]).label, **fundet)


def certifikater(*, myndighed_id: int | None):
    return Certifikat.objects.for_myndighed(myndighed_id).defer("noegle_krypteret")


def miljoeer(*, myndighed_id: int | None) -> list[Miljoe]:
    """All three environments of the myndighed, configured or not (unsaved rows)."""
    found = {
        m.navn: m
        for m in Miljoe.objects.filter(myndighed_id=myndighed_id).select_related("certifikat")
    }
    return [found.get(navn) or Miljoe(myndighed_id=myndighed_id, navn=navn) for navn in MiljoeNavn]


def i_brug():
    """Certificates some environment uses (a replaced one kept for rotation is not)."""
    return Certifikat.objects.filter(
        Exists(Miljoe.objects.filter(certifikat=OuterRef("pk"))), spaerret__isnull=True
    )


def udloeber_snart(*, myndighed_id: int | None, now=None) -> list[Certifikat]:
    """Certificates in use by the myndighed that expire within the first threshold."""
    now = now or timezone.now()
    return list(
        i_brug()
        .for_myndighed(myndighed_id)
        .defer("noegle_krypteret")
        .filter(gyldig_til__lte=now + timedelta(days=ADVARSEL_DAGE[0]))
        .order_by("gyldig_til")
    )


def advarsel_taerskel(cert: Certifikat, now=None) -> int | None:
    """The smallest of 60/30/14/7 days the certificate is within, None if none."""
    dage = cert.dage_tilbage(now)
    return min((t for t in ADVARSEL_DAGE if dage < t), default=None)


def journal(
    *,
    myndighed_id: int | None,
    forloeb_ref: int | None = None,
    handling: str = "",
    udfald: str = "",
    miljoe: str = "",
):
    """The message journal of one myndighed, newest first, filtered."""
    qs = Besked.objects.filter(myndighed_id=myndighed_id) if myndighed_id else Besked.objects.none()
    if forloeb_ref is not None:
        qs = qs.filter(forloeb_ref=forloeb_ref)
    if handling:
        qs = qs.filter(handling__icontains=handling)
    if udfald:
        qs = qs.filter(udfald=udfald)
    if miljoe:
        qs = qs.filter(miljoe=miljoe)
    return qs.select_related("bruger").defer("request", "response")
