"""Table downloads: CSV for French Excel, XLSX with typed columns, formula injection."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import openpyxl
import polars as pl
import pytest

from exports.tables import neutralise, table_to_csv, table_to_xlsx, typed_frame

NBSP = "\u00a0"
INJECTIONS = ["=1+1", "+33 1 23", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd", '=HYPERLINK("x")']


def display_table() -> pl.DataFrame:
    """An older display table: French strings only (the text is read back as figures)."""
    return pl.DataFrame(
        {
            "Mois": ["mars 2026", "avril 2026", "mai 2026"],
            "Réalisé": [f"1{NBSP}234", "-12", "–"],
            "Attendu": ["4,2", f"-1{NBSP}000,5", "0,0"],
            "Atteint": [f"12{NBSP}%", f"100{NBSP}%", "–"],
            "Le": ["05/03/2026", "06/04/2026", "07/05/2026"],
            "Commentaire": ["=1+1", "@SUM(A1)", "ok"],
            "Écart": ["1,5", "-2,25", "0,0"],
        }
    )


@pytest.mark.parametrize("text", INJECTIONS)
def test_neutralise_injection(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["-12", f"-1{NBSP}234,5", "−3", "ok", "", "a=b", "12 %"])
def test_neutralise_leaves_numbers_and_plain_text(text):
    assert neutralise(text) == text


def test_typed_frame_reads_french_display_strings():
    typed = typed_frame(display_table())
    assert typed.schema["Mois"] == pl.String
    assert typed["Réalisé"].to_list() == [1234, -12, None]
    assert typed.schema["Réalisé"] == pl.Int64
    assert typed["Attendu"].to_list() == [4.2, -1000.5, 0.0]
    assert typed["Atteint (%)"].to_list() == [12.0, 100.0, None]
    assert typed.schema["Le"] == pl.Date
    assert typed.schema["Commentaire"] == pl.String


def test_csv_for_french_excel():
    data = table_to_csv(display_table())
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [
        "Mois", "Réalisé", "Attendu", "Atteint (%)", "Le", "Commentaire", "Écart",
    ]  # fmt: skip
    assert rows[1] == ["mars 2026", "1234", "4,2", "12,0", "05/03/2026", "'=1+1", "1,5"]
    # Negative figures stay figures; missing values are empty cells.
    assert rows[2][1:4] == ["-12", "-1000,5", "100,0"]
    assert rows[2][5] == "'@SUM(A1)"
    assert rows[2][6] == "-2,25"
    assert rows[3][1] == "" and rows[3][3] == ""


@pytest.mark.parametrize("text", INJECTIONS)
def test_csv_no_cell_starts_a_formula(text):
    table = pl.DataFrame({text: [text, "x"], "n": [-1, 2]})
    rows = list(csv.reader(io.StringIO(table_to_csv(table).decode("utf-8-sig")), delimiter=";"))
    cells = [c for r in rows for c in r]
    assert not any(c.startswith(("=", "+", "@", "\t", "\r")) for c in cells)
    assert rows[1] == ["'" + text, "-1"]
    assert rows[0][0] == "'" + text  # a header is text too


def test_xlsx_typed_columns_and_injection():
    wb = openpyxl.load_workbook(io.BytesIO(table_to_xlsx(display_table())))
    ws = wb.active
    header = [c.value for c in ws[1]]
    assert header[3] == "Atteint (%)"
    first = ws[2]
    assert (first[0].value, first[0].data_type) == ("mars 2026", "s")
    assert (first[1].value, first[1].data_type) == (1234, "n")
    assert first[2].value == pytest.approx(4.2)
    assert first[4].value == datetime(2026, 3, 5)
    assert first[4].is_date
    assert (first[5].value, first[5].data_type) == ("'=1+1", "s")
    assert ws[3][1].value == -12 and ws[3][2].value == pytest.approx(-1000.5)
    assert ws[3][6].value == pytest.approx(-2.25)
    assert ws[4][1].value is None
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)


@pytest.mark.parametrize("text", INJECTIONS)
def test_xlsx_injection_is_text(text):
    ws = openpyxl.load_workbook(io.BytesIO(table_to_xlsx(pl.DataFrame({"c": [text]})))).active
    assert ws["A2"].data_type == "s"
    # openpyxl shows a stored carriage return as its XML escape _x000D_.
    assert ws["A2"].value.replace("_x000D_", "\r") == "'" + text


def test_empty_and_large_tables():
    empty = pl.DataFrame(
        {"Pôle": [], "Réalisé": []}, schema={"Pôle": pl.String, "Réalisé": pl.String}
    )
    assert table_to_csv(empty).decode("utf-8-sig").strip() == "Pôle;Réalisé"
    assert openpyxl.load_workbook(io.BytesIO(table_to_xlsx(empty))).active.max_row == 1
    big = pl.DataFrame({"n": [f"{i}" for i in range(20_000)], "t": ["x" * 50] * 20_000})
    ws = openpyxl.load_workbook(io.BytesIO(table_to_xlsx(big)), read_only=True).active
    assert ws.max_row == 20_001


def test_xlsx_number_formats():
    table = pl.DataFrame({"Année": [2026], "Lignes": [12345], "Attendu": [4.2]})
    ws = openpyxl.load_workbook(io.BytesIO(table_to_xlsx(table))).active
    assert ws["A2"].number_format == "0"  # a year reads 2026, not 2 026
    assert ws["B2"].number_format == "#,##0"
    assert ws["C2"].number_format == "#,##0.0##"


def test_yes_no_columns_are_oui_non_in_csv_and_booleans_in_xlsx():
    table = pl.DataFrame({"Action": ["A", "B", "C"], "En retard": [True, False, None]})
    text = table_to_csv(table).decode("utf-8-sig")
    assert text.splitlines() == ["Action;En retard", "A;Oui", "B;Non", "C;"]
    ws = openpyxl.load_workbook(io.BytesIO(table_to_xlsx(table))).active
    assert [(c.value, c.data_type) for c in ws["B"][1:3]] == [(True, "b"), (False, "b")]
    assert ws["B"][3].value is None
