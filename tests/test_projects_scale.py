"""The Projets page at national scale: the map counts projects by département above a
threshold (points below it), the late projects table shows the most late only."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from charts import maps
from geo import boundaries
from sppe_data import territory
from tests.conftest import _clear_caches, migrated
from tests.tiny import PROJECTS, TODAY, projects_frame, write_manifest, write_tiny_extracts

COPIES = 1_300  # 6 500 projects: above maps.POINTS_THRESHOLD


def many_projects() -> pl.DataFrame:
    """The tiny projects, ``COPIES`` times, each copy one day earlier (P1's copies are
    late by 62 days and more)."""
    base = projects_frame()
    return pl.concat(
        base.with_columns(
            (pl.col("project_id") + f"-{i:04d}"),
            (pl.col("project_name") + f" n°{i}"),
            pl.col("expected_opening_on") - timedelta(days=i),
        )
        for i in range(COPIES)
    )


@pytest.fixture
def many_data(tmp_path, monkeypatch):
    data_dir = write_tiny_extracts(tmp_path / "data")
    extracts = data_dir / "extracts"
    many_projects().write_parquet(extracts / "projects" / "projects.parquet")
    write_manifest(extracts, TODAY, "Jeu d'essai")
    migrated(data_dir)
    monkeypatch.setenv("SPPE_DATA_DIR", str(data_dir))
    monkeypatch.delenv("SPPE_DATABASE_URL", raising=False)
    monkeypatch.setenv("SPPE_TODAY", TODAY.isoformat())
    _clear_caches()
    yield data_dir
    _clear_caches()


def spec_of(view: maps.MapView) -> dict:
    return view.figure.to_dict()


def marker_traces(spec: dict) -> list[dict]:
    return [t for t in spec["data"] if t.get("mode") == "markers"]


def tips(spec: dict) -> list[str]:
    return [text for t in marker_traces(spec) for text in t["text"]]


def squares(spec: dict) -> int:
    """The density cells drawn (filled shapes that are not départements)."""
    cells = [t for t in spec["data"] if t.get("fill") == "toself" and "hoveron" not in t]
    return sum(v is None for t in cells for v in t["x"])


def page_map(at: AppTest) -> dict:
    (chart,) = [c for c in at.get("plotly_chart") if json.loads(c.proto.config).get("scrollZoom")]
    return json.loads(chart.proto.spec)


def test_counts_by_departement_match_the_fixture(tiny_data):
    projects = territory.project_pipeline("all")
    counts = maps.projects_by_departement(projects)
    expected = Counter(dep for (_id, _pole, dep, *_rest) in PROJECTS)
    assert dict(counts.select("dep_code", "project_count").iter_rows()) == expected
    # P4 (Gironde) is abandoned: counted as a project, not in the places.
    gironde = counts.filter(pl.col("dep_code") == "33").row(0, named=True)
    assert gironde["abandoned_count"] == 1 and gironde["places_decided_count"] == 0
    nord = counts.filter(pl.col("dep_code") == "59").row(0, named=True)
    assert (nord["late_count"], nord["places_decided_count"]) == (1, 40)
    # Places: the page's KPIs (abandoned excluded) summed over the départements.
    assert counts["places_decided_count"].sum() == 52
    assert counts["places_opened_count"].sum() == 10


def test_above_the_threshold_one_circle_per_departement(tiny_data):
    projects = territory.project_pipeline("all")
    spec = spec_of(maps.project_map(projects, threshold=2))
    (circles,) = marker_traces(spec)
    assert len(circles["x"]) == 5  # 59, 75, 30, 33, 974: one project each
    assert len(set(circles["marker"]["size"])) == 1  # same count, same size
    nord = next(t for t in circles["text"] if t.startswith("Nord (59)"))
    assert "Projets : 1" in nord and "Places décidées : 40" in nord
    assert "En retard : 1" in nord


def test_at_scale_counts_equal_a_group_by(many_data):
    projects = territory.project_pipeline("all")
    assert projects.height == 5 * COPIES > maps.POINTS_THRESHOLD
    expected = dict(projects.group_by("dep_code").len().iter_rows())
    counts = maps.projects_by_departement(projects)
    assert dict(counts.select("dep_code", "project_count").iter_rows()) == expected
    spec = spec_of(maps.project_map(projects))
    (circles,) = marker_traces(spec)
    assert len(circles["x"]) == len(expected)
    assert "Projets : 1\u00a0300" in " ".join(circles["text"])
    # Density view: counts per grid cell, whose sum is every placed project; one square
    # drawn per cell.
    cells = maps.density_cells(boundaries.place_points(projects))
    assert len(cells) == 5 and cells["n"].sum() == projects.height
    assert squares(spec_of(maps.project_map(projects, density=True))) == 5


def test_below_the_threshold_every_project_is_a_point(tiny_data):
    projects = territory.project_pipeline("all")
    assert projects.height <= maps.POINTS_THRESHOLD
    spec = spec_of(maps.project_map(projects))
    assert len(tips(spec)) == 5
    p1 = next(t for t in tips(spec) if t.startswith("Projet P1<br>"))
    assert p1 == (
        "Projet P1<br>EAJE · Travaux<br>"
        "Places décidées : 40 · ouvertes : 0<br>Expert : Claire<br>En retard"
    )
    assert not [t for t in tips(spec) if t.startswith("Nord (59)")]  # no circles


def test_tooltips_escape_names(tiny_data):
    """A project's name is text, never markup, in its tooltip."""
    projects = territory.project_pipeline("all").with_columns(
        pl.lit("<b>Crèche</b> & <img src=x onerror=alert(1)>").alias("project_name")
    )
    text = " ".join(tips(spec_of(maps.project_map(projects))))
    assert "<img" not in text and "<b>Crèche" not in text
    assert "&lt;b&gt;Crèche&lt;/b&gt; &amp; &lt;img src=x onerror=alert(1)&gt;" in text


def test_french_thousands_match_fmt():
    from sppe_data import fmt

    values = [None, 0, 7, 999, 1_000, 12_345, 1_000_000, 123_456_789, -4_500]
    got = pl.DataFrame({"v": values}, schema={"v": pl.Int64}).select(maps._fr_int("v").alias("v"))
    assert got["v"].to_list() == [fmt.number(v) for v in values]


def run_projects(role: str = "reader", **state) -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.session_state["demo_role"] = role
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    at.switch_page("app_pages/projets.py")
    at.run()
    assert not at.exception, at.exception
    return at


def test_page_at_scale(many_data):
    at = run_projects()
    metrics = {m.label: m.value for m in at.metric}
    live = 4 * COPIES
    assert metrics["Projets en cours ou ouverts"] == f"{live // 1000}\u00a0{live % 1000:03d}"
    assert metrics["Places décidées"] == f"{52 * COPIES // 1000}\u00a0{52 * COPIES % 1000:03d}"
    projects = territory.project_pipeline("all")
    late_total = projects.filter(pl.col("is_late") | pl.col("is_at_risk")).height
    assert late_total > 2 * COPIES  # P1's and P3's copies, and P5's now past their date
    table = next(d.value for d in at.dataframe if "Ouverture prévue" in d.value.columns)
    assert len(table) == 200
    # Ordered by lateness: the copies of P1, oldest expected opening first.
    dates = [d.date() for d in table["Ouverture prévue"]]  # typed: dates, shown 12/05/2022
    assert dates[0] == PROJECTS[0][7] - timedelta(days=COPIES - 1)
    assert set(table["En retard"]) == {"oui"}
    assert dates == sorted(dates)
    captions = " ".join(c.value for c in at.caption)
    assert f"{late_total // 1000}\u00a0{late_total % 1000:03d} projet(s) ;" in captions
    assert "les 200 plus en retard sont affichés" in captions
    spec = page_map(at)
    (circles,) = marker_traces(spec)  # one circle per département, no project point
    assert len(circles["x"]) == 5 and any(t.startswith("Nord (59)") for t in circles["text"])
    # Readers have no export; the table is downloadable for the export roles.
    assert not [b for b in at.get("download_button") if b.proto.id.endswith("dl_csv_retards")]


def test_page_detail_of_one_departement(many_data):
    at = run_projects(projets_departements=["30"])
    spec = page_map(at)
    assert len(tips(spec)) == COPIES  # Gard: P3's copies, one point each
    # Fitted to the département: about a degree and a half wide, padding included.
    x0, x1 = spec["layout"]["xaxis"]["range"]
    assert x1 - x0 < 2


def test_late_table_download_for_export_roles(many_data):
    at = run_projects("cnaf")
    ids = [b.proto.id for b in at.get("download_button")]
    assert any(i.endswith("dl_csv_retards") for i in ids)
    assert any(i.endswith("dl_xlsx_retards") for i in ids)
