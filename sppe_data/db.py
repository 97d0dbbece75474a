"""The one place that runs SQL.

``run_sql(name, **params)`` loads ``queries/<name>.sql``, binds the named parameters
(``$name`` in the SQL, never string formatting), runs it on a fresh cursor of the
process-wide connection and returns a polars DataFrame.
"""

from __future__ import annotations

from functools import cache

import polars as pl
import streamlit as st

from sppe_data.catalog import Catalog, build_catalog
from sppe_data.extracts import data_version
from sppe_data.settings import QUERIES_DIR, get_settings


@st.cache_resource(show_spinner=False, max_entries=2)
def _catalog(extracts_dir: str, version: str) -> Catalog:
    # One catalog per data version: a new import builds a new one (views, problems).
    from pathlib import Path

    from sppe_data import journal

    engine = journal.engine()
    catalog = build_catalog(Path(extracts_dir), connection=engine.connection.cursor())
    if engine.problem:
        catalog.problems.append(engine.problem)
    return catalog


def catalog() -> Catalog:
    extracts_dir = get_settings().extracts_dir
    return _catalog(str(extracts_dir), data_version(extracts_dir))


def current_version() -> str:
    """Extract files + journal revision: a journal write changes it, so the cached reads
    see the new entry at once (and only the read caches are affected)."""
    from sppe_data import journal

    return f"{data_version(get_settings().extracts_dir)}|journal:{journal.revision()}"


@cache
def load_query(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise ValueError(f"invalid query name: {name!r}")
    return (QUERIES_DIR / f"{name}.sql").read_text(encoding="utf-8")


def run_sql(name: str, **params: object) -> pl.DataFrame:
    cursor = catalog().connection.cursor()
    try:
        return cursor.sql(load_query(name), params=params or None).pl()
    finally:
        cursor.close()


def data_problems() -> list[str]:
    """French messages about missing, unreadable or inconsistent data files."""
    return list(catalog().problems)
