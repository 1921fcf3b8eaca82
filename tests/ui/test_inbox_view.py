"""The Inbox page over the triaged demo workspace, an empty one and a fresh one.

The page runs its jobs on a synchronous pool (every read and action has
finished when the call that started it returns); store events still arrive
through the bridge's queued signal, so tests wait for them.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from curator.domain import Channel, Item, Role, Source, SourceKind, User, utcnow
from curator.triage.model import ConversationStatus, ReplyStatus, TriageGroup
from curator.triage.service import ConversationFilter, DeskService
from curator.workspace import Workspace
from ui.models import DomainObjectRole, StoreEventBridge
from ui.models_inbox import (
    BREACHED_COLOR,
    WARNING_COLOR,
    EarlierModel,
    InboxTableModel,
    MovedItemsModel,
    TargetsModel,
    TimelineModel,
    WatchedTermsModel,
)
from ui.tasks import SyncPool, TaskRunner
from ui.views.inbox import InboxView
from ui.views.inbox_tasks import MASKING, pseudonym

# The offscreen platform cannot raise windows or grab the keyboard for a popup menu.
pytestmark = pytest.mark.qt_log_ignore(
    r"This plugin does not support (propagateSizeHints\(\)|raise\(\)|grabbing the keyboard)"
)

WAIT = 10_000


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture(scope="module")
def desk_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo workspace with its customer messages triaged once (spaCy runs here only)."""
    from curator.demo import ensure_demo_workspace

    path = ensure_demo_workspace(tmp_path_factory.mktemp("inbox") / "demo")
    with Workspace.open(path) as ws:
        DeskService(ws).triage_new()
    return path


@pytest.fixture
def desk_ws(desk_path: Path, tmp_path: Path) -> Iterator[Workspace]:
    copy = tmp_path / "demo"
    shutil.copytree(desk_path, copy)
    ws = Workspace.open(copy)
    yield ws
    ws.close()


@pytest.fixture
def clock() -> Clock:
    return Clock(utcnow())


def _member(ws: Workspace, first_name: str) -> User:
    return next(u for u in ws.users.list() if u.name.startswith(first_name))


class Page:
    """An attached Inbox with its runner and bridge, closed at teardown."""

    def __init__(self, qtbot, ws: Workspace, clock: Clock, user: User | None, may_unmask: bool) -> None:
        self.runner = TaskRunner(SyncPool())
        self.view = InboxView(self.runner, clock=clock)
        qtbot.addWidget(self.view)
        self.view.resize(1280, 800)
        self.view.set_user(user, may_unmask)
        self.bridge = StoreEventBridge(ws)
        self.view.attach(ws, self.bridge)
        qtbot.waitUntil(lambda: self.view.model.loaded, timeout=WAIT)

    def close(self) -> None:
        self.view.detach()
        self.bridge.close()
        self.runner.shutdown(WAIT)


@pytest.fixture
def open_page(qtbot, clock: Clock) -> Iterator:
    pages: list[Page] = []

    def make(ws: Workspace, user: User | None = None, may_unmask: bool = False) -> InboxView:
        page = Page(qtbot, ws, clock, user, may_unmask)
        pages.append(page)
        return page.view

    yield make
    for page in pages:
        page.close()


def _show(qtbot, view: InboxView) -> None:
    view.show()
    qtbot.waitExposed(view)
    view.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is view, timeout=5000)


def _desk(ws: Workspace, clock: Clock) -> DeskService:
    return DeskService(ws, clock=clock)


def _cell(view: InboxView, conversation_id: str, column: int, role: int = Qt.ItemDataRole.DisplayRole):
    row = view.model.row_of(conversation_id)
    assert row is not None
    return view.model.index(row, column).data(role)


# --------------------------------------------------------------------------- models
def test_models_pass_qtmodeltester(qtbot, qtmodeltester, desk_ws: Workspace, open_page) -> None:
    view = open_page(desk_ws, _member(desk_ws, "Priya"), may_unmask=True)
    assert view.model.rowCount() > 100
    qtmodeltester.check(view.model)
    qtmodeltester.check(view.proxy)
    qtbot.waitUntil(lambda: view.pane.data is not None, timeout=WAIT)
    qtmodeltester.check(view.pane.timeline_model)
    assert isinstance(view.pane.timeline_model.index(0, 0).data(DomainObjectRole), object)
    view.open_rules_dialog()
    dialog = view.rules_dialog
    assert dialog is not None
    qtmodeltester.check(dialog.terms_model)
    view.preview_rules(replace(dialog.rules(), urgent_reach=1_000))
    qtmodeltester.check(dialog.moved_model)
    dialog.reject()
    view.open_targets_dialog()
    assert view.targets_dialog is not None
    qtmodeltester.check(view.targets_dialog.model)
    view.targets_dialog.reject()
    for model in (InboxTableModel(), TimelineModel(), EarlierModel(), WatchedTermsModel(), TargetsModel()):
        qtmodeltester.check(model)
    qtmodeltester.check(MovedItemsModel())


def test_queues_show_the_counts_and_order_of_the_core(
    qtbot, desk_ws: Workspace, clock: Clock, open_page
) -> None:
    view = open_page(desk_ws, _member(desk_ws, "Priya"))
    desk = _desk(desk_ws, clock)
    for group, label in (
        (TriageGroup.URGENT, "Urgent"),
        (TriageGroup.REPLY, "Reply"),
        (TriageGroup.NONE, "No reply"),
    ):
        expected = len(desk.conversations(ConversationFilter(groups=(group,))))
        assert expected > 0
        assert view.proxy.counts[group.value] == expected
        assert view.queue_buttons[group.value].text() == f"{label}  {expected:,}"
    # The urgent queue lists the core's urgent rows in the core's order (most overdue first).
    core = [s.conversation.id for s in desk.conversations(ConversationFilter(groups=(TriageGroup.URGENT,)))]
    shown = [view.proxy.index(r, 0).data(DomainObjectRole).id for r in range(view.proxy.rowCount())]
    assert shown == core
    # Filters narrow every queue's count the way the core's filter does.
    view.set_filters(channel=Channel.X)
    for group in TriageGroup:
        assert view.proxy.counts[group.value] == len(
            desk.conversations(ConversationFilter(groups=(group,), channel=Channel.X))
        )
    priya = _member(desk_ws, "Priya")
    view.set_filters(assignee="me")
    assert view.proxy.counts["reply"] == len(
        desk.conversations(ConversationFilter(groups=(TriageGroup.REPLY,), assignee_id=priya.id))
    )
    view.set_filters(assignee="")
    assert view.proxy.counts["urgent"] == len(
        desk.conversations(ConversationFilter(groups=(TriageGroup.URGENT,), assignee_id=""))
    )
    view.set_filters(assignee="group:billing", statuses=frozenset({"resolved"}))
    for group in TriageGroup:
        assert view.proxy.counts[group.value] == len(
            desk.conversations(
                ConversationFilter(
                    statuses=(ConversationStatus.RESOLVED,), groups=(group,), expert_group="billing"
                )
            )
        )
    view.search_edit.setText("no customer is called this")
    assert view.proxy.counts == {"urgent": 0, "reply": 0, "none": 0}
    qtbot.waitUntil(lambda: view.list_stack.currentWidget() is view.queue_empty, timeout=WAIT)
    assert "filters" in view.queue_empty.message


# --------------------------------------------------------------------------- keyboard
def test_one_conversation_from_arrival_to_resolved_with_the_keyboard_only(
    qtbot, desk_ws: Workspace, clock: Clock, open_page
) -> None:
    priya = _member(desk_ws, "Priya")
    view = open_page(desk_ws, priya, may_unmask=True)
    _show(qtbot, view)
    view.table.setFocus()
    urgent = view.proxy.counts["urgent"]
    # A customer with a large audience complains on X; Ctrl+R triages it into the urgent queue.
    source = Source(title="X mentions", url="file:x.csv", kind=SourceKind.MENTIONS, channel=Channel.X)
    desk_ws.sources.save(source)
    desk_ws.items.save(
        Item(
            source_id=source.id,
            title="",
            text="@northwindcoffee you charged me twice for order #NW-51234 and nobody answers. Help?",
            author="@lena_brews",
            author_reach=52_000,
            channel=Channel.X,
            published_at=clock.now - timedelta(minutes=1),
        )
    )
    qtbot.keyClick(view.table, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert view.activity.text.startswith("Triaged 1 new message: 1 urgent")
    qtbot.waitUntil(lambda: view.proxy.counts["urgent"] == urgent + 1, timeout=WAIT)
    # Due in 29 minutes, it comes after the late ones and before those waiting for the customer
    # (no timer runs for them): Ctrl+End, then K up to it.
    tables = _desk(desk_ws, clock).tables
    order = [
        s.conversation.id
        for s in _desk(desk_ws, clock).conversations(ConversationFilter(groups=(TriageGroup.URGENT,)))
    ]
    row = next(
        n for n, conv_id in enumerate(order) if tables.conversations.get(conv_id).customer == "@lena_brews"
    )
    assert all(tables.conversations.get(c).status == ConversationStatus.WAITING for c in order[row + 1 :])
    qtbot.keyClick(view.table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    assert view.table.currentIndex().row() == urgent
    for _ in range(urgent - row):
        qtbot.keyClick(view.table, Qt.Key.Key_K)
    target = view.selected_conversation_id()
    assert target == order[row] and view.table.currentIndex().row() == row
    before = tables.conversations.get(target)
    assert before.customer == "@lena_brews" and before.group == TriageGroup.URGENT
    assert before.status == ConversationStatus.OPEN and before.first_response_at is None
    assert _cell(view, target, InboxTableModel.COL_TIMER) == "29:00 left"
    qtbot.waitUntil(lambda: view.pane.conversation_id == target, timeout=WAIT)
    # A, then Enter: "Assign to me" is the menu's first, active entry.
    qtbot.keyClick(view.table, Qt.Key.Key_A)
    menu = view.assign_menu
    assert menu is not None
    qtbot.waitUntil(menu.isVisible, timeout=5000)
    assert menu.activeAction().text() == "Assign to me"
    qtbot.keyClick(menu, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: tables.conversations.get(target).assignee_id == priya.id, timeout=WAIT)
    qtbot.waitUntil(lambda: _cell(view, target, InboxTableModel.COL_ASSIGNEE) == priya.name, timeout=WAIT)
    assert view.activity.text == "Assigned to you."
    qtbot.waitUntil(lambda: not menu.isVisible(), timeout=5000)
    _show(qtbot, view)  # the offscreen platform does not give the window back after a popup
    # R puts the cursor in the reply editor; type, then Ctrl+Enter copies and marks it sent.
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_R)
    editor = view.pane.reply_editor
    assert editor.text.hasFocus()
    qtbot.keyClicks(editor.text, "Sorry for the wait! Account settings, then Manage, then End membership.")
    assert editor.channel == tables.conversations.get(target).channel
    clock.advance(minutes=2)
    qtbot.keyClick(editor.text, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: tables.conversations.get(target).first_response_at is not None, timeout=WAIT)
    replies = [r for r in tables.replies.list() if r.conversation_id == target]
    assert len(replies) == 1 and replies[0].status == ReplyStatus.SENT
    assert replies[0].text.startswith("Sorry for the wait!") and replies[0].sent_by == priya.id
    assert QGuiApplication.clipboard().text() == replies[0].text
    after = tables.conversations.get(target)
    assert after.first_response_at == clock.now and after.status == ConversationStatus.WAITING
    assert editor.text.toPlainText() == ""
    assert "first response" in view.activity.text
    qtbot.keyClick(editor.text, Qt.Key.Key_Escape)  # back to the list
    assert view.table.hasFocus()
    qtbot.waitUntil(lambda: _cell(view, target, InboxTableModel.COL_TIMER) == "Waiting", timeout=WAIT)
    qtbot.waitUntil(lambda: any(e.kind == "reply" for e in view.pane.timeline_model.entries()), timeout=WAIT)
    # E resolves it: it leaves the open-and-waiting queue and the next one is selected.
    qtbot.keyClick(view.table, Qt.Key.Key_E)
    qtbot.waitUntil(
        lambda: tables.conversations.get(target).status == ConversationStatus.RESOLVED, timeout=WAIT
    )
    qtbot.waitUntil(
        lambda: view.model.row_object(view.model.row_of(target)).conversation.status == "resolved",
        timeout=WAIT,
    )
    assert view.selected_conversation_id() not in (None, target)
    assert all(
        view.proxy.index(r, 0).data(DomainObjectRole).id != target for r in range(view.proxy.rowCount())
    )


def test_actions_need_an_agent_and_explain_why(qtbot, desk_ws: Workspace, open_page) -> None:
    view = open_page(desk_ws, _member(desk_ws, "Maya"))  # an editor
    assert view.selected_conversation_id() is not None
    assert not view.assign_action.isEnabled() and not view.resolve_action.isEnabled()
    assert "agent role" in view.assign_action.toolTip()
    assert view.pane.reply_editor.text.isReadOnly()
    assert "(A)" in view.assign_action.toolTip() and "J" in view.shortcut_list()
    # An editor may start a draft citing the conversation's messages (the Drafts page takes over).
    assert view.draft_action.isEnabled()
    conversation_id = view.selected_conversation_id()
    with qtbot.waitSignal(view.draft_requested, timeout=WAIT) as blocker:
        view.draft_action.trigger()
    assert conversation_id is not None
    conversation = _desk(desk_ws, Clock(utcnow())).conversation(conversation_id).conversation
    assert blocker.args == [list(conversation.item_ids)]
    agent_only = open_page(desk_ws, _member(desk_ws, "Priya"))
    assert not agent_only.draft_action.isEnabled()


def test_note_and_override_keep_the_reason(qtbot, desk_ws: Workspace, clock: Clock, open_page) -> None:
    view = open_page(desk_ws, _member(desk_ws, "Lukas"))
    _show(qtbot, view)
    target = view.selected_conversation_id()
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_N)
    assert view.note_dialog is not None
    view.note_dialog.setTextValue("Customer called the shop too.")
    view.note_dialog.accept()
    tables = _desk(desk_ws, clock).tables
    assert [n.text for n in tables.conversations.get(target).notes] == ["Customer called the shop too."]
    qtbot.waitUntil(lambda: any(e.kind == "note" for e in view.pane.timeline_model.entries()), timeout=WAIT)
    _show(qtbot, view)  # the offscreen platform does not give the window back after a dialog
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_O)
    dialog = view.override_dialog
    assert dialog is not None
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()  # a reason is required
    dialog.group_combo.setCurrentIndex(dialog.group_combo.findData("reply"))
    qtbot.keyClicks(dialog.reason_edit, "A joke, not a complaint")
    ok.click()
    conv = tables.conversations.get(target)
    assert conv.group == TriageGroup.REPLY and conv.group_override.reason == "A joke, not a complaint"
    # It left the urgent queue; the page went on to the next urgent conversation.
    qtbot.waitUntil(lambda: view.selected_conversation_id() != target, timeout=WAIT)
    assert view.proxy.counts["reply"] == len(
        _desk(desk_ws, clock).conversations(ConversationFilter(groups=(TriageGroup.REPLY,)))
    )


def test_link_unlink_wait_resolve_and_share(qtbot, desk_ws: Workspace, clock: Clock, open_page) -> None:
    view = open_page(desk_ws, _member(desk_ws, "Priya"))
    tables = _desk(desk_ws, clock).tables
    first, second = (view.proxy.index(r, 0).data(DomainObjectRole).id for r in range(2))
    assert view.selected_conversation_id() == first
    qtbot.waitUntil(lambda: view.pane.conversation_id == first, timeout=WAIT)
    assert not view.unlink_action.isEnabled()
    view.link_action.trigger()
    dialog = view.link_dialog
    assert dialog is not None and dialog.select_conversation(second)
    assert not dialog.select_conversation(first)  # not with itself
    dialog.reason_edit.setText("Same order number")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert tables.conversations.get(second).merged_into == first
    qtbot.waitUntil(lambda: view.model.row_of(second) is None, timeout=WAIT)
    qtbot.waitUntil(lambda: view.unlink_action.isEnabled(), timeout=WAIT)
    view.unlink_action.trigger()
    assert view.unlink_dialog is not None
    view.unlink_dialog.accept()
    assert tables.conversations.get(second).merged_into is None
    qtbot.waitUntil(lambda: view.model.row_of(second) is not None, timeout=WAIT)
    # W: waiting for the customer; E: resolved, and the page moves on.
    assert view.selected_conversation_id() == first
    view.waiting_action.trigger()
    assert tables.conversations.get(first).status == ConversationStatus.WAITING
    qtbot.waitUntil(
        lambda: view.resolve_action.isEnabled() and not view.waiting_action.isEnabled(), timeout=WAIT
    )
    view.resolve_action.trigger()
    assert tables.conversations.get(first).status == ConversationStatus.RESOLVED
    qtbot.waitUntil(lambda: view.selected_conversation_id() not in (None, first), timeout=WAIT)
    # Resolved conversations can be shared to the wall, with the customer's permission noted.
    assert view.select_conversation(first)
    assert view.status_combo.currentText() == "Any status"
    qtbot.waitUntil(lambda: view.share_action.isEnabled(), timeout=WAIT)
    view.share_action.trigger()
    assert view.share_dialog is not None
    view.share_dialog.setTextValue("Asked by DM on 3 May, said yes")
    view.share_dialog.accept()
    wall = tables.conversations.get(first).wall
    assert wall is not None and wall.permission_note == "Asked by DM on 3 May, said yes"
    assert view.activity.text.startswith("Shared to the wall")
    qtbot.waitUntil(
        lambda: view.reopen_action.isEnabled() and not view.share_action.isEnabled(), timeout=WAIT
    )
    view.reopen_action.trigger()
    assert tables.conversations.get(first).status == ConversationStatus.OPEN


# --------------------------------------------------------------------------- replies
def test_another_channel_needs_a_reason(qtbot, desk_ws: Workspace, clock: Clock, open_page) -> None:
    view = open_page(desk_ws, _member(desk_ws, "Priya"))
    qtbot.waitUntil(lambda: view.pane.data is not None, timeout=WAIT)
    conv = view.shown_conversation
    assert conv.channel != Channel.EMAIL
    editor = view.pane.reply_editor
    email = editor.channel_combo.findData(Channel.EMAIL)
    # Choosing e-mail asks why; cancelling keeps the customer's channel.
    editor.channel_combo.setCurrentIndex(email)
    editor.channel_combo.activated.emit(email)
    dialog = editor.reason_dialog
    assert dialog is not None and "instead" in dialog.labelText()
    assert editor.channel == conv.channel
    dialog.reject()
    assert editor.reason_dialog is None and editor.channel == conv.channel
    # An empty reason is refused with a sentence.
    editor.channel_combo.activated.emit(email)
    editor.reason_dialog.setTextValue("  ")
    editor.reason_dialog.accept()
    assert editor.channel == conv.channel and "Say why" in editor.error.text()
    # With a reason the reply goes by e-mail (privately) and the draft keeps the reason.
    editor.channel_combo.activated.emit(email)
    editor.reason_dialog.setTextValue("The customer asked for e-mail")
    editor.reason_dialog.accept()
    assert editor.channel == Channel.EMAIL and editor.private
    editor.text.setPlainText("Hi, here is what happened with your order.")
    view.autosave_timer.stop()
    view._on_autosave_timer_timeout()
    reply = _desk(desk_ws, clock).tables.replies.get(editor.reply_id)
    assert reply.channel == Channel.EMAIL and reply.channel_change_reason == "The customer asked for e-mail"


def test_the_private_mode_is_suggested_for_personal_data(qtbot, desk_ws: Workspace, open_page) -> None:
    view = open_page(desk_ws, _member(desk_ws, "Priya"))
    view.set_filters(channel=Channel.X)
    qtbot.waitUntil(
        lambda: view.pane.data is not None and view.shown_conversation.channel == "x", timeout=WAIT
    )
    editor = view.pane.reply_editor
    editor.text.setPlainText("Could you send us your order number please?")
    view._on_autosave_timer_timeout()
    assert editor.banner.isVisibleTo(view) and "an X direct message" in editor.banner_label.text()
    editor.banner_button.click()
    assert editor.private and not editor.banner.isVisibleTo(view)


def test_a_template_fills_in_what_the_desk_knows(qtbot, desk_ws: Workspace, open_page) -> None:
    priya = _member(desk_ws, "Priya")
    view = open_page(desk_ws, priya)
    qtbot.waitUntil(lambda: view.pane.data is not None, timeout=WAIT)
    editor = view.pane.reply_editor
    row = next(
        i for i in range(editor.template_combo.count()) if editor.template_combo.itemText(i) == "Thank you"
    )
    editor.template_combo.setCurrentIndex(row)
    editor.template_combo.activated.emit(row)
    text = editor.text.toPlainText()
    assert text.startswith("Thank you so much, ") and text.endswith("– Priya") and "{" not in text


def test_export_writes_the_reply_with_where_it_goes(
    qtbot, desk_ws: Workspace, tmp_path: Path, open_page
) -> None:
    view = open_page(desk_ws, _member(desk_ws, "Priya"))
    qtbot.waitUntil(lambda: view.pane.data is not None, timeout=WAIT)
    view.pane.reply_editor.text.setPlainText("We are on it.")
    target = tmp_path / "reply.txt"
    view.export_reply_to(target)
    text = target.read_text(encoding="utf-8")
    assert text.startswith("To: ") and "Channel: " in text and "We are on it." in text
    assert "Mark it sent" in view.activity.text


# --------------------------------------------------------------------------- privacy
def test_texts_are_masked_unless_allowed_and_ticked(qtbot, desk_ws: Workspace, open_page) -> None:
    view = open_page(desk_ws, _member(desk_ws, "Maya"), may_unmask=False)
    model = view.model
    qtbot.waitUntil(lambda: not model.unmasked_texts(), timeout=WAIT)
    rows = model.objects()
    personal = next(r for r in rows if "@" in r.last_text and r.last_masked != r.last_text)
    shown = _cell(view, personal.id, InboxTableModel.COL_LAST, Qt.ItemDataRole.ToolTipRole)
    assert shown == personal.last_masked and shown != personal.last_text
    assert _cell(view, personal.id, InboxTableModel.COL_CUSTOMER) == pseudonym(personal.id)
    assert MASKING not in " ".join(str(_cell(view, r.id, InboxTableModel.COL_LAST)) for r in rows)
    # Ticking does nothing for someone who may not unmask; the box is disabled.
    assert not view.reveal_check.isEnabled()
    view.reveal_check.setChecked(True)
    assert _cell(view, personal.id, InboxTableModel.COL_CUSTOMER) == pseudonym(personal.id)
    view.reveal_check.setChecked(False)
    # An agent may, once ticked.
    view.set_user(_member(desk_ws, "Priya"), may_unmask=True)
    assert view.reveal_check.isEnabled()
    assert _cell(view, personal.id, InboxTableModel.COL_CUSTOMER) == pseudonym(personal.id)
    view.reveal_check.setChecked(True)
    assert _cell(view, personal.id, InboxTableModel.COL_CUSTOMER) == personal.conversation.customer.strip()
    assert (
        _cell(view, personal.id, InboxTableModel.COL_LAST, Qt.ItemDataRole.ToolTipRole) == personal.last_text
    )
    # The pane follows: the customer's message in full, then masked again.
    assert view.select_conversation(personal.id)
    qtbot.waitUntil(lambda: view.pane.conversation_id == personal.id, timeout=WAIT)
    timeline = view.pane.timeline_model
    message = next(e for e in timeline.entries() if e.kind == "message")
    assert (
        timeline.text_of(message) == message.text and view.pane.title.text() == personal.conversation.customer
    )
    view.set_user(_member(desk_ws, "Maya"), may_unmask=False)
    assert not view.reveal_check.isChecked()
    assert timeline.text_of(message) == message.text_masked != message.text
    assert view.pane.title.text() == pseudonym(personal.id)


# --------------------------------------------------------------------------- rules and targets
def test_rule_preview_shows_what_the_core_computes(
    qtbot, desk_ws: Workspace, clock: Clock, open_page
) -> None:
    view = open_page(desk_ws, _member(desk_ws, "Priya"))
    view.rules_action.trigger()
    dialog = view.rules_dialog
    assert dialog is not None
    assert not dialog.save_button.isEnabled() and "admins" in dialog.save_button.toolTip()
    dialog.urgent_reach.setValue(1_000)
    dialog.negative_below.setValue(-0.5)
    dialog.preview_button.click()
    expected = _desk(desk_ws, clock).preview_rules(dialog.rules())
    assert expected.moved > 0
    assert dialog.preview_label.text().startswith(expected.sentence())
    assert f"{expected.moved} of {expected.total}" in dialog.preview_label.text()
    assert dialog.moved_model.rowCount() == min(expected.moved, 200)
    assert {m.item_id for m in dialog.moved_model.objects()} <= {m.item_id for m in expected.moves}
    # A broken phrase is a sentence in the dialog, not a crash.
    dialog.terms_model.add_term("* *")
    dialog.preview_button.click()
    assert dialog.error.isVisibleTo(dialog) and dialog.error.text()
    dialog.reject()


def test_an_admin_saves_rules_and_targets(qtbot, desk_ws: Workspace, clock: Clock, open_page) -> None:
    view = open_page(desk_ws, _member(desk_ws, "Lukas"))
    view.open_rules_dialog()
    dialog = view.rules_dialog
    assert dialog is not None and dialog.save_button.isEnabled()
    dialog.urgent_reach.setValue(5_000)
    dialog.save_button.click()
    assert view.rules_dialog is None and view.activity.text.startswith("Saved the triage rules.")
    assert _desk(desk_ws, clock).rules().urgent_reach == 5_000
    view.open_targets_dialog()
    targets = view.targets_dialog
    assert targets is not None
    x_row = next(r for r in range(targets.model.rowCount()) if targets.model.index(r, 0).data() == "X")
    targets.model.setData(targets.model.index(x_row, TargetsModel.COL_URGENT), 15)
    targets.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    stored = _desk(desk_ws, clock).targets()
    assert stored.channels["x"].urgent_minutes == 15 and stored.channels["x"].reply_minutes == 240
    assert "email" not in stored.channels


# --------------------------------------------------------------------------- timers
def test_timer_column_counts_down_without_resetting_the_model(
    qtbot, desk_ws: Workspace, clock: Clock, open_page
) -> None:
    desk = _desk(desk_ws, clock)
    rows = desk.conversations(ConversationFilter(groups=(TriageGroup.REPLY,)))
    target = next(r.conversation for r in rows if r.timer is not None)
    # Five minutes before its target is missed: in the warning window.
    clock.now = target.due_at - timedelta(minutes=5)
    view = open_page(desk_ws, _member(desk_ws, "Priya"))
    resets: list[int] = []
    view.model.modelReset.connect(lambda: resets.append(1))
    view.proxy.modelReset.connect(lambda: resets.append(1))
    changed: list[tuple[int, int]] = []
    view.model.dataChanged.connect(
        lambda top, bottom, _roles: changed.append((top.column(), bottom.column()))
    )
    col = InboxTableModel.COL_TIMER
    assert _cell(view, target.id, col) == "5:00 left"
    assert _cell(view, target.id, col, Qt.ItemDataRole.ForegroundRole) == WARNING_COLOR
    clock.advance(seconds=1)
    view.tick()
    assert _cell(view, target.id, col) == "4:59 left"
    clock.advance(minutes=6)
    view.tick()
    assert _cell(view, target.id, col) == "Late 1:01"
    assert _cell(view, target.id, col, Qt.ItemDataRole.ForegroundRole) == BREACHED_COLOR
    # Only timer cells, each on its own (a view repaints just that cell, but a whole range).
    assert changed and all(c == (col, col) for c in changed)
    changed.clear()
    view.tick()
    assert changed == []  # the clock did not move
    # The real once-a-second timer does the same.
    clock.advance(seconds=1)
    with qtbot.waitSignal(view.model.dataChanged, timeout=3_000) as blocker:
        pass
    assert blocker.args[0] == blocker.args[1] and blocker.args[0].column() == col
    assert _cell(view, target.id, col) == "Late 1:02"
    assert resets == []


def test_breaches_are_notified_once_with_a_badge(qtbot, desk_ws: Workspace, clock: Clock, open_page) -> None:
    desk = _desk(desk_ws, clock)
    rows = desk.conversations(ConversationFilter(groups=(TriageGroup.REPLY,)))
    target = next(r.conversation for r in rows if r.timer is not None)
    clock.now = target.due_at - timedelta(minutes=1)
    view = open_page(desk_ws, _member(desk_ws, "Priya"))
    assert not view.alerts_button.isVisibleTo(view)
    clock.advance(minutes=2)
    with qtbot.waitSignal(view.notified, timeout=WAIT) as blocker:
        view.poll_notifications()
    assert "waited past" in blocker.args[0] or "passed the response target" in blocker.args[0]
    assert target.customer not in blocker.args[0]  # personal data stays hidden
    assert pseudonym(target.id) in blocker.args[0] or "conversations" in blocker.args[0]
    assert view.alert_count >= 1 and view.alerts_button.isVisibleTo(view)
    count = view.alert_count
    view.poll_notifications()  # told once
    assert view.alert_count == count
    view.clear_alerts()
    assert not view.alerts_button.isVisibleTo(view)


# --------------------------------------------------------------------------- workspaces
def test_empty_workspace_shows_the_empty_state(qtbot, empty_workspace_path: Path, open_page) -> None:
    with Workspace.open(empty_workspace_path) as ws:
        view = open_page(ws)
        assert view.stack.currentWidget() is view.empty_state
        assert "Triage new" in view.empty_state.message
        assert view.pane_stack.currentWidget() is view.pane_hint
        view.detach()


def test_new_customer_messages_are_triaged_by_themselves(qtbot, workspace: Workspace, open_page) -> None:
    view = open_page(workspace, User("Ann", roles=[Role.AGENT]))
    # The forum and review items of the populated workspace are customer messages.
    qtbot.waitUntil(lambda: view.activity.text.startswith("Triaged"), timeout=60_000)
    qtbot.waitUntil(lambda: view.model.rowCount() > 0, timeout=WAIT)
    assert view.stack.currentWidget() is view.splitter
    assert sum(view.proxy.counts.values()) == view.model.rowCount()
