"""User administration by a myndighed's administrator (issue 9).

Every write is scoped to the administrator's own myndighed: a user is created in
it (never in one named by the request), only its users can be changed, never a
superuser or staff account, and never the administrator's own role or active
flag, so no administrator can widen its own rights. Each change is recorded in
the access log in the same transaction.
"""

from __future__ import annotations

from celery import current_app
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts import two_factor
from accounts.models import Godkendelse, Rolle, User
from accounts.selectors import brugere_i_myndighed
from accounts.tokens import adgangskode_link_tokens
from audit.models import Handling
from audit.services import audit_record

SEND_LINK_TASK = "accounts.tasks.send_adgangskode_link"

# Roles that reach citizens' cases or can give that access: created only with a
# second administrator's approval (issue 21).
ROLLER_MED_GODKENDELSE = {Rolle.LEDER, Rolle.ADMINISTRATOR}
# Requests about the myndighed's single sign-on, carried out by accounts.oidc_services.
SSO_HANDLINGER = {Godkendelse.Handling.SSO, Godkendelse.Handling.SSO_ROLLE}


def _check_administrator(administrator: User) -> None:
    if not administrator.er_administrator or not administrator.is_active:
        raise PermissionDenied("Kun myndighedens administrator kan administrere brugere.")


def _locked_target(administrator: User, bruger: User) -> User:
    """The target row, re-read and locked, if the administrator may touch it."""
    _check_administrator(administrator)
    target = (
        brugere_i_myndighed(myndighed_id=administrator.myndighed_id)
        .select_for_update()
        .filter(pk=bruger.pk)
        .first()
    )
    if target is None:
        raise PermissionDenied("Brugeren hører ikke til din myndighed.")
    return target


def _check_not_self(administrator: User, bruger: User, what: str) -> None:
    if bruger.pk == administrator.pk:
        raise ValidationError(f"Du kan ikke {what} din egen bruger.")


def _check_rolle(rolle: str) -> None:
    if rolle not in Rolle.values:
        raise ValidationError("Ukendt rolle.")


@transaction.atomic
def bruger_opret(
    *,
    administrator: User,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    rolle: str,
    base_url: str,
) -> User | Godkendelse:
    """Create a user in the administrator's myndighed and e-mail a set-password link.

    The new user has no usable password until it follows the link. A leder or an
    administrator (who can reach citizens' cases or give that access) is only asked
    for: another administrator approves it (``godkendelse_godkend``)."""
    _check_administrator(administrator)
    _check_rolle(rolle)
    data = {
        "username": username,
        "first_name": first_name,
        "last_name": last_name,
        "email": email,
        "rolle": rolle,
        "base_url": base_url,
    }
    if rolle in ROLLER_MED_GODKENDELSE:
        _ny_bruger(administrator, data).full_clean()  # a bad value is refused now
        return _anmod(administrator, Godkendelse.Handling.OPRET, data=data)
    return _opret(administrator, data=data)


def _ny_bruger(administrator: User, data: dict) -> User:
    bruger = User(
        username=data["username"],
        first_name=data["first_name"],
        last_name=data["last_name"],
        email=data["email"],
        rolle=data["rolle"],
        myndighed_id=administrator.myndighed_id,
        is_staff=False,
        is_superuser=False,
        is_active=True,
    )
    bruger.set_unusable_password()
    return bruger


def _opret(administrator: User, *, data: dict) -> User:
    bruger = _ny_bruger(administrator, data)
    bruger.full_clean()
    bruger.save()
    audit_record(
        user=administrator,
        handling=Handling.BRUGER_OPRETTET,
        beroert_bruger=bruger,
        beskrivelse=f"{bruger.username} oprettet som {bruger.get_rolle_display()}",
    )
    _send_link_on_commit(administrator, bruger, data["base_url"])
    return bruger


@transaction.atomic
def bruger_aendr(
    *,
    administrator: User,
    bruger: User,
    first_name: str,
    last_name: str,
    email: str,
    rolle: str,
) -> User:
    """Change a user's name, e-mail and role (within the same myndighed)."""
    target = _locked_target(administrator, bruger)
    _check_rolle(rolle)
    if rolle != target.rolle:
        _check_not_self(administrator, target, "ændre rollen på")
    changes = []
    if rolle != target.rolle and rolle in ROLLER_MED_GODKENDELSE:
        # Issue 21: raising a user to leder or administrator gives case access (or the
        # power to give it), as creating one does; another administrator approves it.
        _anmod(administrator, Godkendelse.Handling.ROLLE, bruger=target, data={"rolle": rolle})
        rolle = target.rolle
    if rolle != target.rolle:
        changes.append(f"rolle {target.get_rolle_display()} → {Rolle(rolle).label}")
    if (first_name, last_name) != (target.first_name, target.last_name):
        changes.append("navn ændret")
    if email != target.email:
        # Issue 21: a new address is where the next set-password link goes; another
        # administrator approves it first.
        User._meta.get_field("email").clean(email, target)
        _anmod(administrator, Godkendelse.Handling.EMAIL, bruger=target, data={"email": email})
    if not changes:
        return target
    target.first_name, target.last_name, target.rolle = first_name, last_name, rolle
    target.full_clean()
    target.save(update_fields=["first_name", "last_name", "rolle"])
    audit_record(
        user=administrator,
        handling=Handling.BRUGER_AENDRET,
        beroert_bruger=target,
        beskrivelse=f"{target.username}: " + "; ".join(changes),
    )
    return target


@transaction.atomic
def bruger_saet_aktiv(*, administrator: User, bruger: User, aktiv: bool) -> User:
    """Deactivate (the user can no longer log in; open sessions stop working) or
    reactivate a user. Users are never deleted: the access log refers to them."""
    target = _locked_target(administrator, bruger)
    _check_not_self(administrator, target, "deaktivere" if not aktiv else "genaktivere")
    if target.is_active == aktiv:
        return target
    target.is_active = aktiv
    target.save(update_fields=["is_active"])
    audit_record(
        user=administrator,
        handling=Handling.BRUGER_GENAKTIVERET if aktiv else Handling.BRUGER_DEAKTIVERET,
        beroert_bruger=target,
        beskrivelse=f"{target.username} {'genaktiveret' if aktiv else 'deaktiveret'}",
    )
    return target


@transaction.atomic
def bruger_nulstil_to_faktor(*, administrator: User, bruger: User) -> int:
    """Ask to remove a user's authenticator app and recovery codes (lost phone): once
    another administrator approves, the user enrols a new app at the next login. Never
    one's own. Returns 1 if asked, 0 if the user has no app."""
    target = _locked_target(administrator, bruger)
    _check_not_self(administrator, target, "nulstille to-faktor-login på")
    if not two_factor.har_enheder(target):
        return 0
    _anmod(administrator, Godkendelse.Handling.NULSTIL_TO_FAKTOR, bruger=target)
    return 1


def _nulstil(administrator: User, target: User) -> int:
    fjernet = two_factor.fjern_alle(target)
    if fjernet:
        audit_record(
            user=administrator,
            handling=Handling.BRUGER_AENDRET,
            beroert_bruger=target,
            beskrivelse=f"{target.username}: to-faktor-login nulstillet",
        )
    return fjernet


@transaction.atomic
def bruger_send_link(*, administrator: User, bruger: User, base_url: str) -> None:
    """E-mail the user a link to set a new password (Django's reset tokens)."""
    target = _locked_target(administrator, bruger)
    if not target.is_active:
        raise ValidationError("Brugeren er deaktiveret; genaktivér den først.")
    if not target.email:
        raise ValidationError("Brugeren har ingen e-mailadresse.")
    audit_record(
        user=administrator,
        handling=Handling.ADGANGSKODE_LINK,
        beroert_bruger=target,
        beskrivelse=f"Link til at vælge adgangskode sendt til {target.username}",
    )
    _send_link_on_commit(administrator, target, base_url)


def _send_link_on_commit(administrator: User, bruger: User, base_url: str) -> None:
    if not bruger.email:
        return
    # Queued by the task's name: the tasks module is the Celery entry point that
    # calls this module, never imported by it (issue 27); apps.ready registers it.
    task = current_app.tasks[SEND_LINK_TASK]
    pk = bruger.pk
    transaction.on_commit(lambda: task.delay(pk, base_url))


def send_adgangskode_link(user_pk: int, base_url: str) -> None:
    """Send the set-password e-mail (the Celery task's work). Always by e-mail,
    never shown on screen: the link sets the password of someone else's account."""
    bruger = User.objects.select_related("myndighed").get(pk=user_pk)
    if not bruger.is_active or not bruger.email:
        return  # deactivated (or e-mail removed) since the link was asked for
    token = adgangskode_link_tokens.make_token(bruger)
    uid = urlsafe_base64_encode(force_bytes(bruger.pk))
    path = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    context = {
        "bruger": bruger,
        "myndighed": bruger.myndighed,
        "link": base_url.rstrip("/") + path,
        "gyldig_dage": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
    }
    # Not PasswordResetForm.send_mail: it swallows a mail server's errors, and the
    # Celery task must see them to try again.
    subject = "".join(render_to_string("accounts/email/adgangskode_link_emne.txt").splitlines())
    body = render_to_string("accounts/email/adgangskode_link.txt", context)
    send_mail(subject, body, None, [bruger.email])


@transaction.atomic
def bruger_ophaev_laas(*, administrator: User, bruger: User) -> int:
    """Lift the login lockout (django-axes) of one of the myndighed's users, from
    every address (issue 21); access-logged. Returns the lockouts removed."""
    from axes.utils import reset

    target = _locked_target(administrator, bruger)
    fjernet = reset(username=target.username)
    audit_record(
        user=administrator,
        handling=Handling.BRUGER_AENDRET,
        beroert_bruger=target,
        beskrivelse=f"{target.username}: login-spærring ophævet",
    )
    return fjernet


# --- Four eyes: a second administrator approves (issue 21) -------------------------------


def _anmod(
    administrator: User,
    handling: str,
    *,
    bruger: User | None = None,
    data=None,
    erstatter: dict | None = None,
):
    """A pending request, shown on the other administrators' front page; one per user
    and kind (a new one replaces a pending one). A request without a user says which
    pending ones of its kind in the myndighed it replaces (``erstatter``, filter
    arguments; ``{}`` for all of them)."""
    if bruger is not None:
        erstatter = {"bruger": bruger}
    if erstatter is not None:
        Godkendelse.objects.filter(
            myndighed_id=administrator.myndighed_id,
            handling=handling,
            status=Godkendelse.Status.AFVENTER,
            **erstatter,
        ).update(
            status=Godkendelse.Status.AFVIST, besluttet_af=administrator, besluttet=timezone.now()
        )
    anmodning = Godkendelse.objects.create(
        myndighed_id=administrator.myndighed_id,
        handling=handling,
        anmoder=administrator,
        bruger=bruger,
        data=data or {},
    )
    audit_record(
        user=administrator,
        handling=Handling.GODKENDELSE_ANMODET,
        beroert_bruger=bruger,
        beskrivelse=f"Anmodet: {anmodning.beskrivelse()}",
    )
    return anmodning


def _beslut(administrator: User, pk: int, status: str) -> Godkendelse:
    _check_administrator(administrator)
    anmodning = (
        Godkendelse.objects.select_for_update()
        .filter(pk=pk, myndighed_id=administrator.myndighed_id)
        .first()
    )
    if anmodning is None:
        raise PermissionDenied("Anmodningen hører ikke til din myndighed.")
    if anmodning.anmoder_id == administrator.pk:
        raise ValidationError("Du kan ikke selv godkende eller afvise din egen anmodning.")
    if anmodning.status != Godkendelse.Status.AFVENTER:
        raise ValidationError("Anmodningen er allerede afgjort.")
    anmodning.status = status
    anmodning.besluttet_af = administrator
    anmodning.besluttet = timezone.now()
    anmodning.save(update_fields=["status", "besluttet_af", "besluttet"])
    return anmodning


@transaction.atomic
def godkendelse_godkend(*, administrator: User, pk: int) -> Godkendelse:
    """Approve another administrator's request and carry it out, in the same
    transaction; the change itself is logged in the requester's name. An SSO request
    whose set-up has changed since it was made is refused (nothing is carried out)."""
    anmodning = _beslut(administrator, pk, Godkendelse.Status.GODKENDT)
    audit_record(
        user=administrator,
        handling=Handling.GODKENDELSE_GODKENDT,
        beroert_bruger=anmodning.bruger,
        beskrivelse=f"Godkendt: {anmodning.beskrivelse()} (anmodet af {anmodning.anmoder})",
    )
    if anmodning.handling in SSO_HANDLINGER:
        # Issue 26: what the myndighed's SSO trusts, exactly as the approver saw it.
        from accounts import oidc_services

        oidc_services.anmodning_udfoer(anmodning)
        return anmodning
    if anmodning.handling == Godkendelse.Handling.OPRET:
        anmodning.bruger = _opret(anmodning.anmoder, data=anmodning.data)
        anmodning.save(update_fields=["bruger"])
        return anmodning
    target = _locked_target(administrator, anmodning.bruger)
    if anmodning.handling == Godkendelse.Handling.EMAIL:
        _saet_godkendt_felt(anmodning, target, "email", lambda: "e-mail ændret")
    elif anmodning.handling == Godkendelse.Handling.ROLLE:
        fra = target.get_rolle_display()
        _saet_godkendt_felt(
            anmodning, target, "rolle", lambda: f"rolle {fra} → {target.get_rolle_display()}"
        )
    else:
        _nulstil(anmodning.anmoder, target)
    return anmodning


def _saet_godkendt_felt(anmodning: Godkendelse, target: User, felt: str, hvad) -> None:
    """Carry out an approved change of one field, logged in the requester's name."""
    setattr(target, felt, anmodning.data[felt])
    target.full_clean()
    target.save(update_fields=[felt])
    audit_record(
        user=anmodning.anmoder,
        handling=Handling.BRUGER_AENDRET,
        beroert_bruger=target,
        beskrivelse=f"{target.username}: {hvad()}",
    )


@transaction.atomic
def godkendelse_afvis(*, administrator: User, pk: int) -> Godkendelse:
    anmodning = _beslut(administrator, pk, Godkendelse.Status.AFVIST)
    audit_record(
        user=administrator,
        handling=Handling.GODKENDELSE_AFVIST,
        beroert_bruger=anmodning.bruger,
        beskrivelse=f"Afvist: {anmodning.beskrivelse()} (anmodet af {anmodning.anmoder})",
    )
    return anmodning
