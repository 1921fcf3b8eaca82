"""Charts from the core's :class:`~curator.reports.council.ChartSpec`, drawn with QtCharts.

The Reports page shows them in the window's palette, so they read in a dark
theme as well as a light one: text, grid and series colours all come from
the palette (the first series in the highlight colour, the period before in
the highlight blended halfway into the background). The PDF writer draws the
same charts with :func:`paper_palette` (dark text on white) into images.

The value axis is the spec's own (:meth:`ChartSpec.axis`), the one the HTML's
SVG uses, so the three show the same scale. QtCharts items are graphics
widgets: build and render them on the GUI thread only.
"""

from __future__ import annotations

from PySide6.QtCharts import (
    QAbstractBarSeries,
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QImage, QPainter, QPalette, QPen
from PySide6.QtWidgets import QGraphicsScene, QWidget

from curator.reports.council import ChartSpec

__all__ = ["blend", "make_chart", "make_chart_view", "paper_palette", "render_chart", "series_colours"]

#: Bars drawn with their value on top when there are at most this many.
LABELLED_BARS = 24


def blend(a: QColor, b: QColor, share: float) -> QColor:
    """``a`` moved ``share`` of the way to ``b`` (0: a, 1: b)."""
    return QColor(
        round(a.red() + (b.red() - a.red()) * share),
        round(a.green() + (b.green() - a.green()) * share),
        round(a.blue() + (b.blue() - a.blue()) * share),
    )


def paper_palette() -> QPalette:
    """Dark text on white with the report's blue, for printing (the HTML's colours)."""
    palette = QPalette()
    white, ink = QColor("#ffffff"), QColor("#1d2733")
    for role, colour in (
        (QPalette.ColorRole.Window, white),
        (QPalette.ColorRole.Base, white),
        (QPalette.ColorRole.WindowText, ink),
        (QPalette.ColorRole.Text, ink),
        (QPalette.ColorRole.Highlight, QColor("#1f5fa8")),
        (QPalette.ColorRole.Mid, QColor("#b8c2ce")),
        (QPalette.ColorRole.PlaceholderText, QColor("#5b6878")),
    ):
        palette.setColor(QPalette.ColorGroup.All, role, colour)
    return palette


def series_colours(palette: QPalette, count: int) -> list[QColor]:
    """This period in the highlight colour, the one before lighter (or darker, on a dark theme)."""
    strong = palette.color(QPalette.ColorRole.Highlight)
    ground = palette.color(QPalette.ColorRole.Base)
    shades = [strong, blend(strong, ground, 0.55), blend(strong, palette.color(QPalette.ColorRole.Text), 0.5)]
    return [shades[n % len(shades)] for n in range(count)]


def _label_format(spec: ChartSpec) -> str:
    if spec.unit == "%":
        return "%.0f%%"
    return "%.0f" if spec.whole else "%.1f"


def make_chart(
    spec: ChartSpec, palette: QPalette, *, title: bool = True, font: QFont | None = None
) -> QChart:
    """A QChart of ``spec`` in ``palette``'s colours.

    Args:
        spec: What to draw.
        palette: Where the colours come from (the widget's, or :func:`paper_palette`).
        title: Draw the spec's title in the chart (the PDF has it as a heading instead).
        font: The text font (default: the application's).
    """
    text = palette.color(QPalette.ColorRole.Text)
    muted = palette.color(QPalette.ColorRole.PlaceholderText)
    grid = blend(palette.color(QPalette.ColorRole.Base), text, 0.15)
    base_font = QFont(font) if font is not None else QFont()
    small = QFont(base_font)
    small.setPointSizeF(max(7.0, base_font.pointSizeF() * 0.85))

    chart = QChart()
    chart.setBackgroundBrush(QBrush(palette.color(QPalette.ColorRole.Base)))
    chart.setBackgroundRoundness(0)
    chart.setMargins(QMargins(4, 4, 4, 4))
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    if title:
        bold = QFont(base_font)
        bold.setBold(True)
        chart.setTitle(spec.title)
        chart.setTitleFont(bold)
        chart.setTitleBrush(QBrush(text))
    legend = chart.legend()
    legend.setVisible(len(spec.series) > 1)
    legend.setAlignment(Qt.AlignmentFlag.AlignTop)
    legend.setLabelColor(text)
    legend.setFont(small)

    axis_x = QBarCategoryAxis()
    axis_x.append(spec.categories)
    axis_y = QValueAxis()
    top, step = spec.axis()
    axis_y.setRange(0, top)
    axis_y.setTickCount(round(top / step) + 1)
    axis_y.setLabelFormat(_label_format(spec))
    if spec.unit not in ("%", ""):
        axis_y.setTitleText(spec.unit)
        axis_y.setTitleBrush(QBrush(muted))
        axis_y.setTitleFont(small)
    for axis in (axis_x, axis_y):
        axis.setLabelsColor(text)
        axis.setLabelsFont(small)
        axis.setGridLineColor(grid)
        axis.setLinePenColor(muted)
    axis_x.setGridLineVisible(False)
    chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)

    colours = series_colours(palette, len(spec.series))
    if spec.kind == "bar":
        bars = QBarSeries()
        complete = all(v is not None for values in spec.series.values() for v in values)
        for colour, (name, values) in zip(colours, spec.series.items(), strict=True):
            bar_set = QBarSet(name)
            bar_set.append([float(v) if v is not None else 0.0 for v in values])
            bar_set.setColor(colour)
            bar_set.setBorderColor(colour)
            bar_set.setLabelColor(text)
            bar_set.setLabelFont(small)
            bars.append(bar_set)
        # A missing value is drawn as no bar; a label would read "0", so labels only when none is missing.
        bars.setLabelsVisible(complete and len(spec.categories) * len(spec.series) <= LABELLED_BARS)
        bars.setLabelsPosition(QAbstractBarSeries.LabelsPosition.LabelsOutsideEnd)
        bars.setLabelsFormat("@value")
        chart.addSeries(bars)
        bars.attachAxis(axis_x)
        bars.attachAxis(axis_y)
    else:
        for colour, (name, values) in zip(colours, spec.series.items(), strict=True):
            runs: list[list[QPointF]] = [[]]
            for i, value in enumerate(values):
                if value is None:
                    if runs[-1]:
                        runs.append([])
                    continue
                runs[-1].append(QPointF(i, value))
            for n, run in enumerate(r for r in runs if r):
                line = QLineSeries()
                line.setName(name)
                line.append(run)
                line.setPen(QPen(colour, 2.5))
                line.setPointsVisible(True)
                line.setPointLabelsVisible(len(spec.categories) <= 16)
                line.setPointLabelsColor(text)
                line.setPointLabelsFont(small)
                line.setPointLabelsFormat("@yPoint%" if spec.unit == "%" else "@yPoint")
                line.setPointLabelsClipping(False)
                chart.addSeries(line)
                line.attachAxis(axis_x)
                line.attachAxis(axis_y)
                if n:  # one legend entry per series, not per unbroken run
                    for marker in legend.markers(line):
                        marker.setVisible(False)
    return chart


def make_chart_view(spec: ChartSpec, palette: QPalette, parent: QWidget | None = None) -> QChartView:
    """A chart view of ``spec`` for a page, antialiased, in ``palette``'s colours."""
    view = QChartView(make_chart(spec, palette), parent)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setBackgroundBrush(QBrush(palette.color(QPalette.ColorRole.Base)))
    view.setMinimumHeight(240)
    view.setAccessibleName(spec.title)
    view.setToolTip(spec.note)
    return view


def render_chart(
    spec: ChartSpec,
    size: QSize,
    *,
    scale: float = 3.0,
    palette: QPalette | None = None,
    font: QFont | None = None,
) -> QImage:
    """``spec`` drawn into an image of ``size`` logical pixels at ``scale`` (3: about 300 dpi on paper).

    Call on the GUI thread (QtCharts items are graphics widgets).
    """
    palette = palette if palette is not None else paper_palette()
    chart = make_chart(spec, palette, title=False, font=font)
    scene = QGraphicsScene()
    scene.addItem(chart)
    chart.setGeometry(QRectF(0, 0, size.width(), size.height()))
    image = QImage(round(size.width() * scale), round(size.height() * scale), QImage.Format.Format_RGB32)
    image.fill(palette.color(QPalette.ColorRole.Base))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    scene.render(
        painter, QRectF(0, 0, image.width(), image.height()), QRectF(0, 0, size.width(), size.height())
    )
    painter.end()
    return image  # the scene owns the chart and deletes it with itself
