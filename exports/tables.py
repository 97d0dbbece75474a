"""Table downloads: CSV as French Excel expects (UTF-8 with BOM, ``;``, decimal comma,
dd/mm/yyyy dates) and XLSX with typed columns.

Tables reach the files typed (numbers, dates). Shares (0.12 for 12 %, the columns of
``PERCENT_COLUMNS``) are written as a number of percent in a column named ``… (%)``;
amounts (``EURO_COLUMNS``) as numbers, with a euro format in the workbook. A few display
tables still hold French strings (``1 234,5``, ``12 %``, ``05/03/2026``): for them
``typed_frame`` turns a column back into numbers or dates when every value of it reads
as one, so spreadsheets can sum and sort them.

Spreadsheet formula injection is neutralised in both files: a text cell starting with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading apostrophe, so it
is read as text. Numbers (typed columns, or a plain number such as ``-12``) are left
as they are: a negative figure stays a figure.
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime

import polars as pl

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MISSING = {"", "–", "-"}  # how display tables show a missing figure
_SPACES = "\u00a0\u202f "
_NUMBER = re.compile(r"^[-−]?\d{1,3}(?:[\u00a0\u202f ]?\d{3})*(?:,\d+)?$|^[-−]?\d+(?:,\d+)?$")
_PERCENT = re.compile(r"^(?P<n>.+?)[\u00a0\u202f ]?%$")
_DAY = re.compile(r"^\d{2}/\d{2}/\d{4}$")

# Integers shown without a thousands separator (headers, lower case).
YEAR_COLUMNS = {"année", "annee", "year", "année du taux"}
#: Typed columns holding an amount in euros, or a share of 1 (0.12 for 12 %), or the
#: first day of a month, by their French header: one list for the screen and the files.
EURO_COLUMNS = frozenset({
    "Indus détectés", "Indus recouvrés", "Frais de déplacement",
    "Participation aux frais à facturer",
})  # fmt: skip
PERCENT_COLUMNS = frozenset({
    "Atteint", "Rythme", "Part avec constats", "Taux de recouvrement", "Taux de couverture global",
})  # fmt: skip
MONTH_COLUMNS = frozenset({"Mois"})
CSV_MIME = "text/csv"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value: str) -> str:
    """A text cell that a spreadsheet could run as a formula, made inert."""
    if value.startswith(FORMULA_STARTS) and not _NUMBER.match(value):
        return "'" + value
    return value


def _french_number(text: str) -> float | None:
    if not _NUMBER.match(text):
        return None
    cleaned = text.replace("−", "-").replace(",", ".")
    for space in _SPACES:
        cleaned = cleaned.replace(space, "")
    return float(cleaned)


def _typed_column(series: pl.Series) -> pl.Series:
    """One display column as numbers, percentages (as a number of %), dates, or
    unchanged (text) when any value does not read as such."""
    values = [None if v is None or v.strip() in MISSING else v.strip() for v in series]
    present = [v for v in values if v is not None]
    if not present:
        return series
    if all(_DAY.match(v) for v in present):
        try:
            days = [None if v is None else datetime.strptime(v, "%d/%m/%Y").date() for v in values]
        except ValueError:
            return series
        return pl.Series(series.name, days, dtype=pl.Date)
    percents = [_PERCENT.match(v) for v in present]
    if all(percents) and all(_french_number(m["n"]) is not None for m in percents):
        numbers = [None if v is None else _french_number(_PERCENT.match(v)["n"]) for v in values]
        name = series.name if "%" in series.name else f"{series.name} (%)"
        return pl.Series(name, numbers, dtype=pl.Float64)
    numbers = [None if v is None else _french_number(v) for v in values]
    if all(n is not None for n, v in zip(numbers, values, strict=True) if v is not None):
        if all(n is None or float(n).is_integer() for n in numbers) and not any(
            "," in v for v in present
        ):
            return pl.Series(series.name, [None if n is None else int(n) for n in numbers])
        return pl.Series(series.name, numbers, dtype=pl.Float64)
    return series


def file_frame(table: pl.DataFrame) -> pl.DataFrame:
    """The table as the files hold it: typed columns kept, shares as a number of
    percent under ``… (%)``. Only a table of text alone (an older display table) has
    its columns of French figures read back (``typed_frame``): the text of a typed
    table stays text (a département code « 01 » is not the number 1)."""
    legacy = all(dtype == pl.String for dtype in table.schema.values())
    typed = typed_frame(table) if legacy else table
    shares = [c for c in typed.columns if c in PERCENT_COLUMNS and typed[c].dtype.is_numeric()]
    return typed.with_columns((pl.col(c) * 100).round(6) for c in shares).rename(
        {c: f"{c} (%)" for c in shares}
    )


def typed_frame(table: pl.DataFrame) -> pl.DataFrame:
    """Grain unchanged; text columns that hold only French numbers, percentages or
    dates become Int64/Float64/Date columns (a percentage column gets ``(%)`` in its
    name and holds the number of percent)."""
    return pl.DataFrame(
        [
            _typed_column(table[c]) if table[c].dtype == pl.String else table[c]
            for c in table.columns
        ]
    )


YES_NO = {True: "Oui", False: "Non"}


def table_to_csv(table: pl.DataFrame) -> bytes:
    """CSV for French Excel: UTF-8 with BOM, ``;``, decimal comma, dd/mm/yyyy, yes/no
    columns as « Oui » / « Non »."""
    safe = _safe(file_frame(table)).with_columns(
        pl.col(pl.Boolean).replace_strict(YES_NO, return_dtype=pl.String)
    )
    text = safe.write_csv(
        separator=";",
        decimal_comma=True,
        date_format="%d/%m/%Y",
        line_terminator="\r\n",
        quote_style="necessary",
    )
    return ("\ufeff" + text).encode("utf-8")


def _safe(table: pl.DataFrame) -> pl.DataFrame:
    """Text cells and headers neutralised; numeric and date columns untouched."""
    out = table.with_columns(
        pl.col(pl.String).map_elements(neutralise, return_dtype=pl.String, skip_nulls=True)
    )
    return out.rename({c: neutralise(c) for c in out.columns})


def table_to_xlsx(table: pl.DataFrame, sheet: str = "Données") -> bytes:
    """XLSX with typed columns (integers, decimals, dates, text), a bold header and
    frozen first row. Text is always written as text, never as a formula."""
    import xlsxwriter

    safe = _safe(file_frame(table))
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer,
        {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
         "strings_to_numbers": False},
    )  # fmt: skip
    ws = workbook.add_worksheet(sheet[:31])
    bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    formats = {
        pl.Date: workbook.add_format({"num_format": "dd/mm/yyyy"}),
        pl.Float64: workbook.add_format({"num_format": "#,##0.0##"}),
        pl.Int64: workbook.add_format({"num_format": "#,##0"}),
        "year": workbook.add_format({"num_format": "0"}),  # 2026, not 2 026
        "euro": workbook.add_format({"num_format": '#,##0.00 "€"'}),
        "month": workbook.add_format({"num_format": "mm/yyyy"}),
    }
    for col, name in enumerate(safe.columns):
        ws.write_string(0, col, name, bold)
        dtype = safe[name].dtype
        width = max([len(name)] + [len(str(v)) for v in safe[name].head(200)]) + 2
        ws.set_column(col, col, min(width, 60))
        for row, value in enumerate(safe[name], start=1):
            if value is None:
                ws.write_blank(row, col, None)
            elif dtype == pl.Boolean:  # a real yes/no cell (VRAI / FAUX in French Excel)
                ws.write_boolean(row, col, bool(value))
            elif dtype == pl.Date:
                day_format = formats["month" if name in MONTH_COLUMNS else pl.Date]
                ws.write_datetime(row, col, datetime.combine(value, datetime.min.time()),
                                  day_format)  # fmt: skip
            elif dtype.is_numeric():
                if name in EURO_COLUMNS:
                    fmt_ = formats["euro"]
                elif not dtype.is_integer():
                    fmt_ = formats[pl.Float64]
                elif name.lower() in YEAR_COLUMNS:
                    fmt_ = formats["year"]
                else:
                    fmt_ = formats[pl.Int64]
                ws.write_number(row, col, float(value), fmt_)
            elif isinstance(value, date):
                ws.write_string(row, col, value.strftime("%d/%m/%Y"))
            else:
                ws.write_string(row, col, str(value))
    ws.freeze_panes(1, 0)
    workbook.close()
    return buffer.getvalue()
