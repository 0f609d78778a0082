"""Beat jobs of the certificates app."""

from celery import shared_task

from certificates import services


@shared_task(ignore_result=True)
def advar_om_udloeb() -> int:
    """Expiry warnings by e-mail at 60/30/14/7 days (certificates.services)."""
    return services.advar_om_udloeb()
