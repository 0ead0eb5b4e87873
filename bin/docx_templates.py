#!/usr/bin/env python
"""Build the built-in Word templates (templates/documents/<key>.docx) with python-docx.

Each template is made by one function registered with `@builder("<key>")`: it writes
paragraphs and tables holding docxtpl tags (`{{ period }}`, `{%tr for row in rows %}` …
`{%tr endfor %}` rows, `{%tc for … %}` cells, `{%p if … %}` paragraphs) that
chamber/documents.py's `render_docx` fills from the kind's context. Every label comes
from the context too (translated there), so a template holds tags only.

Re-run after changing a builder; it rewrites every template (or the keys named):

    .venv/bin/python bin/docx_templates.py [key ...]

Fonts: A4, body 宋体 style and headings 黑体 style, set for East Asian text in the styles
(w:eastAsia): "宋体"/"黑体" are what an office's Word has; a reader without them gets
Word's own substitute. The PDF embeds Noto CJK instead (chamber/documents.py).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "documents"

BODY_LATIN, BODY_EAST_ASIAN = "Times New Roman", "宋体"
HEADING_LATIN, HEADING_EAST_ASIAN = "Arial", "黑体"

BUILDERS: dict[str, Callable[[Document], None]] = {}


def builder(key: str):
    """Register the function building templates/documents/<key>.docx."""

    def register(build: Callable[[Document], None]):
        BUILDERS[key] = build
        return build

    return register


# --- the parts every template shares ----------------------------------------------------------


def set_fonts(style, latin: str, east_asian: str) -> None:
    """The style's fonts, East Asian text included (w:eastAsia), with no theme font
    left to override them."""
    style.font.name = latin
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        if fonts.get(qn(attribute)) is not None:
            del fonts.attrib[qn(attribute)]
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asian)


def new_document(*, landscape: bool = False) -> Document:
    """An empty A4 document: body 宋体 12 pt, headings 黑体, black."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
    section.top_margin, section.bottom_margin = Mm(22), Mm(20)
    section.left_margin, section.right_margin = Mm(20), Mm(20)
    styles = document.styles
    set_fonts(styles["Normal"], BODY_LATIN, BODY_EAST_ASIAN)
    styles["Normal"].font.size = Pt(12)
    for name, size in (
        ("Title", 22),
        ("Heading 1", 16),
        ("Heading 2", 14),
        ("Heading 3", 12),
    ):
        style = styles[name]
        set_fonts(style, HEADING_LATIN, HEADING_EAST_ASIAN)
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.color.rgb = RGBColor(0, 0, 0)
    set_fonts(styles["Table Grid"], BODY_LATIN, BODY_EAST_ASIAN)
    # The same file whenever it is rebuilt.
    properties = document.core_properties
    properties.author = properties.last_modified_by = ""
    properties.created = properties.modified = datetime(2026, 1, 1, tzinfo=UTC)
    properties.revision = 1
    return document


def paragraph(
    document,
    text: str = "",
    *,
    size: float | None = None,
    center: bool = False,
    bold: bool = False,
    style: str | None = None,
):
    p = document.add_paragraph(style=style)
    if text:
        run = p.add_run(text)
        run.bold = bold or None
        if size:
            run.font.size = Pt(size)
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return p


def page_break(document) -> None:
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _fill(cell, text: str, *, size: float, bold: bool = False) -> None:
    """The cell's text, one paragraph a line (a line may be a docxtpl tag)."""
    lines = text.split("\n")
    first = cell.paragraphs[0]
    for n, line in enumerate(lines):
        p = first if n == 0 else cell.add_paragraph()
        run = p.add_run(line)
        run.font.size = Pt(size)
        run.bold = bold or None


def _shade(cell) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), "EEEEEE")
    cell._tc.get_or_add_tcPr().append(shading)


def table(
    document,
    headings: list[str],
    *,
    loop: str | None = None,
    cells: list[str],
    rows: list[list[str]] = (),
    size: float = 10.5,
    widths: list[float] | None = None,
):
    """A ruled table: a heading row, then either one row repeated by docxtpl for each
    item of `loop` ("row in rows"; `cells` are that row's cells), or fixed `rows`."""
    body = [cells] if loop else list(rows)
    t = document.add_table(rows=0, cols=len(headings))
    t.style = document.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    head = t.add_row()
    for cell, text in zip(head.cells, headings, strict=True):
        _fill(cell, text, size=size, bold=True)
        _shade(cell)
    _repeat_heading(head)
    if loop:
        _tag_row(t, f"{{%tr for {loop} %}}", size)
    for values in body:
        row = t.add_row()
        for cell, text in zip(row.cells, values, strict=True):
            _fill(cell, text, size=size)
    if loop:
        _tag_row(t, "{%tr endfor %}", size)
    if widths:
        for row in t.rows:
            for cell, width in zip(row.cells, widths, strict=True):
                cell.width = Mm(width)
    return t


def _tag_row(t, tag: str, size: float) -> None:
    row = t.add_row()
    _fill(row.cells[0], tag, size=size)


def _repeat_heading(row) -> None:
    """The heading row is repeated on every page the table runs onto."""
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(header)


# --- templates --------------------------------------------------------------------------------


@builder("period-report")
def period_report(document) -> None:
    """月总结 / 季清零 (petitions/documents.py's context): cover, rates with their counts,
    the period before, departments, escalations, the monthly topic, the rules."""
    for _blank in range(6):
        paragraph(document)
    paragraph(document, "{{ chamber_name }}", size=16, center=True, bold=True)
    paragraph(document, "{{ title }}", center=True, style="Title")
    paragraph(document, "{{ period }}", size=18, center=True, bold=True)
    paragraph(document, "{{ first }} – {{ last }}", center=True)
    paragraph(document, "{{ labels.computed }}", size=10.5, center=True)
    page_break(document)

    document.add_heading("{{ chamber_name }} {{ title }}（{{ period }}）", level=1)

    document.add_heading("{{ labels.rates }}", level=2)
    paragraph(document, "{%p if has_rates %}")
    table(
        document,
        [
            "{{ labels.rate }}",
            "{{ labels.value }}",
            "{{ labels.numerator }}",
            "{{ labels.denominator }}",
        ],
        loop="rate in rates",
        cells=[
            "{{ rate.label }}",
            "{{ rate.percent }}",
            "{{ rate.part_label }}：{{ rate.part }}",
            "{{ rate.whole_label }}：{{ rate.whole }}",
        ],
        widths=[50, 22, 49, 49],
    )
    paragraph(document, "{%p for rate in rates %}")
    paragraph(document, "{{ rate.meaning }}", size=9.5)
    paragraph(document, "{%p endfor %}")
    table(
        document,
        ["{{ labels.figure }}", "{{ labels.value }}"],
        loop="row in counts",
        cells=["{{ row.label }}", "{{ row.value }}"],
        widths=[120, 50],
    )
    paragraph(document, "{%p else %}")
    paragraph(document, "{{ labels.no_rates }}")
    paragraph(document, "{%p endif %}")

    document.add_heading("{{ labels.compared }}", level=2)
    paragraph(document, "{%p if previous and previous.has_rates %}")
    table(
        document,
        [
            "{{ labels.rate }}",
            "{{ period }}",
            "{{ previous.period }}",
            "{{ labels.change }}",
        ],
        loop="rate in rates",
        cells=[
            "{{ rate.label }}",
            "{{ rate.text }}",
            "{{ rate.before }}",
            "{{ rate.change }}",
        ],
        widths=[56, 42, 42, 30],
    )
    paragraph(document, "{%p else %}")
    paragraph(document, "{{ labels.no_previous }}")
    paragraph(document, "{%p endif %}")

    document.add_heading("{{ labels.departments }}", level=2)
    paragraph(document, "{{ labels.ranked }}", size=9.5)
    # The rates' columns: one for each rate of the context ({%tc for %} cells).
    table(
        document,
        [
            "{{ labels.rank }}",
            "{{ labels.department }}",
            "{{ labels.petitions }}",
            "{%tc for label in rate_labels %}",
            "{{ label }}",
            "{%tc endfor %}",
            "{{ labels.gap }}",
            "{{ labels.returned }}",
        ],
        loop="row in departments",
        cells=[
            "{{ row.rank }}",
            "{{ row.name }}",
            "{{ row.petitions }}",
            "{%tc for figure in row.rates %}",
            "{{ figure.percent }}\n{{ figure.counts }}",
            "{%tc endfor %}",
            "{{ row.gap }}",
            "{{ row.bounces }}",
        ],
        size=8,
    )

    document.add_heading("{{ labels.intake }}", level=2)
    table(
        document,
        ["{{ labels.channel }}", "{{ labels.petitions }}"],
        loop="row in by_channel",
        cells=["{{ row.name }}", "{{ row.count }}"],
        widths=[120, 50],
    )
    table(
        document,
        ["{{ labels.category }}", "{{ labels.petitions }}"],
        loop="row in by_category",
        cells=["{{ row.name }}", "{{ row.count }}"],
        widths=[120, 50],
    )

    document.add_heading("{{ labels.escalated }}", level=2)
    paragraph(document, "{%p if escalations %}")
    paragraph(document, "{%p if escalations_cut %}")
    paragraph(document, "{{ labels.cut }}", size=9.5)
    paragraph(document, "{%p endif %}")
    table(
        document,
        [
            "{{ labels.number }}",
            "{{ labels.enterprise }}",
            "{{ labels.title }}",
            "{{ labels.department }}",
            "{{ labels.reason }}",
            "{{ labels.overdue }}",
            "{{ labels.escalated_at }}",
        ],
        loop="row in escalations",
        cells=[
            "{{ row.number }}",
            "{{ row.enterprise }}",
            "{{ row.title }}",
            "{{ row.department }}",
            "{{ row.reason }}",
            "{{ row.overdue_days }}",
            "{{ row.on }}",
        ],
        size=9,
        widths=[24, 30, 36, 26, 22, 14, 18],
    )
    paragraph(document, "{%p else %}")
    paragraph(document, "{{ labels.no_escalations }}")
    paragraph(document, "{%p endif %}")

    document.add_heading("{{ labels.topic }}", level=2)
    paragraph(document, "{%p for topic in topics %}")
    document.add_heading(
        "{{ topic.month }} {{ topic.title }}（{{ topic.status }}）", level=3
    )
    paragraph(document, "{{ labels.lead }}：{{ topic.lead }}")
    paragraph(document, "{%p if topic.departments %}")
    paragraph(document, "{{ labels.co }}：{{ topic.departments }}")
    paragraph(document, "{%p endif %}")
    paragraph(document, "{%p for line in topic.problems %}")
    paragraph(document, "{{ loop.index }}. {{ line }}")
    paragraph(document, "{%p endfor %}")
    table(
        document,
        [
            "{{ labels.task }}",
            "{{ labels.in_charge }}",
            "{{ labels.due_on }}",
            "{{ labels.state }}",
        ],
        loop="task in topic.tasks",
        cells=[
            "{{ task.text }}",
            "{{ task.who }}",
            "{{ task.due_on }}",
            "{{ task.done }}",
        ],
        size=9.5,
        widths=[80, 40, 28, 22],
    )
    paragraph(document, "{%p if topic.result %}")
    paragraph(document, "{{ topic.result }}")
    paragraph(document, "{%p endif %}")
    paragraph(document, "{%p else %}")
    paragraph(document, "{{ labels.no_topic }}")
    paragraph(document, "{%p endfor %}")

    paragraph(document, "{%p if rules %}")
    document.add_heading("{{ labels.rules }}", level=2)
    paragraph(document, "{{ labels.rules_note }}", size=9.5)
    table(
        document,
        ["{{ labels.rule }}", "{{ labels.value }}"],
        loop="rule in rules",
        cells=["{{ rule.label }}", "{{ rule.value }}"],
        size=9.5,
        widths=[120, 50],
    )
    paragraph(document, "{%p endif %}")


# --- main ---------------------------------------------------------------------------------------


def build(key: str) -> Path:
    document = new_document()
    BUILDERS[key](document)
    path = TEMPLATES / f"{key}.docx"
    document.save(path)
    return path


def main(argv: list[str]) -> int:
    keys = argv or sorted(BUILDERS)
    unknown = [key for key in keys if key not in BUILDERS]
    if unknown:
        print(f"no builder for: {', '.join(unknown)}", file=sys.stderr)
        return 2
    for key in keys:
        print(build(key))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
