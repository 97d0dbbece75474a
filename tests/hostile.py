"""Hostile files for the readers (``sppe_data.imports.reading``): small builders of
CSV and XLSX bytes, and the worst files of the issue. Every builder returns the file's
bytes, or writes it to a path when it is too big to hold comfortably."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    b'officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
    b'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
ROOT_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<workbook xmlns="' + MAIN.encode() + b'" xmlns:r="' + REL.encode() + b'">'
    b'<sheets><sheet name="Feuil1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)


def workbook_rels(shared: bool, styles: bool) -> bytes:
    out = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="' + REL.encode() + b'/worksheet" '
        b'Target="worksheets/sheet1.xml"/>'
    )
    if shared:
        out += (
            b'<Relationship Id="rId2" Type="' + REL.encode() + b'/sharedStrings" '
            b'Target="sharedStrings.xml"/>'
        )
    if styles:
        out += b'<Relationship Id="rId3" Type="' + REL.encode() + b'/styles" Target="styles.xml"/>'
    return out + b"</Relationships>"


def sheet(rows: bytes, dimension: str | None = None) -> bytes:
    dim = f'<dimension ref="{dimension}"/>'.encode() if dimension else b""
    return (
        b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="' + MAIN.encode() + b'">'
        + dim + b"<sheetData>" + rows + b"</sheetData></worksheet>"
    )  # fmt: skip


def xlsx(
    sheet_xml: bytes | None = None,
    shared: bytes | None = None,
    styles: bytes | None = None,
    sheet_raw: tuple[bytes, int, int] | None = None,
    shared_raw: tuple[bytes, int, int] | None = None,
) -> bytes:
    """A workbook of one sheet. ``sheet_raw``/``shared_raw``: a part given already
    deflated (data, CRC, size: ``deflated``), for parts of hundreds of megabytes."""
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", ROOT_RELS)
        zf.writestr("xl/workbook.xml", WORKBOOK)
        has_shared = shared is not None or shared_raw is not None
        zf.writestr("xl/_rels/workbook.xml.rels", workbook_rels(has_shared, styles is not None))
        if styles is not None:
            zf.writestr("xl/styles.xml", styles)
        for name, data, raw in (
            ("xl/sharedStrings.xml", shared, shared_raw),
            ("xl/worksheets/sheet1.xml", sheet_xml, sheet_raw),
        ):
            if data is not None:
                zf.writestr(name, data)
            elif raw is not None:
                zf.writestr(zipfile.ZipInfo(name), raw[0], compress_type=zipfile.ZIP_STORED)
    out = bytearray(target.getvalue())
    for name, raw in (
        ("xl/sharedStrings.xml", shared_raw),
        ("xl/worksheets/sheet1.xml", sheet_raw),
    ):
        if raw is not None:
            _patch(out, name.encode(), method=8, crc=raw[1], size=raw[2])
    return bytes(out)


def _patch(buf: bytearray, name: bytes, method=None, crc=None, size=None, csize=None) -> None:
    """Rewrites the headers (local and directory) of the entry ``name``."""
    at = 0
    while True:
        at = buf.find(name, at + 1)
        if at < 0:
            return
        if buf[at - 46 : at - 42] == b"PK\x01\x02":
            base, fields = at - 46, {"method": 10, "crc": 16, "csize": 20, "size": 24}
        elif buf[at - 30 : at - 26] == b"PK\x03\x04":
            base, fields = at - 30, {"method": 8, "crc": 14, "csize": 18, "size": 22}
        else:
            continue
        for key, value in (("method", method), ("crc", crc), ("size", size), ("csize", csize)):
            if value is not None:
                fmt = "<H" if key == "method" else "<L"
                struct.pack_into(fmt, buf, base + fields[key], value)


def deflated(head: bytes, unit: bytes, count: int, tail: bytes) -> tuple[bytes, int, int]:
    """``head + unit * count + tail`` deflated without compressing it all: ``unit``
    is compressed once as an independent, byte-aligned run that is repeated."""

    def run(data: bytes, last: bool) -> bytes:
        packer = zlib.compressobj(9, zlib.DEFLATED, -15)
        return packer.compress(data) + packer.flush(zlib.Z_FINISH if last else zlib.Z_FULL_FLUSH)

    body = run(unit, False)
    crc = zlib.crc32(head)
    for _ in range(count):
        crc = zlib.crc32(unit, crc)
    crc = zlib.crc32(tail, crc)
    data = run(head, False) + body * count + run(tail, True)
    return data, crc, len(head) + len(unit) * count + len(tail)


def inline_row(values: list[str], row: int | None = None) -> bytes:
    r = f' r="{row}"' if row is not None else ""
    cells = "".join(f'<c t="inlineStr"><is><t>{v}</t></is></c>' for v in values)
    return f"<row{r}>{cells}</row>".encode()


def table_xlsx(rows: list[list[str]], dimension: str | None = None) -> bytes:
    """A sheet of inline text cells, row after row from row 1."""
    return xlsx(sheet(b"".join(inline_row(r, i + 1) for i, r in enumerate(rows)), dimension))


# --- the worst files of the issue ------------------------------------------------------


def dimension_bomb() -> bytes:
    """About 1.5 KB declaring 1,048,576 x 16,384 cells (the dimension and a styled
    cell at XFD1048576), holding a table of two rows."""
    rows = (
        inline_row(["nom", "valeur"], 1)
        + inline_row(["a", "1"], 2)
        + b'<row r="1048576"><c r="XFD1048576" s="0"/></row>'
    )
    return xlsx(sheet(rows, "A1:XFD1048576"))


def dimension_bomb_with_value() -> bytes:
    """The same with a value in the last cell of the sheet: refused (beyond the
    columns allowed), however little it weighs."""
    rows = inline_row(["nom"], 1) + b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    return xlsx(sheet(rows, "A1:XFD1048576"))


SHEET_HEAD = b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="' + MAIN.encode() + b'">'
MB = 1 << 20


def zip_bomb_rows(megabytes: int = 200, width: int = 5) -> bytes:
    """A few hundred KB whose sheet XML is ``megabytes`` MB of rows of ``width`` cells."""
    head = SHEET_HEAD + b"<sheetData>" + inline_row([f"c{i}" for i in range(width)])
    row = b"<row>" + b"<c><v>1</v></c>" * width + b"</row>"
    unit = row * (MB // len(row))
    return xlsx(sheet_raw=deflated(head, unit, megabytes, b"</sheetData></worksheet>"))


def zip_bomb_empty_cells(megabytes: int = 100) -> bytes:
    """A few MB whose sheet XML is a header then rows of 4,096 empty cells."""
    head = SHEET_HEAD + b"<sheetData>" + inline_row(["a"])
    unit = (b"<row>" + b"<c/>" * 4096 + b"</row>") * 64
    return xlsx(sheet_raw=deflated(head, unit, megabytes, b"</sheetData></worksheet>"))


def zip_bomb_whitespace(megabytes: int = 2000) -> bytes:
    """A few MB whose sheet XML is spaces: the decompressed bytes are what is counted."""
    head = SHEET_HEAD + b"<sheetData>" + inline_row(["a"])
    return xlsx(sheet_raw=deflated(head, b" " * MB, megabytes, b"</sheetData></worksheet>"))


def zip_bomb_shared_string(megabytes: int = 500) -> bytes:
    """One shared string of ``megabytes`` MB, used by a cell."""
    head = b'<?xml version="1.0"?><sst xmlns="' + MAIN.encode() + b'"><si><t>'
    rows = inline_row(["a"], 1) + b'<row r="2"><c t="s"><v>0</v></c></row>'
    return xlsx(sheet(rows), shared_raw=deflated(head, b"a" * MB, megabytes, b"</t></si></sst>"))


def huge_attribute(megabytes: int = 300) -> bytes:
    """An XML start tag of ``megabytes`` MB (one attribute): a parser that waits for
    the end of a token would hold it all."""
    head = SHEET_HEAD + b'<sheetData><row r="1" x="'
    tail = b'"><c t="inlineStr"><is><t>a</t></is></c></row></sheetData></worksheet>'
    return xlsx(sheet_raw=deflated(head, b"a" * MB, megabytes, tail))


def many_zip_entries(count: int = 20_000) -> bytes:
    """A zip directory of ``count`` entries (each costs memory to list)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zf:
        for i in range(count):
            zf.writestr(f"{i}", b"")
    return out.getvalue()


def lying_sizes(data: bytes, declared: int = 10) -> bytes:
    """The workbook with the sheet's declared size (local header and directory)
    rewritten to ``declared`` bytes: the reader must not trust it."""
    buf = bytearray(data)
    _patch(buf, b"xl/worksheets/sheet1.xml", size=declared)
    return bytes(buf)


def big_cell_csv(chars: int = 128 * 1024) -> bytes:
    return b"a;b\n1;" + b"x" * chars + b"\n"


def tiny_rows_csv(path: Path, rows: int = 10_000_000) -> Path:
    """A CSV of ``rows`` rows of one digit (20 MB for ten million)."""
    with open(path, "wb") as out:
        out.write(b"n\n")
        block = b"1\n" * 100_000
        for _ in range(rows // 100_000):
            out.write(block)
    return path


def cr_only_csv() -> bytes:
    return "nom;montant\rÉlise;1,5\rZoé;2\r".encode("cp1252")


def overflowing_csv() -> bytes:
    return ("date;nombre\n01/01/99999999999999999999;" + "9" * 400 + "\n").encode()


def overflowing_xlsx() -> bytes:
    """The same as a workbook: a text date and a 400-digit number cell."""
    rows = (
        inline_row(["date", "nombre"], 1)
        + b'<row r="2"><c r="A2" t="inlineStr"><is><t>01/01/99999999999999999999</t></is>'
        + b'</c><c r="B2"><v>' + b"9" * 400 + b"</v></c></row>"
    )  # fmt: skip
    return xlsx(sheet(rows))


def control_csv() -> bytes:
    return b"nom;note\nA;x\x1by\n"


def bidi_csv() -> bytes:
    return "nom;note\nA;facture\u202etxt.exe\n".encode()


def duplicate_headers_csv() -> bytes:
    return b"nom;Nom \n1;2\n"


def extra_cells_csv() -> bytes:
    return b"nom;note\n1;2;3\n"
