"""Beat jobs of the accounts app."""

from __future__ import annotations

from celery import shared_task
from django.core.management import call_command


@shared_task(ignore_result=True)
def clear_expired_sessions() -> None:
    """Beat: delete expired sessions from the database (Django's clearsessions)."""
    call_command("clearsessions")
