from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.permissions import sager_required
from audit.models import Handling
from audit.services import audit_record
from cases.selectors import forloeb_for_user
from smdb import outbox


@sager_required
@require_POST
def sync_retry(request, schema: str, pk: int):
    """ "Prøv igen": send a schema that SMDB rejected or could not receive again,
    with its current values. Only schemas of the user's own myndighed."""
    if schema not in outbox.SCHEMA_MODELS:
        raise Http404("Ukendt skema.")
    skema = get_object_or_404(
        outbox.schema_model(schema).objects.select_related("forloeb"),
        pk=pk,
        forloeb__in=forloeb_for_user(request.user),
    )
    op = outbox.latest_operation(skema)
    with transaction.atomic():
        queued = op is not None and outbox.retry(op)
        if queued:
            audit_record(
                user=request.user,
                handling=Handling.AENDRET,
                forloeb=skema.forloeb,
                beskrivelse=f"{skema.schema.title}: sendt igen til SMDB",
            )
    if queued:
        messages.success(request, "Skemaet sendes igen til SMDB.")
    else:
        messages.info(request, "Der er intet at sende igen for dette skema.")
    if getattr(request, "htmx", False):
        skema.refresh_from_db()
        return render(request, "smdb/_sync_status.html", {"skema": skema})
    return redirect("cases:forloeb_detail", pk=skema.forloeb_id)
