"""Download buttons for charts (PNG, SVG, PDF) and tables (CSV, Excel).

Files are built only when the button is clicked (deferred ``data`` callable) and the
click does not rerun the page (``on_click="ignore"``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from exports import images
from exports.tables import CSV_MIME, XLSX_MIME, table_to_csv, table_to_xlsx
from ui.signin import can_export

IMAGE_LABELS = {"png": "PNG", "svg": "SVG", "pdf": "PDF"}


def file_stem(title: str, on: date | None) -> str:
    """``Contrôles sensibles : réalisé`` -> ``controles-sensibles-realise_2026-11-26``."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60] or "export"
    return f"{slug}_{on.isoformat()}" if on else slug


def figure_title(fig: go.Figure) -> tuple[str, str]:
    """The (title, subtitle) of a figure built with ``charts.theme.titled``."""
    title = fig.layout.title
    subtitle = title.subtitle.text if title and title.subtitle else None
    return (title.text or "Graphique"), (subtitle or "")


def chart_downloads(
    fig: go.Figure, key: str, scope: str, source: str, data_date: date | None
) -> None:
    """PNG / SVG / PDF of the chart, with its title, scope, source and data date inside.
    Nothing for roles without the export right (committee readers, pôles)."""
    if not can_export():
        return
    title, subtitle = figure_title(fig)
    if not images.available():
        st.caption("Export d'image indisponible : Chromium n'est pas installé sur le serveur.")
        return
    stem = file_stem(title, data_date)
    with st.container(horizontal=True, vertical_alignment="center"):
        st.caption("Télécharger l'image :", width="content")
        for fmt_name, label in IMAGE_LABELS.items():
            st.download_button(
                label,
                data=lambda f=fmt_name: images.figure_to_image(
                    fig, f, title, subtitle or scope, source, data_date
                ),
                file_name=f"{stem}.{fmt_name}",
                mime=images.FORMATS[fmt_name],
                on_click="ignore",
                icon=":material/download:",
                key=f"dl_{fmt_name}_{key}",
                help=f"Image {label} 16:9 avec titre, périmètre, source et date des données",
            )


def table_downloads(
    table: pl.DataFrame | Callable[[], pl.DataFrame], key: str, title: str, data_date: date | None
) -> None:
    """CSV (French Excel) and XLSX (typed columns) of a table, for the export roles.
    ``table`` may be a function that builds it: then it is built only when clicked."""
    if not can_export():
        return
    build = table if callable(table) else (lambda: table)
    stem = file_stem(title, data_date)
    with st.container(horizontal=True, vertical_alignment="center"):
        st.caption("Télécharger le tableau :", width="content")
        st.download_button(
            "CSV",
            data=lambda: table_to_csv(build()),
            file_name=f"{stem}.csv",
            mime=CSV_MIME,
            on_click="ignore",
            icon=":material/download:",
            key=f"dl_csv_{key}",
            help="CSV pour Excel : séparateur « ; », virgule décimale, UTF-8",
        )
        st.download_button(
            "Excel",
            data=lambda: table_to_xlsx(build()),
            file_name=f"{stem}.xlsx",
            mime=XLSX_MIME,
            on_click="ignore",
            icon=":material/download:",
            key=f"dl_xlsx_{key}",
            help="Classeur Excel, colonnes typées (nombres, dates)",
        )
