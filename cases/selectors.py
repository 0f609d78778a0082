"""Reads of citizens' cases. Every query starts from ``forloeb_for_user`` so it is
scoped to the user's myndighed in this one place."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from cases.models import Kontaktforloeb, Tilbudstilknytning

SCHEMA_RELATIONS = ("myndighed", "anmodning", "ivaerksaettelse", "afslutning")


def forloeb_for_user(user) -> QuerySet[Kontaktforloeb]:
    """Forløb the user may see: those of their own myndighed, if their role works with cases."""
    myndighed_id = user.myndighed_id if getattr(user, "kan_se_sager", False) else None
    return Kontaktforloeb.objects.for_myndighed(myndighed_id)


def with_schemas(qs: QuerySet[Kontaktforloeb]) -> QuerySet[Kontaktforloeb]:
    """Load every schema of each forløb in a fixed number of queries (2)."""
    return qs.select_related(*SCHEMA_RELATIONS).prefetch_related(
        Prefetch(
            "tilbudstilknytninger",
            queryset=Tilbudstilknytning.objects.order_by(
                "tilbud_tilknyttet_behandling_start_dato", "pk"
            ),
        )
    )


def forloeb_detail(*, user, pk: int) -> Kontaktforloeb:
    """One forløb with all its schemas; 404 outside the user's myndighed."""
    return get_object_or_404(with_schemas(forloeb_for_user(user)), pk=pk)


def forloeb_for_cpr(*, user, cpr: str) -> list[Kontaktforloeb]:
    """The citizen's forløb in the user's myndighed, newest first."""
    qs = forloeb_for_user(user).filter(person_identifikator=cpr)
    return list(with_schemas(qs).order_by("-anmodning__behandling_anmodning_dato", "-pk"))


def andre_forloeb(forloeb: Kontaktforloeb) -> list[Kontaktforloeb]:
    """The same citizen's other forløb in the same myndighed (R-ANM-1 needs them)."""
    qs = Kontaktforloeb.objects.for_myndighed(forloeb.myndighed_id).filter(
        person_identifikator=forloeb.person_identifikator
    )
    if forloeb.pk:
        qs = qs.exclude(pk=forloeb.pk)
    return list(with_schemas(qs))


def seneste_forloeb(*, user, limit: int = 20) -> list[Kontaktforloeb]:
    """The myndighed's most recently created forløb, for the front page."""
    return list(with_schemas(forloeb_for_user(user)).order_by("-oprettet", "-pk")[:limit])
