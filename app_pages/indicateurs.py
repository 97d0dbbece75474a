"""Indicateurs: every activity kind of the letter, broken down by pôle, Caf,
département, month, semester or equipment kind, with a drill-down to the activities."""

from datetime import date

import polars as pl
import streamlit as st

from charts import steering as charts
from charts import steering_tables as tables
from charts.tables import progress_detail
from sppe_data import api, labels, reference, steering
from sppe_data.reference import DOMAIN_LABELS
from ui import availability, cache
from ui import components as ui
from ui.filters import current
from ui.steering import drill_down_choice, table

filters = current()
info = api.data_info()
st.title("Explorateur des indicateurs")
ui.show_problems(info)
availability.stop_if_unavailable(
    cache.indicator_progress, cache.activity_breakdown, cache.activity_list,
    cache.activity_monthly_by_pole, cache.indicator_monthly,
)  # fmt: skip

c1, c2, c3 = st.columns(3)
periods = {"year": "Année entière", "1": "1er semestre", "2": "2e semestre"}
period_key = c1.selectbox(
    "Période", list(periods), format_func=periods.get, key="periode", bind="query-params"
)
period = (
    steering.year_period(filters.year)
    if period_key == "year"
    else steering.semester_period(filters.year, int(period_key))
)
domains = {"all": "Tous les domaines", **DOMAIN_LABELS}
domain = c2.selectbox(
    "Domaine", list(domains), format_func=domains.get, key="domaine", bind="query-params"
)
dims = steering.DIMENSIONS
dimension = c3.selectbox(
    "Ventilation", list(dims), format_func=dims.get, key="ventilation", bind="query-params"
)
scope = f"{filters.pole_label}, {period.label}"
st.page_link(
    "app_pages/glossaire.py",
    label="Définitions des indicateurs (glossaire)",
    icon=":material/menu_book:",
)

st.subheader("Indicateurs ciblés : réalisé, cible et attendu à date")
progress = cache.indicator_progress(filters.year).filter(pl.col("pole_code") == filters.pole_code)
outside_note = (
    availability.out_of_pole_note(date(filters.year, 1, 1), date(filters.year, 12, 31))
    if filters.pole_code == api.ALL_POLES
    else ""
)
ui.chart_box(
    charts.indicator_bullets(
        progress, "Réalisé, attendu à date et cible annuelle", filters.scope
    ),  # the year to date, whatever the period chosen below
    progress_detail(progress),
    labels.pace_bands()
    + " "
    + (f"Réalisé de la mission {outside_note} (pôle absent ou inconnu). " if outside_note else "")
    + (
        reference.engineering_scope_note(int(progress["national_scope_count"].sum())) + " "
        if filters.pole_code == api.ALL_POLES
        else ""
    )
    + ui.provenance(info, f"{filters.pole_label}, année {filters.year}", "activités réalisées"),
    key="bullets",
)

st.subheader("Toutes les activités de la lettre")
breakdown = cache.activity_breakdown(period, filters.pole_code, dimension)
if domain != "all":
    breakdown = breakdown.filter(pl.col("domain") == domain)
ui.chart_box(
    charts.breakdown_bars(
        breakdown,
        dims[dimension],
        f"Activités réalisées par {dims[dimension].lower()}",
        f"{scope} · {domains[domain]}",
    ),
    tables.breakdown_pivot(breakdown, dims[dimension]),
    "Cliquez sur une barre pour afficher les activités correspondantes. "
    + ui.provenance(info, scope, "activités réalisées"),
    key="explorer",
    on_select="rerun",
)

st.markdown("**Détail des activités**")
kind, dim_key = drill_down_choice(breakdown, dims[dimension], "explorer")
detail = cache.activity_list(period, filters.pole_code, kind, dimension, dim_key)
if domain != "all":
    detail = detail.filter(pl.col("domain") == domain)
table(
    tables.activity_detail(detail),
    "drill_table",
    "Aucune activité réalisée pour cette sélection.",
    title=f"Détail des activités, {scope}",
)
st.caption(
    f"{detail.height} activité(s) affichée(s), les plus récentes d'abord "
    f"(au plus {steering.DRILL_ROW_LIMIT}). " + ui.provenance(info, scope, "activités réalisées")
)

st.subheader("Par pôle, sur une même échelle")
all_kinds = reference.activity_kinds().sort("sort_order")
kind_options = dict(all_kinds.select("activity_kind", "activity_label").rows())
chosen = st.multiselect(
    "Types d'activité", list(kind_options), default=["controle_sensible"],
    format_func=kind_options.get, key="types", bind="query-params",
)  # fmt: skip
monthly = cache.activity_monthly_by_pole(steering.year_period(filters.year), chosen)
ui.chart_box(
    charts.pole_small_multiples(
        monthly,
        "Activités réalisées par mois et par pôle",
        f"année {filters.year} · échelle commune",
    ),
    tables.monthly_by_pole_detail(monthly),
    ui.provenance(info, f"tous les pôles, année {filters.year}", "activités réalisées"),
    key="multiples",
)

st.subheader("Comparaison avec l'année précédente")
indicators = api.indicator_options()
code = st.selectbox(
    "Indicateur",
    list(indicators),
    format_func=indicators.get,
    key="comparaison",
    bind="query-params",
)
this_year = cache.indicator_monthly(filters.year, code, filters.pole_code)
last_year = cache.indicator_monthly(filters.year - 1, code, filters.pole_code)
ui.chart_box(
    charts.year_on_year(
        this_year,
        last_year,
        filters.year,
        f"{indicators[code]} : {filters.year} et {filters.year - 1}",
        filters.pole_label,
    ),
    tables.yoy_detail(this_year, last_year, filters.year),
    ui.provenance(
        info,
        f"{filters.pole_label}, années {filters.year - 1} et {filters.year}",
        "activités réalisées",
    ),
    key="yoy",
)
