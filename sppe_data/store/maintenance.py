"""Backups, restores and the one-time import of the files earlier versions wrote.

- ``backup(out_dir)``: a consistent snapshot while the app writes. SQLite: the online
  backup API (one step, under a read snapshot); PostgreSQL: ``pg_dump`` (custom format,
  one transaction snapshot).
- ``restore(path)``: puts a snapshot back into the configured store, then bumps the
  store generation so every process drops what it derived from the old content.
- ``import_legacy(data_dir)``: ``journal.duckdb`` (entries and audit log) and
  ``users.json`` (accounts) into the store; idempotent (ids, tokens and usernames that
  are already there are skipped); the old files are only read.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from sppe_data.store import schema
from sppe_data.store.engine import (
    StoreUnavailable,
    _normalised,
    database_url,
    describe,
    get_store,
    reset_cache,
)

LEGACY_JOURNAL = "journal.duckdb"
LEGACY_USERS = "users.json"
PG_TIMEOUT_S = 600


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S")


def _libpq_url(url: str) -> str:
    """The URL for pg_dump / pg_restore (libpq does not know SQLAlchemy's driver part)."""
    parsed = _normalised(url).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)
    if candidates:
        return str(candidates[0])
    raise StoreUnavailable(
        f"Commande {name} introuvable : installez le client PostgreSQL "
        "(paquet postgresql-client) de la même version majeure que le serveur."
    )


def backup(out_dir: Path, url: str | None = None) -> Path:
    """Writes one snapshot file into ``out_dir`` and returns its path."""
    url = url or database_url()
    store = get_store(url)  # refuses a store of another schema version
    out_dir.mkdir(parents=True, exist_ok=True)
    if store.dialect == "sqlite":
        target = out_dir / f"sppe-{_stamp()}.sqlite3"
        partial = target.with_suffix(".partial")
        source = sqlite3.connect(make_url(store.url).database, timeout=30)
        try:
            copy = sqlite3.connect(partial)
            try:
                source.backup(copy)  # all pages in one step: one consistent snapshot
            finally:
                copy.close()
        finally:
            source.close()
        partial.replace(target)
        return target
    target = out_dir / f"sppe-{_stamp()}.pgdump"
    partial = target.with_suffix(".partial")
    done = subprocess.run(
        [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(partial),
         "--dbname", _libpq_url(url)],
        capture_output=True, text=True, timeout=PG_TIMEOUT_S, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        partial.unlink(missing_ok=True)
        raise StoreUnavailable(
            f"Sauvegarde de {describe(url)} impossible : {done.stderr.strip()[:300]}"
        )
    partial.replace(target)
    return target


def _bump_generation(url: str, before: int) -> None:
    reset_cache()
    store = get_store(url)
    with store.write() as conn:
        conn.execute(
            schema.store_revision.update()
            .where(schema.store_revision.c.table_name == schema.GENERATION)
            .values(revision=before + 1)
        )
    reset_cache()


def restore(path: Path, url: str | None = None) -> None:
    """Replaces the store's content by the snapshot ``path`` (from ``backup``)."""
    url = url or database_url()
    if not path.is_file():
        raise StoreUnavailable(f"Sauvegarde {path.name} introuvable.")
    store = get_store(url)
    generation = store.revisions().get(schema.GENERATION, 0)
    if store.dialect == "sqlite":
        if path.suffix != ".sqlite3":
            raise StoreUnavailable(
                f"{path.name} n'est pas une sauvegarde SQLite (fichier .sqlite3 attendu)."
            )
        try:
            source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            source.execute("select count(*) from alembic_version").fetchall()
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"{path.name} n'est pas une sauvegarde lisible.") from exc
        target = sqlite3.connect(make_url(store.url).database, timeout=30)
        try:
            # The backup API writes through SQLite's own locking: other processes keep
            # their connections and see the restored content on their next read.
            source.backup(target)
        finally:
            target.close()
            source.close()
    else:
        if path.suffix != ".pgdump":
            raise StoreUnavailable(
                f"{path.name} n'est pas une sauvegarde PostgreSQL (fichier .pgdump attendu)."
            )
        done = subprocess.run(
            [_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner",
             "--single-transaction", "--dbname", _libpq_url(url), str(path)],
            capture_output=True, text=True, timeout=PG_TIMEOUT_S, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            raise StoreUnavailable(
                f"Restauration dans {describe(url)} impossible : {done.stderr.strip()[:300]}"
            )
    _bump_generation(url, generation)


# --- the files of earlier versions ------------------------------------------------------


def _legacy_journal(path: Path) -> dict[str, list[dict]]:
    import duckdb

    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        raise StoreUnavailable(
            f"Ancien journal {path.name} illisible (utilisé par un autre programme ?)."
        ) from exc
    try:
        tables = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
        out: dict[str, list[dict]] = {}
        for name in ("activity_entries", "request_entries", "audit_log"):
            if name not in tables:
                out[name] = []
                continue
            cursor = con.execute(f"select * from {name}")  # fixed names, no user input
            columns = [d[0] for d in cursor.description]
            out[name] = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
        return out
    finally:
        con.close()


def _insert_missing(conn, table: sa.Table, rows: list[dict], key: str) -> int:
    if not rows:
        return 0
    existing = {r[0] for r in conn.execute(sa.select(table.c[key]))}
    fresh = [
        {c.name: row.get(c.name) for c in table.columns if c.name in row}
        for row in rows
        if row.get(key) not in existing
    ]
    if fresh:
        conn.execute(table.insert(), fresh)
    return len(fresh)


def import_legacy(data_dir: Path, url: str | None = None) -> dict[str, int]:
    """Imports what ``journal.duckdb`` and ``users.json`` hold; returns the counts of
    rows written per table (0 when already imported)."""
    store = get_store(url)
    counts = {"activity_entries": 0, "request_entries": 0, "audit_log": 0, "accounts": 0}
    journal_path = data_dir / LEGACY_JOURNAL
    users_path = data_dir / LEGACY_USERS
    legacy = _legacy_journal(journal_path) if journal_path.is_file() else {}
    users: dict = {}
    if users_path.is_file():
        try:
            users = json.loads(users_path.read_text(encoding="utf-8"))["users"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise StoreUnavailable(f"Ancien fichier des comptes {LEGACY_USERS} illisible.") from exc
    with store.write() as conn:
        for name, key in (("activity_entries", "activity_id"), ("request_entries", "request_id")):
            table = schema.metadata.tables[name]
            rows = legacy.get(name, [])
            tokens = {r[0] for r in conn.execute(sa.select(table.c.submission_token))}
            rows = [r for r in rows if r.get("submission_token") not in tokens]
            counts[name] = _insert_missing(conn, table, rows, key)
        # Audit rows get new ids; one already imported is recognised by its content.
        seen = {
            (r.entity, r.entity_id, r.action, r.actor, r.changed_at)
            for r in conn.execute(sa.select(schema.audit_log))
        }
        audit_rows = [
            {k: row.get(k) for k in ("entity", "entity_id", "action", "actor", "actor_role",
                                     "changed_at", "before_json", "after_json")}
            for row in sorted(legacy.get("audit_log", []), key=lambda r: r.get("audit_id") or 0)
            if (row.get("entity"), row.get("entity_id"), row.get("action"), row.get("actor"),
                row.get("changed_at")) not in seen
        ]  # fmt: skip
        if audit_rows:
            conn.execute(schema.audit_log.insert(), audit_rows)
        counts["audit_log"] = len(audit_rows)
        now = datetime.now(UTC).replace(tzinfo=None)
        account_rows = []
        for username, user in users.items():
            locked = user.get("locked_until")
            account_rows.append({
                "username": username,
                "display_name": user.get("name") or username,
                "role": user.get("role", "reader"),
                "pole_code": user.get("pole_code"),
                "password_hash": user.get("hash"),
                "auth_source": "local",
                "is_disabled": bool(user.get("disabled")),
                "failed_count": int(user.get("failed_count") or 0),
                "locked_until": (
                    datetime.fromisoformat(locked).astimezone(UTC).replace(tzinfo=None)
                    if locked else None
                ),
                "session_epoch": 0,
                "created_at": now,
            })  # fmt: skip
        counts["accounts"] = _insert_missing(conn, schema.accounts, account_rows, "username")
        written = [t for t, n in counts.items() if n]
        if written:
            store.bump(conn, *written)
    return counts
