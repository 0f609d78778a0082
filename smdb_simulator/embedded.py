"""Serve the simulator from a thread of the current process, for a short while.

``seed_demo`` uses it: in the embedded default (Celery eager, simulator on) the
demo forløb go through the real outbox, over real HTTP, into the simulator's
store before ``runserver`` is up, so the demo starts with cases SMDB knows.
"""

from __future__ import annotations

import socket
import socketserver
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.servers.basehttp import (
    WSGIRequestHandler,
    WSGIServer,
    get_internal_wsgi_application,
    is_broken_pipe_error,
)


class NoDelayWSGIServer(WSGIServer):
    """Django's WSGI server with TCP_NODELAY: wsgiref writes the headers and the
    body in separate sends, which Nagle's algorithm and the client's delayed ACK
    would hold back ~40 ms per SOAP call."""

    def get_request(self):
        conn, addr = super().get_request()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return conn, addr


class JoiningThreadsMixIn(socketserver.ThreadingMixIn):
    """A threaded server whose request threads end with it.

    socketserver's daemon request threads outlive ``server_close()`` while a client
    holds its keep-alive connection open (zeep's requests session, chromium): they
    then run on into whatever comes next in the process (the next test, a closed
    log stream). Here the server shuts the sockets of the connections still open
    and waits, bounded, for their threads."""

    daemon_threads = False
    block_on_close = True
    close_timeout = 15.0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._open_lock = threading.Lock()
        self._open: set[socket.socket] = set()

    def process_request_thread(self, request, client_address):
        with self._open_lock:
            self._open.add(request)
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._open_lock:
                self._open.discard(request)

    def handle_error(self, request, client_address):
        if is_broken_pipe_error():
            return  # the client hung up (a client's timeout, or server_close above)
        super().handle_error(request, client_address)

    def server_close(self):
        deadline = time.monotonic() + self.close_timeout
        while time.monotonic() < deadline:
            with self._open_lock:
                still_open = list(self._open)
            for sock in still_open:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass  # the client closed it meanwhile
            # socketserver's _Threads (a list) once a request came, _NoThreads before.
            started = self._threads if isinstance(self._threads, list) else []
            threads = [t for t in list(started) if t.is_alive()]
            if not threads:
                break
            threads[0].join(timeout=0.5)
        super().server_close()


class ThreadedNoDelayWSGIServer(JoiningThreadsMixIn, NoDelayWSGIServer):
    pass


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
