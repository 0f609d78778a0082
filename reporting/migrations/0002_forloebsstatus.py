"""The reports' read model (reporting.models.Forloebsstatus), filled from the forløb
already stored. Its own indexes replace 0001's index on the anmodningsdato."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def fyld(apps, schema_editor):
    from reporting.forloebsstatus import genopbyg

    genopbyg(apps=apps)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_besked'),
        ('cases', '0005_kontaktforloeb_vedligeholdes_i_smdb_web'),
        ('reporting', '0001_anmodningsdato_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Forloebsstatus',
            fields=[
                ('forloeb', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='status', serialize=False, to='cases.kontaktforloeb')),
                ('person_identifikator', models.CharField(max_length=10)),
                ('behandling_anmodning_dato', models.DateField(null=True)),
                ('ivaerksat_behandling_dato', models.DateField(null=True)),
                ('ivaerksat_behandling_dage_siden_anmodning_kvantitet', models.IntegerField(null=True)),
                ('person_ivaerksat_behandling_alder_kvantitet', models.IntegerField(null=True)),
                ('person_aktuelt_hovedstof_kode', models.CharField(blank=True, max_length=2)),
                ('oensker_borger_tilbud_laegesamtale_kode', models.CharField(blank=True, max_length=2)),
                ('laegesamtale_afholdt_indikator', models.BooleanField(null=True)),
                ('laegesamtale_afholdt_dato', models.DateField(null=True)),
                ('behandling_garanti_overskrede_aarsag_kode', models.CharField(blank=True, max_length=2)),
                ('behandling_afsluttet_dato', models.DateField(null=True)),
                ('behandling_afsluttet_aarsag_kode', models.CharField(blank=True, max_length=2)),
                ('genstart', models.BooleanField(default=False)),
                ('lukket_ved_systemskift', models.BooleanField(default=False)),
                ('tilknytning_foerste_start', models.DateField(null=True)),
                ('tilknytning_sidste_slut', models.DateField(null=True)),
                ('tilknytning_huller', models.BooleanField(default=False)),
                ('senest_aendret', models.DateTimeField(null=True)),
                ('smdb_tilstand', models.CharField(choices=[('ikke_sendt', 'Ikke sendt'), ('afventer', 'Afventer'), ('sendt', 'Sendt'), ('afvist', 'Afvist af SMDB med fejl'), ('fejl', 'Fejl – prøver igen')], default='sendt', max_length=20)),
                ('ikke_sendt_siden', models.DateTimeField(null=True)),
                ('naeste_frist', models.DateField(null=True)),
                ('myndighed', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.myndighed')),
                ('oprettet_af', models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'forløbsstatus',
                'verbose_name_plural': 'forløbsstatus',
                'indexes': [models.Index(fields=['myndighed', 'behandling_anmodning_dato', 'forloeb'], name='status_myndighed_anmodning'), models.Index(fields=['myndighed', 'ivaerksat_behandling_dato', 'forloeb'], name='status_myndighed_ivaerksat'), models.Index(fields=['myndighed', 'oprettet_af'], name='status_myndighed_bruger')],
            },
        ),
        migrations.RunPython(fyld, migrations.RunPython.noop),
        migrations.RunSQL(
            "DROP INDEX IF EXISTS reporting_anmodning_dato_forloeb",
            "CREATE INDEX IF NOT EXISTS reporting_anmodning_dato_forloeb "
            "ON cases_anmodning (behandling_anmodning_dato, forloeb_id)",
        ),
    ]
