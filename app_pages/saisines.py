"""Saisines: requests from the Cafs by status, routing checked against the letter's
rules, priority, delays, backlog by age, by Caf and pôle; one saisine followed (history,
activities produced, next step recorded by who may write); travel-cost contributions."""

import polars as pl
import streamlit as st

from charts import steering as charts
from charts import steering_tables as tables
from sppe_data import api, fmt, reference, steering
from ui import availability, cache, signin
from ui import components as ui
from ui import journal_forms as forms
from ui.filters import current
from ui.steering import OPEN_REQUESTS_COLUMNS, table, top_table

filters = current()
info = api.data_info()
st.title("Saisines des Caf")
ui.show_problems(info)
period = steering.year_period(filters.year)
scope = f"{filters.pole_label}, saisines reçues en {filters.year}"
delays = cache.request_delays(period, filters.pole_code)
total = delays.filter(pl.col("breakdown") == "all").row(0, named=True)

m = st.columns(7)
for column, (label, name) in zip(
    m,
    [
        ("Reçues", "received_count"),
        ("Non prises en charge", "not_taken_up_count"),
        ("En cours", "in_progress_count"),
        ("Traitées", "done_count"),
        ("Refusées", "refused_count"),
        ("Annulées", "cancelled_count"),
        ("Réorientées", "redirected_count"),
    ],
    strict=True,
):
    availability.metric(column, label, fmt.number(total[name]), cache.request_delays)
st.caption(ui.provenance(info, scope, "saisines"))
st.page_link("app_pages/glossaire.py", label="Définitions (glossaire)", icon=":material/menu_book:")

st.subheader("Délais et circuits, par pôle")
if not availability.blocked(cache.request_delays):
    table(
        tables.request_delays(delays.filter(pl.col("breakdown").is_in(["all", "pole"])), "Pôle"),
        "delays_pole", "Aucune saisine reçue.", title=f"Délais et circuits par pôle, {scope}",
    )  # fmt: skip
    st.caption(
        "Prise en charge : de la réception à la prise en charge ; clôture : de la réception à "
        "la clôture (saisines traitées). Circuit non conforme : saisine arrivée par un autre "
        "circuit que celui prévu par la lettre pour sa nature. "
        + ui.provenance(info, scope, "saisines")
    )

st.subheader("Saisines en attente, par ancienneté")
if not availability.blocked(cache.requests_open):
    as_of = min(info.today, period.end)
    ages = cache.requests_open_ages(as_of, filters.pole_code)
    backlog = tables.backlog_by_age(ages, steering.backlog_bands())
    waiting_count = int(ages["requests_count"].sum())
    poles = [c for c in backlog.columns if c not in ("Ancienneté", "Total")]
    ui.chart_box(
        charts.stacked_bars(
            backlog["Ancienneté"].to_list(),
            {p: backlog[p].to_list() for p in poles},
            "Saisines en attente par ancienneté",
            f"{filters.pole_label}, au {fmt.day(as_of)}",
            "Saisines",
        ),
        backlog.with_columns(pl.exclude("Ancienneté").cast(pl.String)),
        ui.provenance(info, filters.pole_label, "saisines reçues et non closes"),
        key="backlog",
    )
    with st.expander(f"Liste des {fmt.number(waiting_count)} saisine(s) en attente"):
        waiting = cache.requests_open(as_of, filters.pole_code, "all", steering.TOP_ROWS)
        top_table(
            tables.open_requests(waiting),
            steering.total_count(waiting),
            "waiting_list",
            "Aucune saisine en attente.",
            order="les plus anciennes d'abord",
            column_config=OPEN_REQUESTS_COLUMNS,
            title=f"Saisines en attente, {filters.pole_label}, au {fmt.day(as_of)}",
            full=lambda a=as_of, p=filters.pole_code: tables.open_requests(
                steering.requests_open(a, p)
            ),
        )

st.subheader("Suivi d'une saisine")
if not availability.blocked(cache.requests_open):
    principal = signin.current()
    # A pôle follows its own saisines; the others those of the pôle chosen in the filters.
    follow_scope = principal.pole_code if principal and principal.role == "pole" else None
    follow_pole = follow_scope or filters.pole_code
    follow_rows = cache.requests_open(info.today, follow_pole, "all", steering.TOP_ROWS)
    forms.request_follow(principal, follow_rows)

st.subheader("Circuits de saisine prévus par la lettre")
kinds = reference.activity_kinds().sort("sort_order")
table(
    pl.DataFrame({
        "Nature de la demande": kinds["activity_label"],
        "Circuit prévu": [reference.ROUTING_LABELS[r] for r in kinds["routing"]],
    }),
    "routing_rules", "Aucune nature d'activité.", title="Circuits de saisine prévus",
)  # fmt: skip

st.subheader("Par priorité")
if not availability.blocked(cache.request_delays):
    by_priority = delays.filter(pl.col("breakdown") == "priority")
    table(
        tables.request_delays(by_priority, "Priorité"), "delays_priority", "Aucune saisine reçue.",
        title=f"Délais par priorité, {scope}",
    )  # fmt: skip

st.subheader("Par Caf demandeuse")
if not availability.blocked(cache.request_delays):
    by_caf = delays.filter(pl.col("breakdown") == "caf")
    table(
        tables.request_delays(by_caf, "Caf"), "delays_caf", "Aucune saisine reçue sur la période.",
        title=f"Délais par Caf demandeuse, {scope}",
    )  # fmt: skip

st.subheader("Participation aux frais de déplacement")
if not availability.blocked(cache.travel_fees):
    fees = cache.travel_fees(period, filters.pole_code)
    st.markdown(
        f"Forfait par intervention départementale : **{fmt.euros(reference.travel_fee_eur())}** · "
        f"total {filters.year} : **{fmt.euros(fees['travel_fee_eur'].sum())}** pour "
        f"{fmt.number(fees['interventions_count'].sum())} intervention(s)"
    )
    left, right = st.columns(2)
    with left:
        table(
            tables.travel_fees_by_caf(fees), "fees_caf", "Aucune participation à facturer.",
            title=f"Frais de déplacement par Caf, {scope}",
        )  # fmt: skip
    with right:
        table(
            tables.travel_fees_by_month(fees), "fees_month", "Aucune intervention facturable.",
            title=f"Frais de déplacement par mois, {scope}",
        )  # fmt: skip
    st.caption(
        ui.provenance(
            info, f"{filters.pole_label}, {period.label}", "activités départementales réalisées"
        )
    )
