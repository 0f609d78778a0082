"""Issue 23, "Dates", as a caseworker meets them: a date the rules refuse is only
refused; no day count is negative; a fixed answer loses its old error at once;
Registrér anmodning marks what must be filled in. Each page at 1280 and 390 px
without sideways scrolling."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from cases.models import Kontaktforloeb
from smdb.rules import today_dk
from tests.browser.forloeb_helpers import live, screenshot, svar
from tests.browser.test_phone_layout import check_pages
from tests.factories import ForloebFactory, cpr_for_age

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DATO_2ANM = "2-ANM Anmodningsdato"
DATO_1IVAER = "1-IVÆR Dato for iværksættelse"
LAEGESAMTALE_24 = "24-IVÆR Ønsker borgeren tilbud om lægesamtale"


def ingen_sidescroll(page: Page) -> list[str]:
    """The page as it is now (errors and all) at 1280 and 390 px: nothing wider."""
    problems = []
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        bredde, vindue = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
        if bredde > vindue:
            problems.append(f"{page.url} at {width}px is {bredde}px wide")
    page.set_viewport_size({"width": 1280, "height": 900})
    return problems


def udfyld_anmodning(page: Page, cpr: str, dato: date) -> None:
    page.get_by_label("6-ANM CPR-nummer").fill(cpr)
    page.get_by_label(DATO_2ANM).fill(dato.isoformat())
    page.get_by_label("3-ANM Tidligere i stofmisbrugsbehandling").select_option(label="Nej")
    page.get_by_label("9-ANM Borger eller partner gravid").select_option(label="Uoplyst")
    page.get_by_label("5-ANM Psykisk funktionsnedsættelse").select_option(label="Nej")


def test_R_GEN_3_a_date_before_2008_is_refused_and_not_asked_about(login, alice, kbh, live_server):
    page = login(alice)
    page.goto(f"{live_server.url}/anmodning/ny/")
    udfyld_anmodning(page, cpr_for_age(40, 3), date(1971, 5, 3))
    for _ in range(2):  # pressing again is refused again, and only refused
        page.get_by_role("button", name="Registrér anmodning").click()
        expect(page.locator("#id_behandling_anmodning_dato_fejl")).to_contain_text("R-GEN-3")
        expect(page.get_by_text("Er datoen rigtig?")).to_have_count(0)
        expect(page.get_by_text("tryk »Registrér anmodning« igen")).to_have_count(0)
    assert not Kontaktforloeb.objects.exists()
    assert ingen_sidescroll(page) == []
    screenshot(page, "datoer-anmodning-afvist")


def test_an_accepted_old_date_is_still_asked_about_once(login, alice, kbh, live_server):
    page = login(alice)
    page.goto(f"{live_server.url}/anmodning/ny/")
    udfyld_anmodning(page, cpr_for_age(40, 4), today_dk() - timedelta(days=400))
    page.get_by_role("button", name="Registrér anmodning").click()
    expect(page.get_by_text("Er datoen rigtig?")).to_be_visible()
    page.get_by_role("button", name="Registrér anmodning").click()
    expect(page.get_by_text("Anmodningen er registreret.")).to_be_visible()


def test_registrer_anmodning_marks_what_must_be_filled_in(login, alice, kbh, live_server):
    page = login(alice)
    page.goto(f"{live_server.url}/anmodning/ny/")
    expect(page.get_by_text("Spørgsmål markeret med * skal besvares.")).to_be_visible()
    for label in ("6-ANM CPR-nummer", DATO_2ANM, "3-ANM Tidligere i stofmisbrugsbehandling"):
        field = page.get_by_label(label, exact=True)
        # A screen reader hears "required"; the eye sees the star, explained above.
        expect(field).to_have_attribute("aria-required", "true")
        marker = page.locator(f"label[for='{field.get_attribute('id')}'] + .paakraevet")
        expect(marker).to_have_text("*")
        expect(marker).to_be_visible()
        expect(marker).to_have_attribute("aria-hidden", "true")
    # 8-ANM is filled in by the app and is no question: no star.
    expect(page.locator("label[for='id_kommune_kode'] + .paakraevet")).to_have_count(0)
    assert check_pages(page, live_server.url, ["/anmodning/ny/"]) == []


def test_no_negative_day_count_on_the_wizard_the_case_page_and_overblik(
    login, alice, leder, kbh, live_server
):
    forloeb = ForloebFactory(myndighed=kbh)
    anmodet = forloeb.anmodning.behandling_anmodning_dato
    page = login(alice)
    page.goto(f"{live_server.url}/forloeb/{forloeb.pk}/ivaerksaettelse/laegesamtale/")
    dage = page.get_by_label("32-IVÆR Dage fra anmodning til iværksættelse")
    live(
        page, lambda: page.get_by_label(DATO_1IVAER).fill((anmodet - timedelta(days=3)).isoformat())
    )
    expect(dage).to_have_value("anmodet senere")  # R-IVAER-3
    live(page, lambda: page.get_by_label(DATO_1IVAER).fill("1990-01-01"))
    expect(dage).to_have_value("kan ikke beregnes: datoen er afvist")  # R-GEN-3
    live(
        page, lambda: page.get_by_label(DATO_1IVAER).fill((anmodet + timedelta(days=5)).isoformat())
    )
    expect(dage).to_have_value("5 dage")
    assert ingen_sidescroll(page) == []
    screenshot(page, "datoer-trin")

    # As SMDB history may hold it (the forms refuse it, R-IVAER-3).
    gammel = ForloebFactory(myndighed=kbh, ivaersat=True, dage_til_ivaerksaettelse=-10)
    page.goto(f"{live_server.url}/forloeb/{gammel.pk}/")
    overblik = page.locator(".overblik")
    expect(overblik).to_contain_text("anmodet senere")
    expect(overblik).not_to_contain_text("-10")
    assert ingen_sidescroll(page) == []
    screenshot(page, "datoer-sag")

    page.context.clear_cookies()
    page = login(leder)
    foer = (anmodet - timedelta(days=1)).isoformat()
    page.goto(f"{live_server.url}/rapporter/overblik/?dato={foer}")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=f"Forløb {forloeb.pk}"))
    expect(row).to_contain_text("anmodet senere")
    assert not re.search(r"(^|\s)-\d+(\s|$)", page.locator("table").inner_text())
    assert ingen_sidescroll(page) == []
    screenshot(page, "datoer-overblik")

    # A refused anmodningsdato (R-GEN-3) on a kontrolliste: no count, no "-14 dage".
    ForloebFactory(myndighed=kbh, anmodningsdato=date(2005, 3, 1))
    page.goto(
        f"{live_server.url}{reverse('reporting:kontrolliste', kwargs={'liste': 'ikke-ivaerksat'})}"
    )
    expect(page.locator("main")).to_contain_text("kan ikke beregnes: datoen er afvist")
    assert not re.search(r"-\d+ dag", page.locator("main").inner_text())
    assert ingen_sidescroll(page) == []
    screenshot(page, "datoer-kontrolliste")


def test_a_fixed_answer_loses_its_old_error_at_once(login, alice, kbh, live_server):
    forloeb = ForloebFactory(myndighed=kbh)
    anmodet = forloeb.anmodning.behandling_anmodning_dato
    page = login(alice)
    page.goto(f"{live_server.url}/forloeb/{forloeb.pk}/ivaerksaettelse/laegesamtale/")
    page.get_by_role("button", name="Næste trin").click()
    summary = page.locator(".fejlresume")
    expect(summary).to_be_focused()
    dato = page.get_by_label(DATO_1IVAER)
    expect(page.locator("#id_ivaerksat_behandling_dato_fejl")).to_be_visible()
    expect(dato).to_have_attribute("aria-invalid", "true")
    expect(summary.locator("a[href='#id_ivaerksat_behandling_dato']")).to_have_count(1)
    before = summary.locator("li").count()

    live(page, lambda: dato.fill((anmodet + timedelta(days=3)).isoformat()))
    expect(page.locator("#id_ivaerksat_behandling_dato_fejl")).to_have_count(0)
    expect(dato).not_to_have_attribute("aria-invalid", "true")
    assert "_fejl" not in (dato.get_attribute("aria-describedby") or "")
    expect(dato).not_to_have_class(re.compile(r"is-invalid"))
    expect(summary.locator("a[href='#id_ivaerksat_behandling_dato']")).to_have_count(0)
    expect(summary.locator("li")).to_have_count(before - 1)
    expect(summary.locator("h2")).to_contain_text(f"Der er {before - 1} fejl")
    expect(page.get_by_role("status").filter(has_text="Fejlen ved 1-IVÆR")).to_have_count(1)
    # The question not answered keeps its error.
    expect(page.get_by_label(LAEGESAMTALE_24)).to_have_attribute("aria-invalid", "true")

    # Sent again with 24-IVÆR still empty: only that error; 1-IVÆR has none.
    page.get_by_role("button", name="Næste trin").click()
    expect(page.locator(".fejlresume")).to_be_focused()
    expect(page.locator("#id_ivaerksat_behandling_dato_fejl")).to_have_count(0)
    expect(page.get_by_label(DATO_1IVAER)).not_to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label(DATO_1IVAER)).to_have_value((anmodet + timedelta(days=3)).isoformat())
    expect(page.locator(".fejlresume a[href='#id_ivaerksat_behandling_dato']")).to_have_count(0)
    expect(page.locator("#id_oensker_borger_tilbud_laegesamtale_kode_fejl")).to_be_visible()

    # A select and a Ja/Nej group lose theirs too; the last one fixed, the summary goes.
    expect(page.locator(".fejlresume li")).to_have_count(2)  # 24-IVÆR, 25-IVÆR
    live(page, lambda: page.get_by_label(LAEGESAMTALE_24).select_option(label="Ja"))
    expect(page.locator("#id_oensker_borger_tilbud_laegesamtale_kode_fejl")).to_have_count(0)
    expect(page.locator(".fejlresume li")).to_have_count(1)
    expect(page.locator(".fejlresume h2")).to_contain_text("Der er 1 fejl")
    gruppe = page.get_by_role("group", name="25-IVÆR Er lægesamtalen afholdt")
    expect(gruppe).to_have_attribute("aria-describedby", re.compile(r"_fejl"))
    live(page, lambda: svar(page, "25-IVÆR Er lægesamtalen afholdt", "Nej"))
    expect(page.locator(".fejlresume")).to_have_count(0)
    expect(gruppe).not_to_have_attribute("aria-describedby", re.compile(r"_fejl"))
    expect(gruppe.get_by_label("Nej", exact=True)).not_to_have_attribute("aria-invalid", "true")
    assert ingen_sidescroll(page) == []
