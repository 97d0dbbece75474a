"""Pilotage SPPE: the router. Page config, sidebar filters, navigation; nothing else."""

import logging

import streamlit as st

from ui import filters

st.set_page_config(page_title="Pilotage SPPE", page_icon=":material/child_care:", layout="wide")

pages = [
    st.Page("pages/synthese.py", title="Synthèse", icon=":material/dashboard:", default=True),
    st.Page(
        "pages/donnees.py",
        title="Données et référentiels",
        icon=":material/database:",
        url_path="donnees",
    ),
]
navigation = st.navigation(pages)
st.sidebar.markdown("**Pilotage SPPE** · mission service public de la petite enfance")
filters.sidebar()

try:
    navigation.run()
except Exception:  # never a stack trace in front of a user; the log keeps it
    logging.getLogger("sppe").exception("page failed")
    st.error(
        "Cette page n'a pas pu s'afficher à cause d'une erreur inattendue. "
        "Réessayez ; si l'erreur persiste, signalez-la à l'équipe Pilotage SPPE "
        "en indiquant la page et l'heure."
    )
