"""Données et référentiels: where the figures come from, and whether the files are sound."""

import polars as pl
import streamlit as st

from sppe_data import api, db, fmt, reference
from sppe_data.extracts import EXTRACTS
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
# An unavailable extract has no row count: the count would be the journal's rows alone.
unavailable = [EXTRACTS[name].label for name in db.unavailable_extracts()]
extracts = cache.extract_status().with_columns(
    pl.when(pl.col("Extraction").is_in(unavailable)).then(None).otherwise(pl.col("Lignes"))
    .alias("Lignes"),
    pl.when(pl.col("Extraction").is_in(unavailable)).then(pl.lit("Indisponible"))
    .otherwise(pl.lit("Disponible")).alias("État"),
)  # fmt: skip
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
