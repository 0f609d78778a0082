"""The supervisors' pages at 100,000 forløb across 10 myndigheder (issue 12).

For OVERBLIK, each kontrolliste, hovedtal, godkendelse and the front page, as the
leder of the largest myndighed (about 18,000 forløb): the queries per page (and the
same page's count for the smallest myndighed, about 1,800 forløb: it must be equal),
the server time per request through Django's test client (middleware, view, ORM,
template), and "raw SQL": the very statements that page ran, replayed on a bare
cursor in the same run, with their rows fetched, and the difference ("Python": the
request's own work; the last three pages, "gulv", measure the floor every signed-in
page pays: session, user and middleware, then base.html, then a small form).
Targets: <= 8 queries per page, server time <= 3x the raw SQL, p95 <= 150 ms on
PostgreSQL::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smdb_bench \\
        .venv/bin/pytest benchmarks/test_bench_reports.py --benchmark-only --reuse-db

Loading the data (bulk insert) takes a few minutes; with ``--reuse-db`` a second run
finds it in the kept test database and starts at once (the dates were drawn relative
to the day it was loaded). The figures go to
/tmp/bench-reports.txt as each page is done, into each benchmark's ``extra_info``
and a table at the end; they are measurements, not asserts.
"""

from __future__ import annotations

import statistics
import time

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Rolle, User
from benchmarks import reporting_data
from reporting import selectors
from smdb.rules.dato import today_dk

pytestmark = [pytest.mark.bench, pytest.mark.django_db]

ROUNDS = 15
RESULTS: dict[str, dict] = {}

PAGES = [
    ("forside", reverse("reporting:forside")),
    ("overblik", reverse("reporting:overblik")),
    ("overblik side 100", reverse("reporting:overblik") + "?page=100"),
    (
        "overblik sorteret+filtreret",
        reverse("reporting:overblik") + "?sort=-dage&tilstand=ivaerksat",
    ),
    *[
        (f"kontrolliste {slug}", reverse("reporting:kontrolliste", kwargs={"liste": slug}))
        for slug in selectors.KONTROLLISTER
    ],
    ("hovedtal", reverse("reporting:hovedtal")),
    ("godkendelse", reverse("reporting:godkendelse")),
    # The floor every page above pays, in three steps: a signed-in request with an
    # empty answer (session, user, middleware), then base.html, then a real page that
    # reads no report (benchmarks/gulv_urls.py).
    ("gulv: tom side", "/bench/gulv/tom/"),
    ("gulv: base.html", "/bench/gulv/base/"),
    ("gulv: skift adgangskode", reverse("password_change")),
]


@pytest.fixture(autouse=True)
def _gulvsider(settings):
    settings.ROOT_URLCONF = "benchmarks.gulv_urls"


@pytest.fixture(scope="session")
def bench_data(django_db_setup, django_db_blocker, request):
    with django_db_blocker.unblock():
        t0 = time.perf_counter()
        myndigheder = reporting_data.loaded() or reporting_data.load(today=today_dk())
        load_s = time.perf_counter() - t0
        ledere = [
            User.objects.get(myndighed=m, rolle=Rolle.LEDER)
            for m in (myndigheder[-1], myndigheder[0])
        ]
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")

    def summary():
        if not RESULTS:
            return
        w = reporter.write_line
        w("")
        w(f"Reporting benchmark: {reporting_data.TOTAL} forløb loaded in {load_s:.0f} s")
        w(
            f"{'page':34} {'queries':>7} {'(small)':>7} {'median ms':>9} {'p95 ms':>7} "
            f"{'raw SQL ms':>10} {'Python ms':>9} {'ratio':>6}"
        )
        for name, r in RESULTS.items():
            w(
                f"{name:34} {r['queries']:>7} {r['queries_small']:>7} {r['median_ms']:>9.1f} "
                f"{r['p95_ms']:>7.1f} {r['raw_sql_ms']:>10.1f} "
                f"{r['median_ms'] - r['raw_sql_ms']:>9.1f} {r['ratio']:>6.2f}"
            )

    request.addfinalizer(summary)
    return {"stor": ledere[0], "lille": ledere[1]}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _captured(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return [q["sql"] for q in ctx.captured_queries]


def _raw_sql_ms(statements: list[str]) -> float:
    """Median time to run the page's SELECTs on a bare cursor and fetch their rows."""
    selects = [s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))]
    times = []
    with connection.cursor() as cursor:
        for _ in range(ROUNDS):
            t0 = time.perf_counter()
            for sql in selects:
                cursor.execute(sql)
                cursor.fetchall()
            times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


@pytest.mark.benchmark(group="reporting-pages")
@pytest.mark.parametrize(("name", "url"), PAGES, ids=[p[0] for p in PAGES])
def test_bench_report_page(benchmark, bench_data, name, url):
    client = _client(bench_data["stor"])
    for _ in range(3):
        client.get(url)  # warm the caches and the connection
    statements = _captured(client, url)
    small = _captured(_client(bench_data["lille"]), url)
    raw_ms = _raw_sql_ms(statements)
    benchmark.pedantic(lambda: client.get(url), rounds=ROUNDS, iterations=1)
    data = sorted(benchmark.stats.stats.sorted_data)
    median_ms = statistics.median(data) * 1000
    p95_ms = data[max(0, round(0.95 * len(data)) - 1)] * 1000
    RESULTS[name] = r = {
        "queries": len(statements),
        "queries_small": len(small),
        "median_ms": median_ms,
        "p95_ms": p95_ms,
        "raw_sql_ms": raw_ms,
        "ratio": median_ms / raw_ms if raw_ms else float("inf"),
    }
    benchmark.extra_info.update(r)
    # Also as the run goes (a long run that is stopped keeps what it measured).
    with open("/tmp/bench-reports.txt", "a", encoding="utf-8") as fh:
        fh.write(f"{name}: {r}\n")
