"""Bar charts drawn on the server as SVG: no script, nothing from a CDN, and the CSP
stays strict (the bars' sizes are SVG attributes, their colours in smdb.css)."""

from __future__ import annotations

from dataclasses import dataclass

BAR_HOEJDE = 22
AFSTAND = 6
LABEL_BREDDE = 250
BAR_BREDDE = 330


@dataclass(frozen=True)
class Soejle:
    label: str
    antal: int
    y: int
    bredde: int
    tekst_x: int
    tekst_y: int


@dataclass(frozen=True)
class Soejlediagram:
    titel: str
    soejler: list[Soejle]
    bredde: int
    hoejde: int
    label_bredde: int = LABEL_BREDDE


def soejlediagram(titel: str, par: list[tuple[str, int]]) -> Soejlediagram:
    """A horizontal bar per (label, count), scaled to the largest count."""
    stoerst = max((n for _, n in par), default=0) or 1
    soejler = []
    for i, (label, n) in enumerate(par):
        y = i * (BAR_HOEJDE + AFSTAND)
        bredde = round(BAR_BREDDE * n / stoerst)
        soejler.append(
            Soejle(
                # About 7 px a character at 13 px: long labels are cut, the table has them.
                label=label if len(label) <= 32 else label[:31] + "…",
                antal=n,
                y=y,
                bredde=bredde,
                tekst_x=LABEL_BREDDE + bredde + 6,
                tekst_y=y + BAR_HOEJDE - 6,
            )
        )
    return Soejlediagram(
        titel=titel,
        soejler=soejler,
        bredde=LABEL_BREDDE + BAR_BREDDE + 60,
        hoejde=max(1, len(par)) * (BAR_HOEJDE + AFSTAND),
    )
