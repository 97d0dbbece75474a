"""Saisie: the pôles log their activity and the Caf requests; bulk import; recent entries.

Rights are checked by the data layer (sppe_data.journal), not by this page."""

import streamlit as st

from ui import journal_forms as forms
from ui import signin

principal = signin.current()
st.title("Saisie de l'activité")
if principal is None:  # the router signs in first; never write without a principal
    st.stop()
scope = (
    f"pôle {forms.reference_poles()[principal.pole_code]}"
    if principal.role == "pole"
    else "tous les pôles (Cnaf)"
)
st.caption(
    f"Vous saisissez pour : {scope}. Chaque enregistrement compte aussitôt dans les "
    "indicateurs et reste tracé dans le journal d'audit (qui, quand, avant, après)."
)
tab_activity, tab_request, tab_import, tab_recent = st.tabs(
    ["Activité", "Saisine d'une Caf", "Import en masse", "Mes saisies récentes"]
)
with tab_activity:
    forms.activity_form(principal)
with tab_request:
    forms.request_form(principal)
with tab_import:
    forms.import_form(principal)
with tab_recent:
    forms.recent_entries(principal)
