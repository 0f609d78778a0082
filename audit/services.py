from audit.models import AuditEntry, Handling


def audit_record(
    *, user, handling: Handling, forloeb=None, beskrivelse: str = "", beroert_bruger=None
) -> AuditEntry:
    """Record one access to or change of a citizen's case.

    Call it inside the same transaction as the change it records.
    """
    return AuditEntry.objects.create(
        bruger=user,
        myndighed_id=user.myndighed_id,
        forloeb_id=getattr(forloeb, "pk", None),
        handling=handling,
        beskrivelse=beskrivelse[:200],
        beroert_bruger=beroert_bruger,
    )
