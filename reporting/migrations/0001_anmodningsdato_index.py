"""OVERBLIK and the kontrollister list forløb oldest anmodning first, 50 a page: an
index on (2-ANM, forløb) lets PostgreSQL read the first page in index order instead of
joining and sorting every forløb of the myndighed (800 ms -> 13 ms for the largest
myndighed at 100,000 forløb, benchmarks/test_bench_reports.py).

Created here rather than on cases.Anmodning's Meta: the order is the reports' need.
"""

from django.db import migrations

INDEX = "reporting_anmodning_dato_forloeb"


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_tilknytninger_i_registreringsorden")]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {INDEX} "
            "ON cases_anmodning (behandling_anmodning_dato, forloeb_id)",
            f"DROP INDEX IF EXISTS {INDEX}",
        )
    ]
