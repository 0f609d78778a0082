"""Load through the production shape (issue 24): 50 signed-in caseworkers for 2
minutes against gunicorn with docker-compose's command and settings, on PostgreSQL,
behind Caddy over HTTPS, with the real worker (tests/production's stack).

    make bench-load        # DATABASE_URL=postgres://... ; BENCH_USERS, BENCH_SECONDS
    BENCH_PAUSE=5 make bench-load   # each caseworker reads a page ~5 s before clicking

Each caseworker loops over the real mix: the front page, Find borger (a POST with a
CPR), the case page of one of its forløb, and every tenth request a new Anmodning
(a submit). By default each clicks again the moment a page arrives (the most the
machine can serve); BENCH_PAUSE gives them a human pace: between 0.5 and 1.5 times
that many seconds before each click, drawn per caseworker from a fixed seed.
Printed: requests/s, p50/p95 per page, errors. Target on 2 cores: 0 errors,
p95 <= 500 ms for pages, <= 800 ms for submits.
"""

from __future__ import annotations

import os
import random
import re
import statistics
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.factories import cpr_for_age
from tests.production import test_production_shape as shape
from tests.production.test_production_shape import csrf, register

production = shape.production  # the stack of tests/production, as a fixture here

pytestmark = [pytest.mark.bench, pytest.mark.production]

USERS = int(os.environ.get("BENCH_USERS", "50"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "120"))
PAUSE = float(os.environ.get("BENCH_PAUSE", "0"))
PASSWORD = "Belastning-test-2026!"

SEED = f"""
from django.contrib.auth.hashers import make_password
from accounts.models import Myndighed, Rolle, User
m = Myndighed.objects.get(kommune_kode=101)
hashed = make_password({PASSWORD!r})  # once: 50 hashes took minutes on a busy machine
User.objects.bulk_create(
    User(username=f"last{{n}}", myndighed=m, rolle=Rolle.SAGSBEHANDLER,
         first_name="Last", last_name=str(n), password=hashed)
    for n in range({USERS})
)
print(json.dumps({USERS}))
"""


def sign_in(p, n: int) -> requests.Session:
    s = requests.Session()
    s.trust_env = False
    s.verify = p["verify"]
    url = f"{p['base']}/konto/log-ind/"
    page = s.get(url, timeout=30)
    r = s.post(
        url,
        data={"username": f"last{n}", "password": PASSWORD, "csrfmiddlewaretoken": csrf(page.text)},
        headers={"Referer": url},
        timeout=30,
    )
    assert r.url == f"{p['base']}/", r.url
    return s


def caseworker(p, n: int, s: requests.Session, until: float, times, errors, lock) -> None:
    serial, age = 1, 20 + n  # each caseworker its own citizens (one per age, serials)
    own, _ = register(p, s, cpr_for_age(age, serial))
    cprs = [cpr_for_age(age, serial)]
    pace = random.Random(n)
    i = 0
    while time.monotonic() < until:
        i += 1
        if PAUSE:
            time.sleep(PAUSE * pace.uniform(0.5, 1.5))
            if time.monotonic() >= until:
                break
        if i % 10 == 0:
            serial += 1
            cpr = cpr_for_age(age, serial)
            page, call = "submit", lambda c=cpr: register(p, s, c)
        else:
            page = ("front", "find_borger", "case")[i % 3]
            call = None
        started = time.monotonic()
        try:
            if page == "submit":
                ref, _ = call()
                own = ref
                cprs.append(cpr)
            elif page == "front":
                r = s.get(f"{p['base']}/", timeout=30)
                assert r.status_code == 200, r.status_code
            elif page == "find_borger":
                url = f"{p['base']}/borger/"
                form = s.get(url, timeout=30)
                r = s.post(
                    url,
                    data={"cpr": cprs[i % len(cprs)], "csrfmiddlewaretoken": csrf(form.text)},
                    headers={"Referer": url},
                    timeout=30,
                )
                assert r.status_code == 200 and re.search(r"/forloeb/\d+/", r.text), r.status_code
            else:
                r = s.get(f"{p['base']}/forloeb/{own}/", timeout=30)
                assert r.status_code == 200, r.status_code
            took = time.monotonic() - started
            with lock:
                times[page].append(took)
        except Exception as exc:  # counted and shown, never hidden
            with lock:
                errors.append(f"{page}: {exc!r}"[:300])


def test_50_caseworkers_for_2_minutes_through_gunicorn_and_caddy(production, benchmark):
    p = production
    p["query"](SEED)
    times: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    lock = threading.Lock()

    # Signed in before the clock starts (a password check is slow on purpose, and
    # 50 at once are not what a working day looks like), a few at a time.
    with ThreadPoolExecutor(max_workers=4) as pool:
        sessions = list(pool.map(lambda n: sign_in(p, n), range(USERS)))

    def load():
        until = time.monotonic() + SECONDS
        with ThreadPoolExecutor(max_workers=USERS) as pool:
            for f in [
                pool.submit(caseworker, p, n, sessions[n], until, times, errors, lock)
                for n in range(USERS)
            ]:
                f.result()

    started = time.monotonic()
    benchmark.pedantic(load, rounds=1, iterations=1)
    wall = time.monotonic() - started
    total = sum(len(v) for v in times.values())
    lines = [
        f"\n{USERS} caseworkers, pause {PAUSE:g} s, {wall:.0f} s: {total / wall:.1f} requests/s,"
        f" {len(errors)} errors"
    ]
    for page, ts in sorted(times.items()):
        ms = sorted(t * 1000 for t in ts)
        p95 = ms[int(0.95 * (len(ms) - 1))]
        lines.append(
            f"  {page:12} {len(ms):6} requests  p50 {statistics.median(ms):6.0f} ms"
            f"  p95 {p95:6.0f} ms"
        )
        benchmark.extra_info[f"{page}_p95_ms"] = p95
    benchmark.extra_info["errors"] = len(errors)
    print("\n".join(lines))
    for e in errors[:10]:
        print("  error:", e)
    assert not errors
