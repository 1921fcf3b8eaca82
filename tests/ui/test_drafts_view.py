"""The Drafts and Approvals pages over a real workspace with a small team and two touch points."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from curator.domain import Citation, DraftStatus, Role, TouchPoint, TouchPointKind, User
from curator.editorial.brand import BannedTerm, BrandGuide
from curator.editorial.service import EditorialService
from curator.identity import guest
from curator.workspace import Workspace
from ui.models import DomainObjectRole, StoreEventBridge
from ui.models_drafts import (
    ApprovalQueueModel,
    AuditEntryModel,
    CitationTableModel,
    CommentTableModel,
    DraftTableModel,
    FindingTableModel,
    StatusRole,
    VersionTableModel,
)
from ui.tasks import TaskRunner
from ui.views.approvals import ApprovalsView
from ui.views.draft_editor import qt_offset
from ui.views.drafts import DraftsView

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
ALT = Qt.KeyboardModifier.AltModifier
LEFT = Qt.MouseButton.LeftButton
WAIT = 15_000

MAYA = User("Maya", roles=[Role.EDITOR], login="maya", id="u-maya")
EDDIE = User("Eddie", roles=[Role.EDITOR], login="eddie", id="u-eddie")
HENRIKE = User("Henrike", roles=[Role.APPROVER], login="henrike", id="u-henrike")
GUEST = guest("mallory")


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    """A workspace with an editor pair, an approver, X and a blog, and a brand guide banning "cheap"."""
    workspace = Workspace.open(tmp_path / "ws", create=True)
    try:
        workspace.users.save_many([MAYA, EDDIE, HENRIKE])
        workspace.touchpoints.save_many(
            [
                TouchPoint("X", TouchPointKind.X, "Europe/Berlin", id="tp-x"),
                TouchPoint("Blog", TouchPointKind.BLOG, "Europe/Berlin", id="tp-blog"),
            ]
        )
        workspace.config.put(
            "brand",
            BrandGuide(
                banned_terms=[BannedTerm("cheap", "affordable")], spelling=False, min_reading_ease=None
            ),
        )
        yield workspace
    finally:
        workspace.close()


@pytest.fixture
def svc(ws: Workspace) -> EditorialService:
    return EditorialService(ws)


@dataclass
class Pages:
    drafts: Callable[[User], DraftsView]
    approvals: Callable[[User], ApprovalsView]


@pytest.fixture
def pages(qtbot, ws: Workspace) -> Iterator[Pages]:
    """Opens pages on the workspace as someone; detaches them and ends their tasks at teardown."""
    runner = TaskRunner()
    bridge = StoreEventBridge(ws)
    opened: list[DraftsView | ApprovalsView] = []

    def show(view: QWidget) -> None:
        qtbot.addWidget(view)
        view.resize(1280, 800)
        view.show()
        qtbot.waitExposed(view)

    def drafts(user: User) -> DraftsView:
        view = DraftsView(runner)
        show(view)
        view.attach(ws, bridge)
        view.set_user(user)
        qtbot.waitUntil(lambda: view.drafts_model.loaded, timeout=WAIT)
        opened.append(view)
        return view

    def approvals(user: User) -> ApprovalsView:
        view = ApprovalsView(runner)
        show(view)
        with qtbot.waitSignal(view.queue_loaded, timeout=WAIT):
            view.attach(ws, bridge)
        view.set_user(user)
        opened.append(view)
        return view

    yield Pages(drafts, approvals)
    for view in opened:
        view.detach()
    bridge.close()
    runner.shutdown(WAIT)


def _activate(qtbot, view: QWidget) -> None:
    view.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is view, timeout=5000)


def _open(qtbot, view: DraftsView, draft_id: str) -> None:
    view.open_draft(draft_id)
    qtbot.waitUntil(lambda: view.editor.draft is not None and view.editor.draft.id == draft_id, timeout=WAIT)


def _rules(view: DraftsView) -> list[str]:
    return [f.rule for f in view.editor.finding_model.objects()]


def _wait_checked(qtbot, view: DraftsView) -> None:
    """Wait until the findings belong to the text as it is now."""
    editor = view.editor
    qtbot.waitUntil(
        lambda: editor._last_check is not None and editor._last_check.seq == editor._edit_seq, timeout=WAIT
    )


def _message(qtbot, view: DraftsView | ApprovalsView) -> str:
    qtbot.waitUntil(lambda: view.activity.kind in ("info", "error", "warning"), timeout=WAIT)
    return view.activity.text


# ------------------------------------------------------------ writing a draft
def test_write_check_fix_save_and_submit_with_the_keyboard(qtbot, ws: Workspace, pages: Pages) -> None:
    view = pages.drafts(MAYA)
    assert view.stack.currentWidget() is view.empty_state
    _activate(qtbot, view)
    view.empty_state.action_button.setFocus()
    qtbot.keyClick(view.empty_state.action_button, Qt.Key.Key_N, CTRL)
    dialog = view.new_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    assert not dialog.create_button.isEnabled()  # no title yet
    qtbot.waitUntil(
        lambda: "tp-x" in dialog.touchpoint_checks, timeout=WAIT
    )  # the team arrives from a worker
    qtbot.keyClicks(dialog.title_edit, "Winter menu")
    dialog.touchpoint_checks["tp-x"].click()
    qtbot.keyClick(dialog.title_edit, Qt.Key.Key_Return)

    editor = view.editor
    qtbot.waitUntil(lambda: editor.draft is not None and editor.draft.title == "Winter menu", timeout=WAIT)
    draft_id = editor.draft.id
    assert editor.draft.version == 1 and editor.draft.touchpoint_ids == ["tp-x"]
    assert [editor.text_tabs.tabText(i) for i in range(editor.text_tabs.count())] == ["Body", "X"]
    qtbot.waitUntil(lambda: view.drafts_model.row_of(draft_id) is not None, timeout=WAIT)
    assert view.selected_draft().id == draft_id

    # A banned word is found as it is typed, underlined in red where it is.
    _activate(qtbot, view)  # the dialog's window has closed
    editor.body_edit.setFocus()
    qtbot.keyClicks(editor.body_edit, "Our coffee is cheap today.")
    assert editor.is_dirty and view.save_action.isEnabled()
    qtbot.waitUntil(lambda: "banned_term" in _rules(view), timeout=WAIT)
    row = _rules(view).index("banned_term")
    finding = editor.finding_model.object_at(row)
    assert finding.suggestion == "affordable" and finding.severity == "error"
    assert editor.finding_model.is_blocking(finding)
    marks = editor.body_edit.marks()
    assert [(c.selectedText(), severity) for c, severity, _m in marks] == [("cheap", "error")]
    underline = editor.body_edit.extraSelections()[-1]
    assert underline.format.underlineColor() == QColor("#d13b2f")
    # The variant for X follows the body, and counts its length the X way.
    pane = editor._panes["tp-x"]
    qtbot.waitUntil(lambda: "cheap" in pane.text(), timeout=WAIT)
    assert not pane.edited and pane.length_text().endswith("/ 280")

    # Choosing the finding selects its words; the fix replaces them.
    editor.side_tabs.setCurrentIndex(0)
    editor.select_finding(row)
    assert editor.body_edit.textCursor().selectedText() == "cheap"
    assert editor.fix_button.isEnabled()
    qtbot.mouseClick(editor.fix_button, LEFT)
    assert editor.body_text() == "Our coffee is affordable today."
    _wait_checked(qtbot, view)
    assert "banned_term" not in _rules(view)
    assert editor.body_edit.marks() == []

    # Ctrl+S saves version 2; the history lists it with its author.
    qtbot.keyClick(editor.body_edit, Qt.Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: editor.version_model.rowCount() == 2, timeout=WAIT)
    assert not editor.is_dirty
    top = editor.version_model.object_at(0)
    assert (top.number, editor.version_model.display(top, VersionTableModel.COL_AUTHOR)) == (2, "Maya")
    assert ws.drafts.get(draft_id).body == "Our coffee is affordable today."

    # Ctrl+Shift+P shows the Markdown rendered beside the text.
    qtbot.keyClick(editor.body_edit, Qt.Key.Key_P, CTRL | SHIFT)
    assert editor.preview.isVisible()
    assert editor.preview.toPlainText().strip() == "Our coffee is affordable today."

    # Ctrl+Enter submits it; the header follows.
    qtbot.keyClick(editor.body_edit, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: ws.drafts.get(draft_id).status is DraftStatus.IN_REVIEW, timeout=WAIT)
    qtbot.waitUntil(lambda: editor.status_chip.text() == "In review", timeout=WAIT)
    assert "Waiting for: Chief content officer (any approver)" in editor.waiting_label.text()
    assert editor.body_text() == "Our coffee is affordable today."


def test_an_approver_approves_in_the_approvals_page(
    qtbot, ws: Workspace, svc: EditorialService, pages: Pages
) -> None:
    draft = svc.create(MAYA, "Cups", "We switch to compostable cups.", touchpoint_ids=["tp-x", "tp-blog"])
    svc.submit(MAYA, draft.id)
    drafts = pages.drafts(MAYA)
    _open(qtbot, drafts, draft.id)
    assert "approve" not in drafts.editor.action_buttons  # Maya is no approver

    page = pages.approvals(MAYA)
    assert page.review_model.rowCount() == 1
    qtbot.waitUntil(lambda: page.review is not None, timeout=WAIT)
    assert not page.approve_action.isEnabled()  # an editor may not approve
    page.set_user(HENRIKE)
    drafts.set_user(HENRIKE)
    assert "approve" in drafts.editor.action_buttons
    assert page.approve_action.isEnabled()
    entry = page.review_model.object_at(0)
    assert entry.waiting_for == "Chief content officer (any approver)" and entry.blocking == 0
    assert [page.variant_tabs.tabText(i).split(" · ")[0] for i in range(page.variant_tabs.count())] == [
        "X",
        "Blog",
        "Body",
    ]
    assert page.variant_tabs.tabText(0).endswith("/ 280")
    assert "First review" in page.diff_view.toPlainText()

    _activate(qtbot, page)
    page.review_table.setFocus()
    qtbot.keyClick(page.review_table, Qt.Key.Key_A, CTRL | SHIFT)
    assert "is now approved" in _message(qtbot, page)
    assert ws.drafts.get(draft.id).status is DraftStatus.APPROVED
    qtbot.waitUntil(
        lambda: page.approved_model.rowCount() == 1 and page.review_model.rowCount() == 0, timeout=WAIT
    )
    assert page.approved_model.object_at(0).waiting_for == "Scheduling (a scheduler)"
    # The Drafts page follows the store: the editor shows the new status.
    qtbot.waitUntil(lambda: drafts.editor.status_chip.text() == "Approved", timeout=WAIT)

    # Edited after approval, it is back in review, compared with the approved version.
    svc.save(MAYA, draft.id, body="We switch to recyclable cups.")
    qtbot.waitUntil(lambda: page.review_model.rowCount() == 1, timeout=WAIT)
    page.select_draft(draft.id)
    qtbot.waitUntil(lambda: page.review is not None and page.review.previous == 1, timeout=WAIT)
    assert page.bottom_tabs.tabText(1) == "Changes since version 1"
    assert "compostable" in page.diff_view.toPlainText() and "recyclable" in page.diff_view.toPlainText()


def test_the_queue_names_the_step_that_waits_and_who_may_give_it(
    qtbot, ws: Workspace, svc: EditorialService, pages: Pages
) -> None:
    from curator.editorial.workflow import ApprovalStep, EditorialConfig

    lena = User("Lena Legal", roles=[Role.APPROVER], login="lena", id="u-lena")
    ws.users.save(lena)
    steps = [ApprovalStep("Legal", Role.APPROVER, [lena.id]), ApprovalStep("Chief content officer")]
    ws.config.put("editorial", EditorialConfig(approval_steps=steps))
    draft = svc.create(MAYA, "Prices", "New prices from May.", touchpoint_ids=["tp-blog"])
    svc.submit(MAYA, draft.id)
    drafts = pages.drafts(MAYA)
    _open(qtbot, drafts, draft.id)
    assert drafts.editor.waiting_label.text().startswith(
        "Waiting for: Legal (Lena Legal), then Chief content officer"
    )
    page = pages.approvals(HENRIKE)
    assert page.review_model.object_at(0).waiting_for == "Legal (Lena Legal)"
    qtbot.waitUntil(lambda: page.review is not None, timeout=WAIT)
    page.approve_action.trigger()
    assert _message(qtbot, page) == "The next approval step is 'Legal', which Henrike may not give."
    page.activity.clear()
    page.set_user(lena)
    page.approve_action.trigger()
    assert "waits for the next approval step" in _message(qtbot, page)
    qtbot.waitUntil(
        lambda: (
            page.review_model.rowCount() == 1
            and page.review_model.object_at(0).waiting_for == "Chief content officer (any approver)"
        ),
        timeout=WAIT,
    )
    waiting = drafts.editor.waiting_label
    qtbot.waitUntil(lambda: "Waiting for: Chief content officer" in waiting.text(), timeout=WAIT)


def test_blocking_findings_are_waived_with_a_reason_before_approval(
    qtbot, ws: Workspace, svc: EditorialService, pages: Pages
) -> None:
    draft = svc.create(MAYA, "Deals", "Our coffee is cheap this week.", touchpoint_ids=["tp-blog"])
    svc.submit(MAYA, draft.id)
    page = pages.approvals(HENRIKE)
    qtbot.waitUntil(lambda: page.review is not None, timeout=WAIT)
    assert page.review_model.object_at(0).blocking == 1
    page.approve_action.trigger()
    assert "brand-check finding" in _message(qtbot, page) and page.activity.kind == "error"
    assert ws.drafts.get(draft.id).status is DraftStatus.IN_REVIEW

    row = next(n for n, f in enumerate(page.finding_model.objects()) if f.rule == "banned_term")
    page.findings_table.selectRow(row)
    assert page.waive_action.isEnabled()
    assert "Blocks approval" in page.finding_detail.text()
    page.waive_action.trigger()
    dialog = page.reason_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.setTextValue("Quoting a customer review")
    dialog.accept()
    assert _message(qtbot, page) == "Waived the finding."
    qtbot.waitUntil(lambda: page.review is not None and not page.review.blocking, timeout=WAIT)
    assert page.finding_model.state_text(page.finding_model.object_at(row)).startswith("Waived by Henrike")
    page.activity.clear()
    page.approve_action.trigger()
    assert "is now approved" in _message(qtbot, page)
    waived = [e for e in svc.audit.entries(draft.id) if e.action == "waive"]
    assert waived and "Quoting a customer review" in waived[0].reason


def test_request_changes_asks_why_and_the_editor_follows_without_losing_text(
    qtbot, ws: Workspace, svc: EditorialService, pages: Pages
) -> None:
    draft = svc.create(MAYA, "Cups", "We switch to compostable cups.", touchpoint_ids=["tp-x"])
    svc.submit(MAYA, draft.id)
    drafts = pages.drafts(MAYA)
    _open(qtbot, drafts, draft.id)
    editor = drafts.editor
    editor.body_edit.moveCursor(editor.body_edit.textCursor().MoveOperation.End)
    qtbot.keyClicks(editor.body_edit, " From March.")
    assert editor.is_dirty

    page = pages.approvals(HENRIKE)
    qtbot.waitUntil(lambda: page.review is not None, timeout=WAIT)
    _activate(qtbot, page)
    page.review_table.setFocus()
    qtbot.keyClick(page.review_table, Qt.Key.Key_R, CTRL | SHIFT)
    dialog = page.reason_dialog
    assert dialog is not None
    dialog.setTextValue("Say which cups.")
    dialog.accept()
    assert "changes requested" in _message(qtbot, page)
    qtbot.waitUntil(lambda: page.review_model.rowCount() == 0, timeout=WAIT)
    assert page.stack.currentWidget() is page.empty_state

    # The author's page shows the new status; the unsaved sentence is still there.
    qtbot.waitUntil(lambda: editor.status_chip.text() == "Changes requested", timeout=WAIT)
    assert editor.body_text() == "We switch to compostable cups. From March."
    assert editor.is_dirty
    assert any(e.reason == "Say which cups." for e in editor.audit_model.objects())


# ------------------------------------------------------------------ who may
def test_a_guest_reads_everything_and_changes_nothing(
    qtbot, ws: Workspace, svc: EditorialService, pages: Pages
) -> None:
    draft = svc.create(MAYA, "Cups", "We switch to compostable cups.", touchpoint_ids=["tp-x"])
    view = pages.drafts(GUEST)
    _open(qtbot, view, draft.id)
    editor = view.editor
    reason = editor.read_only_reason()
    assert reason is not None and "not a member of this workspace" in reason
    assert editor.banner.isVisible() and editor.banner.text() == reason
    assert editor.body_edit.isReadOnly() and editor.title_edit.isReadOnly()
    assert editor._panes["tp-x"].text_edit.isReadOnly()
    assert not editor.action_buttons
    assert not view.new_action.isEnabled() and not view.comment_action.isEnabled()
    view.new_draft()
    assert "not a member" in _message(qtbot, view) and view.new_dialog is None
    page = pages.approvals(GUEST)
    assert not page.approve_action.isEnabled() and not page.request_action.isEnabled()


def test_the_archived_draft_says_why_it_cannot_be_edited(
    qtbot, ws: Workspace, svc: EditorialService, pages: Pages
) -> None:
    draft = svc.create(MAYA, "Old news", "Gone.")
    svc.archive(MAYA, draft.id, "Outdated")
    view = pages.drafts(MAYA)
    assert view.drafts_proxy.rowCount() == 0  # "Active" hides archived drafts
    _open(qtbot, view, draft.id)
    assert view.status_combo.currentText() == "All statuses"  # shown once opened
    assert "Restore it from the archive" in view.editor.banner.text()
    assert list(view.editor.action_buttons) == ["restore"]


# ------------------------------------------------------------------ versions
def test_the_diff_between_two_versions_shows_deleted_and_inserted_words(
    qtbot, ws: Workspace, svc: EditorialService, pages: Pages
) -> None:
    draft = svc.create(MAYA, "Cups", "We switch to compostable cups in March.", touchpoint_ids=["tp-x"])
    svc.save(MAYA, draft.id, body="We switch to recyclable cups in April.", note="new supplier")
    view = pages.drafts(MAYA)
    _open(qtbot, view, draft.id)
    editor = view.editor
    assert [v.number for v in editor.version_model.objects()] == [2, 1]
    assert editor.version_model.object_at(0).note == "new supplier"
    with qtbot.waitSignal(editor.diff_shown, timeout=WAIT):
        editor.select_versions(1, 2)
    struck, marked = [], []
    block = editor.diff_view.document().begin()
    while block.isValid():
        fragments = block.begin()
        while not fragments.atEnd():
            fragment = fragments.fragment()
            fmt = fragment.charFormat()
            if fmt.fontStrikeOut():
                struck.append(fragment.text().strip())
            elif fmt.background().color() == QColor("#d6f0de"):
                marked.append(fragment.text().strip())
            fragments += 1
        block = block.next()
    assert "compostable" in struck and "March." in struck
    assert "recyclable" in marked and "April." in marked

    # Restoring version 1 makes version 3 with its words.
    editor.select_versions(1)
    assert editor.restore_button.isEnabled()
    qtbot.mouseClick(editor.restore_button, LEFT)
    qtbot.waitUntil(lambda: ws.drafts.get(draft.id).version == 3, timeout=WAIT)
    qtbot.waitUntil(lambda: editor.body_text() == "We switch to compostable cups in March.", timeout=WAIT)
    assert not editor.is_dirty
    qtbot.waitUntil(lambda: editor.version_model.rowCount() == 3, timeout=WAIT)
    assert editor.version_model.object_at(0).note == "Restored version 1"


# ------------------------------------------------------- unsaved text is safe
def test_switching_drafts_asks_about_unsaved_changes(
    qtbot, ws: Workspace, svc: EditorialService, pages: Pages
) -> None:
    first = svc.create(MAYA, "First", "Alpha text.")
    second = svc.create(MAYA, "Second", "Beta text.")
    view = pages.drafts(MAYA)
    _open(qtbot, view, first.id)
    editor = view.editor
    editor.body_edit.moveCursor(editor.body_edit.textCursor().MoveOperation.End)
    qtbot.keyClicks(editor.body_edit, " More.")
    assert editor.is_dirty

    def select(draft_id: str) -> None:
        row = view.drafts_model.row_of(draft_id)
        index = view.drafts_proxy.mapFromSource(view.drafts_model.index(row, 0))
        view.drafts_table.selectionModel().select(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        )

    # Cancel: nothing changes, the list still shows the draft being edited.
    select(second.id)
    box = view.unsaved_box
    assert box is not None and box.isVisible() and "“First”" in box.text()
    assert view.selected_draft().id == first.id
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert editor.draft.id == first.id and editor.is_dirty
    assert editor.body_text() == "Alpha text. More."

    # Discard: the other draft opens, the first stays as saved.
    select(second.id)
    view.unsaved_box.button(QMessageBox.StandardButton.Discard).click()
    qtbot.waitUntil(lambda: editor.draft is not None and editor.draft.id == second.id, timeout=WAIT)
    assert ws.drafts.get(first.id).body == "Alpha text." and not editor.is_dirty

    # Save: the changes become a version, then the other draft opens.
    editor.body_edit.moveCursor(editor.body_edit.textCursor().MoveOperation.End)
    qtbot.keyClicks(editor.body_edit, " Kept.")
    select(first.id)
    view.unsaved_box.button(QMessageBox.StandardButton.Save).click()
    qtbot.waitUntil(lambda: editor.draft is not None and editor.draft.id == first.id, timeout=WAIT)
    saved = ws.drafts.get(second.id)
    assert (saved.body, saved.version) == ("Beta text. Kept.", 2)


def test_a_concurrent_save_is_refused_and_the_text_stays(
    qtbot, ws: Workspace, svc: EditorialService, pages: Pages
) -> None:
    draft = svc.create(MAYA, "Menu", "Winter menu.")
    view = pages.drafts(MAYA)
    _open(qtbot, view, draft.id)
    editor = view.editor
    editor.body_edit.moveCursor(editor.body_edit.textCursor().MoveOperation.End)
    qtbot.keyClicks(editor.body_edit, " With soup!")

    svc.save(EDDIE, draft.id, body="Winter menu, with bread.", expected_version=1)
    qtbot.waitUntil(lambda: "Eddie saved version 2" in editor.banner.text(), timeout=WAIT)
    assert editor.banner.isVisible() and editor.base_version == 1
    assert editor.body_text() == "Winter menu. With soup!"

    view.save()
    assert "Eddie saved version 2 of 'Menu' while you were editing version 1" in _message(qtbot, view)
    assert view.activity.kind == "error"
    assert editor.body_text() == "Winter menu. With soup!" and editor.is_dirty
    assert ws.drafts.get(draft.id).body == "Winter menu, with bread."


# ------------------------------------------------------------------- details
def test_comment_on_selection_anchors_to_the_words(
    qtbot, ws: Workspace, svc: EditorialService, pages: Pages
) -> None:
    draft = svc.create(MAYA, "Cups", "We switch to compostable cups in March.")
    view = pages.drafts(HENRIKE)
    _open(qtbot, view, draft.id)
    editor = view.editor
    assert editor.body_edit.isReadOnly()  # an approver comments but does not edit
    body = editor.body_text()
    cursor = editor.body_edit.textCursor()
    cursor.setPosition(qt_offset(body, body.index("March")))
    cursor.setPosition(qt_offset(body, body.index("March") + 5), cursor.MoveMode.KeepAnchor)
    editor.body_edit.setTextCursor(cursor)
    _activate(qtbot, view)
    editor.body_edit.setFocus()
    qtbot.keyClick(editor.body_edit, Qt.Key.Key_M, CTRL | ALT)
    dialog = editor.comment_dialog
    assert dialog is not None and "March" in dialog.labelText()
    dialog.setTextValue("Which date exactly?")
    dialog.accept()
    qtbot.waitUntil(lambda: editor.comment_model.rowCount() == 1, timeout=WAIT)
    comment = editor.comment_model.object_at(0)
    assert (comment.quote, comment.version, comment.author_id) == ("March", 1, HENRIKE.id)
    assert editor.side_tabs.tabText(2) == "Comments (1)"
    editor.comments_table.selectRow(0)
    assert "Which date exactly?" in editor.comment_detail.text()


def test_details_change_without_a_new_version_and_sources_are_listed(
    qtbot, ws: Workspace, svc: EditorialService, pages: Pages
) -> None:
    draft = svc.create(
        MAYA,
        "Cups",
        "We switch to compostable cups.",
        citations=[Citation(url="https://example.com/cups", title="Supplier note")],
    )
    view = pages.drafts(MAYA)
    _open(qtbot, view, draft.id)
    editor = view.editor
    assert editor.citation_model.rowCount() == 1
    assert editor.citation_model.display(
        editor.citation_model.object_at(0), CitationTableModel.COL_TITLE
    ) == ("Supplier note")
    editor.assignee_combo.setCurrentIndex(editor.assignee_combo.findData(EDDIE.id))
    editor.assignee_combo.activated.emit(editor.assignee_combo.currentIndex())
    qtbot.keyClicks(editor.tags_edit, "cups, spring")
    assert editor.is_dirty
    view.save()
    qtbot.waitUntil(lambda: ws.drafts.get(draft.id).assignee_id == EDDIE.id, timeout=WAIT)
    saved = ws.drafts.get(draft.id)
    assert (saved.tags, saved.version) == (["cups", "spring"], 1)
    qtbot.waitUntil(lambda: not editor.is_dirty, timeout=WAIT)


def test_a_variant_written_by_hand_and_following_the_body_again(
    qtbot, ws: Workspace, svc: EditorialService, pages: Pages
) -> None:
    draft = svc.create(MAYA, "Cups", "We switch to compostable cups.", touchpoint_ids=["tp-x"])
    view = pages.drafts(MAYA)
    _open(qtbot, view, draft.id)
    editor = view.editor
    pane = editor._panes["tp-x"]
    assert not pane.edited and not pane.follow_button.isVisible()
    pane.text_edit.selectAll()
    qtbot.keyClicks(pane.text_edit, "Cups, finally compostable.")
    assert pane.edited and editor.is_dirty
    view.save()
    qtbot.waitUntil(lambda: editor.base_version == 2 and not editor.is_dirty, timeout=WAIT)
    assert ws.drafts.get(draft.id).variants["tp-x"].edited
    editor.text_tabs.setCurrentWidget(pane)
    assert pane.follow_button.isVisible()
    qtbot.mouseClick(pane.follow_button, LEFT)
    assert not pane.edited and editor.is_dirty
    qtbot.waitUntil(lambda: "We switch to compostable cups." in pane.text(), timeout=WAIT)
    view.save()
    qtbot.waitUntil(lambda: ws.drafts.get(draft.id).version == 3, timeout=WAIT)
    assert not ws.drafts.get(draft.id).variants["tp-x"].edited


def test_new_from_issue_creates_and_opens_the_draft(qtbot, ws: Workspace, pages: Pages) -> None:
    from curator.domain import Issue, Item, Source

    source = Source("Forum", "https://forum.example.org/rss")
    issue = Issue("Oat milk surcharge", keyphrases=["oat milk", "surcharge"], item_count=1)
    item = Item(source.id, "Why pay more?", "Oat milk costs extra again.", url="https://forum.example.org/1")
    item.issue_id = issue.id
    ws.sources.save(source)
    ws.issues.save(issue)
    ws.items.save(item)
    view = pages.drafts(MAYA)
    view.new_from_issue(issue.id)
    qtbot.waitUntil(lambda: view.editor.draft is not None, timeout=WAIT)
    assert view.editor.draft.title == "Oat milk surcharge"
    assert view.editor.citation_model.object_at(0).url == "https://forum.example.org/1"

    view.new_from_items([item.id])
    editor = view.editor
    qtbot.waitUntil(lambda: editor.draft is not None and editor.draft.title != issue.label, timeout=WAIT)
    assert view.editor.draft.title == "Why pay more?"
    assert view.editor.body_text() == "> Oat milk costs extra again."
    assert view.activity.text == "Created “Why pay more?”."


# ------------------------------------------------------------------- audit
def test_the_audit_dialog_says_the_log_is_whole_and_exports_csv(
    qtbot, qtmodeltester, tmp_path: Path, ws: Workspace, svc: EditorialService, pages: Pages
) -> None:
    draft = svc.create(MAYA, "Audit me", "Text.")
    svc.submit(MAYA, draft.id)
    svc.request_changes(HENRIKE, draft.id, "Too short")
    page = pages.approvals(HENRIKE)
    dialog = page.show_audit_log()
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=WAIT)
    assert dialog.verification_label.text() == "The audit log is whole (3 entries)."
    qtmodeltester.check(dialog.model)
    assert dialog.model.rowCount() == 3
    top = dialog.model.object_at(0)
    assert dialog.model.display(top, AuditEntryModel.COL_ACTION) == "Asked for changes"
    assert dialog.model.display(top, AuditEntryModel.COL_SUBJECT) == "Audit me"
    assert dialog.model.display(top, AuditEntryModel.COL_MOVE) == "In review → Changes requested"
    target = tmp_path / "audit.csv"
    with qtbot.waitSignal(dialog.export_finished, timeout=WAIT) as blocker:
        dialog.export_csv(str(target))
    assert blocker.args == [f"Exported 3 audit entries to {target}.", False]
    assert target.read_text(encoding="utf-8").splitlines()[0].startswith("seq,at,user_id,action")
    # A new entry shows up while the dialog is open.
    svc.submit(MAYA, draft.id)
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 4, timeout=WAIT)
    assert dialog.verification_label.text() == "The audit log is whole (4 entries)."


# ------------------------------------------------------------------- models
def test_models_pass_qtmodeltester(
    qtbot, qtmodeltester, ws: Workspace, svc: EditorialService, pages: Pages
) -> None:
    for model in (
        DraftTableModel(),
        VersionTableModel(),
        CommentTableModel(),
        FindingTableModel(),
        CitationTableModel(),
        AuditEntryModel(),
        ApprovalQueueModel(),
    ):
        qtmodeltester.check(model)
    draft = svc.create(
        MAYA, "Cups", "Cheap cups.", touchpoint_ids=["tp-x"], citations=[Citation(url="https://a.example")]
    )
    svc.save(MAYA, draft.id, body="Cheap cups, really.")
    svc.add_comment(HENRIKE, draft.id, "Hm", 0, 5)
    svc.submit(MAYA, draft.id)
    view = pages.drafts(MAYA)
    _open(qtbot, view, draft.id)
    editor = view.editor
    qtbot.waitUntil(lambda: editor.finding_model.rowCount() > 0, timeout=WAIT)
    for model in (
        view.drafts_model,
        view.drafts_proxy,
        editor.finding_model,
        editor.version_model,
        editor.comment_model,
        editor.citation_model,
        editor.audit_model,
    ):
        qtmodeltester.check(model)
        assert model.rowCount() > 0
    index = view.drafts_proxy.index(0, DraftTableModel.COL_STATUS)
    assert DraftStatus(index.data(StatusRole)) is DraftStatus.IN_REVIEW
    assert index.data(DomainObjectRole).id == draft.id
    page = pages.approvals(HENRIKE)
    qtmodeltester.check(page.review_model)
    qtmodeltester.check(page.finding_model)
    assert page.review_model.rowCount() == 1

    # The keyed updates insert, remove, change and move rows under the tester's eyes.
    versions = VersionTableModel()
    qtmodeltester.check(versions)
    v1, v2 = svc.versions(draft.id)
    versions.update_rows([v1])
    versions.update_rows([v2, v1])
    versions.update_rows([v1, v2])
    versions.update_rows([v2])
    versions.update_rows([])
    assert versions.rowCount() == 0


def test_search_and_status_filter(qtbot, ws: Workspace, svc: EditorialService, pages: Pages) -> None:
    svc.create(MAYA, "Oat milk answer", "x", tags=["oat"])
    review = svc.create(MAYA, "App outage apology", "y")
    svc.submit(MAYA, review.id)
    view = pages.drafts(MAYA)
    qtbot.waitUntil(lambda: view.drafts_proxy.rowCount() == 2, timeout=WAIT)
    view.search_edit.setText("outage")
    assert view.drafts_proxy.rowCount() == 1
    view.search_edit.clear()
    view.status_combo.setCurrentIndex(view.status_combo.findText("In review"))
    titles = [view.drafts_proxy.index(r, 0).data() for r in range(view.drafts_proxy.rowCount())]
    assert titles == ["App outage apology"]
    assert view.header.summary_label.text() == "2 drafts, 1 in review"

    # Enter opens the draft under the cursor and puts the cursor in its body.
    view.status_combo.setCurrentIndex(view.status_combo.findText("All statuses"))
    _activate(qtbot, view)
    view.drafts_table.setFocus()
    view.drafts_table.setCurrentIndex(view.drafts_proxy.index(1, 0))
    wanted = view.drafts_proxy.index(1, 0).data(DomainObjectRole).id
    qtbot.keyClick(view.drafts_table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.editor.draft is not None and view.editor.draft.id == wanted, timeout=WAIT)
    assert view.editor.body_edit.hasFocus()


def test_a_check_result_for_older_text_is_discarded(
    qtbot, ws: Workspace, svc: EditorialService, pages: Pages
) -> None:
    draft = svc.create(MAYA, "Cups", "Cheap cups.")
    view = pages.drafts(MAYA)
    _open(qtbot, view, draft.id)
    editor = view.editor
    _wait_checked(qtbot, view)
    stale = editor._last_check
    assert stale is not None and "banned_term" in _rules(view)
    editor.body_edit.selectAll()
    qtbot.keyClicks(editor.body_edit, "Fine cups.")
    assert editor.checks_summary.text() == "Checking…"
    with qtbot.assertNotEmitted(editor.checks_applied):
        editor._on_check_done(stale)  # a late result about "Cheap cups." arrives: ignored
    _wait_checked(qtbot, view)
    assert "banned_term" not in _rules(view) and editor._last_check is not stale
