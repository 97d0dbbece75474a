"""Tables flow typed to the screen and to the files: numbers stay numbers, dates stay
dates (no French text parsed back); each table's CSV (French Excel) and XLSX re-read
with typed columns; the formula guard holds; the deck writes the same figures in French.
Expected figures are worked out by hand from ``tests/tiny.py`` (today 31/01/2026)."""

from __future__ import annotations

import io
import re
from datetime import date, datetime

import openpyxl
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from charts import copil
from charts import steering_tables as tables
from charts.tables import monthly_detail, progress_detail, progress_matrix
from exports.tables import PERCENT_COLUMNS, table_to_csv, table_to_xlsx
from sppe_data import api, steering
from sppe_data.period import Period

# A cell of French figures in a text column: « 1 234 », « 12,5 % », « 600 € », « 3,0 j ».
FIGURE = re.compile(r"^[-+−]?\d[\d \u00a0\u202f]*(,\d+)?[ \u00a0\u202f]?(%|€|j)?$")
Y2025 = Period("year", 2025, 1)
Y2026 = Period("year", 2026, 1)


CODES = {"Siège (département)", "Identifiant", "Saisine"}  # codes, text on purpose


def no_figures_as_text(frame: pl.DataFrame) -> list[str]:
    """The text columns whose cells are all French figures (a number turned to text)."""
    bad = []
    for name, dtype in frame.schema.items():
        if name in CODES:
            continue
        values = (
            [v for v in frame[name].drop_nulls().to_list() if v != ""] if dtype == pl.String else []
        )
        if values and all(FIGURE.match(v.strip()) for v in values):
            bad.append(name)
    return bad


def csv_frame(table: pl.DataFrame) -> pl.DataFrame:
    """The CSV download read back as a French spreadsheet would: ``;``, decimal comma,
    dd/mm/yyyy dates."""
    data = table_to_csv(table)
    assert data.startswith(b"\xef\xbb\xbf")
    frame = pl.read_csv(
        io.BytesIO(data[3:]), separator=";", decimal_comma=True, infer_schema_length=None
    )
    day = re.compile(r"^\d{2}/\d{2}/\d{4}$")
    return frame.with_columns(
        pl.col(c).str.strptime(pl.Date, "%d/%m/%Y")
        for c in frame.columns
        if frame[c].dtype == pl.String
        and frame[c].drop_nulls().len()
        and all(day.match(v) for v in frame[c].drop_nulls())
    )


def xlsx_rows(table: pl.DataFrame) -> tuple[list[str], list[tuple]]:
    sheet = openpyxl.load_workbook(io.BytesIO(table_to_xlsx(table))).active
    rows = list(sheet.iter_rows(values_only=True))
    return list(rows[0]), rows[1:]


def assert_files_are_typed(table: pl.DataFrame) -> None:
    """Every numeric or date column of ``table`` re-reads from both files as numbers
    or dates, with the same values (a share column as a number of percent, under
    « … (%) »)."""
    back = csv_frame(table)
    header, rows = xlsx_rows(table)
    assert back.height == len(rows) == table.height
    for name, dtype in table.schema.items():
        if not (dtype.is_numeric() or dtype == pl.Date):
            continue
        share = name in PERCENT_COLUMNS and dtype.is_numeric()
        stored = f"{name} (%)" if share else name
        expected = [v * 100 if share and v is not None else v for v in table[name]]
        column = header.index(stored)
        cells = [r[column] for r in rows]
        if dtype == pl.Date:
            assert back.schema[stored] == pl.Date, (name, back.schema[stored])
            assert back[stored].to_list() == expected
            assert all(v is None or isinstance(v, datetime) for v in cells), name
            assert [None if v is None else v.date() for v in cells] == expected
            continue
        assert back.schema[stored].is_numeric() or back[stored].null_count() == back.height, (
            name, back.schema[stored],
        )  # fmt: skip
        assert back[stored].to_list() == pytest.approx(expected, nan_ok=True), name
        assert all(v is None or isinstance(v, int | float) for v in cells), (name, cells)
        assert cells == pytest.approx(expected), name


# -- the pôle matrix, by hand ----------------------------------------------------------


def test_progress_matrix_is_typed_and_right(tiny_data):
    progress = api.indicator_progress(2026)
    matrix = progress_matrix(progress)
    names = progress.sort("indicator_sort").unique("indicator_code", maintain_order=True)
    sensibles = names.filter(pl.col("indicator_code") == "controles_sensibles")["short_label"][0]
    ida = names.filter(pl.col("indicator_code") == "suivis_ida")["short_label"][0]
    assert matrix["Pôle"].to_list()[0] != "IDF-HDF"  # the mission first
    assert matrix.height == 6 and matrix.width == 1 + 6 * 3
    for name in (sensibles, ida):
        assert matrix.schema[f"{name} · Réalisé"] == pl.Int64
        assert matrix.schema[f"{name} · Cible annuelle"] == pl.Float64
        assert matrix.schema[f"{name} · Statut"] == pl.String

    def cell(pole: str, name: str) -> tuple:
        row = matrix.filter(pl.col("Pôle") == pole).row(0, named=True)
        return row[f"{name} · Statut"], row[f"{name} · Réalisé"], row[f"{name} · Cible annuelle"]

    mission = matrix["Pôle"][0]
    # IDF-HDF: A01 and A02, target 50 x 0.22 = 11, pace 2 / 0.93 > 95 %: on track.
    assert cell("IDF-HDF", sensibles) == ("✔ Dans la trajectoire", 2, 11.0)
    # Mission: A01, A02, A06 = 3 of an expected 50 x 31/365 = 4.25 (71 %): behind.
    assert cell(mission, sensibles) == ("✖ En retard", 3, 50.0)
    # Méditerranée suivis IDA: A07, A13, A14 = 3; target 40; 3 / 3.40 = 88 %: to watch.
    assert cell("Méditerranée", ida) == ("▲ À surveiller", 3, 40.0)
    # Centre-Ouest has no activity: 0, behind.
    assert cell("Centre-Ouest", sensibles)[:2] == ("✖ En retard", 0)
    assert no_figures_as_text(matrix) == []
    assert_files_are_typed(matrix)


def test_the_deck_writes_the_matrix_cells_in_french(tiny_data):
    from exports.deck import french_cells, matrix_cells

    progress = api.indicator_progress(2026)
    matrix = progress_matrix(progress)
    cells = matrix_cells(matrix)
    sensibles = progress.filter(pl.col("indicator_code") == "controles_sensibles")["short_label"][0]
    assert cells.columns == [
        "Pôle",
        *progress.sort("indicator_sort")["short_label"].unique(maintain_order=True),
    ]
    row = cells.filter(pl.col("Pôle") == "IDF-HDF").row(0, named=True)
    assert row[sensibles] == "✔ 2 / 11"
    gaps = copil.largest_gaps(steering.copil_semester(2026, 1))
    shown = french_cells(gaps)
    # Appui plans of Centre-Est: 250 x 0.24 x 31/365 = 5.10 expected, none done.
    assert shown.row(0, named=True)["Écart à l'attendu"] == "5,1"
    assert shown.row(0, named=True)["Réalisé"] == "0"
    assert set(shown.schema.values()) == {pl.String}


# -- every builder: typed columns, files re-read typed ---------------------------------


def built_tables() -> dict[str, pl.DataFrame]:
    progress = api.indicator_progress(2026)
    semester = steering.copil_semester(2026, 1)
    monthly = api.indicator_monthly(2026, "controles_sensibles", "all")
    breakdown = steering.activity_breakdown(Y2026, "all", "pole")
    outcomes = steering.control_outcomes(Y2025, "all")
    fees = steering.travel_fees(Y2025, "all")
    jan = date(2026, 1, 1)
    return {
        "progress_detail": progress_detail(progress),
        "progress_matrix": progress_matrix(progress),
        "monthly_detail": monthly_detail(monthly),
        "copil_matrix": copil.copil_matrix(semester),
        "copil_moves": copil.copil_moves(semester),
        "largest_gaps": copil.largest_gaps(semester),
        "breakdown_pivot": tables.breakdown_pivot(breakdown, "Pôle"),
        "monthly_by_pole": tables.monthly_by_pole_detail(
            steering.activity_monthly_by_pole(Y2026, ["controle_sensible"])
        ),
        "yoy": tables.yoy_detail(
            monthly, api.indicator_monthly(2025, "controles_sensibles", "all"), 2026
        ),
        "ops_activity": tables.ops_activity(
            steering.ops_month_activity(jan, "maitrise_risques", "all")
        ),
        "late_items": tables.late_items(steering.ops_late_items(jan, "maitrise_risques", "all")),
        "control_outcomes": tables.control_outcomes(
            outcomes.filter(pl.col("breakdown") == "pole"), "Pôle"
        ),
        "partners": tables.partners(steering.partner_controls("all")),
        "fees_caf": tables.travel_fees_by_caf(fees),
        "fees_month": tables.travel_fees_by_month(fees),
    }


def test_every_table_is_typed_and_its_files_re_read_typed(tiny_data):
    built = built_tables()
    for name, table in built.items():
        assert not table.is_empty(), name
        assert no_figures_as_text(table) == [], name
        assert_files_are_typed(table)
    # Hand-checked figures of the tiny data.
    pivot = built["breakdown_pivot"]
    assert pivot.schema["Total"] == pl.Int64
    sensibles = pivot.filter(pl.col("Type d'activité").str.contains("(?i)sensible"))
    assert sensibles["Total"].to_list() == [3]  # A01, A02, A06 in 2026 up to today
    outcomes = built["control_outcomes"]
    med = outcomes.filter(pl.col("Pôle") == "Méditerranée").row(0, named=True)
    # 2025 Méditerranée: B03 multi-dep control, findings, 2 500 € detected and recovered.
    assert (med["Contrôles réalisés"], med["Indus détectés"], med["Taux de recouvrement"]) == (
        1, 2500.0, 1.0,
    )  # fmt: skip
    assert built["fees_caf"].row(0) == ("Caf du Nord", "IDF-HDF", 2, 600.0)  # B01, B02
    assert built["fees_month"]["Mois"].to_list() == [
        date(2025, 6, 1), date(2025, 11, 1), date(2025, 12, 1),
    ]  # fmt: skip
    moves = built["copil_moves"]
    assert moves.schema["Évolution"] == pl.Int64
    assert (moves["Semestre"] - moves["Semestre précédent"]).to_list() == moves[
        "Évolution"
    ].to_list()
    detail = built["progress_detail"]
    idf = detail.filter(
        (pl.col("Pôle").str.contains("le-de-France|IDF")) & (pl.col("Réalisé") == 2)
    ).row(0, named=True)
    assert idf["Atteint"] == pytest.approx(0.182)  # 2 / 11
    assert idf["Prévision fin de période"] == 24  # 2 x 365 / 31 = 23.5


def test_the_share_and_amount_columns_of_the_files(tiny_data):
    outcomes = steering.control_outcomes(Y2025, "all")
    table = tables.control_outcomes(outcomes.filter(pl.col("breakdown") == "pole"), "Pôle")
    header, rows = xlsx_rows(table)
    assert "Taux de recouvrement (%)" in header and "Taux de recouvrement" not in header
    med = next(r for r in rows if r[0] == "Méditerranée")
    assert med[header.index("Taux de recouvrement (%)")] == 100
    assert med[header.index("Indus détectés")] == 2500
    sheet = openpyxl.load_workbook(io.BytesIO(table_to_xlsx(table))).active
    euro = sheet.cell(row=2, column=header.index("Indus détectés") + 1).number_format
    assert "€" in euro
    text = table_to_csv(table).decode("utf-8-sig")
    assert "Méditerranée;1;" in text and ";2500,0;" in text


def test_the_formula_guard_holds_for_typed_tables():
    table = pl.DataFrame(
        {
            "Commentaire": ["=1+1", "@SUM(A1)", "+33 1", "ok"],
            "Écart": [-2, 3, -1, 0],
            "Le": [date(2026, 3, 5)] * 4,
            "Département": ["01", "2A", "59", "974"],
        }
    )
    text = table_to_csv(table).decode("utf-8-sig")
    assert "'=1+1" in text and "'@SUM(A1)" in text and "'+33 1" in text
    assert ";-2;" in text  # a negative figure stays a figure
    _, rows = xlsx_rows(table)
    assert [r[0] for r in rows] == ["'=1+1", "'@SUM(A1)", "'+33 1", "ok"]
    assert [r[1] for r in rows] == [-2, 3, -1, 0]
    # A typed table's text stays text: département codes keep their leading zero.
    assert [r[3] for r in rows] == ["01", "2A", "59", "974"]
    assert "\r\n=1+1" not in text and ";01\r\n" in text
    assert_files_are_typed(table)


def test_french_display_formats_follow_the_column_types():
    from ui.steering import column_formats

    table = pl.DataFrame(
        {
            "Mois": [date(2026, 1, 1)],
            "Le": [date(2026, 1, 5)],
            "Réalisé": [3],
            "Cible": [12.5],
            "Indus détectés": [10.0],
            "Atteint": [0.25],
            "Année": [2026],
            "Pôle": ["IDF-HDF"],
        }
    )
    formats = column_formats(table)
    assert formats["Mois"]["type_config"]["format"] == "MM/YYYY"
    assert formats["Le"]["type_config"]["format"] == "DD/MM/YYYY"
    assert formats["Réalisé"]["type_config"]["format"] == "localized"
    assert formats["Cible"]["type_config"]["format"] == "localized"
    assert formats["Indus détectés"]["type_config"]["format"] == "euro"
    assert formats["Atteint"]["type_config"]["format"] == "percent"
    assert formats["Année"]["type_config"]["format"] == "plain"
    assert "Pôle" not in formats


# -- the pages show the typed frames ---------------------------------------------------

PAGES = [
    "app_pages/synthese.py",
    "app_pages/copil.py",
    "app_pages/indicateurs.py",
    "app_pages/controles.py",
    "app_pages/comite_operationnel.py",
]


@pytest.mark.parametrize("page", PAGES)
def test_the_pages_show_typed_tables_that_download_typed(tiny_data, page):
    at = AppTest.from_file("../app.py", default_timeout=60)
    at.session_state["demo_role"] = "cnaf"
    at.session_state["annee"] = "2026"
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    shown = [pl.from_pandas(frame.value) for frame in at.dataframe]
    assert shown
    for frame in shown:
        assert no_figures_as_text(frame) == [], (page, frame.columns)
        assert_files_are_typed(frame)


# -- the audit journal and an unknown address, in French --------------------------------


def test_audit_changes_name_the_fields_in_french():
    import json

    from charts.tables import audit_changes

    log = pl.DataFrame(
        {
            "audit_id": [2, 1],
            "entity": ["activite", "orientation"],
            "entity_id": ["JA1", "OR1"],
            "action": ["modification", "creation"],
            "actor": ["alice", "bob"],
            "actor_role": ["pole", "cnaf"],
            "changed_at": [datetime(2026, 1, 15, 10, 0), datetime(2026, 1, 14, 9, 30)],
            "before_json": ['{"activity_on": "2026-01-14", "days_spent": 1.0}', None],
            "after_json": [
                '{"activity_on": "2026-01-15", "days_spent": 2.5, "inconnu": null}',
                '{"year": 2026, "title": "=1+1"}',
            ],
        }
    )
    shown = audit_changes(log)
    assert shown.columns == [
        "Date (UTC)", "Auteur", "Rôle", "Action", "Objet", "N°", "Avant", "Après",
    ]  # fmt: skip
    assert shown.schema["Date (UTC)"] == pl.Datetime("us")
    assert shown["Action"].to_list() == ["Modification", "Création"]
    assert json.loads(shown["Avant"][0]) == {"Date": "2026-01-14", "Jours passés": 1.0}
    assert json.loads(shown["Après"][0]) == {"Date": "2026-01-15", "Jours passés": 2.5,
                                             "inconnu": None}  # fmt: skip
    assert shown["Avant"][1] is None
    assert json.loads(shown["Après"][1]) == {"Année": 2026, "Orientation": "=1+1"}


def unknown_address_app() -> None:
    """The router's fallback at the address « /nulle-part » (as a browser would ask)."""
    import streamlit as st
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    from ui import navigation

    get_script_run_ctx().pages_manager.set_script_intent("", "nulle-part")
    home = st.Page(lambda: st.title("Accueil"), title="Accueil", default=True)
    missing = navigation.unknown_page([home])
    st.navigation([home, missing]).run()


def known_address_app() -> None:
    import streamlit as st
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    from ui import navigation

    get_script_run_ctx().pages_manager.set_script_intent("", "copil")
    home = st.Page(lambda: st.title("Accueil"), title="Accueil", default=True)
    copil = st.Page(lambda: st.title("COPIL"), title="COPIL", url_path="copil")
    assert navigation.unknown_page([home, copil]) is None
    st.navigation([home, copil]).run()


def test_an_unknown_address_gets_a_french_page():
    at = AppTest.from_function(unknown_address_app, default_timeout=30).run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["Page introuvable"]
    assert "aucune page" in at.warning[0].value
    at = AppTest.from_function(known_address_app, default_timeout=30).run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["COPIL"]
