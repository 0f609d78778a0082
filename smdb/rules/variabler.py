"""SMDB variable names the rules refer to, checked against ``smdb.fields`` at import."""

from __future__ import annotations

from smdb.fields import ALL_FIELDS, DAGE_VARIABLES

# ANM
CPR = "PersonIdentifikator"
KOMMUNE = "KommuneKode"
ANM_DATO = "BehandlingAnmodningDato"

# IVÆR
OENSKER_LAEGESAMTALE = "OenskerBorgerTilbudLaegesamtaleKode"  # 24
LAEGESAMTALE_AFHOLDT = "LaegesamtaleAfholdtIndikator"  # 25
LAEGESAMTALE_DATO = "LaegesamtaleAfholdtDato"  # 26
LAEGESAMTALE_AARSAG = "LaegesamtaleIkkeAfholdtAarsagTidsfristOverskredetKode"  # 29
IVAER_DATO = "IvaerksatBehandlingDato"  # 1
DAGE_SIDEN_ANMODNING = "IvaerksatBehandlingDageSidenAnmodningKvantitet"  # 32 (a)
ALDER = "PersonIvaerksatBehandlingAlderKvantitet"  # 23
GARANTI_AARSAG = "BehandlingGarantiOverskredeAarsagKode"  # 4
SCREENING = "ScreeningsvaerktoejAnvendtIvaerksaetKode"  # 42
SCREENING_TEKST = "ScreeningsvaerktoejAnvendtIvaerksaetTekst"  # 43
HENVISNING = "HenvisningPaaOpfordringAfListe"  # 31
BOERN = "PersonEllerPartnerHarBoernUnder18Indikator"  # 44
BOERN_I_HUSSTANDEN = "BoernErTilknyttetHusstandenIndikator"  # 45
STOFFER_SENESTE_MAANED = "PersonTagetIkkeOrdineredeStofferSenesteMaanedIndikator"  # 46
DAGE = DAGE_VARIABLES  # 18
HOVEDSTOF_IKKE_MULIG = "PersonHovedstofAngivelseIkkeMuligIndikator"  # 19
HOVEDSTOF = "PersonAktueltHovedstofKode"  # 20
HOVEDSTOF_DAGE = "HovedstofDageIndtagetSenesteMaanedKvantitet"
HOVEDSTOF_ALDER = "HovedstofFoersteBrugAlderKvantitet"
HOVEDSTOF_ALDER_VIL_IKKE_OPLYSE = "HovedstofFoersteBrugAlderVilIkkeOplyseIndikator"
HOVEDSTOF_HYPPIGHED = "HovedstofIndtagelseshyppighedKode"
HOVEDSTOF_INDTAGELSESMAADE = "HovedstofTypiskIndtagelsesmaadeKode"
HOVEDSTOF_FELTER = (
    HOVEDSTOF,
    HOVEDSTOF_DAGE,
    HOVEDSTOF_ALDER,
    HOVEDSTOF_ALDER_VIL_IKKE_OPLYSE,
    HOVEDSTOF_HYPPIGHED,
    HOVEDSTOF_INDTAGELSESMAADE,
)
INJICERET = "PersonNogensindeInjiceretEllerInjicererForTidenKode"  # 32 (b)
DELT_VAERKTOEJ = "PersonNogensindeDeltEllerDelerVaerktoejForTidenKode"  # 33
FOERSTE_INJEKTION_ALDER = "PersonFoersteInjektionAlderKode"  # 22
TESTET_HCV = "PersonNogensindeTestetHCVKode"  # 34
TESTET_HIV = "PersonNogensindeTestetHIVKode"  # 35
SUBSTITUTION = "PersonNogensindeSubstitutionsbehandlingKode"  # 36
SUBSTITUTION_ALDER = "PersonFoersteSubstitutionsbehandlingAlderKvantitet"  # 41

# TILB
TILBUD_ID = "TilbudId"
TILB_START = "TilbudTilknyttetBehandlingStartDato"  # 3
TILB_SLUT = "TilbudTilknyttetBehandlingSlutDato"  # 4
INTENSITET = "BehandlingIntensitetKode"  # 7
BEHANDLINGSTYPE = "BehandlingTypeKode"  # 8
AUTORISATION = "AutorisationKodeTekst"  # 9

# AFSL
AFSL_DATO = "BehandlingAfsluttetDato"  # 1
AFSL_STATUS = "BehandlingAfsluttetStatusKode"  # 2
AFSL_AARSAG = "BehandlingAfsluttetAarsagKode"  # 3
AFSL_OVERTAGET = "BehandlingAfsluttetHvemHarOvertagetBehandling"  # 4
AFSL_AARSAG_TEKST = "BehandlingAfsluttetAarsagTekst"  # our own field

_unknown = [
    name
    for name, value in list(globals().items())
    if name.isupper() and isinstance(value, str) and value not in ALL_FIELDS
]
assert not _unknown, f"not in smdb.fields: {_unknown}"
