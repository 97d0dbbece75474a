"""Données et référentiels: where the figures come from, and whether the files are sound."""

import streamlit as st

from sppe_data import api, fmt, reference
from ui import cache
from ui.exports import table_downloads

info = api.data_info()
st.title("Données et référentiels")
st.markdown(
    f"Source : **{info.source_label}** · date des données : **{fmt.day(info.data_date)}** · "
    f"date de calcul des indicateurs : **{fmt.day(info.today)}**"
)
if info.problems:
    api_problems = "\n".join(f"- {p}" for p in info.problems)
    st.error("Problèmes détectés dans les fichiers de données :\n\n" + api_problems)
else:
    st.success("Toutes les extractions sont présentes et lisibles.")

st.subheader("Extractions")
extracts = cache.extract_status()
st.dataframe(extracts, hide_index=True)
table_downloads(extracts, "extracts", "Extractions", info.data_date)

st.subheader("Pôles")
poles = cache.pole_reference()
st.dataframe(poles, hide_index=True)
table_downloads(poles, "poles", "Pôles", info.data_date)
st.caption(reference.overseas_note())

st.subheader("Cibles annuelles")
targets = cache.target_reference()
st.dataframe(targets, hide_index=True)
table_downloads(targets, "targets", "Cibles annuelles", info.data_date)
