"""The production shape, run for real (issue 24): docker-compose's services started
natively with the compose file's own commands and environment (read from
docker-compose.yml, so the file and this test cannot drift), behind Debian's caddy
with CADDY_TLS=internal, a Redis of the test's own and the standalone SMDB simulator.

A caseworker signs in over verified HTTPS, registers a forløb in the form and sees it
reach SMDB through the worker; Redis is stopped (a submit still answers at once, and
/healthz says 503 broker) and started again: every waiting schema arrives, none twice.

Only host names and ports are changed, each to 127.0.0.1 and a free port; only in
CI (CI=true) is a missing caddy, redis-server or PostgreSQL a failure.

    CI=true DATABASE_URL=postgres://postgres@127.0.0.1:5432/smdb_web \\
        .venv/bin/pytest tests/production -m production
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
import yaml

from tests.conftest import require_service
from tests.factories import cpr_for_age

pytestmark = [pytest.mark.production]

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
USERNAME, PASSWORD = "sagsbehandler", "Produktion-test-2026!"

# What a municipality's .env gives the variables docker-compose requires.
DOT_ENV = {
    "SECRET_KEY": "production-test-" + "s" * 50,
    "POSTGRES_PASSWORD": "unused-here",
    "SITE_ADDRESS": "localhost",
    "CADDY_TLS": "internal",
    "FIELD_ENCRYPTION_KEY": "ZmllbGQta2V5LWZvci10aGUtcHJvZHVjdGlvbi10ZXM=",
    "EMAIL_HOST": "127.0.0.1",
    "DEFAULT_FROM_EMAIL": "smdb-web <noreply@localhost>",
}


def interpolate(value: str, env: dict) -> str:
    """docker compose's ${VAR}, ${VAR:-default} and ${VAR:?error}, a default or error
    itself holding ${...}; evaluated as compose does, the default only when needed."""
    out, i = [], 0
    while (start := value.find("${", i)) != -1:
        out.append(value[i:start])
        depth, j = 1, start + 2
        while depth:
            depth += {"{": 1, "}": -1}.get(value[j], 0)
            j += 1
        m = re.fullmatch(r"(\w+)(?:(:?[-?])(.*))?", value[start + 2 : j - 1], re.S)
        name, op, arg = m.group(1), m.group(2) or "", m.group(3) or ""
        if env.get(name):
            out.append(env[name])
        elif op.endswith("-"):
            out.append(interpolate(arg, env))
        elif op.endswith("?"):
            pytest.fail(f"docker-compose kræver {name}: {interpolate(arg, env)}")
        i = j
    out.append(value[i:])
    return "".join(out)


def compose_service(name: str) -> dict:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    service = compose["services"][name]
    env = {k: interpolate(str(v), DOT_ENV) for k, v in (service.get("environment") or {}).items()}
    return {"command": service.get("command"), "environment": env}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, *, timeout: float, what: str, interval: float = 0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = predicate()
        except Exception:
            value = None
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"Ventede {timeout:.0f} s forgæves på: {what}")


class Stack:
    """The processes, each in its own process group, each logging to a file."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.procs: dict[str, subprocess.Popen] = {}

    def start(self, name: str, argv: list[str], env: dict) -> subprocess.Popen:
        log = (self.tmp / f"{name}.log").open("ab")
        proc = subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.procs[name] = proc
        return proc

    def stop(self, name: str) -> None:
        proc = self.procs.pop(name, None)
        if proc and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)

    def stop_all(self) -> None:
        for name in reversed(list(self.procs)):
            self.stop(name)

    def logs(self) -> str:
        return "\n".join(
            f"--- {p.name} ---\n{p.read_text(errors='replace')[-3000:]}"
            for p in sorted(self.tmp.glob("*.log"))
        )


def run(argv: list[str], env: dict, timeout: float = 180) -> str:
    result = subprocess.run(
        argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


def as_argv(command) -> list[str]:
    return shlex.split(command) if isinstance(command, str) else list(command)


@pytest.fixture
def production(tmp_path):
    require_service(bool(shutil.which("caddy")), "caddy (apt-get install caddy)")
    require_service(bool(shutil.which("redis-server")), "redis-server")
    base_url = os.environ.get("DATABASE_URL", "")
    require_service(base_url.startswith("postgres"), "PostgreSQL (DATABASE_URL=postgres://...)")

    db_name = f"{base_url.rsplit('/', 1)[1]}_production"
    db_url = f"{base_url.rsplit('/', 1)[0]}/{db_name}"
    psql_base = base_url.rsplit("/", 1)[0] + "/postgres"
    ports = {k: free_port() for k in ("web", "redis", "sim", "https", "http")}
    stack = Stack(tmp_path)
    os_env = {k: os.environ[k] for k in ("HOME", "LANG", "TZ") if k in os.environ}
    os_env["PATH"] = f"{BIN}:{os.environ.get('PATH', '/usr/bin:/bin')}"

    def psql(sql: str) -> None:
        import psycopg

        with psycopg.connect(psql_base, autocommit=True) as conn:
            conn.execute(sql)

    psql(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
    psql(f'CREATE DATABASE "{db_name}"')

    # The compose file's environment for web, worker and beat; only where the services
    # are is changed (db, redis, the SMDB endpoint) and the static files' place.
    def app_env(service: str) -> dict:
        env = compose_service(service)["environment"]
        assert env["DEBUG"] == "false" and env["TRUSTED_PROXY"] == "true"
        assert env["DATABASE_URL"].endswith("@db:5432/smdb")
        assert env["REDIS_URL"] == "redis://redis:6379/0"
        return {
            **os_env,
            **env,
            "DATABASE_URL": db_url,
            "REDIS_URL": f"redis://127.0.0.1:{ports['redis']}/0",
            "SMDB_ENDPOINT": f"http://127.0.0.1:{ports['sim']}/smdbwebservice/api/external/v1/",
            "STATIC_ROOT": str(tmp_path / "static"),
            "DJANGO_SETTINGS_MODULE": "smdb_web.settings",
            "PYTHONUNBUFFERED": "1",
        }

    def start_redis():
        stack.start(
            "redis",
            [
                "redis-server",
                "--port",
                str(ports["redis"]),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            os_env,
        )
        wait_for(lambda: port_open(ports["redis"]), timeout=15, what="redis-server")

    try:
        start_redis()
        # The standalone simulator, with its own database (it is SMDB, not us).
        sim_env = {
            **os_env,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'simulator.sqlite3'}",
            "DJANGO_SETTINGS_MODULE": "smdb_web.settings",
            "SMDB_VAR_DIR": str(tmp_path),
        }
        run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], sim_env)
        stack.start(
            "simulator",
            [sys.executable, "manage.py", "run_smdb_simulator", "--port", str(ports["sim"])],
            sim_env,
        )
        web_env = app_env("web")
        # The Dockerfile's collectstatic (hashed files for whitenoise).
        run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], web_env)
        web = as_argv(compose_service("web")["command"])
        assert web[:2] == ["sh", "-c"] and "--bind 0.0.0.0:8000" in web[2]
        web[2] = web[2].replace("--bind 0.0.0.0:8000", f"--bind 127.0.0.1:{ports['web']}")
        stack.start("web", web, web_env)
        worker = as_argv(compose_service("worker")["command"])
        stack.start("worker", worker, app_env("worker"))
        beat = as_argv(compose_service("beat")["command"])
        beat = [
            str(tmp_path / "celerybeat-schedule") if a.startswith("/app/var/") else a for a in beat
        ]
        stack.start("beat", beat, app_env("beat"))
        caddy_env = {
            **os_env,
            **compose_service("caddy")["environment"],
            "CADDY_HTTPS_PORT": str(ports["https"]),
            "CADDY_HTTP_PORT": str(ports["http"]),
            "CADDY_ADMIN": "off",
            "WEB_UPSTREAM": f"127.0.0.1:{ports['web']}",
            "XDG_DATA_HOME": str(tmp_path / "caddy-data"),
            "XDG_CONFIG_HOME": str(tmp_path / "caddy-config"),
        }
        assert caddy_env["CADDY_TLS"] == "internal" and caddy_env["SITE_ADDRESS"] == "localhost"
        stack.start(
            "caddy",
            ["caddy", "run", "--config", str(ROOT / "Caddyfile"), "--adapter", "caddyfile"],
            caddy_env,
        )
        root = tmp_path / "caddy-data" / "caddy" / "pki" / "authorities" / "local" / "root.crt"
        wait_for(root.exists, timeout=30, what="Caddys interne rodcertifikat")
        base = f"https://localhost:{ports['https']}"

        def healthy():
            return requests.get(f"{base}/healthz", verify=str(root), timeout=5).status_code == 200

        wait_for(healthy, timeout=120, what="/healthz 200 gennem Caddy (migrate, gunicorn)")
        run(
            [sys.executable, "-c", SEED_USER],
            {**web_env, "SEED_USERNAME": USERNAME, "SEED_PASSWORD": PASSWORD},
        )
        yield {
            "base": base,
            "verify": str(root),
            "stack": stack,
            "start_redis": start_redis,
            "query": lambda code: json.loads(
                run([sys.executable, "-c", QUERY_PRELUDE + code], web_env).strip().splitlines()[-1]
            ),
            "sim_query": lambda code: json.loads(
                run([sys.executable, "-c", QUERY_PRELUDE + code], sim_env).strip().splitlines()[-1]
            ),
        }
    finally:
        stack.stop_all()
        print(stack.logs())  # shown when the test fails
        psql(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


SEED_USER = """
import os, django
django.setup()
from accounts.models import Myndighed, Rolle, User
m, _ = Myndighed.objects.get_or_create(kommune_kode=101, defaults={"navn": "København"})
u = User(username=os.environ["SEED_USERNAME"], myndighed=m, rolle=Rolle.SAGSBEHANDLER,
         first_name="Sara", last_name="Sagsbehandler")
u.set_password(os.environ["SEED_PASSWORD"])
u.save()
"""

QUERY_PRELUDE = "import json, django\ndjango.setup()\n"


def csrf(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def sign_in(p) -> requests.Session:
    s = requests.Session()
    s.trust_env = False  # else REQUESTS_CA_BUNDLE would win over verify
    s.verify = p["verify"]
    page = s.get(f"{p['base']}/konto/log-ind/", timeout=10)
    assert page.status_code == 200
    assert page.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    response = s.post(
        f"{p['base']}/konto/log-ind/",
        data={"username": USERNAME, "password": PASSWORD, "csrfmiddlewaretoken": csrf(page.text)},
        headers={"Referer": f"{p['base']}/konto/log-ind/"},
        timeout=10,
    )
    assert response.status_code == 200 and response.url == f"{p['base']}/", response.url
    assert s.cookies.get("sessionid") and all(c.secure for c in s.cookies)
    return s


def register(p, s: requests.Session, cpr: str) -> tuple[int, float]:
    """The caseworker fills in Ny anmodning; returns the forløb's number and the time."""
    url = f"{p['base']}/anmodning/ny/"
    form = s.get(url, timeout=10)
    assert form.status_code == 200
    from datetime import timedelta

    from smdb.rules import today_dk

    data = {
        "csrfmiddlewaretoken": csrf(form.text),
        "person_identifikator": cpr,
        "behandling_anmodning_dato": (today_dk() - timedelta(days=2)).isoformat(),
        "behandling_tidligere_kode": "02",
        "person_eller_partner_gravid_kode": "99",
        "person_psykisk_funktionsnedsaettelse_kode": "01",
    }
    started = time.monotonic()
    response = s.post(url, data=data, headers={"Referer": url}, timeout=30)
    took = time.monotonic() - started
    assert response.status_code == 200, response.text[-2000:]
    match = re.search(r"/forloeb/(\d+)/$", response.url)
    assert match, f"ikke sendt videre til forløbet: {response.url}"
    return int(match.group(1)), took


def sent(p, refs: list[int]) -> dict:
    return p["query"](
        "from smdb.models import SyncOperation\n"
        f"ops = SyncOperation.objects.filter(forloeb_ref__in={refs!r})\n"
        "print(json.dumps([[o.forloeb_ref, o.status, o.attempts] for o in ops]))"
    )


def in_smdb(p, cprs: list[str]) -> list[str]:
    return p["sim_query"](
        "from smdb_simulator.models import SimSkema\n"
        f"rows = SimSkema.objects.filter(schema='anmodning', person_identifikator__in={cprs!r})\n"
        "print(json.dumps([r.person_identifikator for r in rows]))"
    )


def test_the_compose_services_run_behind_caddy_and_survive_a_broker_outage(production):
    p = production
    health = requests.get(f"{p['base']}/healthz", verify=p["verify"], timeout=5)
    assert health.json() | {"smdb_outbox_oldest_pending_seconds": None} == {
        "status": "ok",
        "database": "ok",
        "broker": "ok",
        "smdb_outbox_oldest_pending_seconds": None,
    }

    s = sign_in(p)
    first_cpr = cpr_for_age(40, 1)
    first, usual = register(p, s, first_cpr)
    wait_for(
        lambda: sent(p, [first]) == [[first, "sendt", 1]],
        timeout=60,
        what="forløbet sendt til SMDB af workeren",
    )
    assert in_smdb(p, [first_cpr]) == [first_cpr]

    # Redis goes away.
    p["stack"].stop("redis")
    down = wait_for(
        lambda: (
            requests.get(f"{p['base']}/healthz", verify=p["verify"], timeout=10).json()["status"]
            == "down"
        ),
        timeout=30,
        what="/healthz 503",
    )
    down = requests.get(f"{p['base']}/healthz", verify=p["verify"], timeout=10)
    assert down.status_code == 503
    assert down.json()["down"] == ["broker"] and down.json()["database"] == "ok"
    cprs = [cpr_for_age(41, n) for n in range(2, 5)]
    waiting = []
    for cpr in cprs:
        ref, took = register(p, s, cpr)
        waiting.append(ref)
        assert took < usual + 1.0, f"en indsendelse tog {took:.1f} s uden broker ({usual:.1f} s)"
    assert {status for _, status, _ in sent(p, waiting)} == {"venter"}

    # Redis is back: everything waiting arrives within 90 s, each once.
    p["start_redis"]()
    back = time.monotonic()
    wait_for(
        lambda: sorted(sent(p, waiting)) == sorted([ref, "sendt", 1] for ref in waiting),
        timeout=90,
        interval=2,
        what="de ventende skemaer sendt, hver én gang, inden 90 s",
    )
    print(f"\nSendt {time.monotonic() - back:.0f} s efter Redis kom tilbage")
    assert sorted(in_smdb(p, [first_cpr, *cprs])) == sorted([first_cpr, *cprs])
    assert requests.get(f"{p['base']}/healthz", verify=p["verify"], timeout=10).status_code == 200
