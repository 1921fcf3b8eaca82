"""The background jobs of the Drafts and Approvals pages.

Each function runs in a :class:`~ui.tasks.TaskRunner` worker: it gets the
task's :class:`~curator.progress.Progress` first, never touches a widget and
returns plain values (or raises a core error whose sentence the page shows).
Every change goes through :class:`~curator.editorial.service.EditorialService`,
which checks the workflow and the acting person's roles and writes the audit
log; the pages only ask.

The brand checks run here too, on a snapshot of the editor's text: the
spelling rule loads a dictionary and the tone rule a sentiment model, neither
of which may run on the UI thread.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from curator.domain import (
    AuditEntry,
    Comment,
    Draft,
    DraftStatus,
    DraftVersion,
    Role,
    TouchPoint,
    User,
    Variant,
    Waiver,
)
from curator.errors import CuratorError
from curator.progress import Progress

if TYPE_CHECKING:
    from curator.editorial.brand import BrandGuide, Finding
    from curator.editorial.service import EditorialService
    from curator.editorial.versions import Segment
    from curator.editorial.workflow import ApprovalStep

#: The statuses the Approvals page lists, and the group each belongs to.
REVIEW_GROUP = "review"
APPROVED_GROUP = "approved"


def status_words(status: DraftStatus) -> str:
    """A status as a sentence says it ("in review")."""
    return status.value.replace("_", " ")


class Editorial:
    """The open workspace's :class:`EditorialService`, built by the first job that needs it.

    Importing the service loads the brand checks (a spell checker, VADER,
    a Markdown parser): a quarter of a second the UI thread must not spend.
    The service itself keeps no state between calls, so jobs share it.
    """

    def __init__(self, workspace: Any) -> None:
        self.workspace = workspace
        self._lock = threading.Lock()
        self._service: EditorialService | None = None

    @property
    def service(self) -> EditorialService:
        """The service (built on first use, in the calling worker)."""
        with self._lock:
            if self._service is None:
                from curator.editorial.service import EditorialService

                self._service = EditorialService(self.workspace)
            return self._service


# ------------------------------------------------------------------ reading
@dataclass(frozen=True)
class Directory:
    """Who and where: the workspace's members and touch points, to name ids on screen."""

    users: dict[str, User] = field(default_factory=dict)
    touchpoints: dict[str, TouchPoint] = field(default_factory=dict)

    def user_name(self, user_id: str) -> str:
        """The member's name; guests and removed members by their id."""
        user = self.users.get(user_id)
        if user is not None:
            return user.name
        return user_id.removeprefix("guest:") if user_id else ""

    def touchpoint_name(self, tp_id: str) -> str:
        """The touch point's name ("" for the body, the id once it was removed)."""
        if not tp_id:
            return "Body"
        if tp_id == "title":
            return "Title"
        tp = self.touchpoints.get(tp_id)
        return tp.name if tp is not None else tp_id

    def touchpoint_names(self, tp_ids: list[str]) -> str:
        """The touch points of a draft, comma separated, in the draft's order."""
        return ", ".join(self.touchpoint_name(tp_id) for tp_id in tp_ids)


def load_directory(progress: Progress, editorial: Editorial) -> Directory:
    """The members and touch points of the workspace."""
    service = editorial.service
    progress.start(None, "Loading the team")
    users = {user.id: user for user in service.ws.users.list()}
    return Directory(users, service.touchpoints())


@dataclass(frozen=True)
class DraftDetail:
    """Everything the editor shows about one draft, read in one go."""

    draft: Draft
    versions: list[DraftVersion]
    comments: list[Comment]
    audit: list[AuditEntry]
    directory: Directory
    guide: BrandGuide
    pending_steps: list[ApprovalStep]
    waive_role: Role


def load_draft_detail(progress: Progress, editorial: Editorial, draft_id: str) -> DraftDetail | None:
    """The draft with its versions, comments and audit entries; None once it is gone."""
    service = editorial.service
    progress.start(None, "Loading the draft")
    draft = service.ws.drafts.get(draft_id)
    if draft is None:
        return None
    progress.check_cancelled()
    return DraftDetail(
        draft=draft,
        versions=service.versions(draft_id),
        comments=service.comments(draft_id),
        audit=service.audit.entries(draft_id),
        directory=load_directory(progress, editorial),
        guide=service.brand_guide(),
        pending_steps=service.pending_steps(draft),
        waive_role=service.config().waive_role,
    )


# ------------------------------------------------------------ brand checks
@dataclass(frozen=True)
class CheckRequest:
    """The editor's text at one moment, to check (``seq`` tells stale results apart).

    ``edited`` holds the variants written by hand as typed; every other
    touch point of ``touchpoint_ids`` follows the body and is derived here.
    """

    seq: int
    base: Draft
    title: str
    body: str
    touchpoint_ids: list[str]
    sponsored: bool
    edited: dict[str, str]
    guide: BrandGuide
    touchpoints: dict[str, TouchPoint]


@dataclass(frozen=True)
class CheckResult:
    """The findings for one :class:`CheckRequest`, with the variants derived for it."""

    seq: int
    findings: list[Finding]
    #: Text per touch point following the body, derived from the checked body.
    derived: dict[str, str]
    #: Keys of errors neither fixed nor waived (approval waits for these).
    blocking: frozenset[str]
    #: Waivers by finding key.
    waived: dict[str, Waiver]
    #: The texts checked, by target ("" = body, else touch point id).
    texts: dict[str, str]
    #: The title checked.
    title: str


def first_link(draft: Draft) -> str:
    """The link variants carry: the first cited URL that is not a stored item (as the core does)."""
    return next((c.url for c in draft.citations if c.url and not c.item_id), "")


def run_checks(progress: Progress, request: CheckRequest) -> CheckResult:
    """Derive the following variants from the typed body and run every brand and touch-point check."""
    from curator.editorial.brand import check_draft, unresolved
    from curator.editorial.touchpoints import effective_rules
    from curator.editorial.variants import derive_variant

    progress.start(None, "Checking the draft")
    draft = replace(
        request.base,
        title=request.title,
        body=request.body,
        touchpoint_ids=list(request.touchpoint_ids),
        sponsored=request.sponsored,
        variants={},
        waivers=list(request.base.waivers),
    )
    derived: dict[str, str] = {}
    link = first_link(draft)
    for tp_id in draft.touchpoint_ids:
        if tp_id in request.edited:
            draft.variants[tp_id] = Variant(request.edited[tp_id], edited=True)
            continue
        tp = request.touchpoints.get(tp_id)
        if tp is None:
            continue
        text = derive_variant(draft.title, draft.body, effective_rules(tp), link=link)
        derived[tp_id] = text
        draft.variants[tp_id] = Variant(text)
    progress.check_cancelled()
    findings = check_draft(draft, request.guide, request.touchpoints)
    blocking = frozenset(f.key for f in unresolved(findings, draft.waivers, request.base.content_hash))
    texts = {"": draft.body, **{tp_id: v.text for tp_id, v in draft.variants.items()}}
    return CheckResult(
        seq=request.seq,
        findings=list(findings),
        derived=derived,
        blocking=blocking,
        waived={w.finding_key: w for w in draft.waivers},
        texts=texts,
        title=draft.title,
    )


# ----------------------------------------------------------------- writing
@dataclass(frozen=True)
class DraftEdits:
    """What the editor changed since it loaded ``expected_version`` (None: unchanged)."""

    draft_id: str
    expected_version: int
    title: str | None = None
    body: str | None = None
    variants: dict[str, str] = field(default_factory=dict)
    reset_variants: list[str] = field(default_factory=list)
    touchpoint_ids: list[str] | None = None
    sponsored: bool | None = None
    note: str = ""
    assignee_id: str | None = None
    due_at: datetime | None = None
    clear_due: bool = False
    tags: list[str] | None = None

    @property
    def content_changed(self) -> bool:
        """True when a new version is needed (title, body, variants, touch points, sponsored)."""
        return (
            self.title is not None
            or self.body is not None
            or bool(self.variants)
            or bool(self.reset_variants)
            or self.touchpoint_ids is not None
            or self.sponsored is not None
        )

    @property
    def details_changed(self) -> bool:
        """True when the assignee, due date or tags changed (no new version)."""
        return (
            self.assignee_id is not None or self.due_at is not None or self.clear_due or self.tags is not None
        )


def save_draft(progress: Progress, editorial: Editorial, user: User, edits: DraftEdits) -> Draft:
    """Save the content as a new version (refused if someone saved meanwhile), then the details."""
    service = editorial.service
    progress.start(None, "Saving")
    draft = service.get(edits.draft_id)
    if edits.content_changed:
        draft = service.save(
            user,
            edits.draft_id,
            title=edits.title,
            body=edits.body,
            variants=edits.variants or None,
            reset_variants=edits.reset_variants,
            touchpoint_ids=edits.touchpoint_ids,
            sponsored=edits.sponsored,
            note=edits.note,
            expected_version=edits.expected_version,
        )
    if edits.details_changed:
        draft = service.update_details(
            user,
            edits.draft_id,
            assignee_id=edits.assignee_id,
            due_at=edits.due_at,
            clear_due=edits.clear_due,
            tags=edits.tags,
        )
    return draft


def create_draft(
    progress: Progress, editorial: Editorial, user: User, title: str, touchpoint_ids: list[str]
) -> Draft:
    """A new blank draft at version 1."""
    service = editorial.service
    progress.start(None, "Creating the draft")
    return service.create(user, title, "", touchpoint_ids=touchpoint_ids)


def create_from_issue(
    progress: Progress, editorial: Editorial, user: User, issue_id: str, touchpoint_ids: list[str]
) -> Draft:
    """A draft about a hot issue, citing the items that tell it."""
    service = editorial.service
    progress.start(None, "Creating a draft from the issue")
    return service.create_from_issue(user, issue_id, touchpoint_ids or None)


def create_from_items(
    progress: Progress, editorial: Editorial, user: User, item_ids: list[str], touchpoint_ids: list[str]
) -> Draft:
    """A draft quoting and citing the chosen items."""
    service = editorial.service
    progress.start(None, "Creating a draft from the items")
    return service.create_from_items(user, list(item_ids), touchpoint_ids=touchpoint_ids or None)


def run_action(
    progress: Progress, editorial: Editorial, user: User, draft_id: str, action: str, reason: str
) -> Draft:
    """A workflow action by name (approve passes the next approval step)."""
    service = editorial.service
    progress.start(None, "Updating the draft")
    return service.transition(user, draft_id, action, reason)


def waive_finding(
    progress: Progress, editorial: Editorial, user: User, draft_id: str, finding_key: str, reason: str
) -> Draft:
    """Accept a finding as it is, with a reason (needs the waive role)."""
    service = editorial.service
    progress.start(None, "Waiving the finding")
    return service.waive(user, draft_id, finding_key, reason)


def add_comment(
    progress: Progress,
    editorial: Editorial,
    user: User,
    draft_id: str,
    text: str,
    start: int,
    end: int,
) -> Comment:
    """An internal comment on the current version, anchored to body[start:end]."""
    service = editorial.service
    progress.start(None, "Adding the comment")
    return service.add_comment(user, draft_id, text, start, end)


def resolve_comment(progress: Progress, editorial: Editorial, user: User, comment_id: str) -> Comment:
    """Mark a comment as dealt with."""
    service = editorial.service
    progress.start(None, "Resolving the comment")
    return service.resolve_comment(user, comment_id)


def restore_version(
    progress: Progress, editorial: Editorial, user: User, draft_id: str, number: int
) -> Draft:
    """Bring an older version back as a new version."""
    service = editorial.service
    progress.start(None, f"Restoring version {number}")
    return service.restore_version(user, draft_id, number)


# ---------------------------------------------------------------- versions
@dataclass(frozen=True)
class VersionDiff:
    """Two versions compared: the body word by word, everything line by line."""

    draft_id: str
    old: int
    new: int
    segments: list[Segment]
    unified: str
    old_title: str
    new_title: str


def diff_versions(progress: Progress, editorial: Editorial, draft_id: str, old: int, new: int) -> VersionDiff:
    """Compare versions ``old`` and ``new`` (in that order, whichever is newer)."""
    service = editorial.service
    progress.start(None, "Comparing versions")
    a, b = service.version(draft_id, old), service.version(draft_id, new)
    return VersionDiff(
        draft_id=draft_id,
        old=old,
        new=new,
        segments=service.body_diff(draft_id, old, new),
        unified=service.diff(draft_id, old, new),
        old_title=a.title,
        new_title=b.title,
    )


def last_approved_version(editorial: Editorial, draft: Draft) -> int | None:
    """The newest earlier version that was fully approved, or None (a first review)."""
    service = editorial.service
    approved = {
        e.version_hash for e in service.audit.entries(draft.id) if e.to_status == DraftStatus.APPROVED.value
    }
    approved |= {a.version_hash for a in draft.approvals}
    approved.discard(draft.content_hash)
    earlier = [
        v for v in service.versions(draft.id) if v.content_hash in approved and v.number < draft.version
    ]
    return earlier[-1].number if earlier else None


# ---------------------------------------------------------------- approvals
@dataclass(frozen=True)
class QueueEntry:
    """One draft in the approvals queue, with what it waits for."""

    draft: Draft
    group: str
    waiting_for: str
    blocking: int
    author: str

    @property
    def id(self) -> str:
        """The draft's id (rows are kept in step by it)."""
        return self.draft.id


def waiting_sentence(editorial: Editorial, draft: Draft, directory: Directory) -> str:
    """What the draft waits for and from whom ("Legal (Lena Legal)"), as the queue and header say it."""
    service = editorial.service
    if draft.status is DraftStatus.IN_REVIEW:
        pending = service.pending_steps(draft)
        if not pending:
            return "Approval (every step passed)"
        return step_sentence(pending[0], directory)
    if draft.status is DraftStatus.APPROVED:
        return "Scheduling (a scheduler)"
    if draft.status is DraftStatus.CHANGES_REQUESTED:
        return "Changes by the author"
    if draft.status is DraftStatus.SCHEDULED:
        return "Publishing"
    if draft.status is DraftStatus.FAILED:
        return "A retry by a scheduler"
    return ""


def step_sentence(step: ApprovalStep, directory: Directory) -> str:
    """An approval step and who may give it ("Legal (Lena Legal)", "Legal (any approver)")."""
    if step.user_ids:
        names = ", ".join(directory.user_name(uid) for uid in step.user_ids)
        return f"{step.name} ({names})"
    return f"{step.name} (any {step.role.value})"


def load_queue(progress: Progress, editorial: Editorial) -> tuple[list[QueueEntry], Directory]:
    """Drafts in review and approved ones waiting for scheduling, with their blocking findings."""
    service = editorial.service
    progress.start(None, "Loading the approvals queue")
    directory = load_directory(progress, editorial)
    entries: list[QueueEntry] = []
    drafts = service.drafts([DraftStatus.IN_REVIEW, DraftStatus.APPROVED])
    progress.start(len(drafts), "Checking drafts in review")
    for draft in drafts:
        progress.check_cancelled()
        in_review = draft.status is DraftStatus.IN_REVIEW
        entries.append(
            QueueEntry(
                draft=draft,
                group=REVIEW_GROUP if in_review else APPROVED_GROUP,
                waiting_for=waiting_sentence(editorial, draft, directory),
                blocking=len(service.blocking_findings(draft)) if in_review else 0,
                author=directory.user_name(draft.author_id),
            )
        )
        progress.advance()
    return entries, directory


@dataclass(frozen=True)
class ReviewDetail:
    """What a reviewer sees of one draft: its variants, findings and changes since the last approval."""

    draft: Draft
    directory: Directory
    findings: list[Finding]
    blocking: frozenset[str]
    waived: dict[str, Waiver]
    waiting_for: str
    waive_role: Role
    previous: int | None
    diff: VersionDiff | None
    #: Per touch point id: (length counted the platform's way, its limit or None, renders Markdown).
    lengths: dict[str, tuple[int, int | None, bool]]


def load_review(progress: Progress, editorial: Editorial, draft_id: str) -> ReviewDetail | None:
    """The draft as a reviewer sees it; None once it is gone."""
    service = editorial.service
    progress.start(None, "Loading the draft for review")
    draft = service.ws.drafts.get(draft_id)
    if draft is None:
        return None
    directory = load_directory(progress, editorial)
    findings = service.findings(draft)
    from curator.editorial.brand import unresolved

    blocking = frozenset(f.key for f in unresolved(findings, draft.waivers, draft.content_hash))
    previous = last_approved_version(editorial, draft)
    diff = (
        diff_versions(progress, editorial, draft_id, previous, draft.version)
        if previous is not None
        else None
    )
    return ReviewDetail(
        draft=draft,
        directory=directory,
        findings=list(findings),
        blocking=blocking,
        waived={w.finding_key: w for w in draft.waivers},
        waiting_for=waiting_sentence(editorial, draft, directory),
        waive_role=service.config().waive_role,
        previous=previous,
        diff=diff,
        lengths=variant_lengths(draft, directory.touchpoints),
    )


def variant_lengths(
    draft: Draft, touchpoints: dict[str, TouchPoint]
) -> dict[str, tuple[int, int | None, bool]]:
    """Each variant's length counted the platform's way, its limit, and whether it renders Markdown."""
    from curator.editorial.counting import count_length
    from curator.editorial.touchpoints import effective_rules

    out: dict[str, tuple[int, int | None, bool]] = {}
    for tp_id, variant in draft.variants.items():
        tp = touchpoints.get(tp_id)
        if tp is None:
            continue
        rules = effective_rules(tp)
        out[tp_id] = (count_length(variant.text, rules.counting), rules.max_length, bool(rules.markdown))
    return out


# -------------------------------------------------------------------- audit
@dataclass(frozen=True)
class AuditReport:
    """The whole audit log, whether its chain is whole, and names for its ids."""

    entries: list[AuditEntry]
    problems: list[str]
    directory: Directory
    titles: dict[str, str]

    @property
    def sentence(self) -> str:
        """The verification result as the dialog states it."""
        if not self.problems:
            count = len(self.entries)
            return f"The audit log is whole ({count:,} entr{'y' if count == 1 else 'ies'})."
        return " ".join(self.problems)


def audit_report(progress: Progress, editorial: Editorial) -> AuditReport:
    """Read and verify the audit log."""
    service = editorial.service
    progress.start(None, "Verifying the audit log")
    entries = service.audit.entries()
    problems = service.audit.verify()
    titles = {d.id: d.title for d in service.ws.drafts.list()}
    return AuditReport(entries, problems, load_directory(progress, editorial), titles)


def export_audit(progress: Progress, editorial: Editorial, path: str) -> str:
    """Write the audit log as CSV to ``path``; returns the sentence to show."""
    service = editorial.service
    progress.start(None, "Exporting the audit log")
    text = service.audit.export_csv()
    rows = max(0, len(text.splitlines()) - 1)
    target = Path(path)
    try:
        target.write_text(text, encoding="utf-8", newline="")
    except OSError as exc:
        raise CuratorError(
            f"Could not write {target}: {exc.strerror or exc}. Choose another folder."
        ) from exc
    return f"Exported {rows:,} audit entr{'y' if rows == 1 else 'ies'} to {target}."


def error_sentence(exc: BaseException) -> str:
    """The sentence a page shows for a failed job: the core's own, or a plain account of the surprise."""
    if isinstance(exc, CuratorError):
        return str(exc)
    return f"Something unexpected went wrong ({type(exc).__name__}: {exc})."


__all__ = [
    "APPROVED_GROUP",
    "REVIEW_GROUP",
    "AuditReport",
    "CheckRequest",
    "CheckResult",
    "Directory",
    "DraftDetail",
    "DraftEdits",
    "QueueEntry",
    "ReviewDetail",
    "VersionDiff",
    "status_words",
]
