"""The map pages on the tiny data set: the queries behind them, the maps drawn."""

from __future__ import annotations

import csv
import json

import polars as pl
from streamlit.testing.v1 import AppTest

from charts.maps import NO_DATA, OUTSIDE, POLE_COLOURS
from charts.projects import funnel_counts
from geo import boundaries
from sppe_data import territory
from sppe_data.settings import REFERENCE_DIR

APP = "../app.py"


def population(code: str) -> int:
    with (REFERENCE_DIR / "departements.csv").open(encoding="utf-8") as fh:
        return next(int(r["population_count"]) for r in csv.DictReader(fh) if r["dep_code"] == code)


def counts(frame: pl.DataFrame) -> dict[str, int]:
    return dict(
        frame.filter(pl.col("activity_count") > 0).select("dep_code", "activity_count").iter_rows()
    )


def test_departement_map_counts(tiny_data):
    frame = territory.departement_map(2026, "all")
    assert frame.height == 101
    # tests/tiny.py, 2026 up to 31/01, done: 59 -> A01, A02 (A03 after today, A04
    # cancelled); 21 -> A06, A11, A12 (A05 in 2025); 30 -> A07, A09, A13, A14 (A08 in
    # progress); 33 -> none (A10 planned).
    assert counts(frame) == {"59": 2, "21": 3, "30": 4}
    assert counts(territory.departement_map(2026, "idf_hdf")) == {"59": 2}
    # 2025, done: A05 (21), B01 and B02 (59), B03 and B06 (30), B04 (33); B05 is
    # cancelled, B08 planned.
    assert counts(territory.departement_map(2025, "all")) == {"21": 1, "59": 2, "30": 2, "33": 1}
    row = frame.filter(pl.col("dep_code") == "21").row(0, named=True)
    assert row["is_pivot"] and row["pole_code"] == "centre_est"
    kids = round(population("21") * 0.031)
    assert row["activity_per_10k_children"] == 3 / kids * 10_000


def test_departement_map_coverage_year(tiny_data):
    def rates(year):
        frame = territory.departement_map(year, "all")
        return (
            frame["coverage_year"].unique().to_list(),
            dict(
                frame.drop_nulls("coverage_global_pct")
                .select("dep_code", "coverage_global_pct")
                .iter_rows()
            ),
        )

    # Latest year not after the selected one; the latest one when all are after it.
    assert rates(2026) == ([2024], {"59": 52.5, "21": 61.0})
    assert rates(2023) == ([2023], {"59": 50.0, "33": 70.2})
    assert rates(2020) == ([2024], {"59": 52.5, "21": 61.0})


def test_project_pipeline_figures(tiny_data):
    projects = territory.project_pipeline("all")
    assert projects.height == 5
    assert projects.filter(pl.col("is_late"))["project_id"].to_list() == ["P1"]
    funnel = funnel_counts(projects)
    # Live projects reaching each stage: P1 (travaux), P2 (ouvert), P3 (émergence),
    # P5 (étude); P4 abandoned.
    assert funnel["reached_count"].to_list() == [4, 3, 2, 2, 1]
    from charts.projects import funnel as funnel_figure

    fig, _table = funnel_figure(projects, "tous les pôles")
    # In French, by hand: 3 of 4 is 75 %, 1 of 4 is 25 % (no-break space before %).
    assert list(fig.data[0].text) == [
        "4 · 100\u00a0%", "3 · 75\u00a0%", "2 · 50\u00a0%", "2 · 50\u00a0%", "1 · 25\u00a0%",
    ]  # fmt: skip
    live = projects.filter(pl.col("stage") != "abandonne")
    assert (live["places_decided_count"].sum(), live["places_opened_count"].sum()) == (52, 10)
    assert projects["places_gap_count"].sum() == 42  # 40 - 0 + 12 - 10
    assert territory.project_pipeline("idf_hdf")["project_id"].to_list() == ["P1", "P2"]


def run_page(page: str, **state) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    assert not [e.value for e in at.error if "inattendue" in e.value]
    return at


def map_spec(at: AppTest) -> dict:
    """The plotly spec of the page's map (the chart that zooms with the wheel)."""
    charts = [c for c in at.get("plotly_chart") if json.loads(c.proto.config).get("scrollZoom")]
    assert len(charts) == 1
    return json.loads(charts[0].proto.spec)


def departement(spec: dict, code: str) -> dict:
    """The filled shape of a département (one trace each, its tooltip on the fill)."""
    return next(t for t in spec["data"] if t.get("hoveron") == "fills" and t["name"] == code)


def departement_count(spec: dict) -> int:
    return sum(1 for t in spec["data"] if t.get("hoveron") == "fills")


def markers(spec: dict) -> list[dict]:
    return [t for t in spec["data"] if t.get("mode") == "markers"]


def test_pole_map_page(tiny_data):
    at = run_page("app_pages/carte_poles.py", annee="2026")
    assert at.title[0].value == "Carte des pôles"
    spec = map_spec(at)
    assert departement_count(spec) == 101
    # Pôle borders, the three pivot Cafs (Dijon, Chaumont, Nîmes), the insets' names.
    (pivots,) = markers(spec)
    assert len(pivots["x"]) == 3 and all("Caf pivot" in t for t in pivots["text"])
    insets = next(t for t in spec["data"] if t.get("mode") == "text")
    assert insets["text"] == ["Guadeloupe", "Martinique", "Guyane", "La Réunion", "Mayotte"]
    nord = departement(spec, "59")
    assert nord["fillcolor"] == POLE_COLOURS["idf_hdf"]
    assert "Activités réalisées : 2" in nord["text"]
    assert "Taux de couverture global 2024 : 52,5\u00a0%" in nord["text"]
    legend = " ".join(m.value for m in at.markdown)
    assert "Centre – Pays de la Loire – Bretagne – Normandie" in legend
    # Nothing fetched: no geo or tile subplot, plain axes (hidden) of equal scale.
    assert {t["type"] for t in spec["data"]} == {"scatter"}
    assert spec["layout"]["yaxis"]["scaleanchor"] == "x"


def test_pole_map_built_once_per_inputs(tiny_data, monkeypatch):
    """A rerun reads the built map back; another colouring builds a new one."""
    from charts import maps

    built = []
    build = maps.pole_map

    def counted(*args, **kwargs):
        built.append(args[1:])
        return build(*args, **kwargs)

    monkeypatch.setattr(maps, "pole_map", counted)
    at = run_page("app_pages/carte_poles.py", annee="2026")
    first = map_spec(at)
    at.run()
    assert map_spec(at) == first
    assert built == [("pole", "all")]
    at.radio(key="carte_indicateur").set_value("activity_count").run()
    assert built == [("pole", "all"), ("activity_count", "all")]


def test_pole_map_switches_to_coverage(tiny_data):
    at = run_page("app_pages/carte_poles.py", annee="2026")
    at.radio(key="carte_indicateur").set_value("coverage_global_pct").run()
    spec = map_spec(at)
    assert departement(spec, "33")["fillcolor"] == NO_DATA  # no 2024 rate
    assert departement(spec, "59")["fillcolor"] != departement(spec, "21")["fillcolor"]


def test_pole_map_one_pole_greys_the_others(tiny_data):
    at = run_page("app_pages/carte_poles.py", annee="2026", pole="mediterranee")
    spec = map_spec(at)
    assert departement(spec, "30")["fillcolor"] == POLE_COLOURS["mediterranee"]
    assert departement(spec, "59")["fillcolor"] == OUTSIDE
    # Fitted to the pôle (Pyrénées-Orientales to Corsica): well under the whole map.
    national = map_spec(run_page("app_pages/carte_poles.py", annee="2026"))
    width = lambda s: s["layout"]["xaxis"]["range"][1] - s["layout"]["xaxis"]["range"][0]  # noqa: E731
    assert width(spec) < 0.6 * width(national)


def test_projects_page(tiny_data):
    import shapely

    from charts.maps import mercator

    at = run_page("app_pages/projets.py")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Places décidées"] == "52"
    assert metrics["Places ouvertes"] == "10"
    assert metrics["Écart décidées − ouvertes"] == "42"
    spec = map_spec(at)
    points = [
        (x, y, text)
        for trace in markers(spec)
        for x, y, text in zip(trace["x"], trace["y"], trace["text"], strict=True)
    ]
    assert len(points) == 5
    x, y, _ = next(p for p in points if "Projet P5" in p[2])
    # La Réunion's project is drawn in its inset (projected like the map).
    box = boundaries.inset_frames().set_index("dep_code").geometry["974"]
    corners = mercator([box.bounds[:2], box.bounds[2:]])
    assert corners[0][0] <= x <= corners[1][0] and corners[0][1] <= y <= corners[1][1]
    # The départements name themselves on hover, under the projects.
    assert departement(spec, "974")["text"] == "La Réunion (974)"
    assert departement_count(spec) == 101
    assert shapely  # the inset box comes from shapely geometries
    at.toggle(key="projets_densite").set_value(True).run()
    spec = map_spec(at)
    # Five projects in five distinct cells of about 10 km: one class, five squares.
    squares = [t for t in spec["data"] if t.get("fill") == "toself" and "hoveron" not in t]
    assert len(squares) == 1
    assert sum(v is None for v in squares[0]["x"]) == 5


def test_classes_come_from_the_selected_pole():
    from charts.maps import RAMP, pole_map

    # Three départements of Méditerranée with 1, 2, 3 activities; the others 0.
    frame = territory_rows({"30": 1.0, "34": 2.0, "13": 3.0})
    view = pole_map(frame, "activity_count", "mediterranee")
    labels = [item.label for item in view.legend]
    # Quintiles of the 21 values of the pôle (18 zeros, then 1, 2, 3): classes up to
    # 0 and up to 3 only, not diluted by the 80 départements outside the pôle.
    assert labels[:2] == ["jusqu'à 0", "de 0 à 3"]
    assert departement(view.figure.to_dict(), "13")["fillcolor"] == RAMP[-1]


def territory_rows(counts: dict[str, float]) -> pl.DataFrame:
    from sppe_data import reference

    deps = reference.departements().join(reference.departement_poles(), on="dep_code")
    return deps.join(reference.poles(), on="pole_code").select(
        "dep_code",
        "dep_name",
        "caf_name",
        "pole_code",
        "pole_label",
        pl.lit(False).alias("is_pivot"),
        pl.col("dep_code").replace_strict(counts, default=0.0).alias("activity_count"),
        pl.lit(None, pl.Float64).alias("activity_per_10k_children"),
        pl.lit(None, pl.Int32).alias("coverage_year"),
        pl.lit(None, pl.Float64).alias("coverage_global_pct"),
    )
