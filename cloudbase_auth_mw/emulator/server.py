"""A threaded loopback HTTP server for the emulator, on the standard library only.

``wsgiref`` serves the WSGI app; one daemon thread per connection. During a ``drop`` outage
(``faults.down(True)``) the request is read and the connection closed without an answer.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import socketserver
import threading
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer

from .wsgi import ADMIN_PREFIX, EmulatorApp

log = logging.getLogger("cloudbase_auth_mw.emulator")


class _RequestHandler(WSGIRequestHandler):
    """wsgiref's handler, plus connection dropping and quiet logs."""

    def handle(self) -> None:
        self.raw_requestline = self.rfile.readline(65537)
        if len(self.raw_requestline) > 65536:
            self.send_error(414)
            return
        if not self.parse_request():
            return
        app = self.server.get_app()  # type: ignore[attr-defined]
        if isinstance(app, EmulatorApp) and self._drop(app):
            return
        handler = ServerHandler(
            self.rfile,
            self.wfile,  # type: ignore[arg-type]  # a BufferedIOBase is what wsgiref itself passes
            self.get_stderr(),
            self.get_environ(),
            multithread=True,
        )
        handler.request_handler = self  # type: ignore[attr-defined]
        handler.run(app)

    def _drop(self, app: EmulatorApp) -> bool:
        path = self.path.split("?", 1)[0]
        if path.startswith(ADMIN_PREFIX) or not app.faults.dropping():
            return False
        app.counters.hit(path)
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)
        return True

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        # The request line may carry a token in its query (``?access_token=``, ``?token=``).
        path = self.path.split("?", 1)[0]
        log.debug("emulator http: %s %s %s %s", self.command, path, code, size)

    def log_message(self, format: str, *args: object) -> None:
        log.debug("emulator http: " + format, *args)


class _ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def server_bind(self) -> None:
        # HTTPServer.server_bind resolves the host name (getfqdn), which may hang offline.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)
        self.setup_environ()


class LoopbackServer:
    """Serve a WSGI app on ``host:port`` (``port=0``: a free port) in a daemon thread."""

    def __init__(self, app: EmulatorApp, host: str = "127.0.0.1", port: int = 0) -> None:
        self._server = _ThreadingWSGIServer((host, port), _RequestHandler)
        self._server.set_app(app)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"cloudbase-emulator-{self.port}",
            daemon=True,
        )

    @property
    def host(self) -> str:
        return str(self._server.server_address[0])

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop serving (if started) and close the listening socket."""
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(timeout=5)
        self._server.server_close()
