"""The supervisors' pages and downloads, as a leder, a caseworker and an administrator."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import AuditEntry, Handling
from cases.models import Anmodning, SyncStatus
from reporting import selectors
from tests.factories import UserFactory
from tests.reporting.conftest import REF, alt_sendt, dage_foer, genberegn, lav
from tests.ui_text import engelske_ord

pytestmark = pytest.mark.django_db

SUPERVISOR_URLS = [
    reverse("reporting:forside"),
    reverse("reporting:overblik"),
    reverse("reporting:overblik_xlsx"),
    reverse("reporting:overblik_csv"),
    reverse("reporting:hovedtal"),
    reverse("reporting:hovedtal_xlsx"),
    reverse("reporting:godkendelse"),
    reverse("reporting:godkendelse_xlsx"),
    reverse("reporting:tal", kwargs={"noegle": "forloeb"}),
    *[reverse("reporting:uge", kwargs={"noegle": k}) for k in selectors.UGENS_NAVNE],
]


@pytest.fixture
def leder_client(client, leder):
    client.force_login(leder)
    return client


def test_the_leders_front_page_links_each_kontrolliste_with_its_count(leder_client, kbh):
    lav(kbh, dage_foer(15))
    lav(kbh, dage_foer(14))
    response = leder_client.get("/?dato=" + REF.isoformat())
    body = response.content.decode()
    assert response.status_code == 200
    for slug, liste in selectors.KONTROLLISTER.items():
        assert reverse("reporting:kontrolliste", kwargs={"liste": slug}) in body
        assert liste.titel in body
    assert response.context["kontrollister"][0]["antal"] == 1  # ikke-ivaerksat
    assert response.context["uge"]["ikke_modtaget"] == 2


def test_the_front_page_costs_the_same_queries_for_more_forloeb(leder_client, kbh):
    lav(kbh, dage_foer(15))
    with CaptureQueriesContext(connection) as ctx:
        leder_client.get("/")
    for n in range(5):
        lav(kbh, dage_foer(20 + n), "tilknyttet")
    with CaptureQueriesContext(connection) as ctx2:
        leder_client.get("/")
    assert len(ctx.captured_queries) == len(ctx2.captured_queries) <= 8


def test_a_caseworker_sees_mine_sager_and_own_counts(client, alice, kbh):
    egen = lav(kbh, dage_foer(30), oprettet_af=alice)
    anden = lav(kbh, dage_foer(30))
    client.force_login(alice)
    response = client.get("/")
    assert [f.pk for f in response.context["mine_sager"]] == [egen.pk]
    assert response.context["mine_kontrollister"][0]["antal"] == 1
    liste = client.get(reverse("reporting:kontrolliste", kwargs={"liste": "ikke-ivaerksat"}))
    assert liste.status_code == 200
    pks = [r.record.pk for r in liste.context["table"].page.object_list]
    assert pks == [egen.pk] and anden.pk not in pks


@pytest.mark.parametrize("url", SUPERVISOR_URLS)
def test_a_caseworker_cannot_open_supervisor_pages(client, alice, url):
    client.force_login(alice)
    assert client.get(url).status_code == 403


def test_overblik_filters_sorts_and_masks_cpr(leder_client, kbh):
    gammel = lav(kbh, date(2026, 1, 5), "tilknyttet")
    ny = lav(kbh, date(2026, 5, 5))
    lukket = lav(kbh, date(2026, 1, 5), "afsluttet")
    url = reverse("reporting:overblik")
    response = leder_client.get(url)
    body = response.content.decode()
    rows = [r.record.pk for r in response.context["table"].page.object_list]
    assert rows == [gammel.pk, ny.pk] and lukket.pk not in rows
    assert gammel.cpr_maskeret in body and gammel.person_identifikator not in body
    assert reverse("cases:forloeb_detail", args=[gammel.pk]) in body
    filtreret = leder_client.get(url, {"anmodet_fra": "2026-04-01", "tilstand": "anmodet"})
    assert [r.record.pk for r in filtreret.context["table"].page.object_list] == [ny.pk]
    sorteret = leder_client.get(url, {"sort": "-anmodet"})
    assert [r.record.pk for r in sorteret.context["table"].page.object_list] == [ny.pk, gammel.pk]


def test_overblik_is_paged_in_a_fixed_number_of_queries(leder_client, kbh):
    for n in range(3):
        lav(kbh, dage_foer(20 + n), "tilknyttet")
    with CaptureQueriesContext(connection) as ctx:
        leder_client.get(reverse("reporting:overblik"))
    for n in range(6):
        lav(kbh, dage_foer(40 + n), "tilknyttet")
    with CaptureQueriesContext(connection) as ctx2:
        leder_client.get(reverse("reporting:overblik"))
    assert len(ctx.captured_queries) == len(ctx2.captured_queries) <= 8


def test_the_excel_download_is_the_aktivliste_and_is_audit_logged(leder_client, leder, kbh):
    f = lav(kbh, date(2026, 1, 5), "tilknyttet")
    lav(kbh, date(2026, 5, 5))
    from cases.models import Tilbud, Tilbudstilknytning

    langt = "Rusmiddelcenter København, Ambulatoriet Nørrebro"
    tilbud_id = Tilbudstilknytning.objects.get(forloeb=f).tilbud_id
    Tilbud.objects.update_or_create(tilbud_id=tilbud_id, defaults={"navn": langt})
    response = leder_client.get(reverse("reporting:overblik_xlsx"), {"tilstand": "ivaerksat"})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["Anmodninger", "Indskrivninger"]
    rows = list(wb["Anmodninger"].values)
    assert rows[0][:3] == ("KommuneKode", "PersonIdentifikator", "BehandlingAnmodningDato")
    assert [r[1] for r in rows[1:]] == [f.person_identifikator]
    assert rows[1][2].date() == date(2026, 1, 5)
    indskrivninger = list(wb["Indskrivninger"].values)
    assert len(indskrivninger) == 2 and indskrivninger[1][1] == f.person_identifikator
    # Issue 23: the TilbudNavn column is as wide as the names in it.
    kol = indskrivninger[0].index("TilbudNavn")
    bogstav = "ABCDEFGHIJ"[kol]
    assert indskrivninger[1][kol] == langt
    assert wb["Indskrivninger"].column_dimensions[bogstav].width >= len(langt)
    logged = AuditEntry.objects.filter(bruger=leder, handling=Handling.EKSPORTERET)
    assert list(logged.values_list("forloeb_id", flat=True)) == [f.pk]


def test_the_csv_download(leder_client, leder, kbh):
    f = lav(kbh, date(2026, 1, 5), "tilknyttet")
    response = leder_client.get(reverse("reporting:overblik_csv"))
    text = response.content.decode("utf-8-sig")
    header, row = text.splitlines()[:2]
    assert header.startswith("KommuneKode;PersonIdentifikator;BehandlingAnmodningDato")
    assert row.startswith(f"101;{f.person_identifikator};2026-01-05")
    assert AuditEntry.objects.filter(handling=Handling.EKSPORTERET, forloeb_id=f.pk).exists()


def test_a_kontrolliste_page_states_its_rule_and_links_rows(leder_client, kbh):
    f = lav(kbh, dage_foer(15))
    url = reverse("reporting:kontrolliste", kwargs={"liste": "ikke-ivaerksat"})
    response = leder_client.get(url, {"dato": REF.isoformat()})
    body = response.content.decode()
    assert "mere end 14 dage" in body
    assert reverse("cases:forloeb_detail", args=[f.pk]) in body
    assert "1 dag over garantien" in body


def test_a_bad_reference_date_gets_a_danish_message(leder_client):
    url = reverse("reporting:kontrolliste", kwargs={"liste": "frister"})
    response = leder_client.get(url, {"dato": "31-02-2026"}, follow=True)
    assert response.status_code == 200
    assert "Ugyldig dato" in response.content.decode()
    assert leder_client.get(reverse("reporting:hovedtal"), {"aar": "x"}).status_code == 200


def test_hovedtal_page_with_charts_and_excel(leder_client, kbh):
    lav(kbh, date(2026, 2, 1), "tilknyttet", dage=15)
    response = leder_client.get(reverse("reporting:hovedtal"), {"aar": 2026})
    body = response.content.decode()
    assert response.status_code == 200
    # Six charts, each drawn wide and narrow (reporting.charts); no inline style (CSP).
    assert body.count('<svg class="soejlediagram soejlediagram-bred"') == 6
    assert body.count('<svg class="soejlediagram soejlediagram-smal"') == 6
    assert "style=" not in body.split("<main")[1]
    xlsx = leder_client.get(reverse("reporting:hovedtal_xlsx"), {"aar": 2026})
    wb = load_workbook(io.BytesIO(xlsx.content))
    tal = {r[0]: r[1] for r in wb["Hovedtal"].values}
    assert tal[selectors.HOVEDTAL_NAVNE["over_garanti"]] == 1


def test_godkendelse_numbers_link_to_their_rows(leder_client, kbh):
    f = lav(kbh, date(2026, 2, 1), "afsluttet", dage=15)
    response = leder_client.get(reverse("reporting:godkendelse"), {"aar": 2026})
    body = response.content.decode()
    assert reverse("reporting:tal", kwargs={"noegle": "over_garanti"}) in body
    rows = leder_client.get(
        reverse("reporting:tal", kwargs={"noegle": "afslutninger"}), {"aar": 2026, "aarsag": "01"}
    )
    assert [r.record.pk for r in rows.context["table"].page.object_list] == [f.pk]
    xlsx = leder_client.get(reverse("reporting:godkendelse_xlsx"), {"aar": 2026})
    wb = load_workbook(io.BytesIO(xlsx.content))
    # Issue 23: Danish sheet names; the afslutninger sheet says when and why.
    assert "over_garanti" not in wb.sheetnames and "forloeb" not in wb.sheetnames
    ark = wb["Iværksat efter over 14 dage"]
    assert [r[0] for r in list(ark.values)[1:]] == [f.person_identifikator]
    afsl = list(wb["Afslutninger"].values)
    assert afsl[0][-2:] == ("BehandlingAfsluttetDato", "BehandlingAfsluttetAarsag")
    assert afsl[1][-2] is not None and afsl[1][-1]


def test_an_administrator_sees_reports_but_no_case_links(client, charlie, kbh):
    f = lav(kbh, dage_foer(30))
    client.force_login(charlie)
    body = client.get(reverse("reporting:overblik")).content.decode()
    assert f"Forløb {f.pk}" in body
    assert reverse("cases:forloeb_detail", args=[f.pk]) not in body


def test_smdb_refused_count_on_the_front_page(leder_client, kbh):
    f = lav(kbh, dage_foer(30))
    Anmodning.objects.filter(forloeb=f).update(sync_status=SyncStatus.AFVIST)
    genberegn(f)
    assert leder_client.get("/").context["uge"]["afvist"] == 1


def test_another_myndigheds_leder_sees_nothing(client, kbh, aarhus):
    f = lav(kbh, dage_foer(30), "tilknyttet")
    client.force_login(UserFactory(myndighed=aarhus, rolle="leder"))
    for url in SUPERVISOR_URLS + [
        reverse("reporting:kontrolliste", kwargs={"liste": s}) for s in selectors.KONTROLLISTER
    ]:
        response = client.get(url, {"aar": REF.year})
        assert response.status_code == 200
        body = response.content.decode(errors="replace")
        assert f.cpr_maskeret not in body and f.person_identifikator not in body, url
        if url.endswith(".xlsx"):
            wb = load_workbook(io.BytesIO(response.content))
            cells = [c for ws in wb for row in ws.values for c in row]
            assert f.person_identifikator not in cells and f.pk not in cells[2:], url


@pytest.mark.parametrize("slug", list(selectors.KONTROLLISTER))
def test_each_kontrolliste_is_read_in_a_fixed_number_of_queries(leder_client, kbh, slug):
    """Its own column too: the lists that read schemas (uden-tilknytning, smdb-fejl,
    frister) load only the fields that column reads, and must not reach for another
    one row by row."""
    from smdb.rules import today_dk

    idag = today_dk()
    url = reverse("reporting:kontrolliste", kwargs={"liste": slug})
    params = {"dato": (idag + timedelta(days=40)).isoformat()}

    def lav_flere(n: int) -> None:
        for k in range(n):
            anmodet = idag - timedelta(days=60 + k)
            lav(kbh, anmodet, "ivaersat", dage=20)  # no tilknytning
            lav(kbh, anmodet, "tilknyttet", dage=3)
            lav(kbh, anmodet)

    def laes():
        with CaptureQueriesContext(connection) as ctx:
            response = leder_client.get(url, params)
        assert response.status_code == 200
        return len(ctx.captured_queries), len(response.context["table"].page.object_list)

    lav_flere(1)
    queries, rows = laes()
    lav_flere(3)
    queries2, rows2 = laes()
    assert queries == queries2 <= 8
    if selectors.KONTROLLISTER[slug].skemaer:
        assert 0 < rows < rows2  # the list's own column was written for several rows


def test_overblik_filters_by_the_caseworker_named_as_the_table_names_them(
    leder_client, kbh, alice, bob
):
    egen = lav(kbh, dage_foer(30), oprettet_af=alice)
    lav(kbh, dage_foer(31))
    url = reverse("reporting:overblik")
    response = leder_client.get(url)
    choices = dict(response.context["filter"].form.fields["sagsbehandler"].choices)
    label = f"{alice.get_full_name()} (alice)"
    assert label in choices.values()
    assert f">{label}</option>" in response.content.decode()
    assert not any("bob" in str(c) for c in choices.values())  # another myndighed's user
    filtreret = leder_client.get(url, {"sagsbehandler": alice.pk})
    assert [r.record.pk for r in filtreret.context["table"].page.object_list] == [egen.pk]


def test_each_week_number_on_the_front_page_links_to_the_forloeb_behind_it(leder_client, kbh):
    ny = lav(kbh, dage_foer(6))  # anmodet on the week's first day
    foer = lav(kbh, dage_foer(7))  # the day before: not this week's
    ivaerksat = lav(kbh, dage_foer(20), "tilknyttet", dage=14)  # iværksat 6 days ago
    afvist = lav(kbh, dage_foer(40), "afsluttet")
    alt_sendt(ivaerksat)
    alt_sendt(afvist)
    Anmodning.objects.filter(forloeb=afvist).update(sync_status=SyncStatus.AFVIST)
    genberegn(ivaerksat, afvist)
    dato = {"dato": REF.isoformat()}
    forventet = {
        "anmodninger": [ny.pk],
        "ivaerksaettelser": [ivaerksat.pk],
        "afvist": [afvist.pk],  # afsluttet, and still listed: SMDB refused a schema
        "ikke_modtaget": [afvist.pk, foer.pk, ny.pk],  # oldest anmodning first
    }

    forside = leder_client.get("/", dato)
    body = forside.content.decode()
    for noegle, pks in forventet.items():
        url = reverse("reporting:uge", kwargs={"noegle": noegle})
        assert f'href="{url}?dato={REF.isoformat()}"' in body
        assert forside.context["uge"][noegle] == len(pks), noegle
        liste = leder_client.get(url, dato)
        assert liste.status_code == 200
        assert [r.record.pk for r in liste.context["table"].page.object_list] == pks, noegle
        assert selectors.UGENS_NAVNE[noegle] in liste.content.decode()


# --- Issue 23: OVERBLIK as a new leder reads it -------------------------------------------


def test_overblik_pages_in_danish_with_the_total(leder_client, kbh):
    for n in range(51):
        lav(kbh, dage_foer(20 + n))
    body = leder_client.get(reverse("reporting:overblik")).content.decode()
    assert "51 forløb i alt · side 1 af 2" in body
    assert "Næste" in body and engelske_ord(body) == []
    assert "Table navigation" not in body  # an aria-label, read aloud
    body = leder_client.get(reverse("reporting:overblik"), {"page": 2}).content.decode()
    assert "Forrige" in body and "side 2 af 2" in body and engelske_ord(body) == []


def test_overblik_sorts_every_column_but_none_and_a_sort_starts_on_page_1(leder_client, kbh):
    for n in range(51):
        lav(kbh, dage_foer(20 + n))
    response = leder_client.get(reverse("reporting:overblik"), {"page": 2, "anmodet_fra": ""})
    table = response.context["table"]
    assert [c.name for c in table.columns if not c.orderable] == []
    body = response.content.decode()
    sort_links = [part.split('"')[0] for part in body.split('href="?')[1:] if "sort=" in part]
    assert len(sort_links) == len(table.columns)
    assert all("page=" not in link for link in sort_links)
    assert all("anmodet_fra=" in link for link in sort_links)  # the filter is kept
    for kolonne in ("cpr", "smdb", "tilknytninger"):
        assert leder_client.get(reverse("reporting:overblik"), {"sort": kolonne}).status_code == 200


def test_overblik_fra_after_til_is_a_danish_error_not_an_empty_list(leder_client, kbh):
    lav(kbh, dage_foer(20))
    response = leder_client.get(
        reverse("reporting:overblik"),
        {"anmodet_fra": dage_foer(5).isoformat(), "anmodet_til": dage_foer(30).isoformat()},
    )
    body = response.content.decode()
    assert "»Anmodet til« ligger før »Anmodet fra«. Ret en af datoerne." in body
    assert "ret fejlen i filteret ovenfor" in body
    xlsx = leder_client.get(
        reverse("reporting:overblik_csv"),
        {"anmodet_fra": dage_foer(5).isoformat(), "anmodet_til": dage_foer(30).isoformat()},
    )
    assert xlsx.status_code == 200
