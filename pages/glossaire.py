"""Glossaire: every indicator and measure shown in the app, with its definition,
formula, source table, unit and the letter's target."""

import streamlit as st

from sppe_data import steering

st.title("Glossaire des indicateurs")
st.markdown(
    "Chaque indicateur ou mesure affiché dans l'application : définition, formule, "
    "source, unité et cible de la lettre lorsqu'il y en a une."
)
glossary = steering.glossary()
kinds = {"indicateur": "Indicateurs ciblés", "mesure": "Autres mesures"}
search = st.text_input("Rechercher un terme", key="glossaire_recherche").strip().lower()
for kind, heading in kinds.items():
    rows = glossary.filter(glossary["kind"] == kind)
    if search:
        rows = rows.filter(
            rows["term"].str.to_lowercase().str.contains(search, literal=True)
            | rows["definition"].str.to_lowercase().str.contains(search, literal=True)
        )
    st.subheader(heading)
    st.dataframe(
        rows.select(
            rows["term"].alias("Terme"),
            rows["definition"].alias("Définition"),
            rows["formula"].alias("Formule"),
            rows["source"].alias("Source"),
            rows["unit"].alias("Unité"),
            rows["target"].fill_null("–").alias("Cible de la lettre"),
        ),
        hide_index=True,
        key=f"glossary_{kind}",
    )
st.caption("Le glossaire est un fichier de référence modifiable (glossary.csv).")
