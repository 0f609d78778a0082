"""Field metadata for the four SMDB schemas: the one source of truth.

Every Felt-ID, SMDB variable name, Danish label, type and code list of
``../shared/spec/fields.md`` is written here once. Django model fields, form
labels, templates, the XML mapping and the simulator are all derived from it.

Pure Python: no Django imports, so the rule engine can use it too.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field


class FieldType(enum.Enum):
    DATE = "date"
    CODE = "code"
    BOOL = "bool"
    INT = "int"
    TEXT = "text"
    CODE_LIST = "code_list"


JA_NEJ_UOPLYST = (("01", "Ja"), ("02", "Nej"), ("99", "Uoplyst"))

TEST_CODES = (
    ("01", "Aldrig testet"),
    ("02", "Er blevet testet"),
    ("03", "Testet for mere end 12 måneder siden"),
    ("04", "Testet inden for de seneste 12 måneder"),
    ("99", "Uoplyst"),
)


def snake_case(variable: str) -> str:
    """SMDB variable name -> Django field name (``BehandlingAnmodningDato`` ->
    ``behandling_anmodning_dato``); the wire mapping is this function."""
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", variable)
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s)
    return s.lower()


@dataclass(frozen=True)
class Field:
    felt_id: str
    variable: str
    label: str
    type: FieldType
    codes: tuple[tuple[str, str], ...] = ()
    help_text: str = ""
    min_value: int | None = None
    max_value: int | None = None
    max_length: int | None = None
    # Computed by the system (8-ANM from the user's myndighed, 23/32-IVÆR from
    # dates and CPR); shown read-only, never typed.
    computed: bool = False
    # Stored on the Kontaktforløb, not on the schema row (CPR, KommuneKode).
    on_forloeb: bool = False
    # Shown only under a condition (see smdb.rules visibility).
    conditional: bool = False
    # Not in DST's 2026 field table; our own addition, see its help text.
    our_assumption: bool = False

    @property
    def name(self) -> str:
        return snake_case(self.variable)

    @property
    def ident(self) -> str:
        """Felt-ID, or the variable name for our own field that has none."""
        return self.felt_id or self.variable

    @property
    def full_label(self) -> str:
        """Label as DST's web form shows it: Felt-ID first."""
        return f"{self.felt_id} {self.label}" if self.felt_id else self.label

    def code_label(self, code: str | None) -> str:
        return dict(self.codes).get(code or "", code or "")


@dataclass(frozen=True)
class Schema:
    key: str  # python name: anmodning, ivaerksaettelse, ...
    short: str  # ANM, IVÆR, TILB, AFSL
    title: str  # Danish title of the schema
    action: str  # DST's web form action
    fields: tuple[Field, ...] = field(default=())

    def __iter__(self):
        return iter(self.fields)

    def by_variable(self) -> dict[str, Field]:
        return {f.variable: f for f in self.fields}

    @property
    def stored_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if not f.on_forloeb)


F = FieldType

ANMODNING = Schema(
    key="anmodning",
    short="ANM",
    title="Anmodning om behandling",
    action="Registrér anmodning",
    fields=(
        Field(
            "6-ANM",
            "PersonIdentifikator",
            "CPR-nummer",
            F.TEXT,
            max_length=10,
            help_text="Borgerens CPR-nummer, 10 cifre (bindestreg må gerne skrives).",
            on_forloeb=True,
        ),
        Field(
            "8-ANM",
            "KommuneKode",
            "Myndighed (kommunekode)",
            F.INT,
            computed=True,
            on_forloeb=True,
            help_text="Udfyldes automatisk med din myndigheds kommunekode.",
        ),
        Field(
            "2-ANM",
            "BehandlingAnmodningDato",
            "Anmodningsdato",
            F.DATE,
            help_text="Datoen hvor borgeren anmodede om behandling. Må ikke ligge i fremtiden.",
        ),
        Field(
            "3-ANM",
            "BehandlingTidligereKode",
            "Tidligere i stofmisbrugsbehandling",
            F.CODE,
            JA_NEJ_UOPLYST,
        ),
        Field(
            "9-ANM",
            "PersonEllerPartnerGravidKode",
            "Borger eller partner gravid",
            F.CODE,
            JA_NEJ_UOPLYST,
        ),
        Field(
            "5-ANM",
            "PersonPsykiskFunktionsnedsaettelseKode",
            "Psykisk funktionsnedsættelse",
            F.CODE,
            JA_NEJ_UOPLYST,
        ),
    ),
)

#: 18-IVÆR: the 17 day counts, (variable stem, Danish label).
DAGE_STOFFER = (
    ("IllegalMetadon", "Illegal metadon"),
    ("IllegalHeroin", "Illegal heroin"),
    ("Tramadol", "Tramadol"),
    ("Oxycodon", "Oxycodon"),
    ("Fentanyl", "Fentanyl"),
    ("AndreOpiater", "Andre opiater"),
    ("IllegalBuprenorphin", "Illegal buprenorphin"),
    ("IllegalBenzodiazepiner", "Illegale benzodiazepiner"),
    ("Amfetaminer", "Amfetaminer"),
    ("Metamfetamin", "Metamfetamin"),
    ("KokainPulver", "Kokain (pulver)"),
    ("KokainCrack", "Kokain (crack)"),
    ("Ecstasy", "Ecstasy"),
    ("Hallucinogener", "Hallucinogener"),
    ("Cannabis", "Cannabis"),
    ("Oploesningsmidler", "Opløsningsmidler"),
    ("AndreStoffer", "Andre stoffer"),
)

DAGE_VARIABLES = tuple(f"{stem}DageIndtagetSenesteMaanedKvantitet" for stem, _ in DAGE_STOFFER)

HOVEDSTOF_CODES = (
    ("02", "Metadon"),
    ("08", "Heroin"),
    ("20", "Tramadol"),
    ("21", "Oxycodon"),
    ("22", "Fentanyl"),
    ("07", "Andre opiater"),
    ("04", "Buprenorphin"),
    ("06", "Benzodiazepiner"),
    ("11", "Amfetamin"),
    ("17", "Metamfetamin"),
    ("18", "Kokain (pulver)"),
    ("19", "Kokain (crack)"),
    ("12", "Ecstasy"),
    ("14", "Hallucinogener"),
    ("13", "Hash/Cannabis"),
    ("15", "Opløsningsmidler (inhalanter)"),
    ("16", "Andre stoffer"),
)

INJEKTION_CODES = (
    ("01", "Aldrig injiceret"),
    ("03", "Har injiceret, men ikke de seneste 12 måneder"),
    ("04", "Har injiceret i løbet af de seneste 12 måneder, men ikke de seneste 30 dage"),
    ("05", "Har injiceret inden for de seneste 30 dage"),
    ("99", "Uoplyst"),
)

IVAERKSAETTELSE = Schema(
    key="ivaerksaettelse",
    short="IVÆR",
    title="Iværksættelse af behandling",
    action="Iværksæt behandling",
    fields=(
        Field(
            "24-IVÆR",
            "OenskerBorgerTilbudLaegesamtaleKode",
            "Ønsker borgeren tilbud om lægesamtale",
            F.CODE,
            (("01", "Ja"), ("02", "Nej"), ("03", "Tilbud ikke givet")),
        ),
        Field("25-IVÆR", "LaegesamtaleAfholdtIndikator", "Er lægesamtalen afholdt", F.BOOL),
        Field(
            "26-IVÆR",
            "LaegesamtaleAfholdtDato",
            "Dato for afholdt lægesamtale",
            F.DATE,
            conditional=True,
            help_text="Mellem anmodningsdatoen og i dag. Vises når lægesamtalen er afholdt.",
        ),
        Field(
            "29-IVÆR",
            "LaegesamtaleIkkeAfholdtAarsagTidsfristOverskredetKode",
            "Årsag til at lægesamtalen ikke er afholdt inden for tidsfristen",
            F.CODE,
            (
                ("01", "Manglende lægeressource hos myndighed"),
                ("02", "Manglende lægeressource hos anvist tilbud"),
                ("03", "Borgeren forhindret i fremmøde"),
                ("04", "Borgeren udeblevet"),
                ("05", "Lægesamtale planlagt til efter tidsfrist"),
                ("06", "Anden"),
            ),
            conditional=True,
            help_text="Vises når fristen på 14 dage for lægesamtalen er overskredet.",
        ),
        Field(
            "1-IVÆR",
            "IvaerksatBehandlingDato",
            "Dato for iværksættelse",
            F.DATE,
            help_text="Mellem anmodningsdatoen og i dag.",
        ),
        Field(
            "32-IVÆR",
            "IvaerksatBehandlingDageSidenAnmodningKvantitet",
            "Dage fra anmodning til iværksættelse",
            F.INT,
            computed=True,
            help_text="Beregnes automatisk.",
        ),
        Field(
            "23-IVÆR",
            "PersonIvaerksatBehandlingAlderKvantitet",
            "Borgerens alder ved iværksættelse",
            F.INT,
            computed=True,
            help_text="Beregnes automatisk ud fra CPR-nummeret.",
        ),
        Field(
            "4-IVÆR",
            "BehandlingGarantiOverskredeAarsagKode",
            "Årsag til overskredet behandlingsgaranti",
            F.CODE,
            (
                ("01", "Mangel på ledig plads"),
                ("02", "Manglende personalemæssig kapacitet pga. ferie, sygdom el. lign."),
                ("08", "Borgeren har meldt afbud"),
                ("04", "Borgeren er udeblevet"),
                ("09", "Borgeren ønsker tid, der ligger efter behandlingsgarantien"),
                ("05", "Frit valg (kun borgere på 18 år og derover)"),
                ("06", "Manglende samtykkeerklæring (kun borgere under 18 år)"),
                ("07", "Anden årsag"),
            ),
            conditional=True,
            help_text="Vises når der er gået mere end 14 dage fra anmodning til iværksættelse.",
        ),
        Field(
            "42-IVÆR",
            "ScreeningsvaerktoejAnvendtIvaerksaetKode",
            "Anvendt screeningsværktøj",
            F.CODE,
            (
                ("01", "ASI"),
                ("02", "UngMAP"),
                ("03", "VoksenMAP"),
                ("04", "MATE"),
                ("05", "Andet screeningsværktøj"),
            ),
        ),
        Field(
            "43-IVÆR",
            "ScreeningsvaerktoejAnvendtIvaerksaetTekst",
            "Andet screeningsværktøj, beskriv",
            F.TEXT,
            max_length=250,
            conditional=True,
            help_text="Højst 250 tegn. Vises når der er valgt 'Andet screeningsværktøj'.",
        ),
        Field(
            "6-IVÆR",
            "BehandlingFormaalKode",
            "Formål med behandlingen",
            F.CODE,
            (
                ("01", "Ophør"),
                ("02", "Reduktion"),
                (
                    "04",
                    "Tilbagefaldsforebyggelse (stabilisering af tilstand opnået "
                    "gennem anden behandling)",
                ),
                ("05", "Stabilisering (undgå negativ udvikling)"),
            ),
        ),
        Field(
            "31-IVÆR",
            "HenvisningPaaOpfordringAfListe",
            "Henvist på opfordring af",
            F.CODE_LIST,
            (
                ("01", "Eget initiativ"),
                ("02", "Skadestue/hospital"),
                ("04", "Praktiserende læge"),
                ("18", "Integreret dobbeltdiagnosetilbud"),
                ("20", "Koordineret forløb"),
                ("19", "Kriminalforsorgen/domstol/prøveløsladelse/politi"),
                ("07", "Alkoholbehandlingstilbud"),
                ("08", "Stofbehandlingstilbud"),
                ("09", "Familieambulatorium"),
                ("21", "Herberg/forsorgshjem (§110) eller krisecenter (§109)"),
                ("16", "Anden kommunal forvaltning"),
                ("22", "Familie/venner"),
                ("13", "Arbejdsgiver"),
                ("14", "Skole/uddannelsessted"),
                ("23", "Rådgivningstilbud og/eller interesseorganisation"),
                ("17", "Andet"),
                ("99", "Uoplyst"),
            ),
            help_text="Vælg en eller flere. 'Uoplyst' kan ikke kombineres med andre.",
        ),
        Field(
            "9-IVÆR",
            "PersonBoligsituationKode",
            "Boligsituation",
            F.CODE,
            (
                ("11", "Stabil"),
                ("12", "Ustabil"),
                ("07", "Fængsel"),
                ("08", "Institution efter SEL"),
                ("99", "Borgeren vil ikke oplyse"),
            ),
        ),
        Field(
            "44-IVÆR",
            "PersonEllerPartnerHarBoernUnder18Indikator",
            "Har borgeren eller partneren børn under 18 år",
            F.BOOL,
        ),
        Field(
            "45-IVÆR",
            "BoernErTilknyttetHusstandenIndikator",
            "Er børnene tilknyttet husstanden",
            F.BOOL,
            conditional=True,
            help_text="Vises når borgeren eller partneren har børn under 18 år.",
        ),
        Field(
            "46-IVÆR",
            "PersonTagetIkkeOrdineredeStofferSenesteMaanedIndikator",
            "Har borgeren taget ikke-ordinerede stoffer inden for den seneste måned",
            F.BOOL,
        ),
        *(
            Field(
                "18-IVÆR",
                variable,
                f"Antal dage med {label.lower()} seneste måned",
                F.INT,
                min_value=0,
                max_value=30,
                conditional=True,
            )
            for variable, (_, label) in zip(DAGE_VARIABLES, DAGE_STOFFER, strict=True)
        ),
        Field(
            "19-IVÆR",
            "PersonHovedstofAngivelseIkkeMuligIndikator",
            "Det er ikke muligt at angive et hovedstof",
            F.BOOL,
        ),
        Field(
            "20-IVÆR",
            "PersonAktueltHovedstofKode",
            "Hovedstof",
            F.CODE,
            HOVEDSTOF_CODES,
            conditional=True,
        ),
        Field(
            "20-IVÆR",
            "HovedstofDageIndtagetSenesteMaanedKvantitet",
            "Hovedstof: antal dage indtaget seneste måned",
            F.INT,
            min_value=0,
            max_value=30,
            conditional=True,
        ),
        Field(
            "20-IVÆR",
            "HovedstofFoersteBrugAlderKvantitet",
            "Hovedstof: alder ved første brug",
            F.INT,
            min_value=0,
            max_value=99,
            conditional=True,
        ),
        Field(
            "20-IVÆR",
            "HovedstofFoersteBrugAlderVilIkkeOplyseIndikator",
            "Hovedstof: borgeren vil ikke oplyse alder ved første brug",
            F.BOOL,
            conditional=True,
        ),
        Field(
            "20-IVÆR",
            "HovedstofIndtagelseshyppighedKode",
            "Hovedstof: indtagelseshyppighed",
            F.CODE,
            (
                ("01", "Mindre end 1 gang pr. uge"),
                ("02", "2-3 gange pr. uge"),
                ("04", "4-6 gange pr. uge"),
                ("03", "Dagligt"),
                ("99", "Uoplyst"),
            ),
            conditional=True,
        ),
        Field(
            "20-IVÆR",
            "HovedstofTypiskIndtagelsesmaadeKode",
            "Hovedstof: typisk indtagelsesmåde",
            F.CODE,
            (
                ("01", "Injektion"),
                ("02", "Rygning"),
                ("03", "Spiser/drikker"),
                ("04", "Sniffer"),
                ("99", "Uoplyst"),
            ),
            conditional=True,
        ),
        Field(
            "32-IVÆR",
            "PersonNogensindeInjiceretEllerInjicererForTidenKode",
            "Har borgeren nogensinde injiceret",
            F.CODE,
            INJEKTION_CODES,
        ),
        Field(
            "33-IVÆR",
            "PersonNogensindeDeltEllerDelerVaerktoejForTidenKode",
            "Har borgeren nogensinde delt injektionsværktøj",
            F.CODE,
            (
                ("01", "Aldrig delt værktøj"),
                ("03", "Har delt, men ikke de seneste 12 måneder"),
                ("04", "Har delt i løbet af de seneste 12 måneder, men ikke de seneste 30 dage"),
                ("05", "Har delt inden for de seneste 30 dage"),
                ("99", "Uoplyst"),
            ),
        ),
        Field(
            "22-IVÆR",
            "PersonFoersteInjektionAlderKode",
            "Alder ved første injektion",
            F.CODE,
            (
                ("01", "Under 15 år"),
                ("02", "15-19 år"),
                ("03", "20-24 år"),
                ("04", "25-29 år"),
                ("05", "30-34 år"),
                ("06", "35-39 år"),
                ("07", "40 år eller derover"),
            ),
            conditional=True,
            help_text="Vises når borgeren har injiceret.",
        ),
        Field(
            "34-IVÆR",
            "PersonNogensindeTestetHCVKode",
            "Testet for hepatitis C (HCV)",
            F.CODE,
            TEST_CODES,
        ),
        Field("35-IVÆR", "PersonNogensindeTestetHIVKode", "Testet for HIV", F.CODE, TEST_CODES),
        Field(
            "36-IVÆR",
            "PersonNogensindeSubstitutionsbehandlingKode",
            "Har borgeren været i substitutionsbehandling",
            F.CODE,
            (("01", "Aldrig"), ("02", "Har været i substitutionsbehandling"), ("99", "Uoplyst")),
        ),
        Field(
            "41-IVÆR",
            "PersonFoersteSubstitutionsbehandlingAlderKvantitet",
            "Alder ved første substitutionsbehandling",
            F.INT,
            min_value=0,
            max_value=99,
            conditional=True,
            help_text="Vises når borgeren har været i substitutionsbehandling.",
        ),
    ),
)

SUBSTITUTION_TYPES = frozenset({"01", "07", "08", "05", "03"})
NON_SUBSTITUTION_TYPES = frozenset({"04", "06"})

TILBUDSTILKNYTNING = Schema(
    key="tilbudstilknytning",
    short="TILB",
    title="Tilknytning til tilbud",
    action="Tilknyt til tilbud",
    fields=(
        Field(
            "1-TILB",
            "TilbudId",
            "Tilbud",
            F.INT,
            help_text="Søg i tilbudskataloget på navn, postnummer eller kommune.",
        ),
        Field(
            "2-TILB", "PersonBehandlingFritValgIndikator", "Frit valg af behandlingstilbud", F.BOOL
        ),
        Field(
            "3-TILB",
            "TilbudTilknyttetBehandlingStartDato",
            "Startdato",
            F.DATE,
            help_text="Tidligst iværksættelsesdatoen, senest i dag.",
        ),
        Field(
            "4-TILB",
            "TilbudTilknyttetBehandlingSlutDato",
            "Slutdato",
            F.DATE,
            help_text="Udfyldes når tilknytningen afsluttes.",
        ),
        Field(
            "7-TILB",
            "BehandlingIntensitetKode",
            "Behandlingsintensitet",
            F.CODE,
            (("01", "Ambulant"), ("02", "Dagbehandling"), ("03", "Døgnbehandling")),
        ),
        Field(
            "8-TILB",
            "BehandlingTypeKode",
            "Behandlingstype",
            F.CODE,
            (
                ("01", "Metadon (§142 SUL)"),
                ("07", "Buprenorphin + naloxon"),
                ("08", "Mono-buprenorphin"),
                ("05", "Heroin"),
                ("03", "Anden substitution med opiater"),
                ("04", "Stoffri behandling (§101 SEL / §33 Barnets Lov)"),
                ("06", "Anden medicinsk behandling (§142 SUL)"),
            ),
        ),
        Field(
            "9-TILB",
            "AutorisationKodeTekst",
            "Ordinerende læges autorisations-ID",
            F.TEXT,
            max_length=5,
            conditional=True,
            help_text="5 tegn. Vises ved substitutionsbehandling.",
        ),
    ),
)

AFSLUTNING = Schema(
    key="afslutning",
    short="AFSL",
    title="Afslutning af behandling",
    action="Afslut behandling",
    fields=(
        Field("1-AFSL", "BehandlingAfsluttetDato", "Afslutningsdato", F.DATE),
        Field(
            "2-AFSL",
            "BehandlingAfsluttetStatusKode",
            "Status ved afslutning",
            F.CODE,
            (
                ("01", "Ophørt"),
                ("02", "Reduceret"),
                ("03", "Stabiliseret"),
                ("04", "Tilbagefald"),
                ("05", "Ikke færdigbehandlet"),
            ),
        ),
        Field(
            "3-AFSL",
            "BehandlingAfsluttetAarsagKode",
            "Årsag til afslutning",
            F.CODE,
            (
                ("01", "Færdigbehandlet"),
                ("03", "Udeblevet"),
                ("08", "Bortvist"),
                ("04", "Død"),
                ("05", "Flyttet"),
                ("06", "Overgået/udskrevet til andet behandlingstilbud"),
                ("02", "Afsluttet efter borgerens eget ønske"),
                ("10", "Anden årsag"),
            ),
        ),
        Field(
            "4-AFSL",
            "BehandlingAfsluttetHvemHarOvertagetBehandling",
            "Hvem har overtaget behandlingen",
            F.CODE,
            (
                ("01", "Kriminalforsorgen/fængsel"),
                ("02", "Hospital"),
                ("03", "Egen læge"),
                ("04", "Region i integreret dobbeltdiagnosetilbud"),
                ("05", "Kommune i koordineret forløb"),
                ("06", "Andet rusmiddelcenter"),
            ),
            conditional=True,
            help_text="Vises når årsagen er 'Overgået/udskrevet til andet behandlingstilbud'.",
        ),
        # Our assumption: DST's system-change guide requires the text 'Systemskift'
        # in "Beskriv afslutningsårsag" with årsag Anden (10), but the 2026 AFSL
        # table has no such field. We model it under our own variable name,
        # tied to 3-AFSL = 10 (see smdb.rules for its visibility).
        Field(
            "",
            "BehandlingAfsluttetAarsagTekst",
            "Beskriv afslutningsårsag",
            F.TEXT,
            max_length=250,
            conditional=True,
            our_assumption=True,
            help_text="Vises ved årsag 'Anden årsag'. Ved systemskifte skrives 'Systemskift'.",
        ),
    ),
)

SCHEMAS: dict[str, Schema] = {
    s.key: s for s in (ANMODNING, IVAERKSAETTELSE, TILBUDSTILKNYTNING, AFSLUTNING)
}

#: Every known SMDB variable -> Field, over all schemas (variables are unique).
ALL_FIELDS: dict[str, Field] = {f.variable: f for s in SCHEMAS.values() for f in s.fields}
assert len(ALL_FIELDS) == sum(len(s.fields) for s in SCHEMAS.values()), "duplicate variable"
