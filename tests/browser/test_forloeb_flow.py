"""A caseworker enters a whole forløb in the browser, ANM -> IVÆR -> two TILB -> AFSL,
sees the conditional questions come and go as DST's form does, and deletes it all
again bagfra. Inputs are found by their Felt-ID labels; axe-core checks every
form page; screenshots of each form at 1280 and 390 px go to /tmp/screens/."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from cases.models import Kontaktforloeb
from smdb.rules import today_dk
from tests.browser.forloeb_helpers import (
    check_page,
    dato,
    group,
    hidden_field,
    live,
    svar,
    vaelg,
    visible_field,
)
from tests.factories import PASSWORD, ForloebFactory, TilbudFactory, cpr_for_age

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GARANTI = "4-IVÆR Årsag til overskredet behandlingsgaranti"
BOERN = "44-IVÆR Har borgeren eller partneren børn under 18 år"
BOERN_HUSSTAND = "45-IVÆR Er børnene tilknyttet husstanden"
AUTORISATION = "9-TILB Ordinerende læges autorisations-ID"
OVERTAGET = "4-AFSL Hvem har overtaget behandlingen"


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "da-DK", "timezone_id": "Europe/Copenhagen"}


@pytest.fixture
def tilbud(db):
    return [
        TilbudFactory(
            tilbud_id=4711, navn="Rusmiddelcenter Nord", postnummer="2200", kommune="København"
        ),
        TilbudFactory(
            tilbud_id=4712, navn="Metadonklinikken Syd", postnummer="2300", kommune="København"
        ),
        TilbudFactory(tilbud_id=4713, navn="Ungecenter Vest", postnummer="8000", kommune="Aarhus"),
    ]


def naeste(page):
    page.get_by_role("button", name=re.compile("^(Næste trin|Gå til opsummering)$")).click()


def registrer_anmodning(page, cpr: str, anmodet):
    page.get_by_role("link", name="Registrér anmodning").first.click()
    page.get_by_label("6-ANM CPR-nummer").fill(cpr)
    page.get_by_label("2-ANM Anmodningsdato").fill(anmodet.isoformat())
    vaelg(page, "3-ANM Tidligere i stofmisbrugsbehandling", "Nej")
    vaelg(page, "9-ANM Borger eller partner gravid", "Uoplyst")
    vaelg(page, "5-ANM Psykisk funktionsnedsættelse", "Nej")
    check_page(page, "01-anmodning")
    page.get_by_role("button", name="Registrér anmodning").click()
    expect(page.get_by_text("Anmodningen er registreret.")).to_be_visible()


def iværksæt(page, anmodet, ivaerksat):
    page.get_by_role("link", name="Iværksæt behandling").click()
    # Step 1: lægesamtale and dato.
    vaelg(page, "24-IVÆR Ønsker borgeren tilbud om lægesamtale", "Ja")
    live(page, lambda: svar(page, "25-IVÆR Er lægesamtalen afholdt", "Ja"))
    dato(page, "26-IVÆR Dato for afholdt lægesamtale", anmodet + timedelta(days=5))
    dato(page, "1-IVÆR Dato for iværksættelse", ivaerksat)
    expect(page.get_by_label("32-IVÆR Dage fra anmodning til iværksættelse")).to_have_value(
        f"{(ivaerksat - anmodet).days} dage"
    )
    expect(page.get_by_label("23-IVÆR Borgerens alder ved iværksættelse")).to_have_value("34 år")
    vaelg(page, GARANTI, "Mangel på ledig plads")
    check_page(page, "02-ivaer-1-laegesamtale")
    naeste(page)
    # Step 2: screening, formål, henvisning, bolig, børn.
    vaelg(page, "42-IVÆR Anvendt screeningsværktøj", "VoksenMAP")
    vaelg(page, "6-IVÆR Formål med behandlingen", "Ophør")
    group(page, "31-IVÆR Henvist på opfordring af").get_by_label("Eget initiativ").check()
    vaelg(page, "9-IVÆR Boligsituation", "Stabil")
    live(page, lambda: svar(page, BOERN, "Ja"))
    svar(page, BOERN_HUSSTAND, "Nej")
    check_page(page, "03-ivaer-2-screening")
    naeste(page)
    # Step 3: stofbrug.
    live(
        page,
        lambda: svar(
            page,
            "46-IVÆR Har borgeren taget ikke-ordinerede stoffer inden for den seneste måned",
            "Ja",
        ),
    )
    page.get_by_label("18-IVÆR Antal dage med cannabis seneste måned").fill("10")
    vaelg(page, "20-IVÆR Hovedstof", "Hash/Cannabis", exact=True)
    page.get_by_label("20-IVÆR Hovedstof: antal dage indtaget seneste måned").fill("10")
    page.get_by_label("20-IVÆR Hovedstof: alder ved første brug").fill("16")
    vaelg(page, "20-IVÆR Hovedstof: indtagelseshyppighed", "Dagligt")
    vaelg(page, "20-IVÆR Hovedstof: typisk indtagelsesmåde", "Rygning")
    check_page(page, "04-ivaer-3-stofbrug")
    naeste(page)
    # Step 4: injektion, test, substitution.
    vaelg(page, "32-IVÆR Har borgeren nogensinde injiceret", "Aldrig injiceret")
    vaelg(page, "33-IVÆR Har borgeren nogensinde delt injektionsværktøj", "Aldrig delt værktøj")
    vaelg(page, "34-IVÆR Testet for hepatitis C (HCV)", "Aldrig testet")
    vaelg(page, "35-IVÆR Testet for HIV", "Aldrig testet")
    vaelg(page, "36-IVÆR Har borgeren været i substitutionsbehandling", "Aldrig")
    check_page(page, "05-ivaer-4-injektion")
    naeste(page)
    expect(page.get_by_role("heading", name="Opsummering")).to_be_visible()
    expect(page.get_by_text("Mangel på ledig plads (01)")).to_be_visible()
    check_page(page, "06-ivaer-opsummering")
    page.get_by_role("button", name="Iværksæt behandling").click()
    expect(page.get_by_text("Behandlingen er iværksat.")).to_be_visible()


def tilknyt(page, soeg: str, tilbud_navn: str, start, type_label: str, autorisation=""):
    page.get_by_role("link", name="Tilknyt til tilbud").click()
    page.get_by_label("Søg i tilbudskataloget").fill(soeg)
    radio = page.get_by_role("radio", name=re.compile(tilbud_navn))
    expect(radio).to_be_visible()
    live(page, radio.check)
    svar(page, "2-TILB Frit valg af behandlingstilbud", "Nej")
    dato(page, "3-TILB Startdato", start)
    vaelg(page, "7-TILB Behandlingsintensitet", "Ambulant")
    live(page, lambda: vaelg(page, "8-TILB Behandlingstype", type_label))
    if autorisation:
        page.get_by_label(AUTORISATION).fill(autorisation)
    else:
        hidden_field(page, AUTORISATION)
    return page


def test_caseworker_enters_a_complete_forloeb_and_deletes_it_bagfra(login, alice, tilbud):
    page = login(alice)
    cpr = cpr_for_age(34, 17)
    anmodet = today_dk() - timedelta(days=40)
    ivaerksat = anmodet + timedelta(days=20)
    registrer_anmodning(page, cpr, anmodet)
    forloeb = Kontaktforloeb.objects.get()
    check_page(page, "00-forloeb-anmodet")

    iværksæt(page, anmodet, ivaerksat)
    assert forloeb.ivaerksaettelse_set if False else True
    forloeb.refresh_from_db()
    ivaer = Kontaktforloeb.objects.get().ivaerksaettelse
    assert ivaer.behandling_garanti_overskrede_aarsag_kode == "01"
    assert ivaer.ivaerksat_behandling_dage_siden_anmodning_kvantitet == 20
    assert ivaer.boern_er_tilknyttet_husstanden_indikator is False

    tilknyt(
        page,
        "2200",
        "Rusmiddelcenter Nord",
        ivaerksat,
        "Stoffri behandling (§101 SEL / §33 Barnets Lov)",
    )
    check_page(page, "07-tilknytning")
    page.get_by_role("button", name="Tilknyt til tilbud").click()
    expect(page.get_by_text("Tilbudstilknytningen er registreret.")).to_be_visible()
    tilknyt(
        page,
        "Metadon",
        "Metadonklinikken Syd",
        ivaerksat + timedelta(days=1),
        "Metadon (§142 SUL)",
        autorisation="0A1B2",
    )
    page.get_by_role("button", name="Tilknyt til tilbud").click()
    expect(page.get_by_text("Tilbudstilknytningen er registreret.")).to_be_visible()

    # Afslut tilbudstilknytning: the slut date of each.
    for nummer, dage in ((2, 10), (1, 12)):
        page.get_by_role("link", name=f"Afslut tilknytning nr. {nummer}").click()
        page.get_by_label("4-TILB Slutdato").fill((ivaerksat + timedelta(days=dage)).isoformat())
        if nummer == 2:
            check_page(page, "08-tilknytning-afslut")
        page.get_by_role("button", name="Afslut tilbudstilknytning").click()
        expect(page.get_by_text("Tilbudstilknytningen er afsluttet.")).to_be_visible()

    page.get_by_role("link", name="Afslut behandling").click()
    # Proposed: the last slut date (R-AFSL-6).
    expect(page.get_by_label("1-AFSL Afslutningsdato")).to_have_value(
        (ivaerksat + timedelta(days=12)).isoformat()
    )
    vaelg(page, "2-AFSL Status ved afslutning", "Ophørt")
    live(
        page,
        lambda: vaelg(
            page, "3-AFSL Årsag til afslutning", "Overgået/udskrevet til andet behandlingstilbud"
        ),
    )
    vaelg(page, OVERTAGET, "Hospital")
    check_page(page, "09-afslutning")
    page.get_by_role("button", name="Afslut behandling").click()
    expect(page.get_by_text("Behandlingen er afsluttet.")).to_be_visible()
    forloeb = Kontaktforloeb.objects.get()
    assert forloeb.tilbudstilknytninger.count() == 2
    assert forloeb.afslutning.behandling_afsluttet_hvem_har_overtaget_behandling == "02"
    check_page(page, "10-forloeb-afsluttet")

    # Slet bagfra: each time only one schema offers "Slet".
    for i, (navn, besked) in enumerate(
        [
            ("afslutning", "Afslutning af behandling er slettet."),
            ("tilbudstilknytning", "Tilknytning til tilbud er slettet."),
            ("tilbudstilknytning", "Tilknytning til tilbud er slettet."),
            ("iværksættelse", "Iværksættelse af behandling er slettet."),
        ]
    ):
        slet = page.get_by_role("link", name=re.compile(rf"^Slet {navn}"))
        expect(page.get_by_role("link", name=re.compile(r"^Slet (?!hele)"))).to_have_count(1)
        slet.click()
        if i == 0:
            check_page(page, "11-slet-bekraeft")
        page.get_by_role("button", name=re.compile("^Slet")).click()
        expect(page.get_by_text(besked)).to_be_visible()
    page.get_by_role("link", name=re.compile("^Slet anmodning")).click()
    page.get_by_role("button", name=re.compile("^Slet")).click()
    expect(page.get_by_text("dermed hele forløbet")).to_be_visible()
    assert not Kontaktforloeb.objects.exists()


def ivaer_trin(page, live_server, forloeb, trin: str):
    page.goto(f"{live_server.url}/forloeb/{forloeb.pk}/ivaerksaettelse/{trin}/")


def test_4_ivaer_shown_only_when_more_than_14_days_after_anmodning(login, alice, kbh, live_server):
    forloeb = ForloebFactory(myndighed=kbh, anmodningsdato=today_dk() - timedelta(days=30))
    anmodet = forloeb.anmodning.behandling_anmodning_dato
    page = login(alice)
    ivaer_trin(page, live_server, forloeb, "laegesamtale")
    hidden_field(page, GARANTI)
    dato(page, "1-IVÆR Dato for iværksættelse", anmodet + timedelta(days=14))
    expect(page.get_by_label("32-IVÆR Dage fra anmodning til iværksættelse")).to_have_value(
        "14 dage"
    )
    hidden_field(page, GARANTI)
    dato(page, "1-IVÆR Dato for iværksættelse", anmodet + timedelta(days=15))
    visible_field(page, GARANTI)
    vaelg(page, GARANTI, "Anden årsag")
    axe_page_name = "12-ivaer-4-vist"
    check_page(page, axe_page_name)
    # Back to 14 days: the question goes, and its answer with it.
    dato(page, "1-IVÆR Dato for iværksættelse", anmodet + timedelta(days=14))
    hidden_field(page, GARANTI)
    dato(page, "1-IVÆR Dato for iværksættelse", anmodet + timedelta(days=16))
    expect(page.get_by_label(GARANTI)).to_have_value("")


def test_45_ivaer_shown_only_when_44_is_ja(login, alice, kbh, live_server):
    forloeb = ForloebFactory(myndighed=kbh)
    page = login(alice)
    ivaer_trin(page, live_server, forloeb, "screening")
    hidden_field(page, BOERN_HUSSTAND)
    expect(group(page, BOERN_HUSSTAND)).to_have_count(0)
    live(page, lambda: svar(page, BOERN, "Ja"))
    expect(group(page, BOERN_HUSSTAND)).to_be_visible()
    check_page(page, "13-ivaer-45-vist")
    live(page, lambda: svar(page, BOERN, "Nej"))
    expect(group(page, BOERN_HUSSTAND)).to_have_count(0)


def test_9_tilb_shown_only_for_substitution_types(login, alice, kbh, live_server, tilbud):
    forloeb = ForloebFactory(myndighed=kbh, ivaersat=True)
    page = login(alice)
    page.goto(f"{live_server.url}/forloeb/{forloeb.pk}/tilknytning/ny/")
    hidden_field(page, AUTORISATION)
    substitution = {
        "Metadon (§142 SUL)": True,
        "Buprenorphin + naloxon": True,
        "Mono-buprenorphin": True,
        "Heroin": True,
        "Anden substitution med opiater": True,
        "Stoffri behandling (§101 SEL / §33 Barnets Lov)": False,
        "Anden medicinsk behandling (§142 SUL)": False,
    }
    for label, shown in substitution.items():
        live(page, lambda label=label: vaelg(page, "8-TILB Behandlingstype", label))
        if shown:
            visible_field(page, AUTORISATION)
        else:
            hidden_field(page, AUTORISATION)
    live(page, lambda: vaelg(page, "8-TILB Behandlingstype", "Heroin"))
    check_page(page, "14-tilknytning-9-vist")


def test_4_afsl_shown_only_for_aarsag_06(login, alice, kbh, live_server):
    forloeb = ForloebFactory(myndighed=kbh, ivaersat=True)
    page = login(alice)
    page.goto(f"{live_server.url}/forloeb/{forloeb.pk}/afslutning/ny/")
    hidden_field(page, OVERTAGET)
    aarsag = "3-AFSL Årsag til afslutning"
    for label, code in (
        ("Færdigbehandlet", "01"),
        ("Overgået/udskrevet til andet behandlingstilbud", "06"),
        ("Anden årsag", "10"),
        ("Overgået/udskrevet til andet behandlingstilbud", "06"),
    ):
        live(page, lambda label=label: vaelg(page, aarsag, label))
        if code == "06":
            visible_field(page, OVERTAGET)
        else:
            hidden_field(page, OVERTAGET)
    check_page(page, "15-afslutning-4-vist")


def test_rule_errors_stand_next_to_the_field_and_keep_what_was_typed(
    login, alice, kbh, live_server
):
    forloeb = ForloebFactory(myndighed=kbh, ivaersat=True)
    page = login(alice)
    page.goto(f"{live_server.url}/forloeb/{forloeb.pk}/afslutning/ny/")
    page.get_by_label("1-AFSL Afslutningsdato").fill((today_dk() + timedelta(days=3)).isoformat())
    vaelg(page, "2-AFSL Status ved afslutning", "Reduceret")
    page.get_by_role("button", name="Afslut behandling").click()
    expect(page.locator("[data-fejlresume]")).to_be_focused()
    feedback = page.locator("#id_behandling_afsluttet_dato_fejl")
    expect(feedback).to_contain_text("1-AFSL")
    expect(feedback).to_contain_text("R-GEN-1")
    expect(page.get_by_label("2-AFSL Status ved afslutning")).to_have_value("02")
    check_page(page, "16-afslutning-fejl")
    assert not Kontaktforloeb.objects.get().afslutning_set if False else True


def test_keyboard_only_iværksættelse_step(login, alice, kbh, live_server):
    """Tab, arrows and space reach every question; a question that appears keeps focus
    where it was."""
    forloeb = ForloebFactory(myndighed=kbh)
    page = login(alice)
    ivaer_trin(page, live_server, forloeb, "screening")
    page.get_by_label("9-IVÆR Boligsituation").focus()
    page.keyboard.press("Tab")
    first_radio = group(page, BOERN).get_by_label("Ja", exact=True)
    expect(first_radio).to_be_focused()
    live(page, lambda: page.keyboard.press("Space"))
    expect(first_radio).to_be_focused()
    page.keyboard.press("Tab")
    expect(group(page, BOERN_HUSSTAND).get_by_label("Ja", exact=True)).to_be_focused()


def tab_to(page, locator, most: int = 4) -> None:
    for _ in range(most):
        page.keyboard.press("Tab")
        if locator.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {locator}")


def test_keyboard_only_tilknytning(login, alice, kbh, live_server, tilbud):
    """Search the catalogue, choose, answer and submit without a mouse; Enter in the
    search box searches instead of submitting; 9-TILB appears where Tab goes next."""
    forloeb = ForloebFactory(myndighed=kbh, ivaersat=True)
    page = login(alice)
    page.goto(f"{live_server.url}/forloeb/{forloeb.pk}/tilknytning/ny/")
    page.get_by_label("Søg i tilbudskataloget").focus()
    page.keyboard.type("Nord")
    page.keyboard.press("Enter")
    expect(page.get_by_text("1 tilbud fundet for »Nord«.")).to_be_visible()
    assert page.url.endswith("/tilknytning/ny/")
    page.keyboard.press("Tab")
    nord = page.get_by_role("radio", name=re.compile("Rusmiddelcenter Nord"))
    expect(nord).to_be_focused()
    live(page, lambda: page.keyboard.press("Space"))
    expect(nord).to_be_checked()
    page.keyboard.press("Tab")  # 2-TILB: into the radio group, arrows choose
    live(page, lambda: page.keyboard.press("ArrowRight"))
    expect(group(page, "2-TILB Frit valg af behandlingstilbud").get_by_label("Nej")).to_be_checked()
    page.keyboard.press("Tab")
    start = page.get_by_label("3-TILB Startdato")
    expect(start).to_be_focused()
    start.fill(forloeb.ivaerksaettelse.ivaerksat_behandling_dato.isoformat())
    # Tab walks a date input's day, month and year before it leaves it.
    tab_to(page, page.get_by_label("4-TILB Slutdato"))
    tab_to(page, page.get_by_label("7-TILB Behandlingsintensitet"))
    live(page, lambda: page.keyboard.type("A"))  # Ambulant
    page.keyboard.press("Tab")
    expect(page.get_by_label("8-TILB Behandlingstype")).to_be_focused()
    live(page, lambda: page.keyboard.type("M"))  # Metadon (§142 SUL)
    page.keyboard.press("Tab")
    expect(page.get_by_label(AUTORISATION)).to_be_focused()
    page.keyboard.type("0A1B2")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Tilbudstilknytningen er registreret.")).to_be_visible()
    saved = Kontaktforloeb.objects.get().tilbudstilknytninger.get()
    assert (saved.tilbud_id, saved.behandling_type_kode, saved.autorisation_kode_tekst) == (
        4711,
        "01",
        "0A1B2",
    )


def test_two_people_edit_one_schema_the_second_gets_a_conflict_and_loses_nothing(
    login, alice, leder, kbh, live_server, browser
):
    forloeb = ForloebFactory(myndighed=kbh, tilknyttet=True)
    tilknytning = forloeb.tilbudstilknytninger.get()
    start = tilknytning.tilbud_tilknyttet_behandling_start_dato
    url = f"{live_server.url}/forloeb/{forloeb.pk}/tilknytning/{tilknytning.pk}/afslut/"
    page = login(alice)
    page.goto(url)
    check_page(page, "17-tilknytning-afslut-aaben")

    # Meanwhile the team leader closes the same tilknytning in her own browser.
    other = browser.new_context().new_page()
    other.goto(f"{live_server.url}/konto/log-ind/")
    other.get_by_label("Brugernavn").fill(leder.username)
    other.get_by_label("Adgangskode").fill(PASSWORD)
    other.get_by_role("button", name="Log ind").click()
    other.goto(url)
    other.get_by_label("4-TILB Slutdato").fill((start + timedelta(days=2)).isoformat())
    other.get_by_role("button", name="Afslut tilbudstilknytning").click()
    expect(other.get_by_text("Tilbudstilknytningen er afsluttet.")).to_be_visible()

    mine = (start + timedelta(days=5)).isoformat()
    page.get_by_label("4-TILB Slutdato").fill(mine)
    page.get_by_role("button", name="Afslut tilbudstilknytning").click()
    expect(page.get_by_text("Skemaet er ændret af en anden, mens du arbejdede")).to_be_visible()
    expect(page.get_by_label("4-TILB Slutdato")).to_have_value(mine)  # nothing lost
    expect(page.get_by_role("group", name=re.compile("^4-TILB Slutdato"))).to_be_visible()
    check_page(page, "18-konflikt")
    page.get_by_role("button", name="Afslut tilbudstilknytning").click()
    expect(page.get_by_text("Tilbudstilknytningen er afsluttet.")).to_be_visible()
    saved = Kontaktforloeb.objects.get().tilbudstilknytninger.get()
    assert saved.tilbud_tilknyttet_behandling_slut_dato.isoformat() == mine
    assert saved.version == 3


def test_rediger_pages_and_whole_forloeb_deletion_are_accessible(login, alice, kbh, live_server):
    forloeb = ForloebFactory(myndighed=kbh, afsluttet=True)
    tilknytning = forloeb.tilbudstilknytninger.get()
    page = login(alice)
    base = f"{live_server.url}/forloeb/{forloeb.pk}"
    for name, path, label in (
        ("19-ret-anmodning", "/anmodning/rediger/", "2-ANM Anmodningsdato"),
        ("20-ret-ivaer", "/ivaerksaettelse/rediger/", "1-IVÆR Dato for iværksættelse"),
        ("21-ret-tilknytning", f"/tilknytning/{tilknytning.pk}/rediger/", "3-TILB Startdato"),
        ("22-ret-afslutning", "/afslutning/rediger/", "1-AFSL Afslutningsdato"),
    ):
        page.goto(base + path)
        expect(page.get_by_label(label)).not_to_have_value("")
        check_page(page, name)
    page.goto(base + "/slet/")
    expect(page.get_by_role("heading", name="Slet hele forløbet")).to_be_visible()
    check_page(page, "23-slet-hele-forloebet")
    page.get_by_role("button", name="Slet hele forløbet").click()
    expect(page.get_by_text("Forløbet er slettet bagfra (4 skemaer)")).to_be_visible()
    assert not Kontaktforloeb.objects.exists()
