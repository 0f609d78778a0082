"""Reads for user administration, always within one myndighed."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import Godkendelse, User


def brugere_i_myndighed(*, myndighed_id: int) -> QuerySet[User]:
    """The users a myndighed's administrator may see and manage: its own, never the
    operator's superuser or staff accounts. One query."""
    return User.objects.filter(
        myndighed_id=myndighed_id, is_superuser=False, is_staff=False
    ).order_by("-is_active", "username")


def ventende_godkendelser(*, administrator: User):
    """The requests this administrator may decide: its myndighed's, not its own."""
    if not administrator.er_administrator:
        return Godkendelse.objects.none()
    return (
        Godkendelse.objects.filter(
            myndighed_id=administrator.myndighed_id, status=Godkendelse.Status.AFVENTER
        )
        .exclude(anmoder=administrator)
        .select_related("anmoder", "bruger")
    )


def ventende_sso_anmodninger(*, myndighed_id: int):
    """The myndighed's pending SSO requests (issue 26), whoever asked: shown on the SSO
    page to every administrator of the myndighed."""
    return Godkendelse.objects.filter(
        myndighed_id=myndighed_id,
        status=Godkendelse.Status.AFVENTER,
        handling__in=[Godkendelse.Handling.SSO, Godkendelse.Handling.SSO_ROLLE],
    ).select_related("anmoder")
