"""Which SMDB client a myndighed's calls use: its active environment's endpoint
and authentication strategy (certificates.auth). Without an active environment,
the default client (settings.SMDB_ENDPOINT, no authentication: the simulator).

The outbox asks for clients per forløb (``klienter_for``): two queries for a
whole batch. Strategy objects are kept per process and configuration, so the
zeep proxies (cached by smdb.client per wsse object) and the STS token are
reused between tasks, and a new certificate, endpoint or auth gives new ones.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from certificates.auth import Ingen, NemLoginSts, X509Signatur
from certificates.models import AuthMetode, Miljoe
from smdb.client import SmdbKlient

_strategies: dict[tuple, object] = {}
_lock = threading.Lock()


def _noegle(miljoe: Miljoe) -> tuple:
    c = miljoe.certifikat
    return (
        miljoe.pk,
        miljoe.auth,
        miljoe.endpoint,
        miljoe.sts_url,
        c.pk if c else None,
        c.sha256 if c else None,
        c.spaerret if c else None,
    )


def strategi(miljoe: Miljoe):
    """The zeep wsse object for the environment, or None for no authentication."""
    if miljoe.auth == AuthMetode.INGEN:
        return None
    key = _noegle(miljoe)
    with _lock:
        found = _strategies.get(key)
        if found is None:
            if miljoe.certifikat is None:
                found = Ingen(
                    f"Miljøet {miljoe} bruger {miljoe.get_auth_display()}, men har intet "
                    "certifikat i brug: upload og aktivér et."
                )
            elif miljoe.auth == AuthMetode.STS:
                found = NemLoginSts(
                    miljoe.certifikat, sts_url=miljoe.sts_url, applies_to=miljoe.endpoint
                )
            else:
                found = X509Signatur(miljoe.certifikat)
            _strategies[key] = found
        return found


def klient_for_miljoe(
    miljoe: Miljoe | None, *, myndighed_id: int | None = None, **kwargs
) -> SmdbKlient:
    if miljoe is None:
        klient = SmdbKlient(**kwargs)
        klient.journal_info = {"myndighed_id": myndighed_id, "miljoe": ""}
    else:
        klient = SmdbKlient(endpoint=miljoe.endpoint, wsse=strategi(miljoe), **kwargs)
        klient.journal_info = {"myndighed_id": miljoe.myndighed_id, "miljoe": miljoe.navn}
    return klient


def aktivt(myndighed_id: int | None) -> Miljoe | None:
    if not myndighed_id:
        return None
    return (
        Miljoe.objects.filter(myndighed_id=myndighed_id, aktiv=True)
        .select_related("certifikat")
        .first()
    )


def klient_for(myndighed_id: int | None, **kwargs) -> SmdbKlient:
    return klient_for_miljoe(aktivt(myndighed_id), myndighed_id=myndighed_id, **kwargs)


def klienter_for(forloeb_refs: Iterable[int]) -> dict[int, SmdbKlient]:
    """A client per forløb id, by its myndighed's active environment."""
    from cases.models import Kontaktforloeb
    from smdb.models import SyncOperation

    refs = set(forloeb_refs)
    myndighed_of = dict(
        Kontaktforloeb.objects.filter(pk__in=refs).values_list("pk", "myndighed_id")
    )
    missing = refs - myndighed_of.keys()
    if missing:
        # A forløb deleted bagfra: its operations outlive it, and the Anmodning's
        # operations carry the kommunekode (smdb.outbox.snapshot).
        from accounts.models import Myndighed

        kode_of = {
            ref: kode
            for ref, kode in SyncOperation.objects.filter(
                forloeb_ref__in=missing, payload__has_key="kommune_kode"
            ).values_list("forloeb_ref", "payload__kommune_kode")
        }
        pk_of = dict(
            Myndighed.objects.filter(kommune_kode__in=set(kode_of.values())).values_list(
                "kommune_kode", "pk"
            )
        )
        myndighed_of |= {ref: pk_of.get(kode) for ref, kode in kode_of.items()}
    miljoeer = {
        m.myndighed_id: m
        for m in Miljoe.objects.filter(
            myndighed_id__in={m for m in myndighed_of.values() if m}, aktiv=True
        ).select_related("certifikat")
    }
    per_myndighed: dict[int | None, SmdbKlient] = {}
    klienter: dict[int, SmdbKlient] = {}
    for ref in refs:
        myndighed_id = myndighed_of.get(ref)
        if myndighed_id not in per_myndighed:
            per_myndighed[myndighed_id] = klient_for_miljoe(
                miljoeer.get(myndighed_id), myndighed_id=myndighed_id
            )
        klienter[ref] = per_myndighed[myndighed_id]
    return klienter
