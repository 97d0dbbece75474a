"""Small display helpers of the steering pages."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
import streamlit as st

from exports.tables import EURO_COLUMNS, MONTH_COLUMNS, PERCENT_COLUMNS, YEAR_COLUMNS
from sppe_data import fmt
from sppe_data.api import data_info
from ui import exports
from ui.signin import can_export

PLACEHOLDER = "–"  # what an empty cell of a table shows (never "None")


DAY = "DD/MM/YYYY"
MONTH = "MM/YYYY"


def column_formats(frame: pl.DataFrame, column_config: dict | None = None) -> dict:
    """French display formats of a typed frame's columns, from their types and, for
    amounts, shares and months, their headers (``exports.tables``): dates 28/11/2026,
    months 11/2026, numbers 1 234,5, amounts 1 234,00 €, shares 12,5 % (the browser's
    French locale). ``column_config`` entries win over these."""
    formats: dict = {}
    for name, dtype in frame.schema.items():
        if dtype == pl.Date:
            day = MONTH if name in MONTH_COLUMNS else DAY
            formats[name] = st.column_config.DateColumn(format=day)
        elif dtype.is_numeric():
            if name in EURO_COLUMNS:
                number = "euro"
            elif name in PERCENT_COLUMNS:
                number = "percent"
            elif name.lower() in YEAR_COLUMNS:
                number = "plain"
            else:
                number = "localized"
            formats[name] = st.column_config.NumberColumn(format=number)
    return formats | (column_config or {})


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
        frame,
        hide_index=True,
        column_config=column_formats(frame, column_config),
        placeholder=PLACEHOLDER,
        key=key,
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


#: Formats the column types do not give (``column_formats`` gives the others).
OPEN_REQUESTS_COLUMNS = {"Ancienneté": st.column_config.NumberColumn(format="%d j")}


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
    column_config: dict | None = None,
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
        frame,
        hide_index=True,
        column_config=column_formats(frame, column_config),
        placeholder=PLACEHOLDER,
        key=key,
    )
    st.caption(top_caption(frame.height, total, order, can_export()))
    exports.table_downloads(full, key, title, data_info().data_date)
