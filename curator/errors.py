"""Typed core exceptions, each carrying a sentence a user can act on.

The UI and the CLI show ``str(error)`` as it is, so every message names what
happened and what to do next; no front end has to translate exception types.
"""

from __future__ import annotations


class CuratorError(Exception):
    """Base of every error the core raises on purpose."""


class WorkspaceError(CuratorError):
    """The workspace folder cannot be used as asked."""


class NotAWorkspace(WorkspaceError):
    """The folder holds no Curator workspace."""


class WorkspaceBusy(WorkspaceError):
    """Another process held the write lock for longer than we may wait."""


class WorkspaceReadOnly(WorkspaceError):
    """A write was attempted on a workspace opened read-only."""


class SchemaTooNew(WorkspaceError):
    """The workspace was written by a newer Curator."""


class CorruptWorkspace(WorkspaceError):
    """A stored file cannot be read back."""


class Cancelled(CuratorError):
    """The user cancelled a long-running task."""

    def __init__(self, message: str = "Cancelled.") -> None:
        super().__init__(message)


class PermissionDenied(CuratorError):
    """The acting person's roles do not allow what they asked for (the core enforces it)."""


class InvalidTransition(CuratorError):
    """A workflow step that does not apply to the record's current state."""


class NotFound(CuratorError):
    """A record named by the user does not exist (any more)."""
