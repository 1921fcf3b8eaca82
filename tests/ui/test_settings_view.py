"""The Settings page: a form generated from the registry, and workspace sections saved through the core."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QSpinBox

from curator.domain import Role, TouchPoint, TouchPointKind, User
from curator.editorial.brand import BannedTerm, BrandGuide
from curator.publish.secrets import SecretStore
from curator.settings import REGISTRY, Settings, validate
from curator.triage.targets import TARGETS_KEY, ResponseTargets
from curator.workspace import Workspace
from tests.core.test_publish_connectors import MemoryKeyring
from ui.models import StoreEventBridge
from ui.tasks import TaskRunner
from ui.views.settings import SettingsView
from ui.views.settings_models import (
    ApprovalStepsModel,
    BannedTermsModel,
    SectionListModel,
    SpellingsModel,
    TouchPointTableModel,
)
from ui.views.settings_touchpoints import TouchPointForm

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")

WAIT_MS = 10_000

ADA = User("Ada Admin", login="ada", roles=[Role.ADMIN, Role.EDITOR], id="ada")
PRIYA = User("Priya Nair", login="priya", roles=[Role.AGENT], skills=["billing"], id="priya")


@pytest.fixture
def runner(qtbot) -> Iterator[TaskRunner]:
    runner = TaskRunner()
    yield runner
    assert runner.shutdown(10_000), "a background task was still running"


@pytest.fixture
def settings_path(tmp_path: Path) -> Path:
    return tmp_path / "config" / "settings.json"


@pytest.fixture
def team_ws(tmp_path: Path) -> Iterator[Workspace]:
    with Workspace.open(tmp_path / "team", create=True, name="Northwind") as ws:
        ws.users.save_many([ADA, PRIYA])
        ws.touchpoints.save(TouchPoint("Blog", TouchPointKind.BLOG, "Europe/Berlin"))
        yield ws


@pytest.fixture
def make_view(qtbot, runner: TaskRunner, settings_path: Path) -> Iterator[Callable[..., SettingsView]]:
    """A page over a workspace (or none), attached the way the main window does, its sections read."""
    made: list[tuple[SettingsView, StoreEventBridge | None]] = []

    def make(workspace: Workspace | None = None, user: User = ADA, **kwargs: object) -> SettingsView:
        view = SettingsView(runner, settings_path=settings_path, **kwargs)  # type: ignore[arg-type]
        qtbot.addWidget(view)
        bridge = None
        if workspace is not None:
            bridge = StoreEventBridge(workspace)
            with qtbot.waitSignal(view.snapshot_loaded, timeout=WAIT_MS):
                view.attach(workspace, bridge)
                view.set_user(user)
        made.append((view, bridge))
        return view

    yield make
    for view, bridge in made:
        view.detach()
        if bridge is not None:
            bridge.close()
    runner.wait_for_done(WAIT_MS)


def visible_keys() -> set[str]:
    return {key for key, setting in REGISTRY.items() if not setting.hidden}


# -------------------------------------------------------------------------- the generated form
def test_the_form_has_one_editor_per_visible_setting(make_view) -> None:
    view = make_view()
    fields = view.settings_fields()
    assert set(fields) == visible_keys()
    assert not {"workspace.last", "ui.welcome_done"} & set(fields), "hidden settings are not offered"
    for key, field in fields.items():
        setting = REGISTRY[key]
        editor = field.editor
        assert editor.objectName() == f"setting:{key}"
        assert field.help.text() == setting.description
        if setting.type is bool:
            assert isinstance(editor, QCheckBox) and editor.text() == setting.label
        elif setting.choices:
            assert isinstance(editor, QComboBox)
            assert [editor.itemData(i) for i in range(editor.count())] == setting.values()
        elif setting.type is int:
            assert isinstance(editor, QSpinBox)
            assert (editor.minimum(), editor.maximum()) == (setting.minimum, setting.maximum)
        else:
            assert isinstance(editor, QLineEdit)
        assert field.value() == setting.default
    # Every registry section with something to show is in the list; You sits with the workspace facts.
    sections = view.section_keys()
    assert {"you", "user:Appearance", "user:Fetching", "user:Language analysis", "user:Wall"} <= set(sections)
    assert not view.pages["you"].notice.isVisible()


def test_an_invalid_value_shows_its_sentence_and_blocks_apply(qtbot, make_view) -> None:
    view = make_view()
    view.show()
    view.show_section("user:Fetching")
    field = view.settings_fields()["ingest.contact"]
    assert not view.apply_button.isEnabled()
    field.editor.setText("call me maybe")
    expected = validate("ingest.contact", "call me maybe")
    assert expected is not None
    assert field.message.isVisible() and field.message.text() == expected
    assert not view.apply_button.isEnabled()
    assert "Contact for site owners" in view.apply_button.toolTip()
    assert view.section_model.is_modified("user:Fetching")
    view.apply()  # refused while a field is wrong
    assert Settings(view._path).get("ingest.contact") == ""
    field.editor.setText("news@example.com")
    assert not field.message.isVisible()
    assert view.apply_button.isEnabled()


def test_apply_saves_to_the_settings_file_and_names_the_changed_keys(
    qtbot, make_view, settings_path: Path
) -> None:
    view = make_view()
    fields = view.settings_fields()
    theme = fields["ui.theme"].editor
    assert isinstance(theme, QComboBox)
    theme.setCurrentIndex(theme.findData("dark"))
    interval = fields["ingest.default_interval_minutes"].editor
    assert isinstance(interval, QSpinBox)
    interval.setValue(15)
    assert view.pending() == {"ui.theme": "dark", "ingest.default_interval_minutes": 15}
    with qtbot.waitSignal(view.settings_changed, timeout=WAIT_MS) as blocker:
        view.apply_button.click()
    assert sorted(blocker.args[0]) == ["ingest.default_interval_minutes", "ui.theme"]
    saved = Settings(settings_path)
    assert saved.get("ui.theme") == "dark" and saved.get("ingest.default_interval_minutes") == 15
    assert view.pending() == {} and not view.apply_button.isEnabled()
    assert not view.section_model.is_modified("user:Appearance")
    assert view.user_message.text() == "Saved 2 settings on this computer."

    # Restore Defaults puts one section back; Apply stores the default as "not set".
    view.show_section("user:Fetching")
    view.defaults_button.click()
    assert interval.value() == 60 and theme.currentData() == "dark"
    with qtbot.waitSignal(view.settings_changed, timeout=WAIT_MS) as blocker:
        view.apply()
    assert blocker.args[0] == ["ingest.default_interval_minutes"]
    assert "ingest.default_interval_minutes" not in settings_path.read_text()

    # Revert drops edits.
    theme.setCurrentIndex(theme.findData("light"))
    view.revert_button.click()
    assert theme.currentData() == "dark" and view.pending() == {}


def test_a_failed_save_says_why(qtbot, make_view, settings_path: Path) -> None:
    settings_path.parent.mkdir(parents=True)
    settings_path.mkdir()  # a folder where the file belongs: the write fails
    view = make_view()
    view.settings_fields()["ingest.auto_fetch"].editor.click()
    with qtbot.waitSignal(view.change_failed, timeout=WAIT_MS):
        view.apply()
    assert view.user_message.kind == "error"
    assert view.user_message.text().startswith("Your settings could not be saved:")
    assert view.apply_button.isEnabled(), "the change is kept so it can be tried again"


# -------------------------------------------------------------------------- workspace sections
def test_a_touch_point_with_bad_slots_shows_the_parse_error_and_a_good_one_is_saved_and_audited(
    qtbot, make_view, team_ws: Workspace
) -> None:
    view = make_view(team_ws)
    section = view.touchpoints_section
    assert [tp.name for tp in section.model.objects()] == ["Blog"]
    form = section.open_add_form()
    form.name.setText("Newsletter")
    form.kind.setCurrentIndex(form.kind.findData(TouchPointKind.NEWSLETTER.value))
    form.zone.setText("Berlin")
    form.slots.setText("mon-fri 9am")
    problems = form.check()
    assert "“Berlin” is not a time zone" in problems["zone"]
    assert problems["slots"] == "A slot time must be HH:MM (24 h), got '9am'."
    assert form.messages["slots"].isVisible() and form.messages["slots"].text() == problems["slots"]
    assert not form.save_button.isEnabled()

    form.zone.setText("Europe/Berlin")
    form.slots.setText("mon-fri 09:00,17:30; sat 10:00")
    form.allowed_from.setText("08:00")
    form.allowed_until.setText("20:00")
    form.gap.setValue(90)
    form.connector.setCurrentIndex(form.connector.findData("webhook"))
    form.option_edits["url"].setText("ftp://example.com/hook")
    assert "must start with https://" in form.check()["connector"]
    form.option_edits["url"].setText("https://example.com/hook")
    assert form.check() == {} and form.save_button.isEnabled()
    with qtbot.waitSignal(view.change_saved, timeout=WAIT_MS) as blocker:
        form.save_button.click()
    assert blocker.args[0] == "Added the touch point “Newsletter”."
    stored = next(tp for tp in team_ws.touchpoints.list() if tp.name == "Newsletter")
    assert stored.timezone == "Europe/Berlin"
    assert [(s.weekdays, s.time) for s in stored.slots] == [
        ([0, 1, 2, 3, 4], "09:00"),
        ([0, 1, 2, 3, 4], "17:30"),
        ([5], "10:00"),
    ]
    assert (stored.allowed_from, stored.allowed_until, stored.min_gap_minutes) == ("08:00", "20:00", 90)
    assert stored.connector.options == {"url": "https://example.com/hook"}
    entry = team_ws.audit.list()[-1]
    assert (entry.action, entry.user_id, entry.subject_id) == ("touchpoint:add", ADA.id, stored.id)
    qtbot.waitUntil(lambda: len(section.model.objects()) == 2, timeout=WAIT_MS)
    assert section.form is None or not section.form.isVisible()


def test_the_cores_refusal_shows_in_the_form(qtbot, make_view, team_ws: Workspace) -> None:
    view = make_view(team_ws)
    form = view.touchpoints_section.open_add_form()
    form.name.setText("blog")  # the service refuses a second touch point of the same name
    with qtbot.waitSignal(view.change_failed, timeout=WAIT_MS) as blocker:
        form.submit()
    assert blocker.args[0] == "A touch point is already called “blog”; choose another name."
    assert form.messages["save"].text() == blocker.args[0] and form.isVisible()


def test_editing_a_touch_point_sends_only_what_changed(qtbot, make_view, team_ws: Workspace) -> None:
    view = make_view(team_ws)
    section = view.touchpoints_section
    section.table.selectRow(0)
    tp = section.selected()
    assert tp is not None
    form = section.open_edit_form(tp)
    assert isinstance(form, TouchPointForm) and form.changed_fields() == {}
    form.slots.setText("tue 08:00")
    assert set(form.changed_fields()) == {"slots"}
    with qtbot.waitSignal(view.change_saved, timeout=WAIT_MS):
        form.submit()
    entry = team_ws.audit.list()[-1]
    assert (entry.action, entry.reason) == ("touchpoint:update", "slots")


def test_a_member_without_the_role_sees_the_sections_read_only(qtbot, make_view, team_ws: Workspace) -> None:
    view = make_view(team_ws, user=PRIYA)
    view.show()
    for key, what in (
        ("brand", "the brand guide"),
        ("approvals", "the approval steps"),
        ("targets", "the response targets"),
        ("touchpoints", "touch points and their connectors"),
    ):
        view.show_section(key)
        notice = view.pages[key].notice
        assert notice.isVisible(), key
        assert notice.text().startswith(f"Only admins change {what}. You act as Priya Nair (Agent)")
    brand = view.brand_section
    assert not brand.save_button.isEnabled() and not brand.disclosure.isEnabled()
    assert (
        not view.approvals_section.model.flags(view.approvals_section.model.index(0, 0))
        & Qt.ItemFlag.ItemIsEditable
    )
    assert not view.touchpoints_section.add_tp.isEnabled()
    assert view.touchpoints_section.edit_tp.text() == "View…"
    assert view.targets_section.editor is not None
    save = view.targets_section.editor.buttons.buttons()[0]
    assert not save.isEnabled()
    # Even if asked directly, the page refuses and says why (the core would too).
    view.brand_section.save()
    assert view.brand_section.message.text().startswith("Only admins change the brand guide.")
    # Becoming an admin (the main window calls set_user after a team change) unlocks them.
    view.set_user(ADA)
    assert not view.pages["brand"].notice.isVisible() and view.touchpoints_section.add_tp.isEnabled()


def test_a_read_only_workspace_says_so(qtbot, make_view, team_ws: Workspace, tmp_path: Path) -> None:
    team_ws.close()
    with Workspace.open(tmp_path / "team", read_only=True) as ws:
        view = make_view(ws)
        notice = view.pages["touchpoints"].notice.text()
        assert notice.startswith("This workspace is open read-only, so touch points and their connectors")
        assert "Opened read-only as asked" in notice
        assert view.workspace_section.state_label.text() == ws.read_only_reason
        view.detach()


def test_the_brand_guide_is_validated_then_saved_and_audited(qtbot, make_view, team_ws: Workspace) -> None:
    team_ws.config.put("brand", BrandGuide(banned_terms=[BannedTerm("cheap", "affordable")]))
    view = make_view(team_ws)
    brand = view.brand_section
    assert [t.term for t in brand.terms.terms()] == ["cheap"]
    assert not brand.save_button.isEnabled()
    brand.add_term.click()
    assert brand.modified and view.section_model.is_modified("brand")
    assert brand.message.text() == "A banned term is empty: type the word or phrase, or remove the line."
    assert not brand.save_button.isEnabled()
    brand.terms.setData(brand.terms.index(1, BannedTermsModel.COL_TERM), "guys")
    brand.terms.setData(brand.terms.index(1, BannedTermsModel.COL_REPLACEMENT), "everyone")
    brand.min_tone.set_value(0.5)
    brand.max_tone.set_value(0.2)
    brand._on_edited()
    assert brand.message.text() == "The lowest tone (0.5) is above the highest tone (0.2): swap them."
    brand.max_tone.set_value(None)
    brand.disclosure.setText("#sponsored")
    assert brand.save_button.isEnabled() and not brand.message.isVisible()
    with qtbot.waitSignal(view.change_saved, timeout=WAIT_MS):
        brand.save_button.click()
    stored = team_ws.config.get_or_default("brand", BrandGuide)
    assert [(t.term, t.replacement) for t in stored.banned_terms] == [
        ("cheap", "affordable"),
        ("guys", "everyone"),
    ]
    assert (stored.disclosure, stored.min_sentiment, stored.max_sentiment) == ("#sponsored", 0.5, None)
    assert team_ws.audit.list()[-1].action == "configure_brand"
    assert not brand.modified and not view.section_model.is_modified("brand")


def test_approval_steps_are_saved_through_the_editorial_service(qtbot, make_view, team_ws: Workspace) -> None:
    from curator.editorial.workflow import EditorialConfig

    view = make_view(team_ws)
    section = view.approvals_section
    assert [s.name for s in section.model.steps()] == ["Chief content officer"]
    section.add_step.click()
    section.model.setData(section.model.index(1, ApprovalStepsModel.COL_NAME), "Legal")
    section.model.setData(section.model.index(1, ApprovalStepsModel.COL_ROLE), Role.EDITOR.value)
    section.table.selectRow(1)
    section.move_up.click()
    section.model.setData(section.model.index(1, ApprovalStepsModel.COL_NAME), "legal")
    assert section.message.text() == "Two steps are called “legal”: give each its own name."
    assert not section.save_button.isEnabled()
    section.model.setData(section.model.index(1, ApprovalStepsModel.COL_NAME), "Chief content officer")
    section.self_approval.setChecked(True)
    with qtbot.waitSignal(view.change_saved, timeout=WAIT_MS) as blocker:
        section.save_button.click()
    assert blocker.args[0] == "Saved the approval steps; drafts now need 2 approvals."
    stored = team_ws.config.get_or_default("editorial", EditorialConfig)
    assert [(s.name, s.role) for s in stored.approval_steps] == [
        ("Legal", Role.EDITOR),
        ("Chief content officer", Role.APPROVER),
    ]
    assert stored.allow_self_approval
    assert team_ws.audit.list()[-1].action == "configure_workflow"


def test_response_targets_are_edited_in_the_inbox_editor_and_saved_through_the_desk(
    qtbot, make_view, team_ws: Workspace
) -> None:
    view = make_view(team_ws)
    editor = view.targets_section.editor
    assert editor is not None and editor.isVisibleTo(view.targets_section)
    editor.model.setData(editor.model.index(0, 1), 45)
    assert view.section_model.is_modified("targets")
    with qtbot.waitSignal(view.change_saved, timeout=WAIT_MS):
        editor.buttons.buttons()[0].click()
    stored = team_ws.config.get_or_default(TARGETS_KEY, ResponseTargets)
    assert stored.default.urgent_minutes == 45
    assert not view.section_model.is_modified("targets")
    assert not view.targets_section.revert_button.isEnabled()
    # Revert drops edits made since.
    editor = view.targets_section.editor
    assert editor is not None
    editor.model.setData(editor.model.index(0, 1), 5)
    view.targets_section.revert_button.click()
    assert view.targets_section.editor is not None
    assert view.targets_section.editor.targets().default.urgent_minutes == 45


def test_a_theme_switch_is_not_an_unsaved_edit(qtbot, make_view, team_ws: Workspace) -> None:
    from PySide6.QtWidgets import QApplication

    from ui.theme import apply_theme

    view = make_view(team_ws)
    assert not view.has_unsaved_changes()
    app = QApplication.instance()
    try:
        apply_theme(app, "dark")  # models re-announce their colours
        assert not view.has_unsaved_changes()
    finally:
        apply_theme(app, "light")


def test_secrets_go_to_the_keyring_and_a_missing_keyring_is_explained(
    qtbot, make_view, team_ws: Workspace
) -> None:
    secrets = SecretStore(service="curator-tests")
    view = make_view(team_ws, secrets=secrets)
    section = view.touchpoints_section
    tp = team_ws.touchpoints.list()[0]
    previous = keyring.get_keyring()
    memory = MemoryKeyring()
    keyring.set_keyring(memory)
    try:
        with qtbot.waitSignal(section.secret_finished, timeout=WAIT_MS) as blocker:
            section.save_secret(tp, "webhook_secret", "s3cret")
        assert blocker.args == [f"Saved the webhook secret of “{tp.name}” in the system keyring.", False]
        assert memory.store[("curator-tests", f"touchpoint:{tp.id}:webhook_secret")] == "s3cret"
        keyring.set_keyring(keyring.backends.fail.Keyring())
        with qtbot.waitSignal(section.secret_finished, timeout=WAIT_MS) as blocker:
            section.save_secret(tp, "webhook_secret", "again")
        assert blocker.args[1] is True
        assert blocker.args[0].startswith("No system keyring is available")
        assert section.message.text() == blocker.args[0]
    finally:
        keyring.set_keyring(previous)


def test_the_workspace_and_team_buttons_ask_the_window(qtbot, make_view, team_ws: Workspace) -> None:
    view = make_view(team_ws)
    assert view.workspace_section.name_label.text() == "Northwind"
    with qtbot.waitSignal(view.open_workspace_requested, timeout=WAIT_MS):
        view.workspace_section.open_button.click()
    with qtbot.waitSignal(view.team_requested, timeout=WAIT_MS):
        view.team_section.team_button.click()
    assert view.team_section.summary.text().startswith("2 members; admins: Ada Admin.")


def test_changes_made_elsewhere_appear_unless_a_section_has_unsaved_edits(
    qtbot, make_view, team_ws: Workspace
) -> None:
    view = make_view(team_ws)
    with qtbot.waitSignal(view.snapshot_loaded, timeout=WAIT_MS):
        team_ws.touchpoints.save(TouchPoint("Shop screen", TouchPointKind.IN_STORE_SCREEN))
    assert [tp.name for tp in view.touchpoints_section.model.objects()] == ["Blog", "Shop screen"]
    view.brand_section.disclosure.setText("#ad #partner")
    with qtbot.waitSignal(view.snapshot_loaded, timeout=WAIT_MS):
        team_ws.config.put("brand", BrandGuide(disclosure="#werbung"))
    assert view.brand_section.disclosure.text() == "#ad #partner", "unsaved edits are kept"
    assert view.brand_section.message.text().startswith(
        "Someone changed the brand guide while you were editing"
    )
    view.brand_section.revert_button.click()
    assert view.brand_section.disclosure.text() == "#werbung"


# -------------------------------------------------------------------------- models
def test_the_pages_models_pass_the_model_tester(qtmodeltester, make_view, team_ws: Workspace) -> None:
    view = make_view(team_ws)
    sections = view.section_model
    assert isinstance(sections, SectionListModel)
    qtmodeltester.check(sections)
    assert not sections.flags(sections.index(0, 0)) & Qt.ItemFlag.ItemIsSelectable, "headings are not chosen"
    brand = view.brand_section
    brand.terms.append_row(BannedTerm("java", "coffee", "Say what we serve."))
    qtmodeltester.check(brand.terms)
    assert isinstance(brand.spellings, SpellingsModel)
    brand.spellings.set_spellings({"e-mail": "email", "web site": "website"})
    qtmodeltester.check(brand.spellings)
    steps = view.approvals_section.model
    steps.append_row(steps.steps()[0])
    assert steps.move_row(1, -1) == 0
    qtmodeltester.check(steps)
    touchpoints = view.touchpoints_section.model
    assert isinstance(touchpoints, TouchPointTableModel) and touchpoints.rowCount() == 1
    qtmodeltester.check(touchpoints)
