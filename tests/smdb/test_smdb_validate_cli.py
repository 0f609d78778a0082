"""``manage.py smdb_validate FILE.json``: the contract the acceptance checks use."""

from __future__ import annotations

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from smdb.rules import jsonio

ROOT = Path(__file__).resolve().parents[2]


def schema(**values):
    return values


ANM = schema(
    PersonIdentifikator="0101901234",
    BehandlingAnmodningDato="2025-09-01",
    BehandlingTidligereKode="02",
    PersonEllerPartnerGravidKode="02",
    PersonPsykiskFunktionsnedsaettelseKode="99",
)
IVAER = schema(
    OenskerBorgerTilbudLaegesamtaleKode="01",
    LaegesamtaleAfholdtIndikator=True,
    LaegesamtaleAfholdtDato="2025-09-05",
    IvaerksatBehandlingDato="2025-09-10",
    ScreeningsvaerktoejAnvendtIvaerksaetKode="05",
    ScreeningsvaerktoejAnvendtIvaerksaetTekst="AUDIT",
    BehandlingFormaalKode="02",
    HenvisningPaaOpfordringAfListe=["01", "04"],
    PersonBoligsituationKode="12",
    PersonEllerPartnerHarBoernUnder18Indikator=True,
    BoernErTilknyttetHusstandenIndikator=False,
    PersonTagetIkkeOrdineredeStofferSenesteMaanedIndikator=True,
    IllegalHeroinDageIndtagetSenesteMaanedKvantitet=25,
    PersonHovedstofAngivelseIkkeMuligIndikator=False,
    PersonAktueltHovedstofKode="08",
    HovedstofDageIndtagetSenesteMaanedKvantitet=25,
    HovedstofFoersteBrugAlderKvantitet=None,
    HovedstofFoersteBrugAlderVilIkkeOplyseIndikator=True,
    HovedstofIndtagelseshyppighedKode="03",
    HovedstofTypiskIndtagelsesmaadeKode="01",
    PersonNogensindeInjiceretEllerInjicererForTidenKode="05",
    PersonNogensindeDeltEllerDelerVaerktoejForTidenKode="03",
    PersonFoersteInjektionAlderKode="02",
    PersonNogensindeTestetHCVKode="04",
    PersonNogensindeTestetHIVKode="04",
    PersonNogensindeSubstitutionsbehandlingKode="02",
    PersonFoersteSubstitutionsbehandlingAlderKvantitet=25,
)
TILB = schema(
    TilbudId=4711,
    PersonBehandlingFritValgIndikator=False,
    TilbudTilknyttetBehandlingStartDato="2025-09-10",
    TilbudTilknyttetBehandlingSlutDato="2025-12-01",
    BehandlingIntensitetKode="01",
    BehandlingTypeKode="01",
    AutorisationKodeTekst="0A1B2",
)
AFSL = schema(
    BehandlingAfsluttetDato="2025-12-01",
    BehandlingAfsluttetStatusKode="05",
    BehandlingAfsluttetAarsagKode="10",
    BehandlingAfsluttetAarsagTekst="Systemskift",
)


def fil(*forloeb, today="2026-03-01"):
    return json.dumps({"today": today, "forloeb": list(forloeb)})


def komplet(**kw):
    return {
        "KommuneKode": 101,
        "anmodning": dict(ANM),
        "ivaerksaettelse": dict(IVAER),
        "tilbudstilknytninger": [dict(TILB)],
        "afslutning": dict(AFSL),
        **kw,
    }


def check(text):
    result = jsonio.check_text(text)
    return result.exit_code, [json.loads(line) for line in result.lines], result.error


def test_a_complete_closed_forloeb_exits_0():
    assert check(fil(komplet())) == (0, [], None)


def test_violations_exit_1_with_one_json_object_per_line():
    f = komplet()
    f["ivaerksaettelse"]["IvaerksatBehandlingDato"] = "2025-08-31"
    code, lines, _ = check(fil(komplet(), f))  # the same citizen, twice closed: fine
    assert code == 1
    assert {"forloeb": 1, "rule": "R-IVAER-3", "felt_id": "1-IVÆR"}.items() <= lines[0].items()
    assert all(set(line) == {"forloeb", "rule", "felt_id", "message"} for line in lines)


def test_output_keeps_danish_letters():
    f = komplet()
    f["ivaerksaettelse"]["IvaerksatBehandlingDato"] = "2025-08-31"
    result = jsonio.check_text(fil(f))
    assert "IVÆR" in result.lines[0] and "\\u" not in result.lines[0]


def test_null_and_missing_keys_mean_empty():
    f = komplet(ivaerksaettelse=None, tilbudstilknytninger=None)
    f["afslutning"]["BehandlingAfsluttetDato"] = "2025-09-01"
    f["anmodning"]["PersonPsykiskFunktionsnedsaettelseKode"] = None
    code, lines, _ = check(fil(f))
    assert code == 1 and [(x["rule"], x["felt_id"]) for x in lines] == [("R-GEN-2", "5-ANM")]
    del f["anmodning"]["PersonPsykiskFunktionsnedsaettelseKode"]
    assert check(fil(f))[1] == lines


def test_cpr_and_kommune_may_sit_at_the_top_of_the_forloeb():
    f = komplet(PersonIdentifikator="010190-1234")
    del f["anmodning"]["PersonIdentifikator"]
    assert check(fil(f)) == (0, [], None)


def test_forloeb_of_the_same_citizen_and_myndighed_see_each_other():
    open_ = komplet(afslutning=None)
    open_["tilbudstilknytninger"][0]["TilbudTilknyttetBehandlingSlutDato"] = None
    later = komplet(afslutning=None, ivaerksaettelse=None, tilbudstilknytninger=[])
    later["anmodning"]["BehandlingAnmodningDato"] = "2026-01-05"
    code, lines, _ = check(fil(open_, later))
    assert code == 1 and [(x["forloeb"], x["rule"]) for x in lines] == [
        (0, "R-ANM-1"),
        (1, "R-ANM-1"),
    ]
    other_kommune = {**later, "KommuneKode": 147}
    assert check(fil(open_, other_kommune))[0] == 0
    other_cpr = {**later, "anmodning": {**later["anmodning"], "PersonIdentifikator": "211062-0629"}}
    assert check(fil(open_, other_cpr))[0] == 0


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("{not json", "JSON"),
        ("[]", "objekt"),
        (fil(komplet(Ukendt=1)), "forloeb[0].Ukendt"),
        (json.dumps({"today": "2026-03-01", "forloeb": [], "x": 1}), "x"),
        (fil({**komplet(), "anmodning": {**ANM, "Foo": "01"}}), "anmodning.Foo"),
        (
            fil({**komplet(), "anmodning": {**ANM, "IvaerksatBehandlingDato": "2025-09-10"}}),
            "hører",
        ),
        (fil({**komplet(), "anmodning": {**ANM, "BehandlingTidligereKode": 2}}), "kode som tekst"),
        (fil({**komplet(), "anmodning": {**ANM, "BehandlingAnmodningDato": "01-09-2025"}}), "dato"),
        (fil({**komplet(), "anmodning": {**ANM, "BehandlingAnmodningDato": "2025-02-30"}}), "dato"),
        (fil(komplet(ivaerksaettelse={**IVAER, "LaegesamtaleAfholdtIndikator": "true"})), "true"),
        (fil(komplet(ivaerksaettelse={**IVAER, "HenvisningPaaOpfordringAfListe": "01"})), "liste"),
        (fil(komplet(tilbudstilknytninger=[{**TILB, "TilbudId": "4711"}])), "helt tal"),
        (fil(komplet(tilbudstilknytninger=[{**TILB, "TilbudId": True}])), "helt tal"),
        (fil(komplet(tilbudstilknytninger={})), "liste"),
        (fil(komplet(tilbudstilknytninger=[None])), "objekt"),
        (fil(komplet(KommuneKode="101")), "helt tal"),
        (fil(komplet(PersonIdentifikator="2110625629")), "disagrees"),
        (fil(komplet(), today="i dag"), "today"),
        (json.dumps({"today": "2026-03-01", "forloeb": {}}), "forloeb"),
    ],
)
def test_malformed_input_exits_2_with_a_message(text, where):
    code, lines, error = check(text)
    assert (code, lines) == (2, [])
    assert error and where in error and "Traceback" not in error


def test_the_command_exits_0_1_and_2(tmp_path):
    def run(text):
        path = tmp_path / "f.json"
        path.write_text(text, encoding="utf-8")
        return subprocess.run(
            [sys.executable, "manage.py", "smdb_validate", str(path)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )

    ok = run(fil(komplet()))
    assert (ok.returncode, ok.stdout) == (0, "")
    f = komplet()
    f["afslutning"]["BehandlingAfsluttetDato"] = "2025-12-02"
    bad = run(fil(f))
    assert bad.returncode == 1
    assert json.loads(bad.stdout.splitlines()[0])["rule"] == "R-AFSL-6"
    malformed = run("{")
    assert malformed.returncode == 2 and "JSON" in malformed.stderr
    assert "Traceback" not in malformed.stderr


def test_call_command_writes_lines_and_raises_systemexit(tmp_path):
    path = tmp_path / "f.json"
    f = komplet()
    f["afslutning"]["BehandlingAfsluttetDato"] = "2025-11-30"
    path.write_text(fil(f), encoding="utf-8")
    out, err = StringIO(), StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("smdb_validate", str(path), stdout=out, stderr=err)
    assert exc.value.code == 1
    rules = [json.loads(line)["rule"] for line in out.getvalue().splitlines()]
    assert sorted(rules) == ["R-AFSL-4", "R-TILB-6"]
    path.write_text(fil(komplet()), encoding="utf-8")
    call_command("smdb_validate", str(path), stdout=out, stderr=err)  # exit 0: no SystemExit


def test_a_file_that_cannot_be_read_exits_2(tmp_path):
    result = jsonio.check_file(str(tmp_path / "nope.json"))
    assert result.exit_code == 2 and "nope.json" in result.error


def test_the_same_cpr_written_two_ways_agrees():
    f = komplet(PersonIdentifikator="010190-1234")
    assert check(fil(f)) == (0, [], None)
