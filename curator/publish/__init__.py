"""Publishing: connectors per touch point, their secrets, static feeds and the due-post runner.

Core only (no Qt). The app runs :class:`PublishRunner` on a timer in a worker
thread; ``curator publish-due`` calls :func:`publish_due` once.
"""

from curator.publish.connectors import (
    Connector,
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
from curator.publish.runner import (
    JournalEntry,
    JournalState,
    PublishRunner,
    PublishStateError,
    RetryPolicy,
    RunReport,
    idempotency_key,
    publish_due,
)
from curator.publish.secrets import (
    SMTP_PASSWORD,
    WEBHOOK_SECRET,
    KeyringUnavailable,
    MissingSecret,
    SecretError,
    SecretStore,
    secrets_needed,
)

__all__ = [
    "SMTP_PASSWORD",
    "WEBHOOK_SECRET",
    "Connector",
    "ConnectorConfigError",
    "EmailConnector",
    "JournalEntry",
    "JournalState",
    "KeyringUnavailable",
    "MissingSecret",
    "OutboxConnector",
    "PublishRunner",
    "PublishStateError",
    "RetryPolicy",
    "RunReport",
    "SecretError",
    "SecretStore",
    "SendError",
    "StaticFeedConnector",
    "WebhookConnector",
    "connector_for",
    "idempotency_key",
    "post_document",
    "publish_due",
    "secrets_needed",
    "sign",
    "verify_signature",
    "write_static_feeds",
]
