"""The set-password link's token (issue 21).

Django's reset tokens are void once the password is set or the user logs in;
these are also void while the user is deactivated, and a link sent before a
deactivation does not work again after the reactivation: the hash includes
``is_active`` and the latest (de)activation in the access log, a per-user
counter that needs no column of its own.
"""

from __future__ import annotations

from django.contrib.auth.tokens import PasswordResetTokenGenerator

from audit.models import AuditEntry, Handling


class AdgangskodeLinkTokens(PasswordResetTokenGenerator):
    def _make_hash_value(self, user, timestamp):
        seneste = (
            AuditEntry.objects.filter(
                beroert_bruger_id=user.pk,
                handling__in=[Handling.BRUGER_DEAKTIVERET, Handling.BRUGER_GENAKTIVERET],
            )
            .order_by("-pk")
            .values_list("pk", flat=True)
            .first()
        )
        return f"{super()._make_hash_value(user, timestamp)}|{user.is_active}|{seneste or ''}"


adgangskode_link_tokens = AdgangskodeLinkTokens()
