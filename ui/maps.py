"""Map boxes: a pydeck map with its legend drawn in Streamlit, and the table behind
it one click away; the coverage upload section."""

from __future__ import annotations

import html

import polars as pl
import streamlit as st

from geo.deck import HEIGHT, MapView


def legend(view: MapView) -> None:
    """The legend: a swatch and a French label per colour (labels escaped)."""
    rows = []
    for item in view.legend:
        radius = "50%" if item.shape == "circle" else "2px"
        rows.append(
            "<div style='display:flex;align-items:center;gap:.5rem;margin:.2rem 0'>"
            f"<span style='display:inline-block;width:14px;height:14px;flex:none;"
            f"background:{html.escape(item.colour)};border-radius:{radius};"
            "border:1px solid #999'></span>"
            f"<span>{html.escape(item.label)}</span></div>"
        )
    st.markdown(f"**{html.escape(view.legend_title)}**")
    st.markdown("".join(rows), unsafe_allow_html=True)


def map_box(view: MapView, table: pl.DataFrame, caption: str, key: str) -> None:
    """A map, its legend, and the table behind it one click away."""
    with st.container(border=True):
        tab_map, tab_table = st.tabs(["Carte", "Données de la carte"])
        with tab_map:
            col_map, col_legend = st.columns([4, 1])
            with col_map:
                st.pydeck_chart(view.deck, height=HEIGHT, key=f"map_{key}")
            with col_legend:
                legend(view)
        with tab_table:
            st.dataframe(table, hide_index=True, key=f"table_{key}")
        st.caption(caption)


@st.cache_data(show_spinner=False, max_entries=8)
def pole_map_png(departements: pl.DataFrame, title: str, subtitle: str) -> bytes:
    """The national pôle map as PNG (kaleido + Chromium: seconds), cached: the pôle
    mapping rarely changes, and a second click serves the same image at once."""
    from charts.pole_map import figure_png, pole_map_figure
    from geo import boundaries

    fig = pole_map_figure(boundaries.national_layout(screen=True), departements, title, subtitle)
    return figure_png(fig)


def coverage_upload(key: str = "coverage_upload") -> None:
    """Upload of a data.caf.fr coverage file: the whole file is checked, and the
    layer replaced only when every row is valid."""
    from sppe_data.coverage import MAX_ERRORS_SHOWN, import_coverage

    with st.expander("Mettre à jour les taux de couverture (fichier data.caf.fr)"):
        st.caption(
            "Fichier CSV « txcouv_pe_dep » de data.caf.fr : séparateur point-virgule, "
            "UTF-8, une ou plusieurs années. Le fichier entier est vérifié ; les taux en "
            "place ne sont remplacés que si toutes les lignes sont lisibles."
        )
        upload = st.file_uploader("Fichier CSV", type=["csv"], key=key)
        if upload is None or not st.button("Importer", key=f"{key}_go"):
            return
        report = import_coverage(upload.getvalue())
        if report.ok:
            st.success(report.summary())
        else:
            st.error(report.summary())
            # Cells from the file are shown in a table, never as markdown.
            st.dataframe(
                pl.DataFrame({"Problème": report.errors[:MAX_ERRORS_SHOWN]}), hide_index=True
            )
        if report.notes:
            st.info("Lignes mises de côté :\n\n" + "\n".join(f"- {n}" for n in report.notes))
