r"""The workspace journal: an append-only write-ahead log shared by processes.

Every committed transaction is one line, ``<crc32 hex> <json>\n``, appended
and fdatasync'ed before the commit returns; that is what makes a single
update durable in a few milliseconds instead of rewriting a partition file.
Partition files are rewritten later, in batches, by a checkpoint. Other
processes read the lines they have not seen yet to catch up with each other.

A line that is cut short (a writer killed mid-append) or fails its checksum
ends the valid part of the journal: it never reached the committed state,
because the commit returns only after the whole line is on disk.
"""

from __future__ import annotations

import os
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

# One operation: (table, partition, doc id, document or None for a delete).
Op = tuple[str, str, str, dict[str, Any] | None]


@dataclass
class JournalRead:
    """What :meth:`Journal.read_from` found."""

    batches: list[list[Op]]
    end: int  # offset just past the last valid line
    torn: bool  # bytes after ``end`` that are not a valid line


def encode_batch(ops: list[Op]) -> bytes:
    payload = orjson.dumps([list(op) for op in ops])
    return b"%08x " % zlib.crc32(payload) + payload + b"\n"


def _decode_line(line: bytes) -> list[Op] | None:
    if len(line) < 10 or line[8:9] != b" ":
        return None
    payload = line[9:]
    try:
        if int(line[:8], 16) != zlib.crc32(payload):
            return None
        raw = orjson.loads(payload)
    except (ValueError, orjson.JSONDecodeError):
        return None
    return [(str(t), str(p), str(i), d) for t, p, i, d in raw]


class Journal:
    """Appends batches and reads them back; locking is the caller's job."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def size(self) -> int:
        try:
            return self.path.stat().st_size
        except FileNotFoundError:
            return 0

    def read_from(self, offset: int) -> JournalRead:
        try:
            with open(self.path, "rb") as f:
                f.seek(offset)
                data = f.read()
        except FileNotFoundError:
            return JournalRead([], 0, False)
        batches: list[list[Op]] = []
        pos = 0
        while pos < len(data):
            newline = data.find(b"\n", pos)
            if newline < 0:
                break
            ops = _decode_line(data[pos:newline])
            if ops is None:
                break
            batches.append(ops)
            pos = newline + 1
        return JournalRead(batches, offset + pos, pos < len(data))

    def append(self, ops: list[Op], expected_size: int) -> int:
        """Append one batch durably; returns the journal's new size.

        ``expected_size`` is where the valid journal ends: anything after it
        (a torn line of a killed writer) is cut off first, so the new line
        never glues onto garbage.
        """
        line = encode_batch(ops)
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o644)
        try:
            if os.fstat(fd).st_size != expected_size:
                os.ftruncate(fd, expected_size)
            os.lseek(fd, expected_size, os.SEEK_SET)
            view = memoryview(line)
            while view:
                view = view[os.write(fd, view) :]
            os.fdatasync(fd)
        finally:
            os.close(fd)
        return expected_size + len(line)

    def reset(self) -> None:
        """Empty the journal after a checkpoint made its content redundant."""
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o644)
        try:
            os.ftruncate(fd, 0)
            os.fsync(fd)
        finally:
            os.close(fd)
