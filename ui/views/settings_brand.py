"""Settings › Brand guide: the house rules every draft is checked against.

Holds everything :class:`~curator.editorial.brand.BrandGuide` does: banned
terms with what to write instead, preferred spellings, the disclosure a
sponsored draft must carry, limits on exclamation marks, capitals, reading
ease and tone, the workspace's own words, and the spelling language. The
guide is checked with the core's :func:`~curator.editorial.brand.validate_guide`
as it is edited, so Save is offered only for a guide the checks can use; the
editorial service checks it again, saves it and writes the audit log.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QLocale, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QWidget,
)
from spellchecker import SpellChecker

from curator.editorial.brand import BannedTerm, BrandGuide, BrandGuideError, validate_guide
from ui.views import settings_tasks
from ui.views.settings_models import BannedTermsModel, EditableRowsModel, SpellingRow, SpellingsModel
from ui.views.settings_sections import CHANGED_ELSEWHERE, Host
from ui.views.settings_tasks import WorkspaceSnapshot
from ui.views.settings_widgets import HelpLabel, OptionalNumber, SectionPage


def language_name(code: str) -> str:
    """A language code as its English name ("de" -> "German"), the code itself when Qt does not know it."""
    locale = QLocale(code)
    if locale.language() == QLocale.Language.C:
        return code
    return f"{QLocale.languageToString(locale.language())} ({code})"


def _subheading(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("subheading")
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    return label


def _rows_table(model: EditableRowsModel, name: str) -> QTableView:
    table = QTableView()
    table.setObjectName(name)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 14)
    header = table.horizontalHeader()
    header.setStretchLastSection(True)
    for column in range(model.columnCount() - 1):
        table.setColumnWidth(column, 220 if model.columnCount() > 2 else 300)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    table.setMinimumHeight(130)
    table.setMaximumHeight(200)
    return table


class BrandSection(SectionPage):
    """The brand guide's fields, validated as they change and saved through the editorial service."""

    WHAT = "the brand guide"

    def __init__(self, host: Host, parent: QWidget | None = None) -> None:
        super().__init__(
            "brand",
            "Brand guide",
            "Drafts are checked against these rules as they are written. Banned terms and a missing "
            "disclosure block approval; the other checks are warnings an approver may waive.",
            parent,
        )
        self._host = host
        self._guide = BrandGuide()
        self._loading = False

        self.terms = BannedTermsModel(self)
        self.terms_table = _rows_table(self.terms, "bannedTermsTable")
        self.add_term = QPushButton("Add Term")
        self.add_term.setObjectName("addTermButton")
        self.remove_term = QPushButton("Remove")
        self.spellings = SpellingsModel(self)
        self.spellings_table = _rows_table(self.spellings, "spellingsTable")
        self.add_spelling = QPushButton("Add Spelling")
        self.add_spelling.setObjectName("addSpellingButton")
        self.remove_spelling = QPushButton("Remove")

        self.disclosure = QLineEdit()
        self.disclosure.setObjectName("brandDisclosure")
        self.disclosure.setPlaceholderText("None: sponsored drafts need no disclosure")
        self.disclosure.setMaximumWidth(320)
        self.max_exclamations = QSpinBox()
        self.max_exclamations.setObjectName("brandExclamations")
        self.max_exclamations.setRange(0, 50)
        self.max_caps = QSpinBox()
        self.max_caps.setObjectName("brandCaps")
        self.max_caps.setRange(0, 100)
        self.min_ease = OptionalNumber("at least", -100, 121, decimals=0, step=5)
        self.min_ease.setObjectName("brandMinEase")
        self.max_ease = OptionalNumber("at most", -100, 121, decimals=0, step=5)
        self.max_ease.setObjectName("brandMaxEase")
        self.min_tone = OptionalNumber("at least", -1, 1, decimals=2, step=0.05)
        self.min_tone.setObjectName("brandMinTone")
        self.max_tone = OptionalNumber("at most", -1, 1, decimals=2, step=0.05)
        self.max_tone.setObjectName("brandMaxTone")
        self.spelling = QCheckBox("Check spelling")
        self.spelling.setObjectName("brandSpelling")
        self.language = QComboBox()
        self.language.setObjectName("brandLanguage")
        for code in sorted(SpellChecker.languages(), key=language_name):
            self.language.addItem(language_name(code), code)
        self.dictionary = QPlainTextEdit()
        self.dictionary.setObjectName("brandDictionary")
        self.dictionary.setPlaceholderText("One word per line: brand and product names, local words")
        self.dictionary.setMaximumHeight(90)

        self._lay_out()
        self.revert_button = self.add_button("Revert", "brandRevert")
        self.save_button = self.add_button("Save Brand Guide", "brandSave", default=True)
        self._connect()
        self._show(self._guide)

    # ------------------------------------------------------------------ layout
    def _lay_out(self) -> None:
        self.body.addWidget(_subheading("Banned terms"))
        self.body.addWidget(self.terms_table)
        self.body.addLayout(self._button_row(self.add_term, self.remove_term))
        self.body.addWidget(_subheading("Preferred spellings"))
        self.body.addWidget(HelpLabel("Suggested (a warning) wherever the left-hand form is written."))
        self.body.addWidget(self.spellings_table)
        self.body.addLayout(self._button_row(self.add_spelling, self.remove_spelling))
        self.body.addWidget(_subheading("Per text"))
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        form.addRow("Sponsored disclosure:", self.disclosure)
        form.addRow("Exclamation marks, at most:", self.max_exclamations)
        form.addRow("Words in capitals, at most:", self.max_caps)
        form.addRow("Reading ease (Flesch):", self._pair(self.min_ease, self.max_ease))
        form.addRow("Tone (-1 negative … 1 positive):", self._pair(self.min_tone, self.max_tone))
        self.body.addLayout(form)
        self.body.addWidget(
            HelpLabel(
                "Reading ease runs from about 0 (academic) to 100 (very easy); 60 is plain English. "
                "It is scored only on English texts of 30 words or more."
            )
        )
        self.body.addWidget(_subheading("Spelling"))
        spelling_row = QHBoxLayout()
        spelling_row.addWidget(self.spelling)
        spelling_row.addWidget(QLabel("in"))
        spelling_row.addWidget(self.language)
        spelling_row.addStretch(1)
        self.body.addLayout(spelling_row)
        self.body.addWidget(QLabel("Words never flagged:"))
        self.body.addWidget(self.dictionary)

    @staticmethod
    def _button_row(*buttons: QPushButton) -> QHBoxLayout:
        row = QHBoxLayout()
        for button in buttons:
            row.addWidget(button)
        row.addStretch(1)
        return row

    @staticmethod
    def _pair(low: QWidget, high: QWidget) -> QWidget:
        holder = QWidget()
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(low)
        row.addWidget(high)
        row.addStretch(1)
        return holder

    def _connect(self) -> None:
        for model in (self.terms, self.spellings):
            model.dataChanged.connect(self._on_edited)
            model.rowsInserted.connect(self._on_edited)
            model.rowsRemoved.connect(self._on_edited)
        self.disclosure.textChanged.connect(self._on_edited)
        self.max_exclamations.valueChanged.connect(self._on_edited)
        self.max_caps.valueChanged.connect(self._on_edited)
        for number in (self.min_ease, self.max_ease, self.min_tone, self.max_tone):
            number.changed.connect(self._on_edited)
        self.spelling.toggled.connect(self._on_edited)
        self.language.currentIndexChanged.connect(self._on_edited)
        self.dictionary.textChanged.connect(self._on_edited)
        self.add_term.clicked.connect(self._on_add_term_clicked)
        self.remove_term.clicked.connect(lambda: self._remove_selected(self.terms_table, self.terms))
        self.add_spelling.clicked.connect(self._on_add_spelling_clicked)
        self.remove_spelling.clicked.connect(
            lambda: self._remove_selected(self.spellings_table, self.spellings)
        )
        self.revert_button.clicked.connect(self._on_revert_clicked)
        self.save_button.clicked.connect(self.save)

    # ------------------------------------------------------------------ state
    def guide(self) -> BrandGuide:
        """The guide as edited (what Save sends)."""
        words = [w.strip() for line in self.dictionary.toPlainText().splitlines() for w in line.split(",")]
        return BrandGuide(
            banned_terms=self.terms.terms(),
            preferred_spellings={row.variant: row.preferred for row in self.spellings.rows()},
            disclosure=self.disclosure.text().strip(),
            min_reading_ease=self.min_ease.value(),
            max_reading_ease=self.max_ease.value(),
            max_exclamations=self.max_exclamations.value(),
            max_caps_words=self.max_caps.value(),
            min_sentiment=self.min_tone.value(),
            max_sentiment=self.max_tone.value(),
            dictionary=list(dict.fromkeys(w for w in words if w)),
            spelling=self.spelling.isChecked(),
            language=str(self.language.currentData() or self._guide.language),
        )

    def problem(self) -> str | None:
        """Why the guide as edited cannot be saved (the core's sentence), or None."""
        try:
            validate_guide(self.guide())
        except BrandGuideError as exc:
            return str(exc)
        return None

    def set_snapshot(self, snapshot: WorkspaceSnapshot) -> None:
        """Show the stored guide unless there are unsaved edits (Revert then shows it)."""
        changed = snapshot.brand != self._guide
        self._guide = snapshot.brand
        if not self.modified:
            self._show(snapshot.brand)
        elif changed:
            self.message.show_info(CHANGED_ELSEWHERE.format(what=self.WHAT))

    def refresh(self) -> None:
        """Follow the acting member's right to change the guide."""
        refusal = self._host.refusal(self.WHAT)
        self.set_notice(refusal)
        editable = not refusal
        self._loading = True
        try:
            for model in (self.terms, self.spellings):
                model.set_editable(editable)
        finally:
            self._loading = False
        for widget in self._inputs():
            widget.setEnabled(editable)
        self._update_buttons()

    def _inputs(self) -> list[QWidget]:
        return [
            self.add_term,
            self.remove_term,
            self.add_spelling,
            self.remove_spelling,
            self.disclosure,
            self.max_exclamations,
            self.max_caps,
            self.min_ease,
            self.max_ease,
            self.min_tone,
            self.max_tone,
            self.spelling,
            self.language,
            self.dictionary,
        ]

    def _show(self, guide: BrandGuide) -> None:
        self._loading = True
        try:
            self.terms.set_rows([BannedTerm(t.term, t.replacement, t.reason) for t in guide.banned_terms])
            self.spellings.set_spellings(guide.preferred_spellings)
            self.disclosure.setText(guide.disclosure)
            self.max_exclamations.setValue(guide.max_exclamations)
            self.max_caps.setValue(guide.max_caps_words)
            self.min_ease.set_value(guide.min_reading_ease)
            self.max_ease.set_value(guide.max_reading_ease)
            self.min_tone.set_value(guide.min_sentiment)
            self.max_tone.set_value(guide.max_sentiment)
            self.spelling.setChecked(guide.spelling)
            index = self.language.findData(guide.language)
            if index < 0:  # a language the spell checker lacks: keep it, so the problem is named
                self.language.addItem(language_name(guide.language), guide.language)
                index = self.language.count() - 1
            self.language.setCurrentIndex(index)
            self.dictionary.setPlainText("\n".join(guide.dictionary))
        finally:
            self._loading = False
        self.set_modified(False)
        self.message.clear_message()
        self._update_buttons()

    def _update_buttons(self) -> None:
        editable = not self._host.refusal(self.WHAT)
        problem = self.problem() if self.modified else None
        self.save_button.setEnabled(editable and self.modified and problem is None)
        self.revert_button.setEnabled(self.modified)
        if problem:
            self.message.show_error(problem)
        elif self.message.kind == "error":
            self.message.clear_message()

    @Slot()
    def _on_edited(self, *_args: Any) -> None:
        if self._loading:
            return
        self.set_modified(True)
        self._update_buttons()

    @Slot()
    def _on_add_term_clicked(self) -> None:
        row = self.terms.append_row(BannedTerm(""))
        self.terms_table.selectRow(row)
        self.terms_table.edit(self.terms.index(row, BannedTermsModel.COL_TERM))

    @Slot()
    def _on_add_spelling_clicked(self) -> None:
        row = self.spellings.append_row(SpellingRow("", ""))
        self.spellings_table.selectRow(row)
        self.spellings_table.edit(self.spellings.index(row, SpellingsModel.COL_VARIANT))

    @staticmethod
    def _remove_selected(table: QTableView, model: EditableRowsModel) -> None:
        rows = table.selectionModel().selectedRows()
        if rows:
            model.remove_row(rows[0].row())

    @Slot()
    def _on_revert_clicked(self) -> None:
        self._show(self._guide)

    @Slot()
    def save(self) -> None:
        """Save the guide through the editorial service (admins; validated and audited)."""
        user = self._host.user
        refusal = self._host.refusal(self.WHAT)
        guide = self.guide()
        problem = self.problem()
        if user is None or refusal or problem:
            self.message.show_error(refusal or problem or "Nobody acts in this workspace yet.")
            return

        def done(sentence: str) -> str:
            self._guide = guide
            self.set_modified(False)
            self._update_buttons()
            return sentence

        self._host.run_save(
            self,
            settings_tasks.save_brand_guide,
            self._host.workspace,
            user,
            guide,
            done=done,
            description="Saving the brand guide",
        )
