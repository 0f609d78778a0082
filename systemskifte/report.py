"""The job's report as text (the command) and as an Excel workbook (openpyxl)."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font

from reporting.regneark import tilfoej_raekke
from systemskifte import selectors
from systemskifte.models import Systemskifte, Trin
from systemskifte.services import fremdrift


def overskrift(skifte: Systemskifte) -> str:
    art = "Prøvekørsel" if skifte.proevekoersel else "Kørsel"
    return (
        f"Systemskifte {skifte.pk}: {skifte.get_model_display()}, myndighed "
        f"{skifte.myndighed}, skiftedato {skifte.skiftedato:%d.%m.%Y} ({art}, "
        f"{skifte.get_status_display().lower()})"
    )


def tekst(skifte: Systemskifte) -> str:
    tal = fremdrift(skifte)
    linjer = [
        overskrift(skifte),
        f"{tal['faerdige']} af {tal['i_alt']} borgere færdige, {tal['fejl']} med fejl.",
    ]
    for b in selectors.rapport(skifte):
        hvad = " (glemt sag)" if b.glemt else ""
        linjer.append(
            f"- {b.cpr_maskeret} anmodning {b.anmodning_id}{hvad}: {b.get_trin_display()}"
        )
        if b.fejl:
            linjer.append(f"    Fejl: {b.fejl}")
        if skifte.proevekoersel or b.trin == Trin.FEJL:
            linjer += [f"    {op}" for op in b.plan]
    return "\n".join(linjer)


def excel(skifte: Systemskifte) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Systemskifte"
    tilfoej_raekke(ws, [overskrift(skifte)])
    ws["A1"].font = Font(bold=True)
    tal = fremdrift(skifte)
    tilfoej_raekke(ws, [f"{tal['faerdige']} af {tal['i_alt']} færdige, {tal['fejl']} med fejl"])
    tilfoej_raekke(ws, [])
    tilfoej_raekke(
        ws,
        [
            "CPR (maskeret)",
            "SMDB AnmodningId",
            "Glemt sag",
            "Status",
            "Fejl",
            "Operationer",
            "Gammelt forløb",
            "Nyt forløb",
        ],
    )
    for cell in ws[4]:
        cell.font = Font(bold=True)
    for b in selectors.rapport(skifte):
        tilfoej_raekke(
            ws,
            [
                b.cpr_maskeret,
                b.anmodning_id,
                "ja" if b.glemt else "nej",
                b.get_trin_display(),
                b.fejl,
                "\n".join(b.plan),
                b.gammelt_forloeb_id,
                b.nyt_forloeb_id,
            ],
        )
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
