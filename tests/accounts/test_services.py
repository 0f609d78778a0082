"""accounts.services refuse on their own, whatever view calls them (issue 9)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from accounts import services
from accounts.models import Rolle
from audit.models import AuditEntry

pytestmark = pytest.mark.django_db

NEW = {
    "username": "ny",
    "first_name": "Ny",
    "last_name": "Bruger",
    "email": "ny@example.dk",
    "rolle": Rolle.SAGSBEHANDLER,
    "base_url": "https://smdb.example.dk/",
}


@pytest.mark.parametrize("who", ["alice", "leder"])
def test_only_an_administrator_creates_users(who, request):
    with pytest.raises(PermissionDenied):
        services.bruger_opret(administrator=request.getfixturevalue(who), **NEW)


def test_another_myndigheds_user_is_refused(charlie, bob):
    with pytest.raises(PermissionDenied):
        services.bruger_saet_aktiv(administrator=charlie, bruger=bob, aktiv=False)
    with pytest.raises(PermissionDenied):
        services.bruger_send_link(administrator=charlie, bruger=bob, base_url="https://x/")
    with pytest.raises(PermissionDenied):
        services.bruger_aendr(
            administrator=charlie,
            bruger=bob,
            first_name="B",
            last_name="B",
            email="b@example.dk",
            rolle=Rolle.ADMINISTRATOR,
        )
    bob.refresh_from_db()
    assert bob.is_active and bob.rolle == Rolle.SAGSBEHANDLER
    assert not AuditEntry.objects.exists()


def test_a_user_is_created_in_the_administrators_myndighed_only(charlie, kbh):
    ny = services.bruger_opret(administrator=charlie, **NEW)
    assert ny.myndighed == kbh
    assert not ny.is_staff and not ny.is_superuser and not ny.has_usable_password()
