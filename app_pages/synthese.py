"""Synthèse: the six targeted indicators against their targets, by pôle."""

from datetime import date

import polars as pl
import streamlit as st

from charts.progress import cumulative_progress
from charts.tables import monthly_detail, progress_detail, progress_matrix
from sppe_data import api, fmt, reference
from sppe_data.labels import PACE_STATUS, pace_rule
from ui import availability, cache
from ui import components as ui
from ui.filters import current
from ui.steering import table

filters = current()
info = api.data_info()

st.title("Synthèse des indicateurs")
st.markdown(
    f"**{filters.pole_label}** · année **{filters.year}** · situation au "
    f"**{fmt.long_day(info.today)}**"
)
ui.show_problems(info)
availability.stop_if_unavailable(cache.indicator_progress, cache.indicator_monthly)
progress = cache.indicator_progress(filters.year)

scope_rows = progress.filter(pl.col("pole_code") == filters.pole_code)
year_start, year_end = date(filters.year, 1, 1), date(filters.year, 12, 31)
outside = availability.out_of_pole_counts(year_start, year_end)
for start in (0, 3):
    for column, row in zip(
        st.columns(3), scope_rows.slice(start, 3).iter_rows(named=True), strict=False
    ):
        with column:
            mission = row["pole_code"] == api.ALL_POLES
            n = outside.get(row["indicator_code"], 0) if mission else 0
            notes = (
                availability.out_of_pole_text(n),
                reference.engineering_scope_count_note(row["national_scope_count"]),
            )
            ui.kpi_card(row, note=" ; ".join(text for text in notes if text))
target_note = reference.targets().filter(pl.col("year") == filters.year)
window = target_note.row(0, named=True) if target_note.height else None
st.caption(
    f"{pace_rule()} Attendu à date = cible × part écoulée de la période d'activité"
    + (f" ({fmt.day(window['counted_from'])} → {fmt.day(window['counted_to'])})" if window else "")
    + ", répartition linéaire. Prévision = réalisé ÷ part écoulée. "
    + ui.provenance(info, filters.scope, "activités réalisées (statut « réalisée »)")
)

st.subheader("Par pôle et par indicateur")
with st.container(border=True):
    tab_matrix, tab_detail = st.tabs(["Tableau de bord", "Détail des chiffres"])
    with tab_matrix:
        table(
            progress_matrix(progress), "matrix", "Aucun indicateur ciblé.",
            title="Tableau de bord",
        )  # fmt: skip
        st.caption(
            "Pour chaque indicateur : statut, réalisé et cible annuelle du pôle. Légende : "
            + " · ".join(f"{s.symbol} {s.label}" for s in PACE_STATUS.values())
        )
    with tab_detail:
        table(
            progress_detail(progress), "detail", "Aucun indicateur ciblé.",
            title="Détail des chiffres",
        )  # fmt: skip
    outside_note = availability.out_of_pole_text(sum(outside.values()))
    mission_rows = progress.filter(pl.col("pole_code") == api.ALL_POLES)
    st.caption(
        "Cibles des pôles = cible de la mission × part du pôle (référentiel des pôles). "
        + reference.engineering_scope_note(int(mission_rows["national_scope_count"].sum()))
        + " "
        + (
            f"La mission compte toutes les activités réalisées, {outside_note} "
            "(pôle absent ou inconnu). "
            if outside_note
            else ""
        )
        + ui.provenance(info, f"tous les pôles, année {filters.year}", "activités réalisées")
    )

st.subheader("Trajectoire mensuelle")
indicators = api.indicator_options()
indicator_code = st.selectbox(
    "Indicateur",
    list(indicators),
    format_func=indicators.__getitem__,
    key="indicateur",
    bind="query-params",
)
monthly = cache.indicator_monthly(filters.year, indicator_code, filters.pole_code)
kpi = scope_rows.filter(pl.col("indicator_code") == indicator_code).row(0, named=True)
fig = cumulative_progress(
    monthly,
    kpi["forecast_count"],
    title=f"{indicators[indicator_code]} : réalisé cumulé et trajectoire cible",
    subtitle=f"{filters.pole_label}, {filters.year}",
    today=info.today,
)
ui.chart_box(
    fig,
    monthly_detail(monthly),
    ui.provenance(info, filters.scope, "activités réalisées"),
    key="trajectoire",
)
