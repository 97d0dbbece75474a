"""Boxes that every page uses: a chart with its scope, source, data date and the table
behind it one click away; pace badges; data problems."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from sppe_data import db, fmt
from sppe_data.api import DataInfo, data_info
from sppe_data.labels import PACE_STATUS
from ui import exports
from ui.steering import column_formats

NO_ROWS = "Aucune ligne pour cette sélection."


def french_chrome() -> None:
    """Hides or rewrites the English that Streamlit writes itself:

    - under the text boxes (« Press Enter to submit form », « Press Ctrl+Enter to
      apply ») and in an empty date box (« YYYY/MM/DD »): each form has its French
      button and each date its French label;
    - the toolbar over the tables and charts (« Search », « Fullscreen », « Download as
      CSV », « Show/hide columns »: no option turns it off or translates it) and the
      menu of a table's column headers (« Sort ascending », « Format », « Pin column »):
      a header click still sorts, and each table has its French downloads under it;
    - the size of an uploaded file (« 2.1KB »): its name is shown, and the page says
      what the file holds once read;
    - the link for keyboard and screen-reader users, shown on focus: « Aller au contenu
      principal » (the link stays; only its words change)."""
    st.html(
        "<style>"
        '[data-testid="InputInstructions"]{display:none}'
        '[data-testid="stDateInput"] input::placeholder{color:transparent}'
        '[data-testid="stElementToolbar"]{display:none}'
        '[data-testid="stDataFrameColumnMenu"]{display:none}'
        '[data-testid="stFileChipName"]+*{display:none}'
        '[data-testid="stSkipToContent"]{font-size:0}'
        '[data-testid="stSkipToContent"]::after'
        '{content:"Aller au contenu principal";font-size:1rem}'
        "</style>"
    )


def provenance(info: DataInfo, scope: str, source: str) -> str:
    """The line under every box: scope, source and data date."""
    return (
        f"Périmètre : {scope} · Source : {source} ({info.source_label}) · "
        f"Données au {fmt.day(info.data_date)}"
    )


# No plotly toolbar: its buttons speak English (« Zoom », « Autoscale »…) and a chart
# exports from its own French buttons. Dragging still zooms, a double click resets.
CHART_CONFIG = {"displayModeBar": False, "displaylogo": False}


def chart_box(
    fig: go.Figure,
    table: pl.DataFrame,
    caption: str,
    key: str,
    *,
    scope: str | None = None,
    source: str | None = None,
    on_select: str = "ignore",
) -> None:
    """A chart and, one click away, the table behind it; the chart downloads as PNG,
    SVG and PDF (title, scope, source and data date inside), the table as CSV and XLSX.
    ``scope`` defaults to the figure's subtitle, ``source`` to the data source label.
    ``on_select="rerun"`` makes the chart's points selectable: the selection is then in
    ``st.session_state["chart_<key>"]``."""
    info = data_info()
    title, subtitle = exports.figure_title(fig)
    with st.container(border=True):
        tab_chart, tab_table = st.tabs(["Graphique", "Données du graphique"])
        with tab_chart:
            st.plotly_chart(
                fig,
                theme=None,
                key=f"chart_{key}",
                config=CHART_CONFIG,
                on_select=on_select,
            )
            exports.chart_downloads(
                fig, key, scope or subtitle, source or info.source_label, info.data_date
            )
        with tab_table:
            if table.is_empty():  # a French sentence, not Streamlit's « empty » grid
                st.info(NO_ROWS, icon=":material/info:")
            else:
                st.dataframe(
                    table, hide_index=True, column_config=column_formats(table),
                    key=f"table_{key}",
                )  # fmt: skip
                exports.table_downloads(table, key, title, info.data_date)
        st.caption(caption)


def table_box(table: pl.DataFrame, caption: str, key: str, title: str) -> None:
    """A table with its CSV and XLSX downloads and its caption (scope, source, date)."""
    info = data_info()
    with st.container(border=True):
        if table.is_empty():
            st.info(NO_ROWS, icon=":material/info:")
        else:
            st.dataframe(
                table, hide_index=True, column_config=column_formats(table), key=f"table_{key}"
            )
            exports.table_downloads(table, key, title, info.data_date)
        st.caption(caption)


def pace_badge(status: str) -> None:
    s = PACE_STATUS[status]
    st.badge(f"{s.symbol} {s.label}", color=s.badge)


def show_problems(info: DataInfo) -> None:
    """Inconsistent reference files: a clear French message, never a stack trace. A
    missing or unreadable extract is said where the figures it feeds would be
    (``ui.availability``), so that a page says nothing of the extracts it does not read."""
    unavailable = set(db.unavailable_extracts().values())
    for message in info.problems:
        if message not in unavailable:
            st.error(message, icon="⚠️")


def kpi_card(row: dict, note: str = "") -> None:
    """One targeted indicator: realised, target, % achieved, expected to date, pace
    status (text and colour) and year-end forecast. ``note``: a line under the realised
    figure (e.g. the activities a mission total counts outside every pôle)."""
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
        if note:
            st.caption(note)
        st.badge(f"{status.symbol} {status.label}", color=status.badge)
        st.markdown(
            f"Attendu à date : **{fmt.number(row['expected_count'], 1)}** · "
            f"rythme **{fmt.percent(row['pace_ratio'])}**  \n"
            f"Prévision fin de période : **{fmt.number(row['forecast_count'])}**"
        )
