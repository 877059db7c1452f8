"""What both PDF reports share: styles, the page template, headings, wrapped tables.

* Page template: A4, footer with the run id and "page X of Y" on every page.
  "Y" comes from the previous build pass; :meth:`ReportDoc.render` keeps building
  (``multiBuild``) until the table of contents *and* the page count are stable.
* Headings made with :func:`heading` become table-of-contents entries, PDF
  bookmarks and outline entries (the outline is shown when the PDF opens).
* :func:`table` builds a ``LongTable`` that repeats its header row on every page
  and wraps long cells (Paragraph cells, long words split), so nothing overflows.
* All user text goes through :func:`esc`: ``<``, ``>`` and ``&`` are escaped
  before reportlab's mini-markup sees them.
* Output is deterministic (``invariant``: fixed creation date and document id).
"""

from __future__ import annotations

import functools
import io
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    LongTable,
    PageTemplate,
    Paragraph,
    TableStyle,
)
from reportlab.platypus.tableofcontents import TableOfContents

from auditor.model import Status

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN

INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#616e7c")
RULE = colors.HexColor("#cbd2d9")
HEADER_BG = colors.HexColor("#e4e7eb")
ZEBRA = colors.HexColor("#f5f7fa")
STATUS_COLOURS = {
    Status.PASS: colors.HexColor("#2f855a"),
    Status.FAIL: colors.HexColor("#c53030"),
    Status.WAIVED: colors.HexColor("#b7791f"),
    Status.ERROR: colors.HexColor("#6b46c1"),
    Status.INSUFFICIENT_EVIDENCE: colors.HexColor("#c05621"),
}
#: how the PDFs spell each status: its value, in words
STATUS_LABELS = {s: s.value.replace("_", " ") for s in Status}

CELL_FONT = "Helvetica"
CELL_SIZE = 8
CELL_LEADING = 10
CELL_PADDING = 3
MONO_FONT = "Courier"
MONO_SIZE = 7


def esc(value: Any) -> str:
    """Text safe for reportlab's Paragraph markup (``None`` -> empty)."""
    if value is None:
        return ""
    return escape(str(value))


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    body = ParagraphStyle("Body", parent=base["BodyText"], fontName="Helvetica", fontSize=9.5, leading=12.5,
                          textColor=INK, spaceAfter=4)
    return {
        "title": ParagraphStyle("Title", parent=body, fontName="Helvetica-Bold", fontSize=24, leading=29,
                                spaceAfter=10),
        "subtitle": ParagraphStyle("Subtitle", parent=body, fontSize=13, leading=17, textColor=MUTED,
                                   spaceAfter=14),
        "h1": ParagraphStyle("H1", parent=body, fontName="Helvetica-Bold", fontSize=15, leading=19,
                             spaceBefore=6, spaceAfter=8, keepWithNext=1),
        "h2": ParagraphStyle("H2", parent=body, fontName="Helvetica-Bold", fontSize=11.5, leading=15,
                             spaceBefore=10, spaceAfter=4, keepWithNext=1),
        # no keepWithNext: a long table after it would be pushed whole onto the next page;
        # callers put a CondPageBreak before it instead (see :func:`subheading`).
        "h3": ParagraphStyle("H3", parent=body, fontName="Helvetica-Bold", fontSize=9.5, leading=12,
                             spaceBefore=6, spaceAfter=3),
        "body": body,
        "small": ParagraphStyle("Small", parent=body, fontSize=8, leading=10, textColor=MUTED),
        "cell": ParagraphStyle("Cell", parent=body, fontName=CELL_FONT, fontSize=CELL_SIZE, leading=10,
                               spaceAfter=0, splitLongWords=1),
        "cell_head": ParagraphStyle("CellHead", parent=body, fontName="Helvetica-Bold", fontSize=CELL_SIZE,
                                    leading=10, spaceAfter=0),
        "mono": ParagraphStyle("Mono", parent=body, fontName="Courier", fontSize=7.5, leading=9.5, spaceAfter=0,
                               splitLongWords=1),
        "big": ParagraphStyle("Big", parent=body, fontName="Helvetica-Bold", fontSize=28, leading=32,
                              alignment=TA_CENTER, spaceAfter=0),
        "big_label": ParagraphStyle("BigLabel", parent=body, fontSize=9, leading=11, alignment=TA_CENTER,
                                    textColor=MUTED),
        "toc0": ParagraphStyle("TOC0", parent=body, fontName="Helvetica-Bold", fontSize=10, leading=13,
                               leftIndent=0, spaceBefore=5, spaceAfter=0),
        "toc1": ParagraphStyle("TOC1", parent=body, fontSize=8.5, leading=10.5, leftIndent=14, spaceBefore=0,
                               spaceAfter=0),
    }


STYLES = _styles()


def status_text(status: Status) -> str:
    """A coloured, bold status label as Paragraph markup."""
    colour = STATUS_COLOURS[status].hexval()[2:]
    return f'<font color="#{colour}"><b>{esc(STATUS_LABELS[status])}</b></font>'


class Heading(Paragraph):
    """A heading that is also a TOC entry, a bookmark and an outline entry."""

    def __init__(self, text: str, level: int, key: str, style: ParagraphStyle, in_toc: bool = True) -> None:
        super().__init__(esc(text), style)
        self.toc_text = text
        self.toc_level = level
        self.toc_key = key
        self.in_toc = in_toc


TOC_TABLE_STYLE = TableStyle([
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("LEFTPADDING", (0, 0), (-1, -1), 0),
    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
    ("TOPPADDING", (0, 0), (-1, -1), 1),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
])


def table_of_contents() -> TableOfContents:
    return TableOfContents(levelStyles=[STYLES["toc0"], STYLES["toc1"]], dotsMinLevel=0, tableStyle=TOC_TABLE_STYLE)


def subheading(text: str, min_space: float = 60) -> list[Flowable]:
    """A small heading (user text escaped) that starts a new page when fewer than ``min_space`` points are left."""
    return [CondPageBreak(min_space), Paragraph(esc(text), STYLES["h3"])]


def heading(text: str, level: int, key: str, in_toc: bool = True) -> Heading:
    style = STYLES["h1"] if level == 0 else STYLES["h2"]
    return Heading(text, level, key, style, in_toc)


class ReportDoc(BaseDocTemplate):
    """A4 document with the footer, outline and a stable page count."""

    def __init__(self, target: Any, *, title: str, author: str, subject: str, run_id: str,
                 footer_label: str, keywords: Sequence[str] = ()) -> None:
        super().__init__(
            target, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
            bottomMargin=MARGIN + 6 * mm, title=title, author=author, subject=subject,
            creator=f"Auditor {_auditor_version()}", keywords=list(keywords), invariant=1,
            pageCompression=1,
        )
        self.run_id = run_id
        self.footer_label = footer_label
        self.total_pages: int | None = None
        self._previous_pages: int | None = None
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body",
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        self.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=self._footer)])

    def _footer(self, canv: Any, doc: Any) -> None:
        canv.saveState()
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.5)
        y = MARGIN
        canv.line(MARGIN, y + 10, PAGE_WIDTH - MARGIN, y + 10)
        canv.setFont("Helvetica", 7.5)
        canv.setFillColor(MUTED)
        canv.drawString(MARGIN, y, f"{self.footer_label}  |  run {self.run_id}")
        total = self.total_pages if self.total_pages is not None else "?"
        canv.drawRightString(PAGE_WIDTH - MARGIN, y, f"page {doc.page} of {total}")
        canv.restoreState()

    def afterFlowable(self, flowable: Flowable) -> None:
        if isinstance(flowable, Heading):
            self.canv.bookmarkPage(flowable.toc_key)
            self.canv.addOutlineEntry(flowable.toc_text, flowable.toc_key, flowable.toc_level,
                                      closed=flowable.toc_level > 0)
            if flowable.in_toc:
                self.notify("TOCEntry", (flowable.toc_level, esc(flowable.toc_text), self.page, flowable.toc_key))

    def _allSatisfied(self) -> bool:
        pages = self.page
        stable = pages == self.total_pages
        self.total_pages = pages
        return bool(super()._allSatisfied()) and stable

    def render(self, story: list[Flowable]) -> None:
        # Seed each table of contents with the headings it will list (page numbers unknown yet), so
        # the first pass already has its final size: two passes instead of three on a long report.
        entries = [(f.toc_level, esc(f.toc_text), 0, f.toc_key) for f in story
                   if isinstance(f, Heading) and f.in_toc]
        for flowable in story:
            if isinstance(flowable, TableOfContents) and not flowable._entries:
                flowable._entries = list(entries)
        self.multiBuild(story, maxPasses=6)

    def handle_documentBegin(self) -> None:
        super().handle_documentBegin()
        self.canv.showOutline()


def render_pdf(story_builder: Any, **doc_kwargs: Any) -> bytes:
    """Build a PDF in memory: ``story_builder()`` returns a fresh story (one per call)."""
    buffer = io.BytesIO()
    doc = ReportDoc(buffer, **doc_kwargs)
    doc.render(story_builder())
    return buffer.getvalue()


@functools.lru_cache(maxsize=4096)
def _char_width(char: str, font: str, size: float) -> float:
    return float(stringWidth(char, font, size))


def _width(text: str, font: str, size: float) -> float:
    return sum(_char_width(c, font, size) for c in text)


def wrap_text(text: str, width: float, font: str = CELL_FONT, size: float = CELL_SIZE) -> str:
    """Greedy word wrap to ``width`` points; words longer than a line are split by character.

    Returns the lines joined with newlines: reportlab draws such a string cell line by
    line, which is many times faster than laying out a Paragraph per cell.
    """
    space = _char_width(" ", font, size)
    out: list[str] = []
    for raw_line in text.splitlines() or [""]:
        line, line_width = "", 0.0
        for word in raw_line.split(" "):
            word_width = _width(word, font, size)
            if line and line_width + space + word_width <= width:
                line, line_width = f"{line} {word}", line_width + space + word_width
                continue
            if line:
                out.append(line)
            line, line_width = "", 0.0
            while word_width > width:  # split a long word (ARNs, digests, URLs) by character
                cut, cut_width = 0, 0.0
                while cut < len(word) and cut_width + _char_width(word[cut], font, size) <= width:
                    cut_width += _char_width(word[cut], font, size)
                    cut += 1
                cut = max(cut, 1)
                out.append(word[:cut])
                word = word[cut:]
                word_width = _width(word, font, size)
            line, line_width = word, word_width
        out.append(line)
    return "\n".join(out)


def cell(value: Any, width: float, font: str = CELL_FONT, size: float = CELL_SIZE) -> Any:
    """A table cell: flowables as given, text wrapped to the column (plain string, no markup)."""
    if isinstance(value, Flowable):
        return value
    text = "" if value is None else str(value)
    return wrap_text(text, width - 2 * CELL_PADDING - 0.5, font, size)


def table(header: Sequence[str], rows: Sequence[Sequence[Any]], fractions: Sequence[float],
          width: float = CONTENT_WIDTH, zebra: bool = True, mono: Sequence[int] = (),
          extra_style: Sequence[tuple[Any, ...]] = ()) -> LongTable:
    """A wrapping table with a repeated header row; ``fractions`` of ``width`` per column.

    Columns listed in ``mono`` are set in Courier (digests, identifiers).
    """
    widths = [width * f for f in fractions]
    fonts = [(MONO_FONT, MONO_SIZE) if i in mono else (CELL_FONT, CELL_SIZE) for i in range(len(widths))]
    data: list[list[Any]] = [[Paragraph(esc(h), STYLES["cell_head"]) for h in header]]
    for row in rows:
        data.append([cell(v, w, *f) for v, w, f in zip(row, widths, fonts, strict=True)])
    commands: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), CELL_FONT, CELL_SIZE, CELL_LEADING),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_BG),
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, MUTED),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    commands += [("FONT", (i, 1), (i, -1), MONO_FONT, MONO_SIZE, CELL_LEADING) for i in mono]
    if zebra:
        commands.append(("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, ZEBRA]))
    commands.extend(extra_style)
    return LongTable(data, colWidths=widths, repeatRows=1, style=TableStyle(commands), hAlign="LEFT")


def key_value_table(pairs: Sequence[tuple[str, Any]], width: float = CONTENT_WIDTH,
                    key_fraction: float = 0.26) -> LongTable:
    """Two columns, bold keys, wrapping values (values may be Paragraph markup via Flowables)."""
    widths = [width * key_fraction, width * (1 - key_fraction)]
    data = [[Paragraph(esc(k), STYLES["cell_head"]), cell(v, widths[1])] for k, v in pairs]
    return LongTable(data, colWidths=widths, hAlign="LEFT", style=TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONT", (0, 0), (-1, -1), CELL_FONT, CELL_SIZE, CELL_LEADING),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))


def markup(text: str, style: str = "body") -> Paragraph:
    """A Paragraph from markup the caller built (user parts already passed through :func:`esc`)."""
    return Paragraph(text, STYLES[style])


def para(text: Any, style: str = "body") -> Paragraph:
    """A Paragraph of plain user text (escaped)."""
    return Paragraph(esc(text), STYLES[style])


def _auditor_version() -> str:
    from auditor import __version__

    return __version__
