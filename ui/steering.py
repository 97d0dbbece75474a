"""Small display helpers of the steering pages."""

from __future__ import annotations

import polars as pl
import streamlit as st


def table(frame: pl.DataFrame, key: str, empty_message: str) -> None:
    """A table, or a French sentence when it has no row (never an empty grid)."""
    if frame.is_empty():
        st.info(empty_message, icon=":material/info:")
    else:
        st.dataframe(frame, hide_index=True, key=key)


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
