"""Comité opérationnel: for a chosen month, one view for risk control and one for
engineering: the month's activity, what is planned next, late items, requests waiting."""

from datetime import date

import polars as pl
import streamlit as st

from charts import steering as charts
from charts import steering_tables as tables
from sppe_data import api, fmt, steering
from sppe_data.governance.model import DOMAIN_COMMITTEE
from sppe_data.reference import DOMAIN_LABELS
from ui import availability, cache
from ui import components as ui
from ui.filters import current
from ui.governance_meetings import meeting_section
from ui.signin import current as signed_in
from ui.steering import OPEN_REQUESTS_COLUMNS, top_table

filters = current()
info = api.data_info()
st.title("Comité opérationnel")
ui.show_problems(info)

months = [date(filters.year, m, 1) for m in range(1, 13)]
default_month = info.today.month - 1 if info.today.year == filters.year else 11
c1, c2 = st.columns(2)
month_start = c1.selectbox(
    "Mois", months, index=default_month, format_func=fmt.month, key="mois", bind="query-params"
)
domain = c2.radio(
    "Comité", list(DOMAIN_LABELS), format_func=DOMAIN_LABELS.get, horizontal=True,
    key="comite", bind="query-params",
)  # fmt: skip
month = steering.month_period(month_start)
as_of = steering.month_as_of(month_start)
scope = f"{filters.pole_label}, {month.label}, {DOMAIN_LABELS[domain].lower()}"

ops = cache.ops_month_activity(month_start, domain, filters.pole_code)
# The first rows of the long lists, with the size of each whole list (the metrics).
late = cache.ops_late_items(month_start, domain, filters.pole_code, steering.TOP_ROWS)
waiting = cache.requests_open(as_of, filters.pole_code, domain, steering.TOP_ROWS)
late_count, waiting_count = steering.total_count(late), steering.total_count(waiting)
m1, m2, m3, m4 = st.columns(4)
activity_reads = (cache.ops_month_activity, cache.ops_late_items)
availability.metric(
    m1, "Réalisées dans le mois", fmt.number(ops["done_count"].sum()), *activity_reads
)
availability.metric(
    m2, "Prévues le mois suivant", fmt.number(ops["planned_next_count"].sum()), *activity_reads
)
availability.metric(m3, "Activités en retard", fmt.number(late_count), *activity_reads)
availability.metric(m4, "Saisines en attente", fmt.number(waiting_count), cache.requests_open)

st.subheader("L'activité du mois")
if not availability.blocked(*activity_reads):
    by_pole = (
        ops.group_by("pole_short_label", "pole_sort")
        .agg(pl.col("done_count").sum(), pl.col("planned_next_count").sum())
        .sort("pole_sort")
    )
    ui.chart_box(
        charts.grouped_bars(
            by_pole["pole_short_label"].to_list(),
            {
                "Réalisées dans le mois": by_pole["done_count"].to_list(),
                "Prévues le mois suivant": by_pole["planned_next_count"].to_list(),
            },
            f"{DOMAIN_LABELS[domain]} : activités du mois et du mois suivant",
            scope,
            "Activités",
        ),
        tables.ops_activity(ops),
        ui.provenance(info, scope, "activités (réalisées ; prévues ou en cours)"),
        key="ops_month",
    )

st.subheader("Activités en retard")
if not availability.blocked(*activity_reads):
    top_table(
        tables.late_items(late),
        late_count,
        "ops_late",
        "Aucune activité en retard.",
        order="les plus en retard d'abord",
        title=f"Activités en retard, {scope}",
        full=lambda m=month_start, d=domain, p=filters.pole_code: tables.late_items(
            steering.ops_late_items(m, d, p)
        ),
    )
    st.caption(
        f"Prévues ou en cours plus de {steering.rules()['operations']['late_after_days']} "
        f"jours après leur date, au {fmt.day(as_of)}. " + ui.provenance(info, scope, "activités")
    )

st.subheader("Saisines en attente")
if not availability.blocked(cache.requests_open):
    top_table(
        tables.open_requests(waiting),
        waiting_count,
        "ops_requests",
        "Aucune saisine en attente.",
        order="les plus anciennes d'abord",
        column_config=OPEN_REQUESTS_COLUMNS,
        title=f"Saisines en attente, {scope}",
        full=lambda a=as_of, p=filters.pole_code, d=domain: tables.open_requests(
            steering.requests_open(a, p, d)
        ),
    )
    st.caption(
        f"Reçues et non closes au {fmt.day(as_of)}. " + ui.provenance(info, scope, "saisines")
    )

meeting_section(
    signed_in(), DOMAIN_COMMITTEE[domain], month.start, month.end, min(info.today, month.end)
)
