"""A loopback HTTP/1.1 server for tests that must never reach the internet.

Tests get a started server from the ``http_server`` fixture (tests/core/conftest.py)
or make their own with ``with HttpServer() as server: ...``. It listens on
127.0.0.1 on a free port, serves each connection in its own thread, and on
stop closes every connection and joins every thread it started, so the
leak checks stay green.

API (all methods are thread-safe)::

    server.base_url                      "http://127.0.0.1:PORT"
    server.url("/feed.xml")              absolute URL on this server
    server.url("/feed.xml", host="localhost")   same server under another host name

    # register routes (exact path, query string ignored; unknown paths answer 404)
    server.route("/feed.xml", body=b"<rss/>", headers={"Content-Type": "application/rss+xml"})
    server.route("/gone", status=404)
    server.route("/slowish", body=b"ok", delay=0.3)          # waits before answering
    server.route("/dynamic", handler=fn)   # fn(RecordedRequest) -> Response, run in the server thread
    server.redirect("/old", "/new", status=301)              # Location may be relative or absolute
    server.slow("/drip", total_bytes=600, bytes_per_second=1)    # slow-drip body
    server.gzip_bomb("/bomb", size=1 << 30)   # Content-Encoding: gzip, inflates to `size` zeros
    server.huge("/huge", size=200_000_000)    # generated on the fly, chunked (declare_length=True
                                              # sends Content-Length instead)

    # inspect what arrived
    server.requests                      list[RecordedRequest] (method, path, query, headers, host)
    server.requests_to("/feed.xml")      the requests for one path
    server.max_concurrent("/a/")         most requests in progress at once whose path starts so
    server.max_concurrent("/", host="localhost")   ... and whose Host header names that host

A :class:`Response` has ``status``, ``headers``, ``body`` (bytes, or a callable
returning an iterable of byte chunks for streamed bodies), ``length`` (the
Content-Length of a streamed body; chunked encoding when None) and ``delay``.
Streamed bodies should wait with ``server.wait(seconds)``, which returns True
once the server is stopping, so a test never waits for a drip to finish.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

BodyFactory = Callable[[], Iterable[bytes]]


@dataclass(frozen=True)
class RecordedRequest:
    """A request as the server saw it (header names lower-case)."""

    method: str
    path: str
    query: str
    headers: dict[str, str]

    @property
    def host(self) -> str:
        """The Host header without the port."""
        return self.headers.get("host", "").rsplit(":", 1)[0]


@dataclass
class Response:
    """What a route answers."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | BodyFactory = b""
    length: int | None = None
    delay: float = 0.0


Handler = Callable[[RecordedRequest], Response]


class _Server(ThreadingHTTPServer):
    # Track handler threads so server_close() joins them (the stdlib default
    # makes them daemons and forgets them).
    daemon_threads = False
    block_on_close = True
    owner: HttpServer

    def __init__(self, address: tuple[str, int], owner: HttpServer) -> None:
        self.owner = owner
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _RequestHandler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.connections_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up mid-answer is what several tests do on purpose.
        pass


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # An idle keep-alive connection gives up after this; stop() does not wait for it.
    timeout = 10
    server: _Server

    def do_GET(self) -> None:
        self.server.owner._serve(self)

    do_HEAD = do_GET
    do_POST = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        pass


class HttpServer:
    """Loopback server whose routes each test registers; see the module docstring."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self._host = host
        self._routes: dict[str, Handler] = {}
        self._requests: list[RecordedRequest] = []
        self._events: list[tuple[int, str, str]] = []  # (+1 start / -1 end, path, host)
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> HttpServer:
        self._server = _Server((self._host, 0), self)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="test-http-server"
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, cut open connections and join every thread."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        self._stopping.set()
        server.shutdown()
        thread.join()
        with server.connections_lock:
            open_connections = list(server.connections)
        for conn in open_connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        server.server_close()
        self._server = self._thread = None

    def __enter__(self) -> HttpServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def wait(self, seconds: float) -> bool:
        """Sleep in a streamed body; True when the server is stopping (stop streaming then)."""
        return self._stopping.wait(seconds)

    # ------------------------------------------------------------------ addresses

    @property
    def port(self) -> int:
        assert self._server is not None, "server not started"
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://{self._host}:{self.port}"

    def url(self, path: str = "/", host: str | None = None) -> str:
        return f"http://{host or self._host}:{self.port}{path}"

    # ------------------------------------------------------------------ routes

    def route(
        self,
        path: str,
        *,
        status: int = 200,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
        delay: float = 0.0,
        handler: Handler | None = None,
    ) -> None:
        """Answer ``path`` with a fixed response, or with ``handler(request)``."""
        if handler is None:
            fixed = Response(status=status, headers=dict(headers or {}), body=body, delay=delay)

            def handler(_request: RecordedRequest) -> Response:
                return fixed

        with self._lock:
            self._routes[path] = handler

    def respond(self, path: str, response: Response) -> None:
        """Answer ``path`` with ``response`` (streamed bodies are re-created per request)."""
        self.route(path, handler=lambda _request: response)

    def redirect(self, path: str, location: str, status: int = 302) -> None:
        self.route(path, status=status, headers={"Location": location})

    def slow(self, path: str, total_bytes: int = 600, bytes_per_second: float = 1.0) -> None:
        """A body that drips ``bytes_per_second`` (Content-Length announces all of it)."""
        interval = 1.0 / bytes_per_second

        def drip() -> Iterator[bytes]:
            for _ in range(total_bytes):
                yield b"x"
                if self.wait(interval):
                    return

        self.respond(path, Response(headers={"Content-Type": "text/plain"}, body=drip, length=total_bytes))

    def gzip_bomb(self, path: str, size: int = 1 << 30) -> None:
        """A valid gzip stream of ``size`` zero bytes, about 1/1000 of that on the wire."""
        self.respond(
            path,
            Response(
                headers={"Content-Type": "application/xml", "Content-Encoding": "gzip"},
                body=lambda: gzip_zeros(size),
            ),
        )

    def huge(self, path: str, size: int = 200_000_000, declare_length: bool = False) -> None:
        """A ``size``-byte body made on the fly in 64 KiB blocks, never held in memory."""

        def blocks() -> Iterator[bytes]:
            block = b"<item>" + b"x" * (65536 - 13) + b"</item>"
            left = size
            while left > 0:
                if self._stopping.is_set():
                    return
                piece = block[:left]
                left -= len(piece)
                yield piece

        self.respond(
            path,
            Response(
                headers={"Content-Type": "application/rss+xml"},
                body=blocks,
                length=size if declare_length else None,
            ),
        )

    # ------------------------------------------------------------------ inspection

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def requests_to(self, path: str) -> list[RecordedRequest]:
        return [request for request in self.requests if request.path == path]

    def max_concurrent(self, prefix: str = "/", host: str | None = None) -> int:
        """The most requests under ``prefix`` (and to ``host``) that were in progress at once."""
        with self._lock:
            events = list(self._events)
        current = peak = 0
        for delta, path, event_host in events:
            if path.startswith(prefix) and (host is None or event_host == host):
                current += delta
                peak = max(peak, current)
        return peak

    # ------------------------------------------------------------------ serving

    def _serve(self, handler: _RequestHandler) -> None:
        path, _, query = handler.path.partition("?")
        headers: dict[str, str] = {}
        for name, value in handler.headers.items():
            key = name.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        request = RecordedRequest(method=handler.command, path=path, query=query, headers=headers)
        with self._lock:
            self._requests.append(request)
            self._events.append((1, path, request.host))
            route = self._routes.get(path)
        try:
            response = route(request) if route else Response(status=404, body=b"no such test route")
            if response.delay and self.wait(response.delay):
                handler.close_connection = True
                return
            self._send(handler, response)
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            handler.close_connection = True
        finally:
            with self._lock:
                self._events.append((-1, path, request.host))

    def _send(self, handler: _RequestHandler, response: Response) -> None:
        handler.log_request(response.status)
        handler.send_response_only(response.status)
        names = {name.lower() for name in response.headers}
        handler.send_header("Server", "curator-test-server")
        if "date" not in names:  # a test may set its own Date (Expires and Retry-After are relative to it)
            handler.send_header("Date", handler.date_time_string())
        for name, value in response.headers.items():
            handler.send_header(name, value)
        body = response.body
        streamed = not isinstance(body, bytes)
        if "content-length" not in names and "transfer-encoding" not in names:
            if not streamed:
                handler.send_header("Content-Length", str(len(body)))  # type: ignore[arg-type]
            elif response.length is not None:
                handler.send_header("Content-Length", str(response.length))
            else:
                handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        if handler.command == "HEAD" or response.status in (204, 304):
            return
        if isinstance(body, bytes):
            handler.wfile.write(body)
            return
        chunked = response.length is None and "content-length" not in names
        for piece in body():
            if self._stopping.is_set():
                handler.close_connection = True
                return
            if not piece:
                continue
            handler.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
        if chunked:
            handler.wfile.write(b"0\r\n\r\n")


def gzip_zeros(size: int) -> Iterator[bytes]:
    """A gzip stream of ``size`` zeros, made from one precomputed 1 MiB deflate block.

    After a full flush deflate forgets its history, so every 1 MiB block of
    zeros compresses to the same ~1 KB; repeating it costs no CPU.
    """
    block_size = 1 << 20
    zeros = bytes(block_size)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    compressed = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    yield b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # gzip header: deflate, no name, unknown OS
    crc = 0
    full, rest = divmod(size, block_size)
    for _ in range(full):
        crc = zlib.crc32(zeros, crc)
        yield compressed
    tail = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    crc = zlib.crc32(zeros[:rest], crc)
    yield tail.compress(zeros[:rest]) + tail.flush(zlib.Z_FINISH)
    yield crc.to_bytes(4, "little") + (size & 0xFFFFFFFF).to_bytes(4, "little")
