import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.two_factor import hemmelighed
from cases.models import (
    Afslutning,
    Anmodning,
    Ivaerksaettelse,
    Kontaktforloeb,
    SyncStatus,
    Tilbud,
    Tilbudstilknytning,
)
from cases.selectors import with_schemas
from cases.validation import validate
from smdb.models import SyncOperation, SyncOperationStatus
from smdb_simulator.models import SimSkema

# The seed sends the demo forløb to the simulator served from a thread, whose
# writes must not leak past the test: hence a transactional test.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.two_factor
def test_seed_demo_is_idempotent_and_every_forloeb_obeys_the_rules(capsys):
    call_command("seed_demo", "--password", "Demo-kode-1234")
    out = capsys.readouterr().out
    assert "sagsbehandler2" in out and "Demo-kode-1234" in out
    count = Kontaktforloeb.objects.count()
    assert count >= 30
    call_command("seed_demo", "--password", "Demo-kode-1234")
    assert Kontaktforloeb.objects.count() == count
    assert set(Kontaktforloeb.objects.values_list("myndighed__kommune_kode", flat=True)) == {
        101,
        751,
    }
    assert Tilbud.objects.count() >= 10
    for forloeb in with_schemas(Kontaktforloeb.objects.all()):
        assert validate(forloeb) == [], forloeb.pk
    states = {
        (hasattr(f, "ivaerksaettelse"), f.tilbudstilknytninger.exists(), hasattr(f, "afslutning"))
        for f in with_schemas(Kontaktforloeb.objects.all())
    }
    assert len(states) >= 4  # anmodet, iværksat, tilknyttet, afsluttet ...
    # Every demo schema went through the outbox into the simulator, exactly once.
    rows = [
        row
        for model in (Anmodning, Ivaerksaettelse, Tilbudstilknytning, Afslutning)
        for row in model.objects.all()
    ]
    assert {row.sync_status for row in rows} == {SyncStatus.SENDT}
    assert all(row.smdb_id for row in rows)
    assert SimSkema.objects.count() == len(rows)
    assert SyncOperation.objects.exclude(status=SyncOperationStatus.SENDT).count() == 0
    user = User.objects.get(username="sagsbehandler")
    assert user.check_password("Demo-kode-1234")
    assert user.myndighed.kommune_kode == 101
    assert User.objects.get(username="sagsbehandler2").myndighed.kommune_kode == 751
    # Issue 9: the demo leder and administrator log in with a code; their TOTP
    # secrets are printed, and stay the same when the seed runs again.

    for username in ("leder", "admin"):
        device = TOTPDevice.objects.get(user__username=username, confirmed=True)
        assert f"{username:<15} TOTP-nøgle: {hemmelighed(device)}" in out
    assert not TOTPDevice.objects.filter(user__username="sagsbehandler").exists()


def test_seed_demo_prints_a_random_password_when_none_is_given(capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    line = [line for line in out.splitlines() if "adgangskode: " in line][-1]
    password = line.split("adgangskode: ")[1]
    assert len(password) >= 12  # AUTH_PASSWORD_VALIDATORS' minimum (issue 9)
    assert User.objects.get(username="leder").check_password(password)


def test_seed_demo_administrator_is_not_staff_and_has_no_permissions():
    # Issue 9: the demo administrator manages users at /konto/brugere/, not in the
    # Django admin; a database seeded before gets its old rights taken away.
    old = User.objects.create(username="admin", is_staff=True)
    old.user_permissions.set(Permission.objects.filter(content_type__app_label="accounts"))
    call_command("seed_demo", "--password", "Demo-kode-1234")
    admin = User.objects.get(username="admin")
    assert admin.er_administrator
    assert not admin.is_staff and not admin.is_superuser
    assert not admin.user_permissions.exists() and not admin.groups.exists()
    assert not User.objects.filter(is_staff=True).exists()
