"""Beat jobs of the certificates app."""

from celery import shared_task

from certificates import services


@shared_task(ignore_result=True)
def advar_om_udloeb() -> int:
    """Expiry warnings by e-mail at 60/30/14/7 days (certificates.services)."""
    return services.advar_om_udloeb()


@shared_task(ignore_result=True)
def ryd_journal() -> int:
    """Delete message-journal entries older than SMDB_JOURNAL_RETENTION_DAYS."""
    from certificates import journal

    return journal.ryd_op()
