"""Projets de création de places: the pipeline by stage and kind, places decided vs
opened, late or at-risk projects, who follows them, and where they are."""

import polars as pl
import streamlit as st

from charts.projects import by_kind, expert_table, funnel, places_by_pole
from charts.territory_tables import project_table
from geo import deck
from sppe_data import api, fmt
from ui import availability, cache, maps
from ui import components as ui
from ui.filters import current

filters = current()
info = api.data_info()
scope = f"{filters.pole_label}, situation au {fmt.day(info.data_date)}"
source = "projets de création de places"

st.title("Projets de création de places")
st.markdown(f"**{filters.pole_label}** · situation au **{fmt.long_day(info.today)}**")
ui.show_problems(info)
availability.stop_if_unavailable(cache.project_pipeline)
projects = cache.project_pipeline(filters.pole_code)

live = projects.filter(pl.col("stage") != "abandonne")
decided = int(live["places_decided_count"].sum() or 0)
opened = int(live["places_opened_count"].sum() or 0)
late = projects.filter(pl.col("is_late") | pl.col("is_at_risk"))
cols = st.columns(4)
cols[0].metric("Projets en cours ou ouverts", fmt.number(live.height))
cols[1].metric("Places décidées", fmt.number(decided))
cols[2].metric("Places ouvertes", fmt.number(opened))
cols[3].metric("Écart décidées − ouvertes", fmt.number(decided - opened))
st.caption(
    "L'écart entre places décidées et places ouvertes est suivi par la COG 2023-2027. "
    + ui.provenance(info, scope, source)
)

left, right = st.columns(2)
with left:
    fig, table = funnel(projects, filters.pole_label)
    ui.chart_box(fig, table, ui.provenance(info, scope, source), key="entonnoir")
with right:
    fig, table = by_kind(projects, filters.pole_label)
    ui.chart_box(fig, table, ui.provenance(info, scope, source), key="types")
fig, table = places_by_pole(projects, filters.pole_label)
ui.chart_box(fig, table, ui.provenance(info, scope, source), key="places")

st.subheader("Projets en retard ou à risque")
st.caption(
    f"{fmt.number(late.height)} projet(s) : en retard = ouverture prévue dépassée sans "
    "ouverture ; à risque = signalé par le pôle."
)
st.dataframe(project_table(late.sort("expected_opening_on")), hide_index=True, key="retards")

st.subheader("Suivi par les experts des pôles")
st.dataframe(expert_table(projects), hide_index=True, key="experts")

st.subheader("Carte des projets")
density = st.toggle("Vue densité (hexagones)", key="projets_densite")
maps.map_box(
    deck.project_map(projects, density=density),
    project_table(projects),
    ui.provenance(info, scope, source) + " · Outre-mer en encarts à l'ouest.",
    key="projets",
)
