"""Templates of the bulk import of activities (page Saisie, ``sppe import-activities``).

Pure builders, no store access: the CSV template (UTF-8 with BOM, ``;``, CRLF, as French
Excel opens it) and the XLSX template (sheet "Activités": the headers and one example
row; sheet "Valeurs autorisées": for each coded column its codes and French labels, and
the expected form of every column).

Headers are the French labels of ``entries.ACTIVITY_FIELDS``; the allowed values come
from ``entries.vocabularies()`` (the reference data): no second copy here. The example
row is written with French labels and carries ``EXAMPLE_COMMENT``: an import refuses a
file that still holds it (``journal.read_table``).
"""

from __future__ import annotations

import csv
import io
from datetime import date

from sppe_data import entries

CSV_NAME = "modele_import_activites.csv"
XLSX_NAME = "modele_import_activites.xlsx"
CSV_MIME = "text/csv"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_ACTIVITIES = "Activités"
SHEET_ALLOWED = "Valeurs autorisées"
EXAMPLE_COMMENT = "Exemple : ligne à remplacer par vos activités"
EXAMPLE_KIND = "controle_sensible"
ALLOWED_HEADER = ["Colonne", "Code", "Libellé"]
HELP_HEADER = ["Colonne", "Obligatoire", "Saisie attendue"]
DROP_DOWN_ROWS = 10_000  # rows of the "Activités" sheet that offer the drop-downs

# The expected form of the columns that have no list of allowed values.
FORMATS = {
    "activity_kind": "code ou libellé (colonnes A à C)",
    "pole_code": "code ou libellé (colonnes A à C)",
    "caf_code": "code de la Caf (numéro du département) ou son nom",
    "dep_code": "si autre que celui de la Caf : code ou nom du département",
    "equipment_kind": "code ou libellé (colonnes A à C)",
    "partner_id": f"texte, {entries.PARTNER_MAX} caractères au plus (contrôle multi-départemental)",
    "status": "code ou libellé (colonnes A à C)",
    "activity_on": "date JJ/MM/AAAA",
    "days_spent": "nombre, virgule décimale (1,5)",
    "has_findings": "oui ou non (contrôles)",
    "undue_amount_eur": "montant en euros, 0 si aucun (contrôles avec constats)",
    "places_count": "nombre entier (création de places)",
    "comment": f"texte libre, {entries.COMMENT_MAX} caractères au plus",
}


def headers() -> list[str]:
    return list(entries.ACTIVITY_FIELDS.values())


def example_row(pole_code: str | None = None, on: date | None = None) -> dict[str, str]:
    """One filled-in activity (a sensitive control done), field -> text, written with the
    French labels: for the pôle given (else the first one) and one of its Cafs."""
    vocab = entries.vocabularies()
    poles = vocab["pole_code"].labels
    pole = pole_code if pole_code in poles else next(iter(poles))
    on = on or min(date.today(), entries.MISSION_END)
    row = dict.fromkeys(entries.ACTIVITY_FIELDS, "")
    row.update(
        activity_kind=vocab["activity_kind"].labels[EXAMPLE_KIND],
        pole_code=poles[pole],
        caf_code=entries.cafs_of_pole(pole)[0],
        equipment_kind=next(iter(vocab["equipment_kind"].labels.values())),
        status=vocab["status"].labels["done"],
        activity_on=f"{on:%d/%m/%Y}",
        days_spent="1,5",
        has_findings=vocab["has_findings"].labels["non"],
        undue_amount_eur="0",
        comment=EXAMPLE_COMMENT,
    )
    return row


def allowed_values() -> list[list[str]]:
    """Rows Colonne, Code, Libellé: every allowed value of every coded column, in the
    order of the columns."""
    vocab = entries.vocabularies()
    return [
        [label, code, text]
        for name, label in entries.ACTIVITY_FIELDS.items()
        if name in vocab
        for code, text in vocab[name].labels.items()
    ]


def column_help() -> list[list[str]]:
    """Rows Colonne, Obligatoire, Saisie attendue: one per column of the template."""
    return [
        [label, "oui" if name in entries.REQUIRED_ACTIVITY_FIELDS else "non", FORMATS[name]]
        for name, label in entries.ACTIVITY_FIELDS.items()
    ]


def csv_bytes(pole_code: str | None = None, on: date | None = None) -> bytes:
    """The CSV template: header and the example row, as French Excel opens it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers())
    writer.writerow(example_row(pole_code, on).values())
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def template_workbook(
    sheet_name: str,
    header: list[str],
    example: list[str],
    allowed_rows: list[tuple],
    help_rows: list[tuple],
    widths: tuple[tuple[int, int, int], tuple[int, int, int]],
    drop_downs: dict[int, str | list[str]],
    drop_down_rows: int,
) -> bytes:
    """An import template as XLSX: sheet ``sheet_name`` (``header``, the ``example`` row,
    every cell text) and sheet "Valeurs autorisées" (``allowed_rows`` under
    ``ALLOWED_HEADER``, then ``help_rows`` under ``HELP_HEADER``; ``widths``: the column
    widths of the two tables); ``drop_downs``: column index -> list source (a range of
    the allowed sheet or values), an information message when a value is outside."""
    import xlsxwriter

    buffer = io.BytesIO()
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
               "strings_to_numbers": False}  # fmt: skip
    workbook = xlsxwriter.Workbook(buffer, options)
    bold = workbook.add_format({"bold": True, "bg_color": "#DDE5F0", "border": 1})
    text = workbook.add_format({"num_format": "@"})
    sheet = workbook.add_worksheet(sheet_name)
    allowed = workbook.add_worksheet(SHEET_ALLOWED)
    for col, title in enumerate(header):
        # Text columns: a date, "01" or "3,5" typed there stays as typed (no conversion).
        sheet.set_column(col, col, max(14, min(len(title) + 4, 40)), text)
        sheet.write_string(0, col, title, bold)
    for col, value in enumerate(example):
        sheet.write_string(1, col, value, text)
    sheet.freeze_panes(1, 0)
    help_col = len(ALLOWED_HEADER) + 1
    for first, titles, rows in ((0, ALLOWED_HEADER, allowed_rows), (help_col, HELP_HEADER,
                                                                   help_rows)):  # fmt: skip
        for col, title in enumerate(titles, start=first):
            allowed.write_string(0, col, title, bold)
        for r, row in enumerate(rows, start=1):
            for col, value in enumerate(row, start=first):
                allowed.write_string(r, col, value)
    for first, sizes in zip((0, help_col), widths, strict=True):
        for col, size in enumerate(sizes, start=first):
            allowed.set_column(col, col, size)
    for col, source in drop_downs.items():
        sheet.data_validation(1, col, drop_down_rows, col, {
            "validate": "list",
            "source": source,
            "error_type": "information",
            "show_error": True,
            "error_title": "Valeur hors liste",
            "error_message": f"Valeurs autorisées : feuille « {SHEET_ALLOWED} ».",
        })  # fmt: skip
    workbook.close()
    return buffer.getvalue()


def xlsx_bytes(pole_code: str | None = None, on: date | None = None) -> bytes:
    """The XLSX template: sheet "Activités" (headers, example row, every cell text, a
    drop-down of the labels on the short coded columns) and sheet "Valeurs autorisées"."""
    names = list(entries.ACTIVITY_FIELDS)
    rows = allowed_values()
    # Drop-downs of the labels on the short lists; a code typed instead is accepted too.
    first: dict[str, list[int]] = {}
    for r, row in enumerate(rows, start=1):
        first.setdefault(row[0], [r, r])[1] = r
    short = ("activity_kind", "pole_code", "equipment_kind", "status", "has_findings")
    drop_downs = {}
    for name in short:
        start, end = first[entries.ACTIVITY_FIELDS[name]]
        drop_downs[names.index(name)] = f"='{SHEET_ALLOWED}'!$C${start + 1}:$C${end + 1}"
    return template_workbook(
        SHEET_ACTIVITIES, headers(), list(example_row(pole_code, on).values()), rows,
        column_help(), ((22, 24, 70), (22, 12, 60)), drop_downs, DROP_DOWN_ROWS,
    )  # fmt: skip
