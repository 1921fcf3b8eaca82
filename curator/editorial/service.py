"""The editorial line's service: drafts, versions, comments, checks, approvals, audit.

Every change goes through here, checked against the workflow
(:mod:`curator.editorial.workflow`) and the acting person's roles, inside one
workspace transaction that also appends to the audit log. The UI and the CLI
are thin front ends over these methods.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime

from curator.domain import (
    Approval,
    Citation,
    Comment,
    Draft,
    DraftStatus,
    DraftVersion,
    Issue,
    Item,
    PostStatus,
    Role,
    TouchPoint,
    User,
    Variant,
    Waiver,
    utcnow,
)
from curator.editorial import workflow
from curator.editorial.audit import AuditLog
from curator.editorial.brand import BrandGuide, Finding, check_draft, unresolved, validate_guide
from curator.editorial.touchpoints import effective_rules
from curator.editorial.variants import derive_variant
from curator.editorial.versions import Segment, content_hash, unified_diff, word_diff
from curator.editorial.workflow import EditorialConfig
from curator.errors import InvalidTransition, NotFound, PermissionDenied
from curator.identity import require
from curator.workspace import Workspace

S = DraftStatus
MAX_CITED_ITEMS = 8


class EditorialService:
    """Drafts through the editorial line, for one workspace."""

    def __init__(self, ws: Workspace, clock: Callable[[], datetime] = utcnow) -> None:
        self.ws = ws
        self._clock = clock
        self.audit = AuditLog(ws.audit, ws.config, clock)

    # -- configuration ----------------------------------------------------

    def config(self) -> EditorialConfig:
        return self.ws.config.get_or_default("editorial", EditorialConfig)

    def save_config(self, user: User, config: EditorialConfig) -> None:
        require(user, Role.ADMIN, "change the approval steps")
        if not config.approval_steps:
            raise InvalidTransition("The workflow needs at least one approval step.")
        with self.ws.transaction():
            self.ws.config.put("editorial", config)
            self.audit.append(user_id=user.id, action="configure_workflow", subject_id="editorial")

    def brand_guide(self) -> BrandGuide:
        return self.ws.config.get_or_default("brand", BrandGuide)

    def save_brand_guide(self, user: User, guide: BrandGuide) -> None:
        require(user, Role.ADMIN, "change the brand guide")
        validate_guide(guide)
        with self.ws.transaction():
            self.ws.config.put("brand", guide)
            self.audit.append(user_id=user.id, action="configure_brand", subject_id="brand")

    # -- reading ----------------------------------------------------------

    def get(self, draft_id: str) -> Draft:
        draft = self.ws.drafts.get(draft_id)
        if draft is None:
            raise NotFound(f"No draft with id {draft_id} in this workspace (it may have been removed).")
        return draft

    def drafts(self, statuses: Iterable[DraftStatus] | None = None) -> list[Draft]:
        wanted = set(statuses) if statuses is not None else None
        found = [d for d in self.ws.drafts.list() if wanted is None or d.status in wanted]
        return sorted(found, key=lambda d: d.updated_at, reverse=True)

    def touchpoints(self) -> dict[str, TouchPoint]:
        return {tp.id: tp for tp in self.ws.touchpoints.list()}

    def versions(self, draft_id: str) -> list[DraftVersion]:
        """The draft's versions, oldest first, read by id (never a scan of every draft's history)."""
        draft = self.get(draft_id)
        found = (self.ws.draft_versions.get(version_id(draft_id, n)) for n in range(1, draft.version + 1))
        return [v for v in found if v is not None]

    def version(self, draft_id: str, number: int) -> DraftVersion:
        found = self.ws.draft_versions.get(version_id(draft_id, number))
        if found is None:
            raise NotFound(f"Draft {draft_id} has no version {number}.")
        return found

    def diff(self, draft_id: str, old: int, new: int) -> str:
        names = {tp.id: tp.name for tp in self.ws.touchpoints.list()}
        return unified_diff(self.version(draft_id, old), self.version(draft_id, new), names)

    def body_diff(self, draft_id: str, old: int, new: int) -> list[Segment]:
        return word_diff(self.version(draft_id, old).body, self.version(draft_id, new).body)

    def comments(self, draft_id: str) -> list[Comment]:
        found = [c for c in self.ws.comments.list() if c.draft_id == draft_id]
        return sorted(found, key=lambda c: c.created_at)

    def findings(self, draft: Draft) -> list[Finding]:
        """Brand and touch-point findings for the draft as it is now (spelling included: not instant)."""
        return check_draft(draft, self.brand_guide(), self.touchpoints(), has_image=bool(draft.images))

    def blocking_findings(self, draft: Draft) -> list[Finding]:
        """Errors not fixed and not waived: approval waits for these."""
        return unresolved(self.findings(draft), draft.waivers, draft.content_hash)

    def valid_approvals(self, draft: Draft) -> list[Approval]:
        """Approvals given to the current version (older ones no longer count)."""
        return [a for a in draft.approvals if a.version_hash == draft.content_hash]

    def pending_steps(self, draft: Draft) -> list[workflow.ApprovalStep]:
        return workflow.pending_steps(self.config(), {a.step for a in self.valid_approvals(draft)})

    def actions(self, draft: Draft, user: User) -> list[workflow.Action]:
        return workflow.available(draft.status, user)

    # -- creating and editing -------------------------------------------

    def create(
        self,
        user: User,
        title: str,
        body: str = "",
        *,
        touchpoint_ids: list[str] | None = None,
        citations: list[Citation] | None = None,
        source_item_ids: list[str] | None = None,
        issue_id: str | None = None,
        conversation_id: str | None = None,
        tags: list[str] | None = None,
        assignee_id: str = "",
        due_at: datetime | None = None,
        sponsored: bool = False,
    ) -> Draft:
        """A new draft at version 1, its variants derived from the body."""
        require(user, Role.EDITOR, "create drafts")
        if not title.strip():
            raise InvalidTransition("A draft needs a title.")
        tps = self.touchpoints()
        unknown = [t for t in touchpoint_ids or [] if t not in tps]
        if unknown:
            raise NotFound(f"Unknown touch point(s): {', '.join(unknown)}.")
        now = self._clock()
        draft = Draft(
            title=title.strip(),
            body=body,
            author_id=user.id,
            assignee_id=assignee_id or user.id,
            touchpoint_ids=list(touchpoint_ids or []),
            source_item_ids=list(source_item_ids or []),
            citations=list(citations or []),
            issue_id=issue_id,
            conversation_id=conversation_id,
            tags=list(tags or []),
            due_at=due_at,
            sponsored=sponsored,
            created_at=now,
            updated_at=now,
        )
        self._derive_variants(draft, tps)
        with self.ws.transaction():
            self._new_version(draft, user, "Created")
            self.audit.append(
                user_id=user.id,
                action="create",
                subject_id=draft.id,
                version_hash=draft.content_hash,
                to_status=draft.status.value,
            )
        return draft

    def create_from_issue(self, user: User, issue_id: str, touchpoint_ids: list[str] | None = None) -> Draft:
        """A draft about a hot issue: its label, keyphrases and the items that tell it, cited.

        Quotes use the masked text: a draft is on its way to the public, and
        customers' personal data must not travel with it.
        """
        issue = self.ws.issues.get(issue_id)
        if issue is None:
            raise NotFound(f"No issue with id {issue_id} (it may have been merged or removed).")
        items = [i for i in self.ws.items.list() if i.issue_id == issue_id and not i.duplicate_of]
        items.sort(key=lambda i: (i.id != issue.representative_item_id, -(i.author_reach or 0)))
        return self.create(
            user,
            issue.label,
            _issue_outline(issue, items[:MAX_CITED_ITEMS]),
            touchpoint_ids=touchpoint_ids,
            citations=[_citation(i) for i in items[:MAX_CITED_ITEMS]],
            source_item_ids=[i.id for i in items[:MAX_CITED_ITEMS]],
            issue_id=issue_id,
            tags=list(issue.keyphrases[:3]),
        )

    def create_from_items(
        self, user: User, item_ids: list[str], title: str = "", touchpoint_ids: list[str] | None = None
    ) -> Draft:
        """A draft citing the chosen items (from the inbox or the stream)."""
        items = [i for i in (self.ws.items.get(x) for x in item_ids) if i is not None]
        if not items:
            raise NotFound("None of the chosen items exist any more.")
        heading = title or items[0].title or "Draft from selected items"
        body = "\n\n".join(f"> {_quote(i)}" for i in items)
        return self.create(
            user,
            heading,
            body,
            touchpoint_ids=touchpoint_ids,
            citations=[_citation(i) for i in items],
            source_item_ids=[i.id for i in items],
        )

    def save(
        self,
        user: User,
        draft_id: str,
        *,
        title: str | None = None,
        body: str | None = None,
        variants: dict[str, str] | None = None,
        reset_variants: Iterable[str] = (),
        touchpoint_ids: list[str] | None = None,
        sponsored: bool | None = None,
        citations: list[Citation] | None = None,
        note: str = "",
        expected_version: int | None = None,
    ) -> Draft:
        """Save a change of content as a new version (nothing happens when nothing changed).

        Args:
            user: the person saving (needs the editor role).
            draft_id: the draft.
            title: a new title, or None to keep it.
            body: a new Markdown body, or None to keep it.
            variants: texts edited by hand per touch point id (kept as written).
            reset_variants: touch points whose variant goes back to following the body.
            touchpoint_ids: the new set of target touch points, or None to keep it.
            sponsored: whether the content is paid for (a disclosure becomes required).
            citations: the new list of sources, or None to keep it.
            note: a note on the version ("tighter intro").
            expected_version: the version the editor started from; when another
                person saved in between, the save is refused rather than lost.

        An approved, scheduled or failed draft goes back to review, its posts
        are taken off the calendar, and the audit log says why.
        """
        with self.ws.transaction():
            draft = self.get(draft_id)
            if draft.status not in workflow.EDITABLE:
                raise InvalidTransition(
                    f"'{draft.title}' is {draft.status.value.replace('_', ' ')}; it can no longer be edited. "
                    + ("Restore it first." if draft.status is S.ARCHIVED else "Start a new draft from it.")
                )
            require(user, Role.EDITOR, "edit drafts")
            if expected_version is not None and expected_version != draft.version:
                editor = self.version(draft.id, draft.version).author_id
                who = self.ws.users.get(editor)
                raise InvalidTransition(
                    f"{who.name if who else 'Someone'} saved version {draft.version} of '{draft.title}' "
                    f"while you were editing version {expected_version}. Copy your text, reload, and apply "
                    "your change again."
                )
            before = (
                draft.title,
                draft.body,
                dict(draft.variants),
                list(draft.touchpoint_ids),
                draft.sponsored,
                list(draft.citations),
            )
            changed = replace(draft, variants=dict(draft.variants), citations=list(draft.citations))
            if title is not None:
                if not title.strip():
                    raise InvalidTransition("A draft needs a title.")
                changed.title = title.strip()
            if body is not None:
                changed.body = body
            if sponsored is not None:
                changed.sponsored = sponsored
            if citations is not None:
                changed.citations = list(citations)
            tps = self.touchpoints()
            if touchpoint_ids is not None:
                unknown = [t for t in touchpoint_ids if t not in tps]
                if unknown:
                    raise NotFound(f"Unknown touch point(s): {', '.join(unknown)}.")
                changed.touchpoint_ids = list(dict.fromkeys(touchpoint_ids))
            for tp_id in reset_variants:
                changed.variants.pop(tp_id, None)
            for tp_id, text in (variants or {}).items():
                if tp_id not in changed.touchpoint_ids:
                    raise InvalidTransition("A variant can only be written for a touch point of the draft.")
                changed.variants[tp_id] = Variant(text=text, edited=True)
            self._derive_variants(changed, tps)
            after = (
                changed.title,
                changed.body,
                changed.variants,
                changed.touchpoint_ids,
                changed.sponsored,
                changed.citations,
            )
            if after == before:
                return draft
            old_status = draft.status
            changed.status = workflow.EDITABLE[old_status]
            changed.updated_at = self._clock()
            self._new_version(changed, user, note)
            if changed.status is not old_status:
                self._unschedule_posts(changed.id, "edited after approval")
                self.audit.append(
                    user_id=user.id,
                    action="edit_after_approval",
                    subject_id=changed.id,
                    version_hash=changed.content_hash,
                    from_status=old_status.value,
                    to_status=changed.status.value,
                    reason="The content changed after approval; the new version needs approval again.",
                )
            return changed

    def update_details(
        self,
        user: User,
        draft_id: str,
        *,
        assignee_id: str | None = None,
        due_at: datetime | None = None,
        clear_due: bool = False,
        tags: list[str] | None = None,
    ) -> Draft:
        """Assignee, due date and tags: not content, so no new version and no new approval."""
        require(user, Role.EDITOR, "change a draft's assignee, due date or tags")
        with self.ws.transaction():
            draft = self.get(draft_id)
            if assignee_id is not None:
                if assignee_id and self.ws.users.get(assignee_id) is None:
                    raise NotFound("That person is not a member of this workspace.")
                draft.assignee_id = assignee_id
            if due_at is not None or clear_due:
                draft.due_at = None if clear_due else due_at
            if tags is not None:
                draft.tags = sorted({t.strip() for t in tags if t.strip()})
            draft.updated_at = self._clock()
            self.ws.drafts.save(draft)
            return draft

    def restore_version(self, user: User, draft_id: str, number: int) -> Draft:
        """Bring back an older version's content as a new version (history is never rewritten)."""
        old = self.version(draft_id, number)
        return self.save(
            user,
            draft_id,
            title=old.title,
            body=old.body,
            variants={tp: v.text for tp, v in old.variants.items() if v.edited},
            reset_variants=[tp for tp, v in old.variants.items() if not v.edited],
            note=f"Restored version {number}",
        )

    # -- comments ----------------------------------------------------------

    def add_comment(self, user: User, draft_id: str, text: str, start: int = 0, end: int = 0) -> Comment:
        """An internal comment on the current version, anchored to body[start:end]."""
        if not user.has_role(Role.EDITOR) and not user.has_role(Role.APPROVER):
            require(user, Role.EDITOR, "comment on drafts")
        if not text.strip():
            raise InvalidTransition("A comment needs some text.")
        draft = self.get(draft_id)
        start, end = max(0, min(start, len(draft.body))), max(0, min(end, len(draft.body)))
        comment = Comment(
            draft_id=draft_id,
            version=draft.version,
            author_id=user.id,
            text=text.strip(),
            start=min(start, end),
            end=max(start, end),
            quote=draft.body[min(start, end) : max(start, end)],
            created_at=self._clock(),
        )
        self.ws.comments.save(comment)
        return comment

    def resolve_comment(self, user: User, comment_id: str) -> Comment:
        comment = self.ws.comments.get(comment_id)
        if comment is None:
            raise NotFound("That comment no longer exists.")
        if comment.author_id != user.id:
            require(user, Role.EDITOR, "resolve another person's comment")
        comment.resolved = True
        self.ws.comments.save(comment)
        return comment

    # -- workflow ----------------------------------------------------------

    def submit(self, user: User, draft_id: str, note: str = "") -> Draft:
        return self._transition(user, draft_id, "submit", reason=note)

    def request_changes(self, user: User, draft_id: str, reason: str) -> Draft:
        return self._transition(user, draft_id, "request_changes", reason=reason)

    def archive(self, user: User, draft_id: str, reason: str) -> Draft:
        draft = self._transition(user, draft_id, "archive", reason=reason)
        self._unschedule_posts(draft_id, "archived", audit=False)
        return draft

    def restore(self, user: User, draft_id: str) -> Draft:
        return self._transition(user, draft_id, "restore")

    def approve(self, user: User, draft_id: str, note: str = "") -> Draft:
        """Pass the next approval step for the current version; the last step approves the draft.

        Raises:
            PermissionDenied: the user may not pass the next step, or wrote this version.
            InvalidTransition: brand-check errors are neither fixed nor waived.
        """
        with self.ws.transaction():
            draft = self.get(draft_id)
            workflow.check("approve", draft.status, user)
            pending = self.pending_steps(draft)
            if not pending:
                raise InvalidTransition("Every approval step has passed already.")
            step = pending[0]
            if not self.config().allow_self_approval and user.id in self._content_authors(draft):
                raise PermissionDenied(
                    f"{user.name} wrote a version of this draft, so someone else must approve it (four eyes)."
                )
            if not workflow.may_pass(step, user):
                raise PermissionDenied(
                    f"The next approval step is '{step.name}', which {user.name} may not give."
                )
            blocking = self.blocking_findings(draft)
            if blocking:
                first = "; ".join(f.message for f in blocking[:3])
                more = f" (and {len(blocking) - 3} more)" if len(blocking) > 3 else ""
                raise InvalidTransition(
                    f"'{draft.title}' has {len(blocking)} brand-check finding(s) to fix or waive "
                    f"before approval: {first}{more}."
                )
            draft.approvals.append(
                Approval(step=step.name, user_id=user.id, version_hash=draft.content_hash, at=self._clock())
            )
            old_status = draft.status
            if len(pending) == 1:
                draft.status = S.APPROVED
            draft.updated_at = self._clock()
            self.ws.drafts.save(draft)
            self.audit.append(
                user_id=user.id,
                action=f"approve:{step.name}",
                subject_id=draft.id,
                version_hash=draft.content_hash,
                from_status=old_status.value,
                to_status=draft.status.value,
                reason=note,
            )
            return draft

    def waive(self, user: User, draft_id: str, finding_key: str, reason: str) -> Draft:
        """Accept a finding as it is, with a reason, by someone allowed to waive."""
        cfg = self.config()
        require(user, cfg.waive_role, "waive brand-check findings")
        if not reason.strip():
            raise InvalidTransition("A waiver needs a reason, for the audit log and the next reviewer.")
        with self.ws.transaction():
            draft = self.get(draft_id)
            draft.waivers = [w for w in draft.waivers if w.finding_key != finding_key]
            draft.waivers.append(
                Waiver(
                    finding_key=finding_key,
                    user_id=user.id,
                    reason=reason.strip(),
                    version_hash=draft.content_hash,
                    at=self._clock(),
                )
            )
            self.ws.drafts.save(draft)
            self.audit.append(
                user_id=user.id,
                action="waive",
                subject_id=draft.id,
                version_hash=draft.content_hash,
                reason=f"{finding_key}: {reason.strip()}",
            )
            return draft

    def transition(self, user: User, draft_id: str, action: str, reason: str = "") -> Draft:
        """Any workflow action by name (the schedule and publish services use this)."""
        if action == "approve":
            return self.approve(user, draft_id, reason)
        return self._transition(user, draft_id, action, reason=reason)

    # -- internals ---------------------------------------------------------

    def _transition(self, user: User, draft_id: str, action: str, *, reason: str = "") -> Draft:
        with self.ws.transaction():
            draft = self.get(draft_id)
            spec = workflow.check(action, draft.status, user, reason=reason)
            old = draft.status
            draft.status = spec.target
            draft.updated_at = self._clock()
            self.ws.drafts.save(draft)
            self.audit.append(
                user_id=user.id,
                action=action,
                subject_id=draft.id,
                version_hash=draft.content_hash,
                from_status=old.value,
                to_status=draft.status.value,
                reason=reason.strip(),
            )
            return draft

    def _derive_variants(self, draft: Draft, tps: dict[str, TouchPoint]) -> None:
        """Variants follow the body unless edited; touch points no longer targeted lose theirs."""
        kept: dict[str, Variant] = {}
        for tp_id in draft.touchpoint_ids:
            current = draft.variants.get(tp_id)
            if current is not None and current.edited:
                kept[tp_id] = current
            elif tp_id in tps:
                text = derive_variant(
                    draft.title, draft.body, effective_rules(tps[tp_id]), link=_first_link(draft)
                )
                kept[tp_id] = Variant(text=text)
        draft.variants = kept

    def _new_version(self, draft: Draft, user: User, note: str) -> None:
        draft.content_hash = content_hash(
            draft.title, draft.body, draft.variants, draft.touchpoint_ids, draft.sponsored
        )
        draft.version += 1
        version = DraftVersion(
            draft_id=draft.id,
            number=draft.version,
            title=draft.title,
            body=draft.body,
            variants={k: replace(v) for k, v in draft.variants.items()},
            content_hash=draft.content_hash,
            author_id=user.id,
            created_at=self._clock(),
            note=note,
        )
        self.ws.draft_versions.save(version)
        self.ws.drafts.save(draft)

    def _content_authors(self, draft: Draft) -> set[str]:
        """Everyone who wrote a version of the draft: none of them may approve it (four eyes)."""
        return {v.author_id for v in self.versions(draft.id)} | {draft.author_id}

    def _unschedule_posts(self, draft_id: str, why: str, *, audit: bool = True) -> None:
        posts = [
            p
            for p in self.ws.posts.list()
            if p.draft_id == draft_id
            and p.status in (PostStatus.PLANNED, PostStatus.SCHEDULED, PostStatus.FAILED)
        ]
        for post in posts:
            post.status = PostStatus.CANCELLED
            post.sequence += 1
            post.last_error = f"Taken off the calendar: the draft was {why}."
        if posts:
            self.ws.posts.save_many(posts)


def version_id(draft_id: str, number: int) -> str:
    """The stored id of a draft's version (as DraftVersion names itself)."""
    return DraftVersion(draft_id, number, "", "", {}, "", "").id


def _first_link(draft: Draft) -> str:
    return next((c.url for c in draft.citations if c.url and not c.item_id), "")


def _quote(item: Item) -> str:
    text = (item.masked_text or item.text or item.title).strip().replace("\n", " ")
    return text if len(text) <= 280 else text[:277].rsplit(" ", 1)[0] + "…"


def _citation(item: Item) -> Citation:
    return Citation(item_id=item.id, url=item.url, title=item.title or _quote(item)[:80])


def _issue_outline(issue: Issue, items: list[Item]) -> str:
    lines = [f"## {issue.label}", ""]
    if issue.hot_reason:
        lines += [f"_Why now: {issue.hot_reason}_", ""]
    if issue.keyphrases:
        lines += ["Key points: " + ", ".join(issue.keyphrases[:6]), ""]
    lines += ["What people say:", ""]
    lines += [f"> {_quote(i)}\n" for i in items[:3]]
    lines += ["", "<!-- Write the piece here; the sources stay cited below. -->", "", "### Sources", ""]
    lines += [f"- [{_citation(i).title}]({i.url})" if i.url else f"- {_citation(i).title}" for i in items]
    return "\n".join(lines)
