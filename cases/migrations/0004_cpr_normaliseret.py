"""Issue 15: CPR numbers saved as typed (en dash, fullwidth or mathematical digits)
become their 10 ASCII digits, the only form stored from now on
(``smdb.rules.cpr.normaliser_cpr``). A value that cannot be read is left alone."""

from django.db import migrations


def normaliser(apps, schema_editor):
    from smdb.rules.cpr import normaliser_cpr

    Kontaktforloeb = apps.get_model("cases", "Kontaktforloeb")
    for forloeb in Kontaktforloeb.objects.exclude(person_identifikator__regex=r"^[0-9]{10}$"):
        try:
            cpr = normaliser_cpr(forloeb.person_identifikator)
        except ValueError:
            continue
        Kontaktforloeb.objects.filter(pk=forloeb.pk).update(person_identifikator=cpr)


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_tilknytninger_i_registreringsorden")]

    operations = [migrations.RunPython(normaliser, migrations.RunPython.noop)]
