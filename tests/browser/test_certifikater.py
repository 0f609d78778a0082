"""An administrator uploads a function certificate, takes it into use, presses
"Test forbindelse" and sees the simulator's WhoAmI answer with the certificate's
subject; the header shows the environment (issue 13)."""

import re

import pytest
from cryptography.fernet import Fernet
from playwright.sync_api import expect

from tests.browser.forloeb_helpers import axe_check
from tests.certificates.certgen import make_cert
from tests.smdb_sync import harness

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_uploads_activates_and_tests_the_connection(
    login, charlie, live_server, settings, tmp_path
):
    settings.FIELD_ENCRYPTION_KEY = Fernet.generate_key().decode()
    harness.configure_simulator(settings, live_server.url)
    cert = make_cert("Testkommune SMDB FOCES")
    (tmp_path / "trust.pem").write_bytes(cert.cert_pem)
    settings.SMDB_SIMULATOR_AUTH = "signature"  # the simulator refuses unsigned calls
    settings.SMDB_SIMULATOR_TRUST = [str(tmp_path / "trust.pem")]
    p12 = tmp_path / "foces.p12"
    p12.write_bytes(cert.p12("Kode-til-fil"))

    page = login(charlie)
    page.get_by_role("link", name="Certifikater og miljøer").first.click()
    expect(page.locator(".navbar .miljoe-badge")).to_have_text("SMDB: Test (lokal simulator)")
    # Issue 23: the header's Test is the settings' endpoint, not an environment in use.
    expect(page.get_by_text("Intet miljø er taget i brug endnu.")).to_be_visible()
    axe_check(page)

    page.get_by_role("link", name="Upload certifikat").click()
    axe_check(page)
    page.get_by_label("Certifikatfil (PKCS#12, .p12 eller .pfx)").set_input_files(str(p12))
    page.get_by_label("Adgangskode til filen").fill("Kode-til-fil")
    page.get_by_label("Miljø").select_option(label="Test (lokal simulator)")
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_text("Certifikatet er gemt")).to_be_visible()
    expect(page.get_by_text(cert.subject).first).to_be_visible()

    page.get_by_role("button", name="Tag i brug i Test (lokal simulator)").click()
    expect(page.get_by_text("Certifikatet er taget i brug i sit miljø.")).to_be_visible()
    expect(
        page.get_by_text("Test (lokal simulator) er ikke det aktive SMDB-miljø endnu")
    ).to_be_visible()
    page.get_by_role("link", name="Tilbage til certifikater og miljøer").click()
    test_raekke = page.get_by_role("row").filter(has_text="Ret Test (lokal simulator)")
    expect(test_raekke.get_by_role("cell", name="Sat op, ikke aktivt")).to_be_visible()
    page.get_by_role("link", name="Skift til Test (lokal simulator)").click()
    # Issue 23: asked first.
    expect(
        page.get_by_role("heading", name="Skift SMDB-miljø til Test (lokal simulator)?")
    ).to_be_visible()
    page.get_by_role("button", name="Ja, skift til Test (lokal simulator)").click()
    expect(page.get_by_text("Test (lokal simulator) er nu det aktive SMDB-miljø.")).to_be_visible()

    page.get_by_role("button", name="Test forbindelse").click()
    expect(page.get_by_text("Forbindelsen virker.")).to_be_visible()
    expect(page.get_by_text(f"SMDB-simulator: {cert.subject}")).to_be_visible()
    axe_check(page)
    expect(page.locator(".navbar .miljoe-badge")).to_have_text("SMDB: Test (lokal simulator)")
    expect(page.locator(".navbar .miljoe-badge")).to_have_class(re.compile(r"\bmiljoe-test\b"))


def test_without_a_certificate_the_signing_simulator_refuses_in_plain_danish(
    login, charlie, live_server, settings
):
    harness.configure_simulator(settings, live_server.url)
    settings.SMDB_SIMULATOR_AUTH = "signature"
    page = login(charlie)
    page.get_by_role("link", name="Certifikater og miljøer").first.click()
    page.get_by_role("button", name="Test forbindelse").click()
    expect(page.get_by_text("Forbindelsen virker ikke.")).to_be_visible()
    expect(page.get_by_text("kaldet er ikke signeret").first).to_be_visible()
