"""Charts for the board summary (reportlab.graphics): text in them stays real text."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors

from auditor.report.pdf_common import INK, MUTED, RULE

COVERAGE_COLOUR = colors.HexColor("#3b6ea5")
PASS_COLOUR = colors.HexColor("#2f855a")


def _label(name: str, width: int = 26) -> str:
    return "\n".join(textwrap.wrap(name, width)[:3]) or name


def framework_bars(names: Sequence[str], coverage: Sequence[float], met: Sequence[float],
                   width: float) -> Drawing:
    """Per framework: the share of clauses covered, and of clauses met, in percent (0-100) of all clauses.

    Both bars share one base, so the met bar is never longer than the covered bar.
    """
    rows = max(len(names), 1)
    left = 130
    height = 46 + rows * 28  # 28 pt a framework: seven frameworks keep the board to two pages
    drawing = Drawing(width, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = left, 30
    chart.width, chart.height = width - left - 40, height - 46
    # drawn bottom-up: reverse so the first framework is on top
    chart.data = [list(reversed(met)) or [0], list(reversed(coverage)) or [0]]
    chart.categoryAxis.categoryNames = [_label(n) for n in reversed(names)] or [""]
    chart.categoryAxis.labels.fontName = "Helvetica"
    chart.categoryAxis.labels.fontSize = 8
    chart.categoryAxis.labels.fillColor = INK
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -4
    chart.categoryAxis.strokeColor = RULE
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
    chart.valueAxis.labels.fontName = "Helvetica"
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labels.fillColor = MUTED
    chart.valueAxis.labelTextFormat = "%d%%"
    chart.valueAxis.strokeColor = RULE
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#eef1f4")
    chart.bars[0].fillColor = PASS_COLOUR
    chart.bars[1].fillColor = COVERAGE_COLOUR
    chart.bars.strokeColor = None
    chart.barSpacing = 2
    chart.groupSpacing = 10
    chart.barLabelFormat = "%.0f%%"
    chart.barLabels.fontName = "Helvetica"
    chart.barLabels.fontSize = 7
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = left, height - 6
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.fontName = "Helvetica"
    legend.fontSize = 8
    legend.dx = legend.dy = 7
    legend.deltax = 150
    legend.colorNamePairs = [(COVERAGE_COLOUR, "clauses covered by controls"),
                             (PASS_COLOUR, "clauses met (all their controls pass)")]
    drawing.add(legend)
    return drawing


def trend_line(labels: Sequence[str], pass_share: Sequence[float], width: float, height: float = 130) -> Drawing:
    """Share of controls passing (percent) over the runs, oldest first."""
    drawing = Drawing(width, height)
    chart = HorizontalLineChart()
    chart.x, chart.y = 40, 28
    chart.width, chart.height = width - 60, height - 40
    chart.data = [list(pass_share)]
    step = max(1, (len(labels) + 7) // 8)  # at most about eight date labels
    chart.categoryAxis.categoryNames = [label if i % step == 0 or i == len(labels) - 1 else ""
                                        for i, label in enumerate(labels)]
    chart.categoryAxis.labels.fontName = "Helvetica"
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.fillColor = MUTED
    chart.categoryAxis.labels.angle = 0
    chart.categoryAxis.strokeColor = RULE
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 25
    chart.valueAxis.labelTextFormat = "%d%%"
    chart.valueAxis.labels.fontName = "Helvetica"
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labels.fillColor = MUTED
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#eef1f4")
    chart.valueAxis.strokeColor = RULE
    chart.lines[0].strokeColor = PASS_COLOUR
    chart.lines[0].strokeWidth = 2
    chart.joinedLines = 1
    chart.lineLabelFormat = "%.0f%%"
    chart.lineLabels.fontName = "Helvetica"
    chart.lineLabels.fontSize = 7
    chart.lineLabels.dy = 7
    drawing.add(chart)
    drawing.add(String(40, height - 8, "controls passing, by run", fontName="Helvetica", fontSize=8, fillColor=MUTED))
    return drawing
