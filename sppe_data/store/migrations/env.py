"""Alembic environment: the store runs migrations on a connection it passes in
(``config.attributes["connection"]``); no alembic.ini, no URL in a file."""

from __future__ import annotations

from alembic import context

from sppe_data.store.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters by copying
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
