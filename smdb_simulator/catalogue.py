"""The simulator's demo catalogue of treatment offers (HentAlleTilbud, 1-TILB).

The one place the demo catalogue is written: the simulator answers
HentAlleTilbud from it and ``seed_demo`` fills the app's Tilbud table from it.
Names and addresses are made up for demonstration.
"""

_ROWS = (
    # (TilbudId, navn, adresse, postnummer, kommune)
    (
        101001,
        "Rusmiddelcenter København, Ambulatoriet Nørrebro",
        "Mimersgade 41",
        "2200",
        "København",
    ),
    (
        101002,
        "Rusmiddelcenter København, Ambulatoriet Vesterbro",
        "Istedgade 112",
        "1650",
        "København",
    ),
    (101003, "Substitutionscenter Amager", "Amagerbrogade 150", "2300", "København"),
    (
        101004,
        "Ungecenter København, stoffri behandling",
        "Frederiksborgvej 21",
        "2400",
        "København",
    ),
    (101005, "Døgnbehandling Valby", "Gammel Køge Landevej 55", "2500", "København"),
    (
        751001,
        "Center for Rusmiddelbehandling Aarhus, Sct. Pauls",
        "Sct. Pauls Kirkeplads 9",
        "8000",
        "Aarhus",
    ),
    (
        751002,
        "Center for Rusmiddelbehandling Aarhus, Substitution",
        "Jægergårdsgade 40",
        "8000",
        "Aarhus",
    ),
    (751003, "UngRus Aarhus", "Nørrebrogade 28", "8000", "Aarhus"),
    (751004, "Dagbehandling Viby", "Skanderborgvej 120", "8260", "Aarhus"),
    (461001, "Rusmiddelcenter Odense", "Østre Stationsvej 15", "5000", "Odense"),
    (461002, "Rusmiddelcenter Odense, Medicinsk afdeling", "Klostervej 28", "5000", "Odense"),
    (461003, "Ung i Rus Odense", "Vesterbro 44", "5000", "Odense"),
    (851001, "Rusmiddelcenter Aalborg", "Hasserisgade 8", "9000", "Aalborg"),
    (851002, "Rusmiddelcenter Aalborg, Substitutionsbehandling", "Vesterbro 75", "9000", "Aalborg"),
    (851003, "Døgnbehandling Nordjylland, Aalborg Øst", "Humlebakken 3", "9220", "Aalborg"),
)

DEMO_TILBUD: list[dict] = [
    dict(tilbud_id=i, navn=n, adresse=a, postnummer=p, kommune=k) for i, n, a, p, k in _ROWS
]

DEMO_TILBUD_IDS = frozenset(t["tilbud_id"] for t in DEMO_TILBUD)

#: HentLandeliste: a few country codes (ISO 3166 alpha-2), enough for the simulator.
LANDE: list[tuple[str, str]] = [
    ("DK", "Danmark"),
    ("FO", "Færøerne"),
    ("GL", "Grønland"),
    ("SE", "Sverige"),
    ("NO", "Norge"),
    ("DE", "Tyskland"),
    ("PL", "Polen"),
    ("XX", "Uoplyst"),
]
