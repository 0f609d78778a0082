"""A hostile or broken "SMDB" on 127.0.0.1 for tests of the client's limits
(issue 21): it trickles, sends too much, cuts a reply off, redirects, or faults
with a CPR number in the text. The first path segment of the endpoint picks the
behaviour: ``http://127.0.0.1:<port>/<mode>/`` + the service's ``.svc``.

Every behaviour is bounded in time and size, so a client without limits makes
a test fail slowly, never hang."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

from smdb_simulator.embedded import JoiningThreadsMixIn

ECHO_REPLY = (
    b'<?xml version="1.0" encoding="utf-8"?>'
    b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
    b'<EchoResponse xmlns="http://smdb.dst.dk/api/external/v1/">'
    b"<EchoResult>hej</EchoResult></EchoResponse></s:Body></s:Envelope>"
)
CPR = "0101701234"
FAULT_WITH_CPR = (
    b'<?xml version="1.0" encoding="utf-8"?>'
    b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault>'
    b"<faultcode>s:Client</faultcode><faultstring>Personen " + CPR.encode() + b" (010170-1234)"
    b" findes ikke</faultstring></s:Fault></s:Body></s:Envelope>"
)


class JoiningHTTPServer(JoiningThreadsMixIn, HTTPServer):
    """Its request threads end with it: none is left behind for the next test."""


class HostileSmdb:
    TRICKLE_BYTES = 30  # one every TRICKLE_EVERY seconds: 9 s at most
    TRICKLE_EVERY = 0.3
    HUGE_BYTES = 20_000_000

    def __init__(self):
        self.sent = 0
        self.hits: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                mode = self.path.strip("/").split("/")[0]
                server.hits.append(self.path)
                try:
                    getattr(server, f"_{mode.replace('-', '_')}")(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = JoiningHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    def endpoint(self, mode: str) -> str:
        return f"http://127.0.0.1:{self.port}/{mode}/"

    def __enter__(self) -> HostileSmdb:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # --- behaviours -------------------------------------------------------------

    def _head(self, h, *, length: int | None, status: int = 200, extra=()) -> None:
        h.send_response(status)
        h.send_header("Content-Type", "text/xml; charset=utf-8")
        if length is None:
            h.send_header("Transfer-Encoding", "chunked")
        else:
            h.send_header("Content-Length", str(length))
        for name, value in extra:
            h.send_header(name, value)
        h.end_headers()

    def _ok(self, h) -> None:
        self._head(h, length=len(ECHO_REPLY))
        h.wfile.write(ECHO_REPLY)

    def _trickle(self, h) -> None:
        self._head(h, length=len(ECHO_REPLY))
        for byte in ECHO_REPLY[: self.TRICKLE_BYTES]:
            h.wfile.write(bytes([byte]))
            h.wfile.flush()
            self.sent += 1
            time.sleep(self.TRICKLE_EVERY)
        h.close_connection = True

    def _huge(self, h) -> None:
        """20 MB in chunks, without a Content-Length."""
        self._head(h, length=None)
        chunk = b"x" * 65536
        while self.sent < self.HUGE_BYTES:
            h.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.sent += len(chunk)
        h.wfile.write(b"0\r\n\r\n")

    def _huge_declared(self, h) -> None:
        """Says 20 MB in its Content-Length and sends a little."""
        self._head(h, length=self.HUGE_BYTES)
        h.wfile.write(ECHO_REPLY[:50])
        h.close_connection = True

    def _cut(self, h) -> None:
        """Promises the whole reply and stops half-way."""
        self._head(h, length=len(ECHO_REPLY))
        h.wfile.write(ECHO_REPLY[:100])
        h.wfile.flush()
        h.close_connection = True

    def _redirect(self, h) -> None:
        h.send_response(302)
        h.send_header("Location", self.endpoint("ok") + "ISecureTokenTest.svc")
        h.send_header("Content-Length", "0")
        h.end_headers()

    def _cpr_fault(self, h) -> None:
        self._head(h, length=len(FAULT_WITH_CPR), status=500)
        h.wfile.write(FAULT_WITH_CPR)
