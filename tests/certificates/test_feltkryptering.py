"""FIELD_ENCRYPTION_KEY (issue 23): the demo makes a development key under var/ and
keeps it, with a warning; with DEBUG off nothing but the variable is accepted."""

from __future__ import annotations

import logging
import stat

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from certificates import checks, crypto


@pytest.fixture
def uden_noegle(settings, tmp_path):
    settings.FIELD_ENCRYPTION_KEY = ""
    settings.FIELD_ENCRYPTION_DEV_KEY_FILE = tmp_path / "var" / "field-encryption-dev.key"
    return settings.FIELD_ENCRYPTION_DEV_KEY_FILE


def test_the_demo_makes_a_development_key_once_and_keeps_it(uden_noegle, settings, caplog):
    settings.DEBUG = True
    with caplog.at_level(logging.WARNING, logger="certificates.crypto"):
        token = crypto.encrypt(b"privat")
    assert "udviklingsnøgle" in caplog.text
    assert stat.S_IMODE(uden_noegle.stat().st_mode) == 0o600
    Fernet(uden_noegle.read_text().strip())  # a real key
    caplog.clear()
    # Read back after a "restart" with the same file, and no second warning.
    assert crypto.decrypt(token) == b"privat"
    assert caplog.text == ""
    assert [w.id for w in checks.feltkryptering(None)] == ["certificates.W001"]


def test_with_debug_off_the_development_key_is_refused(uden_noegle, settings):
    settings.DEBUG = True
    crypto.encrypt(b"x")  # the file exists now
    settings.DEBUG = False
    with pytest.raises(ImproperlyConfigured, match="FIELD_ENCRYPTION_KEY"):
        crypto.encrypt(b"x")
    assert [e.id for e in checks.feltkryptering(None)] == ["certificates.E001"]
    settings.FIELD_ENCRYPTION_KEY = uden_noegle.read_text().strip()
    assert [e.id for e in checks.feltkryptering(None)] == ["certificates.E003"]


def test_production_key_must_be_a_fernet_key(settings):
    settings.DEBUG = False
    settings.FIELD_ENCRYPTION_KEY = "field-key"
    assert [e.id for e in checks.feltkryptering(None)] == ["certificates.E002"]
    settings.FIELD_ENCRYPTION_KEY = Fernet.generate_key().decode()
    assert checks.feltkryptering(None) == []
