"""Long lists of the steering pages (late activities, saisines waiting, partners): the
queries return the first rows in the page's order with the size of the whole list, the
pages show those rows, say the total and keep every figure counted on the whole list.

Checked on a demo data set large enough for every list to be cut (scale 10), against
counts made here with polars on the extract files (not with the queries)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest

from charts import steering_tables as tables
from sppe_data import demo, fmt, reference, steering
from tests.conftest import _clear_caches, migrated
from tests.test_steering_pages import metrics, run

AS_OF = date(2026, 6, 15)
LIMIT = 25


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo_long_lists")
    demo.generate(out, seed=7, scale=10, as_of=AS_OF)
    return migrated(out)


@pytest.fixture
def demo_data(demo_dir, monkeypatch) -> Path:
    monkeypatch.setenv("SPPE_DATA_DIR", str(demo_dir))
    monkeypatch.delenv("SPPE_DATABASE_URL", raising=False)
    monkeypatch.setenv("SPPE_TODAY", AS_OF.isoformat())
    _clear_caches()
    yield demo_dir
    _clear_caches()


def extract(data_dir: Path, name: str) -> pl.DataFrame:
    return pl.read_parquet(data_dir / "extracts" / name / f"{name}.parquet")


def late_by_hand(data_dir: Path, as_of: date, domain: str) -> pl.DataFrame:
    """Late activities at ``as_of``, oldest first, counted without the query."""
    kinds = reference.activity_kinds().filter(pl.col("domain") == domain)["activity_kind"]
    late_after = int(steering.rules()["operations"]["late_after_days"])
    return (
        extract(data_dir, "activities")
        .filter(
            pl.col("activity_kind").is_in(kinds.to_list())
            & pl.col("status").is_in(["planned", "in_progress"])
            & (pl.col("activity_on") < as_of - timedelta(days=late_after))
        )
        .sort("activity_on", "activity_id")
    )


def waiting_by_hand(data_dir: Path, as_of: date) -> pl.DataFrame:
    """Saisines open at ``as_of``, oldest first, counted without the query."""
    return (
        extract(data_dir, "requests")
        .filter(
            (pl.col("received_on") <= as_of)
            & (pl.col("closed_on").is_null() | (pl.col("closed_on") > as_of))
        )
        .sort("received_on", "request_id")
    )


def test_late_items_first_rows_and_total(demo_data):
    month = AS_OF.replace(day=1)
    expected = late_by_hand(demo_data, AS_OF, "maitrise_risques")
    assert expected.height > steering.TOP_ROWS  # the page's list is cut
    top = steering.ops_late_items(month, "maitrise_risques", "all", LIMIT)
    assert top.height == LIMIT
    assert top["activity_id"].to_list() == expected["activity_id"].head(LIMIT).to_list()
    assert top["days_late"].to_list() == sorted(top["days_late"].to_list(), reverse=True)
    assert steering.total_count(top) == expected.height
    whole = steering.ops_late_items(month, "maitrise_risques", "all")
    assert whole.height == expected.height == steering.total_count(whole)


def test_requests_open_first_rows_total_and_ages(demo_data):
    expected = waiting_by_hand(demo_data, AS_OF)
    assert expected.height > steering.TOP_ROWS
    top = steering.requests_open(AS_OF, "all", "all", LIMIT)
    assert top["request_id"].to_list() == expected["request_id"].head(LIMIT).to_list()
    assert steering.total_count(top) == expected.height
    ages = steering.requests_open_ages(AS_OF, "all")
    assert ages["requests_count"].sum() == expected.height
    # The backlog by age from the counts equals the one from the whole list.
    bands = steering.backlog_bands()
    whole = steering.requests_open(AS_OF, "all")
    assert tables.backlog_by_age(ages, bands).equals(tables.backlog_by_age(whole, bands))


def test_partner_controls_first_rows_hold_the_watch_list(demo_data):
    whole = steering.partner_controls("all")
    partners = extract(demo_data, "partners")
    watch_levels = steering.rules()["partners"]["watch_risk_levels"]
    last_findings = (
        extract(demo_data, "activities")
        .filter(
            (pl.col("status") == "done")
            & pl.col("partner_id").is_not_null()
            & (pl.col("activity_on") <= AS_OF)
        )
        .sort("activity_on", "activity_id")
        .group_by("partner_id")
        .agg(pl.col("has_findings").fill_null(False).last().alias("last_findings"))
    )
    on_watch = partners.join(last_findings, on="partner_id", how="left").filter(
        pl.col("risk_level").is_in(watch_levels) | pl.col("last_findings").fill_null(False)
    )
    assert on_watch.height > steering.TOP_ROWS
    top = steering.partner_controls("all", LIMIT)
    assert steering.total_count(top) == partners.height == whole.height
    assert steering.total_count(top, "watch_count") == on_watch.height
    assert top.height == LIMIT and top["is_on_watch_list"].all()
    first_watch = on_watch.sort("partner_name")["partner_name"].head(LIMIT).to_list()
    assert top["partner_name"].to_list() == first_watch


def test_typed_tables_format_nothing_row_by_row(demo_data):
    late = tables.late_items(
        steering.ops_late_items(AS_OF.replace(day=1), "maitrise_risques", "all", 3)
    )
    assert late.schema["Date prévue"] == pl.Date and late.schema["Jours de retard"] == pl.Int64
    shown = tables.open_requests(steering.requests_open(AS_OF, "all", "all", 3))
    assert shown.schema["Reçue le"] == pl.Date
    assert set(shown["Circuit conforme"]) <= {"Oui", "Non"}


def captions(at) -> list[str]:
    return [c.value for c in at.caption]


def tables_with(at, column: str) -> list:
    """The shown tables (as pandas frames) that have ``column``."""
    return [d.value for d in at.dataframe if column in d.value.columns]


def test_comite_page_shows_first_rows_and_says_totals(demo_data):
    at = run("app_pages/comite_operationnel.py", comite="maitrise_risques")
    late = late_by_hand(demo_data, AS_OF, "maitrise_risques").height
    waiting = steering.total_count(steering.requests_open(AS_OF, "all", "maitrise_risques", 1))
    assert metrics(at)["Activités en retard"] == fmt.number(late)
    assert metrics(at)["Saisines en attente"] == fmt.number(waiting)
    assert [len(t) for t in tables_with(at, "Jours de retard")] == [steering.TOP_ROWS]
    assert [len(t) for t in tables_with(at, "Saisine")] == [steering.TOP_ROWS]
    text = captions(at)
    assert any(
        c.startswith(f"200 premières lignes sur {fmt.number(late)}, les plus en retard d'abord")
        for c in text
    ), text
    assert any(f"200 premières lignes sur {fmt.number(waiting)}" in c for c in text), text


def test_saisines_page_lists_the_oldest_and_says_the_total(demo_data):
    at = run("app_pages/saisines.py")
    waiting = waiting_by_hand(demo_data, AS_OF)
    assert any(f"Liste des {fmt.number(waiting.height)} saisine(s)" in e.label for e in at.expander)
    (listed,) = tables_with(at, "Saisine")
    assert list(listed["Saisine"]) == waiting["request_id"].head(steering.TOP_ROWS).to_list()
    assert any(
        f"200 premières lignes sur {fmt.number(waiting.height)}, les plus anciennes" in c
        for c in captions(at)
    )


def test_controls_page_counts_every_partner(demo_data):
    at = run("app_pages/controles.py")
    whole = steering.partner_controls("all")
    watch = whole.filter(pl.col("is_on_watch_list")).height
    text = " ".join(m.value for m in at.markdown)
    assert (
        f"Sous surveillance : {fmt.number(watch)} partenaire(s)** sur {fmt.number(whole.height)}"
        in text
    )
    assert [len(t) for t in tables_with(at, "Partenaire")] == [steering.TOP_ROWS] * 2
    assert any(f"200 premières lignes sur {fmt.number(watch)}, par nom" in c for c in captions(at))


def test_full_lists_export_typed(demo_data):
    """What the download buttons build when clicked: the whole list, typed."""
    from exports.tables import table_to_csv, table_to_xlsx

    whole = tables.late_items(
        steering.ops_late_items(AS_OF.replace(day=1), "maitrise_risques", "all")
    )
    assert whole.height == late_by_hand(demo_data, AS_OF, "maitrise_risques").height
    csv = table_to_csv(whole).decode("utf-8-sig").splitlines()
    assert len(csv) == whole.height + 1
    first = csv[1].split(";")
    assert first[1] == whole["Date prévue"][0].strftime("%d/%m/%Y")
    assert first[2] == str(whole["Jours de retard"][0])
    assert table_to_xlsx(tables.partners(steering.partner_controls("all")))[:2] == b"PK"
