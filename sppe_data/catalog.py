"""The DuckDB catalog: one in-memory database per data version, holding the reference
tables (``ref_*``), the SQL macros of ``queries/_macros.sql`` and one view per extract.

Each view reads the folder of the extract's current version, as the store's table
``extract_versions`` says (``sppe_data.imports.versions``); an extract the store holds
no version of is read from the files in its folder (``extracts/<name>/*.parquet``).

A missing or unreadable extract never raises: its view is created empty with the right
columns and a French message naming the file is recorded in ``problems``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from sppe_data import reference
from sppe_data.extracts import EXTRACTS, Extract
from sppe_data.imports import versions
from sppe_data.imports.versions import CurrentVersion
from sppe_data.journal import create_views as create_journal_views
from sppe_data.journal import national_view
from sppe_data.settings import QUERIES_DIR


@dataclass
class Catalog:
    connection: duckdb.DuckDBPyConnection
    problems: list[str] = field(default_factory=list)
    # Extract name -> French reason, for each extract that is missing or unreadable (its
    # view is empty): the figures it feeds are unavailable, not zero.
    unavailable: dict[str, str] = field(default_factory=dict)
    # The store revisions the journal copy reflects (None: not loaded yet).
    journal_key: tuple[int, ...] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


def _quote(path: str) -> str:
    return "'" + path.replace("'", "''") + "'"


def _empty_view_sql(extract: Extract) -> str:
    cols = ", ".join(f"cast(null as {t}) as {c}" for c, t in extract.columns.items())
    return f"create or replace view {national_view(extract.name)} as select {cols} where false"


def _extract_view(
    con: duckdb.DuckDBPyConnection,
    extract: Extract,
    extracts_dir: Path,
    current: CurrentVersion | None = None,
) -> str | None:
    """Creates the view of one extract; returns a French problem message or None."""
    if current is None:
        folder = extract.folder(extracts_dir)
        shown = f"extracts/{extract.name}/"
    else:
        folder = current.path(extracts_dir)
        shown = current.shown()
    files = sorted(folder.glob("*.parquet")) if folder.is_dir() else []
    if not files:
        con.execute(_empty_view_sql(extract))
        if current is not None:
            return (
                f"Extraction « {extract.label} » introuvable : la version {current.version} "
                f"en service n'a aucun fichier Parquet dans le dossier {shown} du "
                "répertoire de données."
            )
        return (
            f"Extraction « {extract.label} » introuvable : aucun fichier Parquet dans "
            f"le dossier {shown} du répertoire de données."
        )
    source = f"read_parquet({_quote(str(folder / '*.parquet'))}, union_by_name = true)"
    try:
        described = con.execute(f"describe select * from {source}").fetchall()
        con.execute(f"select count(*) from {source}").fetchall()
    except duckdb.Error:
        con.execute(_empty_view_sql(extract))
        names = ", ".join(p.name for p in files)
        return (
            f"Extraction « {extract.label} » illisible : le fichier {shown}{names} "
            "est corrompu ou n'est pas un fichier Parquet."
        )
    present = {row[0] for row in described}
    missing = [c for c in extract.columns if c not in present]
    if missing:
        con.execute(_empty_view_sql(extract))
        return (
            f"Extraction « {extract.label} » incomplète : colonnes absentes dans {shown} : "
            + ", ".join(missing)
            + "."
        )
    cols = ", ".join(f"cast({c} as {t}) as {c}" for c, t in extract.columns.items())
    view = national_view(extract.name)
    con.execute(f"create or replace view {view} as select {cols} from {source}")
    return None


def build_catalog(extracts_dir: Path, current: dict[str, CurrentVersion] | None = None) -> Catalog:
    """Builds the catalog in a new in-memory database. The journal tables start empty;
    ``db.catalog()`` loads the store's live rows into them. ``current``: the current
    version of each extract (default: read from the store)."""
    if current is None:
        current = versions.current_versions()
    con = duckdb.connect(":memory:")
    ref_tables = {
        "ref_departements": reference.departements(),
        "ref_poles": reference.poles(),
        "ref_pivot_cafs": reference.pivot_cafs(),
        "ref_departement_poles": reference.departement_poles(),
        "ref_activity_kinds": reference.activity_kinds(),
        "ref_indicators": reference.indicators(),
        "ref_targets": reference.targets(),
    }
    for name, frame in ref_tables.items():
        con.register("_frame", frame)
        con.execute(f"create or replace table {name} as select * from _frame")
        con.unregister("_frame")
    pace = reference.pace_thresholds()  # floats checked by the reference: safe as SQL
    con.execute(f"create or replace macro pace_on_track_from() as {pace.on_track_from!r}")
    con.execute(f"create or replace macro pace_watch_from() as {pace.watch_from!r}")
    con.execute((QUERIES_DIR / "_macros.sql").read_text(encoding="utf-8"))
    problems = reference.validate()
    unavailable = {}
    for extract in EXTRACTS.values():
        message = _extract_view(con, extract, extracts_dir, current.get(extract.name))
        if message:
            problems.append(message)
            unavailable[extract.name] = message
    create_journal_views(con)
    return Catalog(connection=con, problems=problems, unavailable=unavailable)
