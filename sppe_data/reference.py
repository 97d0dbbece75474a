"""Reference data: départements, pôles, activity kinds, indicators, targets.

All of it lives in editable files under ``sppe_data/reference/`` (shipped with the
code, never in the data directory). Each loader returns a fresh polars DataFrame; the
files are small, and the catalog loads them once per connection.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache

import polars as pl

from sppe_data.settings import REFERENCE_DIR

DOMAIN_LABELS = {"maitrise_risques": "Maîtrise des risques", "ingenierie": "Ingénierie"}
STATUS_LABELS = {
    "planned": "Planifiée",
    "in_progress": "En cours",
    "done": "Réalisée",
    "cancelled": "Annulée",
}
ROUTING_LABELS = {
    "direct": "Saisine directe de la Caf pivot",
    "cnaf": "Saisine par la Cnaf",
    "cnaf_only": "Initiée par la Cnaf uniquement",
}
EQUIPMENT_LABELS = {
    "eaje_psu": "EAJE (PSU)",
    "micro_creche_paje": "Micro-crèche (Paje)",
    "halte_garderie": "Halte-garderie",
    "rpe": "Relais petite enfance (RPE)",
    "mam": "Maison d'assistants maternels (MAM)",
}


class ReferenceError(ValueError):
    """A reference file is inconsistent; the message is in French for the user."""


def departements() -> pl.DataFrame:
    """Grain: one row per département (101). Columns: dep_code, dep_name, region_code,
    region_name, population_count, centre_lon, centre_lat, caf_code, caf_name."""
    return pl.read_csv(
        REFERENCE_DIR / "departements.csv",
        schema_overrides={"dep_code": pl.String, "region_code": pl.String, "caf_code": pl.String},
    )


@lru_cache(maxsize=1)
def _poles_toml() -> dict:
    with (REFERENCE_DIR / "poles.toml").open("rb") as fh:
        return tomllib.load(fh)


def poles() -> pl.DataFrame:
    """Grain: one row per pôle (5). Columns: pole_code, pole_label, pole_short_label,
    pivot_note, target_share, sort_order."""
    rows = [
        {
            "pole_code": p["code"],
            "pole_label": p["label"],
            "pole_short_label": p["short_label"],
            "pivot_note": p["pivot_note"],
            "target_share": float(p["target_share"]),
            "sort_order": i + 1,
        }
        for i, p in enumerate(_poles_toml()["poles"])
    ]
    return pl.DataFrame(rows)


def pivot_cafs() -> pl.DataFrame:
    """Grain: one row per pivot Caf. Columns: pole_code, caf_code."""
    rows = [
        {"pole_code": p["code"], "caf_code": c}
        for p in _poles_toml()["poles"]
        for c in p["pivot_cafs"]
    ]
    return pl.DataFrame(rows, schema={"pole_code": pl.String, "caf_code": pl.String})


def departement_poles() -> pl.DataFrame:
    """Grain: one row per département. Columns: dep_code, pole_code, is_overseas.
    Overseas départements are attached to the pôle that supports their controls."""
    conf = _poles_toml()
    region_pole = {r: p["code"] for p in conf["poles"] for r in p["region_codes"]}
    overseas = set(conf["overseas"]["region_codes"])
    deps = departements()
    rows = []
    for dep_code, region_code in deps.select("dep_code", "region_code").iter_rows():
        if region_code in overseas:
            rows.append((dep_code, conf["overseas"]["control_pole"], True))
        elif region_code in region_pole:
            rows.append((dep_code, region_pole[region_code], False))
        else:
            raise ReferenceError(
                f"La région {region_code} du département {dep_code} n'est rattachée à aucun pôle "
                "(fichier poles.toml)."
            )
    return pl.DataFrame(
        rows,
        schema={"dep_code": pl.String, "pole_code": pl.String, "is_overseas": pl.Boolean},
        orient="row",
    )


def overseas_note() -> str:
    conf = _poles_toml()["overseas"]
    labels = {p["code"]: p["label"] for p in _poles_toml()["poles"]}
    return (
        f"Caf ultramarines : ingénierie par {conf['engineering_by']}, appui au contrôle "
        f"sur place par le pôle {labels[conf['control_pole']]}."
    )


def activity_kinds() -> pl.DataFrame:
    """Grain: one row per activity kind (16). Columns: activity_kind, activity_label,
    domain, indicator_code (null when not targeted), routing, is_departmental, sort_order."""
    return pl.read_csv(
        REFERENCE_DIR / "activity_kinds.csv",
        schema_overrides={"indicator_code": pl.String, "is_departmental": pl.Boolean},
    )


def indicators() -> pl.DataFrame:
    """Grain: one row per targeted indicator (6). Columns: indicator_code,
    indicator_label, short_label, domain, unit, sort_order, definition."""
    return pl.read_csv(REFERENCE_DIR / "indicators.csv")


def targets() -> pl.DataFrame:
    """Grain: one row per year × indicator. Columns: year, indicator_code,
    target_count (mission-wide, full year or partial year), counted_from, counted_to
    (the operating window over which the target is expected to be reached)."""
    return pl.read_csv(REFERENCE_DIR / "targets.csv", try_parse_dates=True)


def validate() -> list[str]:
    """Checks the reference files agree with each other; returns French messages."""
    problems: list[str] = []
    share = poles()["target_share"].sum()
    if abs(share - 1.0) > 1e-6:
        problems.append(f"Les parts de cible des pôles totalisent {share:.2f} au lieu de 1.")
    known = set(indicators()["indicator_code"])
    mapped = set(activity_kinds()["indicator_code"].drop_nulls())
    for code in sorted(mapped - known):
        problems.append(f"Indicateur inconnu dans activity_kinds.csv : {code}.")
    for code in sorted(set(targets()["indicator_code"]) - known):
        problems.append(f"Indicateur inconnu dans targets.csv : {code}.")
    try:
        departement_poles()
    except ReferenceError as exc:
        problems.append(str(exc))
    return problems


@lru_cache(maxsize=1)
def _rules() -> dict:
    with (REFERENCE_DIR / "rules.toml").open("rb") as fh:
        return tomllib.load(fh)


def travel_fee_eur() -> float:
    """The flat travel-cost contribution per departmental intervention (EUR)."""
    return float(_rules()["travel_fee_eur"])
