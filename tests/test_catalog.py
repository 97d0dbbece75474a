"""Missing, unreadable or incomplete extract files: a French message naming the file,
empty views with the right columns, never an exception."""

from __future__ import annotations

import polars as pl

from sppe_data import api
from sppe_data.catalog import build_catalog
from sppe_data.extracts import EXTRACTS


def test_no_extracts_gives_one_message_per_file_and_empty_views(empty_data):
    problems = api.data_info().problems
    assert len(problems) == len(EXTRACTS)
    assert any("extracts/activities/" in p and "introuvable" in p for p in problems)
    df = api.indicator_progress(2026)
    assert df.height == 36
    assert df["realised_count"].sum() == 0


def test_corrupt_file_is_named(tiny_data):
    (tiny_data / "extracts" / "requests" / "requests.parquet").write_text("pas du parquet")
    catalog = build_catalog(tiny_data / "extracts")
    [message] = catalog.problems
    assert "illisible" in message
    assert "extracts/requests/requests.parquet" in message
    count = catalog.connection.execute("select count(*) from requests").fetchone()[0]
    assert count == 0
    # The other extracts still work.
    # 14 rows A01-A14 and 8 rows B01-B08 (tests/tiny.py): 14 + 8 = 22.
    assert catalog.connection.execute("select count(*) from activities").fetchone()[0] == 22


def test_missing_column_is_reported(tiny_data):
    path = tiny_data / "extracts" / "staff" / "staff.parquet"
    pl.DataFrame({"staff_id": ["X"], "pole_code": ["idf_hdf"]}).write_parquet(path)
    [message] = build_catalog(tiny_data / "extracts").problems
    assert "incomplète" in message and "fte" in message and "extracts/staff/" in message


def test_views_have_declared_types(tiny_data):
    con = build_catalog(tiny_data / "extracts").connection
    described = dict(
        (name, kind) for name, kind, *_ in con.execute("describe activities").fetchall()
    )
    assert described["activity_on"] == "DATE"
    assert described["undue_amount_eur"] == "DOUBLE"
    assert list(described) == list(EXTRACTS["activities"].columns)


def test_reimport_is_seen_without_restart(tiny_data):
    before = api.indicator_progress(2026)
    # 3 contrôles sensibles + 3 suivis IDA + 1 étude + 1 audit (tests/tiny.py).
    assert before.filter(pl.col("pole_code") == "all")["realised_count"].sum() == 8
    # Replace the activities extract with an empty one: the next call sees it.
    path = tiny_data / "extracts" / "activities" / "activities.parquet"
    pl.read_parquet(path).head(0).write_parquet(path)
    after = api.indicator_progress(2026)
    assert after["realised_count"].sum() == 0
