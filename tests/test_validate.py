"""Validation of the national extracts (``sppe_data.imports.validate``): the alias table,
good and bad files of every extract in CSV (normalised, French Excel, through the
reader) and Parquet, one XLSX, each kind of problem counted exactly with its examples,
duplicates, headers, empty files, the real data.caf.fr coverage file, nothing written on
refusal. Expected values are worked out by hand from the rows written here.

The 3-million-row measurement runs only with ``SPPE_BENCH_VALIDATE=1`` (about a minute
on two shared cores): it prints the time and the peak memory of the validation, run in
a subprocess.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from exports.tables import table_to_csv
from sppe_data.extracts import EXTRACTS, polars_schema
from sppe_data.imports import validate
from sppe_data.imports.reading import EXTRACT_LIMITS, Prepared, prepare
from sppe_data.imports.validate import (
    HEADER_ALIASES,
    HEADER_LABELS,
    RULES,
    normalise_header,
    validate_extract,
)
from tests import tiny

ROOT = Path(__file__).resolve().parent.parent

TYPE_OF_KIND = {
    "id": "VARCHAR", "text": "VARCHAR", "code": "VARCHAR", "date": "DATE",
    "number": "DOUBLE", "integer": "INTEGER", "year": "INTEGER", "bool": "BOOLEAN",
}  # fmt: skip


@pytest.fixture(autouse=True)
def no_store(tmp_path, monkeypatch):
    """Reference data from the shipped files (a data folder without store)."""
    from sppe_data import store

    monkeypatch.setenv("SPPE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("SPPE_DATABASE_URL", raising=False)
    store.reset_cache()
    yield
    store.reset_cache()


def normalised_csv(rows: list[list], folder: Path, name: str = "file.csv") -> Prepared:
    """A ``Prepared`` as the reader leaves a CSV: UTF-8, ``,``, ``\\n``, every cell text."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(
            [["" if v is None else str(v) for v in row] for row in rows]
        )
    return Prepared("csv", [str(h) for h in rows[0]], len(rows) - 1, path, temporary=False)


def parquet_file(frame: pl.DataFrame, folder: Path, name: str = "file.parquet") -> Prepared:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    frame.write_parquet(path)
    return prepare(name, path, EXTRACT_LIMITS, workdir=folder)


def report_rows(v) -> list[tuple[str, int, str]]:
    return [(r["Colonne"], r["Lignes"], r["Exemples"]) for r in v.report.iter_rows(named=True)]


def staged(v) -> pl.DataFrame:
    assert v.ok, v.report.to_dicts()
    frame = pl.read_parquet(v.staged)
    assert frame.columns == list(EXTRACTS[frame_name(v)].columns)
    return frame


def frame_name(v) -> str:
    return Path(v.staged).stem


TINY = {
    "activities": tiny.activities_frame,
    "requests": lambda: pl.DataFrame(tiny.REQUESTS, schema=polars_schema("requests"), orient="row"),
    "projects": tiny.projects_frame,
    "partners": lambda: pl.DataFrame(tiny.PARTNERS, schema=polars_schema("partners"), orient="row"),
    "staff": lambda: pl.DataFrame(tiny.STAFF, schema=polars_schema("staff"), orient="row"),
    "coverage": tiny.coverage_frame,
}


# --- the alias table and the rules ---------------------------------------------------


def test_alias_table_names_every_column_once():
    for name, extract in EXTRACTS.items():
        aliases = HEADER_ALIASES[name]
        # Every column is reachable by its own name and has a French header.
        for column in extract.columns:
            assert aliases[normalise_header(column)] == column
            assert aliases[normalise_header(HEADER_LABELS[name][column])] == column
            assert HEADER_LABELS[name][column] != column, (name, column)
        # No header names two columns (the loader refuses it; checked here too).
        assert set(aliases.values()) == set(extract.columns)
    assert HEADER_ALIASES["activities"][normalise_header("Type d’activité")] == "activity_kind"
    assert HEADER_ALIASES["activities"][normalise_header("Nature")] == "activity_kind"
    assert HEADER_ALIASES["coverage"][normalise_header("Taux de couv EAJE - ensemble")] == (
        "coverage_eaje_pct"
    )


def test_rules_cover_every_column_with_its_type():
    for name, extract in EXTRACTS.items():
        assert list(RULES[name]) == list(extract.columns), name
        for column, duck_type in extract.columns.items():
            rule = RULES[name][column]
            assert TYPE_OF_KIND[rule.kind] == duck_type, (name, column)
            assert (rule.kind == "code") == (rule.domain is not None), (name, column)
        for key in validate.UNIQUE_KEYS[name]:
            assert RULES[name][key].required


def test_normalise_header():
    assert normalise_header("  Type d'activité ") == "type d activite"
    assert normalise_header("TYPE_D’ACTIVITÉ") == "type d activite"
    assert normalise_header("Indus (€)") == "indus eur"
    assert normalise_header("\ufeffDate référence") == "date reference"
    assert normalise_header("Taux de couv  EAJE -- ensemble") == "taux de couv eaje ensemble"


# --- good files of every extract -----------------------------------------------------


@pytest.mark.parametrize("name", list(EXTRACTS))
def test_good_parquet_of_every_extract(name, tmp_path):
    frame = TINY[name]()
    v = validate_extract(name, parquet_file(frame, tmp_path / "in"), tmp_path / "work")
    out = staged(v)
    assert (v.row_count, v.kept_count) == (frame.height, frame.height)
    assert v.report.is_empty() and v.notes == []
    assert_frame_equal(out, frame)  # same rows, same order, same types
    assert v.years == ([2023, 2024] if name == "coverage" else [])


@pytest.mark.parametrize("name", list(EXTRACTS))
def test_good_csv_of_every_extract(name, tmp_path):
    """The same rows as a CSV (column names, ISO dates, true/false, decimal point),
    through the reader."""
    frame = TINY[name]()
    path = tmp_path / "in" / f"{name}.csv"
    path.parent.mkdir()
    frame.write_csv(path)
    prepared = prepare(path.name, path, EXTRACT_LIMITS, workdir=tmp_path / "in")
    v = validate_extract(name, prepared, tmp_path / "work")
    assert_frame_equal(staged(v), frame)


ACTIVITY_HEADER = ["Identifiant de l'activité", "Type d'activité", "Pôle", "Caf",
                   "Département", "Type d'équipement", "Partenaire", "Saisine", "Statut",
                   "Date", "Jours passés", "Constats", "Indus (EUR)",
                   "Montant recouvré (EUR)", "Places", "Forfait déplacement (EUR)",
                   "Commentaire"]  # fmt: skip


def test_french_headers_labels_and_decimal_comma(tmp_path):
    rows = [
        ACTIVITY_HEADER,
        # Labels for kind, pôle (short label), status, equipment; Caf "1" -> "01".
        ["A1", "Contrôle sensible", "IDF-HDF", "59", "Nord", "EAJE (PSU)", "", "S1",
         "Réalisée", "03/05/2025", "1,5", "Oui", "1 234,5", "1\u00a0000", "", "300",
         "texte, avec virgule"],
        ["A2", "CONTROLE_SENSIBLE", "Centre-Est – Auvergne-Rhône-Alpes", "1", "1",
         "Micro-crèche (Paje)", "P1", "", "realisee", "2025-05-04", "2.25", "n", "0", "",
         "", "0", ""],
        ["A3", "Consulting de niveau 1 (business plan et viabilité économique)",
         "atlantique", "33", "33", "mam", "", "", "EN COURS", "4/5/2025", " 0 ", "", "", "",
         "12", "1e2", "  espace  "],
    ]  # fmt: skip
    v = validate_extract("activities", normalised_csv(rows, tmp_path), tmp_path / "work")
    out = staged(v)
    assert out.to_dicts() == [
        {"activity_id": "A1", "activity_kind": "controle_sensible", "pole_code": "idf_hdf",
         "caf_code": "59", "dep_code": "59", "equipment_kind": "eaje_psu",
         "partner_id": None, "request_id": "S1", "status": "done",
         "activity_on": date(2025, 5, 3), "days_spent": 1.5, "has_findings": True,
         "undue_amount_eur": 1234.5, "recovered_amount_eur": 1000.0, "places_count": None,
         "travel_fee_eur": 300.0, "comment": "texte, avec virgule"},
        {"activity_id": "A2", "activity_kind": "controle_sensible", "pole_code": "centre_est",
         "caf_code": "01", "dep_code": "01", "equipment_kind": "micro_creche_paje",
         "partner_id": "P1", "request_id": None, "status": "done",
         "activity_on": date(2025, 5, 4), "days_spent": 2.25, "has_findings": False,
         "undue_amount_eur": 0.0, "recovered_amount_eur": None, "places_count": None,
         "travel_fee_eur": 0.0, "comment": None},
        {"activity_id": "A3", "activity_kind": "consulting_n1", "pole_code": "atlantique",
         "caf_code": "33", "dep_code": "33", "equipment_kind": "mam", "partner_id": None,
         "request_id": None, "status": "in_progress", "activity_on": date(2025, 5, 4),
         "days_spent": 0.0, "has_findings": None, "undue_amount_eur": None,
         "recovered_amount_eur": None, "places_count": 12, "travel_fee_eur": 100.0,
         "comment": "espace"},
    ]  # fmt: skip
    assert out.schema == pl.Schema(polars_schema("activities"))


def test_french_excel_csv_through_the_reader(tmp_path):
    """``;``, BOM or Windows-1252, CRLF, decimal comma, as French Excel saves it."""
    lines = [
        "Identifiant;Nature;Pôle;Statut;Date;Jours passés;Indus (EUR)",
        "A1;Contrôle sensible;Méditerranée;Réalisée;15/01/2026;0,5;2 500,75",
        "A2;suivi_ida;mediterranee;Planifiée;16/01/2026;;",
    ]
    text = "\r\n".join(lines) + "\r\n"
    for encoded in ("\ufeff".encode() + text.encode("utf-8"), text.encode("cp1252")):
        prepared = prepare("extraction.csv", encoded, EXTRACT_LIMITS, workdir=tmp_path)
        v = validate_extract("activities", prepared, tmp_path / "work")
        prepared.cleanup()
        out = staged(v).select(
            "activity_id", "activity_kind", "pole_code", "status", "activity_on",
            "days_spent", "undue_amount_eur", "comment",
        )  # fmt: skip
        assert out.rows() == [
            ("A1", "controle_sensible", "mediterranee", "done", date(2026, 1, 15), 0.5,
             2500.75, None),
            ("A2", "suivi_ida", "mediterranee", "planned", date(2026, 1, 16), None, None,
             None),
        ]  # fmt: skip
        # Optional columns absent from the file: left empty, said in a note.
        assert len(v.notes) == 1 and "« Caf »" in v.notes[0] and "« Commentaire »" in v.notes[0]


def test_xlsx_through_the_reader(tmp_path):
    import xlsxwriter

    path = tmp_path / "saisines.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Saisines")
    day = book.add_format({"num_format": "dd/mm/yyyy"})
    header = ["Identifiant de la saisine", "Caf demandeuse", "Pôle", "Nature de la demande",
              "Circuit", "Priorité", "Statut", "Date de réception", "Date de prise en charge",
              "Date de clôture"]  # fmt: skip
    sheet.write_row(0, 0, header)
    sheet.write_row(1, 0, ["S1", 59, "IDF-HDF", "Contrôle sensible",
                           "Saisine directe de la Caf pivot", "Haute", "Traitée"])  # fmt: skip
    sheet.write_datetime(1, 7, datetime(2026, 1, 2), day)
    sheet.write_datetime(1, 8, datetime(2026, 1, 3), day)
    sheet.write_datetime(1, 9, datetime(2026, 1, 23), day)
    sheet.write_row(2, 0, ["S2", "2A", "mediterranee", "suivi_ida", "direct", "", "Reçue"])
    sheet.write_string(2, 7, "20/01/2026")
    book.close()
    prepared = prepare(path.name, path, EXTRACT_LIMITS, workdir=tmp_path)
    assert prepared.format == "xlsx"
    v = validate_extract("requests", prepared, tmp_path / "work")
    assert staged(v).rows() == [
        ("S1", "59", "idf_hdf", "controle_sensible", "direct", "haute", "done",
         date(2026, 1, 2), date(2026, 1, 3), date(2026, 1, 23)),
        ("S2", "2A", "mediterranee", "suivi_ida", "direct", None, "received",
         date(2026, 1, 20), None, None),
    ]  # fmt: skip


def test_parquet_with_other_types_is_read_as_text(tmp_path):
    """A Parquet file whose columns are text, timestamps or floats: parsed like a CSV."""
    frame = TINY["staff"]().with_columns(
        pl.col("fte").cast(pl.String).str.replace(".", ",", literal=True),
        pl.col("start_on").cast(pl.Datetime),
        pl.col("is_vacant").cast(pl.String).replace({"true": "oui", "false": "non"}),
    )
    v = validate_extract("staff", parquet_file(frame, tmp_path), tmp_path / "work")
    assert_frame_equal(staged(v), TINY["staff"]())


# --- problems: each kind counted exactly, with its examples ------------------------


def test_every_kind_of_problem_counted_with_examples(tmp_path):
    good = ["A01", "controle_sensible", "idf_hdf", "59", "59", "eaje_psu", "", "", "done",
            "15/01/2026", "1", "oui", "0", "", "", "300", "ok"]  # fmt: skip
    header_index = {h: i for i, h in enumerate(ACTIVITY_HEADER)}

    def row(activity_id: str, **changes) -> list[str]:
        out = list(good)
        out[0] = activity_id
        for header, value in changes.items():
            out[header_index[header]] = value
        return out

    long_id = "X" * 101
    rows = [
        ACTIVITY_HEADER,
        row("A01"),  # line 2: fine
        row("A02", **{"Type d'activité": "inconnu"}),  # 3
        row("A03", **{"Pôle": ""}),  # 4
        row("A04", Date="31/02/2026"),  # 5
        row("A05", Date="01/01/99999999999999999999"),  # 6
        row("A06", Date="1999-12-31"),  # 7
        row("A07", **{"Jours passés": "abc"}),  # 8
        row("A08", **{"Jours passés": "1" + "0" * 400}),  # 9
        row("A09", **{"Jours passés": "-2"}),  # 10
        row("A10", Places="2,5"),  # 11
        row("A11", Constats="peut-être"),  # 12
        row("A01"),  # 13: repeats line 2
        row(
            "A13",
            Statut="Réalisée",
            Caf="1",
            **{"Type d'équipement": "Micro-crèche (Paje)", "Indus (EUR)": "1 234,5"},
        ),  # 14: fine
        row(long_id),  # 15
        row("A15", Caf="999"),  # 16
        row("A16", Date=""),  # 17
        row("A17", Places="3000000000"),  # 18
        row("A18", **{"Jours passés": "1e400"}),  # 19
        row("A19", Date="2024-13-01"),  # 20
        row("A01"),  # 21: repeats line 2 again
        row("A20", Statut="fini", **{"Pôle": "nulle part"}),  # 22
    ]
    v = validate_extract("activities", normalised_csv(rows, tmp_path), tmp_path / "work")
    assert not v.ok and v.staged is None and v.row_count == 21
    assert list(tmp_path.joinpath("work").iterdir()) == []  # nothing written, temp removed
    assert v.report.columns == ["Colonne", "Problème", "Lignes", "Exemples"]
    assert report_rows(v) == [
        ("Identifiant de l'activité", 1, f"ligne 15 : « {'X' * 40}… »"),
        ("Identifiant de l'activité", 2,
         "ligne 13 : « A01 » (déjà en ligne 2) ; ligne 21 : « A01 » (déjà en ligne 2)"),
        ("Type d'activité", 1, "ligne 3 : « inconnu »"),
        ("Pôle", 1, "ligne 4"),
        ("Pôle", 1, "ligne 22 : « nulle part »"),
        ("Caf", 1, "ligne 16 : « 999 »"),
        ("Statut", 1, "ligne 22 : « fini »"),
        ("Date", 1, "ligne 17"),
        ("Date", 2, "ligne 5 : « 31/02/2026 » ; ligne 20 : « 2024-13-01 »"),
        ("Date", 2, "ligne 6 : « 01/01/99999999999999999999 » ; ligne 7 : « 1999-12-31 »"),
        ("Jours passés", 1, "ligne 8 : « abc »"),
        ("Jours passés", 2, f"ligne 9 : « 1{'0' * 39}… » ; ligne 19 : « 1e400 »"),
        ("Jours passés", 1, "ligne 10 : « -2 »"),
        ("Constats", 1, "ligne 12 : « peut-être »"),
        ("Places", 1, "ligne 18 : « 3000000000 »"),
        ("Places", 1, "ligne 11 : « 2,5 »"),
    ]  # fmt: skip
    problems = v.report["Problème"].to_list()
    for i, expected in enumerate([
        "identifiant trop long", "identifiant en double", "type d'activité inconnu",
        "valeur obligatoire manquante", "pôle inconnu", "Caf inconnue", "statut inconnu",
        "valeur obligatoire manquante", "date illisible", "date hors de la période",
        "nombre illisible", "nombre hors limites", "nombre négatif", "oui ou non attendu",
        "nombre hors limites", "nombre entier attendu",
    ]):  # fmt: skip
        assert problems[i].startswith(expected), (i, problems[i])
    assert "controle_sensible" in problems[2]  # the allowed values are listed
    assert "done (Réalisée)" in problems[6]


def test_report_downloads_as_french_csv(tmp_path):
    rows = [["activity_id", "activity_kind", "pole_code", "status", "activity_on"],
            ["A1", "=cmd()", "idf_hdf", "done", "2026-01-01"]]  # fmt: skip
    v = validate_extract("activities", normalised_csv(rows, tmp_path), tmp_path / "work")
    data = table_to_csv(v.report)
    assert data.startswith("\ufeff".encode())
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0] == "Colonne;Problème;Lignes;Exemples"
    assert "activity_kind;" in text and ";1;ligne 2 : « =cmd() »" in text


@pytest.mark.parametrize(
    ("name", "column", "bad", "expected"),
    [
        ("requests", "priority", "urgente", "priorité inconnue"),
        ("requests", "routing", "courrier", "circuit inconnu"),
        ("requests", "status", "Réalisée", "statut de saisine inconnu"),  # not a request status
        ("requests", "closed_on", "2101-01-01", "date hors de la période"),
        ("projects", "lat", "95", "valeur hors de l'intervalle admis (-90 à 90)"),
        ("projects", "stage", "", "valeur obligatoire manquante"),
        ("projects", "places_decided_count", "-3", "nombre négatif"),
        ("partners", "head_office_dep_code", "20", "département inconnu"),
        ("partners", "partner_name", "", "valeur obligatoire manquante"),
        ("staff", "fte", "", "valeur obligatoire manquante"),
        ("staff", "is_vacant", "peut-être", "oui ou non attendu"),
        ("staff", "fte", "nan", "nombre illisible"),
        ("staff", "fte", "1.234,5", "nombre illisible"),
        ("staff", "start_on", "2026-02-30", "date illisible"),
        ("coverage", "coverage_global_pct", "240", "valeur hors de l'intervalle admis (0 à 200)"),
        ("coverage", "year", "1999", "année invalide"),
        ("coverage", "year", "2023,5", "nombre entier attendu"),
    ],
)
def test_bad_value_of_each_extract(name, column, bad, expected, tmp_path):
    """One bad cell in the second row of the tiny rows written as CSV: one report line,
    line 3, the value quoted."""
    frame = TINY[name]()
    text = frame.cast(pl.String).with_columns(
        pl.when(pl.int_range(pl.len()) == 1).then(pl.lit(bad)).otherwise(pl.col(column))
        .alias(column)
    )  # fmt: skip
    rows = [frame.columns, *[list(r) for r in text.rows()]]
    v = validate_extract(name, normalised_csv(rows, tmp_path), tmp_path / "work")
    assert not v.ok
    assert report_rows(v) == [(column, 1, "ligne 3" + (f" : « {bad} »" if bad else ""))]
    assert v.report["Problème"][0].startswith(expected), v.report["Problème"][0]


def test_duplicate_ids_of_every_extract(tmp_path):
    for name, key in [("requests", "request_id"), ("projects", "project_id"),
                      ("partners", "partner_id"), ("staff", "staff_id")]:  # fmt: skip
        frame = TINY[name]()
        doubled = pl.concat([frame, frame.head(2)])  # lines 2-3 repeated at the end
        v = validate_extract(name, parquet_file(doubled, tmp_path / name), tmp_path / "w")
        first, second = frame[key][0], frame[key][1]
        n = frame.height
        assert report_rows(v) == [
            (key, 2, f"ligne {n + 2} : « {first} » (déjà en ligne 2) ; "
                     f"ligne {n + 3} : « {second} » (déjà en ligne 3)")
        ], name  # fmt: skip


def test_coverage_duplicates_read_codes_as_the_same_departement(tmp_path):
    rows = [["Date référence", "Numéro Département", "Taux de couv global"],
            ["2023", "01", "50"], ["2023", "1", "51"], ["2024", "1", "52"],
            ["2023", "Ain", "53"]]  # fmt: skip
    v = validate_extract("coverage", normalised_csv(rows, tmp_path), tmp_path / "work")
    assert report_rows(v) == [
        ("Date référence + Numéro Département", 2,
         "ligne 3 : « 2023 / 01 » (déjà en ligne 2) ; ligne 5 : « 2023 / 01 » (déjà en ligne 2)")
    ]  # fmt: skip
    assert v.report["Problème"][0].startswith("couple année et département en double")


# --- headers and empty files ---------------------------------------------------------


def test_missing_required_columns_one_line(tmp_path):
    rows = [["Identifiant", "Statut", "Commentaire"], ["A1", "done", ""]]
    v = validate_extract("activities", normalised_csv(rows, tmp_path), tmp_path / "work")
    assert report_rows(v) == [("(en-tête)", 1, "ligne 1")]
    text = v.report["Problème"][0]
    assert text == (
        "colonne(s) obligatoire(s) absente(s) : « Type d'activité », « Pôle », « Date ». "
        "Colonnes trouvées : « Identifiant », « Statut », « Commentaire »."
    )


def test_unknown_or_doubled_columns_refuse_the_file(tmp_path):
    header = ["activity_id", "Nature", "Pôle", "Statut", "Date", "Date de clôture",
              "pole_code"]  # fmt: skip
    rows = [header, ["A1", "suivi_ida", "idf_hdf", "done", "2026-01-01", "", "idf_hdf"]]
    v = validate_extract("activities", normalised_csv(rows, tmp_path), tmp_path / "work")
    assert [r[0] for r in report_rows(v)] == ["(en-tête)", "(en-tête)"]
    unknown, doubled = v.report["Problème"].to_list()
    assert unknown.startswith("colonne(s) non reconnue(s) : « Date de clôture ».")
    assert "« Activités des pôles »" in unknown and "« Forfait déplacement (EUR) »" in unknown
    assert doubled == (
        "colonne en double : « Pôle » et « pole_code » désignent la même colonne (Pôle)."
    )


def test_header_only_and_blank_rows(tmp_path):
    header = ["activity_id", "activity_kind", "pole_code", "status", "activity_on"]
    v = validate_extract("activities", normalised_csv([header], tmp_path), tmp_path / "w")
    assert not v.ok and v.row_count == 0
    assert v.report["Problème"].to_list() == ["le fichier ne contient aucune ligne de données."]
    # Blank rows between data rows (kept by the reader for the line numbers): skipped.
    rows = [header, ["A1", "suivi_ida", "idf_hdf", "done", "2026-01-01"], [""] * 5,
            ["A2", "suivi_ida", "idf_hdf", "done", "2026-01-32"]]  # fmt: skip
    v = validate_extract("activities", normalised_csv(rows, tmp_path), tmp_path / "w")
    assert v.row_count == 2
    assert report_rows(v) == [("activity_on", 1, "ligne 4 : « 2026-01-32 »")]
    rows[3][4] = "2026-01-31"
    v = validate_extract("activities", normalised_csv(rows, tmp_path), tmp_path / "w")
    assert staged(v)["activity_id"].to_list() == ["A1", "A2"]


def test_unknown_extract_and_unreadable_file(tmp_path):
    v = validate_extract("nothing", normalised_csv([["a"], ["1"]], tmp_path), tmp_path)
    assert not v.ok and "extraction inconnue" in v.report["Problème"][0]
    # A CSV whose rows do not match the declared header: refused, no exception.
    path = tmp_path / "bad.csv"
    path.write_text('activity_id,activity_kind,pole_code,status,activity_on\nA1,"x\n')
    prepared = Prepared("csv", ["activity_id", "activity_kind", "pole_code", "status",
                                "activity_on"], 1, path, temporary=False)  # fmt: skip
    v = validate_extract("activities", prepared, tmp_path / "work")
    assert report_rows(v) == [("(fichier)", 0, "")]
    assert "n'a pas pu être lu" in v.report["Problème"][0]
    assert list((tmp_path / "work").iterdir()) == []


def test_line_longer_than_the_csv_buffer(tmp_path):
    header = ["activity_id", "activity_kind", "pole_code", "status", "activity_on", "comment"]
    rows = [header, ["A1", "suivi_ida", "idf_hdf", "done", "2026-01-01", ""],
            ["A2", "suivi_ida", "idf_hdf", "done", "2026-01-01", "x" * (9 << 20)]]  # fmt: skip
    v = validate_extract("activities", normalised_csv(rows, tmp_path), tmp_path / "work")
    assert v.report["Problème"].to_list() == [
        "la ligne 3 dépasse 8 Mo : le fichier ne peut pas être vérifié."
    ]


def test_timeout_and_memory_refusals(tmp_path, monkeypatch):
    def slow(con, *args):
        con.execute("select sum(a) from range(1000000000000) as t(a)")

    monkeypatch.setattr(validate, "TIMEOUT_S", 0.3)
    monkeypatch.setattr(validate, "_validate", slow)
    prepared = normalised_csv([["a"], ["1"]], tmp_path)
    v = validate_extract("activities", prepared, tmp_path / "work")
    assert v.report["Problème"].to_list() == [
        "la vérification a dépassé 0.005 minutes : fichier trop lourd."
    ]

    def greedy(con, *args):
        raise duckdb.OutOfMemoryException("no")

    monkeypatch.setattr(validate, "_validate", greedy)
    v = validate_extract("activities", prepared, tmp_path / "work")
    assert "mémoire" in v.report["Problème"][0]
    assert list((tmp_path / "work").iterdir()) == []


# --- the real data.caf.fr file ---------------------------------------------------------


def test_real_coverage_file(shared_reference, tmp_path):
    prepared = prepare("txcouv_pe_dep.csv", shared_reference / "txcouv_pe_dep.csv",
                       EXTRACT_LIMITS, workdir=tmp_path)  # fmt: skip
    v = validate_extract("coverage", prepared, tmp_path / "work")
    prepared.cleanup()
    frame = staged(v)
    # 102 rows a year x 2 years; 977 and 978 set aside each year: 200 rows kept.
    assert (v.row_count, v.kept_count, frame.height, v.years) == (204, 200, 200, [2022, 2023])
    assert len(v.notes) == 2
    assert v.notes[0].startswith("2 ligne(s) du département 977 (Saint-Barthélemy")
    assert v.notes[1].startswith("2 ligne(s) du département 978 (Saint-Martin")
    # Read by eye in the file.
    paris = frame.filter((pl.col("year") == 2023) & (pl.col("dep_code") == "75")).row(0, named=True)
    assert paris["coverage_global_pct"] == 74.4
    assert paris["coverage_eaje_psu_pct"] == 51.6
    assert paris["coverage_home_care_pct"] == 13.0
    assert frame.filter((pl.col("year") == 2023) & (pl.col("dep_code") == "2A"))[
        "coverage_eaje_pct"
    ].to_list() == [26.3]
    assert frame.filter(pl.col("dep_code") == "976").is_empty()


def test_line_numbers_follow_the_file_on_many_rows(tmp_path):
    """Line numbers come from the storage order: checked on enough rows for DuckDB to
    work in several chunks and under its memory limit."""
    rows = 300_000
    path = tmp_path / "activities.csv"
    _generate(path, rows, 997)
    prepared = Prepared("csv", ACTIVITY_HEADER, rows, path, temporary=False)
    v = validate_extract("activities", prepared, tmp_path / "work")
    bad = range(0, rows, 997)
    assert report_rows(v) == [
        ("Date", len(bad), " ; ".join(f"ligne {i + 2} : « 31/02/2025 »" for i in bad[:5]))
    ]
    _generate(path, rows, None)
    v = validate_extract("activities", prepared, tmp_path / "work")
    assert staged(v)["activity_id"].to_list() == [f"A{i:09d}" for i in range(rows)]


# --- 3 million rows: time and peak memory ------------------------------------------------

BENCH = r"""
import json, sys, time
from pathlib import Path
from sppe_data.imports.reading import EXTRACT_LIMITS, Prepared, prepare
from sppe_data.imports.validate import validate_extract
path, header, work = Path(sys.argv[1]), json.loads(sys.argv[2]), Path(sys.argv[4])
rows = int(sys.argv[3])
started = time.perf_counter()
if path.suffix == ".parquet":  # the reader checks the file's metadata first
    prepared = prepare(path.name, path, EXTRACT_LIMITS)
else:  # the normalised CSV the reader writes
    prepared = Prepared("csv", header, rows, path, temporary=False)
v = validate_extract("activities", prepared, work)
seconds = time.perf_counter() - started
status = Path("/proc/self/status").read_text()
hwm = int(status.split("VmHWM:")[1].split()[0]) // 1024
print(json.dumps({"ok": v.ok, "rows": v.row_count, "kept": v.kept_count, "seconds": seconds,
                  "peak_mb": hwm, "report": v.report.rows()}))
"""


def _generate(path: Path, rows: int, bad_every: int | None) -> None:
    """A normalised activities CSV, written as it goes (never held in memory)."""
    kinds = ["controle_sensible", "Contrôle sensible", "suivi_ida", "audit_terrain"]
    poles = ["idf_hdf", "centre_est", "Méditerranée", "atlantique", "centre_ouest"]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(ACTIVITY_HEADER)
        for i in range(rows):
            day = f"{i % 28 + 1:02d}/{i % 12 + 1:02d}/{2024 + i % 3}"
            if bad_every and i % bad_every == 0:
                day = "31/02/2025"
            writer.writerow([
                f"A{i:09d}", kinds[i % 4], poles[i % 5], "59", "59", "eaje_psu", "", "",
                "Réalisée" if i % 2 else "done", day, "1,5", "oui" if i % 3 else "",
                "1 234,5", "", str(i % 40) if i % 7 == 0 else "", "300",
                "commentaire, avec virgule" if i % 10 == 0 else "",
            ])  # fmt: skip


@pytest.mark.skipif(not os.environ.get("SPPE_BENCH_VALIDATE"), reason="SPPE_BENCH_VALIDATE")
@pytest.mark.parametrize(("fmt", "bad_every"), [("csv", None), ("csv", 1000), ("parquet", None)])
def test_three_million_rows_in_bounded_memory(tmp_path, fmt, bad_every):
    rows = int(os.environ.get("SPPE_BENCH_ROWS", "3000000"))
    path = tmp_path / "activities.csv"
    _generate(path, rows, bad_every)
    if fmt == "parquet":  # the same rows as a Parquet file of text columns
        csv_path, path = path, tmp_path / "activities.parquet"
        duckdb.sql(
            f"copy (select * from read_csv('{csv_path}', all_varchar = true)) to '{path}' "
            "(format parquet, compression zstd)"
        )
        csv_path.unlink()
    done = subprocess.run(
        [sys.executable, "-c", BENCH, str(path), json.dumps(ACTIVITY_HEADER), str(rows),
         str(tmp_path / "work")],
        capture_output=True, text=True, cwd=ROOT, timeout=1800, check=True,
    )  # fmt: skip
    result = json.loads(done.stdout.strip().splitlines()[-1])
    size_mb = path.stat().st_size / 1e6
    print(f"\n{fmt}, {rows} rows ({size_mb:.0f} MB), errors every {bad_every}: "
          f"{result['seconds']:.1f} s, peak {result['peak_mb']} MB")  # fmt: skip
    assert result["rows"] == rows
    if bad_every is None:
        assert result["ok"] and result["kept"] == rows
    else:
        assert not result["ok"]
        assert result["report"] == [
            ["Date", "date illisible (attendu JJ/MM/AAAA ou AAAA-MM-JJ)",
             len(range(0, rows, bad_every)),
             " ; ".join(f"ligne {i + 2} : « 31/02/2025 »" for i in range(0, 5000, 1000))]
        ]  # fmt: skip
    assert result["peak_mb"] < 300


def test_report_is_french_and_empty_when_ok(tmp_path):
    v = validate_extract("partners", parquet_file(TINY["partners"](), tmp_path), tmp_path / "w")
    assert v.ok and v.report.height == 0
    assert v.report.schema == pl.Schema(
        {"Colonne": pl.String, "Problème": pl.String, "Lignes": pl.Int64, "Exemples": pl.String}
    )
    assert v.years == [] and v.notes == []
