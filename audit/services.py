import hashlib
import hmac
from collections.abc import Iterable

from django.conf import settings

from accounts.log_filters import mask_cpr
from audit.models import AuditEntry, Handling
from smdb.rules.cpr import normaliser_cpr_hvis_muligt


def cpr_noegle(cpr: str) -> str:
    """A keyed hash (HMAC-SHA256 under settings.AUDIT_CPR_KEY) of a CPR number:
    the access log finds a citizen's rows by it without holding the number."""
    cifre = normaliser_cpr_hvis_muligt(cpr)  # the one normaliser (issue 15)
    return hmac.new(settings.AUDIT_CPR_KEY.encode(), cifre.encode(), hashlib.sha256).hexdigest()


def audit_record(
    *,
    user,
    handling: Handling,
    forloeb=None,
    beskrivelse: str = "",
    cpr: str | None = None,
    sti: str = "",
    beroert_bruger=None,
) -> AuditEntry:
    """Record one access to or change of a citizen's case (or a refused try).

    Call it inside the same transaction as the change it records. ``cpr`` (or the
    forløb's) is kept only as its keyed hash; ``sti`` is stored CPR-masked.
    """
    if cpr is None and forloeb is not None:
        cpr = getattr(forloeb, "person_identifikator", None)
    return AuditEntry.objects.create(
        bruger=user,
        myndighed_id=user.myndighed_id,
        forloeb_id=getattr(forloeb, "pk", None),
        handling=handling,
        beskrivelse=mask_cpr(beskrivelse)[:200],
        cpr_noegle=cpr_noegle(cpr) if cpr else "",
        sti=mask_cpr(sti)[:300],
        beroert_bruger=beroert_bruger,
    )


def audit_record_many(
    *, user, handling: Handling, borgere: Iterable[tuple[int | None, str | None]], beskrivelse=""
) -> int:
    """One access-log row per citizen, in one query: a download or a report run that
    names many citizens is logged for each of them. ``borgere`` holds (forløb id, CPR)
    pairs; the CPR is kept as its keyed hash, so "who viewed this citizen" finds the
    download that named it (issue 21). ``(None, None)`` is a row about no citizen."""
    rows = [
        AuditEntry(
            bruger=user,
            myndighed_id=user.myndighed_id,
            forloeb_id=pk,
            handling=handling,
            beskrivelse=mask_cpr(beskrivelse)[:200],
            cpr_noegle=cpr_noegle(cpr) if cpr else "",
        )
        for pk, cpr in borgere
    ]
    AuditEntry.objects.bulk_create(rows, batch_size=5000)
    return len(rows)
