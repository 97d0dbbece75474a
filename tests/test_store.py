"""The store itself, on SQLite and PostgreSQL: the migrations build exactly the tables the
code uses, a store of another schema is refused, backups are consistent while writes go
on and restore round-trips, and the files of earlier versions import once."""

from __future__ import annotations

import hashlib
import json
import threading
from datetime import date

import duckdb
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from sppe_data import journal, store
from sppe_data.auth import Principal
from sppe_data.store import schema

POLE_IDF = Principal("agent.idf", "Agent IDF", "pole", "idf_hdf")
CNAF = Principal("dpfas", "Dpfas", "cnaf")


def activity(comment: str) -> dict:
    return {
        "activity_kind": "controle_sensible", "pole_code": "idf_hdf", "caf_code": "59",
        "status": "done", "activity_on": date(2026, 1, 20), "days_spent": 1,
        "has_findings": False, "comment": comment,
    }  # fmt: skip


def comments() -> list[str]:
    rows = store.get_store().rows(sa.select(schema.activity_entries.c.comment))
    return sorted(r.comment for r in rows)


def test_migrations_build_exactly_the_tables_of_the_code(store_url):
    engine = store.get_store().engine
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), schema.metadata)
    assert diff == []
    assert store.schema_status(store_url) == (store.head_revision(), store.head_revision())
    # Every written table has its revision counter, starting at 0.
    assert store.get_store().revisions() == {
        **dict.fromkeys(schema.REVISED_TABLES, 0),
        schema.GENERATION: 0,
    }


def test_migrate_twice_changes_nothing(store_url):
    journal.save_activity(POLE_IDF, activity("gardée"), "t1")
    again = store.migrate(store_url)
    assert again.before == again.after == store.head_revision()
    assert comments() == ["gardée"]


def test_a_store_of_a_newer_schema_is_refused(store_url):
    with store.get_store().write() as conn:
        conn.execute(sa.text("update alembic_version set version_num = '9999'"))
    store.reset_cache()
    with pytest.raises(store.SchemaMismatch, match="plus récent"):
        store.get_store()


def test_an_empty_database_is_refused_with_the_command(store_url):
    with store.get_store().write() as conn:
        conn.execute(sa.text("delete from alembic_version"))
    store.reset_cache()
    with pytest.raises(store.SchemaMismatch, match="sppe migrate"):
        store.get_store()


@pytest.mark.parametrize(
    "url",
    ["mysql://x@h/db", "sqlite:///:memory:", "pas une adresse"],
)
def test_unsupported_database_urls_are_refused_in_french(url, tiny_data, monkeypatch):
    monkeypatch.setenv("SPPE_DATABASE_URL", url)
    store.reset_cache()
    with pytest.raises(store.StoreUnavailable) as exc:
        store.get_store()
    assert any(word in str(exc.value) for word in ("non prise en charge", "refusée", "illisible"))


def test_backup_while_writing_then_restore_round_trips(store_url, tmp_path, capsys):
    for i in range(20):
        journal.save_activity(POLE_IDF, activity(f"avant-{i:03}"), f"avant-{i}")
    stop = threading.Event()
    written: list[str] = []
    failures: list[BaseException] = []

    def keep_writing():
        i = 0
        try:
            while not stop.is_set():
                journal.save_activity(POLE_IDF, activity(f"pendant-{i:04}"), f"pendant-{i}")
                written.append(f"pendant-{i:04}")
                i += 1
        except BaseException as exc:  # reported below
            failures.append(exc)

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        while len(written) < 5:
            threading.Event().wait(0.01)
        path = store.backup(tmp_path / "sauvegardes", store_url)
        in_backup_floor = len(written)  # acknowledged before the backup returned
    finally:
        stop.set()
        writer.join()
    assert not failures, failures
    after_backup = comments()
    assert len(after_backup) == 20 + len(written)
    # Restore: the store goes back to the snapshot, which is consistent: the 20 first
    # rows, and a prefix of the writes made during the backup, each with its audit row.
    generation = store.get_store().revisions()[schema.GENERATION]
    store.restore(path, store_url)
    restored = comments()
    assert restored[:20] == [f"avant-{i:03}" for i in range(20)]
    during = restored[20:]
    assert during == [f"pendant-{i:04}" for i in range(len(during))]
    assert len(during) <= in_backup_floor + 1
    audit = store.get_store().rows(sa.select(sa.func.count()).select_from(schema.audit_log))
    assert audit[0][0] == len(restored)
    assert store.get_store().revisions()[schema.GENERATION] == generation + 1
    # The store still works after a restore.
    journal.save_activity(POLE_IDF, activity("après"), "après")
    assert "après" in comments()
    with capsys.disabled():
        print(
            f"\nbackup ({store.get_store().dialect}): {path.stat().st_size / 1024:.0f} Kio, "
            f"{len(written)} writes during it, {len(during)} of them in the snapshot"
        )


def test_restore_refuses_a_file_that_is_not_a_backup(store_url, tmp_path):
    bogus = tmp_path / ("faux.sqlite3" if "sqlite" in store_url else "faux.pgdump")
    bogus.write_bytes(b"pas une sauvegarde")
    journal.save_activity(POLE_IDF, activity("intacte"), "t")
    with pytest.raises(store.StoreUnavailable):
        store.restore(bogus, store_url)
    assert comments() == ["intacte"]


# --- the files of earlier versions -------------------------------------------------------

LEGACY_DDL = [
    """create table activity_entries (activity_id VARCHAR, activity_kind VARCHAR,
    pole_code VARCHAR, caf_code VARCHAR, dep_code VARCHAR, equipment_kind VARCHAR,
    partner_id VARCHAR, request_id VARCHAR, status VARCHAR, activity_on DATE,
    days_spent DOUBLE, has_findings BOOLEAN, undue_amount_eur DOUBLE,
    recovered_amount_eur DOUBLE, places_count INTEGER, travel_fee_eur DOUBLE,
    comment VARCHAR, submission_token VARCHAR NOT NULL UNIQUE, created_by VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL, updated_by VARCHAR, updated_at TIMESTAMP,
    is_deleted BOOLEAN NOT NULL DEFAULT false)""",
    """create table request_entries (request_id VARCHAR, caf_code VARCHAR,
    pole_code VARCHAR, request_nature VARCHAR, routing VARCHAR, priority VARCHAR,
    status VARCHAR, received_on DATE, taken_up_on DATE, closed_on DATE,
    submission_token VARCHAR NOT NULL UNIQUE, created_by VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL, updated_by VARCHAR, updated_at TIMESTAMP,
    is_deleted BOOLEAN NOT NULL DEFAULT false)""",
    """create table audit_log (audit_id BIGINT NOT NULL, entity VARCHAR NOT NULL,
    entity_id VARCHAR NOT NULL, action VARCHAR NOT NULL, actor VARCHAR NOT NULL,
    actor_role VARCHAR NOT NULL, changed_at TIMESTAMP NOT NULL, before_json VARCHAR,
    after_json VARCHAR)""",
]


def _legacy_files(data_dir):
    """journal.duckdb and users.json as the previous version wrote them: 2 activities
    (one cancelled), 1 request, 4 audit rows, 2 accounts."""
    con = duckdb.connect(str(data_dir / "journal.duckdb"))
    for ddl in LEGACY_DDL:
        con.execute(ddl)
    con.execute(
        "insert into activity_entries (activity_id, activity_kind, pole_code, caf_code, "
        "status, activity_on, days_spent, comment, submission_token, created_by, created_at, "
        "is_deleted) values "
        "('JA000000000001', 'suivi_ida', 'mediterranee', '30', 'done', '2026-01-10', 1, "
        "'ancienne', 'tok-1', 'agent.med', '2026-01-10 09:00', false), "
        "('JA000000000002', 'suivi_ida', 'mediterranee', '30', 'done', '2026-01-11', 1, "
        "'annulée', 'tok-2', 'agent.med', '2026-01-11 09:00', true)"
    )
    con.execute(
        "insert into request_entries (request_id, caf_code, pole_code, request_nature, "
        "routing, priority, status, received_on, submission_token, created_by, created_at) "
        "values ('JS000000000001', '30', 'mediterranee', 'controle_sensible', 'direct', "
        "'normale', 'received', '2026-01-05', 'tok-3', 'agent.med', '2026-01-05 10:00')"
    )
    con.execute(
        "insert into audit_log values "
        "(1, 'activite', 'JA000000000001', 'creation', 'agent.med', 'pole', "
        "'2026-01-10 09:00', null, '{}'), "
        "(2, 'activite', 'JA000000000002', 'creation', 'agent.med', 'pole', "
        "'2026-01-11 09:00', null, '{}'), "
        "(3, 'activite', 'JA000000000002', 'suppression', 'agent.med', 'pole', "
        "'2026-01-11 10:00', '{}', null), "
        "(4, 'saisine', 'JS000000000001', 'creation', 'agent.med', 'pole', "
        "'2026-01-05 10:00', null, '{}')"
    )
    con.close()
    users = {
        "agent.med": {"name": "Agent Méd", "role": "pole", "pole_code": "mediterranee",
                      "hash": "$argon2id$v=19$m=65536,t=3,p=4$c2VsZA$aGFzaA", "disabled": False,
                      "failed_count": 2, "locked_until": None},
        "mallory": {"name": "Mallory", "role": "reader", "pole_code": None,
                    "hash": "$argon2id$v=19$m=65536,t=3,p=4$c2VsZA$aGFzaA", "disabled": True,
                    "failed_count": 0, "locked_until": "2026-01-01T10:00:00+00:00"},
    }  # fmt: skip
    (data_dir / "users.json").write_text(json.dumps({"users": users}), encoding="utf-8")


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_legacy_files_import_once_and_stay_untouched(store_url, tiny_data):
    _legacy_files(tiny_data)
    before = {p: _digest(tiny_data / p) for p in ("journal.duckdb", "users.json")}
    counts = store.import_legacy(tiny_data, store_url)
    assert counts == {"activity_entries": 2, "request_entries": 1, "audit_log": 4, "accounts": 2}
    again = store.import_legacy(tiny_data, store_url)
    assert again == dict.fromkeys(counts, 0)
    assert {p: _digest(tiny_data / p) for p in before} == before
    # The cancelled entry stays cancelled; mallory stays disabled.
    rows = store.get_store().rows(
        sa.select(schema.activity_entries.c.comment, schema.activity_entries.c.is_deleted)
    )
    assert sorted((r.comment, r.is_deleted) for r in rows) == [
        ("ancienne", False), ("annulée", True)
    ]  # fmt: skip
    accounts = {r.username: r for r in store.get_store().rows(sa.select(schema.accounts))}
    assert accounts["mallory"].is_disabled is True
    assert accounts["agent.med"].pole_code == "mediterranee"
    # The imported live entry counts in the indicators (suivi IDA, Méditerranée, 2026).
    from sppe_data import api

    progress = api.indicator_progress(2026)
    ida = progress.filter(
        (progress["pole_code"] == "mediterranee") & (progress["indicator_code"] == "suivis_ida")
    )["realised_count"].item()
    assert ida == 3 + 1  # tests/tiny.py: A07, A13, A14; + the imported one


def test_a_corrupt_legacy_journal_is_refused_and_nothing_is_imported(store_url, tiny_data):
    (tiny_data / "journal.duckdb").write_bytes(b"\x00" * 4096)
    with pytest.raises(store.StoreUnavailable, match="illisible"):
        store.import_legacy(tiny_data, store_url)
    assert comments() == []
