"""What the case page shows first: the facts a caseworker looks for (issue 11).

Derived from the forløb's schemas and the rule engine, never stored: the age at
iværksættelse and the day count are 23-IVÆR and 32-IVÆR as ``smdb.rules``
computes them, the 14 days are the rule engine's ``GARANTI_DAGE`` (R-IVAER-4).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from cases.models import Kontaktforloeb, Tilbud, Tilbudstilknytning
from cases.validation import rules_forloeb
from smdb import rules
from smdb.rules import variabler as v
from smdb.rules.dato import Hindring, beregning_hindret, dagetal_tekst
from smdb.rules.visibility import GARANTI_DAGE


@dataclass
class Tilknytning:
    """A tilbudstilknytning as its timeline heading names it."""

    row: Tilbudstilknytning
    nummer: int
    tilbud: Tilbud | None

    @property
    def tilbud_navn(self) -> str:
        return self.tilbud.navn if self.tilbud is not None else f"TilbudId {self.row.tilbud_id}"

    @property
    def type_og_intensitet(self) -> str:
        """8-TILB and 7-TILB, shown under the tilbud's name in the timeline heading."""
        return " · ".join(
            filter(
                None,
                (
                    self.row.get_behandling_type_kode_display(),
                    self.row.get_behandling_intensitet_kode_display(),
                ),
            )
        )

    @property
    def aaben(self) -> bool:
        return self.row.tilbud_tilknyttet_behandling_slut_dato is None


@dataclass
class Overblik:
    anmodet: date | None
    ivaerksat: date | None
    #: 23-IVÆR, when iværksat.
    alder_ved_ivaerksaettelse: int | None
    #: Days from anmodning to iværksættelse (32-IVÆR), or to today while not iværksat.
    dage: int | None
    #: Why there is no day count to show (``smdb.rules.beregning_hindret``).
    dage_hindring: Hindring | None
    #: The guarantee's last day (anmodning + 14 days), shown while not iværksat.
    garanti_sidste_dag: date | None
    #: Whether the 14-day guarantee holds: iværksat within 14 days, or still time.
    garanti_holder: bool | None
    tilknytninger: list[Tilknytning] = field(default_factory=list)
    afsluttet: bool = False

    @property
    def dage_tekst(self) -> str:
        """ "12 dage", or why there is no count ("anmodet senere")."""
        return dagetal_tekst(self.dage, self.dage_hindring)

    @property
    def aabne(self) -> list[Tilknytning]:
        return [t for t in self.tilknytninger if t.aaben]


def overblik(forloeb: Kontaktforloeb, *, today: date | None = None) -> Overblik:
    """The case page's facts; one query (the tilbud names), the schemas being loaded."""
    today = today or rules.today_dk()
    rf = rules_forloeb(forloeb)
    anmodet = rf.anmodningsdato
    ivaer = rf.ivaerksaettelse or {}
    ivaerksat = ivaer.get(v.IVAER_DATO)
    beregnet = rules.computed_values(rf)
    hindret = rules.beregninger_hindret(rf, today=today)
    afsluttet = getattr(forloeb, "afslutning", None) is not None

    dage, sidste_dag, holder, hindring = None, None, None, None
    if ivaerksat is not None:
        dage = beregnet.get(v.DAGE_SIDEN_ANMODNING)
        # No "-13462 dage" for a refused date or an iværksættelse before the
        # anmodning (issue 23: R-GEN-3, R-GEN-6, R-IVAER-3).
        hindring = hindret.get(v.DAGE_SIDEN_ANMODNING)
        if hindring is not None:
            dage = None
        holder = dage is not None and dage <= GARANTI_DAGE
    elif anmodet is not None and not afsluttet:
        hindring = beregning_hindret(anmodet, today, today=today)
        dage = (today - anmodet).days if hindring is None else None
        sidste_dag = anmodet + timedelta(days=GARANTI_DAGE)
        holder = today <= sidste_dag

    rows = list(forloeb.tilbudstilknytninger.all())
    ids = {r.tilbud_id for r in rows}
    navne = {t.tilbud_id: t for t in Tilbud.objects.filter(tilbud_id__in=ids)} if ids else {}
    return Overblik(
        anmodet=anmodet,
        ivaerksat=ivaerksat,
        alder_ved_ivaerksaettelse=(None if v.ALDER in hindret else beregnet.get(v.ALDER)),
        dage=dage,
        dage_hindring=hindring,
        garanti_sidste_dag=sidste_dag,
        garanti_holder=holder,
        tilknytninger=[
            Tilknytning(row, i, navne.get(row.tilbud_id)) for i, row in enumerate(rows, start=1)
        ],
        afsluttet=afsluttet,
    )
