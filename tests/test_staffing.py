"""The staffing plan by pôle and job (reference/staffing_plan.csv) against the letter,
the plan against the positions held and the activity per FTE on the tiny data set
(tests/tiny.py), the page Ressources for the cnaf and a pôle, and its typed downloads.
Every expected figure is worked out by hand from the letter or from tests/tiny.py."""

from __future__ import annotations

import csv
import io
from datetime import date

import openpyxl
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from charts import staffing as tables
from exports.tables import table_to_csv, table_to_xlsx
from sppe_data import reference, steering

APP = "../app.py"
Y2024, Y2025, Y2026 = (steering.year_period(y) for y in (2024, 2025, 2026))

# -- the plan against the letter -------------------------------------------------------

# « La mission SPPE mobilisera : - 11.5 etp aujourd'hui mobilisés au titre du SNA,
#   - 10.5 etp supplémentaires au titre de la maîtrise des risques, - 17.5 créations
#   d'emplois au titre de l'ingénierie. Ces 39.5 ressources seront réparties dans 5 Caf
#   pivots »
LETTER_TOTAL_FTE = 39.5
LETTER_FUNDING_LINES = {"sna": 11.5, "maitrise_risques": 10.5, "ingenierie": 17.5}
LETTER_POLES = 5
# « Chaque Caf mobilisera entre 7 à 9 collaborateurs autour de 4 emplois » : coordinateur,
# contrôleurs nationaux spécialisés AS, experts en ingénierie sociale, un analyste.
LETTER_PEOPLE = (7, 9)
LETTER_JOBS = {"coordinateur", "controleur_as", "expert_ingenierie", "analyste"}
# « Parmi ces Caf pivots, seront mobilisées les Caf anciennement en charge du SNA :
#   Dijon, Chaumont, Nîmes. » (Dijon and Chaumont: Centre-Est; Nîmes: Méditerranée)
FORMER_SNA_POLES = {"centre_est", "mediterranee"}


def test_plan_totals_match_the_letter():
    plan = steering.staffing_plan_rows()
    assert plan["planned_fte"].sum() == pytest.approx(LETTER_TOTAL_FTE)
    by_line = dict(plan.group_by("funding_line").agg(pl.col("planned_fte").sum()).rows())
    assert by_line == pytest.approx(LETTER_FUNDING_LINES)
    assert set(plan["pole_code"]) == set(reference.poles()["pole_code"])
    assert plan["pole_code"].n_unique() == LETTER_POLES
    assert plan.select("pole_code", "job").is_duplicated().sum() == 0
    for pole, group in plan.group_by("pole_code"):
        assert set(group["job"]) == LETTER_JOBS, pole
        people = group["planned_people_count"].sum()
        assert LETTER_PEOPLE[0] <= people <= LETTER_PEOPLE[1], pole
    # One person is at most one FTE, and every job of the plan has someone.
    assert (plan["planned_fte"] <= plan["planned_people_count"]).all()
    assert (plan["planned_fte"] > 0).all() and (plan["planned_people_count"] >= 1).all()
    sna_poles = set(plan.filter(pl.col("funding_line") == "sna")["pole_code"])
    assert sna_poles == FORMER_SNA_POLES
    # The codes are those the staff extract and the labels use.
    assert set(steering.rules()["labels"]["jobs"]) == LETTER_JOBS
    assert set(LETTER_FUNDING_LINES) == set(steering.rules()["labels"]["funding_lines"])


def test_plan_agrees_with_the_steering_rules():
    """steering.toml still states the plan's total and lines: both must say the same."""
    rules = steering.staffing_plan()
    assert rules["total_fte"] == pytest.approx(LETTER_TOTAL_FTE)
    assert rules["funding_lines"] == pytest.approx(LETTER_FUNDING_LINES)
    assert (rules["people_per_pole_min"], rules["people_per_pole_max"]) == LETTER_PEOPLE


# -- the plan against the positions held (tiny data set) -------------------------------


def cell(frame: pl.DataFrame, pole: str, job: str) -> dict:
    [row] = frame.filter((pl.col("pole_code") == pole) & (pl.col("job") == job)).rows(named=True)
    return row


def held(row: dict) -> tuple:
    return row["planned_fte"], row["positions_fte"], row["held_fte"], row["gap_fte"]


def test_pole_job_2026(tiny_data):
    grid = steering.staffing_by_pole_job(Y2026)
    # Five pôles x four jobs of the plan; no position outside the plan.
    assert grid.height == 20
    assert grid["pole_code"].unique(maintain_order=True).to_list() == [
        "idf_hdf", "centre_est", "mediterranee", "atlantique", "centre_ouest",
    ]  # fmt: skip
    assert grid["job"].to_list()[:4] == [
        "coordinateur", "controleur_as", "expert_ingenierie", "analyste",
    ]  # fmt: skip
    # Held at 31/01/2026 (today, the year is not over). IDF-HDF: E1 coordinator 1.0,
    # E2 controller 1.0, E3 expert 0.5 in post; E4 analyst 1.0 vacant.
    assert held(cell(grid, "idf_hdf", "coordinateur")) == (1.0, 1.0, 1.0, 0.0)
    assert held(cell(grid, "idf_hdf", "controleur_as")) == (2.5, 1.0, 1.0, -1.5)
    assert held(cell(grid, "idf_hdf", "expert_ingenierie")) == (3.5, 0.5, 0.5, -3.0)
    assert held(cell(grid, "idf_hdf", "analyste")) == (1.0, 1.0, 0.0, -1.0)
    assert cell(grid, "idf_hdf", "controleur_as")["planned_people_count"] == 3
    assert cell(grid, "idf_hdf", "controleur_as")["held_people_count"] == 1
    assert cell(grid, "idf_hdf", "analyste")["held_people_count"] == 0
    # Méditerranée: E5 coordinator in post; E6 expert starts 01/03/2026, not yet held.
    assert held(cell(grid, "mediterranee", "coordinateur")) == (1.0, 1.0, 1.0, 0.0)
    assert held(cell(grid, "mediterranee", "expert_ingenierie")) == (3.0, 1.0, 0.0, -3.0)
    # Centre-Ouest has nobody: the whole plan is missing.
    assert held(cell(grid, "centre_ouest", "controleur_as")) == (3.0, 0.0, 0.0, -3.0)
    # The plan's line of each cell, not the position's (E1 is paid by the SNA line).
    assert cell(grid, "idf_hdf", "coordinateur")["funding_line"] == "ingenierie"
    # Totals: 39.5 planned, 1 + 1 + 0.5 + 1 = 3.5 held, gap -36.
    assert grid["planned_fte"].sum() == pytest.approx(39.5)
    assert grid["held_fte"].sum() == pytest.approx(3.5)
    assert grid["gap_fte"].sum() == pytest.approx(-36.0)


def test_pole_job_held_at_the_end_of_a_past_year(tiny_data):
    # 31/12/2024: E1 (01/05/2024) and E2 (01/09/2024) in post, E3 (01/02/2025) not yet.
    grid = steering.staffing_by_pole_job(Y2024)
    assert held(cell(grid, "idf_hdf", "expert_ingenierie")) == (3.5, 0.5, 0.0, -3.5)
    assert held(cell(grid, "idf_hdf", "controleur_as")) == (2.5, 1.0, 1.0, -1.5)
    assert grid["held_fte"].sum() == pytest.approx(3.0)  # E1, E2, E5


def test_a_job_held_outside_the_plan_is_shown(tiny_data, monkeypatch):
    plan = steering.staffing_plan_rows()
    without = plan.filter(~((pl.col("pole_code") == "idf_hdf") & (pl.col("job") == "coordinateur")))
    monkeypatch.setattr(steering, "staffing_plan_rows", lambda: without)
    grid = steering.staffing_by_pole_job(Y2026)
    assert grid.height == 20  # 19 cells of the plan + E1's
    row = cell(grid, "idf_hdf", "coordinateur")
    assert held(row) == (0.0, 1.0, 1.0, 1.0)
    assert (row["planned_people_count"], row["funding_line"]) == (0, None)
    assert row["pole_short_label"] == "IDF-HDF"


def test_activity_per_fte_2026(tiny_data):
    per_pole = steering.staffing_activity_per_fte(Y2026)
    got = {r["pole_code"]: r for r in per_pole.iter_rows(named=True)}
    assert list(got) == ["idf_hdf", "centre_est", "mediterranee", "atlantique", "centre_ouest"]
    # IDF-HDF: A01, A02 done by 31/01 (A03 after today, A04 cancelled) over 2.5 FTE.
    assert (got["idf_hdf"]["done_count"], got["idf_hdf"]["held_fte"]) == (2, 2.5)
    assert got["idf_hdf"]["done_per_fte"] == pytest.approx(0.8)
    # Méditerranée: A07, A09, A13, A14 over E5's 1.0 FTE.
    assert got["mediterranee"]["done_per_fte"] == pytest.approx(4.0)
    # Centre-Est: A06, A11, A12 done but nobody in post: no ratio, not a zero.
    assert (got["centre_est"]["done_count"], got["centre_est"]["done_per_fte"]) == (3, None)
    assert (got["centre_ouest"]["done_count"], got["centre_ouest"]["done_per_fte"]) == (0, None)
    assert got["centre_ouest"]["planned_fte"] == pytest.approx(7.5)


def test_activity_per_fte_2025(tiny_data):
    # Held at 31/12/2025: E1, E2, E3 (IDF-HDF, 2.5), E5 (Méditerranée, 1.0).
    got = {
        r["pole_code"]: r for r in steering.staffing_activity_per_fte(Y2025).iter_rows(named=True)
    }
    assert got["idf_hdf"]["done_per_fte"] == pytest.approx(2 / 2.5)  # B01, B02
    assert got["mediterranee"]["done_per_fte"] == pytest.approx(2.0)  # B03, B06
    assert (got["centre_est"]["done_count"], got["centre_est"]["done_per_fte"]) == (1, None)


# -- typed tables and their downloads ----------------------------------------------------


def test_tables_are_typed(tiny_data):
    grid = tables.pole_job(steering.staffing_by_pole_job(Y2026))
    assert grid.schema == pl.Schema(
        {
            "Pôle": pl.String,
            "Métier": pl.String,
            "Ligne de financement": pl.String,
            "Personnes prévues (plan)": pl.Int64,
            "ETP du plan": pl.Float64,
            "ETP prévus (postes)": pl.Float64,
            "Personnes en poste": pl.Int64,
            "ETP en poste": pl.Float64,
            "Écart au plan (ETP en poste)": pl.Float64,
        }
    )
    assert grid.row(1) == (
        "IDF-HDF", "Contrôleur national AS", "Maîtrise des risques", 3, 2.5, 1.0, 1, 1.0, -1.5,
    )  # fmt: skip
    per_fte = tables.activity_per_fte(steering.staffing_activity_per_fte(Y2026))
    assert per_fte["Activités par ETP"].to_list() == [0.8, None, 4.0, None, None]
    assert per_fte.schema["Activités réalisées"] == pl.Int64
    positions = tables.positions(steering.staff_positions("all"))
    assert positions.schema["Prise de poste"] == pl.Date
    assert positions.schema["ETP"] == pl.Float64
    assert positions.filter(pl.col("Prise de poste").is_null())["Situation"].to_list() == ["Vacant"]


def test_funding_lines_against_the_plan(tiny_data):
    check = tables.funding_lines(steering.staff_positions("all"), steering.staffing_plan_rows())
    rows = {r[0]: r[1:] for r in check.rows()}
    # Plan, positions (filled or not), in post at 31/01/2026, positions − plan.
    # SNA: E1 1.0. Risk control: E2 1.0 + E4 1.0 (vacant). Engineering: E3 0.5 + E5 1.0
    # + E6 1.0 (to come).
    assert rows["Ancien service national d'appui (SNA)"] == (11.5, 1.0, 1.0, -10.5)
    assert rows["Maîtrise des risques"] == (10.5, 2.0, 1.0, -8.5)
    assert rows["Ingénierie"] == (17.5, 2.5, 1.5, -15.0)
    assert rows["Total"] == (39.5, 5.5, 3.5, -34.0)
    assert list(rows)[-1] == "Total"


def test_downloads_keep_numbers_typed(tiny_data):
    grid = tables.pole_job(steering.staffing_by_pole_job(Y2026))
    rows = list(csv.reader(io.StringIO(table_to_csv(grid).decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:2] == ["Pôle", "Métier"]
    # IDF-HDF controllers: counts as integers, FTE with a decimal comma, a minus sign.
    assert rows[2] == [
        "IDF-HDF", "Contrôleur national AS", "Maîtrise des risques", "3", "2,5", "1,0", "1",
        "1,0", "-1,5",
    ]  # fmt: skip
    sheet = openpyxl.load_workbook(io.BytesIO(table_to_xlsx(grid))).active
    controllers = [c for c in sheet[3]]
    assert [c.value for c in controllers[3:]] == [3, 2.5, 1, 1, 1, -1.5]
    assert all(c.data_type == "n" for c in controllers[3:])
    positions = tables.positions(steering.staff_positions("all"))
    sheet = openpyxl.load_workbook(io.BytesIO(table_to_xlsx(positions))).active
    # Rows in the query's order (pôle, job code): E4 (analyst, vacant: no date), then E2
    # (controller, 01/09/2024).
    vacant, controller = sheet[2], sheet[3]
    assert (vacant[1].value, vacant[4].value) == ("Analyste financier ou juridique", None)
    assert controller[4].is_date and controller[4].value.date() == date(2024, 9, 1)
    assert (controller[3].value, controller[3].data_type) == (1, "n")


# -- the page ------------------------------------------------------------------------------


def run_page(role: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["demo_role"] = role
    at.session_state["demo_pole"] = "idf_hdf"
    at.session_state["annee"] = "2026"
    at.run()
    at.switch_page("app_pages/ressources.py")
    at.run()
    assert not at.exception, at.exception
    return at


def shown_table(at: AppTest, column: str) -> pl.DataFrame:
    [frame] = [f.value for f in at.dataframe if column in f.value.columns]
    return pl.from_pandas(frame)


def test_page_for_the_cnaf(tiny_data):
    at = run_page("cnaf")
    assert {m.label: m.value for m in at.metric}["ETP du plan"] == "39,5"
    grid = shown_table(at, "Écart au plan (ETP en poste)")
    assert grid.height == 20  # every pôle
    assert grid.schema["ETP du plan"] == pl.Float64 and grid["ETP du plan"].sum() == 39.5
    assert grid["Écart au plan (ETP en poste)"].sum() == pytest.approx(-36.0)
    per_fte = shown_table(at, "Activités par ETP")
    assert per_fte["Activités par ETP"].to_list()[0] == pytest.approx(0.8)
    keys = {e.proto.id for e in at.get("download_button")}
    for key in ("staff_jobs", "staff_productivity", "staff_plan", "staff_positions"):
        for kind in ("csv", "xlsx"):
            assert any(f"dl_{kind}_{key}" in k for k in keys), (key, kind)
    captions = " ".join(c.value for c in at.caption)
    assert "ETP en poste au 31/01/2026" in captions
    assert "39,5 ETP, dont 11,5 ancien service national d'appui (SNA), 10,5 maîtrise" in captions


def test_page_for_a_pole(tiny_data):
    at = run_page("pole")
    grid = shown_table(at, "Écart au plan (ETP en poste)")
    # The pôle's own rows (the filter starts on its pôle): IDF-HDF's four jobs.
    assert set(grid["Pôle"]) == {"IDF-HDF"} and grid.height == 4
    assert grid["ETP en poste"].to_list() == [1.0, 1.0, 0.5, 0.0]
    assert len(at.get("download_button")) == 0  # exports are the cnaf's
