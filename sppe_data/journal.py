"""The journal: activities and Caf requests logged in the app, in a DuckDB file of the
data directory (``journal.duckdb``), with an audit log of every change.

One DuckDB instance per process and data directory (the "engine"): an in-memory
database with the journal file attached as ``journal``. The catalog is built on that
same instance, so its ``activities`` and ``requests`` views include the journal rows the
moment a write commits (two DuckDB instances cannot attach one file; a read-only attach
from a second instance would not see later writes).

Writes go through the functions below only. Each one checks the caller's rights
(``auth``), validates (``entries``), then runs in one transaction under the engine's
write lock; every change adds an audit row (who, when, before, after) and bumps the
journal revision, which is part of the data version the read caches are keyed by.
A submission token, unique in the journal, makes a resubmitted form a no-op.

Tables (``journal.``): ``activity_entries`` and ``request_entries`` (the extract's
columns + submission_token, created_by, created_at, updated_by, updated_at,
is_deleted), ``audit_log`` (audit_id, entity, entity_id, action, actor, actor_role,
changed_at, before_json, after_json).
"""

from __future__ import annotations

import contextlib
import gc
import io
import json
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import polars as pl
import streamlit as st

from sppe_data import auth, entries
from sppe_data.auth import AccessDenied, Principal
from sppe_data.extracts import EXTRACTS
from sppe_data.settings import get_settings

JOURNAL_FILE = "journal.duckdb"
TABLES = {"activities": "activity_entries", "requests": "request_entries"}
ID_COLUMNS = {"activities": "activity_id", "requests": "request_id"}
ID_PREFIX = {"activities": "JA", "requests": "JS"}
ENTITY = {"activities": "activite", "requests": "saisine"}
ENTITY_LABELS = {"activite": "Activité", "saisine": "Saisine"}
ACTION_LABELS = {
    "creation": "Création",
    "modification": "Modification",
    "suppression": "Suppression",
    "import": "Import",
}
TOKEN_MAX = 100
IMPORT_MAX_ROWS = 5000
IMPORT_MAX_BYTES = 5_000_000


class JournalUnavailable(RuntimeError):
    """The journal file cannot be opened (locked by another program, unreadable)."""


@dataclass
class Engine:
    connection: duckdb.DuckDBPyConnection
    journal_path: Path
    problem: str | None
    lock: threading.Lock = field(default_factory=threading.Lock)
    revision: int = 0  # bumped under ``lock`` after each committed change


def national_view(name: str) -> str:
    """The view name of the extract part of a journalled table (the catalog builds it)."""
    return f"{name}_national" if name in TABLES else name


def _ddl() -> list[str]:
    statements = []
    for name, table in TABLES.items():
        cols = ",\n".join(f"    {c} {t}" for c, t in EXTRACTS[name].columns.items())
        statements.append(
            f"create table if not exists journal.{table} (\n{cols},\n"
            "    submission_token VARCHAR NOT NULL UNIQUE,\n"
            "    created_by VARCHAR NOT NULL,\n    created_at TIMESTAMP NOT NULL,\n"
            "    updated_by VARCHAR,\n    updated_at TIMESTAMP,\n"
            "    is_deleted BOOLEAN NOT NULL DEFAULT false\n)"
        )
    statements.append(
        "create table if not exists journal.audit_log (audit_id BIGINT NOT NULL, "
        "entity VARCHAR NOT NULL, entity_id VARCHAR NOT NULL, action VARCHAR NOT NULL, "
        "actor VARCHAR NOT NULL, actor_role VARCHAR NOT NULL, changed_at TIMESTAMP NOT NULL, "
        "before_json VARCHAR, after_json VARCHAR)"
    )
    return statements


@st.cache_resource(show_spinner=False)
def _engine(data_dir: str) -> Engine:
    con = duckdb.connect(":memory:")
    path = Path(data_dir) / JOURNAL_FILE
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        attach = "attach '" + str(path).replace("'", "''") + "' as journal"
        try:
            con.execute(attach)
        except duckdb.Error:
            # A dropped engine of this process may still hold the file until collected.
            gc.collect()
            con.execute(attach)
        for statement in _ddl():
            con.execute(statement)
        revision = con.execute("select count(*) from journal.audit_log").fetchall()[0][0]
        return Engine(connection=con, journal_path=path, problem=None, revision=revision)
    except (duckdb.Error, OSError):
        problem = (
            f"Journal des saisies indisponible : le fichier {JOURNAL_FILE} du répertoire de "
            "données est utilisé par un autre programme ou illisible. Les saisies ne sont "
            "ni affichées ni enregistrables."
        )
        return Engine(connection=con, journal_path=path, problem=problem)


def engine() -> Engine:
    return _engine(str(get_settings().data_dir))


def revision() -> int:
    """Part of the data version: changes with every committed journal write."""
    return engine().revision


def create_views(con: duckdb.DuckDBPyConnection) -> None:
    """Catalog hook: ``activities`` and ``requests`` = the extract's rows + the journal's
    live rows (same columns), or the extract alone when no journal is attached."""
    attached = con.execute(
        "select count(*) from duckdb_databases() where database_name = 'journal'"
    ).fetchall()[0][0]
    for name, table in TABLES.items():
        sql = f"create or replace view {name} as select * from {national_view(name)}"
        if attached:
            cols = ", ".join(EXTRACTS[name].columns)
            sql += f" union all by name select {cols} from journal.{table} where not is_deleted"
        con.execute(sql)


# --- writes ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Saved:
    entity_id: str
    created: bool  # False: the submission token was already used (nothing written)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _json(row: dict | None) -> str | None:
    if row is None:
        return None
    return json.dumps(row, ensure_ascii=False, default=str, sort_keys=True)


def _transaction(work):
    """Runs ``work(cursor) -> (result, changed)`` in one transaction under the lock."""
    eng = engine()
    if eng.problem:
        raise JournalUnavailable(eng.problem)
    with eng.lock:
        cur = eng.connection.cursor()
        try:
            cur.execute("begin transaction")
            result, changed = work(cur)
            cur.execute("commit")
        except BaseException:
            with contextlib.suppress(duckdb.Error):
                cur.execute("rollback")
            raise
        finally:
            cur.close()
        if changed:
            eng.revision += 1
    return result


def _audit(cur, name: str, entity_id: str, action: str, who: Principal, before, after) -> None:
    next_id = cur.execute("select coalesce(max(audit_id), 0) + 1 from journal.audit_log")
    audit_id = next_id.fetchall()[0][0]
    cur.execute(
        "insert into journal.audit_log values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [audit_id, ENTITY[name], entity_id, action, who.user_id, who.role, _now(),
         _json(before), _json(after)],
    )  # fmt: skip


def _check_token(token: object) -> str:
    if not isinstance(token, str) or not token.strip() or len(token) > TOKEN_MAX:
        raise ValueError("invalid submission token")
    return token


def _insert(cur, name: str, row: dict, token: str, who: Principal, action: str) -> Saved:
    table = TABLES[name]
    found = cur.execute(
        f"select {ID_COLUMNS[name]} from journal.{table} where submission_token = ?", [token]
    ).fetchall()
    if found:
        return Saved(found[0][0], created=False)
    entity_id = f"{ID_PREFIX[name]}{uuid.uuid4().hex[:12].upper()}"
    full = {ID_COLUMNS[name]: entity_id, **row}
    full = {c: full.get(c) for c in EXTRACTS[name].columns}
    meta = {"submission_token": token, "created_by": who.user_id, "created_at": _now()}
    cols = [*full, *meta]
    cur.execute(
        f"insert into journal.{table} ({', '.join(cols)}) values ({', '.join('?' * len(cols))})",
        [*full.values(), *meta.values()],
    )
    _audit(cur, name, entity_id, action, who, None, full)
    return Saved(entity_id, created=True)


def _checked_activity(principal: Principal, raw: dict) -> dict:
    if principal is None or principal.role not in auth.WRITER_ROLES:
        auth.check_write(principal, None)
    checked = entries.check_activity(raw)
    if not checked.ok:
        raise entries.ValidationError(checked.errors)
    auth.check_write(principal, checked.row["pole_code"])
    return {**checked.row, "request_id": None}  # linking to a saisine: not in the forms yet


def save_activity(principal: Principal, raw: dict, token: str) -> Saved:
    """Records one activity; the same token twice records it once."""
    token = _check_token(token)
    row = _checked_activity(principal, raw)
    return _transaction(lambda cur: _created(_insert(cur, "activities", row, token, principal,
                                                     "creation")))  # fmt: skip


def _created(saved: Saved) -> tuple[Saved, bool]:
    return saved, saved.created


def save_request(principal: Principal, raw: dict, token: str) -> Saved:
    """Records one Caf request (saisine); routing and pôle are derived from the rules."""
    token = _check_token(token)
    if principal is None or principal.role not in auth.WRITER_ROLES:
        auth.check_write(principal, None)
    checked = entries.check_request(raw)
    if not checked.ok:
        raise entries.ValidationError(checked.errors)
    row = checked.row
    auth.check_write(principal, row["pole_code"])
    if row["routing"] == "cnaf_only" and principal.role != "cnaf":
        raise AccessDenied("Cette nature de demande est initiée par la Cnaf uniquement.")
    return _transaction(
        lambda cur: _created(_insert(cur, "requests", row, token, principal, "creation"))
    )


def _current(cur, name: str, entity_id: str) -> dict:
    table, id_col = TABLES[name], ID_COLUMNS[name]
    cols = list(EXTRACTS[name].columns)
    found = cur.execute(
        f"select {', '.join(cols)} from journal.{table} where {id_col} = ? and not is_deleted",
        [entity_id],
    ).fetchall()
    if not found:
        raise LookupError(f"Saisie {entity_id} introuvable (ou déjà annulée).")
    return dict(zip(cols, found[0], strict=True))


def update_activity(principal: Principal, activity_id: str, raw: dict) -> None:
    """Edits a journal activity: the caller must have the rights on its pôle before and
    after the change."""
    row = _checked_activity(principal, raw)

    def work(cur):
        before = _current(cur, "activities", activity_id)
        auth.check_write(principal, before["pole_code"])
        after = {**before, **row, "activity_id": activity_id}
        sets = [c for c in after if c != "activity_id"]
        cur.execute(
            f"update journal.activity_entries set {', '.join(f'{c} = ?' for c in sets)}, "
            "updated_by = ?, updated_at = ? where activity_id = ?",
            [*(after[c] for c in sets), principal.user_id, _now(), activity_id],
        )
        _audit(cur, "activities", activity_id, "modification", principal, before, after)
        return None, True

    _transaction(work)


def cancel_activity(principal: Principal, activity_id: str) -> None:
    """Soft delete: the row stays in the journal (and in the audit log), out of the views."""
    if principal is None or principal.role not in auth.WRITER_ROLES:
        auth.check_write(principal, None)

    def work(cur):
        before = _current(cur, "activities", activity_id)
        auth.check_write(principal, before["pole_code"])
        cur.execute(
            "update journal.activity_entries set is_deleted = true, updated_by = ?, "
            "updated_at = ? where activity_id = ?",
            [principal.user_id, _now(), activity_id],
        )
        _audit(cur, "activities", activity_id, "suppression", principal, before, None)
        return None, True

    _transaction(work)


# --- bulk import ----------------------------------------------------------------------

IMPORT_COLUMNS = [c for c in entries.ACTIVITY_FIELDS]


@dataclass
class ImportReport:
    saved_count: int
    skipped_count: int  # rows of a file already imported (same token)
    errors: pl.DataFrame  # Ligne, Champ, Message; empty when the import went through


def _error_frame(rows: list[tuple[int, str, str]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows, schema={"Ligne": pl.Int64, "Champ": pl.String, "Message": pl.String}, orient="row"
    )


def read_table(filename: str, content: bytes) -> list[dict]:
    """Rows of an uploaded CSV (``;`` or ``,``, UTF-8) or XLSX file, every cell as text
    or its native value. Raises ValueError with a French message."""
    lower = filename.lower()
    if len(content) > IMPORT_MAX_BYTES:
        raise ValueError(
            f"Fichier trop volumineux : {len(content) // 1_000_000} Mo (au plus "
            f"{IMPORT_MAX_BYTES // 1_000_000} Mo)."
        )
    if lower.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
            rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        except Exception as exc:  # openpyxl raises many kinds on a bad file
            raise ValueError("Fichier Excel illisible (format .xlsx attendu).") from exc
    elif lower.endswith(".csv"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValueError("Fichier CSV illisible : encodage UTF-8 attendu.") from exc
        import csv

        sample = text.splitlines()[0] if text else ""
        delimiter = ";" if sample.count(";") >= sample.count(",") else ","
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    else:
        raise ValueError("Format non pris en charge : déposez un fichier .csv ou .xlsx.")
    rows = [r for r in rows if any(c not in (None, "") for c in r)]
    if not rows:
        raise ValueError("Le fichier est vide.")
    header = [str(h).strip() if h is not None else "" for h in rows[0]]
    unknown = [h for h in header if h not in IMPORT_COLUMNS]
    if unknown:
        raise ValueError(
            "Colonnes inconnues : " + ", ".join(u[:40] for u in unknown[:5])
            + ". Colonnes attendues : " + ", ".join(IMPORT_COLUMNS) + "."
        )  # fmt: skip
    if len(rows) - 1 > IMPORT_MAX_ROWS:
        raise ValueError(f"Trop de lignes : {len(rows) - 1} (au plus {IMPORT_MAX_ROWS}).")
    return [dict(zip(header, r, strict=False)) for r in rows[1:]]


def import_activities(principal: Principal, rows: list[dict], file_token: str) -> ImportReport:
    """All or nothing: every row is validated and checked against the caller's rights;
    one faulty row and nothing is written (the report lists every fault by line, the
    header being line 1). Re-importing the same file writes nothing new."""
    _check_token(file_token)
    if principal is None or principal.role not in auth.WRITER_ROLES:
        auth.check_write(principal, None)
    problems: list[tuple[int, str, str]] = []
    clean: list[dict] = []
    if not rows:
        problems.append((1, "", "Aucune ligne à importer."))
    for i, raw in enumerate(rows, start=2):
        checked = entries.check_activity(raw)
        for name, message in checked.errors.items():
            problems.append((i, entries.ACTIVITY_FIELDS[name], message))
        pole = checked.row.get("pole_code")
        if pole and not auth.can_write(principal, pole):
            problems.append((i, entries.ACTIVITY_FIELDS["pole_code"],
                             f"Vous ne pouvez pas saisir pour le pôle {pole}."))  # fmt: skip
        clean.append({**checked.row, "request_id": None})
    if problems:
        return ImportReport(0, 0, _error_frame(problems))

    def work(cur):
        saved = [
            _insert(cur, "activities", row, f"{file_token}:{i}", principal, "import")
            for i, row in enumerate(clean)
        ]
        created = sum(s.created for s in saved)
        return ImportReport(created, len(saved) - created, _error_frame([])), created > 0

    return _transaction(work)


# --- reads and export -----------------------------------------------------------------


def _read(sql: str, params: list) -> pl.DataFrame:
    eng = engine()
    if eng.problem:
        raise JournalUnavailable(eng.problem)
    cur = eng.connection.cursor()
    try:
        return cur.sql(sql, params=params or None).pl()
    finally:
        cur.close()


def recent_activities(principal: Principal, limit: int = 50) -> pl.DataFrame:
    """Grain: one live journal activity created by the caller, newest first.
    Columns: the activities columns + created_at, updated_at."""
    cols = ", ".join(EXTRACTS["activities"].columns)
    return _read(
        f"select {cols}, created_at, updated_at from journal.activity_entries "
        "where created_by = ? and not is_deleted order by created_at desc limit ?",
        [principal.user_id, limit],
    )


def audit_entries(principal: Principal, limit: int = 500) -> pl.DataFrame:
    """Grain: one change, newest first (cnaf and admin only). Columns: audit_id, entity,
    entity_id, action, actor, actor_role, changed_at, before_json, after_json."""
    auth.check_role(principal, auth.AUDIT_ROLES, "de consulter le journal d'audit")
    return _read("select * from journal.audit_log order by audit_id desc limit ?", [limit])


def export_tables(principal: Principal) -> dict[str, pl.DataFrame]:
    """The journal as three tables, with the extracts' columns first (so they join the
    national extracts) then the entry metadata."""
    auth.check_role(principal, auth.EXPORT_ROLES, "d'exporter le journal")
    return {
        "journal_activities": _read("select * from journal.activity_entries", []),
        "journal_requests": _read("select * from journal.request_entries", []),
        "journal_audit": _read("select * from journal.audit_log order by audit_id", []),
    }


def export_parquet(principal: Principal, out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, frame in export_tables(principal).items():
        path = out_dir / f"{name}.parquet"
        frame.write_parquet(path)
        paths.append(path)
    return paths


def parquet_bytes(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    return buffer.getvalue()


def new_token() -> str:
    """A submission token, generated when a form is drawn."""
    return uuid.uuid4().hex


def today_entry_default() -> date:
    """The date a new form starts with: the pinned "today" when there is one (demos,
    tests), else the calendar's."""
    return min(get_settings().pinned_today or date.today(), entries.MISSION_END)
