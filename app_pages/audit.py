"""Journal d'audit: every change made through the forms (who, when, before, after), and
the export of the journal to Parquet. Cnaf and admin roles (checked by the data layer)."""

import polars as pl
import streamlit as st

from sppe_data import fmt, journal
from sppe_data.auth import AccessDenied
from ui import journal_forms as forms
from ui import signin

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
    "date et heure (UTC), valeurs avant et après (JSON). Les 1 000 derniers changements."
)
actions = {"toutes": "Toutes", **journal.ACTION_LABELS}
action = st.selectbox(
    "Action", list(actions), format_func=actions.get, key="action", bind="query-params"
)
shown = log if action == "toutes" else log.filter(pl.col("action") == action)
st.dataframe(
    shown.select(
        pl.col("changed_at").dt.strftime("%d/%m/%Y %H:%M:%S").alias("Date (UTC)"),
        pl.col("actor").alias("Auteur"),
        pl.col("actor_role").alias("Rôle"),
        pl.col("action").replace_strict(journal.ACTION_LABELS, default="?").alias("Action"),
        pl.col("entity").replace_strict(journal.ENTITY_LABELS, default="?").alias("Objet"),
        pl.col("entity_id").alias("N°"),
        pl.col("before_json").alias("Avant"),
        pl.col("after_json").alias("Après"),
    ),
    hide_index=True,
    key="audit_table",
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
