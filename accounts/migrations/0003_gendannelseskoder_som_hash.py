"""Recovery codes stored before they were hashed (accounts.two_factor) are replaced by
their keyed hash: the codes the users hold keep working, the table no longer holds them.
A plain code is 8 characters (django-otp's random_token), a hash 16."""

from django.db import migrations


def hash_gamle_koder(apps, schema_editor):
    from accounts.two_factor import GENDANNELSE_NAVN, gendannelseskode_hash

    StaticToken = apps.get_model("otp_static", "StaticToken")
    gamle = StaticToken.objects.filter(device__name=GENDANNELSE_NAVN).exclude(
        token__regex=r"^[0-9a-f]{16}$"
    )
    for token in gamle:
        token.token = gendannelseskode_hash(token.token)
        token.save(update_fields=["token"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_besked"),
        ("otp_static", "0003_add_timestamps"),
    ]

    # Backwards there is nothing to restore: a hash does not give the code back.
    operations = [migrations.RunPython(hash_gamle_koder, migrations.RunPython.noop)]
