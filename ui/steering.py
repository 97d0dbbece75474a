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
