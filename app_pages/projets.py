"""Projets de création de places: the pipeline by stage and kind, places decided vs
opened, late or at-risk projects, who follows them, and where they are."""

import streamlit as st

from charts.maps import POINTS_THRESHOLD
from charts.projects import late_ranking
from charts.territory_tables import project_table
from sppe_data import api, fmt
from ui import availability, cache, maps
from ui import components as ui
from ui.exports import table_downloads
from ui.filters import current
from ui.steering import PLACEHOLDER, column_formats

LATE_SHOWN = 200  # rows of the late projects table on screen; the full table is a download

filters = current()
info = api.data_info()
scope = f"{filters.pole_label}, situation au {fmt.day(info.data_date)}"
source = "projets de création de places"

st.title("Projets de création de places")
st.markdown(f"**{filters.pole_label}** · situation au **{fmt.long_day(info.today)}**")
ui.show_problems(info)
availability.stop_if_unavailable(cache.project_pipeline)
# The KPIs, figures and tables count every project of the scope, computed once per data
# version; a rerun reads back these few small results, not the projects.
parts = cache.project_page(filters.pole_code, filters.pole_label, LATE_SHOWN)

decided, opened = parts["decided"], parts["opened"]
cols = st.columns(4)
cols[0].metric("Projets en cours ou ouverts", fmt.number(parts["live_count"]))
cols[1].metric("Places décidées", fmt.number(decided))
cols[2].metric("Places ouvertes", fmt.number(opened))
cols[3].metric("Écart décidées − ouvertes", fmt.number(decided - opened))
st.caption(
    "L'écart entre places décidées et places ouvertes est suivi par la COG 2023-2027. "
    + ui.provenance(info, scope, source)
)

left, right = st.columns(2)
with left:
    fig, table = parts["funnel"]
    ui.chart_box(fig, table, ui.provenance(info, scope, source), key="entonnoir")
with right:
    fig, table = parts["by_kind"]
    ui.chart_box(fig, table, ui.provenance(info, scope, source), key="types")
fig, table = parts["places"]
ui.chart_box(fig, table, ui.provenance(info, scope, source), key="places")

st.subheader("Projets en retard ou à risque")
late_count = parts["late_count"]
shown = (
    f" ; les {fmt.number(LATE_SHOWN)} plus en retard sont affichés"
    if late_count > LATE_SHOWN
    else ""
)
st.caption(
    f"{fmt.number(late_count)} projet(s){shown} : en retard = ouverture prévue dépassée sans "
    "ouverture ; à risque = signalé par le pôle."
)
st.dataframe(
    parts["late_table"],
    hide_index=True,
    column_config=column_formats(parts["late_table"]),
    placeholder=PLACEHOLDER,
    key="retards",
)
table_downloads(
    lambda: project_table(late_ranking(cache.project_pipeline(filters.pole_code))),
    key="retards",
    title="Projets en retard ou à risque",
    data_date=info.data_date,
)

st.subheader("Suivi par les experts des pôles")
st.dataframe(
    parts["experts"], hide_index=True, column_config=column_formats(parts["experts"]), key="experts"
)

st.subheader("Carte des projets")
names = parts["departements"]
left, right = st.columns([3, 1])
with left:
    focus = st.multiselect(
        "Détailler des départements (un point par projet)",
        list(names),
        format_func=lambda code: f"{names.get(code) or code} ({code})",
        placeholder="Tous les départements du périmètre",
        key="projets_departements",
    )
with right:
    density = st.toggle("Vue densité (carreaux de 10 km)", key="projets_densite")
view, map_table = cache.project_map(filters.pole_code, density, tuple(sorted(focus)))
per_departement = parts["drawn_by_departement"]
drawn = (
    sum(per_departement.get(code, 0) for code in focus) if focus else sum(per_departement.values())
)
note = (
    f" · {fmt.number(drawn)} projets : un cercle par département au-delà de "
    f"{fmt.number(POINTS_THRESHOLD)} ; choisir des départements pour voir chaque projet."
    if drawn > POINTS_THRESHOLD and not density
    else ""
)
maps.map_box(
    view,
    map_table,
    ui.provenance(info, scope, source) + " · Outre-mer en encarts à l'ouest." + note,
    key="projets",
)
