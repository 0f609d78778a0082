from __future__ import annotations

from audit.models import AuditEntry


def adgangslog(*, myndighed_id: int, cpr_noegle: str = ""):
    """The myndighed's access log, newest first, with each row's user (one query a page)."""
    qs = AuditEntry.objects.filter(myndighed_id=myndighed_id).select_related("bruger")
    if cpr_noegle:
        qs = qs.filter(cpr_noegle=cpr_noegle)
    return qs
