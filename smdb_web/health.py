"""GET /healthz for an orchestrator's or a monitor's probe (issue 24).

Answered before any other middleware: no sign-in, no session, no audit entry, no
host check and no redirect to HTTPS (docker-compose probes gunicorn over plain HTTP
on 127.0.0.1 inside the container). It holds no data: only whether PostgreSQL and
the broker answer, and how long the oldest operation has waited for SMDB.
"""

from __future__ import annotations

import logging

from django.db import connection, transaction
from django.http import JsonResponse
from django.utils import timezone

logger = logging.getLogger(__name__)

PATH = "/healthz"
#: Seconds a probe waits for each service; a monitor's probe must answer fast.
TIMEOUT = 2.0


def check_database() -> int | None:
    """Seconds the oldest not-yet-confirmed SMDB operation has waited (None: none)."""
    from smdb.models import SyncOperation
    from smdb.models import SyncOperationStatus as S

    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Bounded even when the server is up but stuck; LOCAL: for this
                # transaction only, not for the requests that reuse the connection.
                cursor.execute(f"SET LOCAL statement_timeout = {int(TIMEOUT * 1000)}")
        oldest = (
            SyncOperation.objects.filter(status__in=(S.VENTER, S.SENDER, S.FEJL, S.BLOKERET))
            .order_by("created")
            .values_list("created", flat=True)
            .first()
        )
    return None if oldest is None else max(int((timezone.now() - oldest).total_seconds()), 0)


def check_broker() -> None:
    from smdb_web.celery import app

    if app.conf.task_always_eager:
        return  # development: tasks run in the request, there is no broker to ask
    with app.connection_for_write(connect_timeout=TIMEOUT) as conn:
        conn.ensure_connection(max_retries=0, timeout=TIMEOUT)
        client = getattr(conn.default_channel, "client", None)
        if client is not None:
            client.ping()  # Redis: the connection is lazy, a command proves it answers


def healthz() -> JsonResponse:
    body: dict = {}
    down = []
    try:
        body["smdb_outbox_oldest_pending_seconds"] = check_database()
        body["database"] = "ok"
    except Exception as exc:
        logger.warning("Sundhedstjek: databasen svarer ikke (%s)", type(exc).__name__)
        body["database"] = "down"
        body["smdb_outbox_oldest_pending_seconds"] = None
        down.append("database")  # Django closes the broken connection at the request's end
    try:
        check_broker()
        body["broker"] = "ok"
    except Exception as exc:
        logger.warning("Sundhedstjek: broker svarer ikke (%s)", type(exc).__name__)
        body["broker"] = "down"
        down.append("broker")
    body["status"] = "down" if down else "ok"
    if down:
        body["down"] = down
    response = JsonResponse(body, status=503 if down else 200)
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


class HealthCheckMiddleware:
    """First in MIDDLEWARE: /healthz is answered here and goes no further."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == PATH and request.method in ("GET", "HEAD"):
            return healthz()
        return self.get_response(request)
