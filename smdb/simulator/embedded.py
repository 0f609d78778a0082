"""Serve the simulator from a thread of the current process, for a short while.

``seed_demo`` uses it: in the embedded default (Celery eager, simulator on) the
demo forløb go through the real outbox, over real HTTP, into the simulator's
store before ``runserver`` is up, so the demo starts with cases SMDB knows.
"""

from __future__ import annotations

import socket
import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.servers.basehttp import (
    WSGIRequestHandler,
    WSGIServer,
    get_internal_wsgi_application,
)


class NoDelayWSGIServer(WSGIServer):
    """Django's WSGI server with TCP_NODELAY: wsgiref writes the headers and the
    body in separate sends, which Nagle's algorithm and the client's delayed ACK
    would hold back ~40 ms per SOAP call."""

    def get_request(self):
        conn, addr = super().get_request()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return conn, addr


class ThreadedNoDelayWSGIServer(socketserver.ThreadingMixIn, NoDelayWSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
        pass


@contextmanager
def simulator_in_thread() -> Iterator[str]:
    """Serve the app (and so the simulator's URLs) on a free port of 127.0.0.1 and
    point ``settings.SMDB_ENDPOINT`` at it until the block ends."""
    server = ThreadedNoDelayWSGIServer(("127.0.0.1", 0), QuietHandler, allow_reuse_address=False)
    server.set_app(get_internal_wsgi_application())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    endpoint = f"http://127.0.0.1:{server.server_port}/smdbwebservice/api/external/v1/"
    previous = settings.SMDB_ENDPOINT
    settings.SMDB_ENDPOINT = endpoint
    try:
        yield endpoint
    finally:
        settings.SMDB_ENDPOINT = previous
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
