"""Coverage rates of childcare per département (taux de couverture, data.caf.fr) and
their import.

The real file (``txcouv_pe_dep.csv`` on data.caf.fr): ``;`` separator, UTF-8 with a
BOM, French headers, one row per year x département, rates in % with a decimal point.
It is imported like every national extract (``sppe_data.imports``: bounded reading,
validation with the French headers of ``imports/aliases.toml``, versions): the whole
file is checked before anything changes, one bad row and the coverage layer stays as
it was, the report lists every problem in French. A file replaces only the years it
contains: the years imported earlier stay, so the map can show any of them.

Saint-Barthélemy (977) and Saint-Martin (978) are collectivities served by the Caf de
la Guadeloupe, not départements of the reference table: their rows are set aside with
a note, not an error (``SET_ASIDE``, read by the validation). Mayotte (976) is absent
from the real file: no rate shown.

Children under 3 (for rates per 10,000 children): the extracts carry no such count,
so it is estimated as the département's municipal population x the share of children
aged 0-2 in it. Assumption: 3.1 % in metropolitan France (INSEE population estimates
at 1 January 2024: about 2.1 million children aged 0-2 for 68 million inhabitants),
higher overseas where births are more frequent (orders of magnitude from the same
estimates). A real count replaces it when an extract provides one.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from sppe_data import reference
from sppe_data.auth import IMPORT_ROLES, Principal, check_role
from sppe_data.extracts import EXTRACTS, polars_schema

UNDER3_SHARE = 0.031
UNDER3_SHARE_OVERSEAS = {"971": 0.032, "972": 0.027, "973": 0.065, "974": 0.042, "976": 0.09}
SET_ASIDE = {
    "977": "Saint-Barthélemy, collectivité servie par la Caf de la Guadeloupe",
    "978": "Saint-Martin, collectivité servie par la Caf de la Guadeloupe",
}
SET_ASIDE_NOTE = (
    "Saint-Barthélemy (977) et Saint-Martin (978), collectivités servies par la Caf de la "
    "Guadeloupe, sont signalés et mis de côté à l'import. Mayotte (976) n'est pas publiée "
    "dans le fichier data.caf.fr : pas de taux affiché."
)

MAX_ERRORS_SHOWN = 50  # report rows shown under the upload box
RATE_MAX = 200.0  # a coverage rate above 200 % is a typing error (the validation's bound)

# The file's French headers: sppe_data/imports/aliases.toml, [coverage].
RATE_COLUMNS = [c for c in EXTRACTS["coverage"].columns if c.endswith("_pct")]
RATE_LABELS = {
    "coverage_global_pct": "Taux de couverture global",
    "coverage_eaje_pct": "Taux de couverture EAJE (ensemble)",
    "coverage_eaje_psu_pct": "Taux de couverture EAJE PSU",
    "coverage_eaje_other_pct": "Taux de couverture EAJE hors PSU",
    "coverage_preschool_pct": "Taux de couverture préscolarisation",
    "coverage_childminder_pct": "Taux de couverture assistants maternels",
    "coverage_home_care_pct": "Taux de couverture garde à domicile",
    "coverage_individual_pct": "Taux de couverture accueil individuel (ensemble)",
}


def children_under3() -> pl.DataFrame:
    """Grain: one row per département (101). Columns: dep_code,
    children_under3_count (estimate: population x share of 0-2 year-olds, see above)."""
    deps = reference.departements()
    share = pl.col("dep_code").replace_strict(
        UNDER3_SHARE_OVERSEAS, default=UNDER3_SHARE, return_dtype=pl.Float64
    )
    return deps.select(
        "dep_code",
        (pl.col("population_count") * share).round(0).cast(pl.Int64).alias("children_under3_count"),
    )


def import_coverage(
    source: bytes | str | Path,
    *,
    principal: Principal | None,
    filename: str | None = None,
    data_date: date | None = None,
    source_label: str | None = None,
):
    """Imports a coverage file (cnaf role) through the national extracts' pipeline
    (``versions.import_extract(principal, "coverage", ...)``): the years of the file
    replace those years only. Returns the ``ImportResult``."""
    from sppe_data.imports import versions

    check_role(principal, IMPORT_ROLES, "d'importer des taux de couverture")
    if filename is None:
        filename = Path(source).name if isinstance(source, str | Path) else "couverture.csv"
    if isinstance(source, str):
        source = Path(source)
    return versions.import_extract(
        principal,
        "coverage",
        filename,
        source,
        data_date=data_date,
        source_label=source_label or "data.caf.fr, taux de couverture petite enfance",
    )


def demo_coverage(rng: np.random.Generator, years: list[int]) -> pl.DataFrame:
    """Plausible coverage rates for the demo: each département gets a level around the
    national figures of data.caf.fr (global rate about 60 %, lower overseas, higher in
    the west where childminders are many), then small yearly moves."""
    deps = reference.departements()
    codes = deps["dep_code"].to_list()
    overseas = np.array([len(c) == 3 for c in codes])
    lon = deps["centre_lon"].to_numpy()
    n = len(codes)
    eaje_psu = np.where(overseas, rng.uniform(8, 28, n), rng.uniform(11, 26, n))
    eaje_other = np.where(overseas, rng.uniform(0, 7, n), rng.uniform(0.5, 5.5, n))
    preschool = rng.uniform(0.5, 9, n)
    childminder = np.where(overseas, rng.uniform(2, 15, n), 42 - 2.2 * lon + rng.normal(0, 6, n))
    childminder = np.clip(childminder, 4, 62)
    home = rng.uniform(0.5, 3, n)
    out: dict[str, list] = {c: [] for c in EXTRACTS["coverage"].columns}
    for k, year in enumerate(years):
        drift = 1 + 0.012 * k + rng.normal(0, 0.01, n)
        parts = {
            "coverage_eaje_psu_pct": eaje_psu * drift,
            "coverage_eaje_other_pct": eaje_other * drift,
            "coverage_preschool_pct": preschool,
            "coverage_childminder_pct": childminder * (1 - 0.01 * k),
            "coverage_home_care_pct": home,
        }
        parts = {c: np.round(v, 1) for c, v in parts.items()}
        parts["coverage_eaje_pct"] = np.round(
            parts["coverage_eaje_psu_pct"] + parts["coverage_eaje_other_pct"], 1
        )
        parts["coverage_individual_pct"] = np.round(
            parts["coverage_childminder_pct"] + parts["coverage_home_care_pct"], 1
        )
        parts["coverage_global_pct"] = np.round(
            parts["coverage_eaje_pct"]
            + parts["coverage_preschool_pct"]
            + parts["coverage_individual_pct"],
            1,
        )
        out["year"].extend([year] * n)
        out["dep_code"].extend(codes)
        for column in RATE_COLUMNS:
            out[column].extend(parts[column].tolist())
    return pl.DataFrame(out, schema=polars_schema("coverage"))
