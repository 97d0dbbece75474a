"""COPIL stratégique: the six indicators of a semester against targets and pace, the
pôles, what moved since the previous semester, the largest gaps, a factual summary."""

from datetime import date

import polars as pl
import streamlit as st

from charts import copil as builders
from charts import steering as charts
from charts.tables import progress_detail
from sppe_data import api, fmt, reference, steering
from sppe_data.labels import PACE_STATUS, pace_rule
from ui import availability, cache
from ui import components as ui
from ui.filters import current
from ui.governance_meetings import meeting_section
from ui.governance_summary import committee_summary
from ui.signin import current as signed_in
from ui.steering import table

filters = current()
info = api.data_info()
st.title("COPIL stratégique")
ui.show_problems(info)
availability.stop_if_unavailable(cache.copil_semester)

halves = {1: "1er semestre", 2: "2e semestre"}
default_half = steering.current_semester(info.today)[1] if info.today.year == filters.year else 2
half = st.radio(
    "Semestre", list(halves), format_func=halves.get, index=default_half - 1,
    horizontal=True, key="semestre", bind="query-params",
)  # fmt: skip
period = steering.semester_period(filters.year, half)
previous = period.previous()
copil = cache.copil_semester(filters.year, half)
mission = builders.mission_rows(copil)
as_of = mission["as_of"][0]
st.markdown(f"**{period.label}** · situation au **{fmt.day(as_of)}** · comparé au {previous.label}")
st.page_link(
    "app_pages/glossaire.py",
    label="Définitions des indicateurs (glossaire)",
    icon=":material/menu_book:",
)

st.subheader("Synthèse factuelle")
with st.container(border=True):
    for sentence in builders.factual_summary(copil, previous.label):
        st.markdown(f"- {sentence}")
    st.caption("Phrases rédigées à partir des seuls chiffres de cette page. " + pace_rule())

st.subheader("Les six indicateurs face aux cibles")
year_note = availability.out_of_pole_note(date(filters.year, 1, 1), as_of)
ui.chart_box(
    charts.indicator_bullets(
        builders.as_progress(mission),
        "Mission : réalisé depuis le 1er janvier, attendu à date et cible annuelle",
        period.label,
    ),
    progress_detail(builders.as_progress(mission)),
    (f"Réalisé de la mission {year_note} (pôle absent ou inconnu). " if year_note else "")
    + reference.engineering_scope_note()
    + " "
    + ui.provenance(info, f"mission, {period.label}", "activités réalisées"),
    key="copil_bullets",
)

st.subheader("Pôle par pôle")
with st.container(border=True):
    table(
        builders.copil_matrix(copil), "copil_matrix", "Aucun indicateur ciblé.",
        title=f"COPIL pôle par pôle, {period.label}",
    )  # fmt: skip
    st.caption(
        "Pour chaque indicateur : statut, réalisé depuis le 1er janvier et cible annuelle "
        "du pôle. Légende : "
        + " · ".join(f"{s.symbol} {s.label}" for s in PACE_STATUS.values())
        + ". "
        + ui.provenance(info, f"tous les pôles, {period.label}", "activités réalisées")
    )

left, right = st.columns(2)
with left:
    st.subheader("Ce qui a bougé depuis le semestre précédent")
    table(
        builders.copil_moves(copil), "copil_moves", "Aucun indicateur ciblé.",
        title=f"Évolutions depuis le semestre précédent, {period.label}",
    )  # fmt: skip
    moves_notes = [
        f"{label} : {note}"
        for label, note in (
            (period.label, availability.out_of_pole_note(period.start, as_of)),
            (previous.label, availability.out_of_pole_note(previous.start, previous.end)),
        )
        if note
    ]
    st.caption(
        f"Réalisations de la mission au {period.label} et au {previous.label}."
        + (
            " Activités hors des cinq pôles (pôle absent ou inconnu) comprises : "
            + " ; ".join(moves_notes)
            + "."
            if moves_notes
            else ""
        )
    )
with right:
    st.subheader("Les plus grands écarts")
    gaps = builders.largest_gaps(copil)
    table(
        gaps, "copil_gaps", "Aucun pôle n'est en dessous de l'attendu à date.",
        title=f"Plus grands écarts, {period.label}",
    )  # fmt: skip
    st.caption("Écart = attendu à date − réalisé, par pôle et indicateur (5 plus grands).")
behind = copil.filter((pl.col("pole_code") != "all") & (pl.col("pace_status") == "behind")).height
st.caption(
    f"{behind} couple(s) pôle × indicateur en retard. "
    + ui.provenance(info, period.label, "activités réalisées")
)

st.subheader("Orientations, plan de travail et expérimentations")
committee_summary(filters.year, min(info.today, period.end), filters.pole_code)

meeting_section(signed_in(), "copil", period.start, period.end, min(info.today, period.end))
