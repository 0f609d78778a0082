"""Writes of the administrator's SSO page (issue 26), each scoped to the administrator's
own myndighed and audit-logged in the same transaction."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.views.decorators.debug import sensitive_variables

from accounts.models import OidcKonfiguration, OidcRolleTilknytning, Rolle, User
from audit.models import Handling
from audit.services import audit_record

FELTER = [
    "navn",
    "discovery_url",
    "client_id",
    "scopes",
    "rolle_claim",
    "opret_brugere",
    "adgangskode_tilladt",
    "kontakt",
    "aktiv",
]


def _check_administrator(administrator: User) -> None:
    if not administrator.er_administrator or not administrator.is_active:
        raise PermissionDenied("Kun myndighedens administrator kan sætte SSO op.")


def roller_i_myndighed(*, myndighed_id: int) -> QuerySet[OidcRolleTilknytning]:
    return OidcRolleTilknytning.objects.filter(konfiguration__myndighed_id=myndighed_id)


@sensitive_variables("data")
@transaction.atomic
def konfiguration_gem(*, administrator: User, data: dict, logget_ind_med_sso: bool):
    """Create or change the myndighed's SSO set-up. A new client secret replaces the
    stored one; an empty one keeps it. Passwords can be switched off only by an
    administrator signed in through SSO right now (so SSO is shown to work, and no
    administrator locks the myndighed out)."""
    _check_administrator(administrator)
    konfiguration = (
        OidcKonfiguration.objects.select_for_update()
        .filter(myndighed_id=administrator.myndighed_id)
        .first()
    ) or OidcKonfiguration(myndighed_id=administrator.myndighed_id)
    if not data["adgangskode_tilladt"] and konfiguration.adgangskode_tilladt is not False:
        if not (logget_ind_med_sso and data["aktiv"]):
            raise ValidationError(
                "Login med adgangskode kan kun slås fra af en administrator, der selv er "
                "logget ind med SSO (så det er vist, at SSO virker)."
            )
    ny = konfiguration.pk is None
    changes = [f for f in FELTER if ny or getattr(konfiguration, f) != data[f]]
    for f in FELTER:
        setattr(konfiguration, f, data[f])
    if data.get("client_secret"):
        konfiguration.set_client_secret(data["client_secret"])
        changes.append("klient-hemmelighed")
    if not changes:
        return konfiguration
    konfiguration.full_clean(exclude=["myndighed"])
    konfiguration.save()
    audit_record(
        user=administrator,
        handling=Handling.SSO_AENDRET,
        beskrivelse=("SSO oprettet: " if ny else "SSO ændret: ") + ", ".join(changes),
    )
    return konfiguration


@transaction.atomic
def rolle_tilfoej(*, administrator: User, claim_vaerdi: str, rolle: str) -> OidcRolleTilknytning:
    _check_administrator(administrator)
    if rolle not in Rolle.values:
        raise ValidationError("Ukendt rolle.")
    konfiguration = OidcKonfiguration.objects.filter(
        myndighed_id=administrator.myndighed_id
    ).first()
    if konfiguration is None:
        raise ValidationError("Gem SSO-opsætningen, før du tilknytter grupper.")
    claim_vaerdi = claim_vaerdi.strip()
    try:
        with transaction.atomic():
            tilknytning = OidcRolleTilknytning.objects.create(
                konfiguration=konfiguration, claim_vaerdi=claim_vaerdi, rolle=rolle
            )
    except IntegrityError:
        raise ValidationError(f"Gruppen {claim_vaerdi} har allerede en rolle.") from None
    audit_record(
        user=administrator,
        handling=Handling.SSO_AENDRET,
        beskrivelse=f"SSO-gruppe {claim_vaerdi} giver rollen {Rolle(rolle).label}",
    )
    return tilknytning


@transaction.atomic
def rolle_slet(*, administrator: User, tilknytning: OidcRolleTilknytning) -> None:
    _check_administrator(administrator)
    target = (
        roller_i_myndighed(myndighed_id=administrator.myndighed_id)
        .select_for_update()
        .filter(pk=tilknytning.pk)
        .first()
    )
    if target is None:
        raise PermissionDenied("Gruppen hører ikke til din myndighed.")
    target.delete()
    audit_record(
        user=administrator,
        handling=Handling.SSO_AENDRET,
        beskrivelse=f"SSO-gruppe {target.claim_vaerdi} giver ikke længere rollen "
        f"{target.get_rolle_display()}",
    )
