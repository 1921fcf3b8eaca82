"""The Calendar page over a real workspace: a scheduler, an editor, an approver, X and a blog with slots."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

from curator.domain import (
    Draft,
    PostStatus,
    Role,
    ScheduledPost,
    Slot,
    TouchPoint,
    TouchPointKind,
    User,
)
from curator.editorial.brand import BrandGuide
from curator.editorial.service import EditorialService
from curator.publish.runner import JournalEntry, JournalState
from curator.publish.secrets import SecretStore
from curator.schedule.csv_io import CsvProblem, CsvRow, ExportNote
from curator.schedule.service import ScheduleService
from curator.workspace import Workspace
from ui.models import StoreEventBridge
from ui.models_calendar import (
    FAILED_COLOR,
    ExportNotesModel,
    ImportPreviewModel,
    JournalTableModel,
    PostHistoryModel,
    PostTableModel,
    SchedulableModel,
)
from ui.tasks import TaskRunner
from ui.views import calendar_tasks
from ui.views.calendar import MONTH, CalendarView
from ui.views.calendar_tasks import SchedulableVariant

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")

WAIT = 15_000
LEFT = Qt.MouseButton.LeftButton
BERLIN = ZoneInfo("Europe/Berlin")
#: Monday 4 March 2030, 08:00 in Berlin: the page's "now".
NOW = datetime(2030, 3, 4, 7, 0, tzinfo=UTC)
MONDAY = date(2030, 3, 4)

SAM = User("Sam Scheduler", roles=[Role.SCHEDULER, Role.EDITOR], login="sam", id="u-sam")
MAYA = User("Maya", roles=[Role.EDITOR], login="maya", id="u-maya")
HENRIKE = User("Henrike", roles=[Role.APPROVER], login="henrike", id="u-henrike")


def clock() -> datetime:
    return NOW


def berlin(day: date, hour: int, minute: int = 0) -> datetime:
    """A Berlin wall-clock time as the UTC instant the core stores."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BERLIN).astimezone(UTC)


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    workspace = Workspace.open(tmp_path / "ws", create=True)
    try:
        workspace.users.save_many([SAM, MAYA, HENRIKE])
        workspace.touchpoints.save_many(
            [
                TouchPoint(
                    "X",
                    TouchPointKind.X,
                    "Europe/Berlin",
                    slots=[Slot([0, 1, 2, 3, 4], "09:00"), Slot([0, 1, 2, 3, 4], "17:00")],
                    min_gap_minutes=60,
                    id="tp-x",
                ),
                TouchPoint(
                    "Blog", TouchPointKind.BLOG, "Europe/London", slots=[Slot([1, 3], "12:00")], id="tp-blog"
                ),
            ]
        )
        workspace.config.put("brand", BrandGuide(spelling=False, min_reading_ease=None))
        yield workspace
    finally:
        workspace.close()


@pytest.fixture
def schedule(ws: Workspace) -> ScheduleService:
    return ScheduleService(ws, clock=clock)


def approved(ws: Workspace, title: str, text: str = "", touchpoints: tuple[str, ...] = ("tp-x",)) -> Draft:
    """A draft written by Maya and approved by Henrike, through the editorial service."""
    editorial = EditorialService(ws)
    draft = editorial.create(
        MAYA, title, text or f"{title}: news from the roastery.", touchpoint_ids=list(touchpoints)
    )
    editorial.submit(MAYA, draft.id)
    return editorial.approve(HENRIKE, draft.id)


def place(schedule: ScheduleService, title: str, at: datetime, tp: str = "tp-x") -> ScheduledPost:
    draft = approved(schedule.ws, title, touchpoints=(tp,))
    return schedule.schedule(SAM, draft.id, tp, at).post


@pytest.fixture
def open_page(qtbot, ws: Workspace) -> Iterator[Callable[..., CalendarView]]:
    """Opens the page on the workspace as someone; detaches it and ends its tasks at teardown."""
    runner = TaskRunner()
    bridge = StoreEventBridge(ws)
    opened: list[CalendarView] = []

    def show(user: User | None = SAM) -> CalendarView:
        view = CalendarView(runner, secrets=SecretStore(service="curator-test"), zone=BERLIN, clock=clock)
        qtbot.addWidget(view)
        view.resize(1280, 800)
        view.show()
        qtbot.waitExposed(view)
        view.attach(ws, bridge)
        view.set_user(user)
        qtbot.waitUntil(lambda: view.posts_model.loaded and view.directory_loaded, timeout=WAIT)
        opened.append(view)
        return view

    yield show
    for view in opened:
        view.detach()
    bridge.close()
    runner.shutdown(WAIT)


def drag(qtbot, view: CalendarView, post_id: str, to: QPoint) -> bool:
    """Drag a post on the grid shown with the mouse; returns whether the core accepted the move."""
    grid = view.current_grid
    rect = grid.post_rect(post_id)
    assert rect is not None, "the post is not drawn"
    start = rect.center().toPoint()
    viewport = grid.viewport()
    with qtbot.waitSignal(view.post_move_finished, timeout=WAIT) as blocker:
        QTest.mousePress(viewport, LEFT, Qt.KeyboardModifier.NoModifier, start)
        QTest.mouseMove(viewport, start + QPoint(0, 20))
        QTest.mouseMove(viewport, to)
        QTest.mouseRelease(viewport, LEFT, Qt.KeyboardModifier.NoModifier, to)
    assert blocker.args[0] == post_id
    return bool(blocker.args[1])


def grab_offset(view: CalendarView, post_id: str) -> QPoint:
    """Where in its block the drag grabs a post (its centre), so a drop lands on a chosen time."""
    rect = view.current_grid.post_rect(post_id)
    assert rect is not None
    return QPoint(0, round(rect.center().y() - rect.top()))


# ------------------------------------------------------------------ models
def test_models_pass_the_model_tester(qtmodeltester, ws: Workspace, schedule: ScheduleService) -> None:
    post = place(schedule, "Spring menu", berlin(MONDAY + timedelta(days=2), 9))
    failed = ScheduledPost("d", "tp-x", NOW, title="Broken", status=PostStatus.FAILED, last_error="Down.")
    tps = {tp.id: tp for tp in ws.touchpoints.list()}
    posts = PostTableModel(zone=BERLIN, clock=clock)
    posts.set_touchpoints(tps)
    posts.set_rows([post, failed])
    qtmodeltester.check(posts)
    assert posts.data(posts.index(posts.row_of(failed.id), 0), Qt.ItemDataRole.ForegroundRole) == FAILED_COLOR
    assert posts.data(posts.index(posts.row_of(post.id), 0), Qt.ItemDataRole.ForegroundRole) is None

    entries = [
        JournalEntry(post.id, "k", JournalState.CLAIMED, NOW, 0, "r", "tp-x"),
        JournalEntry(post.id, "k", JournalState.FAILED, NOW + timedelta(seconds=1), 1, "r", "tp-x", "Down."),
    ]
    journal = JournalTableModel(zone=BERLIN)
    journal.set_names(posts.titles(), tps)
    journal.set_rows(entries)
    qtmodeltester.check(journal)
    assert journal.object_at(0).state == JournalState.FAILED  # newest first

    preview = ImportPreviewModel()
    rows = [CsvRow(2, NOW, "tp-x", "Text", "Title")]
    problems = [CsvProblem(3, "The date is not a date.")]
    from curator.schedule.csv_io import CsvPreview

    preview.set_preview(CsvPreview(rows, problems), tps)
    qtmodeltester.check(preview)
    notes = ExportNotesModel()
    notes.set_rows([ExportNote(post.id, "Left out: in the past.")])
    qtmodeltester.check(notes)
    schedulable = SchedulableModel()
    schedulable.set_rows([SchedulableVariant("d", "Title", tps["tp-x"], None, "text")])
    qtmodeltester.check(schedulable)
    history = PostHistoryModel(zone=BERLIN)
    history.set_rows(entries)
    qtmodeltester.check(history)


# -------------------------------------------------------------------- week
def test_week_shows_a_post_in_its_day_and_hour(qtbot, open_page, schedule: ScheduleService) -> None:
    wednesday = MONDAY + timedelta(days=2)
    post = place(schedule, "Spring menu", berlin(wednesday, 9, 30))
    view = open_page()
    grid = view.week_grid
    qtbot.waitUntil(lambda: grid.post_rect(post.id) is not None, timeout=WAIT)
    assert grid.first_day == MONDAY
    assert grid.column_of(post.id) == 2
    rect = grid.post_rect(post.id)
    assert rect is not None
    assert grid.minutes_at(rect.top()) == pytest.approx(9 * 60 + 30, abs=1)
    assert "Europe/Berlin" in view.header.summary_label.text()
    assert view.range_text() == "4 – 10 March 2030"
    tip = grid.tooltip_at(rect.center().toPoint())
    assert "Spring menu" in tip and "X · Scheduled" in tip and "09:30 Europe/Berlin" in tip
    assert "news from the roastery" in tip
    # Free slots of the shown touch points are drawn too (X posts at 09:00 and 17:00).
    slot_tip = grid.tooltip_at(grid.point_for(MONDAY + timedelta(days=1), 17 * 60 + 5))
    assert slot_tip == "Free slot of X: 17:00 Europe/Berlin"
    # One touch point alone: the blog's filter hides the X post.
    view.set_touchpoint_filter("tp-blog")
    assert grid.post_rect(post.id) is None
    view.set_touchpoint_filter(None)
    assert grid.post_rect(post.id) is not None


def test_dragging_a_post_moves_it_and_bumps_its_sequence(
    qtbot, open_page, ws: Workspace, schedule: ScheduleService
) -> None:
    wednesday, thursday = MONDAY + timedelta(days=2), MONDAY + timedelta(days=3)
    post = place(schedule, "Spring menu", berlin(wednesday, 9))
    view = open_page()
    grid = view.week_grid
    qtbot.waitUntil(lambda: grid.post_rect(post.id) is not None, timeout=WAIT)
    target = grid.point_for(thursday, 10 * 60 + 14) + grab_offset(view, post.id)  # snaps to 10:15
    assert drag(qtbot, view, post.id, target)
    stored = ws.posts.get(post.id)
    assert stored is not None
    assert stored.publish_at == berlin(thursday, 10, 15)
    assert stored.sequence == post.sequence + 1
    assert grid.column_of(post.id) == 3
    assert "Moved “Spring menu” to Thu 7 Mar 10:15 Europe/Berlin." in view.activity.text

    # The keyboard does the same: Ctrl+Down moves the selected post 15 minutes later.
    grid.select_post(post.id)
    grid.setFocus()
    qtbot.waitUntil(grid.hasFocus, timeout=WAIT)
    with qtbot.waitSignal(view.post_move_finished, timeout=WAIT):
        QTest.keyClick(grid, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    assert ws.posts.get(post.id).publish_at == berlin(thursday, 10, 30)  # type: ignore[union-attr]
    with qtbot.waitSignal(view.post_move_finished, timeout=WAIT):
        QTest.keyClick(grid, Qt.Key.Key_Left, Qt.KeyboardModifier.ControlModifier)
    assert ws.posts.get(post.id).publish_at == berlin(wednesday, 10, 30)  # type: ignore[union-attr]
    assert ws.posts.get(post.id).sequence == post.sequence + 3  # type: ignore[union-attr]


def test_a_move_that_comes_too_close_shows_the_cores_warning(
    qtbot, open_page, ws: Workspace, schedule: ScheduleService
) -> None:
    wednesday, thursday = MONDAY + timedelta(days=2), MONDAY + timedelta(days=3)
    first = place(schedule, "Spring menu", berlin(wednesday, 9))
    second = place(schedule, "Oat milk answer", berlin(thursday, 9))
    view = open_page()
    grid = view.week_grid
    qtbot.waitUntil(lambda: grid.post_rect(second.id) is not None, timeout=WAIT)
    target = grid.point_for(wednesday, 9 * 60 + 30) + grab_offset(view, second.id)
    assert drag(qtbot, view, second.id, target)
    assert ws.posts.get(second.id).publish_at == berlin(wednesday, 9, 30)  # type: ignore[union-attr]
    assert view.activity.kind == "warning"
    assert "30 minutes after 'Spring menu' on X; this touch point wants 60 minutes" in view.activity.text
    assert first.id in grid.drawn_post_ids() and second.id in grid.drawn_post_ids()
    # The two now share Wednesday's column side by side.
    a, b = grid.post_rect(first.id), grid.post_rect(second.id)
    assert a is not None and b is not None and not a.intersects(b)


def test_a_non_scheduler_cannot_drag_the_core_refuses_and_the_post_snaps_back(
    qtbot, open_page, ws: Workspace, schedule: ScheduleService
) -> None:
    wednesday = MONDAY + timedelta(days=2)
    post = place(schedule, "Spring menu", berlin(wednesday, 9))
    view = open_page(MAYA)
    grid = view.week_grid
    qtbot.waitUntil(lambda: grid.post_rect(post.id) is not None, timeout=WAIT)
    before = grid.post_rect(post.id)
    target = grid.point_for(MONDAY + timedelta(days=4), 15 * 60) + grab_offset(view, post.id)
    assert not drag(qtbot, view, post.id, target)
    assert view.activity.kind == "error"
    assert "Maya cannot move posts: that needs the scheduler role." in view.activity.text
    stored = ws.posts.get(post.id)
    assert stored is not None and stored.publish_at == post.publish_at and stored.sequence == post.sequence
    assert grid.pending() == {}
    assert grid.post_rect(post.id) == before
    # Scheduling is not offered to her either.
    assert not view.schedule_action.isEnabled() and not view.publish_action.isEnabled()


# ------------------------------------------------------------------- month
def test_month_view_counts_posts_per_day_and_folds_the_rest(
    qtbot, open_page, ws: Workspace, schedule: ScheduleService
) -> None:
    busy = date(2030, 3, 13)
    ws.posts.save_many(
        [
            ScheduledPost(
                "d", "tp-x", berlin(busy, 8 + n), title=f"Post {n}", status=PostStatus.SCHEDULED, id=f"p{n}"
            )
            for n in range(9)
        ]
        + [ScheduledPost("d", "tp-blog", berlin(date(2030, 3, 20), 12), title="Blog", id="pb")]
    )
    view = open_page()
    view.set_mode(MONTH)
    grid = view.month_grid
    qtbot.waitUntil(lambda: len(grid.posts()) == 10, timeout=WAIT)
    drawn, hidden = grid.day_counts(busy)
    assert drawn + hidden == 9
    assert hidden > 0 and drawn == grid.capacity() - 1
    assert grid.day_counts(date(2030, 3, 20)) == (1, 0)
    assert view.range_text() == "March 2030"
    assert view.header.summary_label.text().startswith("10 posts this month, 1 planned (tentative)")
    # "+k more" opens that day's week.
    more = grid.more_rect(busy)
    assert more is not None
    QTest.mouseClick(grid.viewport(), LEFT, Qt.KeyboardModifier.NoModifier, more.center().toPoint())
    assert view.mode == "week" and view.week_grid.first_day == date(2030, 3, 11)


def test_dragging_a_chip_to_another_day_keeps_its_time(
    qtbot, open_page, ws: Workspace, schedule: ScheduleService
) -> None:
    post = place(schedule, "Spring menu", berlin(date(2030, 3, 13), 17))
    view = open_page()
    view.set_mode(MONTH)
    grid = view.month_grid
    qtbot.waitUntil(lambda: grid.post_rect(post.id) is not None, timeout=WAIT)
    assert grid.weeks() == 5 and grid.first_day == date(2030, 2, 25)
    # The clocks go forward on 31 March: 17:00 stays 17:00 on the wall clock.
    assert drag(qtbot, view, post.id, grid.cell_rect(date(2030, 3, 31)).center().toPoint())
    assert ws.posts.get(post.id).publish_at == berlin(date(2030, 3, 31), 17)  # type: ignore[union-attr]
    assert ws.posts.get(post.id).publish_at.hour == 15  # type: ignore[union-attr]  # 17:00 CEST


# -------------------------------------------------------------- files & log
def test_import_preview_shows_the_bad_rows_line_and_keeps_import_disabled(
    qtbot, open_page, tmp_path: Path
) -> None:
    path = tmp_path / "plan.csv"
    path.write_text(
        "date,time,touch point,text\n2030-03-12,09:00,X,Spring is here\n05/03/2030,10:00,X,Ambiguous date\n",
        encoding="utf-8",
    )
    view = open_page()
    with qtbot.waitSignal(view.dialog_opened, timeout=WAIT):
        view.open_import(path)
    dialog = view.import_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=WAIT)
    model = dialog.model
    lines = [model.data(model.index(row, model.COL_LINE)) for row in range(model.rowCount())]
    results = [model.data(model.index(row, model.COL_RESULT)) for row in range(model.rowCount())]
    assert lines == ["2", "3"] and results == ["OK", "Problem"]
    problem = model.index(1, model.COL_WHEN)
    assert model.data(problem, Qt.ItemDataRole.ForegroundRole) == FAILED_COLOR
    assert "05/03/2030" in model.data(problem)
    assert dialog.table.columnSpan(1, model.COL_WHEN) == 3
    assert not dialog.import_button.isEnabled()
    assert "line 3" in dialog.summary_label.text()
    dialog.reject()


def test_importing_a_good_file_adds_planned_posts(qtbot, open_page, ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "plan.csv"
    path.write_text("date;time;touch point;text\n12.03.2030;09:00;X;Spring is here\n", encoding="utf-8")
    view = open_page()
    view.open_import(path)
    dialog = view.import_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.import_button.isEnabled(), timeout=WAIT)
    with qtbot.waitSignal(view.activity_finished, timeout=WAIT) as blocker:
        dialog.import_button.click()
    assert blocker.args[1] is False, blocker.args
    planned = [p for p in ws.posts.list() if p.status is PostStatus.PLANNED]
    assert [p.publish_at for p in planned] == [berlin(date(2030, 3, 12), 9)]
    qtbot.waitUntil(lambda: view.week_grid.post_rect(planned[0].id) is not None, timeout=WAIT)


def test_publishing_log_shows_a_failure_in_red_and_retries_it(
    qtbot, open_page, ws: Workspace, schedule: ScheduleService
) -> None:
    post = place(schedule, "Spring menu", berlin(MONDAY, 7, 30))
    stored = ws.posts.get(post.id)
    assert stored is not None
    stored.status = PostStatus.FAILED
    stored.last_error = "The webhook answered 503."
    ws.posts.save(stored)
    calendar_tasks.journal(ws).save(
        JournalEntry(
            post.id, "key", JournalState.FAILED, NOW, 0, "me/1/x", "tp-x", "The webhook answered 503."
        )
    )
    view = open_page()
    view.log_action.trigger()
    assert view.log_panel.isVisible()
    qtbot.waitUntil(lambda: view.journal_model.rowCount() == 1, timeout=WAIT)
    model = view.log_table.model()
    index = model.index(0, JournalTableModel.COL_STATE)
    assert model.data(index) == "Failed"
    assert model.data(index, Qt.ItemDataRole.ForegroundRole) == FAILED_COLOR
    assert model.data(model.index(0, JournalTableModel.COL_POST)) == "Spring menu"
    assert model.data(model.index(0, JournalTableModel.COL_DETAIL)) == "The webhook answered 503."
    assert "1 failed" in view.log_summary.text()
    view.log_table.selectRow(0)
    assert view.retry_action.isEnabled() and view.mark_published_action.isEnabled()
    with qtbot.waitSignal(view.activity_finished, timeout=WAIT) as blocker:
        view.retry_action.trigger()
    assert blocker.args[1] is False, blocker.args
    assert ws.posts.get(post.id).status is PostStatus.SCHEDULED  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: view.journal_model.rowCount() == 2, timeout=WAIT)
    assert view.journal_model.object_at(0).state == JournalState.RETRY


# ------------------------------------------------------------ empty & live
def test_empty_states_say_what_to_do(qtbot, open_page, ws: Workspace) -> None:
    view = open_page()
    assert view.stack.currentWidget() is view.empty_state
    assert view.empty_state.title == "Nothing on the calendar yet"
    assert view.empty_state.message == "Approve a draft, then schedule it here."
    assert not view.empty_state.action_button.isVisibleTo(view)
    approved(ws, "Spring menu")
    qtbot.waitUntil(lambda: view.empty_state.action_button.isVisibleTo(view), timeout=WAIT)
    assert "1 approved draft waiting" in view.empty_state.detail
    for tp in ws.touchpoints.list():
        ws.touchpoints.remove(tp.id)
    qtbot.waitUntil(lambda: view.empty_state.title == "No touch points yet", timeout=WAIT)


def test_scheduling_approved_content_at_the_next_free_slot(qtbot, open_page, ws: Workspace) -> None:
    draft = approved(ws, "Spring menu")
    view = open_page()
    with qtbot.waitSignal(view.dialog_opened, timeout=WAIT):
        view.schedule_action.trigger()
    dialog = view.schedule_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 1, timeout=WAIT)
    assert dialog.model.data(dialog.model.index(0, SchedulableModel.COL_NEXT)) == "Mon 4 Mar 09:00"
    with qtbot.waitSignal(view.activity_finished, timeout=WAIT) as blocker:
        dialog.schedule_button.click()
    assert blocker.args == ["Scheduled 1 post.", False]
    posts = [p for p in ws.posts.list() if p.draft_id == draft.id]
    assert [p.publish_at for p in posts] == [berlin(MONDAY, 9)]
    qtbot.waitUntil(lambda: view.week_grid.selected_id == posts[0].id, timeout=WAIT)


def test_posts_written_elsewhere_appear_live(qtbot, open_page, schedule: ScheduleService) -> None:
    view = open_page()
    post = place(schedule, "Spring menu", berlin(MONDAY + timedelta(days=1), 12))
    qtbot.waitUntil(lambda: view.week_grid.post_rect(post.id) is not None, timeout=WAIT)
    assert view.stack.currentWidget() is view.grid_stack
    schedule.unschedule(SAM, post.id)
    qtbot.waitUntil(lambda: view.week_grid.post_rect(post.id) is None, timeout=WAIT)


def test_delete_asks_then_takes_the_post_off_the_calendar(
    qtbot, open_page, ws: Workspace, schedule: ScheduleService
) -> None:
    post = place(schedule, "Spring menu", berlin(MONDAY + timedelta(days=1), 9))
    view = open_page()
    grid = view.week_grid
    qtbot.waitUntil(lambda: grid.post_rect(post.id) is not None, timeout=WAIT)
    QTest.mouseClick(
        grid.viewport(), LEFT, Qt.KeyboardModifier.NoModifier, grid.post_rect(post.id).center().toPoint()
    )
    assert grid.selected_id == post.id and view.unschedule_action.isEnabled()
    with qtbot.waitSignal(view.dialog_opened, timeout=WAIT):
        QTest.keyClick(grid, Qt.Key.Key_Delete)
    box = view.confirm_box
    assert box is not None and "Spring menu" in box.text()
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert ws.posts.get(post.id).status is PostStatus.SCHEDULED  # type: ignore[union-attr]
    view.unschedule_action.trigger()
    box = view.confirm_box
    assert box is not None
    with qtbot.waitSignal(view.activity_finished, timeout=WAIT) as blocker:
        box.button(QMessageBox.StandardButton.Yes).click()
    assert blocker.args == ["“Spring menu” is off the calendar.", False]
    assert ws.posts.get(post.id).status is PostStatus.CANCELLED  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: grid.post_rect(post.id) is None, timeout=WAIT)


def test_exports_write_files_and_show_the_notes(
    qtbot, open_page, ws: Workspace, schedule: ScheduleService, tmp_path: Path
) -> None:
    place(schedule, "Spring menu", berlin(MONDAY + timedelta(days=1), 9, 2))
    view = open_page()
    target = tmp_path / "team.ics"
    with qtbot.waitSignal(view.activity_finished, timeout=WAIT) as blocker:
        view.export_ics_to(target)
    assert blocker.args[1] is False and "Wrote 1 event" in blocker.args[0]
    assert target.read_bytes().count(b"BEGIN:VEVENT") == 1
    with qtbot.waitSignal(view.dialog_opened, timeout=WAIT):
        view.export_csv_action.trigger()
    dialog = view.export_dialog
    assert dialog is not None and dialog.touchpoint_id
    dialog.touchpoint_combo.setCurrentIndex(dialog.touchpoint_combo.findData("tp-x"))
    qtbot.waitUntil(lambda: dialog.export is not None, timeout=WAIT)
    assert dialog.summary_label.text().startswith("1 post in the file")
    notes = [
        dialog.notes_model.data(dialog.notes_model.index(row, 0))
        for row in range(dialog.notes_model.rowCount())
    ]
    assert any("rounded" in note or "Europe/Berlin" in note for note in notes), notes
    assert dialog.save_button.isEnabled()
    data = dialog.export.data  # type: ignore[union-attr]
    with qtbot.waitSignal(view.activity_finished, timeout=WAIT) as blocker:
        dialog.save_requested.emit(tmp_path / "x.csv", data)  # what "Save…" does once a file is chosen
    assert blocker.args[1] is False
    assert (tmp_path / "x.csv").read_bytes() == data and b"Spring menu" in data
    assert view.export_dialog is None


def test_publish_due_now_reports_posts_to_publish_by_hand(
    qtbot, open_page, ws: Workspace, schedule: ScheduleService
) -> None:
    place(schedule, "Spring menu", berlin(MONDAY, 7, 30))  # due: before "now", and X has no connector
    view = open_page()
    with qtbot.waitSignal(view.activity_finished, timeout=WAIT) as blocker:
        view.publish_action.trigger()
    text, failed = blocker.args
    assert not failed and view.activity.kind == "warning"
    assert "Due posts: 0 published, 0 failed." in text and "publish by hand, then mark published" in text
