"""The editorial workflow as an explicit state machine.

::

    draft ──submit──▶ in review ──approve (every step)──▶ approved ──schedule──▶ scheduled ──▶ published
      ▲                 │   ▲                              │   ▲                     │
      │        request changes  └──── edit after approval ─┘   └──── unschedule ─────┤
      │                 ▼                                                         fail ▼
      └──────── changes requested                                              failed ──retry──▶ scheduled
    any state but published ──archive──▶ archived ──restore──▶ draft

Each action names the states it starts from, the state it leads to and the
role it needs; :func:`check` is the one place that decides, and the service
calls it for every change, so the CLI and the UI cannot bypass it. Editing
content is not an action here: it is allowed in the states of
:data:`EDITABLE`, and an edit of an approved or scheduled draft sends it back
to review (the approval was for other words).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from curator.domain import DraftStatus, Role, User
from curator.errors import InvalidTransition
from curator.identity import require

S = DraftStatus


@dataclass(frozen=True)
class Action:
    """A workflow step: where it may start, where it leads, who may take it."""

    name: str
    label: str
    sources: frozenset[DraftStatus]
    target: DraftStatus
    role: Role
    needs_reason: bool = False


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in [
        Action(
            "submit", "Submit for review", frozenset({S.DRAFT, S.CHANGES_REQUESTED}), S.IN_REVIEW, Role.EDITOR
        ),
        # ``approve`` moves to APPROVED only once every approval step has passed
        # for the current version; until then it stays IN_REVIEW (the service decides).
        Action("approve", "Approve", frozenset({S.IN_REVIEW}), S.APPROVED, Role.APPROVER),
        Action(
            "request_changes",
            "Request changes",
            frozenset({S.IN_REVIEW, S.APPROVED}),
            S.CHANGES_REQUESTED,
            Role.APPROVER,
            needs_reason=True,
        ),
        Action("schedule", "Schedule", frozenset({S.APPROVED, S.SCHEDULED}), S.SCHEDULED, Role.SCHEDULER),
        Action("unschedule", "Unschedule", frozenset({S.SCHEDULED}), S.APPROVED, Role.SCHEDULER),
        Action("publish", "Mark published", frozenset({S.SCHEDULED, S.FAILED}), S.PUBLISHED, Role.SCHEDULER),
        Action("fail", "Mark failed", frozenset({S.SCHEDULED}), S.FAILED, Role.SCHEDULER, needs_reason=True),
        Action("retry", "Retry publishing", frozenset({S.FAILED}), S.SCHEDULED, Role.SCHEDULER),
        Action(
            "archive",
            "Archive",
            frozenset(set(S) - {S.PUBLISHED, S.ARCHIVED}),
            S.ARCHIVED,
            Role.EDITOR,
            needs_reason=True,
        ),
        Action("restore", "Restore from archive", frozenset({S.ARCHIVED}), S.DRAFT, Role.EDITOR),
    ]
}

# States in which the content may change, and where an edit leads.
EDITABLE: dict[DraftStatus, DraftStatus] = {
    S.DRAFT: S.DRAFT,
    S.CHANGES_REQUESTED: S.CHANGES_REQUESTED,
    S.IN_REVIEW: S.IN_REVIEW,
    S.APPROVED: S.IN_REVIEW,
    S.SCHEDULED: S.IN_REVIEW,
    S.FAILED: S.IN_REVIEW,
}


@dataclass
class ApprovalStep:
    """One approval the workflow needs, in order (e.g. legal, then the chief content officer)."""

    name: str
    role: Role = Role.APPROVER
    # When set, only these members may pass the step (besides holding the role).
    user_ids: list[str] = field(default_factory=list)


@dataclass
class EditorialConfig:
    """The team's editorial rules, shared in the workspace (config key ``editorial``)."""

    approval_steps: list[ApprovalStep] = field(
        default_factory=lambda: [ApprovalStep("Chief content officer", Role.APPROVER)]
    )
    # Four eyes: the author of a version may not approve it.
    allow_self_approval: bool = False
    # Who may waive a brand-check finding.
    waive_role: Role = Role.APPROVER


def check(action: str, status: DraftStatus, user: User, *, reason: str = "") -> Action:
    """The action if ``user`` may take it from ``status``; else a sentence saying why not.

    Raises:
        InvalidTransition: the action does not apply in this state, or needs a reason.
        PermissionDenied: the user lacks the role.
    """
    try:
        spec = ACTIONS[action]
    except KeyError:
        raise InvalidTransition(f"Unknown workflow action {action!r}.") from None
    if status not in spec.sources:
        allowed = ", ".join(sorted(s.value.replace("_", " ") for s in spec.sources))
        raise InvalidTransition(
            f"A draft that is {status.value.replace('_', ' ')} cannot be sent to "
            f"'{spec.label.lower()}'; that needs a draft that is {allowed}."
        )
    require(user, spec.role, spec.label.lower())
    if spec.needs_reason and not reason.strip():
        raise InvalidTransition(f"'{spec.label}' needs a reason, so the author knows what to do.")
    return spec


def available(status: DraftStatus, user: User) -> list[Action]:
    """The actions ``user`` may take now (for menus and buttons)."""
    return [a for a in ACTIONS.values() if status in a.sources and user.has_role(a.role)]


def can_edit(status: DraftStatus, user: User) -> bool:
    return status in EDITABLE and user.has_role(Role.EDITOR)


def pending_steps(config: EditorialConfig, approved_steps: set[str]) -> list[ApprovalStep]:
    """The steps still to pass, in order."""
    return [s for s in config.approval_steps if s.name not in approved_steps]


def may_pass(step: ApprovalStep, user: User) -> bool:
    return user.has_role(step.role) and (not step.user_ids or user.id in step.user_ids)
