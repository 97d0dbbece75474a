"""The store: one transactional database for everything the app writes (journal,
audit log, accounts, sign-in failures), through SQLAlchemy Core with Alembic
migrations. SQLite in the data directory by default, PostgreSQL by
``SPPE_DATABASE_URL``. See ``engine`` for the executor, ``schema`` for the tables."""

from sppe_data.store.engine import (
    MigrationResult,
    SchemaMismatch,
    Store,
    StoreUnavailable,
    database_url,
    describe,
    get_store,
    head_revision,
    migrate,
    reset_cache,
    schema_status,
)
from sppe_data.store.maintenance import backup, import_legacy, restore

__all__ = [
    "MigrationResult",
    "SchemaMismatch",
    "Store",
    "StoreUnavailable",
    "backup",
    "database_url",
    "describe",
    "get_store",
    "head_revision",
    "import_legacy",
    "migrate",
    "reset_cache",
    "restore",
    "schema_status",
]
