"""Project-level checks: production settings, docker-compose, logging of CPR numbers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.urls import reverse

from audit.models import AuditEntry
from tests.factories import ForloebFactory

ROOT = Path(__file__).resolve().parent.parent


def test_production_settings_pass_check_deploy(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DEBUG": "false",
        "SECRET_KEY": "x" * 20 + "-production-secret-key-that-is-long-enough-1234567890",
        "ALLOWED_HOSTS": "smdb.example.dk",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
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
