"""Données et référentiels: where the figures come from, and whether the files are sound."""

import streamlit as st

from sppe_data import api, fmt, reference
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
st.dataframe(api.extract_status(), hide_index=True)
table_downloads(api.extract_status(), "extracts", "Extractions", info.data_date)

st.subheader("Pôles")
st.dataframe(api.pole_reference(), hide_index=True)
table_downloads(api.pole_reference(), "poles", "Pôles", info.data_date)
st.caption(reference.overseas_note())

st.subheader("Cibles annuelles")
st.dataframe(api.target_reference(), hide_index=True)
table_downloads(api.target_reference(), "targets", "Cibles annuelles", info.data_date)
