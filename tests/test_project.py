"""Project-level checks: production settings, docker-compose, logging of CPR numbers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.urls import reverse

from audit.models import AuditEntry
from tests.factories import ForloebFactory

ROOT = Path(__file__).resolve().parent.parent
# A valid Fernet key (certificates.checks refuses any other with DEBUG off).
FERNET_KEY = "tm5hT0ZB4wPXqjG0aHT3PrxU9cQW3qV8yNw5nYp1rYA="


def test_production_settings_pass_check_deploy(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DEBUG": "false",
        "SECRET_KEY": "x" * 20 + "-production-secret-key-that-is-long-enough-1234567890",
        "ALLOWED_HOSTS": "smdb.example.dk",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        "FIELD_ENCRYPTION_KEY": FERNET_KEY,
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_secret_key():
    env = {**os.environ, "DEBUG": "false", "SECRET_KEY": ""}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_docker_compose_services_point_at_real_code():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"web", "worker", "beat", "db", "redis"} <= set(services)
    assert "gunicorn smdb_web.wsgi" in services["web"]["command"]
    assert (ROOT / "smdb_web" / "wsgi.py").exists()
    for name in ("worker", "beat"):
        assert "celery -A smdb_web" in services[name]["command"]
    assert (ROOT / "smdb_web" / "celery.py").exists()
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["REDIS_URL"].startswith("redis://")
    assert (ROOT / "Dockerfile").exists()


@pytest.mark.django_db
def test_audit_log_is_readable_by_administrators_of_the_same_myndighed(
    client, alice, charlie, bob, kbh
):
    forloeb = ForloebFactory(myndighed=kbh)
    client.force_login(alice)
    client.get(reverse("cases:forloeb_detail", args=[forloeb.pk]))
    client.force_login(charlie)
    response = client.get(reverse("audit:audit_list"))
    assert response.status_code == 200
    entries = list(response.context["page"])
    assert [(e.bruger, e.forloeb_id) for e in entries] == [(alice, forloeb.pk)]
    # Caseworkers cannot read the log.
    client.force_login(alice)
    assert client.get(reverse("audit:audit_list")).status_code == 403
    # The refusal is itself in the log (issue 9).
    assert list(AuditEntry.objects.values_list("handling", flat=True)) == ["afvist", "vist"]


@pytest.mark.django_db
def test_every_page_requires_login(client, kbh):
    forloeb = ForloebFactory(myndighed=kbh)
    for url in (
        reverse("cases:home"),
        reverse("cases:find_borger"),
        reverse("cases:forloeb_detail", args=[forloeb.pk]),
        reverse("audit:audit_list"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_favicon_ico_is_the_one_icon_without_signing_in(client):
    """Not a 404 in the console of a response without the icon link (issue 23)."""
    response = client.get("/favicon.ico")
    assert (response.status_code, response.url) == (302, static("img/favicon.svg"))
    assert "<svg" in Path(finders.find("img/favicon.svg")).read_text()


# --- Issue 9: production shape ---------------------------------------------------

# Values a deploy's .env would give the variables docker-compose requires.
DEPLOY_ENV_VALUES = {
    "SECRET_KEY": "deploy-" + "k" * 60,
    "POSTGRES_PASSWORD": "pg-secret",
    "SITE_ADDRESS": "smdb.example.dk",
    "FIELD_ENCRYPTION_KEY": FERNET_KEY,
    "EMAIL_HOST": "smtp.example.dk",
    "DEFAULT_FROM_EMAIL": "smdb-web <noreply@example.dk>",
}


def compose_env(service: str) -> dict[str, str]:
    """The environment docker-compose gives ``service``, its ${...} filled in as
    ``docker compose`` would from an .env holding DEPLOY_ENV_VALUES."""
    import re

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())

    def fill(match):
        name, op, default = match.group(1), match.group(2), match.group(3) or ""
        if name in DEPLOY_ENV_VALUES:
            return DEPLOY_ENV_VALUES[name]
        if op in (":-", "-"):
            return default
        pytest.fail(f"docker-compose kræver {name}: giv den en værdi i DEPLOY_ENV_VALUES")

    pattern = re.compile(r"\$\{(\w+)(?:(:?[-?])([^}]*))?\}")
    env = compose["services"][service]["environment"]
    return {k: pattern.sub(fill, str(v)) for k, v in env.items()}


def run_python(env: dict, code: str) -> subprocess.CompletedProcess:
    base = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "smdb_web.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_docker_compose_env_passes_check_deploy():
    env = compose_env("web")
    assert env["DEBUG"] == "false" and env["TRUSTED_PROXY"] == "true"
    result = run_python(
        env,
        "import sys; from django.core.management import execute_from_command_line as x; "
        "x(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_docker_compose_puts_caddy_terminating_tls_in_front_of_gunicorn():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    caddy = services["caddy"]
    assert caddy["image"].startswith("caddy:")
    assert "443:443" in caddy["ports"]
    assert "./Caddyfile:/etc/caddy/Caddyfile:ro" in caddy["volumes"]
    # Only the proxy is published; gunicorn is reached through it.
    published = [name for name, s in services.items() if s.get("ports")]
    assert published == ["caddy"]
    caddyfile = (ROOT / "Caddyfile").read_text()
    assert "{$SITE_ADDRESS} {" in caddyfile
    assert "reverse_proxy {$WEB_UPSTREAM:web:8000}" in caddyfile
    assert "--bind 0.0.0.0:8000" in services["web"]["command"]


PRINT_PROXY_HEADER = (
    "import django; django.setup(); from django.conf import settings; "
    "print(getattr(settings, 'SECURE_PROXY_SSL_HEADER', None))"
)


def test_proxy_ssl_header_is_trusted_only_when_a_trusted_proxy_is_configured():
    env = {k: v for k, v in compose_env("web").items() if k != "TRUSTED_PROXY"}
    without = run_python(env, PRINT_PROXY_HEADER)
    assert without.returncode == 0, without.stderr
    assert without.stdout.strip() == "None"  # DEBUG off alone is not enough
    with_proxy = run_python({**env, "TRUSTED_PROXY": "true"}, PRINT_PROXY_HEADER)
    assert with_proxy.stdout.strip() == "('HTTP_X_FORWARDED_PROTO', 'https')"


def test_simulator_is_never_served_with_debug_off():
    from django.urls import resolve

    from smdb import contract

    paths = [f"/smdbwebservice/api/external/v1/{svc}" for svc, _, _ in contract.SERVICES.values()]
    # In development (this test process was configured with DEBUG on) they are routed ...
    for path in paths:
        assert resolve(path).url_name
    # ... in production never, even when the environment asks for the simulator.
    env = {**compose_env("web"), "SMDB_SIMULATOR_ENABLED": "true"}
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "from django.urls import resolve, Resolver404\n"
        "print('enabled', settings.SMDB_SIMULATOR_ENABLED)\n"
        f"for p in {paths!r}:\n"
        "    try:\n        resolve(p); print('served', p)\n"
        "    except Resolver404:\n        print('404', p)\n"
    )
    result = run_python(env, code)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "enabled False"
    assert lines[1:] == [f"404 {p}" for p in paths]


def test_production_check_deploy_requires_field_encryption_key(tmp_path):
    """Issue 23: the demo's development key is never used with DEBUG off."""
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE",)},
        "DEBUG": "false",
        "SECRET_KEY": "x" * 20 + "-production-secret-key-that-is-long-enough-1234567890",
        "ALLOWED_HOSTS": "smdb.example.dk",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        "FIELD_ENCRYPTION_KEY": "",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "certificates.E001" in result.stderr
