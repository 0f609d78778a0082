"""`make run PORT=8301` (issue 23): served on another port than 8000, the demo's sends
reach the simulator it embeds, instead of every schema ending "Fejl – prøver igen".

The app is started as `make run` starts it (migrate, seed_demo, runserver on the
port), in a process of its own with its own SQLite database, and used in the browser."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from smdb.rules import today_dk
from tests.factories import cpr_for_age

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent.parent
KODE = "Demo-kode-til-test-4711"


def fri_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def demo_paa_anden_port(tmp_path):
    port = fri_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SMDB_", "DJANGO_", "DATABASE_", "REDIS_", "CELERY_"))
    }
    env.update(
        PORT=str(port),
        SMDB_VAR_DIR=str(tmp_path / "var"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        OTP_REQUIRED="false",
    )
    manage = [sys.executable, "manage.py"]
    kw = {"cwd": ROOT, "env": env, "capture_output": True, "text": True, "timeout": 300}
    for cmd in (["migrate", "--noinput"], ["seed_demo", "--password", KODE]):
        result = subprocess.run(manage + cmd, **kw)
        assert result.returncode == 0, result.stdout + result.stderr
    server = subprocess.Popen(
        [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None, server.stderr.read()
                time.sleep(0.3)
        yield f"http://127.0.0.1:{port}", tmp_path / "demo.sqlite3"
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_make_run_on_another_port_sends_to_its_own_simulator(demo_paa_anden_port, page):
    url, db = demo_paa_anden_port
    page.goto(f"{url}/konto/log-ind/")
    page.get_by_label("Brugernavn").fill("sagsbehandler")
    page.get_by_label("Adgangskode").fill(KODE)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(f"{url}/")
    page.get_by_role("link", name="Registrér anmodning").first.click()
    page.get_by_label("6-ANM CPR-nummer").fill(cpr_for_age(33, serial=977))
    page.get_by_label("2-ANM Anmodningsdato").fill((today_dk() - timedelta(days=3)).isoformat())
    page.get_by_label("3-ANM Tidligere i stofmisbrugsbehandling").select_option(label="Nej")
    page.get_by_label("9-ANM Borger eller partner gravid").select_option(label="Uoplyst")
    page.get_by_label("5-ANM Psykisk funktionsnedsættelse").select_option(label="Nej")
    page.get_by_role("button", name="Registrér anmodning").click()
    expect(page.get_by_text("Anmodningen er registreret.")).to_be_visible()
    expect(page.get_by_text("Fejl – prøver igen")).to_have_count(0)
    with sqlite3.connect(db) as con:
        status = con.execute(
            "SELECT sync_status FROM cases_anmodning ORDER BY id DESC LIMIT 1"
        ).fetchone()[0]
    assert status == "sendt"
