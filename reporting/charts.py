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


@dataclass(frozen=True)
class _Maal:
    """Where a layout puts labels and bars."""

    label_bredde: int  # room left of the bars (0: each label stands above its bar)
    label_hoejde: int  # room above each bar for its label (0: the label is beside it)
    bar_bredde: int
    bredde: int
    # About 7 px a character at 13 px: longer labels are cut, the table has them.
    label_tegn: int


BRED = _Maal(LABEL_BREDDE, 0, BAR_BREDDE, LABEL_BREDDE + BAR_BREDDE + TAL_BREDDE, 32)
SMAL = _Maal(0, SMAL_LABEL_HOEJDE, SMAL_BAR_BREDDE, SMAL_BAR_BREDDE + TAL_BREDDE - 10, 46)


def _tegning(par, stoerst: int, maal: _Maal) -> Tegning:
    over = bool(maal.label_hoejde)
    raekke = maal.label_hoejde + BAR_HOEJDE + AFSTAND
    soejler = []
    for i, (label, n) in enumerate(par):
        y = i * raekke + maal.label_hoejde
        bredde = round(maal.bar_bredde * n / stoerst)
        soejler.append(
            Soejle(
                label=label
                if len(label) <= maal.label_tegn
                else label[: maal.label_tegn - 1] + "…",
                antal=n,
                label_x=0 if over else maal.label_bredde - 8,
                label_y=y - 4 if over else y + BAR_HOEJDE - 6,
                x=maal.label_bredde,
                y=y,
                bredde=bredde,
                tekst_x=maal.label_bredde + bredde + 6,
                tekst_y=y + BAR_HOEJDE - 6,
            )
        )
    hoejde = max(1, len(par)) * raekke
    return Tegning(soejler, maal.bredde, hoejde, "start" if over else "end")


def soejlediagram(titel: str, par: list[tuple[str, int]]) -> Soejlediagram:
    """A horizontal bar per (label, count), scaled to the largest count."""
    stoerst = max((n for _, n in par), default=0) or 1
    return Soejlediagram(
        titel=titel, bred=_tegning(par, stoerst, BRED), smal=_tegning(par, stoerst, SMAL)
    )
