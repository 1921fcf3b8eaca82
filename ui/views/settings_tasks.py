"""Worker side of the Settings page: read the shared settings, save each change through its service.

Every function here runs in the TaskRunner's pool (workspace reads and
writes are disk work; the keyring may block) and never touches a widget.
Writes go through the core services, which check the acting member's role
and write the audit log, so the page cannot do what the CLI would refuse.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from curator.domain import TouchPoint, TouchPointKind, User
from curator.editorial.brand import BrandGuide
from curator.editorial.workflow import EditorialConfig
from curator.identity import TeamConfig
from curator.progress import Progress
from curator.publish.secrets import SecretStore, secret_label
from curator.settings import REGISTRY, Settings
from curator.triage.targets import ResponseTargets


@dataclass
class WorkspaceSnapshot:
    """What the workspace sections show, read in one go."""

    brand: BrandGuide
    editorial: EditorialConfig
    targets: ResponseTargets
    team: TeamConfig
    members: list[User] = field(default_factory=list)
    touchpoints: list[TouchPoint] = field(default_factory=list)


def load_snapshot(progress: Progress, workspace: Any) -> WorkspaceSnapshot:
    """Read the brand guide, approval steps, targets, team settings, members and touch points."""
    from curator.editorial.service import EditorialService
    from curator.team import TEAM_KEY
    from curator.triage.targets import TARGETS_KEY

    progress.start(None, "Reading the workspace settings")
    editorial = EditorialService(workspace)
    return WorkspaceSnapshot(
        brand=editorial.brand_guide(),
        editorial=editorial.config(),
        targets=workspace.config.get_or_default(TARGETS_KEY, ResponseTargets),
        team=workspace.config.get_or_default(TEAM_KEY, TeamConfig),
        members=sorted(workspace.users.list(), key=lambda u: u.name.casefold()),
        touchpoints=workspace.touchpoints.list(),
    )


# --------------------------------------------------------------------------- per-user settings
def save_user_settings(progress: Progress, path: Path, values: dict[str, Any]) -> list[str]:
    """Save ``values`` into the settings file at ``path``; returns the keys whose value changed.

    A value equal to its default is stored as "not set", so a later change
    of the default reaches users who never chose otherwise.

    Raises:
        SettingsError: a value does not fit (the page validates first; this is the last word).
        OSError: the file could not be written.
    """
    progress.start(None, "Saving your settings")
    settings = Settings(path)
    changed = [key for key, value in values.items() if settings.get(key) != value]
    for key, value in values.items():
        if value == REGISTRY[key].default:
            settings.reset(key)
        else:
            settings.set(key, value)
    settings.save()
    return changed


# --------------------------------------------------------------------------- workspace settings
def save_brand_guide(progress: Progress, workspace: Any, who: User, guide: BrandGuide) -> str:
    """Save the brand guide (admins; validated and audited by the service)."""
    from curator.editorial.service import EditorialService

    progress.start(None, "Saving the brand guide")
    EditorialService(workspace).save_brand_guide(who, guide)
    return "Saved the brand guide; drafts are checked against it from now on."


def save_approval_steps(progress: Progress, workspace: Any, who: User, config: EditorialConfig) -> str:
    """Save the approval steps (admins; audited by the service)."""
    from curator.editorial.service import EditorialService

    progress.start(None, "Saving the approval steps")
    EditorialService(workspace).save_config(who, config)
    count = len(config.approval_steps)
    return f"Saved the approval steps; drafts now need {count} approval{'' if count == 1 else 's'}."


def save_targets(progress: Progress, workspace: Any, who: User, targets: ResponseTargets) -> str:
    """Save the response targets (admins); every open conversation's due time follows."""
    from curator.triage.service import DeskService

    progress.start(None, "Saving the response targets")
    DeskService(workspace).save_targets(targets, who)
    return "Saved the response targets; every open conversation's timer follows them."


def add_touchpoint(
    progress: Progress,
    workspace: Any,
    who: User,
    name: str,
    kind: TouchPointKind,
    timezone: str,
    fields: dict[str, Any],
) -> TouchPoint:
    """Add a touch point with its slots, limits and connector in one audited change."""
    from curator.touchpoint_admin import TouchPointAdmin

    progress.start(None, f"Adding {name}")
    return TouchPointAdmin(workspace).add(who, name, kind, timezone, **fields)


def update_touchpoint(
    progress: Progress, workspace: Any, who: User, tp_id: str, fields: dict[str, Any]
) -> TouchPoint:
    """Change the fields given (the others stay), audited."""
    from curator.touchpoint_admin import TouchPointAdmin

    progress.start(None, "Saving the touch point")
    return TouchPointAdmin(workspace).update(who, tp_id, **fields)


def remove_touchpoint(progress: Progress, workspace: Any, who: User, tp_id: str, name: str) -> str:
    """Remove a touch point (refused while posts still wait to go out on it)."""
    from curator.touchpoint_admin import TouchPointAdmin

    progress.start(None, f"Removing {name}")
    TouchPointAdmin(workspace).remove(who, tp_id)
    return f"Removed the touch point “{name}”."


def set_secret(
    progress: Progress, store: SecretStore, who: User, tp: TouchPoint, name: str, value: str
) -> str:
    """Keep a connector secret in the system keyring (admins only, as in the CLI)."""
    from curator.domain import Role
    from curator.identity import require

    require(who, Role.ADMIN, "set connector secrets")
    progress.start(None, "Saving the secret in the system keyring")
    store.set(tp.id, name, value)
    return f"Saved the {secret_label(name)} of “{tp.name}” in the system keyring."
