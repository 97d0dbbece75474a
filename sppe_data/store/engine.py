"""The store's engine and its one executor.

``get_store()`` gives the process's ``Store`` for the configured database: a SQLite file
in the data directory by default (WAL, foreign keys on, a busy timeout), PostgreSQL when
``SPPE_DATABASE_URL`` says so (psycopg 3). Every statement of the store runs here:
``Store.write()`` opens one write transaction, ``Store.read()`` / ``Store.rows()`` run
one read. No process holds a lock between two calls: app replicas, scheduled CLI jobs and
exports share the database, and each sees every committed write on its next call.

The schema is Alembic's (``migrations/``). A store whose schema is not the code's
(older, newer, or empty) is refused with a French message naming ``sppe migrate``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine, make_url

from sppe_data.settings import get_settings
from sppe_data.store import schema

SQLITE_FILE = "sppe.sqlite3"
BUSY_TIMEOUT_MS = 30_000  # a writer waits up to 30 s for another one, then fails loudly
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
MIGRATE_HINT = "lancez « sppe migrate » (ou « python -m sppe_data migrate »)"


class StoreUnavailable(RuntimeError):
    """The store cannot be reached or read; ``str()`` is a French message for users."""


class SchemaMismatch(StoreUnavailable):
    """The store's schema is not the one this code expects (older, newer or empty)."""


def database_url() -> str:
    """``SPPE_DATABASE_URL``, or the SQLite file ``sppe.sqlite3`` of the data directory."""
    settings = get_settings()
    if settings.database_url:
        return settings.database_url
    return f"sqlite:///{settings.data_dir / SQLITE_FILE}"


def _normalised(url: str) -> URL:
    try:
        parsed = make_url(url)
    except sa.exc.ArgumentError as exc:
        raise StoreUnavailable(
            "Adresse de la base de données (SPPE_DATABASE_URL) illisible : attendu "
            "postgresql://utilisateur@hôte/base ou sqlite:///chemin/fichier.sqlite3."
        ) from exc
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        return parsed.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise StoreUnavailable(
                "Base SQLite en mémoire refusée : les saisies seraient perdues à l'arrêt."
            )
        return parsed
    raise StoreUnavailable(
        f"Base de données « {backend} » non prise en charge : SQLite ou PostgreSQL."
    )


def describe(url: str) -> str:
    """The URL without its password, for messages and logs."""
    try:
        return _normalised(url).render_as_string(hide_password=True)
    except StoreUnavailable:
        return "(adresse illisible)"


def _sqlite_events(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # The driver's own transaction handling is off: BEGIN is ours (below), so a write
        # takes the write lock at its start (BEGIN IMMEDIATE) instead of failing midway.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"pragma busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("pragma journal_mode = wal")
        cursor.execute("pragma foreign_keys = on")
        cursor.execute("pragma synchronous = full")  # an acknowledged write survives a crash
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        read = conn.get_execution_options().get("sppe_read", False)
        conn.exec_driver_sql("begin" if read else "begin immediate")


def _create_engine(url: URL) -> Engine:
    if url.get_backend_name() == "sqlite":
        engine = sa.create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        _sqlite_events(engine)
        return engine
    return sa.create_engine(
        url,
        pool_pre_ping=True,  # a restarted server or a dropped connection is re-opened
        pool_size=5,
        max_overflow=10,
        connect_args={
            "connect_timeout": 10,
            "application_name": "pilotage-sppe",
            # Like SQLite's busy timeout: a writer waiting behind another transaction
            # (the same submission token, a row being edited) fails loudly, never hangs.
            "options": f"-c lock_timeout={BUSY_TIMEOUT_MS}",
        },
    )


def _alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def _script() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config)


def head_revision() -> str:
    return _script().get_current_head()


def _current_revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


@dataclass
class Store:
    url: str
    engine: Engine

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def _transaction(self, **options) -> Iterator[Connection]:
        """One transaction on a pooled connection: commit on exit, rollback on any
        exception; a database that cannot be reached gives the French message."""
        try:
            conn = self.engine.connect().execution_options(**options)
        except sa.exc.SQLAlchemyError as exc:
            raise _unavailable(self.url, exc) from exc
        try:
            with conn.begin():
                yield conn
        except sa.exc.OperationalError as exc:
            raise _unavailable(self.url, exc) from exc
        finally:
            conn.close()

    def write(self):
        """One write transaction (SQLite: BEGIN IMMEDIATE, so it never fails midway on
        another writer's lock; it waits up to the busy timeout)."""
        return self._transaction()

    def reading(self):
        """One read transaction (a consistent snapshot for several statements)."""
        if self.dialect == "postgresql":
            # PostgreSQL's default (READ COMMITTED) takes a snapshot per statement; this
            # takes one for the whole transaction. Reads never fail for serialization.
            return self._transaction(sppe_read=True, isolation_level="REPEATABLE READ")
        return self._transaction(sppe_read=True)

    def rows(self, statement, **params) -> list[sa.Row]:
        with self.reading() as conn:
            return list(conn.execute(statement, params or None))

    def read(self, statement, schema: dict | None = None, **params) -> pl.DataFrame:
        """Rows as a polars frame; ``schema`` (column -> polars type) types an empty or
        all-null result, which inference cannot."""
        with self.reading() as conn:
            result = conn.execute(statement, params or None)
            columns = list(result.keys())
            data = [tuple(r) for r in result]
        if schema is None:
            return pl.DataFrame(data, schema=columns, orient="row")
        return pl.DataFrame(data, schema={c: schema.get(c) for c in columns}, orient="row")

    @staticmethod
    def bump(conn: Connection, *tables: str) -> None:
        """Inside ``write()``: the revision of each table written goes up by one."""
        conn.execute(
            schema.store_revision.update()
            .where(schema.store_revision.c.table_name.in_(tables))
            .values(revision=schema.store_revision.c.revision + 1)
        )

    def revisions(self) -> dict[str, int]:
        """Table name -> revision; ``store_generation`` changes when a backup is restored.
        One small query: callers key their caches by it on every page run."""
        rows = self.rows(sa.select(schema.store_revision))
        return {r.table_name: int(r.revision) for r in rows}


def _busy(exc: Exception) -> bool:
    """A lock not obtained in time (SQLite busy timeout, PostgreSQL lock_timeout)."""
    orig = getattr(exc, "orig", exc)
    return "database is locked" in str(orig) or getattr(orig, "sqlstate", None) == "55P03"


def _unavailable(url: str, exc: Exception) -> StoreUnavailable:
    if _busy(exc):
        return StoreUnavailable(
            f"Base de données {describe(url)} occupée : une autre écriture la retient depuis "
            f"plus de {BUSY_TIMEOUT_MS // 1000} s. Rien n'a été enregistré ; réessayez dans "
            "un instant."
        )
    return StoreUnavailable(
        f"Base de données {describe(url)} injoignable ou illisible "
        f"({type(exc.orig if hasattr(exc, 'orig') else exc).__name__}). Les saisies ne "
        "sont ni affichées ni enregistrables : vérifiez que la base est démarrée et "
        "accessible (SPPE_DATABASE_URL, droits du répertoire de données)."
    )


def _check_schema(store: Store) -> None:
    try:
        with store.engine.connect() as conn:
            current = _current_revision(conn)
    except sa.exc.SQLAlchemyError as exc:
        raise _unavailable(store.url, exc) from exc
    head = head_revision()
    if current == head:
        return
    if current is None:
        raise SchemaMismatch(
            f"La base de données {describe(store.url)} n'est pas initialisée : "
            f"{MIGRATE_HINT} avant de démarrer l'application."
        )
    known = {rev.revision for rev in _script().walk_revisions()}
    if current in known:
        raise SchemaMismatch(
            f"La base de données {describe(store.url)} est à une version antérieure du "
            f"schéma ({current}, l'application attend {head}) : {MIGRATE_HINT}."
        )
    raise SchemaMismatch(
        f"La base de données {describe(store.url)} a un schéma plus récent que cette "
        f"version de l'application ({current}, attendu {head}) : installez la version de "
        "l'application qui correspond à la base."
    )


_stores: dict[str, Store] = {}  # process-wide engines (a connection pool each)
_stores_lock = threading.Lock()


def _open(url: str) -> Store:
    normalised = _normalised(url)
    if normalised.get_backend_name() == "sqlite":
        path = Path(normalised.database)
        if not path.exists():
            raise SchemaMismatch(
                f"Base de données {path.name} absente du répertoire de données "
                f"{path.parent} : {MIGRATE_HINT} pour la créer."
            )
    return Store(url=url, engine=_create_engine(normalised))


def get_store(url: str | None = None) -> Store:
    """The process's store for ``url`` (default: ``database_url()``); its schema was
    checked when it was first opened in this process."""
    url = url or database_url()
    store = _stores.get(url)
    if store is not None:
        return store
    with _stores_lock:
        store = _stores.get(url)
        if store is None:
            store = _open(url)
            try:
                _check_schema(store)
            except StoreUnavailable:
                store.engine.dispose()
                raise
            _stores[url] = store
    return store


def reset_cache() -> None:
    """Forget every engine of this process (tests; after a restore or a migration)."""
    with _stores_lock:
        for store in _stores.values():
            store.engine.dispose()
        _stores.clear()


@dataclass(frozen=True)
class MigrationResult:
    before: str | None
    after: str


def migrate(url: str | None = None) -> MigrationResult:
    """Brings the store to the current schema (creating it when empty)."""
    url = url or database_url()
    normalised = _normalised(url)
    if normalised.get_backend_name() == "sqlite":
        Path(normalised.database).parent.mkdir(parents=True, exist_ok=True)
    engine = _create_engine(normalised)
    try:
        with engine.connect() as conn:
            before = _current_revision(conn)
            conn.commit()
            command.upgrade(_alembic_config(conn), "head")
            conn.commit()
            after = _current_revision(conn)
    except sa.exc.OperationalError as exc:
        raise _unavailable(url, exc) from exc
    finally:
        engine.dispose()
    reset_cache()
    return MigrationResult(before=before, after=after or "")


def schema_status(url: str | None = None) -> tuple[str | None, str]:
    """(the store's schema revision or None when empty, the code's head revision)."""
    url = url or database_url()
    normalised = _normalised(url)
    if normalised.get_backend_name() == "sqlite" and not Path(normalised.database).exists():
        return None, head_revision()
    engine = _create_engine(normalised)
    try:
        with engine.connect() as conn:
            return _current_revision(conn), head_revision()
    except sa.exc.SQLAlchemyError as exc:
        raise _unavailable(url, exc) from exc
    finally:
        engine.dispose()
