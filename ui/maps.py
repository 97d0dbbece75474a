"""Map boxes: a map (``charts.maps``) with its legend drawn in Streamlit, and the table
behind it one click away; the coverage upload section."""

from __future__ import annotations

import html
from datetime import date

import polars as pl
import streamlit as st

from charts.maps import CONFIG, HEIGHT, MapView
from sppe_data.auth import IMPORT_ROLES, AccessDenied
from ui import signin
from ui.signin import can_export
from ui.steering import PLACEHOLDER, column_formats


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
                st.plotly_chart(
                    view.figure, theme=None, height=HEIGHT, config=CONFIG, key=f"map_{key}"
                )
            with col_legend:
                legend(view)
                st.caption("Glisser pour déplacer, molette pour zoomer, double-clic pour revenir.")
        with tab_table:
            st.dataframe(
                table,
                hide_index=True,
                column_config=column_formats(table),
                placeholder=PLACEHOLDER,
                key=f"table_{key}",
            )
        st.caption(caption)


@st.cache_data(show_spinner=False, max_entries=8)
def pole_map_png(
    departements: pl.DataFrame, title: str, scope: str, source: str, data_date: date | None
) -> bytes:
    """The national pôle map as a 16:9 PNG for meetings (title, scope, source and data
    date inside), rendered by the shared Chromium; cached, as the mapping rarely changes."""
    from charts.pole_map import EXPORT_ZOOM, pole_map_figure
    from exports import images
    from geo import boundaries

    fig = pole_map_figure(
        boundaries.national_layout(screen=True), departements, title, scope, zoom=EXPORT_ZOOM
    )
    return images.figure_to_image(fig, "png", title, scope, source, data_date)


def pole_map_download(
    departements: pl.DataFrame, title: str, scope: str, source: str, data_date: date | None
) -> None:
    """The PNG download of the pôle map, built only when clicked (export roles only)."""
    from exports import images

    if not can_export():
        return
    if not images.available():
        st.caption("Export d'image indisponible : Chromium n'est pas installé sur le serveur.")
        return
    st.download_button(
        "Télécharger la carte des pôles (PNG 16:9)",
        data=lambda: pole_map_png(departements, title, scope, source, data_date),
        file_name="carte_des_poles.png",
        mime="image/png",
        on_click="ignore",
        icon=":material/download:",
        key="png_dl",
    )


COVERAGE_UPLOAD_MB = 20


def coverage_upload(key: str = "coverage_upload") -> None:
    """Upload of a data.caf.fr coverage file (import roles only): the whole file is
    checked; when every row is valid, the years it contains replace those years only
    (the import of the national extracts, page « Imports des extractions »)."""
    from sppe_data.coverage import MAX_ERRORS_SHOWN, import_coverage
    from ui.journal_forms import plain
    from ui.uploads import french_uploader

    principal = signin.current()
    if principal is None or principal.role not in IMPORT_ROLES:
        return
    with st.expander("Mettre à jour les taux de couverture (fichier data.caf.fr)"):
        st.caption(
            "Fichier CSV « txcouv_pe_dep » de data.caf.fr (séparateur point-virgule, "
            "UTF-8), Excel ou Parquet, une ou plusieurs années. Le fichier entier est "
            "vérifié ; il ne remplace que les années qu'il contient, et seulement si toutes "
            "ses lignes sont lisibles. Historique et retour arrière : page « Imports des "
            "extractions »."
        )
        french_uploader(COVERAGE_UPLOAD_MB, "CSV, XLSX, Parquet")
        upload = st.file_uploader(
            "Fichier des taux de couverture",
            type=["csv", "xlsx", "parquet"],
            max_upload_size=COVERAGE_UPLOAD_MB,
            key=key,
        )
        if upload is None or not st.button("Importer", key=f"{key}_go"):
            return
        try:
            result = import_coverage(upload.getvalue(), principal=principal, filename=upload.name)
        except AccessDenied as exc:
            st.error(str(exc))
            return
        # Messages may quote the file: markdown characters escaped; cells in tables.
        if result.ok:
            st.success(plain(result.message))
        else:
            st.error(plain(result.message))
            st.dataframe(result.report.head(MAX_ERRORS_SHOWN), hide_index=True)
        if result.notes:
            st.dataframe(pl.DataFrame({"Lignes mises de côté": result.notes}), hide_index=True)
