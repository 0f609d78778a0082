"""HTTP endpoints of the simulated SMDB at DST's paths.

``POST`` a SOAP 1.1 envelope; ``GET ?wsdl`` (or ``?singlewsdl``) for the WSDL and
``GET ?xsd=smdb.xsd`` for the schema. Reachable only when
``settings.SMDB_SIMULATOR_ENABLED`` (checked per request so tests can switch it).

Fault injection by setting ``SMDB_SIMULATOR_FAULT``:
- ``unavailable``: HTTP 503 with an HTML page, like a load balancer with no backend;
- ``slow``: sleep ``SMDB_SIMULATOR_DELAY`` seconds before answering;
- ``fail``: a fraction ``SMDB_SIMULATOR_FAIL_RATE`` (all when 0) of calls answer a
  SOAP fault with HTTP 500 before doing anything;
- ``lost``: like ``fail``, but the call is carried out first and only the answer
  is lost -- the case an idempotent client must survive.
"""

from __future__ import annotations

import logging
import random
import time

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from smdb import contract
from smdb_simulator import soap, wsauth
from smdb_simulator.service import HANDLERS

logger = logging.getLogger(__name__)

XML = "text/xml; charset=utf-8"


def _xml(content: bytes, status: int = 200) -> HttpResponse:
    return HttpResponse(content, status=status, content_type=XML)


def _fault(code: str, text: str) -> HttpResponse:
    return _xml(soap.fault(code, text), status=500)


LOOPBACK = {"127.0.0.1", "::1"}


def _tilgaengelig(request) -> None:
    """Enabled, and embedded in the app only for this machine: it answers with
    CPR numbers (issue 21). The standalone simulator (run_smdb_simulator)
    answers where it is bound."""
    if not getattr(settings, "SMDB_SIMULATOR_ENABLED", False):
        raise Http404("SMDB-simulatoren er slået fra.")
    standalone = settings.ROOT_URLCONF == "smdb_simulator.standalone_urls"
    if not standalone and request.META.get("REMOTE_ADDR") not in LOOPBACK:
        raise Http404("SMDB-simulatoren svarer kun fra denne maskine.")


def _injected_failure() -> bool:
    rate = getattr(settings, "SMDB_SIMULATOR_FAIL_RATE", 0) or 1.0
    return random.random() < rate


@csrf_exempt
@login_not_required
def endpoint(request, interface: str):
    _tilgaengelig(request)
    if request.method == "GET":
        return _metadata(request, interface)
    if request.method != "POST":
        return HttpResponse("Brug POST med en SOAP-envelope.", status=405)

    fault = getattr(settings, "SMDB_SIMULATOR_FAULT", "")
    if fault == "unavailable":
        return HttpResponse(
            "<html><body><h1>503 Service Unavailable</h1></body></html>",
            status=503,
            content_type="text/html",
        )
    if fault == "slow":
        time.sleep(getattr(settings, "SMDB_SIMULATOR_DELAY", 0))
    if fault == "fail" and _injected_failure():
        return _fault("Server", "Simuleret serverfejl (SMDB_SIMULATOR_FAULT=fail).")

    try:
        operation = soap.parse_request(request.body)
        name = soap.local(operation)
        op = contract.OPERATIONS_BY_NAME.get(name)
        action = request.headers.get("SOAPAction", "").strip('"')
        if op is None or op.interface != interface or action != op.soap_action:
            raise soap.SoapFault(
                "Client",
                f"ActionNotSupported: SOAPAction '{action}' og elementet '{name}' "
                f"passer ikke til {interface}.",
            )
        request.smdb_caller = wsauth.caller(request.body)
        content = HANDLERS[name](operation, request)
    except soap.SoapFault as exc:
        return _fault(exc.code, exc.text)

    if fault == "lost" and _injected_failure():
        logger.info("Simulator: %s udført, men svaret 'tabes' (fault=lost)", name)
        return _fault("Server", "Simuleret tabt svar (SMDB_SIMULATOR_FAULT=lost).")
    return _xml(soap.envelope(soap.E(f"{name}Response", content)))


def _metadata(request, interface: str) -> HttpResponse:
    here = request.build_absolute_uri(request.path)
    if "xsd" in request.GET:
        return _xml((contract.WSDL_DIR / contract.XSD_FILE).read_bytes())
    if "wsdl" in request.GET or "singlewsdl" in request.GET:
        return _xml(
            contract.render_wsdl(interface, address=here, xsd_location=f"{here}?xsd=smdb.xsd")
        )
    return HttpResponse(
        f"SMDB-simulator: {interface}. WSDL: {here}?wsdl", content_type="text/plain"
    )


@csrf_exempt
@login_not_required
def sts(request):
    """The simulator's local STS (OIO IDWS, WS-Trust 1.3 Issue): see wsauth."""
    _tilgaengelig(request)
    if request.method != "POST":
        return HttpResponse("STS: brug POST med en WS-Trust Issue-anmodning.", status=405)
    try:
        return _xml(wsauth.sts_response(request.body))
    except soap.SoapFault as exc:
        return _fault(exc.code, exc.text)
