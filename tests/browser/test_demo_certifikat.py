"""The demo's certificate upload (issue 23): it works with no FIELD_ENCRYPTION_KEY set
(a development key under var/), and when it fails the debug page shows neither the
PKCS#12 password nor the private key."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from certificates.models import Certifikat
from tests.certificates.certgen import make_cert

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KODE = "Kode-til-fil-4711"


@pytest.fixture
def demo(settings, tmp_path):
    """The embedded default: DEBUG on, no FIELD_ENCRYPTION_KEY."""
    settings.DEBUG = True
    settings.FIELD_ENCRYPTION_KEY = ""
    settings.FIELD_ENCRYPTION_DEV_KEY_FILE = tmp_path / "var" / "field-encryption-dev.key"
    p12 = tmp_path / "foces.p12"
    cert = make_cert("Testkommune SMDB FOCES")
    p12.write_bytes(cert.p12(KODE))
    return p12, cert


def upload(page, p12):
    page.get_by_role("link", name="Certifikater og miljøer").first.click()
    page.get_by_role("link", name="Upload certifikat").click()
    page.get_by_label("Certifikatfil (PKCS#12, .p12 eller .pfx)").set_input_files(str(p12))
    page.get_by_label("Adgangskode til filen").fill(KODE)
    page.get_by_label("Miljø").select_option(label="Test (lokal simulator)")
    page.get_by_role("button", name="Upload").click()


def test_certificate_upload_works_in_the_demo_without_a_key(login, charlie, demo, settings):
    p12, cert = demo
    page = login(charlie)
    upload(page, p12)
    expect(page.get_by_text("Certifikatet er gemt")).to_be_visible()
    assert settings.FIELD_ENCRYPTION_DEV_KEY_FILE.is_file()
    stored = Certifikat.objects.get()
    assert stored.subject == cert.subject


def test_a_failing_upload_shows_no_password_or_key_on_the_debug_page(
    login, charlie, demo, monkeypatch, settings
):
    p12, _cert = demo
    # The developer's technical page (the demo shows the Danish one unless asked):
    # the page whose POST section and variables must hide the secrets.
    settings.DEBUG_TEKNISKE_FEJLSIDER = True

    def fejler(data):
        raise RuntimeError("lageret svarer ikke")

    monkeypatch.setattr("certificates.crypto.encrypt", fejler)
    page = login(charlie)
    upload(page, p12)
    expect(page.get_by_text("lageret svarer ikke").first).to_be_visible()  # the debug page
    html = page.content()
    assert KODE not in html
    assert "PRIVATE KEY" not in html
    assert "adgangskode" in html  # the POST section is there, its value hidden
