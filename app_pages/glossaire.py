"""Glossaire: every indicator and measure shown in the app, with its definition,
formula, source table, unit and the letter's target."""

import polars as pl
import streamlit as st

from sppe_data import steering

st.title("Glossaire des indicateurs")
st.markdown(
    "Chaque indicateur ou mesure affiché dans l'application : définition, formule, "
    "source, unité et cible de la lettre lorsqu'il y en a une."
)
glossary = steering.glossary().filter(pl.col("kind") != "dimension")
search = st.text_input("Rechercher un terme", key="glossaire_recherche").strip().lower()
if search:
    glossary = glossary.filter(
        pl.col("term").str.to_lowercase().str.contains(search, literal=True)
        | pl.col("definition").str.to_lowercase().str.contains(search, literal=True)
    )

st.subheader("Indicateurs ciblés")
indicators = glossary.filter(pl.col("kind") == "indicateur")
for start in range(0, indicators.height, 2):
    for column, row in zip(
        st.columns(2), indicators.slice(start, 2).iter_rows(named=True), strict=False
    ):
        with column, st.container(border=True):
            # Text from the reference file, shown as plain text (no HTML).
            st.markdown(f"**{row['term']}**")
            st.text(row["definition"])
            st.caption(
                f"Formule : {row['formula']} · Source : {row['source']} · "
                f"Unité : {row['unit']} · Cible de la lettre : {row['target'] or '–'}"
            )

st.subheader("Autres mesures")
measures = glossary.filter(pl.col("kind") == "mesure")
st.dataframe(
    measures.select(
        pl.col("term").alias("Terme"),
        pl.col("definition").alias("Définition"),
        pl.col("formula").alias("Formule"),
        pl.col("source").alias("Source"),
        pl.col("unit").alias("Unité"),
    ),
    hide_index=True,
    height=min(40 + 35 * measures.height, 1400),
    column_config={"Définition": st.column_config.TextColumn(width="large")},
    key="glossary_measures",
)
st.caption("Le glossaire est un fichier de référence modifiable (glossary.csv).")
