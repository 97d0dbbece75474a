"""Boundaries: the 101 départements, the pôle zones and the overseas insets."""

from __future__ import annotations

import csv

import pytest
import shapely

from geo import boundaries
from sppe_data.settings import REFERENCE_DIR

# Pôle -> its départements, counted by hand from the régions of poles.toml:
# IDF 8 + HDF 5; BFC 8 + Grand Est 10 + ARA 12 + 5 overseas; Occitanie 13 + PACA 6 +
# Corse 2; Nouvelle-Aquitaine 12; Centre-VdL 6 + Pays de la Loire 5 + Bretagne 4 +
# Normandie 5.
POLE_COUNTS = {
    "idf_hdf": 13,
    "centre_est": 35,
    "mediterranee": 21,
    "atlantique": 12,
    "centre_ouest": 20,
}


def reference_rows() -> dict[str, str]:
    with (REFERENCE_DIR / "departements.csv").open(encoding="utf-8") as fh:
        return {r["dep_code"]: r["dep_name"] for r in csv.DictReader(fh)}


@pytest.fixture(scope="module")
def deps():
    return boundaries.departements()


def test_101_valid_departements(deps):
    assert len(deps) == 101
    assert deps.is_valid.all()
    assert not deps.is_empty.any()
    assert set(deps.geom_type) <= {"Polygon", "MultiPolygon"}
    assert boundaries.BOUNDARIES.stat().st_size < 1_500_000


def test_codes_and_names_equal_the_reference(deps):
    assert dict(zip(deps["dep_code"], deps["dep_name"], strict=True)) == reference_rows()


def test_a_clean_coverage_without_gaps(deps):
    assert shapely.coverage_is_valid(deps.geometry.values)  # no overlap between neighbours
    mainland = shapely.union_all(deps[~deps["is_overseas"]].geometry.values)
    holes = [r for p in shapely.get_parts(mainland) for r in p.interiors]
    assert holes == []


def test_areas_match_official_figures(deps):
    areas = deps.to_crs(2154).set_index("dep_code").area / 1e6  # km², Lambert-93
    mainland = areas[[c for c in areas.index if len(c) == 2]].sum()
    # IGN: metropolitan France (Corsica included) covers about 543 940 km².
    assert mainland == pytest.approx(543_940, rel=0.01)
    assert areas["75"] == pytest.approx(105.4, rel=0.05)  # Paris: 105,4 km²
    assert areas["2A"] + areas["2B"] == pytest.approx(8_680, rel=0.02)  # Corse


def test_pole_zones_cover_exactly_their_departements(deps):
    zones = boundaries.pole_zones().set_index("pole_code")
    assert dict(zones["departement_count"]) == POLE_COUNTS
    for pole, zone in zones.geometry.items():
        mine = shapely.union_all(deps[deps["pole_code"] == pole].geometry.values)
        assert zone.symmetric_difference(mine).area < 1e-9, pole
    parts = list(zones.geometry)
    for i, a in enumerate(parts):
        for b in parts[i + 1 :]:
            assert a.intersection(b).area < 1e-9
    total = shapely.union_all(parts)
    assert total.symmetric_difference(shapely.union_all(deps.geometry.values)).area < 1e-9


def test_overseas_are_drawn_in_their_insets(deps):
    layout = boundaries.national_layout().set_index("dep_code")
    boxes = boundaries.inset_frames().set_index("dep_code").geometry
    mainland = shapely.union_all(deps[~deps["is_overseas"]].geometry.values)
    for code in ("971", "972", "973", "974", "976"):
        assert boxes[code].contains(layout.geometry[code]), code
        assert not boxes[code].intersects(mainland)
    truth = deps.set_index("dep_code").geometry
    assert layout.geometry["75"].equals(truth["75"])  # mainland unchanged


def test_points_move_with_their_departement():
    import polars as pl

    pts = pl.DataFrame({"dep_code": ["974", "75"], "lon": [55.45, 2.35], "lat": [-21.1, 48.86]})
    moved = boundaries.place_points(pts)
    box = boundaries.inset_frames().set_index("dep_code").geometry["974"]
    assert box.contains(shapely.Point(moved["lon"][0], moved["lat"][0]))
    assert (moved["lon"][1], moved["lat"][1]) == (2.35, 48.86)


def test_screen_layout_is_lighter_and_valid():
    screen = boundaries.national_layout(screen=True)
    full = boundaries.national_layout()
    assert screen.is_valid.all() and len(screen) == 101
    count = shapely.get_num_coordinates
    assert count(screen.geometry.values).sum() < count(full.geometry.values).sum() / 2
