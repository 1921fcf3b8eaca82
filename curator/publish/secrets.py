"""Connector secrets (SMTP passwords, webhook signing secrets) in the system keyring.

Workspace files are shared with the team, copied into backups and sometimes
synced to other machines, so a secret must never be written there: it lives
in the user's keyring (GNOME Keyring, KWallet, macOS Keychain... through the
``keyring`` library), which encrypts it and unlocks it with the session.

Keyring entries use the service name ``curator`` and the user name
``touchpoint:<touch point id>:<secret name>``. Touch point ids are random
128-bit identifiers, so they are unique across workspaces without a
workspace part; a restored copy of a workspace keeps finding its secrets,
which is what a restore should do.

Where no keyring exists (a minimal desktop, a server run from cron), Curator
says so (:meth:`SecretStore.available`) and the front end asks for the
secret each time, handing it over for one session only
(:meth:`SecretStore.remember_for_session`); it is then kept in memory and
never stored.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

import keyring
import keyring.backend
import keyring.backends.chainer
import keyring.backends.fail
import keyring.backends.null
import keyring.errors

from curator.domain import ConnectorKind, TouchPoint
from curator.errors import CuratorError

SERVICE = "curator"
#: The webhook's HMAC signing secret (shared with the receiver).
WEBHOOK_SECRET = "webhook_secret"
#: The SMTP login password of an e-mail touch point.
SMTP_PASSWORD = "smtp_password"

_LABELS = {WEBHOOK_SECRET: "webhook secret", SMTP_PASSWORD: "SMTP password"}

NO_KEYRING = (
    "No system keyring is available (install and unlock GNOME Keyring or KWallet): "
    "Curator will ask for the password each time and will not store it."
)


class SecretError(CuratorError):
    """Base of the secret problems a user must act on."""


class MissingSecret(SecretError):
    """A connector needs a secret that was never set.

    Attributes:
        touchpoint_id: whose secret is missing.
        name: which secret (:data:`WEBHOOK_SECRET`, :data:`SMTP_PASSWORD`).
    """

    def __init__(self, message: str, *, touchpoint_id: str, name: str) -> None:
        super().__init__(message)
        self.touchpoint_id = touchpoint_id
        self.name = name


class KeyringUnavailable(SecretError):
    """The keyring exists but refused to answer (locked, or its service crashed)."""


def secret_label(name: str) -> str:
    """The words a user sees for a secret name ("SMTP password")."""
    return _LABELS.get(name, name.replace("_", " "))


def secrets_needed(tp: TouchPoint) -> list[str]:
    """The secret names a touch point's connector needs, so a front end can ask for them.

    A webhook always signs, so it always needs its secret; an e-mail touch
    point needs a password only when it logs in (``username`` set).
    """
    kind = tp.connector.kind
    if kind == ConnectorKind.WEBHOOK:
        return [WEBHOOK_SECRET]
    if kind == ConnectorKind.EMAIL and tp.connector.options.get("username", "").strip():
        return [SMTP_PASSWORD]
    return []


def _usable(backend: keyring.backend.KeyringBackend) -> bool:
    if isinstance(backend, keyring.backends.fail.Keyring | keyring.backends.null.Keyring):
        return False
    if isinstance(backend, keyring.backends.chainer.ChainerBackend):
        return any(_usable(inner) for inner in backend.backends)
    return True


class SecretStore:
    """Reads and writes connector secrets; session secrets first, then the keyring.

    Thread-safe: the publish runner reads secrets from a worker thread while
    the UI may set them.
    """

    def __init__(
        self, session_secrets: Mapping[tuple[str, str], str] | None = None, *, service: str = SERVICE
    ) -> None:
        """Create a store.

        Args:
            session_secrets: secrets typed in for this session only, keyed by
                ``(touch point id, secret name)``; they win over the keyring
                and are never stored.
            service: the keyring service name (tests may use their own).
        """
        self._service = service
        self._session: dict[tuple[str, str], str] = dict(session_secrets or {})
        self._lock = threading.Lock()

    @staticmethod
    def key(touchpoint_id: str, name: str) -> str:
        """The keyring user name of one secret (see the module docstring)."""
        return f"touchpoint:{touchpoint_id}:{name}"

    @staticmethod
    def available() -> tuple[bool, str]:
        """Whether a real keyring can store secrets, and if not, a sentence saying so.

        The ``fail`` backend, the ``null`` backend and a chainer with nothing
        to chain all mean "nowhere to keep a secret": the front end should
        then ask each time and pass the answer to
        :meth:`remember_for_session`.
        """
        try:
            backend = keyring.get_keyring()
        except Exception:  # keyring's own detection failed: same as having none
            return False, NO_KEYRING
        if not _usable(backend):
            return False, NO_KEYRING
        return True, ""

    def remember_for_session(self, touchpoint_id: str, name: str, value: str) -> None:
        """Keep a secret in memory for this process only (no keyring, or not saved on purpose)."""
        with self._lock:
            self._session[(touchpoint_id, name)] = value

    def get(self, touchpoint_id: str, name: str) -> str | None:
        """The secret, or None when it was never set.

        Raises:
            KeyringUnavailable: the keyring is locked or broken; the sentence
                says to unlock it or to type the secret for this session.
        """
        with self._lock:
            if (touchpoint_id, name) in self._session:
                return self._session[(touchpoint_id, name)]
        if not self.available()[0]:
            return None
        try:
            return keyring.get_password(self._service, self.key(touchpoint_id, name))
        except keyring.errors.KeyringError as exc:
            raise KeyringUnavailable(
                f"The system keyring could not be read ({exc or type(exc).__name__}): unlock it "
                f"(log out and in again if it stays locked), or enter the {secret_label(name)} "
                "for this session when Curator asks."
            ) from exc

    def require(self, tp: TouchPoint, name: str) -> str:
        """The secret a connector cannot work without.

        Raises:
            MissingSecret: it was never set; the sentence names it and where to set it.
            KeyringUnavailable: the keyring is locked or broken.
        """
        value = self.get(tp.id, name)
        if value:
            return value
        label = secret_label(name)
        ok, why = self.available()
        if ok:
            where = f"set it in Settings › Touch points › {tp.name}"
        else:
            where = (
                f"{why.rstrip('.')}; enter it when Curator asks, "
                "or give it to `curator publish-due` when it prompts"
            )
        raise MissingSecret(
            f"The {label} of touch point “{tp.name}” is not set: {where}.", touchpoint_id=tp.id, name=name
        )

    def set(self, touchpoint_id: str, name: str, value: str) -> None:
        """Store a secret in the keyring (and drop any session copy).

        Raises:
            KeyringUnavailable: there is no keyring, or it refused the write.
        """
        ok, why = self.available()
        if not ok:
            raise KeyringUnavailable(why)
        try:
            keyring.set_password(self._service, self.key(touchpoint_id, name), value)
        except keyring.errors.KeyringError as exc:
            raise KeyringUnavailable(
                f"The system keyring refused to store the {secret_label(name)} "
                f"({exc or type(exc).__name__}): unlock it and try again."
            ) from exc
        with self._lock:
            self._session.pop((touchpoint_id, name), None)

    def delete(self, touchpoint_id: str, name: str) -> None:
        """Forget a secret everywhere; deleting one that is not there is not an error."""
        with self._lock:
            self._session.pop((touchpoint_id, name), None)
        if not self.available()[0]:
            return
        try:
            keyring.delete_password(self._service, self.key(touchpoint_id, name))
        except keyring.errors.PasswordDeleteError:
            pass  # not there: already forgotten
        except keyring.errors.KeyringError as exc:
            raise KeyringUnavailable(
                f"The system keyring refused to delete the {secret_label(name)} "
                f"({exc or type(exc).__name__}): unlock it and try again."
            ) from exc
