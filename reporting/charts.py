"""Bar charts drawn on the server as SVG: no script, nothing from a CDN, and the CSP
stays strict (the bars' sizes are SVG attributes, their colours in smdb.css).

Each chart is drawn twice: wide (the label left of its bar) and narrow (the label
above its bar, for a phone, where the wide one would shrink its text to about 7 px);
smdb.css shows one of them by the screen's width."""

from __future__ import annotations

from dataclasses import dataclass

BAR_HOEJDE = 22
AFSTAND = 6
LABEL_BREDDE = 250
BAR_BREDDE = 330
TAL_BREDDE = 60  # room for the count after the longest bar
# Narrow: a line of label (13 px text), then the bar, across 340 units.
SMAL_BAR_BREDDE = 290
SMAL_LABEL_HOEJDE = 17


@dataclass(frozen=True)
class Soejle:
    label: str
    antal: int
    label_x: int
    label_y: int
    x: int
    y: int
    bredde: int
    tekst_x: int
    tekst_y: int


@dataclass(frozen=True)
class Tegning:
    """One layout of a chart."""

    soejler: list[Soejle]
    bredde: int
    hoejde: int
    label_anker: str  # "end": right-aligned before the bar; "start": above it


@dataclass(frozen=True)
class Soejlediagram:
    titel: str
    bred: Tegning
    smal: Tegning


def _bred(par, stoerst: int) -> Tegning:
    soejler = []
    for i, (label, n) in enumerate(par):
        y = i * (BAR_HOEJDE + AFSTAND)
        bredde = round(BAR_BREDDE * n / stoerst)
        soejler.append(
            Soejle(
                # About 7 px a character at 13 px: long labels are cut, the table has them.
                label=label if len(label) <= 32 else label[:31] + "…",
                antal=n,
                label_x=LABEL_BREDDE - 8,
                label_y=y + BAR_HOEJDE - 6,
                x=LABEL_BREDDE,
                y=y,
                bredde=bredde,
                tekst_x=LABEL_BREDDE + bredde + 6,
                tekst_y=y + BAR_HOEJDE - 6,
            )
        )
    hoejde = max(1, len(par)) * (BAR_HOEJDE + AFSTAND)
    return Tegning(soejler, LABEL_BREDDE + BAR_BREDDE + TAL_BREDDE, hoejde, "end")


def _smal(par, stoerst: int) -> Tegning:
    raekke = SMAL_LABEL_HOEJDE + BAR_HOEJDE + AFSTAND
    soejler = []
    for i, (label, n) in enumerate(par):
        top = i * raekke
        bredde = round(SMAL_BAR_BREDDE * n / stoerst)
        y = top + SMAL_LABEL_HOEJDE
        soejler.append(
            Soejle(
                label=label if len(label) <= 46 else label[:45] + "…",
                antal=n,
                label_x=0,
                label_y=top + SMAL_LABEL_HOEJDE - 4,
                x=0,
                y=y,
                bredde=bredde,
                tekst_x=bredde + 6,
                tekst_y=y + BAR_HOEJDE - 6,
            )
        )
    return Tegning(soejler, SMAL_BAR_BREDDE + TAL_BREDDE - 10, max(1, len(par)) * raekke, "start")


def soejlediagram(titel: str, par: list[tuple[str, int]]) -> Soejlediagram:
    """A horizontal bar per (label, count), scaled to the largest count."""
    stoerst = max((n for _, n in par), default=0) or 1
    return Soejlediagram(titel=titel, bred=_bred(par, stoerst), smal=_smal(par, stoerst))
