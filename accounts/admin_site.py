"""The Django admin is the system operator's tool, not a municipality's.

Only an active superuser (made with ``manage.py createsuperuser``) gets in. A
municipality's administrator manages its own users through ``/konto/brugere/``,
scoped to its myndighed; ``is_staff`` and model permissions alone no longer open
the admin, so a staff flag or permission granted by mistake cannot be used to
widen one's own rights (issue 9: the takeover through ``BrugerAdmin``).
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig


class OperatorAdminSite(admin.AdminSite):
    site_header = "smdb-web drift"
    site_title = "smdb-web drift"
    index_title = "Systemadministration (kun driftsoperatør)"

    def has_permission(self, request) -> bool:
        user = request.user
        return bool(user.is_active and user.is_superuser)


class OperatorAdminConfig(AdminConfig):
    default_site = "accounts.admin_site.OperatorAdminSite"
