"""A leder's day: the front page's kontrolliste counts, OVERBLIK filtered, the
Aktivliste downloaded and read back; axe and the CSP on every new page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from smdb.rules import today_dk
from tests.browser.forloeb_helpers import check_page
from tests.browser.test_csp import visit_collecting_csp_errors
from tests.factories import ForloebFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_leder_follows_a_kontrolliste_filters_overblik_and_downloads_excel(
    login, leder, kbh, live_server, tmp_path
):
    today = today_dk()
    forsinket = ForloebFactory(myndighed=kbh, anmodningsdato=today - timedelta(days=15))
    ForloebFactory(myndighed=kbh, anmodningsdato=today - timedelta(days=14))
    iverksat = ForloebFactory(
        myndighed=kbh, tilknyttet=True, anmodningsdato=today - timedelta(days=40)
    )
    ForloebFactory(myndighed=kbh, afsluttet=True)

    page = login(leder)
    expect(page.get_by_role("heading", name="Kontrollister")).to_be_visible()
    check_page(page, "i12-forside")
    # The week's numbers are links too: SMDB has received none of the 4 forløb yet.
    ikke_modtaget = "Forløb med et skema, som SMDB endnu ikke har modtaget: 4"
    page.get_by_role("link", name=ikke_modtaget).click()
    expect(page.locator("tbody tr")).to_have_count(4)
    page.go_back()
    page.get_by_role("link", name="1 Ikke iværksat inden for 14 dage").click()
    expect(page.get_by_role("heading", name="Ikke iværksat inden for 14 dage")).to_be_visible()
    expect(page.get_by_text("Dag 14 er inden for behandlingsgarantien")).to_be_visible()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(forsinket.cpr_maskeret)
    check_page(page, "i12-kontrolliste")

    page.get_by_role("link", name="OVERBLIK").first.click()
    expect(page.locator("tbody tr")).to_have_count(3)
    page.get_by_label("Tilstand").select_option(label="Iværksat")
    page.get_by_label("Anmodet fra").fill((today - timedelta(days=60)).isoformat())
    page.get_by_role("button", name="Filtrér").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody tr").first).to_contain_text(iverksat.cpr_maskeret)
    assert iverksat.person_identifikator not in page.content()
    check_page(page, "i12-overblik")

    with page.expect_download() as info:
        page.get_by_role("link", name="Hent Excel (Aktivliste)").click()
    path = tmp_path / "aktivliste.xlsx"
    info.value.save_as(path)
    wb = load_workbook(path)
    anmodninger = list(wb["Anmodninger"].values)
    assert [r[1] for r in anmodninger[1:]] == [iverksat.person_identifikator]
    assert [r[1] for r in list(wb["Indskrivninger"].values)[1:]] == [iverksat.person_identifikator]


def test_report_pages_pass_axe_and_the_csp(login, leder, kbh, live_server):
    ForloebFactory(myndighed=kbh, afsluttet=True, dage_til_ivaerksaettelse=20)
    page = login(leder)
    base = live_server.url
    urls = [
        f"{base}/rapporter/hovedtal/",
        f"{base}/rapporter/godkendelse/",
        f"{base}/rapporter/uge/ikke_modtaget/",
    ]
    assert (
        visit_collecting_csp_errors(page, [f"{base}/", f"{base}/rapporter/overblik/", *urls]) == []
    )
    for url, name in zip(urls, ("i12-hovedtal", "i12-godkendelse", "i12-uge"), strict=True):
        page.goto(url)
        check_page(page, name)


def test_hovedtal_charts_are_drawn_narrow_on_a_phone(login, leder, kbh, live_server):
    ForloebFactory(myndighed=kbh, tilknyttet=True)
    page = login(leder)
    page.goto(f"{live_server.url}/rapporter/hovedtal/")
    bred, smal = page.locator("svg.soejlediagram-bred"), page.locator("svg.soejlediagram-smal")
    expect(bred.first).to_be_visible()
    expect(smal.first).to_be_hidden()
    page.set_viewport_size({"width": 390, "height": 900})
    expect(bred.first).to_be_hidden()
    expect(smal.first).to_be_visible()
    # Its text is drawn at a readable size (the wide drawing would be about 7 px).
    size = smal.first.locator("text.soejle-label").first.evaluate(
        "t => t.getBoundingClientRect().height"
    )
    assert size >= 12
    check_page(page, "i12-hovedtal-390")
