"""Writes of the administrator's SSO page (issue 26), each scoped to the administrator's
own myndighed and audit-logged in the same transaction.

Four eyes (issue 21) hold for single sign-on too: whoever decides which provider the
myndighed trusts, and which of its groups become ledere or administrators, can mint
users with any role. So:

- While SSO is off (no set-up yet, or ``aktiv`` stored off) and the change leaves it
  off, the administrator prepares everything directly: nothing is trusted yet.
- Switching SSO on, and — while it is on — changing what it trusts (``TILLID``: the
  discovery URL, client id, client secret, scopes, role claim and "opret brugere"),
  is a request (``Godkendelse.Handling.SSO``) that another administrator of the
  myndighed approves. The harmless fields (``HARMLOESE``: the button's name, whom to
  ask, and password login with its own guard) are saved at once. Switching SSO off is
  direct: it removes access.
- Giving a group the role leder or administrator while SSO is on is a request
  (``Godkendelse.Handling.SSO_ROLLE``); a caseworker group, and removing any group,
  are direct. While SSO is off groups are direct: switching on covers them.

A request stores a fingerprint of the set-up it was made against (``fingeraftryk``);
approval refuses it if the set-up has changed since, so the approver approves exactly
what it saw. A new client secret in a request is kept encrypted, never in plain text.
"""

from __future__ import annotations

import base64
import hashlib
import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.views.decorators.debug import sensitive_variables

from accounts.models import Godkendelse, OidcKonfiguration, OidcRolleTilknytning, Rolle, User
from audit.models import Handling
from audit.services import audit_record

# What a switched-on SSO trusts: changed only with a second administrator's approval
# (with the client secret and switching on).
TILLID = ["discovery_url", "client_id", "scopes", "rolle_claim", "opret_brugere"]
# Saved at once; adgangskode_tilladt has its own guard in konfiguration_gem.
HARMLOESE = ["navn", "adgangskode_tilladt", "kontakt"]
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

VENTER = "Ændringen venter på, at en anden administrator godkender den."


def _check_administrator(administrator: User) -> None:
    if not administrator.er_administrator or not administrator.is_active:
        raise PermissionDenied("Kun myndighedens administrator kan sætte SSO op.")


def roller_i_myndighed(*, myndighed_id: int) -> QuerySet[OidcRolleTilknytning]:
    return OidcRolleTilknytning.objects.filter(konfiguration__myndighed_id=myndighed_id)


def _grupper(konfiguration: OidcKonfiguration) -> list[list[str]]:
    return [
        [g, r]
        for g, r in sorted(konfiguration.roller.values_list("claim_vaerdi", "rolle").order_by())
    ]


def fingeraftryk(konfiguration: OidcKonfiguration, *, med_grupper: bool = True) -> str:
    """sha256 over what the stored set-up trusts: the fields in ``TILLID``, ``aktiv``,
    the encrypted client secret and (unless ``med_grupper`` is false) the sorted
    group mappings. A group request leaves the groups out, so that approving one group
    does not make the myndighed's other pending group requests unapprovable."""
    indhold = {f: getattr(konfiguration, f) for f in [*TILLID, "aktiv"]}
    indhold["client_secret_krypteret"] = base64.b64encode(
        bytes(konfiguration.client_secret_krypteret)
    ).decode()
    if med_grupper:
        indhold["grupper"] = _grupper(konfiguration)
    return hashlib.sha256(json.dumps(indhold, sort_keys=True).encode()).hexdigest()


def _anmod(administrator: User, handling: str, *, data: dict, erstatter: dict):
    from accounts import services

    return services._anmod(administrator, handling, data=data, erstatter=erstatter)


def _gem(
    administrator: User, konfiguration: OidcKonfiguration, data: dict, felter: list[str]
) -> None:
    """Save the given fields (and a new client secret if ``data`` has one) directly."""
    ny = konfiguration.pk is None
    changes = [f for f in felter if ny or getattr(konfiguration, f) != data[f]]
    for f in felter:
        setattr(konfiguration, f, data[f])
    if data.get("client_secret"):
        konfiguration.set_client_secret(data["client_secret"])
        changes.append("klient-hemmelighed")
    if not changes:
        return
    konfiguration.full_clean(exclude=["myndighed"])
    konfiguration.save()
    audit_record(
        user=administrator,
        handling=Handling.SSO_AENDRET,
        beskrivelse=("SSO oprettet: " if ny else "SSO ændret: ") + ", ".join(changes),
    )


@sensitive_variables("data")
@transaction.atomic
def konfiguration_gem(
    *, administrator: User, data: dict, logget_ind_med_sso: bool
) -> OidcKonfiguration | Godkendelse:
    """Create or change the myndighed's SSO set-up. A new client secret replaces the
    stored one; an empty one keeps it. Passwords can be switched off only by an
    administrator signed in through SSO right now (so SSO is shown to work, and no
    administrator locks the myndighed out).

    Four eyes (module docstring): while SSO stays off, or is switched off, everything is
    saved at once. Switching it on saves the set-up with SSO still off and asks another
    administrator to switch it on. While it is on, the harmless fields are saved at once
    and a change of what it trusts is asked for, the new secret encrypted. Returns the
    request (``Godkendelse``) if one was made, else the set-up."""
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
    var_aktiv = konfiguration.pk is not None and konfiguration.aktiv
    if not data["aktiv"]:
        # Off, or switched off: nothing is trusted, so nothing to approve.
        _gem(administrator, konfiguration, data, FELTER)
        return konfiguration
    if not var_aktiv:
        # Switched on: prepared directly while still off, switched on by a second pair
        # of eyes that sees the provider and the groups.
        _gem(administrator, konfiguration, data | {"aktiv": False}, FELTER)
        return _anmod(
            administrator,
            Godkendelse.Handling.SSO,
            data={
                "slaa_til": True,
                "navn": konfiguration.navn,
                "felter": {f: getattr(konfiguration, f) for f in TILLID},
                "grupper": _grupper(konfiguration),
                "fingeraftryk": fingeraftryk(konfiguration),
            },
            erstatter={},
        )
    _gem(administrator, konfiguration, data | {"client_secret": ""}, HARMLOESE)
    felter = {f: data[f] for f in TILLID if getattr(konfiguration, f) != data[f]}
    if not felter and not data.get("client_secret"):
        return konfiguration
    anmodning = {
        "slaa_til": False,
        "navn": konfiguration.navn,
        "felter": felter,
        "fingeraftryk": fingeraftryk(konfiguration),
    }
    if data.get("client_secret"):
        from certificates.crypto import encrypt

        anmodning["ny_hemmelighed"] = True
        anmodning["client_secret_krypteret"] = base64.b64encode(
            encrypt(data["client_secret"].encode())
        ).decode()
    # A bad value is refused now, not when the other administrator approves it.
    proeve = OidcKonfiguration(**{f: getattr(konfiguration, f) for f in FELTER} | felter)
    proeve.full_clean(exclude=["myndighed", "client_secret_krypteret"])
    return _anmod(administrator, Godkendelse.Handling.SSO, data=anmodning, erstatter={})


@transaction.atomic
def rolle_tilfoej(
    *, administrator: User, claim_vaerdi: str, rolle: str
) -> OidcRolleTilknytning | Godkendelse:
    """Map a group of the provider's claim to a role. While SSO is on, a group that
    gives leder or administrator is asked for (another administrator approves it);
    a caseworker group, or any group while SSO is off, is added at once. Returns the
    request if one was made, else the mapping."""
    from accounts.services import ROLLER_MED_GODKENDELSE

    _check_administrator(administrator)
    if rolle not in Rolle.values:
        raise ValidationError("Ukendt rolle.")
    konfiguration = (
        OidcKonfiguration.objects.select_for_update()
        .filter(myndighed_id=administrator.myndighed_id)
        .first()
    )
    if konfiguration is None:
        raise ValidationError("Gem SSO-opsætningen, før du tilknytter grupper.")
    claim_vaerdi = claim_vaerdi.strip()
    if not claim_vaerdi:
        raise ValidationError("Angiv gruppen.")
    if konfiguration.roller.filter(claim_vaerdi=claim_vaerdi).exists():
        raise ValidationError(f"Gruppen {claim_vaerdi} har allerede en rolle.")
    if konfiguration.aktiv and rolle in ROLLER_MED_GODKENDELSE:
        return _anmod(
            administrator,
            Godkendelse.Handling.SSO_ROLLE,
            data={
                "claim_vaerdi": claim_vaerdi,
                "rolle": rolle,
                "fingeraftryk": fingeraftryk(konfiguration, med_grupper=False),
            },
            erstatter={"data__claim_vaerdi": claim_vaerdi},
        )
    return _opret_rolle(administrator, konfiguration, claim_vaerdi, rolle)


def _opret_rolle(
    administrator: User, konfiguration: OidcKonfiguration, claim_vaerdi: str, rolle: str
) -> OidcRolleTilknytning:
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
    """Remove a group's role: direct, as it removes access."""
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


def anmodning_udfoer(anmodning: Godkendelse) -> None:
    """Carry out an approved SSO request (from services.godkendelse_godkend, in its
    transaction, after its checks: another administrator of the same myndighed). The
    set-up must be as it was when the request was made; the change is logged in the
    requester's name."""
    konfiguration = (
        OidcKonfiguration.objects.select_for_update()
        .filter(myndighed_id=anmodning.myndighed_id)
        .first()
    )
    data = anmodning.data
    med_grupper = anmodning.handling == Godkendelse.Handling.SSO
    if konfiguration is None or fingeraftryk(konfiguration, med_grupper=med_grupper) != data.get(
        "fingeraftryk"
    ):
        raise ValidationError(
            "SSO-opsætningen er ændret siden anmodningen, så den kan ikke godkendes, som "
            "den blev vist. Afvis den, og bed om en ny."
        )
    if anmodning.handling == Godkendelse.Handling.SSO_ROLLE:
        _opret_rolle(anmodning.anmoder, konfiguration, data["claim_vaerdi"], data["rolle"])
        return
    # In TILLID's order: PostgreSQL's jsonb does not keep the order the keys were written.
    felter = {f: data["felter"][f] for f in TILLID if f in data["felter"]}
    changes = [f for f, vaerdi in felter.items() if getattr(konfiguration, f) != vaerdi]
    for f, vaerdi in felter.items():
        setattr(konfiguration, f, vaerdi)
    if data.get("client_secret_krypteret"):
        konfiguration.client_secret_krypteret = base64.b64decode(data["client_secret_krypteret"])
        changes.append("klient-hemmelighed")
    if data.get("slaa_til"):
        konfiguration.aktiv = True
    konfiguration.full_clean(exclude=["myndighed"])
    konfiguration.save()
    hvad = "SSO slået til" if data.get("slaa_til") else "SSO ændret"
    audit_record(
        user=anmodning.anmoder,
        handling=Handling.SSO_AENDRET,
        beskrivelse=hvad + (": " + ", ".join(changes) if changes else ""),
    )
