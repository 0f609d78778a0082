"""Reads of system changes, scoped to the user's myndighed (administrators only)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from cases.models import Kontaktforloeb
from systemskifte.models import Afstemning, Systemskifte


def skifter_for_user(user) -> QuerySet[Systemskifte]:
    if not getattr(user, "er_administrator", False):
        return Systemskifte.objects.none()
    return Systemskifte.objects.filter(myndighed_id=user.myndighed_id)


def skifte_for_user(user, pk: int) -> Systemskifte:
    skifte = skifter_for_user(user).select_related("myndighed", "startet_af").filter(pk=pk).first()
    if skifte is None:
        raise Http404("Systemskiftet findes ikke i din myndighed.")
    return skifte


def afstemning_for_user(user, pk: int) -> Afstemning:
    """One afstemning of the administrator's own myndighed; 404 for any other."""
    run = None
    if getattr(user, "er_administrator", False):
        run = Afstemning.objects.filter(pk=pk, myndighed_id=user.myndighed_id).first()
    if run is None:
        raise Http404("Afstemningen findes ikke i din myndighed.")
    return run


def seneste_afstemning(myndighed_id: int) -> Afstemning | None:
    return Afstemning.objects.filter(myndighed_id=myndighed_id).order_by("-pk").first()


def rapport(skifte: Systemskifte) -> list:
    """Every citizen of the job with its step, plan and error (one query)."""
    return list(
        skifte.borgere.order_by("trin", "pk").only(
            "anmodning_id",
            "person_identifikator",
            "plan",
            "glemt",
            "trin",
            "fejl",
            "gammelt_forloeb_id",
            "nyt_forloeb_id",
        )
    )


def mellemloesning_forloeb(myndighed_id: int) -> QuerySet[Kontaktforloeb]:
    """R-SKIFT-3: forløb maintained in SMDB-web that have not ended, so none is
    forgotten (the kontrolliste)."""
    return (
        Kontaktforloeb.objects.for_myndighed(myndighed_id)
        .filter(vedligeholdes_i_smdb_web=True, afslutning__isnull=True)
        .select_related("anmodning", "ivaerksaettelse")
        .order_by("anmodning__behandling_anmodning_dato", "pk")
    )
