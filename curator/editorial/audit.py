"""The append-only, hash-chained audit log of the editorial line.

Every workflow transition, approval and waiver is one entry. Each entry's
hash covers its content and the previous entry's hash, and the newest hash
is kept apart (config key ``audit_head``), so a changed, inserted or removed
entry, including the last one, breaks the chain and :func:`verify` names it.
This detects tampering with the files; it cannot stop someone who rewrites
the whole chain and its head, which would need a signature key held outside
the workspace.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import orjson

from curator.codec import to_doc
from curator.domain import AuditEntry, utcnow
from curator.store.interfaces import ConfigRepositoryProtocol, Repository

GENESIS = "0" * 64
CSV_COLUMNS = [
    "seq",
    "at",
    "user_id",
    "action",
    "subject_id",
    "version_hash",
    "from_status",
    "to_status",
    "reason",
    "prev_hash",
    "hash",
]


@dataclass
class AuditHead:
    """The newest entry's number and hash, kept apart from the entries."""

    seq: int = 0
    hash: str = GENESIS


def entry_hash(entry: AuditEntry) -> str:
    """SHA-256 over the entry's canonical JSON (without its own hash) and the previous hash."""
    doc = to_doc(entry)
    doc.pop("hash", None)
    doc.pop("id", None)
    payload = orjson.dumps(doc, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(entry.prev_hash.encode() + b"\n" + payload).hexdigest()


class AuditLog:
    """Appends and verifies entries; call :meth:`append` inside the caller's transaction."""

    def __init__(
        self,
        entries: Repository[AuditEntry],
        config: ConfigRepositoryProtocol,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._entries = entries
        self._config = config
        self._clock = clock

    def append(
        self,
        *,
        user_id: str,
        action: str,
        subject_id: str,
        version_hash: str = "",
        from_status: str = "",
        to_status: str = "",
        reason: str = "",
    ) -> AuditEntry:
        """Add one entry after the head.

        The caller holds the workspace transaction, so the head read here is
        the newest across processes and no two writers chain to the same one.
        """
        head = self._config.get_or_default("audit_head", AuditHead)
        entry = AuditEntry(
            seq=head.seq + 1,
            at=self._clock(),
            user_id=user_id,
            action=action,
            subject_id=subject_id,
            version_hash=version_hash,
            from_status=from_status,
            to_status=to_status,
            reason=reason,
            prev_hash=head.hash,
        )
        entry.hash = entry_hash(entry)
        self._entries.save(entry)
        self._config.put("audit_head", AuditHead(seq=entry.seq, hash=entry.hash))
        return entry

    def entries(self, subject_id: str | None = None) -> list[AuditEntry]:
        """Entries in order, all or those about one record."""
        found = sorted(self._entries.list(), key=lambda e: e.seq)
        return [e for e in found if subject_id is None or e.subject_id == subject_id]

    def verify(self) -> list[str]:
        """Sentences naming every break in the chain; empty when the log is whole."""
        problems: list[str] = []
        prev = GENESIS
        expected_seq = 1
        for entry in self.entries():
            if entry.seq != expected_seq:
                problems.append(
                    f"Audit entry {expected_seq} is missing (the next one found is {entry.seq})."
                    if entry.seq > expected_seq
                    else f"Audit entry {entry.seq} appears twice."
                )
            if entry.prev_hash != prev:
                problems.append(
                    f"Audit entry {entry.seq} does not follow the entry before it: it was altered."
                )
            if entry_hash(entry) != entry.hash:
                problems.append(f"Audit entry {entry.seq} ({entry.action}) was changed after it was written.")
            prev = entry.hash
            expected_seq = entry.seq + 1
        head = self._config.get_or_default("audit_head", AuditHead)
        if head.seq != expected_seq - 1 or head.hash != prev:
            problems.append(
                f"The audit log ends at entry {expected_seq - 1} but {head.seq} were written: "
                "entries at the end were removed."
            )
        return problems

    def export_csv(self, subject_id: str | None = None) -> str:
        """The log as CSV (UTF-8 text), one row per entry, with the hashes for outside checks."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        for entry in self.entries(subject_id):
            doc = to_doc(entry)
            writer.writerow([doc[c] for c in CSV_COLUMNS])
        return out.getvalue()
