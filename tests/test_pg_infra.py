"""The PostgreSQL test server is real, and each test gets its own empty database."""

from __future__ import annotations

import os
import socket

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from tests import pg


def _engine(url: str) -> sa.Engine:
    return sa.create_engine(url, poolclass=sa.pool.NullPool)


def test_server_is_a_real_postgresql(pg_url):
    url = make_url(pg_url)
    assert url.drivername == "postgresql+psycopg"
    assert url.database.startswith(pg.DB_PREFIX)
    engine = _engine(pg_url)
    with engine.connect() as conn:
        version = conn.execute(sa.text("SELECT version()")).scalar_one()
        number = int(conn.execute(sa.text("SHOW server_version_num")).scalar_one())
        database = conn.execute(sa.text("SELECT current_database()")).scalar_one()
        encoding = conn.execute(sa.text("SHOW server_encoding")).scalar_one()
        tables = conn.execute(
            sa.text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        ).scalar_one()
    engine.dispose()
    assert version.startswith("PostgreSQL ")
    assert number >= 130000
    assert database == url.database
    assert encoding == "UTF8"
    assert tables == 0  # fresh and empty


def test_databases_are_distinct_and_isolated(pg_url, pg_databases):
    other_url = pg_databases()
    assert make_url(other_url).database != make_url(pg_url).database
    first, second = _engine(pg_url), _engine(other_url)
    with first.begin() as conn:
        conn.execute(sa.text("CREATE TABLE marker (label text)"))
        conn.execute(sa.text("INSERT INTO marker VALUES ('premier')"))
    with second.connect() as conn:
        seen = conn.execute(sa.text("SELECT to_regclass('public.marker')")).scalar_one()
    assert seen is None  # the table written in the first database does not exist here
    with second.begin() as conn:
        conn.execute(sa.text("CREATE TABLE marker (label text)"))
        conn.execute(sa.text("INSERT INTO marker VALUES ('second')"))
    with first.connect() as conn:
        labels_first = conn.execute(sa.text("SELECT label FROM marker")).scalars().all()
    with second.connect() as conn:
        labels_second = conn.execute(sa.text("SELECT label FROM marker")).scalars().all()
    first.dispose()
    second.dispose()
    assert labels_first == ["premier"]
    assert labels_second == ["second"]


def test_drop_ends_open_connections(pg_server):
    name = pg_server.create_database()
    engine = sa.create_engine(pg_server.url_for(name))  # pooled: keeps its connection
    with engine.connect() as conn:
        conn.execute(sa.text("SELECT 1"))
    idle = engine.pool.checkedin()
    pg_server.drop_database(name)
    gone = pg_server.admin().execute("SELECT count(*) FROM pg_database WHERE datname = %s", (name,))
    engine.dispose()
    assert idle == 1  # a connection was still open on the database when it was dropped
    assert gone.fetchone()[0] == 0


def test_databases_are_dropped_after_the_test(pg_server):
    # Every database made by earlier tests (here, at least the three above) is gone.
    assert len(pg_server.names) >= 3
    left = pg_server.admin().execute(
        "SELECT datname FROM pg_database WHERE datname = ANY(%s)", (pg_server.names,)
    )
    assert left.fetchall() == []


def test_no_server_skips_or_fails_under_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="POSTGRESQL INDISPONIBLE"):
        pg.unavailable("raison")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="requis en CI : raison"):
        pg.unavailable("raison")


def test_unreachable_external_server_is_reported_without_its_password():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]  # nothing listens there once closed
    url = f"postgresql://someone:s3cret@127.0.0.1:{closed_port}/postgres"
    with pytest.raises(pg.PgUnavailable) as caught:
        pg._external_server(url)
    message = str(caught.value)
    assert "injoignable" in message
    assert str(closed_port) in message
    assert "s3cret" not in message


def test_external_server_must_be_postgresql():
    with pytest.raises(pg.PgUnavailable, match="PostgreSQL"):
        pg._external_server("sqlite:///x.sqlite3")


def test_external_server_is_used_as_given(pg_server):
    # The running server, named through SPPE_TEST_PG_URL, is used as is.
    url = f"postgresql://postgres@127.0.0.1:{pg_server.port}/postgres"
    if os.environ.get(pg.EXTERNAL_URL_ENV):
        url = os.environ[pg.EXTERNAL_URL_ENV]
    server = pg._external_server(url)
    try:
        assert server.source == pg.EXTERNAL_URL_ENV
        assert server.version_num == pg_server.version_num
        name = server.create_database()
        try:
            with psycopg.connect(
                make_url(server.url_for(name))
                .set(drivername="postgresql")
                .render_as_string(hide_password=False)
            ) as conn:
                assert conn.execute("SELECT current_database()").fetchone()[0] == name
        finally:
            server.drop_database(name)
    finally:
        server.close()


def test_store_url_gives_a_migrated_store(store_url, tiny_data, request):
    from sppe_data import store

    backend = request.node.callspec.params["store_url"]
    assert os.environ["SPPE_DATABASE_URL"] == store_url
    assert store.database_url() == store_url
    url = make_url(store_url)
    if backend == "sqlite":
        assert url.get_backend_name() == "sqlite"
        assert os.path.dirname(url.database) == str(tiny_data)
    else:
        assert url.drivername == "postgresql+psycopg"
        assert url.database.startswith(pg.DB_PREFIX)
    current, head = store.schema_status(store_url)
    assert current is not None
    assert current == head
    opened = store.get_store()
    assert opened.dialect == backend
    before = opened.revisions()
    assert before  # the migration seeded the revision table
    table = sorted(before)[0]
    with opened.write() as conn:
        opened.bump(conn, table)
    after = opened.revisions()
    assert after[table] == before[table] + 1
    assert {k: v for k, v in after.items() if k != table} == {
        k: v for k, v in before.items() if k != table
    }
