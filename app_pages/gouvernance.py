"""Orientations et plan de travail: what the strategic committee identifies and follows
(the mission letter, section 1.4 and 5): the orientations of the year with their
indicators and the actions attached to them, the work plan by semester, the
experimentation themes, and the service contracts of the pivot Cafs with their semester
reviews (section 4). Every role reads; the Cnaf and the pôles write through the forms
their rights allow (``ui.governance_forms``)."""

import polars as pl
import streamlit as st

from charts import governance as builders
from sppe_data import clock, fmt, reference, store
from sppe_data import governance as gov
from ui import governance_forms as forms
from ui import signin
from ui.filters import current

filters = current()
principal = signin.current()
today = clock.today()
year = filters.year
one_pole = filters.pole_code != "all"
poles = forms.pole_labels()

st.title("Orientations et plan de travail")
st.markdown(f"**{filters.pole_label}** · année **{year}** · situation au **{fmt.day(today)}**")
st.caption(
    "Le comité de pilotage stratégique identifie et suit les orientations annuelles de la "
    "mission, les thèmes d'expérimentations et les indicateurs de pilotage ; un contrat de "
    "service lie chaque Caf pivot à la Cnaf, suivi par un échange semestriel entre la "
    "direction de la Caf pivot et la Dpfas (lettre de mission, sections 1.4 et 4)."
)
try:
    orientations = gov.records("orientation", year=year)
    actions = gov.records("action")
    milestones = gov.milestones(year, today)
    experiments = gov.records("experiment")
    contracts = gov.records("contract")
    reviews = gov.records("review")
except store.StoreUnavailable as exc:
    forms.error(str(exc))
    st.stop()

# Only the chosen tab runs; the tab is in the address (« onglet »).
tab_orientations, tab_plan, tab_experiments, tab_contracts = st.tabs(
    ["Orientations de l'année", "Plan de travail", "Expérimentations", "Contrats de service"],
    key="onglet", on_change="rerun", bind="query-params",
)  # fmt: skip

with tab_orientations:
    if tab_orientations.open:
        st.subheader(f"Orientations {year}")
        oriented = orientations["orientation_id"].to_list()
        attached = actions.filter(pl.col("orientation_id").is_in(oriented))
        forms.show_table(
            builders.orientations_table(orientations, attached, forms.indicator_labels()),
            "gov_orientations_table",
            f"Aucune orientation enregistrée pour {year}.",
            f"Orientations {year}",
        )
        st.markdown("**Actions rattachées aux orientations**")
        st.caption(
            "Actions décidées en comité et rattachées à une orientation de l'année ; en retard : "
            "non close et échéance dépassée."
        )
        forms.show_table(
            builders.attached_actions_table(attached, orientations, poles, today),
            "gov_orientation_actions_table",
            "Aucune action de comité n'est rattachée à ces orientations.",
            f"Actions rattachées aux orientations {year}",
        )
        forms.record_forms(principal, "orientation", orientations, year)

with tab_plan:
    if tab_plan.open:
        plan = (
            builders.milestones_of_pole(milestones, filters.pole_code) if one_pole else milestones
        )
        st.subheader(f"Plan de travail {year}")
        st.caption(
            ("Jalons du pôle et de la mission (national). " if one_pole else "")
            + "En retard : jalon ni fait ni abandonné dont l'échéance est passée au "
            + f"{fmt.day(today)}."
        )
        if plan.is_empty():
            st.info(f"Aucun jalon enregistré au plan de travail {year}.", icon=":material/info:")
        else:
            forms.show_table(
                builders.milestone_counts(plan), "gov_milestone_counts", "",
                f"Jalons {year} par statut", width="content",
            )  # fmt: skip
            for label, table in builders.milestones_by_half(plan, poles):
                st.markdown(f"**{label} {year}**")
                forms.show_table(
                    table,
                    f"gov_milestones_{label[:1]}",
                    f"Aucun jalon au {label} {year}.",
                    f"Plan de travail {year}, {label}",
                )
        forms.record_forms(principal, "milestone", plan, year)

with tab_experiments:
    if tab_experiments.open:
        st.subheader("Expérimentations")
        st.markdown(
            "La lettre de mission fait de la mission SPPE un « espace d'expérimentation et de "
            "prototypage en dialogue avec les équipes de la Cnaf » ; le comité de pilotage "
            "stratégique en identifie et suit les thèmes d'expérimentations."
        )
        shown = experiments
        if one_pole:
            shown = builders.experiments_of_pole(experiments, filters.pole_code)
            st.caption("Expérimentations que le pôle pilote ou auxquelles il est associé.")
        forms.show_table(
            builders.experiments_table(shown, poles),
            "gov_experiments_table",
            "Aucune expérimentation enregistrée.",
            "Expérimentations",
        )
        forms.record_forms(principal, "experiment", shown, year)

with tab_contracts:
    if tab_contracts.open:
        st.subheader("Contrats de service des Caf pivots")
        pivots = reference.pivot_cafs()
        listed = contracts
        if one_pole:
            listed = contracts.filter(pl.col("pole_code") == filters.pole_code)
            pivots = pivots.filter(pl.col("pole_code") == filters.pole_code)
        cafs = forms.caf_labels()
        st.caption(
            f"Revue semestrielle à prévoir : contrat en cours dont la dernière revue date de plus "
            f"de six mois au {fmt.day(today)}, ou qui n'en a pas encore."
        )
        forms.show_table(
            builders.contracts_table(listed, reviews, pivots, cafs, poles, today),
            "gov_contracts_table",
            "Aucun contrat de service enregistré et aucune Caf pivot désignée.",
            "Contrats de service des Caf pivots",
        )
        st.markdown("**Revues semestrielles, par contrat**")
        if listed.is_empty():
            st.info("Aucun contrat de service enregistré.", icon=":material/info:")
        for contract in builders.contracts_in_order(listed, poles).iter_rows(named=True):
            st.markdown(
                forms.plain(
                    f"{cafs.get(contract['caf_code'], contract['caf_code'])} · contrat "
                    f"n° {contract['contract_id']} signé le {fmt.day(contract['signed_on'])}"
                )
            )
            forms.show_table(
                builders.reviews_table(
                    reviews.filter(pl.col("contract_id") == contract["contract_id"])
                ),
                f"gov_reviews_{contract['contract_id']}",
                "Aucune revue semestrielle enregistrée pour ce contrat.",
                f"Revues du contrat {contract['contract_id']}",
            )
        forms.record_forms(principal, "contract", listed, year)
        of_listed = pl.col("contract_id").is_in(listed["contract_id"].to_list())
        forms.record_forms(principal, "review", reviews.filter(of_listed), year)
