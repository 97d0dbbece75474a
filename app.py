"""Pilotage SPPE: the router. Page config, sign-in, sidebar filters, navigation; nothing else."""

import logging

import streamlit as st

from ui import filters, signin
from ui.navigation import SECTIONS, pages_for

# An emoji tab icon: a Material one would be fetched from a font CDN (missing offline).
st.set_page_config(page_title="Pilotage SPPE", page_icon="📊", layout="wide")

principal = signin.require()
sections: dict[str, list] = {}
for spec in pages_for(role=principal.role):
    page = st.Page(
        spec.path, title=spec.title, icon=spec.icon, url_path=spec.url_path, default=spec.default
    )
    sections.setdefault(spec.section, []).append(page)
# Every page listed: the collapsed menu would say "View N more", in English.
navigation = st.navigation({s: sections[s] for s in SECTIONS if s in sections}, expanded=True)
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
