"""Carte des pôles: who covers which département, where the activity and the
coverage gaps are."""

import polars as pl
import streamlit as st

from charts import maps as map_charts
from charts.territory_tables import departement_table
from geo import boundaries
from sppe_data import api, coverage, fmt
from ui import availability, cache, maps
from ui import components as ui
from ui.filters import current
from ui.signin import can_export

filters = current()
info = api.data_info()

st.title("Carte des pôles")
st.markdown(
    f"**{filters.pole_label}** · activités réalisées en **{filters.year}** · situation au "
    f"**{fmt.long_day(info.today)}**"
)
ui.show_problems(info)

# Every imported year of the coverage layer can be shown; by default, the latest one not
# after the year chosen in the sidebar.
coverage_choices = cache.coverage_years()["year"].to_list()
coverage_choice = None
if len(coverage_choices) > 1:
    auto_year = next((y for y in coverage_choices if y <= filters.year), coverage_choices[0])
    coverage_choice = st.selectbox(
        "Année des taux de couverture",
        [None, *coverage_choices],
        format_func=lambda y: (
            f"{auto_year} (selon l'année {filters.year})" if y is None else str(y)
        ),
        key="carte_annee_couverture",
    )
departements = cache.departement_map(filters.year, filters.pole_code, coverage_choice)

# The map's layers read different extracts: an unavailable one takes its layers and its
# columns away (never a map of zeros), the pôle composition stays.
LAYERS = {
    "activities": ["activity_count", "activity_per_10k_children"],
    "coverage": ["coverage_global_pct", "coverage_eaje_pct", "coverage_year"],
}
missing = availability.missing(cache.departement_map)
if missing:
    st.warning(availability.message(missing), icon=":material/database_off:")
    hidden = [c for name in missing for c in LAYERS.get(name, [])]
    departements = departements.with_columns(pl.lit(None).alias(c) for c in hidden)
else:
    hidden = []
indicator = st.radio(
    "Colorer les départements par",
    [k for k in map_charts.INDICATORS if k not in hidden],
    format_func=map_charts.INDICATORS.__getitem__,
    horizontal=True,
    key="carte_indicateur",
)
# Built once per rows, colouring and pôle; a rerun reads back the serialised map.
view = cache.pole_map(departements, indicator, filters.pole_code)
coverage_years = departements["coverage_year"].drop_nulls()
coverage_note = (
    f"taux de couverture {coverage_years[0]} (data.caf.fr)"
    if coverage_years.len()
    else "taux de couverture indisponibles"
    if "coverage" in missing
    else "aucun taux de couverture importé"
)
maps.map_box(
    view,
    departement_table(departements),
    ui.provenance(info, filters.scope, f"activités réalisées ; {coverage_note}")
    + f" · Limites : {boundaries.SOURCE}. Outre-mer en encarts à l'ouest. "
    "Enfants de moins de 3 ans : estimation (population × part des 0-2 ans, INSEE).",
    key="poles",
)

if can_export():
    st.subheader("Image pour les réunions")
    maps.pole_map_download(
        cache.departement_map(filters.year, api.ALL_POLES),
        "Les pôles de la mission SPPE et leurs Caf pivots",
        "Encarts à l'ouest, de haut en bas : Guadeloupe, Martinique, Guyane, La Réunion, Mayotte",
        f"référentiel des pôles ; limites {boundaries.SOURCE}",
        info.data_date,
    )

st.subheader("Taux de couverture")
st.caption(coverage.SET_ASIDE_NOTE)
maps.coverage_upload()
