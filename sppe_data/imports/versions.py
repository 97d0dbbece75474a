"""Versions of the national extracts: an import is read, validated and staged, then
swapped in atomically; previous versions are kept for a rollback; the history says who
imported what, when, from which source.

Layout under the extracts directory (``SPPE_DATA_DIR/extracts``)::

    <name>/versions/<NNNN>-<token>/<name>.parquet   one folder per version, never changed
    <name>/*.parquet                                 files put in place by hand or by the
                                                     demo generator (the former layout)
    .staging/<token>/                                the work files of an import

The store table ``extract_versions`` says which version of each extract is current.
A swap is one store transaction: insert the new version's row, move ``is_current`` to
it, bump the store counter ``extract_versions``. The DuckDB catalog is rebuilt by every
process when that counter changes (``sppe_data.db``), on the folder of the current
version; a catalog built before the swap keeps reading its own folder, whose files do
not change. So a reader sees the old version or the new, never a mix.

- The former layout (loose files in ``<name>/``) is read only while the store holds no
  version of that extract. The first import adopts them as version 1 (action
  ``adopt``, hard links, the files stay where they are), so that it can be rolled back.
  Once an extract has a version in the store, loose files in its folder are ignored.
- A rollback adds a version that reuses the folder of an earlier one (no file copied):
  the restored figures are exactly the earlier ones.
- The folders of the ``SPPE_EXTRACT_VERSIONS_KEPT`` (default 5) most recent imports and
  the current one's are kept; older folders are marked purged in the swap's transaction
  and deleted after it commits. Their history rows stay.
- Coverage rates (``coverage``): a file replaces only the years it contains; the new
  version is the current rows of the other years plus the file's rows.
- The data date and source shown on the pages: the most recent data date among the
  current versions (coverage aside, its data are yearly publications), or the
  manifest's (``extracts/manifest.json``) while an extract is in the former layout and
  its date is more recent (``effective_manifest``).
"""

from __future__ import annotations

import os
import shutil
import time
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import polars as pl
import sqlalchemy as sa

from sppe_data import auth, journal, store
from sppe_data.auth import Principal
from sppe_data.extracts import EXTRACTS, Extract, Manifest, read_manifest_file
from sppe_data.settings import get_settings
from sppe_data.store import schema

KEPT_ENV = "SPPE_EXTRACT_VERSIONS_KEPT"
DEFAULT_KEPT = 5
MAX_KEPT = 100
VERSIONS_DIR = "versions"
STAGING_DIR = ".staging"
STALE_STAGING_S = 24 * 3600  # work folders of an import that died are removed after a day
DISK_MARGIN = 3  # free space needed: three times the file (normalised copy, typed copy)
DUCKDB_MEMORY = "160MB"  # as the validation: the process stays under 300 MB
SOURCE_MAX = 200
FILE_NAME_MAX = 300
EARLIEST_DATA_DATE = date(2000, 1, 1)
COVERAGE = "coverage"

IMPORTS = ("import", "adopt")  # the actions that bring their own files
ACTION_LABELS = {
    "import": "Import",
    "rollback": "Retour arrière",
    "adopt": "Reprise des fichiers en place",
}
REPORT_SCHEMA = {
    "Colonne": pl.String,
    "Problème": pl.String,
    "Lignes": pl.Int64,
    "Exemples": pl.String,
}
HISTORY_SCHEMA = {
    "extract_name": pl.String,
    "version": pl.Int64,
    "is_current": pl.Boolean,
    "action": pl.String,
    "folder": pl.String,
    "restored_from": pl.Int64,
    "imported_by": pl.String,
    "imported_at": pl.Datetime("us"),
    "source_label": pl.String,
    "data_date": pl.Date,
    "row_count": pl.Int64,
    "file_name": pl.String,
    "years": pl.String,
    "purged_at": pl.Datetime("us"),
}

_table = schema.extract_versions


class VersionRefused(ValueError):
    """A rollback (or an import setting) that cannot be done; the message is French."""


# --- where the files are ------------------------------------------------------------------


@dataclass(frozen=True)
class CurrentVersion:
    name: str
    version: int
    folder: str  # the folder name under <name>/versions/
    data_date: date | None
    source_label: str
    imported_at: datetime

    def path(self, extracts_dir: Path) -> Path:
        return versions_path(extracts_dir, self.name) / self.folder

    def shown(self) -> str:
        """The folder as messages name it, relative to the data directory."""
        return f"extracts/{self.name}/{VERSIONS_DIR}/{self.folder}/"


def versions_path(extracts_dir: Path, name: str) -> Path:
    return EXTRACTS[name].folder(extracts_dir) / VERSIONS_DIR


def current_versions() -> dict[str, CurrentVersion]:
    """Extract name -> its current version, for the extracts the store holds a version
    of (one read of the store)."""
    t = _table
    rows = store.get_store().rows(
        sa.select(
            t.c.extract_name, t.c.version, t.c.folder, t.c.data_date, t.c.source_label,
            t.c.imported_at,
        ).where(t.c.is_current.is_(True))
    )  # fmt: skip
    return {
        r.extract_name: CurrentVersion(
            r.extract_name, int(r.version), r.folder, r.data_date, r.source_label, r.imported_at
        )
        for r in rows
        if r.extract_name in EXTRACTS
    }


def effective_manifest(extracts_dir: Path) -> Manifest:
    """The data date and source of the extracts in service (see the module's docstring);
    the manifest file alone when the store holds no version."""
    manifest = read_manifest_file(extracts_dir)
    current = {n: v for n, v in current_versions().items() if n != COVERAGE}
    dated = [v for v in current.values() if v.data_date is not None]
    if not dated:
        return manifest
    best = max(dated, key=lambda v: (v.data_date, v.imported_at))
    legacy_left = any(n not in current for n in EXTRACTS if n != COVERAGE)
    if legacy_left and manifest.data_date is not None and manifest.data_date > best.data_date:
        return manifest
    return Manifest(best.data_date, best.source_label)


# --- small helpers ------------------------------------------------------------------------


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _clean_text(text: object, limit: int) -> str:
    """One line of printable text (control and bidirectional characters removed)."""
    raw = "" if text is None else str(text)
    kept = "".join(
        ch if ch.isprintable() and unicodedata.category(ch) != "Cf" else " " for ch in raw
    )
    return " ".join(kept.split())[:limit]


def _quote(path: Path | str) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _duckdb(workdir: Path | None = None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    con.execute(f"set memory_limit = '{DUCKDB_MEMORY}'")
    con.execute("set threads = 2")
    con.execute("set preserve_insertion_order = false")
    if workdir is not None:
        con.execute(f"set temp_directory = {_quote(workdir / 'duckdb.tmp')}")
    return con


def _typed_select(extract: Extract) -> str:
    return ", ".join(f"cast({c} as {t}) as {c}" for c, t in extract.columns.items())


def kept_versions() -> int:
    """How many imported versions keep their files (``SPPE_EXTRACT_VERSIONS_KEPT``)."""
    raw = os.environ.get(KEPT_ENV, "").strip()
    if not raw:
        return DEFAULT_KEPT
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_KEPT:
        raise VersionRefused(
            f"Réglage {KEPT_ENV} invalide « {_clean_text(raw, 20)} » : nombre de versions "
            f"conservées attendu, de 1 à {MAX_KEPT} (défaut {DEFAULT_KEPT})."
        )
    return int(raw)


def _report(problems: list[tuple[str, str]]) -> pl.DataFrame:
    rows = [(column, problem, None, "") for column, problem in problems]
    return pl.DataFrame(rows, schema=REPORT_SCHEMA, orient="row")


def empty_report() -> pl.DataFrame:
    return pl.DataFrame(schema=REPORT_SCHEMA)


def _files_ok(extract: Extract, files: list[Path]) -> tuple[int, list[int]] | None:
    """(row count, years for coverage) of readable files holding every column of the
    extract, else None."""
    if not files:
        return None
    source = f"read_parquet([{', '.join(_quote(p) for p in files)}], union_by_name = true)"
    con = _duckdb()
    try:
        present = {r[0] for r in con.execute(f"describe select * from {source}").fetchall()}
        if any(c not in present for c in extract.columns):
            return None
        count = int(con.execute(f"select count(*) from {source}").fetchone()[0])
        years: list[int] = []
        if extract.name == COVERAGE:
            found = con.execute(
                f"select distinct cast(year as integer) from {source} where year is not null"
            ).fetchall()
            years = sorted(int(r[0]) for r in found)
        return count, years
    except duckdb.Error:
        return None
    finally:
        con.close()


def _years_text(years: list[int]) -> str | None:
    return ",".join(str(y) for y in sorted(set(years))) or None


def _sweep_staging(extracts_dir: Path) -> None:
    """Removes the work folders of imports that died more than a day ago."""
    root = extracts_dir / STAGING_DIR
    if not root.is_dir():
        return
    limit = time.time() - STALE_STAGING_S
    for path in root.iterdir():
        try:
            if path.stat().st_mtime < limit:
                shutil.rmtree(path, ignore_errors=True)
        except OSError:
            continue


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


# --- the import ---------------------------------------------------------------------------


@dataclass
class ImportResult:
    """What an import did. ``ok`` False: nothing changed; ``report`` says why (columns
    Colonne, Problème, Lignes, Exemples; French)."""

    ok: bool
    extract: str
    message: str
    report: pl.DataFrame = field(default_factory=empty_report)
    version: int | None = None
    row_count: int = 0  # rows of the new version (coverage: with the years kept)
    file_row_count: int = 0  # data rows of the file taken (coverage: without those set aside)
    years: list[int] = field(default_factory=list)  # coverage: the years of the file
    notes: list[str] = field(default_factory=list)  # French remarks that are not errors
    adopted_version: int | None = None  # the files found in place, kept as this version
    seconds: float = 0.0


def _refused(
    name: str, message: str, report: pl.DataFrame | None = None, notes: list[str] | None = None
) -> ImportResult:
    label = EXTRACTS[name].label
    return ImportResult(
        ok=False,
        extract=name,
        message=f"Import refusé ({label}) : {message} L'extraction en service n'a pas changé.",
        report=report if report is not None else _report([("(fichier)", message)]),
        notes=list(notes or []),
    )


@dataclass
class _Staged:
    ready: Path  # a folder holding <name>.parquet, to become the version's folder
    row_count: int
    file_row_count: int
    years: list[int]
    notes: list[str]
    base: int | None  # coverage: the version merged with (None: none or the loose files)
    adopt: Path | None  # a folder of links to the loose files, to adopt as version 1
    adopt_count: int = 0
    adopt_years: list[int] = field(default_factory=list)


def _check_import_args(
    name: str, data_date: date | None, source_label: str | None, filename: str
) -> tuple[date, str, str]:
    if name not in EXTRACTS:
        raise ValueError(
            f"Extraction inconnue « {_clean_text(name, 40)} » : " + ", ".join(EXTRACTS) + "."
        )
    today = date.today()
    data_date = data_date or today
    if not EARLIEST_DATA_DATE <= data_date <= today + timedelta(days=366):
        raise VersionRefused(
            f"Date des données {data_date.strftime('%d/%m/%Y')} invalide : attendue entre "
            f"le {EARLIEST_DATA_DATE.strftime('%d/%m/%Y')} et un an après aujourd'hui."
        )
    shown_name = _clean_text(Path(str(filename).replace("\\", "/")).name, FILE_NAME_MAX)
    source = _clean_text(source_label, SOURCE_MAX) or f"Fichier {shown_name}"[:SOURCE_MAX]
    return data_date, source, shown_name or "fichier"


def page_limits(max_mb: int):
    """The reading limits of an upload in the app: ``max_mb`` megabytes, the national
    extracts' row limit."""
    from sppe_data.imports import reading

    return reading.Limits(max_bytes=max_mb * 1_000_000, max_rows=reading.EXTRACT_LIMITS.max_rows)


def _source_size(source: bytes | Path) -> int:
    if isinstance(source, bytes | bytearray | memoryview):
        return len(source)
    return Path(source).stat().st_size


def import_extract(
    principal: Principal | None,
    name: str,
    filename: str,
    source: bytes | Path,
    data_date: date | None = None,
    source_label: str | None = None,
    *,
    limits=None,
) -> ImportResult:
    """Imports one national extract from a Parquet, CSV or XLSX file (cnaf role):
    bounded reading (``reading.prepare`` with ``limits``, by default the national
    extracts' ``EXTRACT_LIMITS``), validation (``validate.validate_extract``), then the
    swap. On a refusal nothing changes and the report says why. ``data_date`` defaults
    to today, ``source_label`` to the file's name."""
    auth.check_role(principal, auth.IMPORT_ROLES, "d'importer des extractions nationales")
    started = time.perf_counter()
    try:
        data_date, source_label, shown_name = _check_import_args(
            name, data_date, source_label, filename
        )
        kept = kept_versions()
    except VersionRefused as exc:
        return _refused(name, str(exc))
    from sppe_data.imports import reading, validate

    limits = limits or reading.EXTRACT_LIMITS
    extracts_dir = get_settings().extracts_dir
    store.get_store()  # the store's own French error before any work
    try:
        size = _source_size(source)
    except OSError:
        return _refused(name, "Le fichier est introuvable ou illisible.")
    if size > limits.max_bytes:
        shown = f"{size / 1e6:.1f}".replace(".", ",")
        return _refused(
            name,
            f"Le fichier est trop volumineux ({shown} Mo) : "
            f"{limits.max_bytes // 1_000_000} Mo au plus.",
        )
    staging = extracts_dir / STAGING_DIR / uuid.uuid4().hex
    try:
        try:
            staging.mkdir(parents=True)
        except OSError:
            return _refused(
                name,
                "Le dossier extracts/ du répertoire de données n'est pas accessible en "
                "écriture : vérifiez ses droits.",
            )
        _sweep_staging(extracts_dir)
        free = shutil.disk_usage(staging).free
        if free < DISK_MARGIN * size:
            return _refused(
                name,
                f"Place insuffisante sur le disque du répertoire de données ({free // 1_000_000}"
                f" Mo libres, {DISK_MARGIN * size // 1_000_000} Mo nécessaires).",
            )
        try:
            prepared = reading.prepare(filename, source, limits, workdir=staging)
        except reading.FileRefused as exc:
            return _refused(name, str(exc))
        try:
            validation = validate.validate_extract(name, prepared, staging)
        finally:
            prepared.cleanup()
        if not validation.ok or validation.staged is None:
            problems = validation.report.height
            return _refused(
                name,
                f"{problems} problème(s) dans le fichier, détaillés dans le rapport.",
                report=validation.report,
                notes=validation.notes,
            )
        try:
            staged = _stage(name, validation, extracts_dir, staging)
        except VersionRefused as exc:
            return _refused(name, str(exc))
        result = _swap(
            principal, name, staged, extracts_dir, kept,
            data_date=data_date, source_label=source_label, file_name=shown_name,
        )  # fmt: skip
        result.seconds = time.perf_counter() - started
        return result
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _legacy_files(extracts_dir: Path, name: str) -> list[Path]:
    folder = EXTRACTS[name].folder(extracts_dir)
    return sorted(folder.glob("*.parquet")) if folder.is_dir() else []


def _stage(name: str, validation, extracts_dir: Path, staging: Path) -> _Staged:
    """The folder of the new version, ready to be renamed into place; for coverage, the
    current rows of the years the file does not hold are merged in."""
    extract = EXTRACTS[name]
    ready = staging / "ready"
    ready.mkdir()
    target = ready / f"{name}.parquet"
    current = current_versions().get(name)
    adopt = None
    adopt_count, adopt_years = 0, []
    if current is None:
        legacy = _legacy_files(extracts_dir, name)
        found = _files_ok(extract, legacy)
        if found is not None:
            adopt = staging / "adopt"
            adopt.mkdir()
            for path in legacy:
                _link_or_copy(path, adopt / path.name)
            adopt_count, adopt_years = found
    con = _duckdb(staging)
    try:
        staged = f"read_parquet({_quote(validation.staged)})"
        columns = list(extract.columns)
        present = [r[0] for r in con.execute(f"describe select * from {staged}").fetchall()]
        if present != columns:
            raise RuntimeError(f"staged file of {name} has columns {present}")
        if name == COVERAGE:
            if current is not None:
                base_files = sorted(current.path(extracts_dir).glob("*.parquet"))
                if _files_ok(extract, base_files) is None:
                    raise VersionRefused(
                        f"La version {current.version} en service est introuvable ou "
                        "illisible : ses années ne peuvent pas être conservées. Revenez "
                        "d'abord à une version lisible (retour arrière)."
                    )
            else:
                base_files = sorted(adopt.glob("*.parquet")) if adopt is not None else []
            parts = [f"select {_typed_select(extract)} from {staged}"]
            if base_files:
                listed = ", ".join(_quote(p) for p in base_files)
                parts.append(
                    f"select {_typed_select(extract)} from read_parquet([{listed}], "
                    f"union_by_name = true) where year not in (select distinct year from "
                    f"{staged})"
                )
            query = " union all ".join(parts) + " order by year, dep_code"
            con.execute(f"copy ({query}) to {_quote(target)} (format parquet, compression zstd)")
            Path(validation.staged).unlink(missing_ok=True)
        else:
            os.replace(validation.staged, target)  # typed and complete: taken as it is
        # From the Parquet metadata: nothing is read again.
        count = int(
            con.execute(f"select count(*) from read_parquet({_quote(target)})").fetchone()[0]
        )
    finally:
        con.close()
    return _Staged(
        ready=ready,
        row_count=count,
        file_row_count=getattr(validation, "kept_count", 0) or validation.row_count,
        years=sorted(set(validation.years or [])),
        notes=list(validation.notes or []),
        base=current.version if current is not None else None,
        adopt=adopt,
        adopt_count=adopt_count,
        adopt_years=adopt_years,
    )


def _rows(conn, name: str) -> list[sa.Row]:
    return list(
        conn.execute(
            sa.select(_table).where(_table.c.extract_name == name).order_by(_table.c.version)
        )
    )


def _summary(row) -> dict | None:
    """A version as the audit log records it."""
    if row is None:
        return None
    get = row.get if isinstance(row, dict) else row._mapping.get
    return {
        "version": get("version"),
        "action": get("action"),
        "restored_from": get("restored_from"),
        "source_label": get("source_label"),
        "data_date": get("data_date"),
        "row_count": get("row_count"),
        "file_name": get("file_name"),
        "years": get("years"),
    }


def _folder_name(version: int) -> str:
    return f"{version:04d}-{uuid.uuid4().hex[:8]}"


def _purge_plan(rows: list[dict], kept: int) -> set[str]:
    """The folders to delete: neither among the ``kept`` most recent imports nor the
    current one's, not purged yet."""
    imports = sorted((r for r in rows if r["action"] in IMPORTS), key=lambda r: -r["version"])
    keep = {r["folder"] for r in imports[:kept]}
    keep |= {r["folder"] for r in rows if r["is_current"]}
    return {r["folder"] for r in rows if r["purged_at"] is None and r["folder"] not in keep}


def _apply_purge(conn, name: str, rows: list[dict], kept: int) -> set[str]:
    doomed = _purge_plan(rows, kept)
    if doomed:
        conn.execute(
            _table.update()
            .where(_table.c.extract_name == name, _table.c.folder.in_(sorted(doomed)))
            .values(purged_at=_now())
        )
    return doomed


def _delete_folders(extracts_dir: Path, name: str, folders: set[str]) -> None:
    base = versions_path(extracts_dir, name)
    for folder in folders:
        shutil.rmtree(base / folder, ignore_errors=True)


class _Conflict(Exception):
    pass


def _swap(
    principal: Principal,
    name: str,
    staged: _Staged,
    extracts_dir: Path,
    kept: int,
    *,
    data_date: date,
    source_label: str,
    file_name: str,
) -> ImportResult:
    """One store transaction: the new version becomes current. The staged folder is
    renamed into ``versions/`` inside it, and removed again if the transaction fails."""
    base_dir = versions_path(extracts_dir, name)
    base_dir.mkdir(parents=True, exist_ok=True)
    moved: list[Path] = []
    manifest = read_manifest_file(extracts_dir)
    try:
        with store.get_store().write() as conn:
            # First statement: takes the counter's row lock on PostgreSQL (SQLite's BEGIN
            # IMMEDIATE already holds the database), so swaps of extracts are serialised.
            store.Store.bump(conn, "extract_versions")
            rows = [dict(r._mapping) for r in _rows(conn, name)]
            current = next((r for r in rows if r["is_current"]), None)
            if (current["version"] if current else None) != staged.base:
                raise _Conflict
            next_version = max((r["version"] for r in rows), default=0) + 1
            now = _now()
            adopted = None
            if not rows and staged.adopt is not None:
                adopted = {
                    "extract_name": name, "version": next_version, "is_current": False,
                    "action": "adopt", "folder": _folder_name(next_version),
                    "restored_from": None, "imported_by": principal.user_id,
                    "imported_at": now,
                    "source_label": _clean_text(manifest.source_label, SOURCE_MAX),
                    "data_date": manifest.data_date, "row_count": staged.adopt_count,
                    "file_name": _clean_text(
                        ", ".join(p.name for p in sorted(staged.adopt.iterdir())),
                        FILE_NAME_MAX,
                    ),
                    "years": _years_text(staged.adopt_years), "purged_at": None,
                }  # fmt: skip
                target = base_dir / adopted["folder"]
                os.rename(staged.adopt, target)
                moved.append(target)
                conn.execute(_table.insert().values(**adopted))
                rows.append(adopted)
                next_version += 1
            new = {
                "extract_name": name, "version": next_version, "is_current": True,
                "action": "import", "folder": _folder_name(next_version),
                "restored_from": None, "imported_by": principal.user_id, "imported_at": now,
                "source_label": source_label, "data_date": data_date,
                "row_count": staged.row_count, "file_name": file_name,
                "years": _years_text(staged.years), "purged_at": None,
            }  # fmt: skip
            target = base_dir / new["folder"]
            os.rename(staged.ready, target)
            moved.append(target)
            if current is not None:
                conn.execute(
                    _table.update()
                    .where(_table.c.extract_name == name, _table.c.version == current["version"])
                    .values(is_current=False)
                )
                current["is_current"] = False
            conn.execute(_table.insert().values(**new))
            rows.append(new)
            doomed = _apply_purge(conn, name, rows, kept)
            after = {**_summary(new), "adopted_version": adopted["version"] if adopted else None}
            journal.audit(conn, "extraction", name, "import", principal, _summary(current), after)
    except _Conflict:
        for path in moved:
            shutil.rmtree(path, ignore_errors=True)
        return _refused(
            name,
            "Une autre mise à jour de cette extraction a été enregistrée pendant la "
            "vérification du fichier ; relancez l'import pour la compléter.",
        )
    except BaseException:
        for path in moved:
            shutil.rmtree(path, ignore_errors=True)
        raise
    _delete_folders(extracts_dir, name, doomed)
    label = EXTRACTS[name].label
    years = f" (années {', '.join(str(y) for y in staged.years)})" if staged.years else ""
    kept_note = ""
    if name == COVERAGE and staged.row_count != staged.file_row_count:
        kept_note = f", {count_text(staged.row_count)} avec les autres années conservées"
    return ImportResult(
        ok=True,
        extract=name,
        message=(
            f"Import réussi ({label}) : version {next_version}, "
            f"{count_text(staged.file_row_count)} ligne(s) importée(s){years}{kept_note}. "
            "Les chiffres de toutes les pages en tiennent compte dès maintenant."
        ),
        version=next_version,
        row_count=staged.row_count,
        file_row_count=staged.file_row_count,
        years=staged.years,
        notes=staged.notes,
        adopted_version=adopted["version"] if adopted else None,
    )


def count_text(n: int) -> str:
    return f"{n:,}".replace(",", "\u202f")


# --- rollback -----------------------------------------------------------------------------


def previous_version(rows: list[dict]) -> dict | None:
    """Among the versions of one extract (dicts with the table's columns), what a
    rollback without a version number restores: the import made just before the one
    whose files are in service. Going back twice goes back two imports."""
    current = next((r for r in rows if r["is_current"]), None)
    if current is None:
        return None
    origin = next(
        (r for r in rows if r["folder"] == current["folder"] and r["action"] in IMPORTS), current
    )
    earlier = [r for r in rows if r["action"] in IMPORTS and r["version"] < origin["version"]]
    return max(earlier, key=lambda r: r["version"]) if earlier else None


@dataclass(frozen=True)
class RollbackResult:
    extract: str
    version: int  # the new version (a rollback is recorded as a version)
    restored_from: int  # the version whose files are in service again
    row_count: int
    message: str


def rollback(
    principal: Principal | None, name: str, to_version: int | None = None
) -> RollbackResult:
    """Puts an earlier version back in service (cnaf role), as a new version reusing its
    files. ``to_version`` None: the import before the one in service. Raises
    VersionRefused (French) when there is nothing to go back to."""
    auth.check_role(
        principal, auth.IMPORT_ROLES, "de revenir à une version précédente d'une extraction"
    )
    if name not in EXTRACTS:
        raise VersionRefused(
            f"Extraction inconnue « {_clean_text(name, 40)} » : " + ", ".join(EXTRACTS) + "."
        )
    kept = kept_versions()
    extracts_dir = get_settings().extracts_dir
    label = EXTRACTS[name].label
    with store.get_store().write() as conn:
        store.Store.bump(conn, "extract_versions")
        rows = [dict(r._mapping) for r in _rows(conn, name)]
        current = next((r for r in rows if r["is_current"]), None)
        if current is None:
            raise VersionRefused(
                f"Aucune version de l'extraction « {label} » n'a été importée : rien à restaurer."
            )
        by_version = {r["version"]: r for r in rows}
        if to_version is None:
            target = previous_version(rows)
            if target is None:
                raise VersionRefused(
                    f"L'extraction « {label} » n'a pas de version importée avant celle en service."
                )
        else:
            target = by_version.get(to_version)
            if target is None:
                raise VersionRefused(
                    f"La version {to_version} de l'extraction « {label} » n'existe pas "
                    f"(versions : {', '.join(str(v) for v in sorted(by_version))})."
                )
            if target["folder"] == current["folder"]:
                raise VersionRefused(
                    f"La version {to_version} de l'extraction « {label} » est déjà celle en "
                    "service."
                )
        if target["purged_at"] is not None:
            raise VersionRefused(
                f"Les fichiers de la version {target['version']} de l'extraction « {label} » "
                f"ont été supprimés (seules les {kept} dernières versions importées sont "
                "conservées)."
            )
        if not (versions_path(extracts_dir, name) / target["folder"]).is_dir():
            raise VersionRefused(
                f"Les fichiers de la version {target['version']} de l'extraction « {label} » "
                f"sont introuvables dans extracts/{name}/{VERSIONS_DIR}/."
            )
        new_version = max(by_version) + 1
        new = {
            **{k: target[k] for k in ("folder", "source_label", "data_date", "row_count",
                                      "file_name", "years")},
            "extract_name": name, "version": new_version, "is_current": True,
            "action": "rollback", "restored_from": target["version"],
            "imported_by": principal.user_id, "imported_at": _now(), "purged_at": None,
        }  # fmt: skip
        conn.execute(
            _table.update()
            .where(_table.c.extract_name == name, _table.c.version == current["version"])
            .values(is_current=False)
        )
        current["is_current"] = False
        conn.execute(_table.insert().values(**new))
        rows.append(new)
        doomed = _apply_purge(conn, name, rows, kept)
        journal.audit(
            conn, "extraction", name, "retour_arriere", principal, _summary(current),
            _summary(new),
        )  # fmt: skip
    _delete_folders(extracts_dir, name, doomed)
    return RollbackResult(
        extract=name,
        version=new_version,
        restored_from=target["version"],
        row_count=int(target["row_count"]),
        message=(
            f"Retour arrière effectué ({label}) : la version {target['version']} "
            f"({count_text(int(target['row_count']))} ligne(s)) est de nouveau en service, "
            f"enregistrée comme version {new_version}."
        ),
    )


# --- history ------------------------------------------------------------------------------


def history(principal: Principal | None, name: str | None = None) -> pl.DataFrame:
    """Grain: one version of an extract, newest first per extract (cnaf and admin).
    Columns: HISTORY_SCHEMA; ``purged_at`` set when its files were deleted."""
    auth.check_role(principal, auth.AUDIT_ROLES, "de consulter l'historique des extractions")
    query = sa.select(*(_table.c[c] for c in HISTORY_SCHEMA))
    if name is not None:
        query = query.where(_table.c.extract_name == name)
    query = query.order_by(_table.c.extract_name, _table.c.version.desc())
    return store.get_store().read(query, schema=HISTORY_SCHEMA)


def history_table(frame: pl.DataFrame) -> pl.DataFrame:
    """The history with French headers and values (text, empty when not applicable),
    for the page and the command line."""
    labels = {n: e.label for n, e in EXTRACTS.items()}
    yes = pl.lit("oui")
    return frame.select(
        pl.col("extract_name").replace_strict(labels, default=pl.col("extract_name"))
        .alias("Extraction"),
        pl.col("version").alias("Version"),
        pl.when(pl.col("is_current")).then(yes).otherwise(pl.lit("")).alias("En service"),
        pl.col("action").replace_strict(ACTION_LABELS, default="?").alias("Action"),
        pl.col("data_date").dt.strftime("%d/%m/%Y").fill_null("").alias("Date des données"),
        pl.col("row_count").alias("Lignes"),
        pl.col("source_label").alias("Source"),
        pl.col("file_name").alias("Fichier"),
        pl.col("imported_by").alias("Par"),
        pl.col("imported_at").dt.strftime("%d/%m/%Y %H:%M:%S").alias("Le (UTC)"),
        pl.col("restored_from").cast(pl.String).fill_null("").alias("Version restaurée"),
        pl.col("years").str.replace_all(",", ", ").fill_null("").alias("Années du fichier"),
        pl.when(pl.col("purged_at").is_null()).then(yes).otherwise(pl.lit("non, supprimés"))
        .alias("Fichiers conservés"),
    )  # fmt: skip
