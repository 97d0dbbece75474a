"""Ressources: FTE by pôle and job against the letter's plan, vacancies, start dates,
activity per FTE."""

import polars as pl
import streamlit as st

from charts import steering as charts
from charts import steering_tables as tables
from sppe_data import api, fmt, steering
from ui import availability, cache
from ui import components as ui
from ui.filters import current
from ui.steering import table

filters = current()
info = api.data_info()
st.title("Ressources des pôles")
ui.show_problems(info)
# Every figure but the letter's plan comes from the staff; the activity per FTE and the
# chart by pôle read the activities too (each said unavailable on its own).
availability.stop_if_unavailable(cache.staff_positions)
plan = steering.staffing_plan()
period = steering.year_period(filters.year)
staff = cache.staff_by_pole(period)
positions = cache.staff_positions("all")


def fte(state: str | None = None) -> str:
    """FTE of the positions (all, or those in one state), from the staff alone."""
    rows = positions if state is None else positions.filter(pl.col("state") == state)
    return fmt.smart(rows["fte"].sum() or 0)


m1, m2, m3, m4 = st.columns(4)
m1.metric("ETP du plan", fmt.smart(plan["total_fte"]))
m2.metric("ETP prévus (postes)", fte())
m3.metric("ETP en poste", fte("in_post"))
m4.metric("ETP vacants", fte("vacant"))
st.caption(
    f"Plan de la lettre : {fmt.smart(plan['total_fte'])} ETP, dont "
    + ", ".join(
        f"{fmt.smart(v)} {steering.label('funding_lines', k).lower()}"
        for k, v in plan["funding_lines"].items()
    )
    + f" ; {plan['people_per_pole_min']} à {plan['people_per_pole_max']} personnes par Caf pivot. "
    + ui.provenance(info, f"tous les pôles, au {fmt.day(info.today)}", "effectifs")
)

st.subheader("Postes et ETP par pôle")
if not availability.blocked(cache.staff_by_pole):
    ui.chart_box(
        charts.stacked_bars(
            staff["pole_short_label"].to_list(),
            {
                "ETP en poste": staff["fte_in_post"].to_list(),
                "ETP à venir": staff["fte_to_come"].to_list(),
                "ETP vacants": staff["fte_vacant"].to_list(),
            },
            "ETP par pôle : en poste, à venir, vacants",
            f"au {fmt.day(info.today)}",
            "ETP",
            colours=["#0072B2", "#56B4E9", "#D55E00"],
        ),
        tables.staff_by_pole(staff, plan["people_per_pole_min"], plan["people_per_pole_max"]),
        ui.provenance(
            info,
            f"tous les pôles, activités de l'{period.label}",
            "effectifs et activités réalisées",
        ),
        key="staff_poles",
    )

st.subheader("ETP par pôle et par métier")
table(
    tables.fte_by_pole_and_job(positions), "staff_jobs", "Aucun poste enregistré.",
    title="ETP par pôle et par métier",
)  # fmt: skip
st.caption("Chaque case : ETP en poste / ETP des postes (pourvus ou non).")
st.page_link("app_pages/glossaire.py", label="Définitions (glossaire)", icon=":material/menu_book:")

st.subheader("Écart au plan par ligne de financement")
table(
    tables.staffing_plan_check(positions, plan), "staff_plan", "Aucun poste enregistré.",
    title="Écart au plan par ligne de financement",
)  # fmt: skip

st.subheader("Activité par ETP")
if not availability.blocked(cache.staff_by_pole):
    ui.chart_box(
        charts.grouped_bars(
            staff["pole_short_label"].to_list(),
            {"Activités par ETP": [v or 0.0 for v in staff["done_per_fte"].to_list()]},
            "Activités réalisées par ETP en poste",
            f"{period.label} (jusqu'au {fmt.day(min(period.end, info.today))})",
            "Activités par ETP",
        ),
        tables.staff_by_pole(staff, plan["people_per_pole_min"], plan["people_per_pole_max"]),
        "ETP en poste à la date du jour. "
        + ui.provenance(
            info, f"tous les pôles, {period.label}", "effectifs et activités réalisées"
        ),
        key="staff_productivity",
    )

st.subheader("Postes et dates de prise de poste")
shown = (
    positions
    if filters.pole_code == "all"
    else positions.filter(pl.col("pole_code") == filters.pole_code)
)
table(
    tables.staff_positions(shown), "staff_positions", "Aucun poste enregistré pour ce pôle.",
    title=f"Postes, {filters.pole_label}",
)  # fmt: skip
st.caption(ui.provenance(info, filters.pole_label, "effectifs"))
