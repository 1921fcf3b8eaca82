"""The Inbox page's parts: the conversation pane, the reply editor and the desk's dialogs.

None of these widgets reads the store or runs work: they show what the page
hands them and say what the user asked for through signals; the page runs
the jobs (:mod:`ui.views.inbox_tasks`) and hands back results or sentences.
Dialogs open with ``open()`` (never ``exec()``), so nothing blocks and tests
can drive them.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from curator.domain import Channel
from ui.formatting import channel_label, full_time, human_time, one_line
from ui.models import AnyIndex, DomainObjectRole
from ui.models_inbox import (
    EarlierModel,
    InboxTableModel,
    MovedItemsModel,
    TargetRow,
    TargetsModel,
    TermRow,
    TimelineModel,
    WatchedTermsModel,
    channel_icon,
    quiet_color,
)
from ui.theme import current_theme, set_property, set_tone
from ui.views.inbox_tasks import (
    GROUP_NAMES,
    NONE,
    REPLY,
    STATUS_NAMES,
    URGENT,
    PaneData,
    ReplyRequest,
    RulePreviewResult,
    TemplateChoice,
    TimelineEntry,
    pseudonym,
)
from ui.views.sources import make_table

if TYPE_CHECKING:
    from curator.triage.replies import PrivateSuggestion
    from curator.triage.rules import TriageRules
    from curator.triage.targets import ResponseTargets, Timer

_KIND_LABELS = {"message": "", "reply": "Reply", "draft": "Draft", "note": "Note"}


def _error_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    set_tone(label, "error")
    label.hide()
    return label


def _show_error(label: QLabel, text: str) -> None:
    label.setText(text)
    label.setVisible(bool(text))


# --------------------------------------------------------------------------- the timeline
class TimelineDelegate(QStyledItemDelegate):
    """Draws each timeline entry as a card: customer messages left, replies right, notes and events apart."""

    MARGIN = 10
    PAD = 9
    SPACING = 4

    def __init__(self, view: QListView) -> None:
        super().__init__(view)
        self._view = view

    def _parts(self, index: AnyIndex) -> tuple[TimelineEntry, str, str, str]:
        model = index.model()
        entry: TimelineEntry = index.data(DomainObjectRole)
        author = model.author_of(entry) if isinstance(model, TimelineModel) else entry.author
        text = model.text_of(entry) if isinstance(model, TimelineModel) else entry.text
        when = human_time(entry.at)
        if entry.kind == "event":
            return entry, "", f"{when} · {author}: {one_line(text)}", ""
        where = f" · {channel_label(entry.channel)}" if entry.channel is not None else ""
        kind = _KIND_LABELS.get(entry.kind, "")
        # The author comes last but one, so a long name or address is what gets cut.
        header = f"{kind + ' · ' if kind else ''}{author}\x00{where} · {when}"
        return entry, header, text.strip() or "(empty)", entry.detail

    def _card_width(self, entry: TimelineEntry, total: int) -> int:
        inner = max(120, total - 2 * self.MARGIN)
        return inner if entry.kind in ("note", "event") else int(inner * 0.86)

    @staticmethod
    def _small(font: QFont) -> QFont:
        small = QFont(font)
        small.setPointSizeF(max(7.0, font.pointSizeF() * 0.88))
        return small

    def _heights(self, font: QFont, width: int, header: str, body: str, footer: str) -> tuple[int, int, int]:
        text_width = max(60, width - 2 * self.PAD)
        bold = QFont(font)
        bold.setBold(True)
        flags = int(Qt.TextFlag.TextWordWrap)
        head = QFontMetrics(bold).height() if header else 0
        main = QFontMetrics(font).boundingRect(QRect(0, 0, text_width, 100_000), flags, body).height()
        small = self._small(font)
        foot = (
            QFontMetrics(small).boundingRect(QRect(0, 0, text_width, 100_000), flags, footer).height()
            if footer
            else 0
        )
        return head, main, foot

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        entry, header, body, footer = self._parts(index)
        total = self._view.viewport().width()
        width = self._card_width(entry, total)
        if entry.kind == "event":
            small = self._small(option.font)
            height = (
                QFontMetrics(small)
                .boundingRect(QRect(0, 0, width - 2 * self.PAD, 100_000), int(Qt.TextFlag.TextWordWrap), body)
                .height()
            )
            return QSize(total, height + 2 * self.SPACING)
        head, main, foot = self._heights(option.font, width, header, body, footer)
        inner = head + main + (foot + self.SPACING if foot else 0) + (self.SPACING if head else 0)
        return QSize(total, inner + 2 * self.PAD + 2 * self.SPACING)

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        entry, header, body, footer = self._parts(index)
        rect = option.rect
        width = self._card_width(entry, rect.width())
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if entry.kind == "event":
            painter.setFont(self._small(option.font))
            painter.setPen(quiet_color())
            text_rect = QRect(
                rect.left() + self.MARGIN + self.PAD,
                rect.top() + self.SPACING,
                width - 2 * self.PAD,
                rect.height() - 2 * self.SPACING,
            )
            painter.drawText(text_rect, int(Qt.TextFlag.TextWordWrap), body)
            painter.restore()
            return
        left = rect.left() + self.MARGIN
        if entry.kind in ("reply", "draft"):
            left = rect.right() - self.MARGIN - width
        card = QRect(left, rect.top() + self.SPACING, width, rect.height() - 2 * self.SPACING)
        theme = current_theme()
        fill, border = (QColor(c) for c in theme.cards.get(entry.kind, theme.cards["message"]))
        pen = QPen(option.palette.highlight().color() if selected else border, 2 if selected else 1)
        if entry.kind == "draft":
            pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(fill)
        painter.drawRoundedRect(card.adjusted(0, 0, -1, -1), 8, 8)
        head, main, foot = self._heights(option.font, width, header, body, footer)
        x = card.left() + self.PAD
        y = card.top() + self.PAD
        text_width = card.width() - 2 * self.PAD
        if entry.channel is not None:
            channel_icon(entry.channel).paint(painter, QRect(x, y + max(0, (head - 16) // 2), 16, 16))
        bold = QFont(option.font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(QColor(theme.card_text))
        who, _sep, rest = header.partition("\x00")
        metrics = QFontMetrics(bold)
        room = max(20, text_width - 20 - metrics.horizontalAdvance(rest))
        header = metrics.elidedText(who, Qt.TextElideMode.ElideRight, room) + rest
        painter.drawText(QRect(x + 20, y, text_width - 20, head), int(Qt.AlignmentFlag.AlignVCenter), header)
        y += head + self.SPACING
        painter.setFont(option.font)
        painter.drawText(QRect(x, y, text_width, main), int(Qt.TextFlag.TextWordWrap), body)
        y += main + self.SPACING
        if footer:
            painter.setFont(self._small(option.font))
            painter.setPen(quiet_color())
            painter.drawText(QRect(x, y, text_width, foot), int(Qt.TextFlag.TextWordWrap), footer)
        painter.restore()


class TimelineView(QListView):
    """The conversation's cards, re-measured when the pane's width changes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conversationTimeline")
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setUniformItemSizes(False)
        self.setWordWrap(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setFrameShape(QFrame.Shape.NoFrame)
        # Its background comes from the theme's style sheet (QListView#conversationTimeline).
        self.delegate = TimelineDelegate(self)
        self.setItemDelegate(self.delegate)

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self.scheduleDelayedItemsLayout()


# --------------------------------------------------------------------------- the reply editor
class ReplyEditor(QWidget):
    """The reply being written: channel (the customer's by default), privacy, template, text, hand-off.

    Choosing another channel than the customer's asks why first (the desk
    refuses a channel change without a reason); cancelling goes back.
    """

    #: The text changed by typing (not by loading a draft).
    text_edited = Signal()
    #: The channel or privacy changed (after the reason was given).
    channel_changed = Signal()
    #: A template was picked: (TemplateChoice).
    template_chosen = Signal(object)
    #: "Copy and mark sent" was clicked.
    send_requested = Signal()
    #: "Export…" was clicked.
    export_requested = Signal()
    #: "Discard" was clicked.
    discard_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("replyEditor")
        self.conversation_id = ""
        self.customer = ""
        self.customer_channel: Channel | None = None
        self.reply_id: str | None = None
        self.reason = ""
        self.private_modes: dict[Channel, str] = {}
        self.channel_names: dict[Channel, str] = {}
        self.reason_dialog: QInputDialog | None = None
        self._loading = False
        self._suggestion: PrivateSuggestion | None = None
        self._committed: Channel | None = None

        self.channel_combo = QComboBox()
        self.channel_combo.setObjectName("replyChannel")
        self.channel_combo.setToolTip("Where the reply goes: the customer's channel unless you say why")
        for channel in Channel:
            self.channel_combo.addItem(channel_icon(channel), channel_label(channel), channel)
        self.channel_combo.activated.connect(self._on_channel_combo_activated)
        self.private_check = QCheckBox("Private")
        self.private_check.setObjectName("replyPrivate")
        self.private_check.toggled.connect(self._on_private_check_toggled)
        self.template_combo = QComboBox()
        self.template_combo.setObjectName("replyTemplate")
        self.template_combo.setToolTip("Start from a template; Curator fills in what it knows")
        self.template_combo.addItem("Template…", None)
        self.template_combo.activated.connect(self._on_template_combo_activated)
        top = QHBoxLayout()
        top.setSpacing(8)
        top.addWidget(QLabel("Reply by"))
        top.addWidget(self.channel_combo)
        top.addWidget(self.private_check)
        top.addStretch(1)
        top.addWidget(self.template_combo)

        self.banner = QFrame()
        self.banner.setObjectName("privateBanner")
        set_property(self.banner, "banner", "warning")
        self.banner_label = QLabel()
        self.banner_label.setObjectName("privateBannerText")
        self.banner_label.setWordWrap(True)
        self.banner_label.setTextFormat(Qt.TextFormat.PlainText)
        self.banner_button = QPushButton()
        self.banner_button.setObjectName("privateBannerUse")
        self.banner_button.clicked.connect(self._on_banner_button_clicked)
        banner_column = QVBoxLayout(self.banner)
        banner_column.setContentsMargins(10, 6, 6, 6)
        banner_column.setSpacing(4)
        banner_column.addWidget(self.banner_label)
        banner_column.addWidget(self.banner_button, 0, Qt.AlignmentFlag.AlignRight)
        self.banner.hide()

        self.text = QPlainTextEdit()
        self.text.setObjectName("replyText")
        self.text.setPlaceholderText("Write the reply (R), then Ctrl+Enter copies it and marks it sent.")
        self.text.setTabChangesFocus(True)
        self.text.setMinimumHeight(64)
        self.text.setMaximumHeight(120)
        self.text.textChanged.connect(self._on_text_text_changed)
        self.hint = QLabel()
        self.hint.setObjectName("replyHint")
        self.hint.setWordWrap(True)
        self.hint.setTextFormat(Qt.TextFormat.PlainText)
        self.hint.setStyleSheet("color: palette(placeholder-text);")
        self.error = _error_label()

        self.send_button = QPushButton("Copy and mark sent")
        self.send_button.setObjectName("replySend")
        self.send_button.setToolTip(
            "Copy the reply to the clipboard and record it as sent (Ctrl+Enter). Paste it into the channel."
        )
        self.send_button.clicked.connect(self.send_requested)
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip("Write the reply, with where it goes, to a text file")
        self.export_button.clicked.connect(self.export_requested)
        self.discard_button = QPushButton("Discard draft")
        self.discard_button.clicked.connect(self.discard_requested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.hint, 1)
        buttons.addWidget(self.discard_button)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.send_button)

        column = QVBoxLayout(self)
        column.setContentsMargins(0, 6, 0, 0)
        column.setSpacing(6)
        column.addLayout(top)
        column.addWidget(self.banner)
        column.addWidget(self.text, 1)
        column.addWidget(self.error)
        column.addLayout(buttons)
        self._update_private()
        self._update_buttons()

    # ------------------------------------------------------------- content
    @property
    def channel(self) -> Channel | None:
        """The channel chosen."""
        value = self.channel_combo.currentData()
        return Channel(value) if value is not None else None

    @property
    def private(self) -> bool:
        """Whether the reply goes by the channel's private mode."""
        return self.private_check.isChecked()

    @property
    def dirty(self) -> bool:
        """Whether the editor holds text not stored as a draft yet."""
        return self._dirty

    def load(
        self,
        conversation_id: str,
        customer: str,
        customer_channel: Channel,
        draft: Any,
        private_modes: dict[Channel, str],
        channel_names: dict[Channel, str],
    ) -> None:
        """Show a conversation's reply: its draft (by this person) if any, else an empty reply."""
        self._loading = True
        try:
            if self.reason_dialog is not None:
                self.reason_dialog.reject()
            self.conversation_id = conversation_id
            self.customer = customer
            self.customer_channel = customer_channel
            self.private_modes = private_modes
            self.channel_names = channel_names
            self.reply_id = draft.id if draft is not None else None
            channel = Channel(draft.channel) if draft is not None else customer_channel
            self.reason = draft.channel_change_reason if draft is not None else ""
            self._set_channel(channel)
            self.private_check.setChecked(
                bool(draft.private) if draft is not None else channel == Channel.EMAIL
            )
            self.text.setPlainText(draft.text if draft is not None else "")
            self._dirty = False
            self.set_suggestion(None)
            _show_error(self.error, "")
            self.hint.setText("Draft saved." if draft is not None else "")
        finally:
            self._loading = False
        self._update_private()
        self._update_buttons()

    def clear(self) -> None:
        """After the reply went out (or the conversation left): an empty reply in the customer's channel."""
        if self.customer_channel is None:
            return
        self.load(
            self.conversation_id,
            self.customer,
            self.customer_channel,
            None,
            self.private_modes,
            self.channel_names,
        )

    def set_templates(self, templates: list[TemplateChoice]) -> None:
        """The templates offered."""
        self.template_combo.clear()
        self.template_combo.addItem("Template…", None)
        for template in templates:
            group = f" ({template.expert_group})" if template.expert_group else ""
            self.template_combo.addItem(template.name + group, template)
            self.template_combo.setItemData(
                self.template_combo.count() - 1, template.text, Qt.ItemDataRole.ToolTipRole
            )

    def set_text(self, text: str) -> None:
        """Replace the text (a filled template) as if typed."""
        self.text.setPlainText(text)
        self.text.setFocus()
        cursor = self.text.textCursor()
        cursor.movePosition(cursor.MoveOperation.End)
        self.text.setTextCursor(cursor)

    def request(self) -> ReplyRequest:
        """What to save: the draft's id (None for a new one), text, channel, reason and privacy."""
        return ReplyRequest(
            conversation_id=self.conversation_id,
            reply_id=self.reply_id,
            text=self.text.toPlainText(),
            channel=self.channel,
            reason=self.reason if self.channel != self.customer_channel else "",
            private=self.private,
        )

    def saved(self, reply: Any) -> None:
        """The draft was stored (its id is used from now on)."""
        if reply.conversation_id != self.conversation_id:
            return
        self.reply_id = reply.id
        if self.text.toPlainText() == reply.text:
            self._dirty = False
        self.hint.setText("Draft saved.")
        _show_error(self.error, "")
        self._update_buttons()

    def show_error(self, text: str) -> None:
        """Say why the reply could not be saved, copied or exported."""
        _show_error(self.error, text)

    def set_busy(self, busy: bool, text: str = "") -> None:
        """Grey the hand-off buttons while a save, copy or export runs."""
        self._busy = busy
        if text:
            self.hint.setText(text)
        self._update_buttons()

    # ----------------------------------------------------------- private mode
    def set_suggestion(self, suggestion: PrivateSuggestion | None) -> None:
        """Show the desk's suggestion to answer privately (None hides it)."""
        self._suggestion = suggestion
        if suggestion is None or (self.private and not suggestion.needs_reason):
            self.banner.hide()
            return
        self.banner_label.setText(suggestion.sentence)
        self.banner_button.setText(f"Answer by {suggestion.mode}")
        self.banner.show()

    def _on_banner_button_clicked(self) -> None:
        suggestion = self._suggestion
        if suggestion is None:
            return
        if suggestion.channel != self.channel:
            self._choose_channel(
                Channel(suggestion.channel),
                "The reply involves personal data and this channel has no private messages.",
            )
        else:
            self.private_check.setChecked(True)
        self.banner.hide()

    # -------------------------------------------------------------- channel
    def _on_channel_combo_activated(self, row: int) -> None:
        self._choose_channel(Channel(self.channel_combo.itemData(row)))

    def _set_channel(self, channel: Channel | None) -> None:
        self._committed = channel
        self.channel_combo.setCurrentIndex(max(0, self.channel_combo.findData(channel)))

    def _choose_channel(self, channel: Channel, suggested_reason: str = "") -> None:
        if channel == self._committed:
            return
        if channel == self.customer_channel or self.customer_channel is None:
            self.reason = ""
            self._set_channel(channel)
            self._after_channel_change()
            return
        self._set_channel(self._committed)  # the channel changes once a reason is given
        names = self.channel_names
        customer_channel = self.customer_channel
        dialog = QInputDialog(self)
        dialog.setObjectName("channelReasonDialog")
        dialog.setWindowTitle("Answer in another channel")
        dialog.setLabelText(
            f"{self.customer} wrote to us on {names.get(customer_channel, channel_label(customer_channel))}. "
            f"Why answer by {names.get(channel, channel_label(channel))} instead?"
        )
        dialog.setTextValue(suggested_reason or self.reason)
        dialog.setOkButtonText("Use this channel")
        dialog.textValueSelected.connect(lambda reason: self._on_reason_given(channel, reason))
        dialog.finished.connect(self._on_reason_dialog_finished)
        self.reason_dialog = dialog
        dialog.open()

    def _on_reason_given(self, channel: Channel, reason: str) -> None:
        if not reason.strip():
            self.show_error(
                "Say why the reply leaves the customer's channel "
                "(for example: the customer asked for e-mail)."
            )
            return
        self.reason = reason.strip()
        self._set_channel(channel)
        if channel == Channel.EMAIL:
            self.private_check.setChecked(True)
        self._after_channel_change()

    def _on_reason_dialog_finished(self, _result: int) -> None:
        if self.reason_dialog is not None:
            self.reason_dialog.deleteLater()
        self.reason_dialog = None

    def _after_channel_change(self) -> None:
        _show_error(self.error, "")
        self._update_private()
        if not self._loading:
            self._dirty = True
            self.channel_changed.emit()

    def _update_private(self) -> None:
        channel = self.channel
        mode = self.private_modes.get(channel) if channel is not None else None
        blocked = self.private_check.signalsBlocked()
        self.private_check.blockSignals(True)
        if channel == Channel.EMAIL:
            self.private_check.setChecked(True)
        elif mode is None:
            self.private_check.setChecked(False)
        self.private_check.blockSignals(blocked)
        self.private_check.setEnabled(mode is not None and channel != Channel.EMAIL)
        self.private_check.setToolTip(
            f"Send it as {mode} rather than in public" if mode else "This channel has no private messages"
        )

    def _on_private_check_toggled(self, _checked: bool) -> None:
        if self._loading:
            return
        if self._suggestion is not None:
            self.set_suggestion(self._suggestion)
        self._dirty = True
        self.channel_changed.emit()

    # ------------------------------------------------------------ templates
    def _on_template_combo_activated(self, row: int) -> None:
        template = self.template_combo.itemData(row)
        self.template_combo.setCurrentIndex(0)
        if template is not None:
            self.template_chosen.emit(template)

    # ------------------------------------------------------------------ text
    _dirty = False
    _busy = False

    def _on_text_text_changed(self) -> None:
        if self._loading:
            return
        self._dirty = True
        self.hint.setText("")
        self._update_buttons()
        self.text_edited.emit()

    def _update_buttons(self) -> None:
        has_text = bool(self.text.toPlainText().strip())
        self.send_button.setEnabled(has_text and not self._busy)
        self.export_button.setEnabled(has_text and not self._busy)
        self.discard_button.setVisible(self.reply_id is not None)
        self.discard_button.setEnabled(not self._busy)


# --------------------------------------------------------------------------- the pane
class ConversationPane(QWidget):
    """One conversation: who, where, why and how long is left; its timeline; earlier ones; the reply."""

    #: An earlier conversation of the customer was activated: (conversation id).
    earlier_activated = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conversationPane")
        self.data: PaneData | None = None
        self._reveal = False
        self._explanation = ""
        self.title = QLabel()
        self.title.setObjectName("conversationTitle")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.title.setFont(font)
        self.timer_label = QLabel()
        self.timer_label.setObjectName("conversationTimer")
        self.timer_label.setTextFormat(Qt.TextFormat.PlainText)
        title_row = QHBoxLayout()
        title_row.addWidget(self.title, 1)
        title_row.addWidget(self.timer_label)
        self.meta = QLabel()
        self.meta.setObjectName("conversationMeta")
        self.meta.setTextFormat(Qt.TextFormat.PlainText)
        self.meta.setWordWrap(True)
        self.meta.setStyleSheet("color: palette(placeholder-text);")
        self.why = QLabel()
        self.why.setObjectName("conversationWhy")
        self.why.setTextFormat(Qt.TextFormat.PlainText)
        self.why.setWordWrap(True)
        self.timeline_model = TimelineModel(self)
        self.timeline = TimelineView()
        self.timeline.setModel(self.timeline_model)
        self.earlier_label = QLabel("Earlier conversations of this customer")
        self.earlier_model = EarlierModel(self)
        self.earlier_table = make_table(self.earlier_model, {0: 130, 1: 90, 3: 80}, EarlierModel.COL_STATUS)
        self.earlier_table.setObjectName("earlierConversations")
        self.earlier_table.setSortingEnabled(False)
        self.earlier_table.setMaximumHeight(92)
        self.earlier_table.setToolTip("Double-click or press Enter to open it")
        self.earlier_table.activated.connect(self._on_earlier_table_activated)
        self.reply_editor = ReplyEditor()

        column = QVBoxLayout(self)
        column.setContentsMargins(12, 0, 0, 0)
        column.setSpacing(4)
        column.addLayout(title_row)
        column.addWidget(self.meta)
        column.addWidget(self.why)
        column.addWidget(self.timeline, 1)
        column.addWidget(self.earlier_label)
        column.addWidget(self.earlier_table)
        column.addWidget(self.reply_editor)

    @property
    def conversation_id(self) -> str | None:
        """The conversation shown."""
        return self.data.conversation.id if self.data is not None else None

    def show_data(self, data: PaneData, *, keep_editor: bool = False) -> None:
        """Show a (freshly loaded) conversation; the reply editor keeps unsaved text of the same one."""
        same = self.data is not None and self.data.conversation.id == data.conversation.id
        self.data = data
        conv = data.conversation
        self.timeline_model.set_entries(data.entries)
        QTimer.singleShot(0, self.timeline.scrollToBottom)  # once the cards are measured
        self.earlier_model.set_rows(data.earlier)
        self.earlier_label.setVisible(bool(data.earlier))
        self.earlier_table.setVisible(bool(data.earlier))
        editor = self.reply_editor
        if not (same and (keep_editor or editor.dirty)):
            editor.load(
                conv.id,
                self._customer(),
                Channel(conv.channel),
                data.draft,
                data.private_modes,
                data.channel_names,
            )
        else:
            editor.customer = self._customer()
            editor.customer_channel = Channel(conv.channel)
        self._show_texts()

    def set_explanation(self, text: str) -> None:
        """Why the conversation is in its group (the Inbox row says it for the whole conversation)."""
        if text != self._explanation:
            self._explanation = text
            self._show_texts()

    def clear(self) -> None:
        """Show nothing."""
        self.data = None
        self.timeline_model.set_entries([])
        self.earlier_model.set_rows([])

    def _customer(self) -> str:
        if self.data is None:
            return ""
        conv = self.data.conversation
        return one_line(conv.customer) if self._reveal else pseudonym(conv.id)

    def set_reveal_personal_data(self, reveal: bool) -> None:
        """Show original (True) or masked (False) names and texts."""
        self._reveal = reveal
        self.timeline_model.set_reveal_personal_data(reveal)
        self.reply_editor.customer = self._customer()
        self._show_texts()

    def _show_texts(self) -> None:
        data = self.data
        if data is None:
            return
        conv = data.conversation
        self.title.setText(self._customer())
        group = GROUP_NAMES.get(conv.group, str(conv.group))
        status = STATUS_NAMES.get(conv.status, str(conv.status))
        who = data.people.get(conv.assignee_id, "") if conv.assignee_id else ""
        queue = f"{conv.expert_group} queue" if conv.expert_group else ""
        assigned = f"Assigned to {who}" if who else "Unassigned"
        if queue:
            assigned += f" · {queue}"
        channels = list(dict.fromkeys(e.channel for e in data.entries if e.kind == "message" and e.channel))
        across = " · ".join(channel_label(c) for c in channels)
        parts = [
            f"{group} · {status}",
            assigned,
            f"{len(conv.item_ids)} message(s) on {across or channel_label(conv.channel)}",
        ]
        if conv.first_response_at is not None:
            parts.append(f"first answered {human_time(conv.first_response_at)}")
        self.meta.setText(" · ".join(parts))
        self.meta.setToolTip(conv.routed_by)
        issues = f" · About: {', '.join(data.issue_labels)}" if data.issue_labels else ""
        why = self._explanation
        self.why.setText(f"Why: {why}{issues}" if why else issues.removeprefix(" · "))

    def update_timer(self, timer: Timer | None, text: str) -> None:
        """The countdown next to the title (amber in the warning window, red once missed)."""
        state = timer.state if timer is not None else ""
        self.timer_label.setText(text)
        set_tone(self.timer_label, {"warning": "warning", "breached": "error"}.get(state, "muted"))
        font = self.timer_label.font()
        font.setBold(bool(state))
        self.timer_label.setFont(font)
        self.timer_label.setToolTip(f"Answer by {full_time(timer.due_at)}" if timer is not None else "")

    def _on_earlier_table_activated(self, index: QModelIndex) -> None:
        row = self.earlier_model.objects()[index.row()]
        self.earlier_activated.emit(row.id)


# --------------------------------------------------------------------------- small dialogs
class OverrideDialog(QDialog):
    """Ask which group the conversation belongs in, and why (kept with the override)."""

    #: (group, reason)
    override_chosen = Signal(str, str)

    def __init__(self, current_group: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("overrideDialog")
        self.setWindowTitle("Move to another group")
        self.group_combo = QComboBox()
        for group in (URGENT, REPLY, NONE):
            if group != current_group:
                self.group_combo.addItem(GROUP_NAMES[group], group)
        self.reason_edit = QLineEdit()
        self.reason_edit.setPlaceholderText("Why the rules were wrong here (kept and counted)")
        form = QFormLayout()
        form.addRow("Move to", self.group_combo)
        form.addRow("Reason", self.reason_edit)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Move")
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        self.reason_edit.textChanged.connect(self._update)
        note = QLabel(f"The conversation is in “{GROUP_NAMES.get(current_group, current_group)}” now.")
        column = QVBoxLayout(self)
        column.addWidget(note)
        column.addLayout(form)
        column.addWidget(self.buttons)
        self._update()

    def _update(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(
            bool(self.reason_edit.text().strip())
        )

    def _on_buttons_accepted(self) -> None:
        self.override_chosen.emit(str(self.group_combo.currentData()), self.reason_edit.text().strip())
        self.accept()


class _CandidatesProxy(QSortFilterProxyModel):
    """Conversations another one can be linked with: all but itself, searched."""

    def __init__(self, exclude: str, parent: Any = None) -> None:
        super().__init__(parent)
        self._exclude = exclude
        self._search = ""

    def set_search_text(self, text: str) -> None:
        self.beginFilterChange()
        self._search = text.strip().casefold()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        model = self.sourceModel()
        if not isinstance(model, InboxTableModel) or source_parent.isValid():
            return False
        row = model.row_object(source_row)
        if row.id == self._exclude:
            return False
        return not self._search or self._search in model.search_text(row)

    def filterAcceptsColumn(self, source_column: int, source_parent: AnyIndex) -> bool:
        return source_column in (
            InboxTableModel.COL_CUSTOMER,
            InboxTableModel.COL_CHANNEL,
            InboxTableModel.COL_LAST,
        )


class LinkDialog(QDialog):
    """Pick the conversation to link into this one (the same customer under another name or channel)."""

    #: (other conversation id, reason)
    link_chosen = Signal(str, str)

    def __init__(self, model: InboxTableModel, conversation_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("linkDialog")
        self.setWindowTitle("Link with another conversation")
        self.resize(640, 420)
        self.proxy = _CandidatesProxy(conversation_id, self)
        self.proxy.setSourceModel(model)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search customers and messages")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.proxy.set_search_text)
        self.table = make_table(self.proxy, {0: 150, 1: 90}, 2)
        self.table.setSortingEnabled(False)
        self.proxy.sort(-1)  # the Inbox's own order
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.reason_edit = QLineEdit()
        self.reason_edit.setPlaceholderText("Why they are the same customer (optional)")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Link")
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        self.table.selectionModel().selectionChanged.connect(self._update)
        column = QVBoxLayout(self)
        column.addWidget(QLabel("Its messages join this conversation; Unlink undoes it."))
        column.addWidget(self.search)
        column.addWidget(self.table, 1)
        form = QFormLayout()
        form.addRow("Reason", self.reason_edit)
        column.addLayout(form)
        column.addWidget(self.buttons)
        self._update()

    def select_conversation(self, conversation_id: str) -> bool:
        """Select a candidate by id (for the keyboard: type, arrows; and tests)."""
        for row in range(self.proxy.rowCount()):
            if self.proxy.index(row, 0).data(DomainObjectRole).id == conversation_id:
                self.table.selectRow(row)
                return True
        return False

    def _selected_id(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].data(DomainObjectRole).id if rows else None

    def _update(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(self._selected_id() is not None)

    def _on_buttons_accepted(self) -> None:
        other = self._selected_id()
        if other is not None:
            self.link_chosen.emit(other, self.reason_edit.text().strip())
            self.accept()


# --------------------------------------------------------------------------- the rules editor
def _lines(edit: QPlainTextEdit) -> list[str]:
    return [line.strip() for line in edit.toPlainText().splitlines() if line.strip()]


class GroupDelegate(QStyledItemDelegate):
    """Edits the "Forces" column of the watched terms with a combo."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: AnyIndex) -> QWidget:
        combo = QComboBox(parent)
        for value, label in WatchedTermsModel.GROUP_CHOICES:
            combo.addItem(label, value or "")
        return combo

    def setEditorData(self, editor: QWidget, index: AnyIndex) -> None:
        if isinstance(editor, QComboBox):
            editor.setCurrentIndex(max(0, editor.findData(index.data(Qt.ItemDataRole.EditRole) or "")))

    def setModelData(self, editor: QWidget, model: Any, index: AnyIndex) -> None:
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)


class RulesDialog(QDialog):
    """The triage rules as a form: thresholds, watched terms and phrase lists; Preview before Save."""

    #: Preview these rules: (TriageRules).
    preview_requested = Signal(object)
    #: Save these rules: (TriageRules).
    save_requested = Signal(object)

    def __init__(self, rules: TriageRules, may_save: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("rulesDialog")
        self.setWindowTitle("Triage rules")
        self.resize(860, 640)
        self._rules = rules
        self.reveal = False

        def spin(low: float, high: float, step: float, value: float, decimals: int = 2) -> QDoubleSpinBox:
            box = QDoubleSpinBox()
            box.setRange(low, high)
            box.setSingleStep(step)
            box.setDecimals(decimals)
            box.setValue(value)
            return box

        def count(high: int, value: int) -> QSpinBox:
            box = QSpinBox()
            box.setRange(0, high)
            box.setGroupSeparatorShown(True)
            box.setValue(value)
            return box

        self.negative_below = spin(-1.0, 0.0, 0.05, rules.negative_below)
        self.negative_below.setToolTip("Texts scoring below this (VADER, -1 to 1) count as negative")
        self.praise_above = spin(0.0, 1.0, 0.05, rules.praise_above)
        self.praise_is_reply = QCheckBox("Praise is worth a reply (a thank-you)")
        self.praise_is_reply.setChecked(rules.praise_is_reply)
        self.urgent_reach = count(100_000_000, rules.urgent_reach)
        self.urgent_reach.setToolTip("Authors with this many followers make a complaint or question urgent")
        self.hot_issue_min_score = spin(0.0, 100.0, 0.5, rules.hot_issue_min_score, 1)
        self.spam_max_links = count(100, rules.spam_max_links)
        self.spam_max_hashtags = count(100, rules.spam_max_hashtags)
        self.spam_repeats = count(1000, rules.spam_repeats)
        thresholds = QWidget()
        form = QFormLayout(thresholds)
        form.addRow("Negative below", self.negative_below)
        form.addRow("Praise from", self.praise_above)
        form.addRow("", self.praise_is_reply)
        form.addRow("Urgent from a reach of", self.urgent_reach)
        form.addRow("Urgent in issues hotter than", self.hot_issue_min_score)
        form.addRow("Spam above this many links", self.spam_max_links)
        form.addRow("Spam above this many hashtags", self.spam_max_hashtags)
        form.addRow("Spam when the same text comes", self.spam_repeats)

        self.terms_model = WatchedTermsModel(self)
        self.terms_model.set_terms(
            TermRow(t.phrase, t.group.value if t.group is not None else None, t.weight)
            for t in rules.watched_terms
        )
        self.terms_table = QTableView()
        self.terms_table.setObjectName("watchedTerms")
        self.terms_table.setModel(self.terms_model)
        self.terms_table.verticalHeader().hide()
        self.terms_table.verticalHeader().setDefaultSectionSize(self.terms_table.fontMetrics().height() + 12)
        self.terms_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.terms_table.setColumnWidth(1, 170)
        self.terms_table.setColumnWidth(2, 70)
        self.terms_table.setItemDelegateForColumn(
            WatchedTermsModel.COL_GROUP, GroupDelegate(self.terms_table)
        )
        add = QPushButton("Add term")
        add.clicked.connect(self._on_add_clicked)
        remove = QPushButton("Remove term")
        remove.clicked.connect(self._on_remove_clicked)
        terms = QWidget()
        terms_column = QVBoxLayout(terms)
        syntax = QLabel(
            "Words match their forms (“refund” finds “refunds”); a|b means either, word* any ending, "
            "and a lone * up to two words between."
        )
        syntax.setWordWrap(True)
        terms_column.addWidget(syntax)
        terms_column.addWidget(self.terms_table, 1)
        buttons_row = QHBoxLayout()
        buttons_row.addWidget(add)
        buttons_row.addWidget(remove)
        buttons_row.addStretch(1)
        terms_column.addLayout(buttons_row)

        def phrases(values: list[str], tip: str) -> QPlainTextEdit:
            edit = QPlainTextEdit("\n".join(values))
            edit.setToolTip(tip)
            return edit

        self.abusive_phrases = phrases(rules.abusive_phrases, "Insults aimed at people: no reply, hidden")
        self.spam_phrases = phrases(rules.spam_phrases, "Promotional patterns: no reply")
        self.extra_question_phrases = phrases(
            rules.extra_question_phrases, "Your own cues that a message asks"
        )
        self.extra_complaint_phrases = phrases(rules.extra_complaint_phrases, "Your own complaint cues")
        lists = QWidget()
        lists_form = QFormLayout(lists)
        lists_form.addRow(QLabel("One phrase a line."))
        lists_form.addRow("Abusive", self.abusive_phrases)
        lists_form.addRow("Spam", self.spam_phrases)
        lists_form.addRow("Also questions", self.extra_question_phrases)
        lists_form.addRow("Also complaints", self.extra_complaint_phrases)

        self.tabs = QTabWidget()
        self.tabs.addTab(thresholds, "Thresholds")
        self.tabs.addTab(terms, "Watched terms")
        self.tabs.addTab(lists, "Phrases")

        self.preview_label = QLabel("Preview shows which stored messages the changed rules would move.")
        self.preview_label.setObjectName("rulesPreviewText")
        self.preview_label.setWordWrap(True)
        self.preview_label.setTextFormat(Qt.TextFormat.PlainText)
        self.moved_model = MovedItemsModel(self)
        self.moved_table = make_table(self.moved_model, {0: 130, 1: 80, 3: 200}, MovedItemsModel.COL_TEXT)
        self.moved_table.setObjectName("rulesMovedItems")
        self.moved_table.setSortingEnabled(False)
        self.error = _error_label()
        self.preview_button = QPushButton("Preview")
        self.preview_button.setObjectName("rulesPreview")
        self.preview_button.setToolTip("Count what the changed rules would move, before saving (Ctrl+P)")
        self.preview_button.setShortcut("Ctrl+P")
        self.preview_button.clicked.connect(self._on_preview_clicked)
        self.save_button = QPushButton("Save")
        self.save_button.setObjectName("rulesSave")
        self.save_button.setEnabled(may_save)
        self.save_button.setToolTip(
            "Save and apply the rules to the stored messages"
            if may_save
            else "Only admins change the triage rules."
        )
        self.save_button.clicked.connect(self._on_save_clicked)
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.preview_button)
        bottom.addStretch(1)
        bottom.addWidget(close)
        bottom.addWidget(self.save_button)
        column = QVBoxLayout(self)
        column.addWidget(self.tabs, 3)
        column.addWidget(self.preview_label)
        column.addWidget(self.moved_table, 2)
        column.addWidget(self.error)
        column.addLayout(bottom)
        self._may_save = may_save

    def rules(self) -> TriageRules:
        """The rules as edited (checked by the desk when previewed or saved)."""
        from curator.triage.model import TriageGroup
        from curator.triage.rules import WatchedTerm

        return replace(
            self._rules,
            negative_below=round(self.negative_below.value(), 3),
            praise_above=round(self.praise_above.value(), 3),
            praise_is_reply=self.praise_is_reply.isChecked(),
            urgent_reach=self.urgent_reach.value(),
            hot_issue_min_score=round(self.hot_issue_min_score.value(), 2),
            spam_max_links=self.spam_max_links.value(),
            spam_max_hashtags=self.spam_max_hashtags.value(),
            spam_repeats=self.spam_repeats.value(),
            watched_terms=[
                WatchedTerm(t.phrase, TriageGroup(t.group) if t.group else None, t.weight)
                for t in self.terms_model.terms()
            ],
            abusive_phrases=_lines(self.abusive_phrases),
            spam_phrases=_lines(self.spam_phrases),
            extra_question_phrases=_lines(self.extra_question_phrases),
            extra_complaint_phrases=_lines(self.extra_complaint_phrases),
        )

    def set_busy(self, busy: bool, text: str = "") -> None:
        """Grey the buttons while a preview or save runs."""
        self.preview_button.setEnabled(not busy)
        self.save_button.setEnabled(not busy and self._may_save)
        if text:
            self.preview_label.setText(text)

    def show_preview(self, result: RulePreviewResult) -> None:
        """Show what would move (the desk's sentence) and the first moved messages."""
        _show_error(self.error, "")
        listed = len(result.moved)
        more = f" The first {listed} are listed." if listed < result.preview.moved else ""
        self.preview_label.setText(result.preview.sentence() + more)
        self.moved_model.reveal = self.reveal
        self.moved_model.set_rows(result.moved)

    def show_error(self, text: str) -> None:
        """Say what is wrong with the rules (or why they could not be saved)."""
        _show_error(self.error, text)

    def _on_add_clicked(self) -> None:
        row = self.terms_model.add_term()
        index = self.terms_model.index(row, WatchedTermsModel.COL_PHRASE)
        self.terms_table.setCurrentIndex(index)
        self.terms_table.edit(index)

    def _on_remove_clicked(self) -> None:
        index = self.terms_table.currentIndex()
        if index.isValid():
            self.terms_model.remove_term(index.row())

    def _on_preview_clicked(self) -> None:
        self.preview_requested.emit(self.rules())

    def _on_save_clicked(self) -> None:
        self.save_requested.emit(self.rules())


# --------------------------------------------------------------------------- the targets editor
class TargetsDialog(QDialog):
    """Minutes to answer per channel and group, and when the timer warns."""

    #: Save these targets: (ResponseTargets).
    save_requested = Signal(object)

    def __init__(self, targets: ResponseTargets, may_save: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from curator.triage.model import CUSTOMER_CHANNELS

        self.setObjectName("targetsDialog")
        self.setWindowTitle("Response targets")
        self.resize(520, 520)
        self._targets = targets
        self.model = TargetsModel(self)
        rows = [
            TargetRow(
                TargetsModel.DEFAULT_KEY,
                "Every channel (default)",
                targets.default.urgent_minutes,
                targets.default.reply_minutes,
            )
        ]
        for channel in CUSTOMER_CHANNELS:
            own = targets.channels.get(channel.value)
            rows.append(
                TargetRow(
                    channel.value,
                    channel_label(channel),
                    own.urgent_minutes if own else None,
                    own.reply_minutes if own else None,
                    own=own is not None,
                )
            )
        self.model.set_rows(rows)
        self.table = QTableView()
        self.table.setObjectName("targetsTable")
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 12)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(1, 130)
        self.table.setColumnWidth(2, 130)
        self.warn_share = QSpinBox()
        self.warn_share.setRange(0, 99)
        self.warn_share.setSuffix(" % of the target")
        self.warn_share.setValue(round(targets.warn_share * 100))
        self.warn_minutes = QSpinBox()
        self.warn_minutes.setRange(0, 24 * 60)
        self.warn_minutes.setSuffix(" min")
        self.warn_minutes.setValue(targets.warn_minutes)
        form = QFormLayout()
        form.addRow("Warn when left", self.warn_share)
        form.addRow("or at least", self.warn_minutes)
        self.error = _error_label()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close
        )
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setEnabled(may_save)
        save.setToolTip(
            "Save; every open timer follows" if may_save else "Only admins change response targets."
        )
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        column = QVBoxLayout(self)
        intro = QLabel(
            "Minutes to a first answer. 0 means no target (no timer). "
            "Channels follow the default until edited."
        )
        intro.setWordWrap(True)
        column.addWidget(intro)
        column.addWidget(self.table, 1)
        column.addLayout(form)
        column.addWidget(self.error)
        column.addWidget(self.buttons)

    def targets(self) -> ResponseTargets:
        """The targets as edited."""
        from curator.triage.targets import GroupTargets

        rows = self.model.rows()
        default = rows[0]
        return replace(
            self._targets,
            default=GroupTargets(default.urgent, default.reply),
            channels={row.key: GroupTargets(row.urgent, row.reply) for row in rows[1:] if row.own},
            warn_share=self.warn_share.value() / 100,
            warn_minutes=self.warn_minutes.value(),
        )

    def show_error(self, text: str) -> None:
        """Say why the targets could not be saved."""
        _show_error(self.error, text)

    def _on_buttons_accepted(self) -> None:
        self.save_requested.emit(self.targets())


__all__ = [
    "ConversationPane",
    "LinkDialog",
    "OverrideDialog",
    "ReplyEditor",
    "RulesDialog",
    "TargetsDialog",
    "TimelineDelegate",
]
