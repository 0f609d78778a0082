"""``smdb_import`` (all or nothing, checked by the rule engine) and ``smdb_rapport``."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from audit.models import AuditEntry, Handling
from cases.models import Kontaktforloeb, SyncStatus
from smdb.models import SyncOperation
from tests.factories import UserFactory
from tests.reporting.conftest import REF, dage_foer, lav
from tests.smdb.test_smdb_validate_cli import TILB, fil, komplet

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(kbh):
    return UserFactory(username="kbh-admin", myndighed=kbh, rolle="administrator")


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def skriv(tmp_path, text, name="f.json"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_import_stores_every_forloeb_and_computes_32_ivaer(tmp_path, kbh, admin):
    anden = komplet()
    anden["anmodning"] = {**anden["anmodning"], "PersonIdentifikator": "0202801234"}
    path = skriv(tmp_path, fil(komplet(), anden))
    code, out, err = run("smdb_import", path, "--myndighed", "101", "--no-sync")
    assert (code, err) == (0, "")
    assert out.startswith("2 forløb og 8 skemaer gemt")
    f = Kontaktforloeb.objects.get(person_identifikator="0101901234")
    assert f.ivaerksaettelse.ivaerksat_behandling_dage_siden_anmodning_kvantitet == 9
    assert f.anmodning.sync_status == SyncStatus.SENDT
    assert not SyncOperation.objects.exists()
    assert AuditEntry.objects.filter(handling=Handling.IMPORTERET, bruger=admin).count() == 2


def test_import_with_sync_queues_every_schema_through_the_outbox(tmp_path, kbh, admin):
    code, out, _ = run("smdb_import", skriv(tmp_path, fil(komplet())), "--myndighed", "101")
    assert code == 0 and "sendes til SMDB" in out
    assert SyncOperation.objects.count() == 4


def test_import_is_all_or_nothing_against_what_is_stored(tmp_path, kbh, admin):
    aaben = komplet(
        afslutning=None, tilbudstilknytninger=[{**TILB, "TilbudTilknyttetBehandlingSlutDato": None}]
    )
    path = skriv(tmp_path, fil(aaben))
    assert run("smdb_import", path, "--myndighed", "101", "--no-sync")[0] == 0
    # A second open forløb for the stored citizen breaks R-ANM-1: nothing is stored,
    # not even the file's valid first forløb.
    ny = komplet()
    ny["anmodning"] = {**ny["anmodning"], "PersonIdentifikator": "0303701234"}
    code, out, err = run(
        "smdb_import", skriv(tmp_path, fil(ny, aaben), "g.json"), "--myndighed", "101"
    )
    assert code == 1 and "intet er gemt" in err
    lines = [json.loads(line) for line in out.splitlines()]
    assert lines and {line["forloeb"] for line in lines} == {1}
    assert Kontaktforloeb.objects.count() == 1


def test_import_malformed_input_exits_2(tmp_path, kbh, admin):
    assert run("smdb_import", skriv(tmp_path, "{not json"), "--myndighed", "101")[0] == 2
    anden_kommune = fil(komplet(KommuneKode=751))
    code, _, err = run("smdb_import", skriv(tmp_path, anden_kommune), "--myndighed", "101")
    assert code == 2 and "751" in err
    assert run("smdb_import", str(tmp_path / "nej.json"), "--myndighed", "101")[0] == 2
    assert run("smdb_import", skriv(tmp_path, fil()), "--myndighed", "999")[0] == 2
    assert not Kontaktforloeb.objects.exists()


def test_rapport_kontrolliste_as_json(kbh):
    f = lav(kbh, dage_foer(15))
    lav(kbh, dage_foer(14))
    code, out, _ = run(
        "smdb_rapport", "ikke-ivaerksat", "--myndighed", "101", "--dato", REF.isoformat()
    )
    rows = json.loads(out)
    assert code == 0
    assert [(r["PersonIdentifikator"], r["BehandlingAnmodningDato"]) for r in rows] == [
        (f.person_identifikator, dage_foer(15).isoformat())
    ]


def test_rapport_hovedtal_and_godkendelse_as_json(kbh):
    lav(kbh, date(2026, 2, 1), "afsluttet", dage=15)
    _, out, _ = run("smdb_rapport", "hovedtal", "--myndighed", "101", "--aar", "2026")
    h = json.loads(out)
    assert {k: h[k] for k in ("anmodninger", "ivaerksaettelser", "over_garanti")} == {
        "anmodninger": 1,
        "ivaerksaettelser": 1,
        "over_garanti": 1,
    }
    assert h["inden_for_garanti"] == 0 and h["afslutninger"] == 1
    assert h["personer_i_behandling"] == 1 and "koen" in h["fordelinger"]
    _, out, _ = run("smdb_rapport", "godkendelse", "--myndighed", "101", "--dato", "2026-06-01")
    g = json.loads(out)
    assert g["forloeb"] == 1 and g["afslutninger_efter_aarsag"]["01"]["antal"] == 1


def test_rapport_overblik_as_xlsx_and_csv(tmp_path, kbh):
    f = lav(kbh, dage_foer(30), "tilknyttet")
    path = tmp_path / "a.xlsx"
    run("smdb_rapport", "overblik", "--myndighed", "101", "--format", "xlsx", "--output", str(path))
    rows = list(load_workbook(path)["Anmodninger"].values)
    assert rows[1][1] == f.person_identifikator
    _, out, _ = run("smdb_rapport", "frister", "--myndighed", "101", "--format", "csv")
    assert out.startswith("KommuneKode;PersonIdentifikator")


def test_rapport_unknown_myndighed(kbh):
    with pytest.raises(CommandError, match="kommunekode 999"):
        call_command("smdb_rapport", "overblik", "--myndighed", "999", stdout=io.StringIO())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param('{"forloeb": [' + "9" * 5000 + "]}", "number too long", id="5000-digits"),
        pytest.param(
            '{"forloeb": ' + "[" * 100_000 + "]" * 100_000 + "}",
            "nested too deeply",
            id="100000-nested",
        ),
        pytest.param(None, "text too long", id="10MB-string"),
    ],
)
def test_import_of_hostile_input_exits_2_in_danish_without_a_traceback(
    tmp_path, kbh, admin, text, message
):
    """Issue 21: the README promises exit 2 for malformed input, never a traceback."""
    if text is None:
        forloeb = komplet()
        forloeb["ivaerksaettelse"]["ScreeningsvaerktoejAnvendtIvaerksaetTekst"] = "x" * 10_000_000
        text = fil(forloeb)
    code, _, err = run("smdb_import", skriv(tmp_path, text), "--myndighed", "101")
    assert code == 2
    assert message in err and "Traceback" not in err
    assert len(err) < 1000
    assert not Kontaktforloeb.objects.exists()


def test_rapport_garanti_overskredet_honours_aar(kbh):  # issue 22
    i_2025 = lav(kbh, date(2025, 3, 1), "ivaersat", dage=20)
    i_2026 = lav(kbh, date(2026, 3, 1), "ivaersat", dage=20)

    def cprs(*args):
        code, out, _ = run("smdb_rapport", "garanti-overskredet", "--myndighed", "101", *args)
        assert code == 0
        return {r["PersonIdentifikator"] for r in json.loads(out)}

    assert cprs("--aar", "2025") == {i_2025.person_identifikator}
    assert cprs("--aar", "2026", "--dato", REF.isoformat()) == {i_2026.person_identifikator}
    with pytest.raises(CommandError, match="ligger ikke i året 2025"):
        call_command(
            "smdb_rapport", "garanti-overskredet", "--myndighed", "101", "--aar", "2025",
            "--dato", REF.isoformat(),
        )  # fmt: skip


@pytest.mark.parametrize("navn", ["ikke-ivaerksat", "uden-tilknytning", "overblik", "frister"])
def test_rapport_refuses_aar_for_a_list_where_a_year_means_nothing(kbh, navn):
    with pytest.raises(CommandError, match=f"--aar gælder ikke for {navn}"):
        call_command("smdb_rapport", navn, "--myndighed", "101", "--aar", "2025")
