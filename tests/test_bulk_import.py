"""Bulk import of activities (page Saisie, ``sppe import-activities``): the CSV and XLSX
templates, French headers and labels accepted as well as codes, refusals that list the
allowed values, hostile files refused with a French message and nothing written.

Expected values are written by hand from the reference files (sppe_data/reference/) and
the hand-made data set (tests/tiny.py: 3 done sensitive controls in 2026 so far)."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date

import polars as pl
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as hs
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from sppe_data import api, entries, journal, templates
from sppe_data.auth import Principal

POLE_IDF = Principal("agent.idf", "Agent IDF", "pole", "idf_hdf")
ADMIN = Principal("admin", "Admin", "admin")

HEADERS = ["Type d'activité", "Pôle", "Caf bénéficiaire", "Département", "Type d'équipement",
           "Partenaire", "Statut", "Date", "Jours passés", "Constats", "Indus (EUR)",
           "Places concernées", "Commentaire"]  # fmt: skip
IDF = "Île-de-France – Hauts-de-France"
IDF_CAFS = "02, 59, 60, 62, 75, 77, 78, 80, 91, 92, 93, 94, 95"  # régions 11 and 32
STATUSES = "« Planifiée », « En cours », « Réalisée », « Annulée »"

# Filled in by a pôle agent, in French, in the template's column order.
FILLED = [
    ["Contrôle sensible", IDF, "59", "", "EAJE (PSU)", "", "Réalisée", "20/01/2026", "1,5",
     "oui", "1 200,50", "", "Constats sur les présences"],
    ["contrôle SENSIBLE", "idf_hdf", "62", "", "", "", "réalisée", "21/01/2026", "2",
     "non", "0", "", ""],
    ["Contrôle sensible", IDF, "75", "", "Micro-crèche (Paje)", "", "Planifiée", "25/03/2026",
     "1", "", "", "", "à venir"],
    ["Suivi IDA d'un EAJE en difficulté (diagnostic et plan d'action)", IDF, "80", "",
     "Halte-garderie", "", "En cours", "10/01/2026", "0,5", "", "", "", ""],
]  # fmt: skip
# Done sensitive controls dated on or before 31/01/2026 among FILLED: rows 1 and 2.
FILLED_SENSITIVE_DONE = 2


def sensitive_done(pole: str = "all") -> int:
    df = api.indicator_progress(2026)
    row = df.filter(
        (pl.col("pole_code") == pole) & (pl.col("indicator_code") == "controles_sensibles")
    )
    return row["realised_count"].item()


def journal_counts() -> tuple[int, int]:
    tables = journal.export_tables(ADMIN)
    return tables["journal_activities"].height, tables["journal_audit"].height


def csv_file(rows: list[list[str]], header: list[str] = HEADERS) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows([header, *rows])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def upload(filename: str, content: bytes, who: Principal = POLE_IDF) -> journal.ImportReport:
    """What the Saisie page does with a file: read it, then import every row."""
    rows = journal.read_table(filename, content)
    return journal.import_activities(who, rows, "import:" + filename)


# --- templates ------------------------------------------------------------------------------


def test_csv_template_has_french_headers_and_an_example_row(tiny_data):
    content = templates.csv_bytes("idf_hdf", date(2026, 1, 20))
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: French Excel reads accents
    lines = content.decode("utf-8-sig").split("\r\n")
    assert lines[0].split(";") == HEADERS
    assert lines[1].split(";") == [
        "Contrôle sensible", IDF, "02", "", "EAJE (PSU)", "", "Réalisée", "20/01/2026", "1,5",
        "Non", "0", "", templates.EXAMPLE_COMMENT,
    ]  # fmt: skip
    assert lines[2:] == [""]


def test_xlsx_template_has_a_sheet_of_allowed_values(tiny_data):
    book = load_workbook(io.BytesIO(templates.xlsx_bytes("mediterranee", date(2026, 1, 20))))
    assert book.sheetnames == ["Activités", "Valeurs autorisées"]
    sheet = [list(r) for r in book["Activités"].iter_rows(values_only=True)]
    assert sheet[0] == HEADERS
    assert sheet[1][:3] == ["Contrôle sensible", "Méditerranée", "04"]  # its first Caf
    allowed = [r[:3] for r in book["Valeurs autorisées"].iter_rows(values_only=True)]
    assert allowed[0] == ("Colonne", "Code", "Libellé")
    per_column: dict[str, int] = {}
    for column, _, _ in allowed[1:]:
        per_column[column] = per_column.get(column, 0) + 1
    # 16 kinds, 5 pôles and the Cepaje's national scope (overseas Cafs' engineering), 101
    # Cafs and départements, 5 equipment kinds, 4 statuses, oui/non.
    assert per_column == {"Type d'activité": 16, "Pôle": 6, "Caf bénéficiaire": 101,
                          "Département": 101, "Type d'équipement": 5, "Statut": 4,
                          "Constats": 2}  # fmt: skip
    assert ("Statut", "done", "Réalisée") in allowed
    assert ("Type d'activité", "controle_sensible", "Contrôle sensible") in allowed
    assert ("Type d'équipement", "mam", "Maison d'assistants maternels (MAM)") in allowed
    assert ("Caf bénéficiaire", "2A", "Caf de la Corse-du-Sud") in allowed
    help_rows = [r[4:7] for r in book["Valeurs autorisées"].iter_rows(values_only=True)][1:14]
    assert [r[0] for r in help_rows] == HEADERS
    assert [r[0] for r in help_rows if r[1] == "oui"] == [
        "Type d'activité", "Pôle", "Caf bénéficiaire", "Statut", "Date", "Jours passés"
    ]  # fmt: skip
    # The drop-down of the status column points at the four status labels.
    [status_list] = [
        v for v in book["Activités"].data_validations.dataValidation if "G2" in v.sqref
    ]
    first = 1 + 16 + 6 + 101 + 101 + 5 + 1  # header, kinds, pôles, Cafs, deps, equipment
    assert status_list.formula1 == f"'Valeurs autorisées'!$C${first}:$C${first + 3}"


def test_the_template_as_downloaded_is_refused_for_its_example_row(tiny_data):
    before = journal_counts()
    with pytest.raises(ValueError, match="Ligne 2 : c'est la ligne d'exemple du modèle"):
        upload("modele.csv", templates.csv_bytes("idf_hdf", date(2026, 1, 20)))
    with pytest.raises(ValueError, match="Ligne 2 : c'est la ligne d'exemple du modèle"):
        upload("modele.xlsx", templates.xlsx_bytes("idf_hdf", date(2026, 1, 20)))
    assert journal_counts() == before


# --- French labels and headers --------------------------------------------------------------


def test_filled_csv_template_imports_and_the_synthese_figure_moves(tiny_data):
    template = templates.csv_bytes("idf_hdf", date(2026, 1, 20)).decode("utf-8-sig")
    header_line = template.split("\r\n")[0]
    content = ("\ufeff" + header_line + "\r\n"
               + "\r\n".join(";".join(r) for r in FILLED) + "\r\n").encode("utf-8")  # fmt: skip
    assert sensitive_done() == 3 and sensitive_done("idf_hdf") == 2
    report = upload("saisies.csv", content)
    assert (report.saved_count, report.errors.height) == (4, 0), report.errors
    assert sensitive_done() == 3 + FILLED_SENSITIVE_DONE
    assert sensitive_done("idf_hdf") == 2 + FILLED_SENSITIVE_DONE
    saved = journal.export_tables(ADMIN)["journal_activities"].sort("activity_on")
    first = saved.filter(pl.col("comment") == "Constats sur les présences").row(0, named=True)
    assert first["activity_kind"] == "controle_sensible" and first["status"] == "done"
    assert first["pole_code"] == "idf_hdf" and first["equipment_kind"] == "eaje_psu"
    assert first["has_findings"] is True and first["undue_amount_eur"] == 1200.5
    assert first["days_spent"] == 1.5 and first["activity_on"] == date(2026, 1, 20)
    assert first["dep_code"] == "59" and first["travel_fee_eur"] == 300.0
    assert sorted(saved["status"].to_list()) == ["done", "done", "in_progress", "planned"]
    assert sorted(saved["equipment_kind"].drop_nulls().to_list()) == [
        "eaje_psu", "halte_garderie", "micro_creche_paje"
    ]  # fmt: skip


def test_filled_xlsx_template_round_trips(tiny_data):
    book = load_workbook(io.BytesIO(templates.xlsx_bytes("idf_hdf", date(2026, 1, 20))))
    sheet = book["Activités"]
    for col, value in enumerate(FILLED[0], start=1):  # the example row overwritten
        sheet.cell(row=2, column=col, value=value or None)
    for values in FILLED[1:]:
        sheet.append([v or None for v in values])
    buffer = io.BytesIO()
    book.save(buffer)
    report = upload("saisies.xlsx", buffer.getvalue())
    assert (report.saved_count, report.errors.height) == (4, 0), report.errors
    assert sensitive_done() == 3 + FILLED_SENSITIVE_DONE


def test_xlsx_with_typed_cells_dates_numbers_and_booleans(tiny_data):
    """A workbook typed by hand, not from the template: real date, number and boolean
    cells, a Caf code turned into a number by Excel."""
    book = Workbook()
    book.active.append(HEADERS)
    book.active.append(["Contrôle sensible", IDF, 59, None, None, None, "Réalisée",
                        date(2026, 1, 20), 1.5, False, 0, None, "RAS"])  # fmt: skip
    book.active.append(["Contrôle sensible", IDF, 2, None, None, None, "Réalisée",
                        date(2026, 1, 21), 1, True, 350.25, None, None])  # fmt: skip
    buffer = io.BytesIO()
    book.save(buffer)
    report = upload("saisies.xlsx", buffer.getvalue())
    assert (report.saved_count, report.errors.height) == (2, 0), report.errors
    saved = journal.export_tables(ADMIN)["journal_activities"].sort("activity_on")
    assert saved["caf_code"].to_list() == ["59", "02"]
    assert saved["activity_on"].to_list() == [date(2026, 1, 20), date(2026, 1, 21)]
    assert saved["has_findings"].to_list() == [False, True]
    assert saved["undue_amount_eur"].to_list() == [0.0, 350.25]
    assert sensitive_done() == 5


def test_headers_are_matched_without_case_accents_or_spaces(tiny_data):
    header = ["TYPE D’ACTIVITE", " pole ", "caf_code", "statut", "DATE", "jours  passes",
              "constats", "indus (eur)"]  # fmt: skip
    rows = journal.read_table(
        "x.csv",
        csv_file(
            [["controle_sensible", "idf_hdf", "59", "done", "20/01/2026", "1", "non", "0"]], header
        ),
    )
    assert rows == [{
        "activity_kind": "controle_sensible", "pole_code": "idf_hdf", "caf_code": "59",
        "status": "done", "activity_on": "20/01/2026", "days_spent": "1",
        "has_findings": "non", "undue_amount_eur": "0",
    }]  # fmt: skip


EXPECTED_HEADERS = (
    "Colonnes attendues : Type d'activité, Pôle, Caf bénéficiaire, Département, Type "
    "d'équipement, Partenaire, Statut, Date, Jours passés, Constats, Indus (EUR), Places "
    "concernées, Commentaire."
)


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (["Type d'activité", "Pôle", "Caf", "Statut", "Date", "Jours passés"],
         "Colonnes inconnues : « Caf ». " + EXPECTED_HEADERS),
        (["Type d'activité", "Pôle", "Caf bénéficiaire", "Date", "Jours passés"],
         "Colonnes obligatoires absentes : Statut. " + EXPECTED_HEADERS),
        (["Type d'activité", "Pôle", "Caf bénéficiaire", "Statut", "status", "Date",
          "Jours passés"], "Colonne en double : « Statut » et « status » (Statut)."),
    ],
)  # fmt: skip
def test_unknown_missing_or_duplicate_headers_list_the_expected_ones(tiny_data, header, message):
    row = ["controle_sensible", "idf_hdf", "59", "done", "20/01/2026", "1", "x"][: len(header)]
    with pytest.raises(ValueError) as refused:
        journal.read_table("x.csv", csv_file([row], header))
    assert str(refused.value) == message


def test_wrong_labels_give_the_allowed_values_and_nothing_is_written(tiny_data):
    bad = [
        ["Contrôle sensibl", IDF, "59", "", "", "", "Réalisée", "20/01/2026", "1", "non", "0",
         "", ""],
        ["Contrôle sensible", IDF, "999", "", "Crèche", "", "Terminée", "20/01/2026", "1",
         "peut-être", "0", "", ""],
        ["Contrôle sensible", "Pôle Nord", "59", "", "", "", "Réalisée", "32/01/2026", "1,5,0",
         "non", "0", "", ""],
    ]  # fmt: skip
    before = journal_counts()
    report = upload("erreurs.csv", csv_file(bad))
    assert report.saved_count == 0
    found = {(e["Ligne"], e["Champ"]): e["Message"] for e in report.errors.to_dicts()}
    kinds = found[(2, "Type d'activité")]
    assert kinds.startswith("Valeur inconnue « Contrôle sensibl ». Valeurs autorisées : « Acc")
    assert "« Contrôle sensible »" in kinds and "« Appel à projets de bout en bout »" in kinds
    assert kinds.count("« ") == 17  # the value, then the 16 kinds' labels
    assert found[(3, "Caf bénéficiaire")] == (
        f"Valeur inconnue « 999 ». Cafs du pôle : {IDF_CAFS}."
    )
    assert found[(3, "Statut")] == f"Valeur inconnue « Terminée ». Valeurs autorisées : {STATUSES}."
    assert found[(3, "Type d'équipement")] == (
        "Valeur inconnue « Crèche ». Valeurs autorisées : « EAJE (PSU) », « Micro-crèche "
        "(Paje) », « Halte-garderie », « Relais petite enfance (RPE) », « Maison "
        "d'assistants maternels (MAM) »."
    )
    assert found[(3, "Constats")] == "Répondez oui ou non (reçu « peut-être »)."
    assert found[(4, "Pôle")] == (
        "Valeur inconnue « Pôle Nord ». Valeurs autorisées : « Île-de-France – "
        "Hauts-de-France », « Centre-Est – Auvergne-Rhône-Alpes », « Méditerranée », "
        "« Atlantique », « Centre – Pays de la Loire – Bretagne – Normandie », "
        "« Cepaje (équipe nationale) »."
    )
    assert found[(4, "Date")] == "Date invalide « 32/01/2026 » (attendu JJ/MM/AAAA)."
    assert found[(4, "Jours passés")].startswith("Saisissez un nombre, par exemple 1,5")
    assert journal_counts() == before


def test_a_caf_outside_the_pole_lists_the_pole_cafs(tiny_data):
    checked = entries.check_activity({"activity_kind": "Contrôle sensible", "pole_code": IDF,
                                      "caf_code": "30", "status": "Réalisée",
                                      "activity_on": "20/01/2026", "days_spent": "1",
                                      "has_findings": "non"})  # fmt: skip
    assert checked.errors == {
        "caf_code": f"La Caf 30 n'est pas dans la zone du pôle idf_hdf. Cafs du pôle : {IDF_CAFS}."
    }


def test_labels_read_like_their_codes(tiny_data):
    checked = entries.check_activity({
        "activity_kind": "  controle   sensible ", "pole_code": "MÉDITERRANÉE",
        "caf_code": "Caf du Gard", "dep_code": "gard", "status": "REALISEE",
        "equipment_kind": "micro creche (paje)", "activity_on": "2026-01-20",
        "days_spent": "1,5", "has_findings": "Oui", "undue_amount_eur": "1\u202f234,5",
        "comment": "=texte saisi dans un formulaire",
    })  # fmt: skip
    assert checked.ok, checked.errors
    row = checked.row
    assert (row["activity_kind"], row["pole_code"], row["caf_code"], row["dep_code"]) == (
        "controle_sensible", "mediterranee", "30", "30"
    )  # fmt: skip
    assert (row["status"], row["equipment_kind"], row["has_findings"]) == (
        "done", "micro_creche_paje", True
    )  # fmt: skip
    assert (row["days_spent"], row["undue_amount_eur"]) == (1.5, 1234.5)


def test_no_two_allowed_values_read_the_same(tiny_data):
    for name, vocabulary in entries.vocabularies().items():
        keys = [entries.normalise(c) for c in vocabulary.labels]
        keys += [entries.normalise(v) for v in vocabulary.labels.values()]
        owners: dict[str, set[str]] = {}
        for key, code in zip(keys, [*vocabulary.labels, *vocabulary.labels], strict=True):
            owners.setdefault(key, set()).add(code)
        assert all(len(codes) == 1 for codes in owners.values()), name


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("01/01/99999999999999999999", "Date invalide"),
        ("99999999999999999999-01-01", "Date invalide"),
        ("20/01/2026/1", "Date invalide"),
        ("1" * 400, "trop grand"),
        ("1e400", "Saisissez un nombre"),
        ("nan", "Saisissez un nombre"),
        ("inf", "Saisissez un nombre"),
        ("1_5", "Saisissez un nombre"),
    ],
)
def test_overflowing_dates_and_numbers_are_refused(tiny_data, value, message):
    raw = {"activity_kind": "suivi_ida", "pole_code": "idf_hdf", "caf_code": "59",
           "status": "done", "activity_on": value, "days_spent": value}  # fmt: skip
    found = entries.check_activity(raw).errors
    assert any(message in m for m in found.values()), found


# --- hostile files --------------------------------------------------------------------------

GOOD_ROW = ["Contrôle sensible", IDF, "59", "", "", "", "Réalisée", "20/01/2026", "1", "non",
            "0", "", "RAS"]  # fmt: skip


def with_comment(comment: str) -> bytes:
    return csv_file([[*GOOD_ROW[:-1], comment]])


def zip_bomb_xlsx() -> bytes:
    """A valid workbook whose single sheet inflates to about 60 MB of rows: far more
    rows than an import takes, in a small file."""
    valid = io.BytesIO()
    book = Workbook()
    book.active.append(HEADERS)
    book.save(valid)
    out = io.BytesIO()
    with zipfile.ZipFile(valid) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            if item.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(item, src.read(item.filename))
                continue
            with dst.open(item.filename, "w") as sheet:
                sheet.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://'
                            b'schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension '
                            b'ref="A1:XFD1048576"/><sheetData>')  # fmt: skip
                row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' * 1000
                for _ in range(1200):
                    sheet.write(row)
                sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def declared_huge_xlsx() -> bytes:
    """A small workbook declaring 1,048,576 x 16,384 cells, with a cell in the last one."""
    valid = io.BytesIO()
    book = Workbook()
    book.active.append(HEADERS)
    book.active.cell(row=1_048_576, column=16_384, value="x")
    book.save(valid)
    return valid.getvalue()


FORMULA = "Ligne 2, colonne « Commentaire » : le texte commence par « {} », lu comme une formule"
HOSTILE = {  # file name, content, how the French refusal starts
    "zip bomb": ("bombe.xlsx", zip_bomb_xlsx,
                 "Ligne 5002 : le fichier dépasse la limite de 5\u202f000 lignes de données."),
    "declared dimension": ("dimension.xlsx", declared_huge_xlsx,
                           "Ligne 1048576, colonne XFD (sans nom de colonne) : valeur au-delà"),
    "128 KB cell": ("cellule.csv", lambda: with_comment("x" * 131_072),
                    "Ligne 2, colonne « Commentaire » : cellule de 131\u202f072 caractères"),
    "bidi": ("bidi.csv", lambda: with_comment("RAS \u202eexe.txt"),
             "Ligne 2, colonne « Commentaire » : caractère invisible de sens d'écriture"),
    "control": ("controle.csv", lambda: with_comment("RAS\x07"),
                "Ligne 2, colonne « Commentaire » : caractère interdit"),
    "10 MB": ("gros.csv", lambda: csv_file([GOOD_ROW]) + b"x" * 10_000_001,
              "Fichier trop volumineux : 10,0 Mo (au plus 5,0 Mo)."),
    "cmd": ("formule.csv", lambda: with_comment("=cmd|' /C calc'!A0"), FORMULA.format("=")),
    "plus": ("formule.csv", lambda: with_comment("+cmd|' /C calc'!A0"), FORMULA.format("+")),
    "at": ("formule.csv", lambda: with_comment("@SUM(1+1)*cmd|' /C calc'!A0"),
           FORMULA.format("@")),
    "minus": ("formule.csv", lambda: with_comment("-2+3+cmd|' /C calc'!A0"),
              FORMULA.format("-")),
    "hyperlink": ("formule.csv", lambda: with_comment(' =HYPERLINK("http://x","y")'),
                  FORMULA.format("=")),
    "not a workbook": ("faux.xlsx", lambda: b"PK\x03\x04 pas un classeur",
                       "Fichier Excel illisible"),
    "binary": ("binaire.csv", lambda: bytes(range(256)) * 10,
               re.compile(r"Ligne \d+ : caractères illisibles")),
    "other format": ("x.exe", lambda: b"MZ",
                     "Format non pris en charge : déposez un fichier .csv ou .xlsx."),
}  # fmt: skip


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_files_are_refused_in_french_and_nothing_is_written(tiny_data, case):
    filename, build, expected = HOSTILE[case]
    before = journal_counts()
    with pytest.raises(ValueError) as refused:
        upload(filename, build())
    if isinstance(expected, re.Pattern):
        assert expected.match(str(refused.value)), str(refused.value)
    else:
        assert str(refused.value).startswith(expected), str(refused.value)
    assert journal_counts() == before
    assert sensitive_done() == 3


def test_a_negative_number_is_no_formula(tiny_data):
    row = [*GOOD_ROW[:8], "-1,5", *GOOD_ROW[9:]]
    report = upload("negatif.csv", csv_file([row]))
    assert report.errors.to_dicts() == [
        {"Ligne": 2, "Champ": "Jours passés", "Message": "Le nombre ne peut pas être négatif."}
    ]


def test_cr_only_line_endings(tiny_data):
    lf = csv_file([GOOD_ROW, [*GOOD_ROW[:-1], "deuxième"]])
    cr = lf.replace(b"\r\n", b"\r")
    assert journal.read_table("cr.csv", cr) == journal.read_table("lf.csv", lf)
    report = upload("cr.csv", cr)
    assert report.saved_count == 2 and sensitive_done() == 5


def test_windows_1252_and_comma_separator(tiny_data):
    text = "\r\n".join(",".join(f'"{c}"' for c in r) for r in [HEADERS, GOOD_ROW]) + "\r\n"
    report = upload("ansi.csv", text.encode("cp1252"))
    assert report.saved_count == 1, report.errors


def test_trailing_empty_rows_are_ignored_but_not_inner_ones(tiny_data):
    blank = [""] * len(HEADERS)
    rows = journal.read_table("x.csv", csv_file([GOOD_ROW, blank, GOOD_ROW, blank, blank]))
    assert len(rows) == 3
    report = journal.import_activities(POLE_IDF, rows, "import:blank")
    assert {e["Ligne"] for e in report.errors.to_dicts()} == {3}


def test_too_many_rows(tiny_data):
    content = csv_file([GOOD_ROW] * (journal.IMPORT_MAX_ROWS + 1))
    with pytest.raises(ValueError):
        journal.read_table("x.csv", content)
    assert len(journal.read_table("x.csv", csv_file([GOOD_ROW] * 3))) == 3


# --- the Saisie page's bulk tab (AppTest) ---------------------------------------------------


def saisie_page():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file("../app.py", default_timeout=30)
    at.session_state["demo_role"] = "pole"
    at.session_state["demo_pole"] = "idf_hdf"
    at.run()
    at.switch_page("app_pages/saisie.py")
    at.run()
    assert not at.exception, at.exception
    return at


def test_saisie_bulk_tab_templates_upload_and_refusals(tiny_data):
    at = saisie_page()
    labels = [b.label for b in at.get("download_button")]
    assert "Modèle Excel (.xlsx), avec les valeurs autorisées" in labels
    assert "Modèle CSV (« ; », UTF-8)" in labels
    uploader = at.get("file_uploader")[0]
    assert uploader.label == "Fichier d'activités"

    # A hostile file: the reader's French message, nothing written, no import button.
    uploader.set_value(("bidi.csv", with_comment("RAS \u202eexe.txt"), "text/csv"))
    at.run()
    assert not at.exception, at.exception
    errors = [e.value for e in at.error]
    assert errors[0] == "Fichier refusé : rien n'a été enregistré."
    assert any("caractère invisible de sens d" in e for e in errors[1:]), errors
    assert not [b for b in at.button if b.label == "Importer"]
    assert journal_counts() == (0, 0)

    # Wrong labels: the report lists the allowed values; nothing written.
    bad = [[*GOOD_ROW[:6], "Terminée", *GOOD_ROW[7:]]]
    at.get("file_uploader")[0].set_value(("erreurs.csv", csv_file(bad), "text/csv"))
    at.run()
    [go] = [b for b in at.button if b.label == "Importer"]
    go.click().run()
    assert not at.exception, at.exception
    assert any(e.value.startswith("Import refusé : 1 erreur(s)") for e in at.error)
    [report] = [d.value for d in at.dataframe if "Message" in d.value.columns]
    assert list(report["Message"]) == [
        f"Valeur inconnue « Terminée ». Valeurs autorisées : {STATUSES}."
    ]
    assert journal_counts() == (0, 0)

    # The filled-in template: imported, the figure moves.
    at.get("file_uploader")[0].set_value(("saisies.csv", csv_file(FILLED), "text/csv"))
    at.run()
    assert any(m.value == "4 ligne(s) lue(s)." for m in at.markdown)
    [go] = [b for b in at.button if b.label == "Importer"]
    go.click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == ["4 activité(s) importée(s)."]
    assert sensitive_done() == 3 + FILLED_SENSITIVE_DONE


# --- property: any file through the bulk import ---------------------------------------------


# Spellings every one of which must be accepted (a row made of them imports).
SPELLINGS = {
    "activity_kind": ["Contrôle sensible", "controle_sensible", " CONTROLE  SENSIBLE "],
    "pole_code": [IDF, "idf_hdf", "ile de france hauts de france", "IDF_HDF"],
    "caf_code": ["59", "02", "2", "2.0", "Caf du Nord", "caf de l'aisne"],
    "dep_code": ["", "59", "Nord", "75"],
    "equipment_kind": ["", "EAJE (PSU)", "mam", "micro-creche (paje)"],
    "partner_id": ["", "Groupe Exemple"],
    "status": ["Réalisée", "done", "REALISEE", "Planifiée", "planned", "En cours", "Annulée"],
    "activity_on": ["20/01/2026", "2026-01-20", "2026-01-20 00:00:00", "5/1/2026"],
    "days_spent": ["1", "1,5", "0.5", " 2 ", "0"],
    "has_findings": ["oui", "non", "Oui", "FAUX", "true", "0"],
    "undue_amount_eur": ["0", "1 234,5", "12.5"],
    "places_count": [""],
    "comment": ["", "RAS", "Contrôle sur place, 2 salariés"],
}
HOSTILE_CELLS = hs.one_of(
    hs.text(max_size=40),
    hs.sampled_from(
        [
            "=cmd|' /C calc'!A0",
            "+1+1",
            "@SUM(A1)",
            "-2+3",
            "1e400",
            "1" * 400,
            "01/01/99999999999999999999",
            "nan",
            "inf",
            "\u202eabc",
            "a\x00b",
            "Terminée",
            "Crèche",
            "Pôle Nord",
            "999",
            "32/01/2026",
            "-1",
            "x" * 3000,
        ]
    ),
    hs.integers(-(10**30), 10**30).map(str),
    hs.floats(allow_nan=True, allow_infinity=True).map(str),
)


@hs.composite
def bulk_files(draw) -> tuple[str, bytes, bool]:
    """A file name, its content, and whether it must import (good header, rows made of
    accepted spellings only)."""
    names = list(entries.ACTIVITY_FIELDS)
    if draw(hs.integers(0, 19)) == 0:  # any bytes at all
        return draw(hs.sampled_from(["x.csv", "x.xlsx"])), draw(hs.binary(max_size=3000)), False
    header = draw(hs.sampled_from([HEADERS, names, [h.upper() for h in HEADERS]]))
    header = list(header)
    good = True
    if draw(hs.integers(0, 9)) == 0:  # a header changed
        header[draw(hs.integers(0, len(header) - 1))] = draw(hs.text(max_size=20))
        good = False
    rows = []
    for _ in range(draw(hs.integers(0, 6))):
        clean = draw(hs.booleans())
        good = good and clean
        rows.append([
            draw(hs.sampled_from(SPELLINGS[n])) if clean or draw(hs.integers(0, 3))
            else draw(HOSTILE_CELLS)
            for n in names
        ])  # fmt: skip
    if draw(hs.booleans()):
        book = Workbook()
        for r in [header, *rows]:
            book.active.append([ILLEGAL_CHARACTERS_RE.sub("", v) or None for v in r])
        buffer = io.BytesIO()
        book.save(buffer)
        return "x.xlsx", buffer.getvalue(), good and bool(rows)
    delimiter = draw(hs.sampled_from([";", ","]))
    ending = draw(hs.sampled_from(["\r\n", "\n", "\r"]))
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter, lineterminator=ending).writerows([header, *rows])
    encoding = draw(hs.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
    try:
        return "x.csv", text.getvalue().encode(encoding), good and bool(rows)
    except UnicodeEncodeError:
        return "x.csv", text.getvalue().encode("utf-8"), good and bool(rows)


@settings(max_examples=1000, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])  # fmt: skip
@given(file=bulk_files())
def test_any_file_is_imported_whole_or_refused_in_french(tiny_data, file):
    """No other exception than a French refusal; nothing written, or every row; a file
    of accepted spellings imports."""
    filename, content, must_import = file
    before = journal_counts()
    try:
        rows = journal.read_table(filename, content)
    except ValueError as exc:
        assert not must_import, str(exc)
        event("refusé à la lecture")
        message = str(exc)
        assert message and not any(w in message for w in ("Error", "Traceback", "Exception"))
        assert journal_counts() == before
        return
    report = journal.import_activities(POLE_IDF, rows, "import:" + str(hash(content)))
    after = journal_counts()
    if report.errors.height:
        assert not must_import, report.errors.to_dicts()
        event("refusé ligne par ligne")
        assert report.saved_count == 0 and after == before
    else:
        event("importé")
        assert report.saved_count + report.skipped_count == len(rows)
        assert after[0] == before[0] + report.saved_count


# --- the same file from the command line ----------------------------------------------------


def test_cli_imports_the_french_template_and_refuses_a_hostile_file(tiny_data, tmp_path, capsys):
    from sppe_cli.main import main

    good = tmp_path / "saisies.csv"
    good.write_bytes(csv_file(FILLED))
    assert main(["import-activities", str(good), "--operator", "Paul"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("4 activité(s) importée(s) depuis ")
    assert sensitive_done() == 3 + FILLED_SENSITIVE_DONE
    before = journal_counts()
    bad = tmp_path / "formule.csv"
    bad.write_bytes(with_comment("=cmd|' /C calc'!A0"))
    assert main(["import-activities", str(bad), "--operator", "Paul"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "Traceback" not in captured.err
    assert captured.err.startswith("Erreur : " + FORMULA.format("="))
    assert journal_counts() == before
