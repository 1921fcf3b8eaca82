"""Publishing connectors: how a post leaves the workstation for one touch point.

Each touch point names one connector and its options
(``tp.connector.kind`` and ``tp.connector.options``); secrets come from
:class:`curator.publish.secrets.SecretStore`, never from the options.

Every connector takes an *idempotency key* with each send. The publish runner
derives it from the post and its content, so every retry of the same post
carries the same key. A connector whose repeated sends with one key cannot
post twice says so with ``idempotent = True``; the runner then resends
after a crash, and asks a person otherwise (e-mail).

Connectors and their options:

* ``outbox``: ``folder``. One JSON file per post for any external tool,
  named ``<UTC publish time yyyymmddTHHMMSS>-<touch point slug>-<key[:12]>.json``
  and written atomically (tools should ignore dot files: they are the
  temporary files of a write in progress). The same key twice finds the
  file already there and writes nothing.
* ``webhook``: ``url``, ``timeout`` (seconds, default 10), ``attempts``
  (default 4). An HTTP POST of the same JSON document, signed (see
  below), retried with back-off on 5xx, 408, 429 (Retry-After honoured),
  timeouts and connection errors; never on other 4xx.
* ``email``: ``host``, ``port`` (587), ``username``, ``from``, ``to``
  (comma-separated), ``starttls`` (``yes``), ``cafile`` (a CA bundle for a
  mail server with a private certificate authority), ``timeout`` (30 s).
  Plain text and HTML in one message. Never idempotent: a mail cannot be
  taken back.
* ``static_feed``: ``folder``, ``site_url``, ``title``; see
  :mod:`curator.publish.feeds`.

Webhook signatures (for receivers): every request carries

* ``Idempotency-Key``: the same for every retry of one post; store the keys
  you processed and answer 2xx without acting again when one comes back;
* ``X-Curator-Timestamp``: Unix seconds when this attempt was signed;
* ``X-Curator-Signature``: ``sha256=`` and the hex HMAC-SHA256, keyed with
  the shared webhook secret (UTF-8), of ``f"{timestamp}.".encode() + body``
  (the raw request body bytes).

Recompute the HMAC, compare in constant time, and reject timestamps more
than five minutes from your clock (replays); :func:`verify_signature` does
exactly this. An answer's body may carry ``{"id": "..."}``, which Curator
keeps as the post's external reference.
"""

from __future__ import annotations

import errno
import hashlib
import hmac
import ipaddress
import random
import smtplib
import socket
import ssl
import time
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Callable
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, parseaddr
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import httpx
import nh3
import orjson

from curator.domain import ConnectorKind, ScheduledPost, TouchPoint, utcnow
from curator.editorial.variants import markdown_to_html
from curator.errors import CuratorError
from curator.ingest.http import parse_retry_after, user_agent
from curator.publish.secrets import SMTP_PASSWORD, WEBHOOK_SECRET, SecretError, SecretStore
from curator.store.files import atomic_write

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

#: Format tag of the JSON document an outbox file and a webhook body hold.
DOCUMENT_FORMAT = "curator-post/1"
#: Most bytes of a webhook answer read (enough for an id or an error text).
MAX_RESPONSE_BYTES = 64 * 1024
#: Longest Retry-After waited for inside one send; longer waits go back to the runner.
MAX_RETRY_AFTER_SECONDS = 120.0
SIGNATURE_TOLERANCE_SECONDS = 300

Clock = Callable[[], datetime]
Sleep = Callable[[float], None]
WHERE = "Settings › Touch points"


class SendError(CuratorError):
    """A post that did not go out, with whether trying again later can help.

    Attributes:
        retryable: True for passing trouble (a server error, a timeout, a
            full disk); False when a person must change something first
            (a wrong password, a refused post, a bad address).
        retry_after: seconds the receiver asked us to wait, if it said.
    """

    def __init__(self, message: str, *, retryable: bool, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after


class ConnectorConfigError(SendError):
    """The touch point's connector options cannot work; a person must fix them."""

    def __init__(self, message: str) -> None:
        super().__init__(message, retryable=False)


class Connector(ABC):
    """Sends one post to one touch point; subclasses are the connector kinds.

    Attributes:
        kind: the connector kind, for messages.
        idempotent: True when sending again with the same idempotency key
            cannot post twice, so the runner may resend after a crash.
    """

    kind: ClassVar[ConnectorKind]
    idempotent: ClassVar[bool]

    @abstractmethod
    def send(self, post: ScheduledPost, tp: TouchPoint, *, idempotency_key: str) -> str:
        """Publish ``post`` and return an external reference (a path, an id, a Message-ID).

        Raises:
            SendError: it did not go out (or might not have); the sentence says why.
        """


# --------------------------------------------------------------------------- shared helpers


def slugify(text: str, fallback: str = "touchpoint") -> str:
    """A file-name-safe ASCII slug ("Blog (DE)" -> "blog-de")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = "".join(ch if ch.isalnum() else "-" for ch in ascii_text.lower())
    slug = "-".join(part for part in slug.split("-") if part)
    return slug[:40] or fallback


def post_document(post: ScheduledPost, tp: TouchPoint, idempotency_key: str) -> dict[str, Any]:
    """The JSON document an outbox file holds and a webhook posts.

    It depends only on the post, the touch point and the key (no send time),
    so a resend produces the very same bytes.
    """
    return {
        "format": DOCUMENT_FORMAT,
        "id": post.id,
        "idempotency_key": idempotency_key,
        "touchpoint": {"id": tp.id, "name": tp.name, "kind": str(tp.kind)},
        "title": post.title,
        "publish_at": post.publish_at.astimezone(UTC).isoformat(),
        "text": post.text,
        "html": markdown_to_html(post.text),
        "draft_id": post.draft_id,
        "version_hash": post.version_hash,
    }


def _option(tp: TouchPoint, name: str, default: str = "") -> str:
    return tp.connector.options.get(name, default).strip() or default


def _required(tp: TouchPoint, name: str, label: str) -> str:
    value = _option(tp, name)
    if not value:
        raise ConnectorConfigError(
            f"The {tp.connector.kind} connector of touch point “{tp.name}” has no {label}: set it in {WHERE}."
        )
    return value


def _number(tp: TouchPoint, name: str, default: float, label: str, *, minimum: float = 1) -> float:
    raw = _option(tp, name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = minimum - 1
    if value < minimum:
        raise ConnectorConfigError(
            f"The {label} of touch point “{tp.name}” must be a number of at least {minimum:g}, "
            f"not “{raw}”: fix it in {WHERE}."
        )
    return value


def _yes(tp: TouchPoint, name: str, default: bool) -> bool:
    raw = _option(tp, name).lower()
    if not raw:
        return default
    if raw in ("yes", "true", "on", "1"):
        return True
    if raw in ("no", "false", "off", "0"):
        return False
    raise ConnectorConfigError(
        f"The option {name} of touch point “{tp.name}” must be yes or no, not “{raw}”: fix it in {WHERE}."
    )


def _folder(tp: TouchPoint, base: Path | None) -> Path:
    """The connector's folder; a relative one lies inside the workspace (shared with it)."""
    folder = Path(_required(tp, "folder", "folder")).expanduser()
    if not folder.is_absolute():
        if base is None:
            raise ConnectorConfigError(
                f"The folder of touch point “{tp.name}” must be a full path, not “{folder}”: "
                f"fix it in {WHERE}."
            )
        folder = base / folder
    return folder


def check_folder(folder: Path, tp: TouchPoint) -> None:
    """Refuse a folder that is not there rather than create it.

    A missing folder is often an unmounted share or a typo; creating it
    would hide the post in a place nobody looks.
    """
    if not folder.is_dir():
        raise SendError(
            f"The folder {folder} of touch point “{tp.name}” does not exist (or is not mounted): "
            f"create it or choose another in {WHERE}.",
            retryable=False,
        )


def file_error(exc: OSError, path: Path, tp: TouchPoint) -> SendError:
    """A file system error as a sentence; permissions need a person, a full disk may pass."""
    reason = exc.strerror or str(exc)
    if isinstance(exc, PermissionError) or exc.errno == errno.EROFS:
        return SendError(
            f"Curator may not write {path} for touch point “{tp.name}” ({reason}): "
            "give it write access or choose another folder.",
            retryable=False,
        )
    return SendError(
        f"Curator could not write {path} for touch point “{tp.name}” ({reason}).", retryable=True
    )


def _root_cause(exc: BaseException) -> BaseException:
    seen: set[int] = set()
    while id(exc) not in seen:
        seen.add(id(exc))
        inner = exc.__cause__ or exc.__context__
        if inner is None:
            break
        exc = inner
    return exc


def _is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


# --------------------------------------------------------------------------- outbox


class OutboxConnector(Connector):
    """Writes one JSON file per post into a folder another tool picks up."""

    kind = ConnectorKind.OUTBOX
    idempotent = True

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def file_name(self, post: ScheduledPost, tp: TouchPoint, idempotency_key: str) -> str:
        """The file a post goes to: publish time, touch point, key (see the module docstring)."""
        stamp = post.publish_at.astimezone(UTC).strftime("%Y%m%dT%H%M%S")
        return f"{stamp}-{slugify(tp.name)}-{idempotency_key[:12]}.json"

    def _already_written(self, idempotency_key: str) -> Path | None:
        # Found by key, not by name: a post rescheduled after a crash keeps its
        # key but would get another time stamp in its name.
        for path in sorted(self.folder.glob(f"*-{idempotency_key[:12]}.json")):
            try:
                if orjson.loads(path.read_bytes()).get("idempotency_key") == idempotency_key:
                    return path
            except (OSError, orjson.JSONDecodeError, AttributeError):
                continue
        return None

    def send(self, post: ScheduledPost, tp: TouchPoint, *, idempotency_key: str) -> str:
        check_folder(self.folder, tp)
        path = self.folder / self.file_name(post, tp, idempotency_key)
        try:
            existing = self._already_written(idempotency_key)
            if existing is not None:
                return str(existing)
            data = orjson.dumps(post_document(post, tp, idempotency_key), option=orjson.OPT_INDENT_2)
            atomic_write(path, data)
        except OSError as exc:
            raise file_error(exc, path, tp) from exc
        return str(path)


# --------------------------------------------------------------------------- webhook


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-Curator-Signature`` value of one request (see the module docstring)."""
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def verify_signature(
    secret: str,
    timestamp: str,
    body: bytes,
    signature: str,
    *,
    now: datetime,
    tolerance: int = SIGNATURE_TOLERANCE_SECONDS,
) -> bool:
    """Whether a webhook request is genuine and fresh; what a receiver should run.

    Args:
        secret: the shared webhook secret.
        timestamp: the ``X-Curator-Timestamp`` header.
        body: the raw request body, exactly as received.
        signature: the ``X-Curator-Signature`` header.
        now: the receiver's current time (aware).
        tolerance: most seconds between the timestamp and ``now``; an older
            (or future) request is refused so a captured one cannot be replayed.
    """
    if not timestamp.isdigit() or len(timestamp) > 12:
        return False
    if abs(now.timestamp() - int(timestamp)) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body).encode(), signature.strip().encode())


def _status_label(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


class WebhookConnector(Connector):
    """POSTs the signed post document to a URL; the receiver dedupes on Idempotency-Key."""

    kind = ConnectorKind.WEBHOOK
    idempotent = True

    def __init__(
        self,
        url: str,
        secret: Callable[[], str],
        *,
        timeout: float = 10.0,
        attempts: int = 4,
        backoff: float = 1.0,
        max_backoff: float = 30.0,
        max_retry_after: float = MAX_RETRY_AFTER_SECONDS,
        clock: Clock = utcnow,
        sleep: Sleep = time.sleep,
        jitter: Callable[[], float] = random.random,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        """Create a webhook connector.

        Args:
            url: the receiver's http(s) address.
            secret: returns the signing secret; called at send time so a
                missing secret fails that post, with a sentence, not the setup.
            timeout: seconds for connecting and for each read.
            attempts: tries per send (the first included).
            backoff: the first wait between tries; doubled each time.
            max_backoff: the longest wait between tries.
            max_retry_after: the longest Retry-After honoured within a send;
                a longer one ends the send and goes back to the runner.
            clock: the current time (signature timestamps, Retry-After dates).
            sleep: waits between tries (tests pass a recorder).
            jitter: a number in [0, 1) spreading waits so many clients do
                not come back at the same instant.
            transport: an httpx transport (tests only).
        """
        self.url = url
        self._secret = secret
        self.timeout = timeout
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_retry_after = max_retry_after
        self._clock = clock
        self._sleep = sleep
        self._jitter = jitter
        self._transport = transport

    def _wait(self, attempt: int) -> float:
        base = min(self.max_backoff, self.backoff * 2.0 ** (attempt - 1))
        return base / 2 + self._jitter() * base / 2

    def send(self, post: ScheduledPost, tp: TouchPoint, *, idempotency_key: str) -> str:
        try:
            secret = self._secret()
        except SecretError as exc:
            raise SendError(str(exc), retryable=False) from exc
        body = orjson.dumps(post_document(post, tp, idempotency_key))
        last: SendError | None = None
        tries = 0
        with httpx.Client(
            headers={"User-Agent": user_agent()},
            timeout=httpx.Timeout(self.timeout),
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
            follow_redirects=False,
            transport=self._transport,
        ) as client:
            for attempt in range(1, self.attempts + 1):
                outcome = self._attempt(client, body, secret, idempotency_key, tp)
                tries = attempt
                if isinstance(outcome, str):
                    return outcome
                last = outcome
                if not outcome.retryable or attempt == self.attempts:
                    break
                wait = outcome.retry_after if outcome.retry_after is not None else self._wait(attempt)
                if wait > self.max_retry_after:
                    break  # the runner comes back later rather than block this long
                self._sleep(wait)
        assert last is not None
        if last.retryable and tries > 1:
            raise SendError(
                f"{str(last).rstrip('.')} ({tries} tries).", retryable=True, retry_after=last.retry_after
            )
        raise last

    def _attempt(
        self, client: httpx.Client, body: bytes, secret: str, key: str, tp: TouchPoint
    ) -> str | SendError:
        """One POST: the external reference, or the error to retry or raise."""
        timestamp = str(int(self._clock().timestamp()))
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": key,
            "X-Curator-Timestamp": timestamp,
            "X-Curator-Signature": sign(secret, timestamp, body),
        }
        where = f"The webhook at {self.url}"
        try:
            with client.stream("POST", self.url, content=body, headers=headers) as response:
                # The status decides; the body only may carry an id. Read a bounded
                # amount for a bounded time, so a dripping receiver cannot hold the post.
                answer = bytearray()
                deadline = time.monotonic() + self.timeout
                for chunk in response.iter_bytes():
                    answer += chunk[: MAX_RESPONSE_BYTES - len(answer)]
                    if len(answer) >= MAX_RESPONSE_BYTES or time.monotonic() > deadline:
                        break
                status = response.status_code
                retry_after_header = response.headers.get("retry-after", "")
                server_date = response.headers.get("date", "")
                location = response.headers.get("location", "")
        except httpx.TimeoutException:
            return SendError(f"{where} did not answer within {self.timeout:g} s.", retryable=True)
        except httpx.UnsupportedProtocol:
            return ConnectorConfigError(
                f"The webhook address {self.url} of touch point “{tp.name}” must start with "
                f"https:// (or http://): fix it in {WHERE}."
            )
        except (httpx.HTTPError, OSError) as exc:
            root = _root_cause(exc)
            if isinstance(root, ssl.SSLCertVerificationError):
                return SendError(
                    f"{where} has a certificate Curator cannot trust ({root.verify_message}): "
                    f"check the address in {WHERE}.",
                    retryable=False,
                )
            if isinstance(root, socket.gaierror):
                return SendError(
                    f"The server name of the webhook {self.url} could not be found: check the address "
                    "and the network connection.",
                    retryable=True,
                )
            reason = "the connection was refused" if isinstance(root, ConnectionRefusedError) else str(root)
            return SendError(f"Curator could not reach the webhook at {self.url}: {reason}.", retryable=True)

        if 200 <= status < 300:
            return self._reference(bytes(answer), status)
        label = _status_label(status)
        if 300 <= status < 400:
            target = f" to {location}" if location else ""
            return SendError(
                f"{where} answered {label} (a redirect{target}): put the final address in {WHERE}.",
                retryable=False,
            )
        if status in (408, 429) or status >= 500:
            wait: float | None = None
            if retry_after_header:
                now = self._clock()
                when = parse_retry_after(retry_after_header, now, server_date)
                if when is not None:
                    wait = max(0.0, (when - now).total_seconds())
            return SendError(f"{where} answered {label}.", retryable=True, retry_after=wait)
        if status in (401, 403):
            advice = f"check the webhook secret in {WHERE}."
        elif status in (404, 405, 410):
            advice = f"check the webhook address in {WHERE}."
        elif status == 413:
            advice = "the post is larger than the receiver accepts."
        else:
            detail = bytes(answer[:200]).decode("utf-8", "replace").strip()
            advice = "the receiver refused the post" + (f" ({detail})." if detail else ".")
        return SendError(f"{where} answered {label}: {advice}", retryable=False)

    @staticmethod
    def _reference(answer: bytes, status: int) -> str:
        """The receiver's id for the post when it gave one, else the status."""
        try:
            parsed = orjson.loads(answer) if answer else None
        except orjson.JSONDecodeError:
            parsed = None
        if isinstance(parsed, dict) and isinstance(parsed.get("id"), str | int):
            return str(parsed["id"])[:200]
        return f"HTTP {status}"


# --------------------------------------------------------------------------- e-mail


class _TrackingSMTP(smtplib.SMTP):
    """Notes when the message body starts to travel: after that, a broken line is ambiguous."""

    data_started = False

    def connect(
        self, host: str = "localhost", port: int = 0, source_address: Any = None
    ) -> tuple[int, bytes]:
        # smtplib remembers the host for STARTTLS's certificate check only when it
        # is given to the constructor, which would connect before we can clean up.
        self._host = host
        return super().connect(host, port, source_address)

    def data(self, msg: ReadableBuffer | str) -> tuple[int, bytes]:
        self.data_started = True
        return super().data(msg)


def _smtp_code_error(code: int, text: bytes | str, where: str, what: str) -> SendError:
    reply = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    reply = " ".join(reply.split())[:200]
    if 400 <= code < 500:
        return SendError(f"{where} answered {code} ({reply}) to {what}: a passing problem.", retryable=True)
    return SendError(
        f"{where} refused {what} with {code} ({reply}): check the addresses and the message.",
        retryable=False,
    )


class EmailConnector(Connector):
    """Sends the post as one e-mail (plain text and HTML) through an SMTP server.

    Not idempotent: once the server accepted a message it cannot be taken
    back, so the runner never resends after a crash. The Message-ID is
    derived from the idempotency key, so a receiving system (a list manager,
    an archive) can still recognise a duplicate a person sent on purpose.
    """

    kind = ConnectorKind.EMAIL
    idempotent = False

    def __init__(
        self,
        *,
        host: str,
        sender: str,
        recipients: list[str],
        port: int = 587,
        username: str = "",
        password: Callable[[], str] | None = None,
        starttls: bool = True,
        cafile: str = "",
        timeout: float = 30.0,
        clock: Clock = utcnow,
    ) -> None:
        """Create an e-mail connector.

        Args:
            host: the SMTP server.
            sender: the From address.
            recipients: the To addresses (a newsletter's list address).
            port: the SMTP port; 587 is submission with STARTTLS.
            username: log in with this name when set.
            password: returns the password; called at send time, only when
                ``username`` is set.
            starttls: upgrade to TLS before anything else is said.
            cafile: a CA bundle to trust instead of the system's (a server
                with a private certificate authority).
            timeout: seconds per network operation.
            clock: the Date header's time.
        """
        self.host = host
        self.port = port
        self.sender = sender
        self.recipients = recipients
        self.username = username
        self._password = password
        self.starttls = starttls
        self.cafile = cafile
        self.timeout = timeout
        self._clock = clock

    def message(self, post: ScheduledPost, tp: TouchPoint, idempotency_key: str) -> EmailMessage:
        """The message for a post: plain text (the Markdown) plus rendered HTML."""
        domain = parseaddr(self.sender)[1].rpartition("@")[2] or "curator.invalid"
        msg = EmailMessage()
        msg["Subject"] = post.title or tp.name
        msg["From"] = self.sender
        msg["To"] = ", ".join(self.recipients)
        msg["Date"] = format_datetime(self._clock().astimezone(UTC), usegmt=True)
        # Not email.utils.make_msgid: its time and random parts would give each
        # try a new id and defeat duplicate detection downstream.
        msg["Message-ID"] = f"<curator.{idempotency_key[:40]}@{domain}>"
        msg["X-Curator-Post-Id"] = post.id
        msg.set_content(post.text or post.title)
        title = nh3.clean(post.title, tags=set())
        msg.add_alternative(
            '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
            f"<title>{title}</title></head>\n<body>\n{markdown_to_html(post.text)}</body></html>\n",
            subtype="html",
        )
        return msg

    def send(self, post: ScheduledPost, tp: TouchPoint, *, idempotency_key: str) -> str:
        where = f"The mail server {self.host}:{self.port}"
        password = ""
        if self.username:
            if not self.starttls and not _is_loopback(self.host):
                raise ConnectorConfigError(
                    f"Touch point “{tp.name}” would send its SMTP password to {self.host} without "
                    f"encryption: turn STARTTLS on in {WHERE} (only a server on this machine may go "
                    "without it)."
                )
            try:
                password = self._password() if self._password else ""
            except SecretError as exc:
                raise SendError(str(exc), retryable=False) from exc
        msg = self.message(post, tp, idempotency_key)
        smtp: _TrackingSMTP | None = None
        try:
            smtp = _TrackingSMTP(timeout=self.timeout)
            smtp.connect(self.host, self.port)
            smtp.ehlo()
            if self.starttls:
                context = ssl.create_default_context(cafile=self.cafile or None)
                smtp.starttls(context=context)
                smtp.ehlo()
            if self.username:
                smtp.login(self.username, password)
            refused = smtp.send_message(msg)
        except smtplib.SMTPAuthenticationError as exc:
            raise SendError(
                f"{where} refused the user name or password ({exc.smtp_code}): check the SMTP user "
                f"and password of touch point “{tp.name}” in {WHERE}.",
                retryable=False,
            ) from exc
        except smtplib.SMTPNotSupportedError as exc:
            raise SendError(
                f"{where} does not offer what Curator needs ({exc}): ask its administrator, "
                f"or change the settings in {WHERE}.",
                retryable=False,
            ) from exc
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _text in exc.recipients.values()]
            first = next(iter(exc.recipients.values()), (550, b""))
            error = _smtp_code_error(first[0], first[1], where, "the recipients")
            raise SendError(str(error), retryable=all(400 <= c < 500 for c in codes)) from exc
        except smtplib.SMTPSenderRefused as exc:
            raise _smtp_code_error(exc.smtp_code, exc.smtp_error, where, f"the sender {self.sender}") from exc
        except smtplib.SMTPResponseException as exc:
            raise _smtp_code_error(exc.smtp_code, exc.smtp_error, where, "the message") from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise self._connection_error(exc, smtp, where) from exc
        finally:
            if smtp is not None:
                try:
                    if smtp.sock is not None:
                        smtp.quit()
                except (smtplib.SMTPException, OSError):
                    pass  # the message is out (or the error above says why not)
                finally:
                    smtp.close()
        message_id = str(msg["Message-ID"])
        if refused:
            return f"{message_id} (refused: {', '.join(sorted(refused))})"
        return message_id

    def _connection_error(self, exc: BaseException, smtp: _TrackingSMTP | None, where: str) -> SendError:
        root = _root_cause(exc)
        if isinstance(root, ssl.SSLCertVerificationError):
            return SendError(
                f"{where} has a certificate Curator cannot trust ({root.verify_message}): check the host "
                f"name, or give the file of its certificate authority as cafile in {WHERE}.",
                retryable=False,
            )
        if smtp is not None and smtp.data_started:
            return SendError(
                f"The connection to {where[4:]} broke while it was receiving the message ({root}); it may "
                "or may not have gone out. Check the recipients' inbox, then mark the post published or "
                "retry it.",
                retryable=False,
            )
        if isinstance(root, socket.gaierror):
            return SendError(
                f"The mail server name {self.host} could not be found: check it in {WHERE} and the "
                "network connection.",
                retryable=True,
            )
        if isinstance(root, TimeoutError | socket.timeout):
            return SendError(f"{where} did not answer within {self.timeout:g} s.", retryable=True)
        if isinstance(root, ConnectionRefusedError):
            return SendError(f"{where} refused the connection: it may be down.", retryable=True)
        return SendError(f"The connection to {where[4:]} failed ({root}).", retryable=True)


# --------------------------------------------------------------------------- factory


def _email_from_options(tp: TouchPoint, secrets: SecretStore, clock: Clock) -> EmailConnector:
    host = _required(tp, "host", "mail server (host)")
    sender = _required(tp, "from", "sender address (from)")
    if "@" not in parseaddr(sender)[1]:
        raise ConnectorConfigError(
            f"The sender address “{sender}” of touch point “{tp.name}” is not an e-mail address: "
            f"fix it in {WHERE}."
        )
    recipients = [addr for _name, addr in getaddresses([_required(tp, "to", "recipients (to)")]) if addr]
    bad = [addr for addr in recipients if "@" not in addr]
    if not recipients or bad:
        raise ConnectorConfigError(
            f"The recipients of touch point “{tp.name}” must be e-mail addresses separated by commas"
            + (f" (not “{bad[0]}”)" if bad else "")
            + f": fix them in {WHERE}."
        )
    username = _option(tp, "username")
    return EmailConnector(
        host=host,
        port=int(_number(tp, "port", 587, "SMTP port")),
        sender=sender,
        recipients=recipients,
        username=username,
        password=(lambda: secrets.require(tp, SMTP_PASSWORD)) if username else None,
        starttls=_yes(tp, "starttls", True),
        cafile=_option(tp, "cafile"),
        timeout=_number(tp, "timeout", 30.0, "SMTP timeout"),
        clock=clock,
    )


def connector_for(
    tp: TouchPoint,
    secrets: SecretStore,
    *,
    clock: Clock = utcnow,
    sleep: Sleep = time.sleep,
    base: Path | None = None,
) -> Connector | None:
    """The connector a touch point is set up with, or None when it publishes by hand.

    ``base`` is the workspace folder: relative outbox and feed folders lie in it.

    Secrets are not read here but at send time, so a missing one fails that
    post with a sentence saying where to set it.

    Raises:
        ConnectorConfigError: an option is missing or wrong; the sentence
            names it and where to fix it.
    """
    kind = tp.connector.kind
    if kind == ConnectorKind.NONE:
        return None
    if kind == ConnectorKind.OUTBOX:
        return OutboxConnector(_folder(tp, base))
    if kind == ConnectorKind.WEBHOOK:
        url = _required(tp, "url", "address (url)")
        if not url.lower().startswith(("https://", "http://")):
            raise ConnectorConfigError(
                f"The webhook address “{url}” of touch point “{tp.name}” must start with https:// "
                f"(or http://): fix it in {WHERE}."
            )
        return WebhookConnector(
            url,
            lambda: secrets.require(tp, WEBHOOK_SECRET),
            timeout=_number(tp, "timeout", 10.0, "webhook timeout"),
            attempts=int(_number(tp, "attempts", 4, "number of webhook attempts")),
            clock=clock,
            sleep=sleep,
        )
    if kind == ConnectorKind.EMAIL:
        return _email_from_options(tp, secrets, clock)
    if kind == ConnectorKind.STATIC_FEED:
        # Imported here: feeds builds on this module (SendError, Connector, Markdown).
        from curator.publish.feeds import StaticFeedConnector

        return StaticFeedConnector(
            _folder(tp, base),
            site_url=_required(tp, "site_url", "site address (site_url)"),
            title=_option(tp, "title", tp.name),
        )
    raise ConnectorConfigError(
        f"Touch point “{tp.name}” uses a connector this version of Curator does not know ({kind}): "
        "update Curator or choose another connector."
    )
