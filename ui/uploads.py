"""A file upload box that speaks French: Streamlit's own uploader writes "Upload" and
"200MB per file" in English; this replaces those words, with CSS only, in every upload
box of the page where it is called."""

from __future__ import annotations

import streamlit as st


def french_uploader(max_mb: int, kinds: str) -> None:
    """Replaces the English of the upload boxes of the page: the button says « Choisir
    un fichier » and the line under it gives the size limit and the formats."""
    note = f"{max_mb} Mo au plus par fichier · {kinds}".replace('"', "")
    st.html(
        "<style>"
        '[data-testid="stFileUploaderDropzoneInstructions"] span,'
        '[data-testid="stFileUploaderDropzoneInstructions"] small{font-size:0}'
        '[data-testid="stFileUploaderDropzoneInstructions"] span::after,'
        '[data-testid="stFileUploaderDropzoneInstructions"] small::after'
        f'{{content:"{note}";font-size:.875rem}}'
        '[data-testid="stFileUploaderDropzone"] button p{font-size:0}'
        '[data-testid="stFileUploaderDropzone"] button p::after'
        '{content:"Choisir un fichier";font-size:.875rem}'
        "</style>"
    )
