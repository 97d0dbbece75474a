"""Contrôles: outcomes of the controls (findings, undue amounts detected and
recovered) by equipment kind and by pôle; multi-département partners and watch-list."""

import polars as pl
import streamlit as st

from charts import steering as charts
from charts import steering_tables as tables
from sppe_data import api, fmt, steering
from ui import availability, cache
from ui import components as ui
from ui.filters import current
from ui.steering import top_table

filters = current()
info = api.data_info()
st.title("Contrôles : résultats et partenaires")
ui.show_problems(info)
availability.stop_if_unavailable(cache.control_outcomes)
period = steering.year_period(filters.year)
scope = f"{filters.pole_label}, {period.label}"
outcomes = cache.control_outcomes(period, filters.pole_code)
total = outcomes.filter(pl.col("breakdown") == "all").row(0, named=True)

m1, m2, m3, m4, m5 = st.columns(5)
m1.metric("Contrôles réalisés", fmt.number(total["controls_count"]))
m2.metric("Part avec constats", fmt.percent(total["findings_share"], 1))
m3.metric("Indus détectés", fmt.euros(total["undue_amount_eur"]))
m4.metric("Indus recouvrés", fmt.euros(total["recovered_amount_eur"]))
m5.metric("Taux de recouvrement", fmt.percent(total["recovery_share"], 1))
st.caption(
    "Contrôles : "
    + ", ".join(steering.control_kind_labels()).lower()
    + ". Part avec constats calculée sur les contrôles dont le résultat est saisi. "
    + ui.provenance(info, scope, "activités de contrôle réalisées")
)
st.page_link("app_pages/glossaire.py", label="Définitions (glossaire)", icon=":material/menu_book:")

for breakdown, heading, first in (
    ("equipment", "Par type d'équipement", "Type d'équipement"),
    ("pole", "Par pôle", "Pôle"),
):
    st.subheader(heading)
    rows = outcomes.filter(pl.col("breakdown") == breakdown)
    ui.chart_box(
        charts.grouped_bars(
            rows["label"].to_list(),
            {
                "Indus détectés (€)": rows["undue_amount_eur"].to_list(),
                "Indus recouvrés (€)": rows["recovered_amount_eur"].to_list(),
            },
            f"Indus détectés et recouvrés, {heading.lower()}",
            scope,
            "Euros",
            horizontal=breakdown == "equipment",
        ),
        tables.control_outcomes(rows, first),
        ui.provenance(info, scope, "activités de contrôle réalisées"),
        key=f"controls_{breakdown}",
    )

st.subheader("Partenaires multi-départementaux")
if not availability.blocked(cache.partner_controls):
    # The first partners (they hold the first ones of the watch-list) and the counts.
    partners = cache.partner_controls(filters.pole_code, steering.TOP_ROWS)
    watch = partners.filter(pl.col("is_on_watch_list"))
    partners_count = steering.total_count(partners)
    watch_count = steering.total_count(partners, "watch_count")
    levels = ", ".join(
        steering.label("risk_levels", r) for r in steering.rules()["partners"]["watch_risk_levels"]
    )
    st.markdown(
        f"**Sous surveillance : {fmt.number(watch_count)} partenaire(s)** "
        f"sur {fmt.number(partners_count)}"
    )
    top_table(
        tables.partners(watch),
        watch_count,
        "watch_list",
        "Aucun partenaire sous surveillance.",
        order="par nom",
        title=f"Partenaires sous surveillance, {filters.pole_label}",
        full=lambda p=filters.pole_code: tables.partners(
            steering.partner_controls(p).filter(pl.col("is_on_watch_list"))
        ),
    )
    st.caption(
        f"Sous surveillance : niveau de risque {levels.lower()}, ou constats lors du dernier "
        "contrôle. "
        + ui.provenance(
            info,
            f"{filters.pole_label}, contrôles jusqu'au {fmt.day(info.today)}",
            "partenaires et contrôles",
        )
    )
    with st.expander("Tous les partenaires"):
        top_table(
            tables.partners(partners),
            partners_count,
            "partners_all",
            "Aucun partenaire multi-départemental.",
            order="ceux sous surveillance d'abord, puis par nom",
            title=f"Partenaires multi-départementaux, {filters.pole_label}",
            full=lambda p=filters.pole_code: tables.partners(steering.partner_controls(p)),
        )
