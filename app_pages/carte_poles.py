"""Carte des pôles: who covers which département, where the activity and the
coverage gaps are."""

import streamlit as st

from charts.territory_tables import departement_table
from geo import boundaries, deck
from sppe_data import api, coverage, fmt
from ui import cache, maps
from ui import components as ui
from ui.filters import current
from ui.signin import can_export

filters = current()
info = api.data_info()
departements = cache.departement_map(filters.year, filters.pole_code)

st.title("Carte des pôles")
st.markdown(
    f"**{filters.pole_label}** · activités réalisées en **{filters.year}** · situation au "
    f"**{fmt.long_day(info.today)}**"
)
ui.show_problems(info)

indicator = st.radio(
    "Colorer les départements par",
    list(deck.INDICATORS),
    format_func=deck.INDICATORS.__getitem__,
    horizontal=True,
    key="carte_indicateur",
)
view = deck.pole_map(departements, indicator, filters.pole_code)
coverage_years = departements["coverage_year"].drop_nulls()
coverage_note = (
    f"taux de couverture {coverage_years[0]} (data.caf.fr)"
    if coverage_years.len()
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
