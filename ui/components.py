"""Boxes that every page uses: a chart with its scope, source, data date and the table
behind it one click away; pace badges; data problems."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from sppe_data import fmt
from sppe_data.api import DataInfo
from sppe_data.labels import PACE_STATUS


def provenance(info: DataInfo, scope: str, source: str) -> str:
    """The line under every box: scope, source and data date."""
    return (
        f"Périmètre : {scope} · Source : {source} ({info.source_label}) · "
        f"Données au {fmt.day(info.data_date)}"
    )


def chart_box(
    fig: go.Figure, table: pl.DataFrame, caption: str, key: str, on_select: str = "ignore"
) -> None:
    """A chart and, one click away, the table behind it. ``on_select="rerun"`` makes the
    chart's points selectable: the selection is then in ``st.session_state["chart_<key>"]``."""
    with st.container(border=True):
        tab_chart, tab_table = st.tabs(["Graphique", "Données du graphique"])
        with tab_chart:
            st.plotly_chart(
                fig,
                theme=None,
                key=f"chart_{key}",
                config={"displaylogo": False},
                on_select=on_select,
            )
        with tab_table:
            st.dataframe(table, hide_index=True, key=f"table_{key}")
        st.caption(caption)


def pace_badge(status: str) -> None:
    s = PACE_STATUS[status]
    st.badge(f"{s.symbol} {s.label}", color=s.badge)


def show_problems(info: DataInfo) -> None:
    """Missing or unreadable files: a clear French message, never a stack trace."""
    for message in info.problems:
        st.error(message, icon="⚠️")


def kpi_card(row: dict) -> None:
    """One targeted indicator: realised, target, % achieved, expected to date, pace
    status (text and colour) and year-end forecast."""
    status = PACE_STATUS[row["pace_status"]]
    with st.container(border=True):
        st.markdown(f"**{row['indicator_label']}**")
        realised = fmt.number(row["realised_count"])
        target = fmt.smart(round(row["target_count"], 1))
        # Only figures formatted here go into this HTML, never free text.
        st.markdown(
            f"<span style='font-size:2rem;font-weight:600'>{realised}</span>"
            f" <span style='color:#555'>réalisés sur {target}"
            f" (cible) · {fmt.percent(row['achieved_share'])} atteint</span>",
            unsafe_allow_html=True,
        )
        st.badge(f"{status.symbol} {status.label}", color=status.badge)
        st.markdown(
            f"Attendu à date : **{fmt.number(row['expected_count'], 1)}** · "
            f"rythme **{fmt.percent(row['pace_ratio'])}**  \n"
            f"Prévision fin de période : **{fmt.number(row['forecast_count'])}**"
        )
