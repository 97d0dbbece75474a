"""Ressources: FTE by pôle and job against the letter's plan, vacancies, start dates,
activity per FTE."""

import polars as pl
import streamlit as st

from charts import staffing as tables
from sppe_data import api, fmt, steering
from ui import availability, cache
from ui import components as ui
from ui.filters import current
from ui.steering import DAY, table

# Typed columns shown in French (« localized » follows the browser's language: 1 234,5).
NUMBER = st.column_config.NumberColumn(format="localized")
COLUMNS = {
    name: NUMBER
    for name in (
        "Personnes prévues (plan)", "ETP du plan", "ETP prévus (postes)", "Personnes en poste",
        "ETP en poste", "Écart au plan (ETP en poste)", "Écart au plan (postes)", "Postes",
        "ETP vacants", "ETP à venir", "Activités réalisées", "Activités par ETP", "ETP",
    )
}  # fmt: skip
COLUMNS["Prise de poste"] = st.column_config.DateColumn(format=DAY)

filters = current()
info = api.data_info()
st.title("Ressources des pôles")
ui.show_problems(info)
# Every figure but the letter's plan comes from the staff; the activity per FTE and the
# chart by pôle read the activities too (each said unavailable on its own).
availability.stop_if_unavailable(cache.staff_positions)
plan = steering.staffing_plan()
plan_rows = steering.staffing_plan_rows()
period = steering.year_period(filters.year)
held_on = steering.staffing_held_on(period)
positions = cache.staff_positions("all")
in_range = f"{plan['people_per_pole_min']} à {plan['people_per_pole_max']}"


def fte(state: str | None = None) -> str:
    """FTE of the positions (all, or those in one state), from the staff alone."""
    rows = positions if state is None else positions.filter(pl.col("state") == state)
    return fmt.smart(rows["fte"].sum() or 0)


planned = dict(plan_rows.group_by("funding_line").agg(pl.col("planned_fte").sum()).rows())
m1, m2, m3, m4 = st.columns(4)
m1.metric("ETP du plan", fmt.smart(plan_rows["planned_fte"].sum()))
m2.metric("ETP prévus (postes)", fte())
m3.metric("ETP en poste", fte("in_post"))
m4.metric("ETP vacants", fte("vacant"))
st.caption(
    f"Plan de la lettre : {fmt.smart(plan_rows['planned_fte'].sum())} ETP, dont "
    + ", ".join(
        f"{fmt.smart(planned[k])} {label[0].lower()}{label[1:]}"  # « (SNA) » kept
        for k, label in steering.rules()["labels"]["funding_lines"].items()
        if k in planned
    )
    + f" ; {in_range} personnes par Caf pivot, autour de quatre métiers. "
    + ui.provenance(info, f"tous les pôles, au {fmt.day(info.today)}", "effectifs")
)

st.subheader("Plan et postes tenus par pôle et par métier")
grid = cache.staffing_by_pole_job(period)
shown = (
    grid if filters.pole_code == "all" else grid.filter(pl.col("pole_code") == filters.pole_code)
)
table(
    tables.pole_job(shown), "staff_jobs", "Aucun poste ni plan pour ce pôle.", COLUMNS,
    title=f"Plan et postes tenus par pôle et par métier, {filters.pole_label}",
)  # fmt: skip
st.caption(
    f"Plan : répartition par pôle et par métier des {fmt.smart(plan_rows['planned_fte'].sum())} "
    f"ETP de la lettre ({in_range} personnes par Caf pivot). ETP en poste au "
    f"{fmt.day(held_on)} (fin de l'{period.label}, ou date du jour si elle n'est pas passée) ; "
    "écart négatif : ETP manquants au regard du plan. "
    + ui.provenance(info, filters.pole_label, "effectifs et plan de la lettre")
)
st.page_link("app_pages/glossaire.py", label="Définitions (glossaire)", icon=":material/menu_book:")

st.subheader("Activité par ETP")
per_fte = cache.staffing_activity_per_fte
if not availability.blocked(per_fte):
    per_pole = per_fte(period)
    ui.chart_box(
        tables.activity_per_fte_chart(per_pole, f"{period.label} (jusqu'au {fmt.day(held_on)})"),
        tables.activity_per_fte(per_pole),
        f"Activités de toute nature réalisées par le pôle du {fmt.day(period.start)} au "
        f"{fmt.day(held_on)}, divisées par ses ETP en poste au {fmt.day(held_on)} "
        "(aucune barre pour un pôle sans ETP en poste). "
        + ui.provenance(
            info, f"tous les pôles, {period.label}", "effectifs et activités réalisées"
        ),
        key="staff_productivity",
    )

st.subheader("Postes et ETP par pôle")
if not availability.blocked(cache.staff_by_pole):
    staff = cache.staff_by_pole(period)
    ui.chart_box(
        tables.fte_by_pole_chart(staff, f"au {fmt.day(info.today)}"),
        tables.staff_by_pole(staff, plan["people_per_pole_min"], plan["people_per_pole_max"]),
        ui.provenance(info, f"tous les pôles, au {fmt.day(info.today)}", "effectifs"),
        key="staff_poles",
    )

st.subheader("Écart au plan par ligne de financement")
table(
    tables.funding_lines(positions, plan_rows), "staff_plan", "Aucun poste enregistré.", COLUMNS,
    title="Écart au plan par ligne de financement",
)  # fmt: skip
st.caption(
    f"Postes et ETP en poste au {fmt.day(info.today)}, selon la ligne de financement de "
    "chaque poste ; plan : somme du plan par pôle et par métier."
)

st.subheader("Postes et dates de prise de poste")
shown_positions = (
    positions
    if filters.pole_code == "all"
    else positions.filter(pl.col("pole_code") == filters.pole_code)
)
table(
    tables.positions(shown_positions), "staff_positions", "Aucun poste enregistré pour ce pôle.",
    COLUMNS, title=f"Postes, {filters.pole_label}",
)  # fmt: skip
st.caption(ui.provenance(info, filters.pole_label, "effectifs"))
