"""The committee deck as PDF (reportlab): the same slides and pictures as the
PowerPoint, one 16:9 page each, with real (searchable) text."""

from __future__ import annotations

import hashlib
import io
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PIL import Image
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfdoc import PDFImageXObject
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, Table, TableStyle

from charts import theme
from exports.deck import Slide, column_widths

PT = 72  # points per inch
WIDTH, HEIGHT = 960, 540  # 13.33 x 7.5 in, 16:9
# DejaVu (Debian package fonts-dejavu-core, installed with Chromium) has the status
# symbols and every French letter; Helvetica is the fallback.
_DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
ZLIB_LEVEL = 3  # pictures 15 % larger than at level 6, compressed twice as fast


def _fonts() -> tuple[str, str]:
    regular, bold = _DEJAVU / "DejaVuSans.ttf", _DEJAVU / "DejaVuSans-Bold.ttf"
    if not (regular.exists() and bold.exists()):
        return "Helvetica", "Helvetica-Bold"
    if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVuSans", str(regular)))
        pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(bold)))
    return "DejaVuSans", "DejaVuSans-Bold"


class _Picture(PDFImageXObject):
    """A PNG as a PDF image: RGB pixels (alpha dropped, as reportlab does), Flate
    compressed by zlib, stored binary. reportlab's own path decodes the PNG and encodes
    the stream in ASCII85 in pure Python: about 0.4 s an image against 0.05 s here, in C
    code that lets other threads run."""

    def __init__(self, png: bytes) -> None:
        with Image.open(io.BytesIO(png)) as image:
            rgb = image.convert("RGB")
        self.name = hashlib.sha1(png).hexdigest()
        self.width, self.height = rgb.size
        self.bitsPerComponent = 8
        self.colorSpace = "DeviceRGB"
        self.streamContent = zlib.compress(rgb.tobytes(), ZLIB_LEVEL)
        self._filters = ("FlateDecode",)
        self.mask = None


def _prepare(pictures: list[bytes | None]) -> dict[bytes, _Picture]:
    """The PDF images of the distinct pictures, built side by side."""
    distinct = list(dict.fromkeys(p for p in pictures if p is not None))
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(distinct, pool.map(_Picture, distinct), strict=True))


def _draw(canvas: Canvas, picture: _Picture, x: float, y: float, width: float, height: float):
    """What ``canvas.drawImage`` does, for a ready image: stored once in the document,
    drawn in the given box."""
    canvas._currentPageHasImages = 1
    ref = canvas._doc.getXObjectName(picture.name)
    if canvas._doc.idToObject.get(ref) is None:
        canvas._setXObjects(picture)
        canvas._doc.Reference(picture, ref)
        canvas._doc.addForm(picture.name, picture)
    canvas.saveState()
    canvas.translate(x, y)
    canvas.scale(width, height)
    canvas._code.append(f"/{ref} Do")
    canvas.restoreState()
    canvas._formsinuse.append(picture.name)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _paragraph(canvas, text, left, top, width, size, font, colour=theme.INK) -> None:
    """Wrapped text whose top edge is ``top`` inches from the page top."""
    style = ParagraphStyle("p", fontName=font, fontSize=size, leading=size * 1.25,
                           textColor=colors.HexColor(colour))  # fmt: skip
    para = Paragraph(_escape(text).replace("\n", "<br/>"), style)
    _, height = para.wrap(width * PT, HEIGHT)
    para.drawOn(canvas, left * PT, HEIGHT - top * PT - height)


def render(slides: list[Slide], pictures: list[bytes | None], footer: str) -> bytes:
    """PDF bytes: one page per ``Slide``; ``pictures[i]`` is the PNG of slide i."""
    regular, bold = _fonts()
    prepared = _prepare(pictures)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(WIDTH, HEIGHT))
    canvas.setTitle(slides[0].title if slides else "Dossier")
    canvas.setAuthor("Pilotage SPPE")
    for spec, picture in zip(slides, pictures, strict=True):
        if spec.is_title:
            _paragraph(canvas, spec.title, 0.8, 2.4, 11.7, 36, bold, theme.REALISED)
            _paragraph(canvas, spec.subtitle, 0.8, 3.8, 11.7, 20, regular)
        else:
            _paragraph(canvas, spec.title, 0.5, 0.35, 12.3, 26, bold)
            if spec.subtitle:
                _paragraph(canvas, spec.subtitle, 0.5, 1.0, 12.3, 15, regular, theme.MUTED)
            if picture is not None:
                width = 8.6 if spec.facts else 12.3
                image = prepared[picture]
                height = width * image.height / image.width
                _draw(canvas, image, 0.4 * PT, HEIGHT - (1.5 + height) * PT,
                      width * PT, height * PT)  # fmt: skip
            top = 1.6
            for label, value in spec.facts:
                _paragraph(canvas, label, 9.2, top, 3.8, 11, regular, theme.MUTED)
                _paragraph(canvas, value, 9.2, top + 0.25, 3.8, 17, bold)
                top += 0.78
            if spec.table is not None:
                header = ParagraphStyle("h", fontName=bold, fontSize=11, leading=13)
                cell = ParagraphStyle("c", fontName=regular, fontSize=11, leading=13)
                first = ParagraphStyle("f", fontName=bold, fontSize=11, leading=13)
                # Cells are paragraphs: long texts wrap inside their column.
                data = [
                    [Paragraph(_escape(c), header) for c in spec.table.columns],
                    *[
                        [
                            Paragraph(
                                _escape("" if v is None else str(v)),
                                first if i == 0 and spec.table.width > 1 else cell,
                            )
                            for i, v in enumerate(r)
                        ]
                        for r in spec.table.iter_rows()
                    ],
                ]
                widths = [w * PT for w in column_widths(spec.table, 12.3)]
                table = Table(data, colWidths=widths)
                table.setStyle(
                    TableStyle(
                        [
                            ("FONT", (0, 0), (-1, -1), regular, 11),
                            ("FONT", (0, 0), (-1, 0), bold, 11),
                            ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#BBBBBB")),
                            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8F1F8")),
                            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                            ("TOPPADDING", (0, 0), (-1, -1), 6),
                            ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                        ]
                    )
                )
                _, height = table.wrap(12.3 * PT, HEIGHT)
                table.drawOn(canvas, 0.5 * PT, HEIGHT - 1.6 * PT - height)
            if spec.sentence:
                _paragraph(canvas, spec.sentence, 0.5, 6.38, 12.3, 12, regular)
        _paragraph(canvas, footer, 0.5, 7.1, 12.3, 8, regular, theme.MUTED)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
