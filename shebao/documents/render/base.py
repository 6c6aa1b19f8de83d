"""The page every document shares: A4, ReportLab's built-in CJK font, the title block, the
issuing agency and date, the verification block with its QR code, and a footer with the code
and page numbers on every page.

Rendering is deterministic: ReportLab's invariant mode fixes the creation date and the file
identifier, STSong-Light is a CID font the reader supplies (nothing is embedded), and the QR
code is drawn as vector squares. The same facts give the same bytes with the same library
versions; ``RENDERER`` names them, and is stored with each document so that a refused
re-download can say whether the renderer changed.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

import reportlab
import segno
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from shebao.documents.facts.common import date_text

FONT = "STSong-Light"
# Bump when the layout changes: documents issued before then no longer re-render to their
# fingerprint, and the refusal says so.
LAYOUT_VERSION = 1
RENDERER = f"layout-{LAYOUT_VERSION} reportlab-{reportlab.Version} segno-{segno.__version__}"

pdfmetrics.registerFont(UnicodeCIDFont(FONT))

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
GRID = colors.HexColor("#7f7f7f")
SHADE = colors.HexColor("#e8e8e8")


def _style(name: str, size: float, **extra: Any) -> ParagraphStyle:
    return ParagraphStyle(
        name, fontName=FONT, fontSize=size, leading=size * 1.45, wordWrap="CJK", **extra
    )


TITLE = _style("title", 20, alignment=TA_CENTER, spaceAfter=2 * mm)
SUBTITLE = _style("subtitle", 10, alignment=TA_CENTER, textColor=colors.HexColor("#333333"))
CODE_LINE = _style("code", 9, alignment=TA_RIGHT)
BODY = _style("body", 10.5, firstLineIndent=21, spaceAfter=2 * mm)
HEADING = _style("heading", 11.5, spaceBefore=3 * mm, spaceAfter=1.5 * mm)
HEADING_SMALL = _style("heading-small", 10, spaceBefore=2 * mm, spaceAfter=1 * mm)
CELL = _style("cell", 9)
CELL_RIGHT = _style("cell-right", 9, alignment=TA_RIGHT)
NOTE = _style("note", 8.5, textColor=colors.HexColor("#333333"))
SIGNATURE = _style("signature", 10.5, alignment=TA_RIGHT)


def text(value: object) -> str:
    """Facts as paragraph markup: ``&`` and ``<`` in a name must not break the page."""
    return escape(str(value))


def para(value: object, style: ParagraphStyle = BODY) -> Paragraph:
    return Paragraph(text(value), style)


def heading(value: str) -> Paragraph:
    return Paragraph(text(value), HEADING)


def table(
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    widths: Sequence[float],
    *,
    right: Sequence[int] = (),
    bold_last: bool = False,
    wrap: bool = True,
) -> Table:
    """A ruled table; ``widths`` are fractions of the content width, ``right`` the columns
    of figures. The header repeats on every page the table runs over. ``wrap=False`` sets
    the body cells as plain strings, ten times faster for a bill of thousands of lines whose
    cells are short."""

    def cell(value: object, column: int) -> Paragraph:
        return Paragraph(text(value), CELL_RIGHT if column in right else CELL)

    data: list[list[Any]] = [[cell(h, i) for i, h in enumerate(header)]]
    if wrap:
        data += [[cell(v, i) for i, v in enumerate(row)] for row in rows]
    else:
        data += [[str(v) for v in row] for row in rows]
    commands: list[tuple[Any, ...]] = [
        ("FONT", (0, 1), (-1, -1), FONT, CELL.fontSize, CELL.leading),
        *[("ALIGN", (column, 1), (column, -1), "RIGHT") for column in right],
        ("GRID", (0, 0), (-1, -1), 0.5, GRID),
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if bold_last and rows:
        commands.append(("BACKGROUND", (0, -1), (-1, -1), SHADE))
    result = Table(data, colWidths=[CONTENT_WIDTH * w for w in widths], repeatRows=1, hAlign="LEFT")
    result.setStyle(TableStyle(commands))
    return result


def fields(pairs: Sequence[tuple[str, object]], columns: int = 2) -> Table:
    """Label–value pairs in a ruled grid of ``columns`` pairs a row."""
    label_width = 0.2 if columns == 2 else 0.3
    value_width = 1 / columns - label_width
    rows: list[list[Paragraph]] = []
    for start in range(0, len(pairs), columns):
        row: list[Paragraph] = []
        for label, value in pairs[start : start + columns]:
            row += [Paragraph(text(label), CELL), Paragraph(text(value), CELL)]
        while len(row) < 2 * columns:
            row.append(Paragraph("", CELL))
        rows.append(row)
    result = Table(
        rows,
        colWidths=[
            CONTENT_WIDTH * (label_width if i % 2 == 0 else value_width) for i in range(2 * columns)
        ],
        hAlign="LEFT",
    )
    commands: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.5, GRID),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    commands += [("BACKGROUND", (i, 0), (i, -1), SHADE) for i in range(0, 2 * columns, 2)]
    result.setStyle(TableStyle(commands))
    return result


class QrCode(Flowable):
    """The verification address as a QR code, drawn square by square (runs of dark modules
    merged into one rectangle) with the standard four-module quiet zone."""

    BORDER = 4

    def __init__(self, data: str, size: float) -> None:
        super().__init__()
        self.matrix = segno.make(data, error="m", micro=False).matrix
        self.width = self.height = size

    def draw(self) -> None:
        canvas = self.canv
        count = len(self.matrix) + 2 * self.BORDER
        module = self.width / count
        canvas.setFillColor(colors.black)
        for y, row in enumerate(self.matrix):
            x = 0
            while x < len(row):
                if not row[x]:
                    x += 1
                    continue
                start = x
                while x < len(row) and row[x]:
                    x += 1
                canvas.rect(
                    (self.BORDER + start) * module,
                    self.height - (self.BORDER + y + 1) * module,
                    (x - start) * module,
                    module,
                    stroke=0,
                    fill=1,
                )


def opening(facts: dict[str, Any]) -> list[Flowable]:
    return [
        para(f"验证码：{facts['code_display']}", CODE_LINE),
        Spacer(1, 4 * mm),
        para(facts["title"], TITLE),
        para(f"{facts['province']}企业职工社会保险", SUBTITLE),
        Spacer(1, 6 * mm),
    ]


def closing(facts: dict[str, Any], notes: Sequence[str]) -> list[Flowable]:
    """Notes, the issuing agency and date, and the verification block, kept together."""
    block: list[Flowable] = [Spacer(1, 4 * mm)]
    if notes:
        block.append(para("说明：", NOTE))
        block += [para(f"{i}. {note}", NOTE) for i, note in enumerate(notes, 1)]
    block += [
        Spacer(1, 6 * mm),
        para(f"开具机构：{facts['agency']['name']}", SIGNATURE),
        para(f"开具日期：{date_text(facts['issued_on'])}", SIGNATURE),
        Spacer(1, 5 * mm),
    ]
    explanation = (
        f"本{facts['title']}由{facts['agency']['name']}开具，验证码 {facts['code_display']}。"
        f"扫描左侧二维码，或访问 {facts['verify_base']} 输入验证码，可核验本文书的真实性及"
        "其所载内容；核验页面另列本文件的 SHA-256 指纹，可与所持文件比对。"
        "内容经涂改或与核验结果不一致的，本文书无效。"
    )
    verification = Table(
        [[QrCode(facts["verify_url"], 30 * mm), para(explanation, CELL)]],
        colWidths=[34 * mm, CONTENT_WIDTH - 34 * mm],
        hAlign="LEFT",
    )
    verification.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.5, GRID),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return [KeepTogether([*block, verification])]


def _page_decoration(facts: dict[str, Any]) -> Callable[[Canvas, int, int], None]:
    def decorate(canvas: Canvas, number: int, total: int) -> None:
        canvas.saveState()
        canvas.setStrokeColor(GRID)
        canvas.setLineWidth(0.5)
        canvas.setFont(FONT, 8)
        if number > 1:
            top = PAGE_HEIGHT - 12 * mm
            canvas.drawString(MARGIN, top, f"{facts['title']}（续）")
            canvas.drawRightString(PAGE_WIDTH - MARGIN, top, f"验证码 {facts['code_display']}")
            canvas.line(MARGIN, top - 2 * mm, PAGE_WIDTH - MARGIN, top - 2 * mm)
        bottom = 12 * mm
        canvas.line(MARGIN, bottom + 4 * mm, PAGE_WIDTH - MARGIN, bottom + 4 * mm)
        canvas.drawString(
            MARGIN,
            bottom,
            f"验证码 {facts['code_display']}　核验网址 {facts['verify_base']}",
        )
        if total > 1:
            canvas.drawRightString(PAGE_WIDTH - MARGIN, bottom, f"第 {number} 页 共 {total} 页")
        canvas.restoreState()

    return decorate


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    pages: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.pdf).hexdigest()


def pdf_build(facts: dict[str, Any], body: Sequence[Flowable], notes: Sequence[str]) -> Rendered:
    """The whole document: opening, ``body``, closing; every page numbered once the count is
    known (the pages are held back until the document is complete)."""
    decorate = _page_decoration(facts)
    counted: list[int] = []

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._held: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._held.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._held)
            counted.append(total)
            for number, state in enumerate(self._held, 1):
                self.__dict__.update(state)
                decorate(self, number, total)
                Canvas.showPage(self)
            Canvas.save(self)

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=18 * mm,
        bottomMargin=22 * mm,
        title=facts["title"],
        author=facts["agency"]["name"],
        subject=f"验证码 {facts['code_display']}",
        creator="shebao",
        invariant=1,
    )
    document.build([*opening(facts), *body, *closing(facts, notes)], canvasmaker=NumberedCanvas)
    return Rendered(pdf=buffer.getvalue(), pages=counted[-1])
