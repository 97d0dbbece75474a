"""The one place that runs SQL on DuckDB.

``run_sql(name, **params)`` loads ``queries/<name>.sql``, binds the named parameters
(``$name`` in the SQL, never string formatting), runs it on a fresh cursor of the
process's catalog and returns a polars DataFrame.

The catalog (one in-memory DuckDB per extract version, at most two kept) holds the
reference tables, the extract views and a copy of the store's live journal rows; that
copy is reloaded when the store's revision of the entries changes, so every process
sees every committed write on its next query. A store that cannot be read raises
``store.StoreUnavailable``: figures without the journal would be silently incomplete.
"""

from __future__ import annotations

import threading
from functools import cache
from pathlib import Path

import polars as pl

from sppe_data import journal, store
from sppe_data.catalog import Catalog, build_catalog
from sppe_data.extracts import EXTRACTS, data_version
from sppe_data.settings import QUERIES_DIR, get_settings

MAX_CATALOGS = 2  # the current extract version, and the previous one during a swap

# Store tables whose change rebuilds the whole catalog (which extract version is current;
# the reference data edited in the app), unlike the journal's entries that are reloaded
# into the catalog in place. A counter absent from the store counts as 0.
REBUILD_TABLES = ("extract_versions", "reference_edits")

_catalogs: dict[tuple, Catalog] = {}
_catalogs_lock = threading.Lock()


def rebuild_key(revisions: dict[str, int]) -> tuple[int, ...]:
    return (
        revisions.get("store_generation", 0),
        *(revisions.get(t, 0) for t in REBUILD_TABLES),
    )


def _catalog(extracts_dir: Path, revisions: dict[str, int]) -> Catalog:
    key = (str(extracts_dir), data_version(extracts_dir), rebuild_key(revisions))
    found = _catalogs.get(key)
    if found is not None:
        return found
    with _catalogs_lock:
        found = _catalogs.get(key)
        if found is None:
            found = build_catalog(extracts_dir)
            while len(_catalogs) >= MAX_CATALOGS:
                _catalogs.pop(next(iter(_catalogs)))
            _catalogs[key] = found
    return found


def _sync_journal(catalog: Catalog, revisions: dict[str, int]) -> None:
    """Reloads the catalog's copy of the live journal rows if the store changed since."""
    key = journal.revision_key(revisions)
    if catalog.journal_key == key:
        return
    with catalog.lock:
        if catalog.journal_key == key:
            return
        frames = journal.live_frames()  # read after the revisions: never older than key
        cursor = catalog.connection.cursor()
        try:
            for name, frame in frames.items():
                cursor.register("_live", frame)
                cursor.execute(
                    f"create or replace table {journal.journal_table(name)} as select * from _live"
                )
                cursor.unregister("_live")
        finally:
            cursor.close()
        catalog.journal_key = key


def catalog() -> Catalog:
    """The process's catalog, its journal rows up to date with the store."""
    revisions = store.get_store().revisions()
    found = _catalog(get_settings().extracts_dir, revisions)
    _sync_journal(found, revisions)
    return found


def reset() -> None:
    """Forget the catalogs of this process (tests)."""
    with _catalogs_lock:
        _catalogs.clear()


def table_versions() -> dict[str, str]:
    """Extract name -> version: the extract files, plus the store's revision for the
    tables the journal feeds. A cached read keyed by the versions of the tables it reads
    is invalidated by a write to those tables only."""
    revisions = store.get_store().revisions()
    extracts = data_version(get_settings().extracts_dir)
    extracts += "|" + ".".join(str(n) for n in rebuild_key(revisions))
    out = {}
    for name in EXTRACTS:
        version = extracts
        if name in journal.TABLES:
            version += f"|{revisions.get(journal.TABLES[name], 0)}"
        out[name] = version
    return out


def current_version() -> str:
    """Extract files + the store's journal revisions: a write changes it, so cached
    reads see the new entry at once."""
    versions = table_versions()
    return "|".join(f"{k}:{versions[k]}" for k in sorted(versions))


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


def unavailable_extracts() -> dict[str, str]:
    """Extract name -> French reason, for the extracts that are missing or unreadable."""
    return dict(catalog().unavailable)
