""" "Test forbindelse": Echo and WhoAmI through the active environment and
certificate, the answer or the fault in plain Danish."""

from __future__ import annotations

from dataclasses import dataclass, field

from accounts.log_filters import mask_cpr
from certificates import klient as klienter
from certificates.models import AuthMetode
from certificates.selectors import AktivtMiljoe, aktivt_miljoe
from smdb.client import SmdbError, SmdbTransportError


@dataclass
class TestResultat:
    miljoe: AktivtMiljoe
    ok: bool
    linjer: list[tuple[str, str]] = field(default_factory=list)  # (what, answer or fault)

    @property
    def signatur_ikke_kontrolleret(self) -> bool:
        """A certificate signed the call, yet WhoAmI says "anonym": the answering
        simulator checks nothing (SMDB_SIMULATOR_AUTH=none), which the page says (issue 23)."""
        return self.miljoe.auth != AuthMetode.INGEN and any(
            navn == "WhoAmI" and svar.removeprefix("SMDB-simulator: ").startswith("anonym")
            for navn, svar in self.linjer
        )


def forbindelsestest(*, myndighed_id: int | None, miljoe=None) -> TestResultat:
    """Through the active environment, or ``miljoe`` (a configured Miljoe)."""
    if miljoe is not None:
        valgt = AktivtMiljoe(
            navn=miljoe.navn,
            label=miljoe.get_navn_display(),
            endpoint=miljoe.endpoint,
            auth=miljoe.auth,
            miljoe=miljoe,
        )
    else:
        valgt = aktivt_miljoe(myndighed_id=myndighed_id)
    klient = klienter.klient_for_miljoe(valgt.miljoe, myndighed_id=myndighed_id)
    miljoe = valgt
    resultat = TestResultat(miljoe=miljoe, ok=True)
    naaet_ikke = False
    for navn, call in (
        ("Echo", lambda: klient.echo("smdb-web forbindelsestest")),
        ("WhoAmI", klient.who_am_i),
    ):
        if not resultat.ok and navn == "WhoAmI" and naaet_ikke:
            # One deadline is enough to wait for an SMDB that did not answer.
            resultat.linjer.append((navn, "Ikke prøvet: SMDB svarede ikke på Echo."))
            continue
        try:
            resultat.linjer.append((navn, str(call())))
        except SmdbError as exc:
            resultat.ok = False
            naaet_ikke = isinstance(exc, SmdbTransportError)
            resultat.linjer.append((navn, f"Fejl: {forklar(exc)}"))
    return resultat


def forklar(exc: SmdbError) -> str:
    # SMDB's fault text may name a citizen: masked as the journal masks it (issue 21).
    text = mask_cpr(str(exc))
    if "ConnectionError" in text or "ConnectTimeout" in text:
        return f"SMDB kan ikke nås (forbindelsen blev afvist eller fandt ingen server). {text}"
    if "Timeout" in text:
        return f"SMDB svarede ikke i tide. {text}"
    if "SOAP fault" in text:
        return f"SMDB afviste kaldet: {text.split('SOAP fault', 1)[1].lstrip(' :')}"
    return text
