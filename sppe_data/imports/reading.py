"""Bounded, streaming reading of every uploaded or imported file (CSV, XLSX, Parquet).

``prepare`` checks a file and turns a CSV or XLSX into a normalised CSV in a temporary
file (Parquet files are checked and kept as they are); ``read_rows`` gives the header and
rows of a small CSV or XLSX (forms, bulk import). Either returns, or raises
``FileRefused`` with a French message naming the row (1 = the header) and the column
when it can; no other exception comes out of them for any content, and a refused file
leaves nothing behind.

Bounds, checked before or while reading, never after:
- Size: the byte count (``len`` or ``stat``) before anything is read.
- Rows: counted while streaming; reading stops at the first non-empty row beyond
  ``max_rows`` data rows. Empty rows between data rows are rows (kept as empty rows, so
  that line numbers stay those of the file); empty rows at the end are dropped; more
  than ``max_rows`` empty rows in a row are refused (a CSV made of empty lines).
- Columns: the header has at most ``max_columns`` names, none empty, no two alike
  (after stripping, without case); empty trailing header cells are dropped. A data row
  with a non-empty cell beyond the header is refused; a shorter row is padded.
- Header: line 1 of the file (a file whose first line is empty is refused).
- Cells: at most ``max_cell_chars`` characters; no control character (C0 and C1,
  DEL, tabulation and line breaks included, U+2028/U+2029, U+FEFF, unpaired
  surrogates) and no bidirectional formatting character (U+061C, U+200E, U+200F,
  U+202A-U+202E, U+2066-U+2069); the message names the character and its position.
  A row is empty when all its cells are empty or spaces.
- Memory: well under 300 MB for any file, accepted or refused: one row at a time is in
  memory (``read_rows`` also bounds what it returns, see ``ROWS_MAX_MEMORY``).

CSV: encoding UTF-8 (with or without BOM), otherwise Windows-1252. The decision is made
while streaming: the file is decoded as UTF-8 until a byte sequence is not valid UTF-8;
if everything before it was plain ASCII, the file is Windows-1252 from the start (ASCII
reads the same in both) and decoding goes on as such; if UTF-8 accented characters came
before, the file mixes encodings and is refused naming the line. A file with a BOM is
UTF-8 throughout. UTF-16 is refused with the way to save as CSV. The separator is ``;``
or ``,``, whichever the header line holds more of (``;`` on a tie, as French Excel
writes it). Line endings CRLF, LF and CR alone are all accepted. Quotes are read
strictly: a quote left open or followed by anything but a separator is refused. A line
is at most ``max_columns * (max_cell_chars + 3)`` characters. A cell cannot hold a line
break (a control character), so every row of an accepted file is one line and the line
numbers of the file are those of its rows.

XLSX: the first visible worksheet (in the workbook's order, whatever tab was active when
it was saved) is read, streamed from the zip with an XML parser that
never trusts the file's claims: not the declared dimension, not the zip's declared sizes
nor its compression ratio. What is bounded is what actually happens: the bytes
decompressed, counted as they come (``_xml_budget``: 32 times ``max_bytes``, at least
128 MB, for the workbook's parts together), the rows and columns as above (a value beyond
``max_columns`` stops the reading at once), the XML elements parsed (a million beyond 8
per value and per row: empty cells cannot make the work grow), the cells per row
(16,384) and the rows (1,048,576), the size of any single XML token (a tag or comment
cannot make the parser buffer), the shared strings kept (``SHARED_STRINGS_MAX_BYTES``,
``SHARED_STRINGS_MAX_COUNT``), the zip directory (``ZIP_MAX_ENTRIES``, read before
``zipfile`` lists it). Only stored or deflated entries, no encryption, no DTD. Formulas
are not evaluated: the value saved with the file is read (empty when none).

Every XLSX cell becomes text, which the validation parses back; the rule:
- text: as is (Excel's ``_xHHHH_`` escapes decoded);
- number: rounded to 15 significant digits as Excel shows it, then a whole number
  below 10^15 without decimals (``2.0`` -> ``2``), otherwise Python's shortest
  round-trip form with a decimal point (``1.5``, ``0.1``, ``1e+20``, ``1.5e-07``); a
  value that is not a finite number (a 400-digit number) stays the file's text;
- number with a date format: ``YYYY-MM-DD``, or ``YYYY-MM-DD HH:MM:SS`` with a time of
  day, or ``HH:MM:SS`` for a time alone (1900 and 1904 date systems; Excel's 29/02/1900
  and serials outside years 1900-9999 stay numbers); duration formats (``[h]:mm``) stay
  numbers;
- boolean: ``true`` / ``false``; error: its code (``#N/A``); ISO date cell (``t="d"``):
  ``YYYY-MM-DD`` when at midnight, else with its time.

Parquet: the magic bytes and the footer (at most ``PARQUET_FOOTER_MAX`` bytes) are
checked and the metadata read with pyarrow before any data: row count, columns (flat
types only, at most ``max_columns``), names (none empty, with surrounding spaces, with
forbidden characters, or alike without case). The data itself is checked by the
validation, in DuckDB. ``read_rows`` takes no Parquet (forms and bulk imports are CSV or
XLSX).

The normalised CSV of ``prepare``: UTF-8, ``,`` separator, ``"`` quoting when needed,
``\\n`` endings, header first (the stripped names), every row padded to the header's
width, an empty cell written empty.
"""

from __future__ import annotations

import array
import codecs
import contextlib
import csv
import io
import itertools
import math
import os
import posixpath
import re
import struct
import sys
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import BinaryIO
from xml.parsers import expat

__all__ = [
    "EXTRACT_LIMITS",
    "UPLOAD_LIMITS",
    "FileRefused",
    "Limits",
    "Prepared",
    "prepare",
    "read_rows",
]


class FileRefused(ValueError):
    """A file that cannot be taken; the message is French and names the row (1 = the
    header) and the column when it can."""


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_rows: int
    max_columns: int = 200
    max_cell_chars: int = 32_768


UPLOAD_LIMITS = Limits(max_bytes=10_000_000, max_rows=100_000)
EXTRACT_LIMITS = Limits(max_bytes=2_000_000_000, max_rows=10_000_000)

# What ``read_rows`` may hold in memory (Python objects of the rows it returns).
ROWS_MAX_MEMORY = 120_000_000
# XLSX: the zip directory, the shared strings kept in memory (UTF-8 bytes, count).
ZIP_MAX_ENTRIES = 10_000
ZIP_MAX_DIRECTORY_BYTES = 4_000_000
SHARED_STRINGS_MAX_BYTES = 64_000_000
SHARED_STRINGS_MAX_COUNT = 8_000_000
# XLSX: decompressed size of the small parts (relations, workbook) and of the styles.
SMALL_PART_MAX_BYTES = 8_000_000
STYLES_MAX_BYTES = 32_000_000
STYLES_MAX_FORMATS = 200_000
WORKBOOK_MAX_SHEETS = 10_000
EXCEL_MAX_COLUMNS = 16_384
EXCEL_MAX_ROWS = 1_048_576
PARQUET_FOOTER_MAX = 32_000_000

_CHUNK = 1 << 20  # bytes read from a CSV at a time
_XML_CHUNK = 1 << 13  # decompressed XML bytes given to the parser at a time
_FORMATS = {".csv": "csv", ".xlsx": "xlsx", ".parquet": "parquet"}


def _xml_budget(limits: Limits) -> int:
    """Decompressed bytes an XLSX may make, its parts together."""
    return max(128_000_000, 32 * limits.max_bytes)


# XLSX: XML elements parsed beyond what the values and rows of the sheet need.
_ELEMENTS_FREE = 1_000_000


# --- results ---------------------------------------------------------------------------


@dataclass
class Prepared:
    format: str  # "csv" | "xlsx" | "parquet"
    header: list[str]  # as in the file (stripped)
    row_count: int  # data rows (header excluded)
    path: Path  # csv/xlsx: the normalised CSV; parquet: the file, checked
    temporary: bool = True  # ``path`` is a temporary file that ``cleanup`` removes

    def cleanup(self) -> None:
        """Removes the temporary file (never a Parquet file given by path)."""
        if self.temporary:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()

    def __enter__(self) -> Prepared:
        return self

    def __exit__(self, *exc_info) -> None:
        self.cleanup()


def prepare(
    filename: str, source: bytes | Path, limits: Limits, workdir: Path | None = None
) -> Prepared:
    """Checks ``source`` (its bytes or its path; ``filename`` gives the format) within
    ``limits``. CSV and XLSX: writes the normalised CSV to a temporary file in
    ``workdir`` (or the system's temporary folder); the caller removes it with
    ``cleanup`` (or ``with``). Parquet: a path is checked in place (``cleanup`` leaves
    it), bytes are written to a temporary file once checked."""
    fmt = _format_of(filename, ("csv", "xlsx", "parquet"))
    _check_size(source, limits)
    if fmt == "parquet":
        return _prepare_parquet(source, limits, workdir)
    handle, name = tempfile.mkstemp(prefix="lecture-", suffix=".csv", dir=workdir)
    path = Path(name)
    try:
        with open(handle, "w", encoding="utf-8", newline="") as out:
            sink = _CsvSink(out)
            table = _Table(limits, sink, fmt)
            _read(fmt, source, limits, table)
        return Prepared(fmt, table.header, table.row_count, path)
    except BaseException:
        with contextlib.suppress(OSError):
            path.unlink()
        raise


def read_rows(
    filename: str, source: bytes | Path, limits: Limits
) -> tuple[list[str], list[list[str | None]]]:
    """Header and rows of a small CSV or XLSX, every cell text (``None`` when empty),
    with the checks of ``prepare``. ``rows[i]`` is line ``i + 2`` of the file (empty
    rows between data rows are kept, empty rows at the end dropped); every row has the
    header's width."""
    fmt = _format_of(filename, ("csv", "xlsx"))
    _check_size(source, limits)
    sink = _ListSink()
    table = _Table(limits, sink, fmt)
    _read(fmt, source, limits, table)
    return table.header, sink.rows


# --- shared checks ---------------------------------------------------------------------


def _number(n: int) -> str:
    return f"{n:,}".replace(",", "\u202f")


def _megabytes(n: int) -> str:
    return f"{n / 1_000_000:.1f}".replace(".", ",") + " Mo"


def _format_of(filename: str, allowed: tuple[str, ...]) -> str:
    name = str(filename).lower()
    suffix = "." + name.rsplit(".", 1)[1] if "." in name else ""
    if suffix in (".xls", ".xlsm", ".xlsb", ".ods"):
        raise FileRefused(
            f"Format {suffix} non pris en charge : enregistrez le classeur au format .xlsx "
            "(ou .csv)."
        )
    fmt = _FORMATS.get(suffix)
    if fmt not in allowed:
        names = [f".{a}" for a in allowed]
        listed = ", ".join(names[:-1]) + " ou " + names[-1]
        raise FileRefused(f"Format non pris en charge : déposez un fichier {listed}.")
    return fmt


def _check_size(source: bytes | Path, limits: Limits) -> int:
    if isinstance(source, (bytes, bytearray, memoryview)):
        size = len(source)
    else:
        try:
            stat = Path(source).stat()
        except FileNotFoundError as exc:
            raise FileRefused("Fichier introuvable.") from exc
        except OSError as exc:
            raise FileRefused("Fichier illisible : accès impossible.") from exc
        if not Path(source).is_file():
            raise FileRefused("Ce n'est pas un fichier.")
        size = stat.st_size
    if size > limits.max_bytes:
        shown, limit = _megabytes(size), _megabytes(limits.max_bytes)
        if shown == limit:  # just over the limit: in bytes, not "10,0 Mo (au plus 10,0 Mo)"
            shown, limit = f"{_number(size)} octets", f"{_number(limits.max_bytes)} octets"
        raise FileRefused(f"Fichier trop volumineux : {shown} (au plus {limit}).")
    if size == 0:
        raise FileRefused("Le fichier est vide.")
    return size


@contextlib.contextmanager
def _opened(source: bytes | Path) -> Iterator[BinaryIO]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        yield io.BytesIO(source)
        return
    try:
        handle = open(source, "rb")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise FileRefused("Fichier illisible : accès impossible.") from exc
    with handle:
        yield handle


_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_FORBIDDEN = re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff{_BIDI}]")
_FORBIDDEN_SEARCH = _FORBIDDEN.search
_BIDI_RE = re.compile(f"[{_BIDI}]")
_CONTROL_NAMES = {
    0x00: "caractère nul",
    0x09: "tabulation",
    0x0A: "saut de ligne",
    0x0D: "retour chariot",
    0x1B: "échappement",
    0x7F: "suppression",
    0x2028: "séparateur de ligne",
    0x2029: "séparateur de paragraphe",
    0xFEFF: "marque d'ordre des octets",
}


def _shown(text: str, limit: int = 40) -> str:
    """A name quoted in a message: forbidden characters replaced, at most ``limit``."""
    text = _FORBIDDEN.sub("\ufffd", text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _cell_problem(cell: str, max_chars: int) -> str | None:
    if len(cell) > max_chars:
        return f"cellule de {_number(len(cell))} caractères (au plus {_number(max_chars)})"
    found = _FORBIDDEN.search(cell)
    if found is None:
        return None
    char = found.group()
    code = f"U+{ord(char):04X}"
    where = f"en position {found.start() + 1}"
    if _BIDI_RE.match(char):
        return f"caractère invisible de sens d'écriture interdit ({code}) {where}"
    if "\ud800" <= char <= "\udfff":
        return f"caractère invalide ({code}) {where}"
    name = _CONTROL_NAMES.get(ord(char), "caractère de contrôle")
    return f"caractère interdit : {name} ({code}) {where}"


# --- the table: header, rows, limits, output -------------------------------------------


class _CsvSink:
    def __init__(self, out) -> None:
        self._writer = csv.writer(out, lineterminator="\n")
        self.header = self.row = self._writer.writerow

    def blank(self, count: int, width: int) -> None:
        empty = [""] * width
        while count > 0:
            batch = min(count, 10_000)
            self._writer.writerows([empty] * batch)
            count -= batch


class _ListSink:
    def __init__(self) -> None:
        self.rows: list[list[str | None]] = []
        self._memory = 0

    def _spend(self, amount: int) -> None:
        self._memory += amount
        if self._memory > ROWS_MAX_MEMORY:
            raise FileRefused(
                "Fichier trop volumineux pour être lu ici : déposez-le en plusieurs parties."
            )

    def header(self, names: list[str]) -> None:
        pass

    def row(self, cells: list[str]) -> None:
        out = [c if c != "" else None for c in cells]
        self._spend(64 + 8 * len(out) + sum(sys.getsizeof(c) for c in cells if c))
        self.rows.append(out)

    def blank(self, count: int, width: int) -> None:
        self._spend(count * (64 + 8 * width))
        self.rows.extend([None] * width for _ in range(count))


class _Table:
    """Takes the rows of a file in order (row number, cells as text) and applies the
    header, row and cell rules; writes to the sink."""

    def __init__(self, limits: Limits, sink, fmt: str) -> None:
        self.limits = limits
        self.sink = sink
        self.fmt = fmt
        self.header: list[str] = []
        self.row_count = 0
        self._width = 0
        self._last = 0  # row number of the header or of the last non-empty row written
        self._seen_blank_first = False
        self._max_cell = limits.max_cell_chars
        self._max_rows = limits.max_rows
        self._write = sink.row

    def column(self, index: int) -> str:
        """Name of the column at ``index`` (0-based) in a message."""
        if index < self._width:
            return f"« {_shown(self.header[index])} »"
        if not self.header:
            return _letters(index + 1) if self.fmt == "xlsx" else f"n° {index + 1}"
        if self.fmt == "xlsx":
            return f"{_letters(index + 1)} (sans nom de colonne)"
        return f"n° {index + 1} (sans nom de colonne)"

    def refuse_cell(self, row_no: int, index: int, problem: str) -> FileRefused:
        return FileRefused(f"Ligne {row_no}, colonne {self.column(index)} : {problem}.")

    def _check_cells(self, row_no: int, cells: list[str]) -> None:
        for i, cell in enumerate(cells):
            problem = _cell_problem(cell, self._max_cell)
            if problem:
                raise self.refuse_cell(row_no, i, problem)

    def add(self, row_no: int, cells: list[str]) -> None:
        joined = "".join(cells)
        if len(joined) > self._max_cell or _FORBIDDEN_SEARCH(joined):
            self._check_cells(row_no, cells)
        blank = not joined or joined.isspace()
        if not self.header:
            if blank:
                self._seen_blank_first = True
                if row_no > self.limits.max_rows:
                    raise FileRefused(
                        f"Aucun en-tête dans les {_number(self.limits.max_rows)} premières "
                        "lignes : la ligne 1 doit contenir les noms des colonnes."
                    )
                return
            if row_no != 1 or self._seen_blank_first:
                raise FileRefused(
                    "Ligne 1 vide : la première ligne doit contenir les noms des colonnes."
                )
            self._take_header(cells)
            return
        if blank:
            if row_no - self._last > self._max_rows:
                raise FileRefused(
                    f"Ligne {row_no} : plus de {_number(self.limits.max_rows)} lignes vides "
                    "à la suite."
                )
            return
        if row_no - 1 > self._max_rows:
            raise FileRefused(
                f"Ligne {row_no} : le fichier dépasse la limite de "
                f"{_number(self.limits.max_rows)} lignes de données."
            )
        width = self._width
        if len(cells) > width:
            for i in range(width, len(cells)):
                if cells[i].strip():
                    raise self.refuse_cell(
                        row_no, i, f"valeur hors des {width} colonnes de l'en-tête"
                    )
            cells = cells[:width]
        elif len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        if row_no - self._last > 1:
            self.sink.blank(row_no - self._last - 1, width)
        self._write(cells)
        self.row_count = row_no - 1
        self._last = row_no

    def _take_header(self, cells: list[str]) -> None:
        names = [c.strip() for c in cells]
        while names and not names[-1]:
            names.pop()
        if len(names) > self.limits.max_columns:
            raise FileRefused(
                f"Ligne 1 : {_number(len(names))} colonnes, au plus "
                f"{_number(self.limits.max_columns)} sont acceptées."
            )
        seen: dict[str, int] = {}
        for i, name in enumerate(names):
            where = _letters(i + 1) if self.fmt == "xlsx" else f"n° {i + 1}"
            if not name:
                raise FileRefused(f"Ligne 1, colonne {where} : nom de colonne vide.")
            key = name.casefold()
            if key in seen:
                first = _letters(seen[key] + 1) if self.fmt == "xlsx" else f"n° {seen[key] + 1}"
                raise FileRefused(
                    f"Ligne 1 : les colonnes {first} et {where} portent le même nom "
                    f"« {_shown(name)} »."
                )
            seen[key] = i
        self.header = names
        self._width = len(names)
        self._last = 1
        self.sink.header(names)

    def finish(self) -> None:
        if not self.header:
            raise FileRefused("Le fichier est vide.")


def _read(fmt: str, source: bytes | Path, limits: Limits, table: _Table) -> None:
    if fmt == "csv":
        _read_csv(source, limits, table)
    else:
        _read_xlsx(source, limits, table)
    table.finish()


# --- CSV -------------------------------------------------------------------------------


class _Decoder:
    """Bytes to text: UTF-8 (BOM or not), else Windows-1252 when everything before the
    first non-UTF-8 byte was ASCII; line endings made ``\\n``."""

    def __init__(self) -> None:
        self.encoding = "utf-8"
        self.lines_done = 0  # line breaks in the text given out so far
        self._utf8 = codecs.getincrementaldecoder("utf-8")("strict")
        self.utf8_only = False  # UTF-8 seen (or a BOM): no switching any more
        self._cr = False  # the last chunk ended with "\r"

    def _normalise(self, text: str) -> str:
        if self._cr:
            text = "\r" + text
        self._cr = text.endswith("\r")
        if self._cr:
            text = text[:-1]
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        self.lines_done += text.count("\n")
        return text

    def _line_at(self, valid_prefix: str) -> int:
        prefix = ("\r" if self._cr else "") + valid_prefix
        return self.lines_done + prefix.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1

    def decode(self, data: bytes, final: bool = False) -> str:
        if self.encoding == "utf-8":
            try:
                text = self._utf8.decode(data, final)
            except UnicodeDecodeError as exc:
                failed = exc.object
                prefix = failed[: exc.start].decode("utf-8", "replace")
                if self.utf8_only or not prefix.isascii():
                    raise FileRefused(
                        f"Ligne {self._line_at(prefix)} : encodage incohérent (le début du "
                        "fichier est en UTF-8, cette ligne ne l'est pas)."
                    ) from exc
                self.encoding = "cp1252"
                return self.decode(bytes(failed), final)
            if not self.utf8_only and not text.isascii():
                self.utf8_only = True
            return self._normalise(text)
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as exc:
            prefix = data[: exc.start].decode("cp1252", "replace")
            raise FileRefused(
                f"Ligne {self._line_at(prefix)} : caractères illisibles (encodage attendu : "
                "UTF-8 ou Windows-1252)."
            ) from exc
        return self._normalise(text)

    def flush(self) -> str:
        """What is held back at the end of the file."""
        text = self.decode(b"", final=True)
        if self._cr:
            self._cr = False
            self.lines_done += 1
            text += "\n"
        return text


def _text_chunks(handle: BinaryIO, limits: Limits, decoder: _Decoder) -> Iterator[str]:
    first = handle.read(_CHUNK)
    if first.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileRefused(
            "Encodage UTF-16 non pris en charge : enregistrez le fichier au format « CSV UTF-8 "
            "(délimité par des virgules) » ou « CSV (séparateur : point-virgule) »."
        )
    if first.startswith(b"PK\x03\x04"):
        raise FileRefused(
            "Ce fichier .csv est en fait un classeur Excel : renommez-le en .xlsx ou "
            "enregistrez-le au format CSV."
        )
    if first.startswith(b"PAR1"):
        raise FileRefused(
            "Ce fichier .csv est en fait un fichier Parquet : renommez-le en .parquet."
        )
    if first.startswith(b"\xef\xbb\xbf"):
        first = first[3:]
        decoder.utf8_only = True  # a BOM says UTF-8: no switching to Windows-1252
    total = len(first)
    chunk = first
    while chunk:
        text = decoder.decode(chunk)
        if text:
            yield text
        chunk = handle.read(_CHUNK)
        total += len(chunk)
        if total > limits.max_bytes:
            raise FileRefused(f"Fichier trop volumineux : plus de {_megabytes(limits.max_bytes)}.")
    text = decoder.flush()
    if text:
        yield text


def _lines(chunks: Iterator[str], max_line: int, recent: list[str]) -> Iterator[str]:
    """The lines, without their ``\n``; the lines of the record being read are kept in
    ``recent`` (emptied by the caller after each record)."""
    rest = ""
    line_no = 0
    keep = recent.append
    for chunk in chunks:
        if rest:
            chunk = rest + chunk
        parts = chunk.split("\n")
        rest = parts.pop()
        if len(chunk) > max_line:
            for i, part in enumerate(parts):
                if len(part) > max_line:
                    raise FileRefused(
                        f"Ligne {line_no + i + 1} : ligne de plus de {_number(max_line)} "
                        "caractères."
                    )
            if len(rest) > max_line:
                raise FileRefused(
                    f"Ligne {line_no + len(parts) + 1} : ligne de plus de {_number(max_line)} "
                    "caractères."
                )
        line_no += len(parts)
        for part in parts:
            keep(part)
            yield part
    if rest:
        keep(rest)
        yield rest


def _locate(raw: str, delimiter: str, limit: int) -> tuple[int, bool]:
    """In a raw CSV record (its lines joined by ``\n``): the index of the first field
    longer than ``limit`` or holding a quoted line break, and whether it is a line
    break. Quotes are read the way the csv module reads them."""
    index = 0
    length = 0
    quoted = False
    at_start = True
    i = 0
    n = len(raw)
    while i < n:
        ch = raw[i]
        if quoted:
            if ch == '"':
                if i + 1 < n and raw[i + 1] == '"':
                    length += 1
                    i += 1
                else:
                    quoted = False
            elif ch == "\n":
                return index, True
            else:
                length += 1
        elif ch == '"' and at_start:
            quoted = True
        elif ch == delimiter:
            index += 1
            length = 0
            at_start = True
            i += 1
            continue
        elif ch != "\n":
            length += 1
        at_start = False
        if length > limit:
            return index, False
        i += 1
    return index, False


def _read_csv(source: bytes | Path, limits: Limits, table: _Table) -> None:
    max_line = limits.max_columns * (limits.max_cell_chars + 3) + 2
    max_cell = limits.max_cell_chars
    decoder = _Decoder()
    recent: list[str] = []

    def refuse_record(row_no: int) -> FileRefused:
        index, line_break = _locate("\n".join(recent), delimiter, max_cell)
        if line_break:
            problem = "saut de ligne dans la cellule, interdit (guillemet non fermé ?)"
        else:
            problem = f"cellule de plus de {_number(max_cell)} caractères"
        return table.refuse_cell(row_no, index, problem)

    with _opened(source) as handle:
        lines = _lines(_text_chunks(handle, limits, decoder), max_line, recent)
        first = next(lines, None)
        if first is None:
            raise FileRefused("Le fichier est vide.")
        semicolons, commas = first.count(";"), first.count(",")
        if not semicolons and not commas and "\t" in first:
            raise FileRefused(
                "Séparateur tabulation non pris en charge : enregistrez le fichier au format "
                "CSV (séparateur point-virgule ou virgule)."
            )
        delimiter = ";" if semicolons >= commas else ","
        records = csv.reader(itertools.chain([first], lines), delimiter=delimiter, strict=True)
        done = 0  # lines of the records read so far
        while True:
            try:
                cells = next(records, None)
            except csv.Error as exc:
                if "field limit" in str(exc):
                    raise refuse_record(done + 1) from exc
                raise FileRefused(
                    f"Ligne {done + 1} : CSV mal formé (guillemet non fermé ou mal placé)."
                ) from exc
            row_no = done + 1
            if cells is None:
                break
            done = records.line_num
            if done > row_no:  # the record spans lines: a quoted line break
                raise refuse_record(row_no)
            recent.clear()
            table.add(row_no, cells)


# --- XLSX ------------------------------------------------------------------------------

_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"


def _xlsx_refused(reason: str) -> FileRefused:
    return FileRefused(f"Fichier Excel illisible : {reason}.")


def _letters(column: int) -> str:
    """1 -> A, 27 -> AA."""
    out = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        out = chr(65 + rest) + out
    return out


_DIGITS = re.compile(r"[0-9]{1,8}")
_COLUMNS: dict[str, int] = {}  # "AB" -> 28, filled as met (16,384 at most)


def _column_of(ref: str) -> int:
    """Column (1-based) of a cell reference ("AB12" -> 28)."""
    letters = ref.rstrip("0123456789")
    col = _COLUMNS.get(letters)
    if col is not None:
        return col
    if not (0 < len(letters) <= 3 and letters.isascii() and letters.isalpha()):
        raise _xlsx_refused(f"référence de cellule invalide « {_shown(ref, 12)} »")
    col = 0
    for ch in letters.upper():
        col = col * 26 + ord(ch) - 64
    if col > EXCEL_MAX_COLUMNS:
        raise _xlsx_refused(f"référence de cellule invalide « {_shown(ref, 12)} »")
    if letters.isupper():
        _COLUMNS[letters] = col
    return col


def _check_zip_directory(handle: BinaryIO) -> None:
    """Bounds the zip's central directory (entries and size) before ``zipfile`` reads
    it, from the end-of-directory records (zip64 included)."""
    handle.seek(0, os.SEEK_END)
    size = handle.tell()
    tail_size = min(size, 22 + 65_535 + 20)
    handle.seek(size - tail_size)
    tail = handle.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        raise _xlsx_refused("ce n'est pas un classeur .xlsx (archive zip attendue)")
    _sig, _disk, _cd_disk, _n_disk, entries, cd_size, _cd_off, _comment = struct.unpack(
        "<4s4H2LH", tail[at : at + 22]
    )
    end_record = size - tail_size + at
    if at >= 20 and tail[at - 20 : at - 16] == b"PK\x06\x07":
        # zipfile reads the zip64 record just before its locator: the same one is checked.
        where = end_record - 20 - 56
        if where < 0:
            raise _xlsx_refused("archive zip corrompue")
        handle.seek(where)
        record = handle.read(56)
        if len(record) < 56 or record[:4] != b"PK\x06\x06":
            raise _xlsx_refused("archive zip corrompue")
        entries, cd_size = struct.unpack("<QQ", record[32:48])
    if entries > ZIP_MAX_ENTRIES or cd_size > ZIP_MAX_DIRECTORY_BYTES:
        raise _xlsx_refused("archive zip démesurée (trop de fichiers)")
    handle.seek(0)


class _Zip:
    def __init__(self, archive: zipfile.ZipFile, budget: int) -> None:
        self.archive = archive
        self.budget_left = budget  # decompressed bytes left for the whole workbook
        self._names = {}
        for info in archive.infolist():
            self._names.setdefault(info.filename, info)
            self._names.setdefault(info.filename.lower().replace("\\", "/"), info)

    def find(self, name: str) -> zipfile.ZipInfo | None:
        return self._names.get(name) or self._names.get(name.lower())

    def stream(self, name: str, cap: int) -> Iterator[bytes]:
        """The entry's decompressed bytes, counted as they come: refused beyond ``cap``
        or beyond the workbook's budget."""
        info = self.find(name)
        if info is None:
            raise _xlsx_refused(f"partie « {_shown(name)} » absente")
        if info.flag_bits & 0x1:
            raise FileRefused(
                "Classeur Excel protégé par mot de passe : enregistrez-le sans mot de passe."
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _xlsx_refused("méthode de compression non prise en charge")
        read = 0
        entry = _zip_call(self.archive.open, info)
        with entry:
            while True:
                chunk = _zip_call(entry.read, _XML_CHUNK)
                if not chunk:
                    break
                read += len(chunk)
                self.budget_left -= len(chunk)
                if read > cap or self.budget_left < 0:
                    raise _xlsx_refused(
                        "contenu démesuré une fois décompressé (plus de "
                        f"{_megabytes(min(cap, read))} pour « {_shown(name)} »)"
                    )
                yield chunk


def _zip_call(function, *args):
    """A call into ``zipfile``, its errors on a corrupt archive translated."""
    try:
        return function(*args)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, struct.error,
            NotImplementedError, RuntimeError) as exc:  # fmt: skip
        raise _xlsx_refused("archive zip corrompue") from exc


class _NoDoctype(Exception):
    pass


def _parse(
    stream: Iterator[bytes],
    start: Callable[[str, dict], None] | None,
    end: Callable[[str], None] | None,
    text: Callable[[str], None] | None,
    part: str,
    max_token: int,
) -> None:
    """Feeds ``stream`` to an expat parser (names as written: ``prefix:local``), refusing a
    DTD and any single token longer than ``max_token`` bytes."""
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.buffer_size = 1 << 16
    with contextlib.suppress(AttributeError):
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def doctype(*_args) -> None:
        raise _NoDoctype

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    if start is not None:
        parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    parser.CharacterDataHandler = text if text is not None else _ignore
    fed = 0
    try:
        for chunk in stream:
            parser.Parse(chunk, False)
            fed += len(chunk)
            if fed - parser.CurrentByteIndex > max_token:
                raise _xlsx_refused(f"élément XML démesuré dans « {_shown(part)} »")
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise _xlsx_refused(f"XML invalide dans « {_shown(part)} »") from exc
    except _NoDoctype as exc:
        raise _xlsx_refused(f"déclaration DTD refusée dans « {_shown(part)} »") from exc
    except RecursionError as exc:
        raise _xlsx_refused(f"XML trop imbriqué dans « {_shown(part)} »") from exc


def _ignore(_text: str) -> None:
    pass


def _local(name: str) -> str:
    return name[name.rfind(":") + 1 :]


def _relations(zipped: _Zip, part: str) -> dict[str, tuple[str, str]]:
    """Id -> (type, target path in the zip) of a part's relations."""
    folder, base = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", base + ".rels")
    out: dict[str, tuple[str, str]] = {}

    def start(name: str, attrs: dict) -> None:
        if _local(name) != "Relationship" or attrs.get("TargetMode") == "External":
            return
        if len(out) > WORKBOOK_MAX_SHEETS * 2:
            raise _xlsx_refused("trop de relations")
        target = attrs.get("Target", "")
        if target.startswith("/"):
            path = target[1:]
        else:
            path = posixpath.normpath(posixpath.join(folder, target))
        out[attrs.get("Id", "")] = (attrs.get("Type", ""), path)

    if zipped.find(rels) is None:
        return out
    _parse(zipped.stream(rels, SMALL_PART_MAX_BYTES), start, None, None, rels, 1_000_000)
    return out


def _workbook(zipped: _Zip, part: str) -> tuple[list[tuple[str, str]], bool]:
    """The sheets (relation id, state) in order and whether the 1904 date system is on."""
    sheets: list[tuple[str, str]] = []
    flags = {"date1904": False}

    def start(name: str, attrs: dict) -> None:
        local = _local(name)
        if local == "sheet":
            if len(sheets) >= WORKBOOK_MAX_SHEETS:
                raise _xlsx_refused("trop de feuilles")
            rid = next((v for k, v in attrs.items() if k.endswith(":id")), "")
            sheets.append((rid, attrs.get("state", "visible")))
        elif local == "workbookPr":
            flags["date1904"] = attrs.get("date1904", "").lower() in ("1", "true")

    _parse(zipped.stream(part, SMALL_PART_MAX_BYTES), start, None, None, part, 1_000_000)
    return sheets, flags["date1904"]


def _date_styles(zipped: _Zip, part: str | None) -> tuple[set[int], set[int]]:
    """Indexes of the cell formats (``s``) that show a date, and those among them that
    show a time only."""
    if part is None or zipped.find(part) is None:
        return set(), set()
    custom: dict[int, str] = {}
    xfs: list[int] = []
    depth = {"cellXfs": False}

    def start(name: str, attrs: dict) -> None:
        local = _local(name)
        if local == "numFmt":
            with contextlib.suppress(ValueError):
                custom[int(attrs.get("numFmtId", "-1"))] = attrs.get("formatCode", "")[:500]
        elif local == "cellXfs":
            depth["cellXfs"] = True
        elif local == "xf" and depth["cellXfs"]:
            if len(xfs) >= STYLES_MAX_FORMATS:
                raise _xlsx_refused("trop de formats de cellule")
            try:
                xfs.append(int(attrs.get("numFmtId", "0")))
            except ValueError:
                xfs.append(0)

    def end(name: str) -> None:
        if _local(name) == "cellXfs":
            depth["cellXfs"] = False

    _parse(zipped.stream(part, STYLES_MAX_BYTES), start, end, None, part, 1_000_000)
    dates: set[int] = set()
    times: set[int] = set()
    kinds = {fmt_id: _format_kind(code) for fmt_id, code in custom.items()}
    for index, fmt_id in enumerate(xfs):
        kind = kinds[fmt_id] if fmt_id in kinds else _BUILTIN_KINDS.get(fmt_id)
        if kind == "date":
            dates.add(index)
        elif kind == "time":
            dates.add(index)
            times.add(index)
    return dates, times


# Excel's built-in number formats that show a date or a time (14-22, 45-47; 27-36 and
# 50-58 are the East Asian dates); 46 ([h]:mm:ss) is a duration: a number.
_BUILTIN_KINDS = {
    **dict.fromkeys([14, 15, 16, 17, 22, *range(27, 37), *range(50, 59)], "date"),
    **dict.fromkeys([18, 19, 20, 21, 45, 47], "time"),
}
_FORMAT_NOISE = re.compile(r'"[^"]*"|\\.|_.|\*.|\[(?![hms]+\])[^\]]*\]', re.IGNORECASE)


def _format_kind(code: str) -> str | None:
    """ "date", "time" (a time of day alone) or None (a number, a duration) for a
    number format code, from its first section as Excel does."""
    first = _FORMAT_NOISE.sub("", code.split(";")[0]).lower()
    first = first.replace("am/pm", "").replace("a/p", "")
    if re.search(r"\[[hms]+\]", first):
        return None  # [h]:mm, a duration
    has_date = re.search("[dy]", first) is not None
    if not has_date and "m" in first:
        # "m" is the minutes next to hours or seconds (h:mm, mm:ss), else the month.
        has_date = "m" in re.sub(r"h+[^a-z]*m+|m+[^a-z]*s+", "", first)
    if has_date:
        return "date"
    if re.search("[hs]", first):
        return "time"
    return None


class _SharedStrings:
    """Shared strings kept compact: UTF-8 bytes in one buffer and their offsets; a
    string longer than the cell limit is kept empty and marked."""

    def __init__(self, max_chars: int) -> None:
        self.data = bytearray()
        self.offsets = array.array("Q", [0])
        self.too_long: set[int] = set()
        self.max_chars = max_chars

    def add(self, text: str, too_long: bool = False) -> None:
        if len(self.offsets) > SHARED_STRINGS_MAX_COUNT:
            raise _xlsx_refused("trop de textes différents")
        if too_long or len(text) > self.max_chars:
            self.too_long.add(len(self.offsets) - 1)
            text = ""
        self.data += text.encode("utf-8", "surrogatepass")
        if len(self.data) > SHARED_STRINGS_MAX_BYTES:
            raise _xlsx_refused("textes démesurés")
        self.offsets.append(len(self.data))

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def get(self, index: int) -> str | None:
        """The string, ``None`` when too long; IndexError when absent."""
        if index < 0 or index >= len(self.offsets) - 1:
            raise IndexError(index)
        if index in self.too_long:
            return None
        return self.data[self.offsets[index] : self.offsets[index + 1]].decode(
            "utf-8", "surrogatepass"
        )


_ESCAPED = re.compile("_x([0-9A-Fa-f]{4})_")


def _unescape(text: str) -> str:
    if "_x" in text:
        return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text)
    return text


def _shared_strings(zipped: _Zip, part: str, limits: Limits) -> _SharedStrings:
    strings = _SharedStrings(limits.max_cell_chars)
    state = {"si": False, "t": False, "skip": 0, "len": 0}
    parts: list[str] = []
    cap = limits.max_cell_chars + 6  # room for an escape cut in two

    def start(name: str, attrs: dict) -> None:
        local = _local(name)
        if local == "si":
            state["si"] = True
            state["len"] = 0
            parts.clear()
        elif local == "t" and state["si"] and not state["skip"]:
            state["t"] = True
        elif local in ("rPh", "phoneticPr"):
            state["skip"] += 1

    def end(name: str) -> None:
        local = _local(name)
        if local == "t":
            state["t"] = False
        elif local in ("rPh", "phoneticPr"):
            state["skip"] = max(0, state["skip"] - 1)
        elif local == "si" and state["si"]:
            state["si"] = False
            if state["len"] > cap * 8:
                strings.add("", too_long=True)
            else:
                strings.add(_unescape("".join(parts)))
            parts.clear()

    def text(data: str) -> None:
        if state["t"]:
            state["len"] += len(data)
            if state["len"] <= cap * 8:
                parts.append(data)

    _parse(
        zipped.stream(part, _xml_budget(limits)),
        start, end, text, part, 8 * limits.max_cell_chars + 1_000_000,
    )  # fmt: skip
    return strings


_PLAIN_INTEGER = re.compile(r"-?[0-9]{1,15}")


def _number_text(raw: str) -> str:
    if _PLAIN_INTEGER.fullmatch(raw):
        return str(int(raw))
    try:
        value = float(raw)
    except ValueError:
        return raw
    if not math.isfinite(value):
        return raw
    value = float(f"{value:.15g}")
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


_EPOCH_1900 = datetime(1899, 12, 30)
_EPOCH_1904 = datetime(1904, 1, 1)


def _date_text(raw: str, date1904: bool, time_only: bool) -> str:
    """A serial number shown as a date (see the module's rule)."""
    try:
        value = float(raw)
    except ValueError:
        return raw
    if not math.isfinite(value) or value < 0 or value >= 2_958_466:
        return _number_text(raw)
    days = math.floor(value)
    seconds = round((value - days) * 86_400)
    if seconds >= 86_400:
        days, seconds = days + 1, seconds - 86_400
    clock = f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    if time_only:
        return clock
    if not date1904 and days in (0, 60):
        return _number_text(raw)  # 00/01/1900 and 29/02/1900: days Excel invents
    try:
        if date1904:
            day = _EPOCH_1904 + timedelta(days=days)
        else:
            day = _EPOCH_1900 + timedelta(days=days + 1 if days < 60 else days)
    except OverflowError:  # beyond year 9999
        return _number_text(raw)
    text = day.date().isoformat()
    return f"{text} {clock}" if seconds else text


def _iso_date_text(raw: str) -> str:
    text = raw.strip()
    with contextlib.suppress(ValueError, OverflowError):
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        if moment.time() == datetime.min.time():
            return moment.date().isoformat()
        return moment.replace(tzinfo=None).isoformat(sep=" ", timespec="seconds")
    with contextlib.suppress(ValueError, OverflowError):
        return date.fromisoformat(text).isoformat()
    return raw


def _sheet(
    zipped: _Zip,
    part: str,
    limits: Limits,
    table: _Table,
    strings: _SharedStrings | None,
    dates: set[int],
    times: set[int],
    date1904: bool,
) -> None:
    """Streams the worksheet, giving each row that has a value to ``table``."""
    max_cell = limits.max_cell_chars
    max_columns = limits.max_columns
    locals_of: dict[str, str] = {}
    # State of the parse, in locals of the closures for speed.
    row_no = 0
    col = 0
    cells_in_row = 0
    values: dict[int, str] = {}
    in_data = False
    cell_type = "n"
    cell_style = -1
    collect = 0  # 1 inside <v>, 2 inside <is>, 3 inside <is>...<t>
    skip = 0  # inside <rPh> of an inline string
    parts: list[str] = []
    length = 0
    has_value = False
    # Work bound: every element costs one; each value and each row earn 8 more, so
    # empty or unknown elements are at most a million beyond what the data needs.
    elements = 0
    allowance = _ELEMENTS_FREE

    def refuse_value(problem: str) -> FileRefused:
        return table.refuse_cell(row_no, col - 1, problem)

    def start(name: str, attrs: dict) -> None:
        nonlocal row_no, col, cells_in_row, in_data, cell_type, cell_style, collect, skip
        nonlocal length, has_value, elements, allowance
        elements += 1
        if elements > allowance:
            raise _xlsx_refused("trop d'éléments vides dans la feuille")
        local = locals_of.get(name)
        if local is None:
            local = name[name.rfind(":") + 1 :]
            if len(locals_of) < 1000:
                locals_of[name] = local
        if local == "c":
            if not in_data:
                return
            cells_in_row += 1
            if cells_in_row > EXCEL_MAX_COLUMNS:
                raise _xlsx_refused(f"ligne {row_no} : plus de {EXCEL_MAX_COLUMNS} cellules")
            ref = attrs.get("r")
            col = _column_of(ref) if ref else col + 1
            if col > EXCEL_MAX_COLUMNS:
                raise _xlsx_refused(f"ligne {row_no} : colonne au-delà de XFD")
            cell_type = attrs.get("t", "n")
            style = attrs.get("s")
            cell_style = int(style) if style and _DIGITS.fullmatch(style) else -1
            has_value = False
            collect = 0
        elif local == "v" and in_data:
            collect = 1
            parts.clear()
            length = 0
            has_value = True
        elif local == "is" and in_data:
            collect = 2
            parts.clear()
            length = 0
            has_value = True
        elif local == "t" and collect == 2 and not skip:
            collect = 3
        elif local == "rPh" and collect >= 2:
            skip += 1
        elif local == "row":
            if not in_data:
                return
            r = attrs.get("r")
            if r is not None:
                if not _DIGITS.fullmatch(r):
                    raise _xlsx_refused(f"numéro de ligne invalide « {_shown(r, 12)} »")
                number = int(r)
                if number <= row_no or number > EXCEL_MAX_ROWS:
                    raise _xlsx_refused(f"numéro de ligne {number} hors d'ordre")
                row_no = number
            else:
                row_no += 1
                if row_no > EXCEL_MAX_ROWS:
                    raise _xlsx_refused("plus de 1 048 576 lignes")
            col = 0
            cells_in_row = 0
            values.clear()
            allowance += 8
        elif local == "sheetData":
            in_data = True

    def end(name: str) -> None:
        nonlocal collect, skip, in_data, allowance
        local = locals_of.get(name) or name[name.rfind(":") + 1 :]
        if local == "c":
            if in_data and has_value:
                value = cell_value()
                if value:
                    if col > max_columns:
                        raise refuse_value(f"valeur au-delà de la colonne {max_columns}")
                    values[col] = value
                    allowance += 8
            collect = 0
        elif local == "v":
            if collect == 1:
                collect = 4  # value read, kept until </c>
        elif local == "t":
            if collect == 3:
                collect = 2
        elif local == "rPh":
            if skip:
                skip -= 1
        elif local == "is":
            if collect in (2, 3):
                collect = 5
        elif local == "row":
            if in_data and values:
                width = max(values)
                cells = [""] * width
                for index, value in values.items():
                    cells[index - 1] = value
                values.clear()
                table.add(row_no, cells)
        elif local == "sheetData":
            in_data = False

    def text(data: str) -> None:
        nonlocal length
        if collect == 1 or collect == 3:
            length += len(data)
            if length > max_cell * 8 + 64:
                raise refuse_value(f"cellule de plus de {_number(max_cell)} caractères")
            parts.append(data)

    def cell_value() -> str:
        raw = "".join(parts)
        kind = cell_type
        if not raw and kind != "inlineStr":
            return ""
        if kind == "s":
            if strings is None:
                raise _xlsx_refused("table des textes absente")
            try:
                found = strings.get(int(raw))
            except (ValueError, IndexError) as exc:
                raise _xlsx_refused(f"ligne {row_no} : référence à un texte inexistant") from exc
            if found is None:
                raise refuse_value(f"cellule de plus de {_number(max_cell)} caractères")
            return found
        if kind in ("inlineStr", "str"):
            value = _unescape(raw)
        elif kind == "b":
            value = {"1": "true", "0": "false"}.get(raw.strip(), raw)
        elif kind == "e":
            value = raw
        elif kind == "d":
            value = _iso_date_text(raw)
        elif cell_style in dates:
            value = _date_text(raw, date1904, cell_style in times)
        else:
            value = _number_text(raw)
        if len(value) > max_cell:
            raise refuse_value(
                f"cellule de {_number(len(value))} caractères (au plus {_number(max_cell)})"
            )
        return value

    _parse(
        zipped.stream(part, _xml_budget(limits)),
        start, end, text, part, 8 * max_cell + 1_000_000,
    )  # fmt: skip


def _read_xlsx(source: bytes | Path, limits: Limits, table: _Table) -> None:
    with _opened(source) as handle:
        magic = handle.read(8)
        if magic.startswith(b"\xd0\xcf\x11\xe0"):
            raise FileRefused(
                "Classeur Excel ancien (.xls) ou protégé par mot de passe : enregistrez-le "
                "au format .xlsx, sans mot de passe."
            )
        if not magic.startswith(b"PK"):
            raise _xlsx_refused("ce n'est pas un classeur .xlsx (archive zip attendue)")
        _check_zip_directory(handle)
        archive = _zip_call(zipfile.ZipFile, handle)
        with archive:
            zipped = _Zip(archive, _xml_budget(limits))
            if zipped.find("[Content_Types].xml") is None:
                raise _xlsx_refused("ce n'est pas un classeur .xlsx (types de contenu absents)")
            root = _relations(zipped, "")
            office = next(
                (path for kind, path in root.values() if kind.endswith("/officeDocument")),
                None,
            )
            if office is None or zipped.find(office) is None:
                raise _xlsx_refused("classeur absent de l'archive")
            sheets, date1904 = _workbook(zipped, office)
            relations = _relations(zipped, office)
            sheet_part = None
            for rid, state in sheets:
                kind, path = relations.get(rid, ("", ""))
                if kind.endswith("/worksheet") and state not in ("hidden", "veryHidden"):
                    sheet_part = path
                    break
            if sheet_part is None or zipped.find(sheet_part) is None:
                raise _xlsx_refused("aucune feuille de calcul visible")
            strings_part = next(
                (p for k, p in relations.values() if k.endswith("/sharedStrings")), None
            )
            styles_part = next((p for k, p in relations.values() if k.endswith("/styles")), None)
            strings = (
                _shared_strings(zipped, strings_part, limits)
                if strings_part and zipped.find(strings_part) is not None
                else None
            )
            dates, times = _date_styles(zipped, styles_part)
            _sheet(zipped, sheet_part, limits, table, strings, dates, times, date1904)


# --- Parquet ---------------------------------------------------------------------------


def _parquet_refused(reason: str) -> FileRefused:
    return FileRefused(f"Fichier Parquet illisible : {reason}.")


def _prepare_parquet(source: bytes | Path, limits: Limits, workdir: Path | None) -> Prepared:
    import pyarrow as pa
    import pyarrow.parquet as pq

    with _opened(source) as handle:
        head = handle.read(4)
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        if size < 12:
            raise _parquet_refused("fichier trop court")
        handle.seek(size - 8)
        tail = handle.read(8)
    if tail[4:] == b"PARE":
        raise _parquet_refused("fichier chiffré")
    if head != b"PAR1" or tail[4:] != b"PAR1":
        raise _parquet_refused("ce n'est pas un fichier Parquet")
    (footer,) = struct.unpack("<I", tail[:4])
    if footer + 12 > size:
        raise _parquet_refused("pied de fichier corrompu")
    if footer > PARQUET_FOOTER_MAX:
        raise _parquet_refused("métadonnées démesurées")
    try:
        if isinstance(source, (bytes, bytearray, memoryview)):
            parquet = pq.ParquetFile(pa.BufferReader(source))
        else:
            parquet = pq.ParquetFile(str(source))
        meta = parquet.metadata
        schema = parquet.schema_arrow
        num_rows = meta.num_rows
        groups = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
        leaves = meta.num_columns
    except (pa.ArrowException, OSError, ValueError, TypeError, IndexError, KeyError,
            OverflowError, MemoryError) as exc:  # fmt: skip
        raise _parquet_refused("métadonnées illisibles") from exc
    if num_rows < 0 or any(n < 0 for n in groups) or sum(groups) != num_rows:
        raise _parquet_refused("nombre de lignes incohérent")
    if num_rows > limits.max_rows:
        raise FileRefused(
            f"Le fichier a {_number(num_rows)} lignes de données, au plus "
            f"{_number(limits.max_rows)} sont acceptées."
        )
    names = list(schema.names)
    if len(names) > limits.max_columns or leaves > limits.max_columns:
        raise FileRefused(
            f"{_number(max(len(names), leaves))} colonnes, au plus "
            f"{_number(limits.max_columns)} sont acceptées."
        )
    if not names:
        raise FileRefused("Le fichier n'a aucune colonne.")
    seen: dict[str, int] = {}
    for i, (name, column) in enumerate(zip(names, schema, strict=True)):
        where = f"colonne n° {i + 1}"
        problem = _cell_problem(name, limits.max_cell_chars)
        if problem:
            raise FileRefused(f"Ligne 1, {where} : {problem}.")
        if not name.strip():
            raise FileRefused(f"Ligne 1, {where} : nom de colonne vide.")
        if name != name.strip():
            raise FileRefused(
                f"Ligne 1, {where} : le nom « {_shown(name)} » commence ou finit par des espaces."
            )
        if pa.types.is_nested(column.type):
            raise FileRefused(
                f"Ligne 1, colonne « {_shown(name)} » : type imbriqué non pris en charge."
            )
        key = name.casefold()
        if key in seen:
            raise FileRefused(
                f"Ligne 1 : les colonnes n° {seen[key] + 1} et n° {i + 1} portent le même nom "
                f"« {_shown(name)} »."
            )
        seen[key] = i
    if not isinstance(source, (bytes, bytearray, memoryview)):
        return Prepared("parquet", names, num_rows, Path(source), temporary=False)
    handle_no, name = tempfile.mkstemp(prefix="lecture-", suffix=".parquet", dir=workdir)
    path = Path(name)
    try:
        with open(handle_no, "wb") as out:
            out.write(source)
    except BaseException:
        with contextlib.suppress(OSError):
            path.unlink()
        raise
    return Prepared("parquet", names, num_rows, path)
