"""Qt models over the store: valid for Qt, and kept in step with store events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt, QThread
from PySide6.QtWidgets import QApplication

from curator.domain import Channel, Item, Source, utcnow
from curator.progress import Progress
from curator.workspace import Workspace
from ui.models import (
    BULK_THRESHOLD,
    DomainObjectRole,
    ItemTableModel,
    SearchRole,
    SortRole,
    SourceTableModel,
    StoreEventBridge,
    TableFilterProxyModel,
)
from ui.tasks import SyncPool, TaskRunner

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def _item(title: str, minutes_ago: int, source_id: str = "s1", **fields: object) -> Item:
    values: dict[str, object] = {"text": f"Full text of {title}. " * 20, **fields}
    return Item(
        source_id=source_id,
        title=title,
        published_at=NOW - timedelta(minutes=minutes_ago),
        **values,  # type: ignore[arg-type]
    )


def _titles(model: ItemTableModel | SourceTableModel) -> list[str]:
    return [obj.title for obj in model.objects()]


# --------------------------------------------------------------- plain models
def test_source_model_passes_the_model_tester(qtmodeltester) -> None:
    model = SourceTableModel()
    qtmodeltester.check(model)
    model.set_rows(
        [
            Source(
                title="Zeta feed", url="https://z.example.com/rss", channel=Channel.BLOG, category="Blogs"
            ),
            Source(title="Alpha reviews", url="https://a.example.com/rss", channel=Channel.REVIEW),
        ]
    )
    counted = model.object_at(0)
    counted.item_count = 12
    model.upsert([counted])
    qtmodeltester.check(model)
    assert model.rowCount() == 2


def test_source_model_cells(qtbot) -> None:
    model = SourceTableModel()
    source = Source(
        title="Brew Forum",
        url="https://forum.example.org/rss",
        channel=Channel.LINKEDIN,
        category="X",
        item_count=1234,
    )
    model.set_rows([source])
    items = model.index(0, SourceTableModel.COL_ITEMS)
    assert items.data() == "1,234"
    assert items.data(SortRole) == 1234  # sorts as a number, not as text
    assert items.data(Qt.ItemDataRole.TextAlignmentRole) & Qt.AlignmentFlag.AlignRight
    assert model.index(0, SourceTableModel.COL_CHANNEL).data() == "LinkedIn"
    assert model.index(0, SourceTableModel.COL_TITLE).data(DomainObjectRole) is source
    assert "https://forum.example.org/rss" in model.index(0, SourceTableModel.COL_TITLE).data(
        Qt.ItemDataRole.ToolTipRole
    )
    header = model.headerData(SourceTableModel.COL_ITEMS, Qt.Orientation.Horizontal)
    assert header == "Items"


def test_item_model_passes_the_model_tester_while_it_changes(qtmodeltester) -> None:
    model = ItemTableModel(limit=5, now=lambda: NOW)
    qtmodeltester.check(model)  # stays connected and checks every signal below
    model.set_rows([_item(f"item {n}", n * 10) for n in range(4)])
    qtmodeltester.check(model)
    model.upsert([_item("newest", 1), _item("older", 25)])  # 6 rows > limit 5: the oldest goes
    model.remove_ids([model.object_at(0).id, model.object_at(1).id, model.object_at(4).id])
    qtmodeltester.check(model)
    assert _titles(model) == ["item 1", "item 2"]


def test_item_model_keeps_newest_first_and_inserts_in_place(qtbot) -> None:
    model = ItemTableModel(now=lambda: NOW)
    model.set_rows([_item("b", 20), _item("a", 10), _item("c", 30)])
    assert _titles(model) == ["a", "b", "c"]
    with qtbot.waitSignal(model.rowsInserted, timeout=1000) as inserted:
        model.upsert([_item("between", 15)])
    assert inserted.args[1:] == [1, 1]
    assert _titles(model) == ["a", "between", "b", "c"]


def test_item_model_update_changes_one_row_without_reset(qtbot) -> None:
    model = ItemTableModel(now=lambda: NOW)
    first, second = _item("first", 1), _item("second", 2)
    model.set_rows([first, second])
    second.title = "second, edited"
    with (
        qtbot.assertNotEmitted(model.modelReset),
        qtbot.waitSignal(model.dataChanged, timeout=1000) as changed,
    ):
        model.upsert([second])
    assert changed.args[0].row() == 1
    assert model.index(1, ItemTableModel.COL_TITLE).data() == "second, edited"


def test_item_model_cells(qtbot) -> None:
    model = ItemTableModel(now=lambda: NOW)
    item = _item("Oat milk surcharge", 5, author="Rieke", author_reach=1200, channel=Channel.YOUTUBE)
    model.set_rows([item])
    model.set_source_titles({"s1": "Brew Forum"})
    when = model.index(0, ItemTableModel.COL_WHEN)
    assert when.data(SortRole) == item.when.timestamp()
    assert when.data() == item.when.astimezone().strftime("%H:%M")
    assert model.index(0, ItemTableModel.COL_SOURCE).data() == "Brew Forum"
    assert model.index(0, ItemTableModel.COL_CHANNEL).data() == "YouTube"
    assert "1,200 followers" in model.index(0, ItemTableModel.COL_AUTHOR).data(Qt.ItemDataRole.ToolTipRole)
    title = model.index(0, ItemTableModel.COL_TITLE)
    assert title.data() == "Oat milk surcharge"
    tooltip = title.data(Qt.ItemDataRole.ToolTipRole)
    assert "Oat milk surcharge" in tooltip and "Full text of Oat milk surcharge" in tooltip
    assert "brew forum" in title.data(SearchRole)


def test_item_without_title_shows_a_one_line_excerpt_of_its_text(qtbot) -> None:
    model = ItemTableModel(now=lambda: NOW)
    model.set_rows([Item(source_id="s", title="", text="word " * 100 + "\n\nend", published_at=NOW)])
    shown = model.index(0, ItemTableModel.COL_TITLE).data()
    assert "\n" not in shown
    assert shown.endswith("…")
    assert len(shown) <= 161


def test_model_sort_orders_rows_by_raw_value_and_keeps_the_order_for_inserts(qtbot, qtmodeltester) -> None:
    model = SourceTableModel()
    sources = [
        Source(title=f"S{n}", url=f"https://e.example/{n}", item_count=count)
        for n, count in enumerate((9, 100, 20))
    ]
    model.set_rows(sources)
    qtmodeltester.check(model)
    model.sort(SourceTableModel.COL_ITEMS, Qt.SortOrder.DescendingOrder)
    assert _titles(model) == ["S1", "S2", "S0"]  # 100 > 20 > 9: numbers, not text
    newcomer = Source(title="S3", url="https://e.example/3", item_count=50)
    model.upsert([newcomer])
    assert _titles(model) == ["S1", "S3", "S2", "S0"]


# ---------------------------------------------------------------- proxy model
def test_filter_proxy_searches_full_text_and_forwards_sorting(qtbot, qtmodeltester) -> None:
    model = ItemTableModel(now=lambda: NOW)
    model.set_rows(
        [
            _item("App outage", 1, text="The app crashes at checkout"),
            _item("Oat milk", 2, text="Why the surcharge?"),
            _item("Cups", 3, text="Are the cups compostable? " + "filler " * 200 + "CHECKOUT"),
        ]
    )
    proxy = TableFilterProxyModel()
    proxy.setSourceModel(model)
    qtmodeltester.check(proxy)
    proxy.set_search_text("checkout")
    titles = {proxy.index(row, 0).data(DomainObjectRole).title for row in range(proxy.rowCount())}
    assert titles == {"App outage", "Cups"}  # "Cups" matches deep in its text, case-insensitively
    qtmodeltester.check(proxy)
    proxy.set_search_text("")
    proxy.sort(ItemTableModel.COL_TITLE, Qt.SortOrder.AscendingOrder)
    assert [proxy.index(row, ItemTableModel.COL_TITLE).data() for row in range(3)] == [
        "App outage",
        "Cups",
        "Oat milk",
    ]
    assert model.sort_column == ItemTableModel.COL_TITLE


# ------------------------------------------------------ following the store
@pytest.fixture
def runner(qapp: QApplication) -> TaskRunner:
    return TaskRunner()


@pytest.fixture
def bridge(qtbot, workspace: Workspace) -> StoreEventBridge:
    bridge = StoreEventBridge(workspace)
    yield bridge
    bridge.close()


def _in_worker(qtbot, runner: TaskRunner, fn) -> None:
    """Write through a repository from a pool thread, as a background job would."""
    errors: list[BaseException] = []
    with qtbot.waitSignal(runner.task_finished, timeout=5000):
        runner.run(lambda _p: fn(), on_error=errors.append)
    assert not errors, errors


def _attached_sources(
    qtbot, runner: TaskRunner, bridge: StoreEventBridge, workspace: Workspace
) -> SourceTableModel:
    model = SourceTableModel()
    with qtbot.waitSignal(model.rows_loaded, timeout=5000):
        model.attach(runner, bridge, lambda _p: workspace.sources.list(), workspace.sources.get)
    return model


def test_bridge_emits_store_events_on_the_main_thread(qtbot, runner, bridge, workspace: Workspace) -> None:
    seen: list[tuple[object, QThread]] = []
    bridge.store_changed.connect(lambda event: seen.append((event, QThread.currentThread())))
    source = Source(title="New", url="https://new.example.com/rss")
    with qtbot.waitSignal(bridge.store_changed, timeout=5000):
        _in_worker(qtbot, runner, lambda: workspace.sources.save(source))
    event, thread = seen[-1]
    assert event.table == "sources"
    assert event.inserted == frozenset({source.id})
    assert thread is QApplication.instance().thread()


def test_closed_bridge_stops_forwarding(qtbot, runner, bridge, workspace: Workspace) -> None:
    bridge.close()
    with qtbot.assertNotEmitted(bridge.store_changed, wait=200):
        workspace.sources.save(Source(title="Late", url="https://late.example.com/rss"))


def test_source_model_follows_inserts_updates_and_removals(
    qtbot, qtmodeltester, runner, bridge, workspace: Workspace
) -> None:
    model = _attached_sources(qtbot, runner, bridge, workspace)
    qtmodeltester.check(model)
    assert sorted(_titles(model)) == sorted(workspace_titles(workspace))

    added = Source(title="Cafe Chat", url="https://chat.example.com/rss")
    with qtbot.assertNotEmitted(model.modelReset), qtbot.waitSignal(model.rowsInserted, timeout=5000):
        _in_worker(qtbot, runner, lambda: workspace.sources.save(added))
    assert model.row_of(added.id) is not None

    added.category = "Community"
    with qtbot.assertNotEmitted(model.modelReset), qtbot.waitSignal(model.dataChanged, timeout=5000):
        _in_worker(qtbot, runner, lambda: workspace.sources.save(added))
    row = model.row_of(added.id)
    assert model.index(row, SourceTableModel.COL_CATEGORY).data() == "Community"

    with qtbot.assertNotEmitted(model.modelReset), qtbot.waitSignal(model.rowsRemoved, timeout=5000):
        _in_worker(qtbot, runner, lambda: workspace.sources.remove(added.id))
    assert model.row_of(added.id) is None
    assert model.rowCount() == workspace.sources.count()
    model.detach()


def workspace_titles(workspace: Workspace) -> list[str]:
    return [source.title for source in workspace.sources.list()]


def test_item_model_follows_new_items_and_reloads_on_bulk_writes(
    qtbot, qtmodeltester, runner, bridge, workspace: Workspace
) -> None:
    model = ItemTableModel()
    with qtbot.waitSignal(model.rows_loaded, timeout=5000):
        model.attach(runner, bridge, lambda _p: workspace.items.recent(1000), workspace.items.get)
    qtmodeltester.check(model)
    assert model.rowCount() == workspace.items.count()
    source_id = model.object_at(0).source_id

    fresh = Item(source_id=source_id, title="Just in", text="Brand new", published_at=utcnow())
    with qtbot.assertNotEmitted(model.modelReset), qtbot.waitSignal(model.rowsInserted, timeout=5000):
        _in_worker(qtbot, runner, lambda: workspace.items.save(fresh))
    assert model.object_at(0).id == fresh.id  # newest first

    burst = [
        Item(
            source_id=source_id,
            title=f"burst {n}",
            text="",
            published_at=utcnow() - timedelta(days=1, minutes=n),
        )
        for n in range(BULK_THRESHOLD + 1)
    ]
    with qtbot.waitSignal(model.modelReset, timeout=10_000):
        _in_worker(qtbot, runner, lambda: workspace.items.save_many(burst))
    qtbot.waitUntil(lambda: model.rowCount() == workspace.items.count(), timeout=5000)
    model.detach()


def test_model_with_sync_pool_applies_events_once_the_bridge_delivers(
    qtbot, bridge, workspace: Workspace
) -> None:
    model = SourceTableModel()
    model.attach(TaskRunner(SyncPool()), bridge, lambda _p: workspace.sources.list(), workspace.sources.get)
    assert model.loaded  # the synchronous pool loaded it at once
    before = model.rowCount()
    workspace.sources.save(Source(title="Sync", url="https://sync.example.com/rss"))
    # The bridge always queues, so the change shows after the event loop runs.
    qtbot.waitUntil(lambda: model.rowCount() == before + 1, timeout=5000)
    model.detach()


def test_detached_model_ignores_late_loads(qtbot, runner, bridge, workspace: Workspace) -> None:
    model = SourceTableModel()
    model.attach(runner, bridge, lambda _p: workspace.sources.list(), workspace.sources.get)
    model.detach()
    with qtbot.assertNotEmitted(model.rows_loaded, wait=300):
        pass
    assert model.rowCount() == 0
    assert not model.loaded


def test_fetch_failure_goes_to_the_error_channel(qtbot, runner, bridge, workspace: Workspace) -> None:
    def broken_load(progress: Progress) -> list[Source]:
        raise OSError("disk unplugged")

    model = SourceTableModel()
    with qtbot.waitSignal(runner.task_failed, timeout=5000) as failed:
        model.attach(runner, bridge, broken_load, workspace.sources.get, "Loading sources")
    handle, exc = failed.args
    assert handle.description == "Loading sources"
    assert isinstance(exc, OSError)
    assert model.rowCount() == 0
    model.detach()


def test_models_ignore_other_tables(qtbot, runner, bridge, workspace: Workspace) -> None:
    model = _attached_sources(qtbot, runner, bridge, workspace)
    rows = model.rowCount()
    with qtbot.assertNotEmitted(model.rowsInserted, wait=200):
        workspace.items.save(Item(source_id="x", title="t", text="", published_at=utcnow()))
    assert model.rowCount() == rows
    model.detach()
