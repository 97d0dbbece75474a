"""The pages' read cache (ui/cache.py): a cached read equals the plain data function,
follows a write, "today" and the arguments, and is invalidated only by the tables it
declares; every wrapper declares every data table its queries read."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from sppe_data import api, db, journal, reference, saisines, steering, territory
from sppe_data.auth import Principal
from sppe_data.settings import QUERIES_DIR
from sppe_data.steering import year_period
from ui import cache

POLE_IDF = Principal("agent.idf", "Agent IDF", "pole", "idf_hdf")
Y2026 = year_period(2026)

# One call per wrapper of ui/cache.py, on the tiny data set (tests/tiny.py).
SAMPLE_CALLS: dict[str, tuple] = {
    "indicator_progress": (2026,),
    "indicator_monthly": (2026, "controles_sensibles", "all"),
    "indicator_period": (date(2026, 1, 1), date(2026, 6, 30), date(2025, 7, 1), date(2025, 12, 31)),
    "extract_status": (),
    "pole_reference": (),
    "target_reference": (),
    "activity_breakdown": (Y2026, "all", "pole"),
    "activity_list": (Y2026, "all", "all", "pole", "all"),
    "activity_monthly_by_pole": (Y2026, ["controle_sensible"]),
    "copil_semester": (2026, 1),
    "ops_month_activity": (date(2026, 1, 1), "maitrise_risques", "all"),
    "ops_late_items": (date(2026, 1, 1), "maitrise_risques", "all"),
    "requests_open": (date(2026, 1, 31), "all"),
    "requests_open_ages": (date(2026, 1, 31), "all"),
    "control_outcomes": (Y2026, "all"),
    "partner_controls": ("all",),
    "staff_by_pole": (Y2026,),
    "staff_positions": ("all",),
    "staffing_by_pole_job": (Y2026,),
    "staffing_activity_per_fte": (Y2026,),
    "request_delays": (Y2026, "all"),
    "travel_fees": (Y2026, "all"),
    "request_steps": ("S2",),
    "request_activities": ("S1",),
    "departement_map": (2026, "all"),
    "coverage_years": (),
    "project_pipeline": ("all",),
    "project_map": ("all",),
    "project_page": ("all",),
    # Built from rows the page read (a function: the rows exist once the data is there).
    "pole_map": lambda: (cache.departement_map(2026, "all"), "pole", "all"),
}


def sample_args(name: str) -> tuple:
    args = SAMPLE_CALLS[name]
    return args() if callable(args) else args


def wrappers() -> dict:
    return {name: f for name, f in vars(cache).items() if callable(f) and hasattr(f, "reads")}


@pytest.fixture
def queries_run(monkeypatch) -> Counter:
    """Counts the named queries the data functions run (cache misses)."""
    runs: Counter = Counter()

    def counting(name: str, **params):
        runs[name] += 1
        return db.run_sql(name, **params)

    for module in (api, saisines, steering, territory):
        monkeypatch.setattr(module, "run_sql", counting)
    return runs


def sensitive_done(frame: pl.DataFrame, pole: str = "all") -> int:
    row = frame.filter(
        (pl.col("pole_code") == pole) & (pl.col("indicator_code") == "controles_sensibles")
    )
    return row["realised_count"].item()


def sensitive_control() -> dict:
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
    }


def test_every_wrapper_has_a_sample_call():
    assert set(wrappers()) == set(SAMPLE_CALLS)


@pytest.mark.parametrize("name", sorted(SAMPLE_CALLS))
def test_cached_read_equals_the_plain_function(tiny_data, name):
    wrapper = wrappers()[name]
    args = sample_args(name)
    assert wrapper.__name__.removeprefix("_") == name
    assert_same(wrapper(*args), wrapper.__wrapped__(*args))


def assert_same(cached_value, plain) -> None:
    """Frames equal; the page parts (a map and its table, a dict of figures and tables)
    equal part by part."""
    if isinstance(plain, pl.DataFrame):
        assert_frame_equal(cached_value, plain)
    elif isinstance(plain, dict):
        assert cached_value.keys() == plain.keys()
        for key in plain:
            assert_same(cached_value[key], plain[key])
    elif isinstance(plain, tuple) and not hasattr(plain, "_fields"):
        assert len(cached_value) == len(plain)
        for a, b in zip(cached_value, plain, strict=True):
            assert_same(a, b)
    elif hasattr(plain, "deck"):  # a map: the same layers, legend and title
        assert cached_value.legend == plain.legend
        assert cached_value.legend_title == plain.legend_title
        assert cached_value.deck.to_json() == plain.deck.to_json()
    else:
        assert cached_value == plain


def _tables_read(query_name: str) -> set[str]:
    sql = (QUERIES_DIR / f"{query_name}.sql").read_text(encoding="utf-8")
    sql = re.sub(r"--[^\n]*", "", sql)
    named = re.findall(r"\b(?:from|join)\s+([a-z_][a-z0-9_]*)", sql, flags=re.IGNORECASE)
    # Views over a data table (sppe_data.journal.create_views) read that table.
    views = {"activities_done": "activities", "requests_received": "requests"}
    return {views.get(t.lower(), t.lower()) for t in named} & cache.DATA_TABLES


@pytest.mark.parametrize("name", sorted(SAMPLE_CALLS))
def test_each_wrapper_declares_the_tables_its_queries_read(tiny_data, queries_run, name):
    wrapper = wrappers()[name]
    args = sample_args(name)
    queries_run.clear()  # the arguments' own reads are not the wrapper's
    wrapper.clear()
    wrapper(*args)
    if wrapper.reads == ():  # built from the reference (and its arguments) only
        assert not {t for q in queries_run for t in _tables_read(q)}, dict(queries_run)
        return
    assert queries_run, f"{name} ran no query"
    read = set().union(*(_tables_read(q) for q in queries_run))
    assert read <= set(wrapper.reads), f"{name} reads {sorted(read)}, declares {wrapper.reads}"


def test_query_scan_finds_the_tables():
    """The scan used above on a query whose tables are known by hand."""
    assert _tables_read("extract_row_counts") == {
        "activities",
        "requests",
        "projects",
        "partners",
        "staff",
    }
    assert _tables_read("departement_map") == {"activities", "coverage"}


def test_same_arguments_run_once_however_passed(tiny_data, queries_run):
    first = cache.indicator_monthly(2026, "controles_sensibles", "all")
    again = cache.indicator_monthly(
        year=2026, pole_code="all", indicator_code="controles_sensibles"
    )
    assert queries_run["indicator_monthly"] == 1
    assert_frame_equal(first, again)
    cache.indicator_monthly(2026, "controles_sensibles", "idf_hdf")
    assert queries_run["indicator_monthly"] == 2


def test_wrappers_with_the_same_arguments_do_not_share_entries(tiny_data):
    assert "stage" in cache.project_pipeline("all").columns
    assert "state" in cache.staff_positions("all").columns
    assert "stage" not in cache.staff_positions("all").columns


def test_a_write_is_seen_at_once(tiny_data, queries_run):
    assert sensitive_done(cache.indicator_progress(2026)) == 3  # tiny.py: A01, A02, A06
    assert sensitive_done(cache.indicator_progress(2026)) == 3
    assert queries_run["indicator_progress"] == 1
    journal.save_activity(POLE_IDF, sensitive_control(), journal.new_token())
    progress = cache.indicator_progress(2026)
    assert queries_run["indicator_progress"] == 2
    assert sensitive_done(progress) == 4
    assert sensitive_done(progress, "idf_hdf") == 3


def test_today_is_part_of_the_key(tiny_data, queries_run, monkeypatch):
    before = cache.indicator_progress(2026)
    monkeypatch.setenv("SPPE_TODAY", "2026-01-10")
    earlier = cache.indicator_progress(2026)
    assert queries_run["indicator_progress"] == 2
    assert_frame_equal(earlier, api.indicator_progress(2026))
    # tiny.py: on the 31st A01, A02, A06; on the 10th only A06 (A01: 15th, A02: 31st).
    assert (sensitive_done(before), sensitive_done(earlier)) == (3, 1)


def test_a_table_version_invalidates_only_its_readers(tiny_data, queries_run, monkeypatch):
    versions = {t: 1 for t in cache.DATA_TABLES}
    monkeypatch.setattr(db, "table_versions", lambda: dict(versions))
    cache.indicator_progress(2026)
    cache.project_pipeline("all")
    cache.pole_reference()
    versions["activities"] += 1
    cache.indicator_progress(2026)
    cache.project_pipeline("all")
    cache.pole_reference()
    assert queries_run["indicator_progress"] == 2
    assert queries_run["project_pipeline"] == 1
    assert queries_run["pole_portfolio"] == 1
    versions["projects"] += 1
    cache.project_pipeline("all")
    assert queries_run["project_pipeline"] == 2


def test_version_key_falls_back_to_the_whole_data_version(tiny_data, monkeypatch):
    monkeypatch.setattr(db, "table_versions", lambda: {"activities": 7, "staff": 2})
    assert cache.table_versions(("activities",)) == (("activities", 7),)
    # The ref_* tables only: the version of the reference edits made in the app.
    assert cache.table_versions(()) == (("reference", reference.version()),)
    # A table the data layer gives no version for: every version, never a stale key.
    assert cache.table_versions(("activities", "projects")) == (("activities", 7), ("staff", 2))


def test_table_versions_follow_writes_per_table(tiny_data):
    """What the keys rely on: a journal write changes the version of activities only."""
    before = db.table_versions()
    assert set(before) >= cache.DATA_TABLES
    journal.save_activity(POLE_IDF, sensitive_control(), journal.new_token())
    after = db.table_versions()
    assert [t for t in sorted(cache.DATA_TABLES) if before[t] != after[t]] == ["activities"]


def test_wrapping_checks_its_declaration():
    with pytest.raises(ValueError, match="activites"):
        cache.cached(api.indicator_progress, reads=("activites",))
    with pytest.raises(TypeError):
        cache.cached(steering.query, reads=("activities",))


@pytest.mark.parametrize(
    ("page", "reads_activities"),
    [("app_pages/projets.py", False), ("app_pages/saisines.py", True),
     ("app_pages/indicateurs.py", True)],
)  # fmt: skip
def test_a_write_reruns_only_the_queries_that_read_what_it_changed(
    tiny_data, queries_run, page, reads_activities
):
    """Whole pages, as a user sees them: after an activity is recorded, a page runs again
    only its queries that read the activities (the Saisines page: the travel fees), none
    when it reads none (Projets)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file("../app.py", default_timeout=60)
    at.session_state["demo_role"] = "cnaf"
    at.run()
    start = Counter(queries_run)
    at.switch_page(page)
    at.run()
    assert not at.exception
    before = Counter(queries_run)
    page_queries = set(before - start)
    at.run()
    assert queries_run == before  # a rerun reads the caches
    journal.save_activity(POLE_IDF, sensitive_control(), journal.new_token())
    at.run()
    assert not at.exception
    rerun = queries_run - before
    assert bool(rerun) == reads_activities, rerun
    assert all("activities" in _tables_read(name) for name in rerun), rerun
    # Every query the page ran and that reads the activities ran again (some it read
    # from the cache the landing page had filled, which ran again too).
    readers = {name for name in page_queries if "activities" in _tables_read(name)}
    assert set(rerun) >= readers
