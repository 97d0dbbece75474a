"""The journal: writes seen at once by the indicators, idempotency, rights checked by the
data layer for every write and every role, concurrency, audit content, bulk import,
export."""

from __future__ import annotations

import json
import threading
import time
from datetime import date

import polars as pl
import pytest
import sqlalchemy as sa

from sppe_data import api, journal, store
from sppe_data.auth import AccessDenied, Principal
from sppe_data.entries import ValidationError
from sppe_data.store import schema

READER = Principal("lecteur", "Lecteur", "reader")
POLE_IDF = Principal("agent.idf", "Agent IDF", "pole", "idf_hdf")
POLE_MED = Principal("agent.med", "Agent Méditerranée", "pole", "mediterranee")
CNAF = Principal("dpfas", "Dpfas", "cnaf")
ADMIN = Principal("admin", "Admin", "admin")


def sensitive_control(**over) -> dict:
    """A done sensitive control of the idf_hdf pôle at the Caf du Nord (59), in January
    2026: it counts for the 'contrôles sensibles' indicator (tests/tiny.py: 3 so far)."""
    return {
        "activity_kind": "controle_sensible",
        "pole_code": "idf_hdf",
        "caf_code": "59",
        "status": "done",
        "activity_on": date(2026, 1, 20),
        "days_spent": 2,
        "has_findings": True,
        "undue_amount_eur": 1250.5,
        "comment": "RAS",
        **over,
    }


def stored(table: str) -> pl.DataFrame:
    """Every row of a store table, read around the journal's own functions."""
    return store.get_store().read(sa.select(schema.metadata.tables[table]))


def revisions() -> dict[str, int]:
    return store.get_store().revisions()


def sensitive_done(pole: str = "all") -> int:
    df = api.indicator_progress(2026)
    row = df.filter(
        (pl.col("pole_code") == pole) & (pl.col("indicator_code") == "controles_sensibles")
    )
    return row["realised_count"].item()


def test_a_saved_entry_moves_the_indicator_at_once(store_url, tiny_data):
    assert sensitive_done() == 3  # tiny.py: A01, A02, A06
    assert sensitive_done("idf_hdf") == 2
    saved = journal.save_activity(POLE_IDF, sensitive_control(), journal.new_token())
    assert saved.created and saved.entity_id.startswith("JA")
    assert sensitive_done() == 4
    assert sensitive_done("idf_hdf") == 3
    # The derived travel fee: controle_sensible is departmental (rules.toml: 300 EUR).
    stored = journal.recent_activities(POLE_IDF)
    assert stored["travel_fee_eur"].to_list() == [300.0]
    assert stored["comment"].to_list() == ["RAS"]


def test_same_token_twice_writes_once(store_url, tiny_data):
    token = journal.new_token()
    first = journal.save_activity(POLE_IDF, sensitive_control(), token)
    second = journal.save_activity(POLE_IDF, sensitive_control(), token)
    assert first.entity_id == second.entity_id
    assert (first.created, second.created) == (True, False)
    assert sensitive_done() == 4
    assert journal.audit_entries(CNAF).height == 1


@pytest.mark.parametrize(
    ("who", "allowed"),
    [(READER, False), (POLE_IDF, True), (POLE_MED, False), (CNAF, True), (ADMIN, False),
     (None, False)],
)  # fmt: skip
def test_every_write_checks_rights(store_url, tiny_data, who, allowed):
    """Each write API called directly, as each role, on an idf_hdf entry."""
    existing = journal.save_activity(CNAF, sensitive_control(), journal.new_token()).entity_id
    request = {"caf_code": "59", "request_nature": "controle_sensible", "priority": "haute",
               "status": "received", "received_on": date(2026, 1, 10)}  # fmt: skip
    row = {k: str(v) for k, v in sensitive_control().items()}
    writes = {
        "save_activity": lambda: journal.save_activity(who, sensitive_control(), "t1"),
        "save_request": lambda: journal.save_request(who, request, "t2"),
        "update_activity": lambda: journal.update_activity(
            who, existing, sensitive_control(days_spent=3)
        ),
        "cancel_activity": lambda: journal.cancel_activity(who, existing),
        "import_activities": lambda: journal.import_activities(who, [row], "file1"),
    }
    for name, write in writes.items():
        if allowed:
            result = write()
            if name == "import_activities":
                assert result.saved_count == 1, result.errors
        elif name == "import_activities" and who is POLE_MED:
            # A pôle importing another pôle's rows: refused row by row, nothing written.
            report = write()
            assert report.saved_count == 0
            assert report.errors["Champ"].to_list() == ["Pôle"]
        else:
            before = revisions()
            with pytest.raises(AccessDenied) as exc:
                write()
            assert str(exc.value), name  # a French message to show
            assert revisions() == before, f"{name} wrote something"
    count = stored("activity_entries").height
    assert count == (3 if allowed else 1)  # existing + saved + imported


def test_a_pole_cannot_move_an_entry_to_another_pole(store_url, tiny_data):
    saved = journal.save_activity(POLE_IDF, sensitive_control(), journal.new_token())
    with pytest.raises(AccessDenied):
        journal.update_activity(
            POLE_IDF, saved.entity_id, sensitive_control(pole_code="mediterranee", caf_code="30")
        )
    with pytest.raises(AccessDenied):  # nor touch another pôle's entry
        journal.cancel_activity(POLE_MED, saved.entity_id)
    assert sensitive_done("idf_hdf") == 3


def test_reading_the_audit_log_and_exporting_are_restricted(store_url, tiny_data, tmp_path):
    for who in (READER, POLE_IDF, None):
        with pytest.raises(AccessDenied):
            journal.audit_entries(who)
        with pytest.raises(AccessDenied):
            journal.export_parquet(who, tmp_path / "out")
    assert journal.audit_entries(ADMIN).height == 0


def test_invalid_input_writes_nothing(store_url, tiny_data):
    with pytest.raises(ValidationError) as exc:
        journal.save_activity(POLE_IDF, sensitive_control(undue_amount_eur=-5), "t")
    assert "négatif" in exc.value.errors["undue_amount_eur"]
    assert revisions()["activity_entries"] == 0
    assert sensitive_done() == 3


def test_audit_keeps_who_when_before_after(store_url, tiny_data):
    saved = journal.save_activity(POLE_IDF, sensitive_control(), journal.new_token())
    journal.update_activity(POLE_IDF, saved.entity_id, sensitive_control(days_spent=4.5))
    journal.cancel_activity(CNAF, saved.entity_id)
    log = journal.audit_entries(CNAF).sort("audit_id")
    assert log["action"].to_list() == ["creation", "modification", "suppression"]
    assert log["actor"].to_list() == ["agent.idf", "agent.idf", "dpfas"]
    assert log["actor_role"].to_list() == ["pole", "pole", "cnaf"]
    assert set(log["entity_id"]) == {saved.entity_id}
    created, updated, deleted = log.iter_rows(named=True)
    assert created["before_json"] is None
    assert json.loads(created["after_json"])["days_spent"] == 2.0
    assert json.loads(updated["before_json"])["days_spent"] == 2.0
    assert json.loads(updated["after_json"])["days_spent"] == 4.5
    assert json.loads(deleted["before_json"])["status"] == "done"
    assert deleted["after_json"] is None
    assert all(isinstance(t, object) and t is not None for t in log["changed_at"])
    # Soft delete: out of the indicators and the recent entries, kept in the table.
    assert sensitive_done() == 3
    assert journal.recent_activities(POLE_IDF).height == 0
    kept = stored("activity_entries")
    assert kept["is_deleted"].to_list() == [True]


def test_many_threads_submitting_at_once_are_all_recorded_once(store_url, tiny_data, capsys):
    threads_count, per_thread = 16, 25
    tokens = [[f"t{t}-{i}" for i in range(per_thread)] for t in range(threads_count)]
    barrier = threading.Barrier(threads_count)
    failures: list[BaseException] = []

    def submit(my_tokens):
        barrier.wait()
        try:
            for token in my_tokens:
                journal.save_activity(POLE_IDF, sensitive_control(comment=token), token)
                # A double click: the same token again, at once.
                journal.save_activity(POLE_IDF, sensitive_control(comment=token), token)
        except BaseException as exc:
            failures.append(exc)

    done = threading.Event()
    reads: list[int] = []

    def read_meanwhile():
        # Sessions reading the indicators while others write: no error, counts only grow.
        try:
            while not done.is_set():
                reads.append(sensitive_done())
        except BaseException as exc:
            failures.append(exc)

    store.get_store()  # open the store before the race
    started = time.perf_counter()
    workers = [threading.Thread(target=submit, args=(t,)) for t in tokens]
    readers = [threading.Thread(target=read_meanwhile) for _ in range(3)]
    for w in workers + readers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - started
    done.set()
    for r in readers:
        r.join()
    assert reads and min(reads) >= 3 and max(reads) <= 3 + threads_count * per_thread
    assert not failures, failures[:3]
    rows = stored("activity_entries")
    expected = sorted(t for ts in tokens for t in ts)
    assert sorted(rows["comment"]) == expected  # every record, exactly once
    assert sensitive_done() == 3 + threads_count * per_thread
    assert journal.audit_entries(CNAF, limit=10_000).height == threads_count * per_thread
    with capsys.disabled():
        print(
            f"\nconcurrency: {threads_count} threads x {per_thread} submissions (each sent "
            f"twice) -> {rows.height} records, {elapsed:.2f} s; {len(reads)} concurrent reads"
        )


def test_bulk_import_all_or_nothing_with_a_report(store_url, tiny_data):
    good = {k: str(v) for k, v in sensitive_control().items()}
    bad = {**good, "undue_amount_eur": "-3", "caf_code": "30", "activity_on": "31/02/2026"}
    other_pole = {**good, "pole_code": "mediterranee", "caf_code": "30"}
    report = journal.import_activities(POLE_IDF, [good, bad, other_pole], "file-a")
    assert report.saved_count == 0
    errors = report.errors.to_dicts()
    assert {(e["Ligne"], e["Champ"]) for e in errors} == {
        (3, "Caf bénéficiaire"),
        (3, "Date"),
        (3, "Indus (EUR)"),
        (4, "Pôle"),
    }
    assert sensitive_done() == 3
    report = journal.import_activities(POLE_IDF, [good, good], "file-b")
    assert (report.saved_count, report.errors.height) == (2, 0)
    again = journal.import_activities(POLE_IDF, [good, good], "file-b")
    assert (again.saved_count, again.skipped_count) == (0, 2)
    assert sensitive_done() == 5


def test_read_table_csv_and_xlsx(store_url, tiny_data):
    from openpyxl import Workbook

    header = ["activity_kind", "pole_code", "caf_code", "status", "activity_on", "days_spent",
              "has_findings", "undue_amount_eur"]  # fmt: skip
    values = ["controle_sensible", "idf_hdf", "59", "done", "20/01/2026", "1,5", "non", "0"]
    csv = (";".join(header) + "\n" + ";".join(values) + "\n").encode("utf-8")
    rows = journal.read_table("saisies.csv", csv)
    assert rows == [dict(zip(header, values, strict=True))]
    wb = Workbook()
    wb.active.append(header)
    wb.active.append(["controle_sensible", "idf_hdf", "59", "done", date(2026, 1, 20), 1.5,
                      False, 0])  # fmt: skip
    import io

    buffer = io.BytesIO()
    wb.save(buffer)
    xrows = journal.read_table("saisies.xlsx", buffer.getvalue())
    report = journal.import_activities(POLE_IDF, rows + xrows, "file-c")
    assert report.saved_count == 2, report.errors
    with pytest.raises(ValueError, match="Colonnes inconnues"):
        journal.read_table("x.csv", b"nom;<script>\n1;2\n")
    with pytest.raises(ValueError, match="illisible"):
        journal.read_table("x.xlsx", b"pas un classeur")
    with pytest.raises(ValueError, match="trop volumineux"):
        journal.read_table("x.csv", b"a" * 6_000_000)
    with pytest.raises(ValueError, match="vide"):
        journal.read_table("x.csv", b"\n\n")
    with pytest.raises(ValueError, match="encodage incohérent"):  # UTF-8, then not
        journal.read_table("x.csv", "activity_kind\ncontrôle\n".encode() + b"\xe9\n")
    with pytest.raises(ValueError, match="non pris en charge"):
        journal.read_table("x.exe", b"MZ")


def test_export_to_parquet_joins_the_extracts(store_url, tiny_data, tmp_path):
    journal.save_activity(POLE_IDF, sensitive_control(), journal.new_token())
    paths = journal.export_parquet(CNAF, tmp_path / "export")
    assert [p.name for p in paths] == [
        "journal_activities.parquet",
        "journal_requests.parquet",
        "journal_audit.parquet",
    ]
    exported = pl.read_parquet(paths[0])
    national = pl.read_parquet(tiny_data / "extracts" / "activities" / "activities.parquet")
    both = pl.concat([national, exported.select(national.columns)])
    assert both.height == 22 + 1  # the fixture's 22 activities (tests/tiny.py) + 1 saved
    assert both.filter(pl.col("activity_id").str.starts_with("JA")).height == 1


def test_an_unreachable_store_gives_a_french_message_and_no_figure(tiny_data, monkeypatch):
    # A PostgreSQL server that is not there (a closed loopback port): fail closed.
    monkeypatch.setenv("SPPE_DATABASE_URL", "postgresql://sppe@127.0.0.1:9/sppe")
    store.reset_cache()
    with pytest.raises(store.StoreUnavailable, match="injoignable"):
        api.indicator_progress(2026)
    with pytest.raises(journal.JournalUnavailable, match="injoignable"):
        journal.save_activity(POLE_IDF, sensitive_control(), "t")


def test_an_unmigrated_store_is_refused_with_the_command_to_run(tmp_path, monkeypatch):
    monkeypatch.setenv("SPPE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("SPPE_DATABASE_URL", raising=False)
    store.reset_cache()
    with pytest.raises(store.SchemaMismatch, match="sppe migrate"):
        journal.save_activity(POLE_IDF, sensitive_control(), "t")
    assert not (tmp_path / "sppe.sqlite3").exists()  # refusing creates nothing


def test_2024_counts_only_its_half_year_window(tiny_data):
    """2024's targets cover 1 July to 31 December (targets.csv), as the captions and the
    glossary say: a control done in May 2024 is in the journal but counts toward no
    target; one done in August counts, in the year, the month and the semester figures."""
    from sppe_data import steering

    for day in (date(2024, 5, 15), date(2024, 8, 20)):
        journal.save_activity(CNAF, sensitive_control(activity_on=day), journal.new_token())
    progress = api.indicator_progress(2024).filter(
        (pl.col("pole_code") == "all") & (pl.col("indicator_code") == "controles_sensibles")
    )
    assert progress["realised_count"].to_list() == [1]
    monthly = api.indicator_monthly(2024, "controles_sensibles", "all")
    by_month = dict(zip(monthly["month_start"], monthly["realised_count"], strict=True))
    assert by_month[date(2024, 5, 1)] == 0 and by_month[date(2024, 8, 1)] == 1
    assert monthly["cumulative_realised_count"].to_list()[-1] == 1
    second = steering.copil_semester(2024, 2).filter(
        (pl.col("pole_code") == "all") & (pl.col("indicator_code") == "controles_sensibles")
    )
    assert second["year_realised_count"].to_list() == [1]
    # The activity list of the year still shows both: the window is about targets only.
    listed = steering.activity_list(
        steering.year_period(2024), "all", "controle_sensible", "pole", "all"
    )
    assert listed.height == 2
