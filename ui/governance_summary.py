"""What the COPIL stratégique reviews besides the indicators (the mission letter, 1.4):
the orientations of the year, the progress of the work plan and the experiments under
way, in short, with a link to the page where they are kept (« Orientations et plan de
travail »). The deck shows the same records (``exports.deck_governance``)."""

from __future__ import annotations

from datetime import date

import polars as pl
import streamlit as st

from charts import governance as builders
from sppe_data import fmt
from sppe_data import governance as gov
from ui import governance_forms as forms

RUNNING = ("propose", "en_cours")  # experiments the committee still follows


def committee_summary(year: int, today: date, pole_code: str) -> None:
    """Orientations of ``year``, its milestones by status (late ones listed), the
    experiments proposed or running; ``pole_code`` other than "all": that pôle's records
    and the mission's."""
    poles = forms.pole_labels()
    orientations = gov.records("orientation", year=year)
    actions = gov.records("action")
    milestones = gov.milestones(year, today)
    experiments = gov.records("experiment").filter(pl.col("status").is_in(RUNNING))
    if pole_code != "all":
        milestones = builders.milestones_of_pole(milestones, pole_code)
        experiments = builders.experiments_of_pole(experiments, pole_code)
    attached = actions.filter(
        pl.col("orientation_id").is_in(orientations["orientation_id"].to_list())
    )
    st.markdown(f"**Orientations {year}**")
    forms.show_table(
        builders.orientations_table(orientations, attached, forms.indicator_labels()),
        "copil_orientations",
        f"Aucune orientation enregistrée pour {year}.",
        f"Orientations {year}",
    )
    st.markdown(f"**Plan de travail {year}**")
    if milestones.is_empty():
        st.info(f"Aucun jalon enregistré au plan de travail {year}.", icon=":material/info:")
    else:
        forms.show_table(
            builders.milestone_counts(milestones), "copil_milestone_counts", "",
            f"Jalons {year} par statut", width="content",
        )  # fmt: skip
        late = milestones.filter(pl.col("is_late"))
        st.caption(
            f"Jalons en retard au {fmt.day(today)} : ni faits ni abandonnés, échéance passée."
        )
        forms.show_table(
            builders.milestones_table(late, poles),
            "copil_late_milestones",
            f"Aucun jalon en retard au {fmt.day(today)}.",
            f"Jalons {year} en retard",
        )
    st.markdown("**Expérimentations proposées ou en cours**")
    forms.show_table(
        builders.experiments_table(experiments, poles),
        "copil_experiments",
        "Aucune expérimentation proposée ou en cours.",
        "Expérimentations proposées ou en cours",
    )
    st.page_link(
        "app_pages/gouvernance.py",
        label="Orientations, plan de travail, expérimentations et contrats de service",
        icon=":material/account_tree:",
    )
