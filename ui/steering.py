"""Small display helpers of the steering pages."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
import streamlit as st

from sppe_data import fmt
from sppe_data.api import data_info
from ui import exports
from ui.signin import can_export

PLACEHOLDER = "–"  # what an empty cell of a table shows (never "None")


def table(
    frame: pl.DataFrame,
    key: str,
    empty_message: str,
    column_config: dict | None = None,
    *,
    title: str | None = None,
) -> None:
    """A table, or a French sentence when it has no row (never an empty grid); with a
    ``title``, its CSV and XLSX downloads for the roles with the export right."""
    if frame.is_empty():
        st.info(empty_message, icon=":material/info:")
        return
    st.dataframe(
        frame, hide_index=True, column_config=column_config, placeholder=PLACEHOLDER, key=key
    )
    if title:
        exports.table_downloads(frame, key, title, data_info().data_date)


def drill_down_choice(breakdown: pl.DataFrame, dimension_label: str, chart_key: str) -> tuple:
    """The (activity_kind, dim_key) whose activities to list: a point clicked on the chart
    ``chart_key`` when it belongs to the current breakdown, else the two selectboxes
    ('all' means no filter). ``breakdown``: activity_breakdown rows."""
    kinds = dict(
        breakdown.unique("activity_kind")
        .sort("kind_sort")
        .select("activity_kind", "activity_label")
        .rows()
    )
    values = dict(breakdown.unique("dim_key").sort("dim_key").select("dim_key", "dim_label").rows())
    left, right = st.columns(2)
    kind = left.selectbox(
        "Type d'activité", ["all", *kinds], format_func=lambda k: kinds.get(k, "Tous"),
        key="drill_kind",
    )  # fmt: skip
    dim_key = right.selectbox(
        dimension_label, ["all", *values], format_func=lambda k: values.get(k, "Tous"),
        key="drill_value",
    )  # fmt: skip
    selection = st.session_state.get(f"chart_{chart_key}") or {}
    points = (selection.get("selection") or {}).get("points") or []
    clicked = points[0].get("customdata") if points else None
    if clicked and clicked[0] in kinds and clicked[1] in values:
        kind, dim_key = clicked
        st.info(f"Sélection du graphique : {kinds[kind]} · {values[dim_key]}")
    return kind, dim_key


DAY = "DD/MM/YYYY"

#: Display formats of the long lists of ``charts.steering_tables`` (typed columns).
ACTIVITY_DETAIL_COLUMNS = {
    "Date": st.column_config.DateColumn(format=DAY),
    "Jours passés": st.column_config.NumberColumn(format="localized"),
    "Indus détectés": st.column_config.NumberColumn(format="euro"),
    "Indus recouvrés": st.column_config.NumberColumn(format="euro"),
    "Frais de déplacement": st.column_config.NumberColumn(format="euro"),
}
LATE_ITEMS_COLUMNS = {
    "Date prévue": st.column_config.DateColumn(format=DAY),
    "Jours de retard": st.column_config.NumberColumn(format="localized"),
}
OPEN_REQUESTS_COLUMNS = {
    "Reçue le": st.column_config.DateColumn(format=DAY),
    "Ancienneté": st.column_config.NumberColumn(format="%d j"),
}
PARTNERS_COLUMNS = {
    # "localized" and "euro" follow the browser's language: 2 500 and 2 500,00 € in French.
    "Caf couvertes": st.column_config.NumberColumn(format="localized"),
    "Établissements": st.column_config.NumberColumn(format="localized"),
    "Contrôles réalisés": st.column_config.NumberColumn(format="localized"),
    "Avec constats": st.column_config.NumberColumn(format="localized"),
    "Indus détectés": st.column_config.NumberColumn(format="euro"),
}


def top_caption(shown: int, total: int, order: str, downloadable: bool) -> str:
    """« 200 premières lignes sur 70 791, les plus en retard d'abord ; … » when the table
    shows part of its list, else « 12 lignes. »."""
    if total <= shown:
        return f"{fmt.number(total)} ligne{'s' if total > 1 else ''}."
    text = f"{fmt.number(shown)} premières lignes sur {fmt.number(total)}, {order}"
    if downloadable:
        return text + " ; téléchargez le tableau complet (CSV ou Excel) ci-dessous."
    return text + "."


def top_table(
    frame: pl.DataFrame,
    total: int,
    key: str,
    empty_message: str,
    *,
    order: str,
    column_config: dict,
    title: str,
    full: Callable[[], pl.DataFrame],
) -> None:
    """The first rows of a long list (``frame``, already cut and formatted), the size of
    the whole list (``total``) in a caption, and for the export roles the whole list as
    CSV and Excel, read by ``full`` only when a download is clicked."""
    if frame.is_empty():
        st.info(empty_message, icon=":material/info:")
        return
    st.dataframe(
        frame, hide_index=True, column_config=column_config, placeholder=PLACEHOLDER, key=key
    )
    st.caption(top_caption(frame.height, total, order, can_export()))
    exports.table_downloads(full, key, title, data_info().data_date)
