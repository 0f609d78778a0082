"""The Django admin is the system operator's tool, not a municipality's.

Only an active superuser (made with ``manage.py createsuperuser``) gets in. A
municipality's administrator manages its own users through ``/konto/brugere/``,
scoped to its myndighed; ``is_staff`` and model permissions alone no longer open
the admin, so a staff flag or permission granted by mistake cannot be used to
widen one's own rights (issue 9: the takeover through ``BrugerAdmin``).

The operator signs in with two factors like a leder (accounts.two_factor), and
every change it makes here stands in the access log of the myndighed concerned
(issue 21).
"""

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig


class OperatorAdminSite(admin.AdminSite):
    site_header = "smdb-web drift"
    site_title = "smdb-web drift"
    index_title = "Systemadministration (kun driftsoperatør)"

    def has_permission(self, request) -> bool:
        # The second factor too (accounts.two_factor sends the operator to it first;
        # this holds even if that middleware were left out).
        user = request.user
        anden_faktor = not settings.OTP_REQUIRED or (
            hasattr(user, "is_verified") and user.is_verified()
        )
        return bool(user.is_active and user.is_superuser and anden_faktor)

    def register(self, model_or_iterable, admin_class=None, **options):
        """Every ModelAdmin registered here, django-otp's and axes' included, writes
        what the operator adds, changes or deletes to the access log (issue 21)."""
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, AdgangslogAdminMixin):
            admin_class = type(admin_class.__name__, (AdgangslogAdminMixin, admin_class), {})
        return super().register(model_or_iterable, admin_class, **options)


class AdgangslogAdminMixin:
    """The operator's adds, changes (a password change included: UserAdmin logs it as
    a change) and deletions, each in the access log beside Django's own LogEntry, in
    the admin view's transaction."""

    def log_addition(self, request, obj, message):
        _audit(request, obj, "DRIFT_OPRETTET", message)
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        _audit(request, obj, "DRIFT_AENDRET", message)
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        objs = list(queryset)  # called before the deletion
        for obj in objs:
            _audit(request, obj, "DRIFT_SLETTET", "")
        return super().log_deletions(request, objs)


def _audit(request, obj, handling: str, message) -> None:
    # Imported here: this module is loaded with INSTALLED_APPS, before the models.
    from audit.models import Handling
    from audit.services import audit_drift

    audit_drift(
        user=request.user, obj=obj, handling=Handling[handling], besked=message, sti=request.path
    )


class OperatorAdminConfig(AdminConfig):
    default_site = "accounts.admin_site.OperatorAdminSite"
