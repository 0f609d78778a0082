from audit.models import AuditEntry, Handling


def audit_record(*, user, handling: Handling, forloeb=None, beskrivelse: str = "") -> AuditEntry:
    """Record one access to or change of a citizen's case.

    Call it inside the same transaction as the change it records.
    """
    return AuditEntry.objects.create(
        bruger=user,
        myndighed_id=user.myndighed_id,
        forloeb_id=getattr(forloeb, "pk", None),
        handling=handling,
        beskrivelse=beskrivelse[:200],
    )


def audit_record_many(*, user, handling: Handling, forloeb_ids, beskrivelse: str = "") -> int:
    """One access-log row per forløb, in one query: a download or a report run that
    names many citizens is logged for each of them."""
    rows = [
        AuditEntry(
            bruger=user,
            myndighed_id=user.myndighed_id,
            forloeb_id=pk,
            handling=handling,
            beskrivelse=beskrivelse[:200],
        )
        for pk in forloeb_ids
    ]
    AuditEntry.objects.bulk_create(rows, batch_size=5000)
    return len(rows)
