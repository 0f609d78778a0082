"""A caseworker logs in, registers an anmodning, finds it again by CPR."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from cases.models import Kontaktforloeb
from smdb.rules import today_dk
from tests.factories import cpr_for_age

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def register(page, cpr: str, dato: str):
    page.get_by_role("link", name="Registrér anmodning").first.click()
    page.get_by_label("6-ANM CPR-nummer").fill(cpr)
    page.get_by_label("2-ANM Anmodningsdato").fill(dato)
    page.get_by_label("3-ANM Tidligere i stofmisbrugsbehandling").select_option(label="Nej")
    page.get_by_label("9-ANM Borger eller partner gravid").select_option(label="Uoplyst")
    page.get_by_label("5-ANM Psykisk funktionsnedsættelse").select_option(label="Nej")
    page.get_by_role("button", name="Registrér anmodning").click()


def test_caseworker_registers_an_anmodning_and_finds_it_by_cpr(login, alice, live_server):
    page = login(alice)
    cpr = cpr_for_age(27, 42)
    register(page, f"{cpr[:6]}-{cpr[6:]}", (today_dk() - timedelta(days=3)).isoformat())
    expect(page.get_by_text("Anmodningen er registreret.")).to_be_visible()
    forloeb = Kontaktforloeb.objects.get()
    assert cpr not in page.url

    page.get_by_role("link", name="Find borger").click()
    page.get_by_label("CPR-nummer").fill(cpr)
    page.get_by_role("button", name="Søg").click()
    link = page.get_by_role("link", name=f"Forløb {forloeb.pk}")
    expect(link).to_be_visible()
    assert cpr not in page.url
    link.click()
    expect(page.get_by_role("heading", name=f"Kontaktforløb {forloeb.pk}")).to_be_visible()
    expect(page.get_by_text(f"{cpr[:6]}-{cpr[6:]}")).to_be_visible()


def test_bad_input_gets_a_danish_error_next_to_the_field(login, alice):
    page = login(alice)
    register(page, "3201901234", (today_dk() + timedelta(days=2)).isoformat())
    # At the field and in the error summary on top (issue 11); the error ids are the
    # shared question template's, as on every schema form (issue 23).
    expect(page.locator("#id_person_identifikator_fejl")).to_contain_text("R-GEN-6")
    expect(page.locator("#id_behandling_anmodning_dato_fejl")).to_contain_text("R-GEN-1")
    expect(page.locator("[data-fejlresume]")).to_contain_text("R-GEN-6")
    expect(page.locator("[data-fejlresume]")).to_contain_text("R-GEN-1")
    # What was typed is kept.
    expect(page.get_by_label("6-ANM CPR-nummer")).to_have_value("3201901234")
    assert not Kontaktforloeb.objects.exists()


def test_another_myndigheds_caseworker_cannot_see_the_case(login, alice, bob, live_server, page):
    login(alice)
    cpr = cpr_for_age(45, 7)
    register(page, cpr, (today_dk() - timedelta(days=1)).isoformat())
    forloeb = Kontaktforloeb.objects.get()
    page.get_by_role("button", name="Log ud").click()

    login(bob)
    page.get_by_role("link", name="Find borger").click()
    page.get_by_label("CPR-nummer").fill(cpr)
    page.get_by_role("button", name="Søg").click()
    expect(page.get_by_text("Borgeren har ingen forløb i din myndighed.")).to_be_visible()
    response = page.goto(f"{live_server.url}/forloeb/{forloeb.pk}/")
    assert response.status == 404
    assert cpr[:6] not in page.content()
