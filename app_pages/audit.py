"""Journal d'audit: every change made through the forms (who, when, before, after), and
the export of the journal to Parquet. Cnaf and admin roles (checked by the data layer)."""

import polars as pl
import streamlit as st

from charts.tables import audit_changes
from sppe_data import fmt, journal
from sppe_data.auth import AccessDenied
from ui import journal_forms as forms
from ui import signin
from ui.steering import table

st.title("Journal d'audit des saisies")
principal = signin.current()
try:
    log = journal.audit_entries(principal, limit=1000)
    tables = journal.export_tables(principal)
except (AccessDenied, journal.JournalUnavailable) as exc:
    forms.error(str(exc))
    st.stop()

st.caption(
    "Chaque création, modification, suppression ou import d'une saisie : auteur, rôle, "
    "date et heure (UTC), valeurs avant et après (JSON, champs nommés en français). "
    "Les 1 000 derniers changements."
)
actions = {"toutes": "Toutes", **journal.ACTION_LABELS}
action = st.selectbox(
    "Action", list(actions), format_func=actions.get, key="action", bind="query-params"
)
shown = log if action == "toutes" else log.filter(pl.col("action") == action)
table(
    audit_changes(shown),
    "audit_table",
    "Aucun changement enregistré pour cette action.",
    {"Date (UTC)": st.column_config.DatetimeColumn(format="DD/MM/YYYY HH:mm:ss")},
)
st.write(f"{shown.height} changement(s) affiché(s).")

st.subheader("Export du journal (Parquet)")
st.caption(
    "Mêmes colonnes que les extractions nationales, suivies des métadonnées de saisie : "
    "les fichiers se joignent aux extractions."
)
for column, (name, frame) in zip(st.columns(len(tables)), tables.items(), strict=True):
    column.download_button(
        f"{name}.parquet ({fmt.number(frame.height)} ligne(s))",
        data=journal.parquet_bytes(frame),
        file_name=f"{name}.parquet",
        mime="application/vnd.apache.parquet",
        key=f"export_{name}",
        icon=":material/download:",
    )
