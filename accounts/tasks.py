"""Celery tasks of the accounts app: beat's session clean-up, and the e-mail from
user administration, sent after the change commits."""

from __future__ import annotations

import smtplib

from celery import shared_task
from django.core.management import call_command

from accounts import services


@shared_task(ignore_result=True)
def clear_expired_sessions() -> None:
    """Beat: delete expired sessions from the database (Django's clearsessions)."""
    call_command("clearsessions")


@shared_task(
    acks_late=True,
    ignore_result=True,
    # A mail server that is down or refuses for a while: try again later. The
    # change itself is saved; the administrator can also send a new link.
    autoretry_for=(OSError, smtplib.SMTPException),
    retry_backoff=30,
    retry_backoff_max=1800,
    max_retries=8,
)
def send_adgangskode_link(user_pk: int, base_url: str) -> None:
    services.send_adgangskode_link(user_pk, base_url)
