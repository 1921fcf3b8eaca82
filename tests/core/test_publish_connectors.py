"""Publishing connectors, secrets and static feeds, against loopback servers only.

Helpers here (the body-reading webhook server, the in-memory keyring, the
loopback SMTP server) are reused by tests/core/test_publish_runner.py.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import ipaddress
import ssl
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import feedparser
import keyring
import keyring.backend
import keyring.backends.fail
import keyring.errors
import orjson
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SMTPServer
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from curator.domain import Connector, ConnectorKind, PostStatus, ScheduledPost, TouchPoint, TouchPointKind
from curator.publish import feeds
from curator.publish.connectors import (
    ConnectorConfigError,
    EmailConnector,
    OutboxConnector,
    SendError,
    WebhookConnector,
    connector_for,
    post_document,
    sign,
    verify_signature,
)
from curator.publish.feeds import StaticFeedConnector, write_static_feeds
from curator.publish.secrets import (
    NO_KEYRING,
    SMTP_PASSWORD,
    WEBHOOK_SECRET,
    KeyringUnavailable,
    MissingSecret,
    SecretStore,
    secrets_needed,
)
from tests.conftest import _threads_left
from tests.httpserver import HttpServer, RecordedRequest, Response

T0 = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
KEY = "a1b2c3d4e5f6" + "0" * 52
SECRET = "s3cret-signing-key"


# --------------------------------------------------------------------------- shared helpers


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


class SleepRecorder:
    """Records waits instead of sleeping (and moves the clock, if given one)."""

    def __init__(self, clock: FakeClock | None = None) -> None:
        self.waits: list[float] = []
        self._clock = clock

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        if self._clock is not None:
            self._clock.advance(seconds=seconds)


@dataclass
class Delivery:
    """One webhook request as the receiver saw it, body included."""

    headers: dict[str, str]
    body: bytes
    verified: bool


class WebhookServer(HttpServer):
    """The loopback server, reading request bodies (tests/httpserver.py leaves them unread).

    ``deliveries`` holds every POST with its body and whether its signature
    verified; ``processed`` the post ids acted on once, deduplicated by
    Idempotency-Key as a receiver should. ``plan`` lists statuses (or
    ``(status, headers)``) to answer in turn, then 200 with an id.
    """

    def __init__(self, secret: str = SECRET, clock: Callable[[], datetime] = lambda: T0) -> None:
        super().__init__()
        self.secret = secret
        self.clock = clock
        self.deliveries: list[Delivery] = []
        self.processed: list[str] = []
        self.seen_keys: set[str] = set()
        self.plan: list[int | tuple[int, dict[str, str]]] = []
        self.delay = 0.0  # seconds before each answer (lets racing runners interleave)
        self._body = threading.local()
        self._book = threading.Lock()
        self.route("/hook", handler=self._hook)

    def _serve(self, handler: Any) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        self._body.value = handler.rfile.read(length) if length else b""
        super()._serve(handler)

    def _hook(self, request: RecordedRequest) -> Response:
        body: bytes = self._body.value
        headers = request.headers
        verified = verify_signature(
            self.secret,
            headers.get("x-curator-timestamp", ""),
            body,
            headers.get("x-curator-signature", ""),
            now=self.clock(),
        )
        with self._book:
            self.deliveries.append(Delivery(headers, body, verified))
            step = self.plan.pop(0) if self.plan else 200
            status, extra = step if isinstance(step, tuple) else (step, {})
            if status != 200:
                return Response(status=status, headers=extra, body=b"try later")
            if not verified:
                return Response(status=401, body=b"bad signature")
            key = headers["idempotency-key"]
            if key not in self.seen_keys:
                self.seen_keys.add(key)
                self.processed.append(orjson.loads(body)["id"])
        return Response(
            headers={"Content-Type": "application/json"},
            body=orjson.dumps({"id": f"rcv-{key[:8]}"}),
            delay=self.delay,
        )

    def keys_by_post(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for delivery in self.deliveries:
            out.setdefault(orjson.loads(delivery.body)["id"], set()).add(delivery.headers["idempotency-key"])
        return out


@pytest.fixture
def webhook_server() -> Iterator[WebhookServer]:
    before = set(threading.enumerate())
    server = WebhookServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
    assert not _threads_left(before), "threads left running after the webhook server stopped"


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring that keeps secrets in a dict (what a desktop keyring does, minus encryption)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}
        self.locked = False

    def get_password(self, service: str, username: str) -> str | None:
        if self.locked:
            raise keyring.errors.KeyringLocked("the collection is locked")
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        if self.locked:
            raise keyring.errors.KeyringLocked("the collection is locked")
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.store:
            raise keyring.errors.PasswordDeleteError("not found")
        del self.store[(service, username)]


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def no_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    try:
        yield
    finally:
        keyring.set_keyring(previous)


@dataclass
class Mailbox:
    """What the loopback SMTP server received."""

    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str], bool]] = field(default_factory=list)  # from, to, over TLS
    logins: list[tuple[str, str]] = field(default_factory=list)
    rcpt_reply: str = ""
    hang_up_after_data: bool = False

    async def handle_RCPT(
        self, server: SMTPServer, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTPServer, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        self.envelopes.append((str(envelope.mail_from), list(envelope.rcpt_tos), session.ssl is not None))
        if self.hang_up_after_data:  # the line breaks before the client hears "accepted"
            assert server.transport is not None
            server.transport.abort()
        return "250 Message accepted"

    def authenticator(
        self, server: SMTPServer, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        login, password = auth_data.login.decode(), auth_data.password.decode()
        self.logins.append((login, password))
        # handled=False: aiosmtpd then answers 535 itself (its default sends nothing).
        return AuthResult(success=(login, password) == ("news", "mail-pass"), handled=False)


class LoopbackSMTP(Controller):
    """aiosmtpd on 127.0.0.1 on a free port (its Controller cannot take port 0 by itself)."""

    def _trigger_server(self) -> None:
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@contextlib.contextmanager
def smtp_server(
    mailbox: Mailbox, *, tls_context: ssl.SSLContext | None = None, auth: bool = False
) -> Iterator[LoopbackSMTP]:
    """A started loopback SMTP server; with a TLS context it requires STARTTLS."""
    options: dict[str, Any] = {}
    if tls_context is not None:
        options.update(tls_context=tls_context, require_starttls=True)
    if auth:
        options.update(authenticator=mailbox.authenticator, auth_require_tls=tls_context is not None)
    controller = LoopbackSMTP(mailbox, hostname="127.0.0.1", port=0, **options)
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


@dataclass
class TLSFiles:
    ca_file: Path
    server_context: ssl.SSLContext


def make_tls(folder: Path) -> TLSFiles:
    """A private CA and a server certificate for 127.0.0.1 signed by it."""
    now = datetime.now(UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Curator Test CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    ca_file, cert_file, key_file = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return TLSFiles(ca_file, context)


def touchpoint(kind: ConnectorKind, name: str = "Blog (DE)", **options: str) -> TouchPoint:
    tp_kind = {ConnectorKind.EMAIL: TouchPointKind.NEWSLETTER}.get(kind, TouchPointKind.BLOG)
    return TouchPoint(name=name, kind=tp_kind, connector=Connector(kind=kind, options=dict(options)))


def make_post(tp: TouchPoint, *, title: str = "We fixed login", minutes: int = 0, **kw: Any) -> ScheduledPost:
    return ScheduledPost(
        draft_id="draft-1",
        touchpoint_id=tp.id,
        publish_at=T0 + timedelta(minutes=minutes),
        title=title,
        text=kw.pop("text", "Login **works** again.\n\nSee <https://example.com/status>."),
        version_hash="v" * 16,
        status=PostStatus.SCHEDULED,
        **kw,
    )


# --------------------------------------------------------------------------- outbox


def test_outbox_writes_one_json_file_per_post_and_a_repeat_writes_nothing(tmp_path: Path) -> None:
    tp = touchpoint(ConnectorKind.OUTBOX, folder=str(tmp_path))
    post = make_post(tp)
    connector = connector_for(tp, SecretStore())
    assert isinstance(connector, OutboxConnector) and connector.idempotent

    ref = connector.send(post, tp, idempotency_key=KEY)

    path = Path(ref)
    assert path.name == "20261120T093000-blog-de-a1b2c3d4e5f6.json"
    doc = orjson.loads(path.read_bytes())
    assert doc == post_document(post, tp, KEY)
    assert doc["id"] == post.id and doc["idempotency_key"] == KEY and doc["draft_id"] == "draft-1"
    assert doc["touchpoint"] == {"id": tp.id, "name": "Blog (DE)", "kind": "blog"}
    assert doc["title"] == "We fixed login" and doc["version_hash"] == "v" * 16
    assert doc["publish_at"] == "2026-11-20T09:30:00+00:00"
    assert doc["text"].startswith("Login **works**") and "<strong>works</strong>" in doc["html"]
    before = path.stat().st_mtime_ns

    # The same key again, even after a reschedule: the file is found by key, nothing is added.
    again = connector.send(make_post(tp, minutes=30, id=post.id), tp, idempotency_key=KEY)
    assert again == ref and path.stat().st_mtime_ns == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]

    other = connector.send(make_post(tp, title="Another"), tp, idempotency_key="f" * 64)
    assert Path(other) != path and len(list(tmp_path.glob("*.json"))) == 2


def test_outbox_refuses_a_missing_folder_instead_of_creating_it(tmp_path: Path) -> None:
    missing = tmp_path / "unmounted" / "outbox"
    tp = touchpoint(ConnectorKind.OUTBOX, folder=str(missing))
    connector = connector_for(tp, SecretStore())
    assert connector is not None
    with pytest.raises(SendError) as err:
        connector.send(make_post(tp), tp, idempotency_key=KEY)
    assert not err.value.retryable
    assert f"The folder {missing}" in str(err.value) and "does not exist" in str(err.value)
    assert not missing.exists()


def test_connector_options_are_checked_with_sentences(tmp_path: Path) -> None:
    assert connector_for(touchpoint(ConnectorKind.NONE), SecretStore()) is None
    cases = [
        (touchpoint(ConnectorKind.OUTBOX), "has no folder: set it in Settings › Touch points."),
        (touchpoint(ConnectorKind.OUTBOX, folder="relative/dir"), "must be a full path"),
        (touchpoint(ConnectorKind.WEBHOOK, url="ftp://x"), "must start with https://"),
        (touchpoint(ConnectorKind.WEBHOOK, url="https://x", timeout="soon"), "must be a number"),
        (
            touchpoint(ConnectorKind.EMAIL, host="h", to="a@example.com", **{"from": "nobody"}),
            "is not an e-mail address",
        ),
        (
            touchpoint(ConnectorKind.EMAIL, host="h", to="list", **{"from": "a@example.com"}),
            "must be e-mail addresses separated by commas (not “list”)",
        ),
        (
            touchpoint(
                ConnectorKind.EMAIL, host="h", to="a@x.org", starttls="maybe", **{"from": "a@example.com"}
            ),
            "must be yes or no",
        ),
        (touchpoint(ConnectorKind.STATIC_FEED, folder=str(tmp_path)), "has no site address (site_url)"),
    ]
    for tp, expected in cases:
        with pytest.raises(ConnectorConfigError) as err:
            connector_for(tp, SecretStore())
        assert expected in str(err.value), str(err.value)
        assert not err.value.retryable


# --------------------------------------------------------------------------- webhook


def webhook(server: WebhookServer, *, attempts: int = 4, timeout: float = 5.0, **kw: Any) -> WebhookConnector:
    kw.setdefault("sleep", SleepRecorder())
    kw.setdefault("jitter", lambda: 0.0)
    return WebhookConnector(
        server.url("/hook"), lambda: SECRET, attempts=attempts, timeout=timeout, clock=lambda: T0, **kw
    )


def test_webhook_posts_the_signed_document_with_the_idempotency_key(webhook_server: WebhookServer) -> None:
    tp = touchpoint(ConnectorKind.WEBHOOK, url=webhook_server.url("/hook"))
    post = make_post(tp)
    ref = webhook(webhook_server).send(post, tp, idempotency_key=KEY)

    assert ref == f"rcv-{KEY[:8]}"
    [delivery] = webhook_server.deliveries
    assert delivery.verified
    assert delivery.headers["content-type"] == "application/json"
    assert delivery.headers["idempotency-key"] == KEY
    assert delivery.headers["x-curator-timestamp"] == str(int(T0.timestamp()))
    assert delivery.headers["user-agent"].startswith("Curator/")
    assert orjson.loads(delivery.body) == post_document(post, tp, KEY)
    assert webhook_server.processed == [post.id]


def test_signature_check_rejects_tampering_replays_and_other_secrets() -> None:
    body = b'{"id":"p1"}'
    stamp = str(int(T0.timestamp()))
    good = sign(SECRET, stamp, body)
    assert good.startswith("sha256=") and len(good) == len("sha256=") + 64
    assert verify_signature(SECRET, stamp, body, good, now=T0 + timedelta(seconds=299))
    assert not verify_signature(SECRET, stamp, body + b" ", good, now=T0)
    assert not verify_signature("other", stamp, body, good, now=T0)
    assert not verify_signature(SECRET, stamp, body, good, now=T0 + timedelta(seconds=301))
    assert not verify_signature(SECRET, stamp, body, good, now=T0 - timedelta(seconds=301))
    assert not verify_signature(SECRET, str(int(stamp) + 1), body, good, now=T0)
    assert not verify_signature(SECRET, "x" + stamp, body, good, now=T0)


def test_webhook_retries_5xx_with_backoff_and_keeps_the_key(webhook_server: WebhookServer) -> None:
    webhook_server.plan = [503, 502]
    sleep = SleepRecorder()
    tp = touchpoint(ConnectorKind.WEBHOOK)
    ref = webhook(webhook_server, sleep=sleep, backoff=2.0).send(make_post(tp), tp, idempotency_key=KEY)

    assert ref.startswith("rcv-")
    assert [d.headers["idempotency-key"] for d in webhook_server.deliveries] == [KEY] * 3
    assert all(d.verified for d in webhook_server.deliveries)
    # Exponential with jitter: base 2 then 4, the jitter (0 here) adds up to half of it again.
    assert sleep.waits == [1.0, 2.0]
    assert len(webhook_server.processed) == 1


def test_webhook_jitter_spreads_waits_within_bounds(webhook_server: WebhookServer) -> None:
    webhook_server.plan = [500, 500, 500]
    sleep = SleepRecorder()
    tp = touchpoint(ConnectorKind.WEBHOOK)
    connector = webhook(webhook_server, sleep=sleep, jitter=lambda: 0.999, backoff=1.0, max_backoff=3.0)
    connector.send(make_post(tp), tp, idempotency_key=KEY)
    assert sleep.waits == pytest.approx([0.9995, 1.999, 2.9985])


@pytest.mark.parametrize(
    ("status", "advice"),
    [
        (401, "answered 401 Unauthorized: check the webhook secret in Settings › Touch points."),
        (404, "answered 404 Not Found: check the webhook address in Settings › Touch points."),
        (400, "answered 400 Bad Request: the receiver refused the post (try later)."),
    ],
)
def test_webhook_does_not_retry_other_4xx(webhook_server: WebhookServer, status: int, advice: str) -> None:
    webhook_server.plan = [status]
    sleep = SleepRecorder()
    tp = touchpoint(ConnectorKind.WEBHOOK)
    with pytest.raises(SendError) as err:
        webhook(webhook_server, sleep=sleep).send(make_post(tp), tp, idempotency_key=KEY)
    assert not err.value.retryable
    assert str(err.value) == f"The webhook at {webhook_server.url('/hook')} {advice}"
    assert len(webhook_server.deliveries) == 1 and sleep.waits == []


def test_webhook_honours_retry_after_through_the_injected_sleep(webhook_server: WebhookServer) -> None:
    webhook_server.plan = [(429, {"Retry-After": "7"}), (503, {"Retry-After": "2"})]
    sleep = SleepRecorder()
    tp = touchpoint(ConnectorKind.WEBHOOK)
    webhook(webhook_server, sleep=sleep).send(make_post(tp), tp, idempotency_key=KEY)
    assert sleep.waits == [7.0, 2.0]
    assert len(webhook_server.deliveries) == 3


def test_webhook_hands_a_long_retry_after_back_to_the_runner(webhook_server: WebhookServer) -> None:
    webhook_server.plan = [(503, {"Retry-After": "3600"})]
    sleep = SleepRecorder()
    tp = touchpoint(ConnectorKind.WEBHOOK)
    with pytest.raises(SendError) as err:
        webhook(webhook_server, sleep=sleep).send(make_post(tp), tp, idempotency_key=KEY)
    assert err.value.retryable and err.value.retry_after == 3600
    assert "503 Service Unavailable" in str(err.value)
    assert sleep.waits == [] and len(webhook_server.deliveries) == 1


def test_webhook_gives_up_after_its_attempts_and_says_so(webhook_server: WebhookServer) -> None:
    webhook_server.plan = [500, 500, 500]
    tp = touchpoint(ConnectorKind.WEBHOOK)
    with pytest.raises(SendError) as err:
        webhook(webhook_server, attempts=3).send(make_post(tp), tp, idempotency_key=KEY)
    assert err.value.retryable
    assert str(err.value).endswith("answered 500 Internal Server Error (3 tries).")
    assert len(webhook_server.deliveries) == 3


def test_webhook_timeouts_are_retried(webhook_server: WebhookServer) -> None:
    webhook_server.route("/slow", body=b"{}", delay=5.0)  # the server gives up waiting when stopped
    tp = touchpoint(ConnectorKind.WEBHOOK)
    sleep = SleepRecorder()
    connector = WebhookConnector(
        webhook_server.url("/slow"), lambda: SECRET, attempts=2, timeout=0.2, sleep=sleep, jitter=lambda: 0.0
    )
    with pytest.raises(SendError) as err:
        connector.send(make_post(tp), tp, idempotency_key=KEY)
    assert err.value.retryable and "did not answer within 0.2 s" in str(err.value)
    assert len(webhook_server.requests_to("/slow")) == 2 and sleep.waits == [0.5]


def test_webhook_unreachable_is_retryable(unused_port: int) -> None:
    tp = touchpoint(ConnectorKind.WEBHOOK)
    connector = WebhookConnector(f"http://127.0.0.1:{unused_port}/hook", lambda: SECRET, attempts=1)
    with pytest.raises(SendError) as err:
        connector.send(make_post(tp), tp, idempotency_key=KEY)
    assert err.value.retryable
    assert "could not reach the webhook" in str(err.value) and "refused" in str(err.value)


def test_webhook_without_a_secret_sends_nothing(
    webhook_server: WebhookServer, memory_keyring: MemoryKeyring
) -> None:
    tp = touchpoint(ConnectorKind.WEBHOOK, url=webhook_server.url("/hook"))
    connector = connector_for(tp, SecretStore(), clock=lambda: T0)
    assert isinstance(connector, WebhookConnector)
    with pytest.raises(SendError) as err:
        connector.send(make_post(tp), tp, idempotency_key=KEY)
    assert not err.value.retryable
    assert str(err.value) == (
        "The webhook secret of touch point “Blog (DE)” is not set: "
        "set it in Settings › Touch points › Blog (DE)."
    )
    assert webhook_server.deliveries == []

    SecretStore().set(tp.id, WEBHOOK_SECRET, SECRET)
    assert connector.send(make_post(tp), tp, idempotency_key=KEY).startswith("rcv-")
    assert webhook_server.deliveries[0].verified


@pytest.fixture
def unused_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --------------------------------------------------------------------------- e-mail


def email_tp(port: int, **options: str) -> TouchPoint:
    base = {"host": "127.0.0.1", "port": str(port), "from": "News <news@example.com>"}
    base["to"] = "list@example.com, archive@example.com"
    base.update(options)
    return touchpoint(ConnectorKind.EMAIL, name="Newsletter", **base)


def test_email_sends_plain_text_and_html_with_a_key_derived_message_id(no_leaked_threads: None) -> None:
    mailbox = Mailbox()
    with smtp_server(mailbox) as server:
        tp = email_tp(server.port, starttls="no")
        connector = connector_for(tp, SecretStore(), clock=lambda: T0)
        assert isinstance(connector, EmailConnector) and not connector.idempotent
        post = make_post(tp, title="Login works again")
        ref = connector.send(post, tp, idempotency_key=KEY)

    [msg] = mailbox.messages
    assert ref == msg["Message-ID"] == f"<curator.{KEY[:40]}@example.com>"
    assert msg["Subject"] == "Login works again"
    assert msg["From"] == "News <news@example.com>"
    assert msg["To"] == "list@example.com, archive@example.com"
    assert msg["Date"].datetime == T0
    assert msg["X-Curator-Post-Id"] == post.id
    assert msg.get_content_type() == "multipart/alternative"
    plain = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    assert plain is not None and html is not None
    assert plain.get_content().startswith("Login **works** again.")
    assert "<strong>works</strong>" in html.get_content()
    assert '<a href="https://example.com/status"' in html.get_content()
    assert mailbox.envelopes == [("news@example.com", ["list@example.com", "archive@example.com"], False)]


def test_email_logs_in_over_plain_smtp_only_on_loopback(no_leaked_threads: None) -> None:
    mailbox = Mailbox()
    secrets = SecretStore()
    with smtp_server(mailbox, auth=True) as server:
        tp = email_tp(server.port, starttls="no", username="news")
        secrets.remember_for_session(tp.id, SMTP_PASSWORD, "mail-pass")
        connector = connector_for(tp, secrets)
        assert connector is not None
        connector.send(make_post(tp), tp, idempotency_key=KEY)
    assert mailbox.logins == [("news", "mail-pass")]
    assert len(mailbox.messages) == 1


def test_email_refuses_to_send_a_password_unencrypted_to_another_host() -> None:
    # 192.0.2.1 is TEST-NET-1: the refusal must come before any connection is tried.
    tp = touchpoint(
        ConnectorKind.EMAIL,
        name="Newsletter",
        host="192.0.2.1",
        to="list@example.com",
        username="news",
        starttls="no",
        timeout="1",
        **{"from": "news@example.com"},
    )
    secrets = SecretStore({(tp.id, SMTP_PASSWORD): "mail-pass"})
    connector = connector_for(tp, secrets)
    assert connector is not None
    with pytest.raises(ConnectorConfigError) as err:
        connector.send(make_post(tp), tp, idempotency_key=KEY)
    assert not err.value.retryable
    assert str(err.value) == (
        "Touch point “Newsletter” would send its SMTP password to 192.0.2.1 without encryption: "
        "turn STARTTLS on in Settings › Touch points (only a server on this machine may go without it)."
    )


def test_email_starttls_with_a_private_ca_and_login(tmp_path: Path, no_leaked_threads: None) -> None:
    tls = make_tls(tmp_path)
    mailbox = Mailbox()
    with smtp_server(mailbox, tls_context=tls.server_context, auth=True) as server:
        tp = email_tp(server.port, username="news", cafile=str(tls.ca_file))
        connector = connector_for(tp, SecretStore({(tp.id, SMTP_PASSWORD): "mail-pass"}))
        assert connector is not None
        connector.send(make_post(tp), tp, idempotency_key=KEY)

        # Without the private CA the certificate cannot be trusted: refused, nothing sent.
        untrusting = email_tp(server.port, username="news")
        connector = connector_for(untrusting, SecretStore({(untrusting.id, SMTP_PASSWORD): "mail-pass"}))
        assert connector is not None
        with pytest.raises(SendError) as err:
            connector.send(make_post(untrusting), untrusting, idempotency_key=KEY)
    assert mailbox.logins == [("news", "mail-pass")]
    assert [tls_used for _f, _t, tls_used in mailbox.envelopes] == [True]
    assert not err.value.retryable and "certificate Curator cannot trust" in str(err.value)
    assert "cafile" in str(err.value)


def test_email_wrong_password_is_not_retried(tmp_path: Path, no_leaked_threads: None) -> None:
    tls = make_tls(tmp_path)
    mailbox = Mailbox()
    with smtp_server(mailbox, tls_context=tls.server_context, auth=True) as server:
        tp = email_tp(server.port, username="news", cafile=str(tls.ca_file))
        connector = connector_for(tp, SecretStore({(tp.id, SMTP_PASSWORD): "wrong"}))
        assert connector is not None
        with pytest.raises(SendError) as err:
            connector.send(make_post(tp), tp, idempotency_key=KEY)
    assert not err.value.retryable
    assert "refused the user name or password (535)" in str(err.value)
    assert "touch point “Newsletter” in Settings › Touch points" in str(err.value)
    assert mailbox.messages == []


@pytest.mark.parametrize(
    ("reply", "retryable"), [("451 4.3.0 Try again later", True), ("550 No such user", False)]
)
def test_email_refused_recipients_by_reply_code(reply: str, retryable: bool, no_leaked_threads: None) -> None:
    mailbox = Mailbox(rcpt_reply=reply)
    with smtp_server(mailbox) as server:
        tp = email_tp(server.port, starttls="no")
        connector = connector_for(tp, SecretStore())
        assert connector is not None
        with pytest.raises(SendError) as err:
            connector.send(make_post(tp), tp, idempotency_key=KEY)
    assert err.value.retryable is retryable
    assert reply.split()[0] in str(err.value)
    assert mailbox.messages == []


def test_email_cut_off_after_the_message_is_not_retried(no_leaked_threads: None) -> None:
    mailbox = Mailbox(hang_up_after_data=True)
    with smtp_server(mailbox) as server:
        tp = email_tp(server.port, starttls="no")
        connector = connector_for(tp, SecretStore())
        assert connector is not None
        with pytest.raises(SendError) as err:
            connector.send(make_post(tp), tp, idempotency_key=KEY)
    assert len(mailbox.messages) == 1  # it did arrive: a retry would send it twice
    assert not err.value.retryable
    assert "broke while it was receiving the message" in str(err.value)
    assert "it may or may not have gone out" in str(err.value)


def test_email_server_down_is_retryable(unused_port: int) -> None:
    tp = email_tp(unused_port, starttls="no")
    connector = connector_for(tp, SecretStore())
    assert connector is not None
    with pytest.raises(SendError) as err:
        connector.send(make_post(tp), tp, idempotency_key=KEY)
    assert err.value.retryable and "refused the connection" in str(err.value)


def test_email_without_starttls_support_is_refused_not_downgraded(no_leaked_threads: None) -> None:
    mailbox = Mailbox()
    with smtp_server(mailbox) as server:  # no TLS context: the server offers no STARTTLS
        tp = email_tp(server.port)  # starttls defaults to yes
        connector = connector_for(tp, SecretStore())
        assert connector is not None
        with pytest.raises(SendError) as err:
            connector.send(make_post(tp), tp, idempotency_key=KEY)
    assert not err.value.retryable and "does not offer what Curator needs" in str(err.value)
    assert mailbox.messages == []


# --------------------------------------------------------------------------- secrets


def test_secrets_round_trip_through_the_keyring(memory_keyring: MemoryKeyring) -> None:
    store = SecretStore()
    assert SecretStore.available() == (True, "")
    assert store.get("tp1", WEBHOOK_SECRET) is None
    store.set("tp1", WEBHOOK_SECRET, "abc")
    assert memory_keyring.store == {("curator", "touchpoint:tp1:webhook_secret"): "abc"}
    assert SecretStore().get("tp1", WEBHOOK_SECRET) == "abc"
    store.delete("tp1", WEBHOOK_SECRET)
    store.delete("tp1", WEBHOOK_SECRET)  # already gone: not an error
    assert memory_keyring.store == {} and store.get("tp1", WEBHOOK_SECRET) is None


def test_session_secrets_win_and_are_never_stored(memory_keyring: MemoryKeyring) -> None:
    store = SecretStore({("tp1", SMTP_PASSWORD): "typed"})
    memory_keyring.store[("curator", "touchpoint:tp1:smtp_password")] = "saved"
    assert store.get("tp1", SMTP_PASSWORD) == "typed"
    store.remember_for_session("tp2", SMTP_PASSWORD, "also typed")
    assert store.get("tp2", SMTP_PASSWORD) == "also typed"
    assert ("curator", "touchpoint:tp2:smtp_password") not in memory_keyring.store


def test_without_a_keyring_curator_says_so_and_asks(no_keyring: None) -> None:
    ok, why = SecretStore.available()
    assert not ok and why == NO_KEYRING
    assert why.startswith("No system keyring is available (install and unlock GNOME Keyring or KWallet)")
    store = SecretStore()
    tp = touchpoint(ConnectorKind.WEBHOOK, name="Hooks", url="https://hooks.example.com")
    assert store.get(tp.id, WEBHOOK_SECRET) is None
    with pytest.raises(KeyringUnavailable) as err:
        store.set(tp.id, WEBHOOK_SECRET, "x")
    assert str(err.value) == NO_KEYRING
    with pytest.raises(MissingSecret) as missing:
        store.require(tp, WEBHOOK_SECRET)
    assert "The webhook secret of touch point “Hooks” is not set" in str(missing.value)
    assert "enter it when Curator asks" in str(missing.value)
    assert missing.value.name == WEBHOOK_SECRET and missing.value.touchpoint_id == tp.id
    store.remember_for_session(tp.id, WEBHOOK_SECRET, "typed")
    assert store.require(tp, WEBHOOK_SECRET) == "typed"


def test_a_locked_keyring_gives_an_actionable_error(memory_keyring: MemoryKeyring) -> None:
    memory_keyring.locked = True
    with pytest.raises(KeyringUnavailable) as err:
        SecretStore().get("tp1", SMTP_PASSWORD)
    assert "could not be read (the collection is locked): unlock it" in str(err.value)
    assert "enter the SMTP password for this session" in str(err.value)


def test_secrets_needed_per_connector() -> None:
    assert secrets_needed(touchpoint(ConnectorKind.WEBHOOK, url="https://x")) == [WEBHOOK_SECRET]
    assert secrets_needed(touchpoint(ConnectorKind.EMAIL, host="h", username="u")) == [SMTP_PASSWORD]
    assert secrets_needed(touchpoint(ConnectorKind.EMAIL, host="h")) == []
    assert secrets_needed(touchpoint(ConnectorKind.OUTBOX, folder="/x")) == []


# --------------------------------------------------------------------------- static feeds


def published(tp: TouchPoint, n: int, **kw: Any) -> ScheduledPost:
    post = make_post(tp, title=f"Post {n}", minutes=n, text=f"Body **{n}** & <more>", **kw)
    post.status = PostStatus.PUBLISHED
    post.published_at = post.publish_at + timedelta(seconds=5)
    return post


def test_static_feeds_are_valid_rss_and_json_feed(tmp_path: Path) -> None:
    tp = touchpoint(ConnectorKind.STATIC_FEED)
    posts = [published(tp, n) for n in (1, 3, 2)]
    posts[0].title = 'Fish & "chips" <b>'
    rss_path, json_path = write_static_feeds(
        tmp_path, tp, posts, site_url="https://blog.example.com/", title="Example blog"
    )

    parsed = feedparser.parse(rss_path.read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "rss20"
    assert parsed.feed.title == "Example blog" and parsed.feed.link == "https://blog.example.com/"
    assert [e.id for e in parsed.entries] == [posts[1].id, posts[2].id, posts[0].id]
    assert [e.guidislink for e in parsed.entries] == [False] * 3
    assert parsed.entries[2].title == 'Fish & "chips" <b>'
    assert parsed.entries[0].published_parsed[:6] == (2026, 11, 20, 9, 33, 5)
    assert "<strong>3</strong>" in parsed.entries[0].description
    raw = rss_path.read_text()
    assert "<pubDate>Fri, 20 Nov 2026 09:33:05 GMT</pubDate>" in raw
    assert '<guid isPermaLink="false">' in raw

    doc = orjson.loads(json_path.read_bytes())
    assert doc["version"] == "https://jsonfeed.org/version/1.1"
    assert doc["title"] == "Example blog" and doc["home_page_url"] == "https://blog.example.com/"
    first = doc["items"][0]
    assert first["id"] == posts[1].id and first["title"] == "Post 3"
    assert first["date_published"] == "2026-11-20T09:33:05Z"
    assert datetime.fromisoformat(first["date_published"].replace("Z", "+00:00")) == posts[1].published_at
    # Raw HTML in the Markdown is sanitised away (an unknown tag is dropped, never passed through).
    assert "<strong>3</strong>" in first["content_html"] and "<more>" not in first["content_html"]
    assert first["content_text"] == "Body 3 &"


def test_static_feeds_keep_the_newest_fifty(tmp_path: Path) -> None:
    tp = touchpoint(ConnectorKind.STATIC_FEED)
    posts = [published(tp, n) for n in range(55)]
    rss_path, json_path = write_static_feeds(tmp_path, tp, posts, site_url="https://b.example", title="B")
    items = orjson.loads(json_path.read_bytes())["items"]
    assert len(items) == feeds.MAX_ITEMS
    assert items[0]["title"] == "Post 54" and items[-1]["title"] == "Post 5"
    assert len(feedparser.parse(rss_path.read_bytes()).entries) == feeds.MAX_ITEMS


def test_feed_connector_adds_posts_and_replaces_a_resent_one(tmp_path: Path) -> None:
    tp = touchpoint(ConnectorKind.STATIC_FEED, folder=str(tmp_path), site_url="https://b.example", title="B")
    connector = connector_for(tp, SecretStore())
    assert isinstance(connector, StaticFeedConnector) and connector.idempotent
    first, second = make_post(tp, title="First"), make_post(tp, title="Second", minutes=10)
    first.text = "Control \x07 characters \x00 are dropped"
    connector.send(first, tp, idempotency_key=KEY)
    connector.send(second, tp, idempotency_key="b" * 64)
    ref = connector.send(first, tp, idempotency_key=KEY)  # after a crash: replaced, not added

    assert ref == f"{tmp_path / 'feed.xml'}#{first.id}"
    parsed = feedparser.parse((tmp_path / "feed.xml").read_bytes())
    assert not parsed.bozo
    assert [e.id for e in parsed.entries] == [second.id, first.id]
    items = orjson.loads((tmp_path / "feed.json").read_bytes())["items"]
    assert [i["id"] for i in items] == [second.id, first.id]
    assert items[1]["_curator"]["text"] == first.text  # JSON keeps what XML cannot hold
    assert "\x07" not in parsed.entries[1].description and "\x00" not in parsed.entries[1].description
    assert items[1]["_curator"]["draft_id"] == "draft-1"


def test_feed_connector_refuses_to_overwrite_a_damaged_feed(tmp_path: Path) -> None:
    tp = touchpoint(ConnectorKind.STATIC_FEED, folder=str(tmp_path), site_url="https://b.example")
    (tmp_path / "feed.json").write_text('{"items": [{"id": 1')
    connector = connector_for(tp, SecretStore())
    assert connector is not None
    with pytest.raises(SendError) as err:
        connector.send(make_post(tp), tp, idempotency_key=KEY)
    assert not err.value.retryable and "feed.json of touch point “Blog (DE)” is damaged" in str(err.value)
    assert (tmp_path / "feed.json").read_text() == '{"items": [{"id": 1'
