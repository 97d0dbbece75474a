"""The committee deck as PowerPoint 16:9 (python-pptx), from ``exports.deck`` slides."""

from __future__ import annotations

import io

import polars as pl
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.util import Emu, Inches, Pt

from charts import theme
from exports.deck import Slide, column_widths

INK = RGBColor.from_string(theme.INK.lstrip("#"))
MUTED = RGBColor.from_string(theme.MUTED.lstrip("#"))
ACCENT = RGBColor.from_string(theme.REALISED.lstrip("#"))
FONT = "Arial"


def _text(slide, left, top, width, height, text, size, *, bold=False, colour=INK):
    box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    frame = box.text_frame
    frame.word_wrap = True
    for i, line in enumerate(text.split("\n")):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        run = paragraph.add_run()
        run.text = line
        run.font.size = Pt(size)
        run.font.bold = bold
        run.font.name = FONT
        run.font.color.rgb = colour
    return box


def _title(slide, text: str, subtitle: str) -> None:
    title = slide.shapes.title
    title.left, title.top = Inches(0.5), Inches(0.25)
    title.width, title.height = Inches(12.3), Inches(0.8)
    title.text = text
    paragraph = title.text_frame.paragraphs[0]
    paragraph.alignment = 1  # left
    for run in paragraph.runs:
        run.font.size, run.font.bold, run.font.name = Pt(28), True, FONT
        run.font.color.rgb = INK
    if subtitle:
        _text(slide, 0.5, 1.0, 12.3, 0.45, subtitle, 15, colour=MUTED)


def _table(slide, table: pl.DataFrame, top: float) -> None:
    rows, cols = table.height + 1, table.width
    height = min(0.42 * rows, 7.5 - top - 1.1)
    shape = slide.shapes.add_table(
        rows, cols, Inches(0.5), Inches(top), Inches(12.3), Inches(height)
    )
    grid = shape.table
    for c, width in enumerate(column_widths(table, 12.3)):
        grid.columns[c].width = Emu(int(Inches(width)))
    for c, name in enumerate(table.columns):
        grid.cell(0, c).text = name
    for r, values in enumerate(table.iter_rows(), start=1):
        for c, value in enumerate(values):
            grid.cell(r, c).text = "" if value is None else str(value)
    for r in range(rows):
        for c in range(cols):
            for paragraph in grid.cell(r, c).text_frame.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(12)
                    run.font.name = FONT
                    # The header row, and the first column when it names the rows.
                    run.font.bold = r == 0 or (c == 0 and cols > 1)


def render(slides: list[Slide], pictures: list[bytes | None], footer: str) -> bytes:
    """PPTX bytes: one slide per ``Slide``; ``pictures[i]`` is the PNG of slide i."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = Emu(12_192_000), Emu(6_858_000)  # 16:9, 13.33 x 7.5 in
    for spec, picture in zip(slides, pictures, strict=True):
        if spec.is_title:
            slide = prs.slides.add_slide(prs.slide_layouts[0])
            title = slide.shapes.title
            title.left, title.top = Inches(0.8), Inches(2.2)
            title.width, title.height = Inches(11.7), Inches(1.4)
            title.text = spec.title
            for run in title.text_frame.paragraphs[0].runs:
                run.font.size, run.font.bold, run.font.name = Pt(36), True, FONT
                run.font.color.rgb = ACCENT
            sub = slide.placeholders[1]
            sub.left, sub.top = Inches(0.8), Inches(3.8)
            sub.width, sub.height = Inches(11.7), Inches(1.6)
            sub.text = spec.subtitle
            for paragraph in sub.text_frame.paragraphs:
                for run in paragraph.runs:
                    run.font.size, run.font.name = Pt(20), FONT
                    run.font.color.rgb = INK
        else:
            slide = prs.slides.add_slide(prs.slide_layouts[5])
            _title(slide, spec.title, spec.subtitle)
            if picture is not None:
                width = 8.6 if spec.facts else 12.3
                slide.shapes.add_picture(
                    io.BytesIO(picture), Inches(0.4), Inches(1.5), width=Inches(width)
                )
            if spec.facts:
                top = 1.6
                for label, value in spec.facts:
                    _text(slide, 9.2, top, 3.8, 0.3, label, 11, colour=MUTED)
                    _text(slide, 9.2, top + 0.25, 3.8, 0.45, value, 18, bold=True)
                    top += 0.78
            if spec.table is not None:
                _table(slide, spec.table, 1.6)
            if spec.sentence:
                _text(slide, 0.5, 6.35, 12.3, 0.7, spec.sentence, 13)
        _text(slide, 0.5, 7.08, 12.3, 0.3, footer, 9, colour=MUTED)
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()
