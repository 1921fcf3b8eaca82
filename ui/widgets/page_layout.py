"""The one layout every page uses: a header, then toolbar, activity strip and content.

Pages differ in what they show, not in how the frame around it is laid out;
keeping the frame here keeps margins and spacing the same on every page.
"""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

#: Left, top, right, bottom margins of a page's body (below its header).
BODY_MARGINS = (20, 0, 20, 16)


def lay_out_page(page: QWidget, header: QWidget, *rows: QWidget, spacing: int | None = None) -> None:
    """Give ``page`` its header on top and ``rows`` below; the last row takes the free height.

    Args:
        page: the page widget (it must have no layout yet).
        header: the page header, full width.
        rows: toolbar, activity strip, any extra strip, then the content.
        spacing: space between the rows (the style's default when None).
    """
    body = QVBoxLayout()
    body.setContentsMargins(*BODY_MARGINS)
    if spacing is not None:
        body.setSpacing(spacing)
    for row in rows[:-1]:
        body.addWidget(row)
    body.addWidget(rows[-1], 1)
    layout = QVBoxLayout(page)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(0)
    layout.addWidget(header)
    layout.addLayout(body, 1)
