"""User administration by a myndighed's administrator (issue 9).

Every write is scoped to the administrator's own myndighed: a user is created in
it (never in one named by the request), only its users can be changed, never a
superuser or staff account, and never the administrator's own role or active
flag, so no administrator can widen its own rights. Each change is recorded in
the access log in the same transaction.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts import two_factor
from accounts.models import Rolle, User
from accounts.selectors import brugere_i_myndighed
from accounts.tokens import adgangskode_link_tokens
from audit.models import Handling
from audit.services import audit_record


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
) -> User:
    """Create a user in the administrator's myndighed and e-mail a set-password link.

    The new user has no usable password until it follows the link."""
    _check_administrator(administrator)
    _check_rolle(rolle)
    bruger = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        rolle=rolle,
        myndighed_id=administrator.myndighed_id,
        is_staff=False,
        is_superuser=False,
        is_active=True,
    )
    bruger.set_unusable_password()
    bruger.full_clean()
    bruger.save()
    audit_record(
        user=administrator,
        handling=Handling.BRUGER_OPRETTET,
        beroert_bruger=bruger,
        beskrivelse=f"{bruger.username} oprettet som {bruger.get_rolle_display()}",
    )
    _send_link_on_commit(administrator, bruger, base_url)
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
    if rolle != target.rolle:
        changes.append(f"rolle {target.get_rolle_display()} → {Rolle(rolle).label}")
    if (first_name, last_name) != (target.first_name, target.last_name):
        changes.append("navn ændret")
    if email != target.email:
        changes.append("e-mail ændret")
    if not changes:
        return target
    target.first_name, target.last_name, target.email, target.rolle = (
        first_name,
        last_name,
        email,
        rolle,
    )
    target.full_clean()
    target.save(update_fields=["first_name", "last_name", "email", "rolle"])
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
    """Remove a user's authenticator app and recovery codes (lost phone): at the next
    login the user enrols a new app. Never one's own (another administrator does it,
    so a stolen password alone cannot replace the app). Returns the devices removed."""
    target = _locked_target(administrator, bruger)
    _check_not_self(administrator, target, "nulstille to-faktor-login på")
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
    from accounts import tasks

    pk = bruger.pk
    transaction.on_commit(lambda: tasks.send_adgangskode_link.delay(pk, base_url))


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
