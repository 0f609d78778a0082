"""The test OpenID Provider (tests/oidc/provider/provider.js, the npm package
oidc-provider) as a process of the test run: installed with ``npm ci`` from the
committed package-lock.json, started on a free port, its accounts rewritten by tests."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import requests

PROVIDER_DIR = Path(__file__).parent / "provider"
# This session's ports for what the tests start themselves (override with OIDC_TEST_PORTS).
PORTS = range(*map(int, os.environ.get("OIDC_TEST_PORTS", "9700-9800").split("-")))


def node_and_npm() -> tuple[str | None, str | None]:
    return shutil.which("node"), shutil.which("npm")


def npm_ci() -> None:
    """Install oidc-provider from the npm registry when node_modules is missing or
    older than the lock file."""
    installed = PROVIDER_DIR / "node_modules" / ".package-lock.json"
    lock = PROVIDER_DIR / "package-lock.json"
    if installed.exists() and installed.stat().st_mtime >= lock.stat().st_mtime:
        return
    subprocess.run(
        [node_and_npm()[1], "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=PROVIDER_DIR,
        check=True,
        capture_output=True,
        timeout=600,
    )


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"Ingen ledig port i {PORTS}")


class TestProvider:
    __test__ = False  # not a test class

    def __init__(self, *, client_id: str, client_secret: str, redirect_base: str):
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.discovery_url = f"{self.issuer}/.well-known/openid-configuration"
        self.client_id, self.client_secret = client_id, client_secret
        self.redirect_base = redirect_base.rstrip("/")
        self._dir = tempfile.mkdtemp(prefix="oidc-provider-")
        self.config_path = Path(self._dir) / "config.json"
        self.log_path = Path(self._dir) / "provider.log"
        self.accounts: list[dict] = []
        self._write()
        self._log = open(self.log_path, "w")  # noqa: SIM115 - open while the process runs
        self.process = subprocess.Popen(
            [node_and_npm()[0], str(PROVIDER_DIR / "provider.js"), str(self.config_path)],
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self._wait()

    def _write(self) -> None:
        config = {
            "issuer": self.issuer,
            "port": self.port,
            "clients": [
                {
                    "client_id": self.client_id,
                    "client_secret": self.client_secret,
                    "redirect_uris": [f"{self.redirect_base}/konto/sso/svar/"],
                    "post_logout_redirect_uris": [f"{self.redirect_base}/konto/log-ind/"],
                },
                {
                    "client_id": "another-client",
                    "client_secret": "another-secret-another-secret-another",
                    "redirect_uris": ["http://another.example/callback"],
                },
            ],
            "accounts": self.accounts,
        }
        tmp = self.config_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(config))
        tmp.replace(self.config_path)  # the provider never reads a half-written file

    def set_account(self, login: str, **fields) -> dict:
        """Add or change an account: sub, password, name, email, groups, amr, acr, fault."""
        account = next((a for a in self.accounts if a["login"] == login), None)
        if account is None:
            account = {"login": login, "password": "provider-kode", "sub": f"sub-{login}"}
            self.accounts.append(account)
        account.update(fields)
        self._write()
        return account

    def _wait(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    "oidc-provider stoppede: " + self.log_path.read_text(errors="replace")
                )
            try:
                if requests.get(self.discovery_url, timeout=1).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("oidc-provider svarede ikke inden 30 s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
        shutil.rmtree(self._dir, ignore_errors=True)
