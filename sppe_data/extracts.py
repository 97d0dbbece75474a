"""The national extracts: one folder per extract, holding one folder of Parquet files
per imported version (``sppe_data.imports.versions``; files put there by hand or by
the demo generator are read until the first import). This module is the single
description of their columns, used by the demo generator, the catalog (DuckDB views)
and the importers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl


@dataclass(frozen=True)
class Extract:
    name: str  # view name and folder name
    label: str  # French, shown in messages
    columns: dict[str, str]  # column -> DuckDB type

    def folder(self, extracts_dir: Path) -> Path:
        return extracts_dir / self.name

    def glob(self, extracts_dir: Path) -> str:
        return str(self.folder(extracts_dir) / "*.parquet")


EXTRACTS: dict[str, Extract] = {
    e.name: e
    for e in (
        Extract(
            "activities",
            "Activités des pôles",
            {
                "activity_id": "VARCHAR",
                "activity_kind": "VARCHAR",
                "pole_code": "VARCHAR",
                "caf_code": "VARCHAR",
                "dep_code": "VARCHAR",
                "equipment_kind": "VARCHAR",
                "partner_id": "VARCHAR",
                "request_id": "VARCHAR",
                "status": "VARCHAR",
                "activity_on": "DATE",
                "days_spent": "DOUBLE",
                "has_findings": "BOOLEAN",
                "undue_amount_eur": "DOUBLE",
                "recovered_amount_eur": "DOUBLE",
                "places_count": "INTEGER",
                "travel_fee_eur": "DOUBLE",
                "comment": "VARCHAR",
            },
        ),
        Extract(
            "requests",
            "Saisines des Caf",
            {
                "request_id": "VARCHAR",
                "caf_code": "VARCHAR",
                "pole_code": "VARCHAR",
                "request_nature": "VARCHAR",
                "routing": "VARCHAR",
                "priority": "VARCHAR",
                "status": "VARCHAR",
                "received_on": "DATE",
                "taken_up_on": "DATE",
                "closed_on": "DATE",
            },
        ),
        Extract(
            "projects",
            "Projets de création de places",
            {
                "project_id": "VARCHAR",
                "project_name": "VARCHAR",
                "pole_code": "VARCHAR",
                "caf_code": "VARCHAR",
                "dep_code": "VARCHAR",
                "project_kind": "VARCHAR",
                "specific_need": "VARCHAR",
                "stage": "VARCHAR",
                "places_decided_count": "INTEGER",
                "places_opened_count": "INTEGER",
                "lon": "DOUBLE",
                "lat": "DOUBLE",
                "expert_name": "VARCHAR",
                "started_on": "DATE",
                "expected_opening_on": "DATE",
                "is_at_risk": "BOOLEAN",
            },
        ),
        Extract(
            "partners",
            "Partenaires multi-départementaux",
            {
                "partner_id": "VARCHAR",
                "partner_name": "VARCHAR",
                "partner_type": "VARCHAR",
                "head_office_dep_code": "VARCHAR",
                "caf_count": "INTEGER",
                "facilities_count": "INTEGER",
                "risk_level": "VARCHAR",
            },
        ),
        Extract(
            "staff",
            "Effectifs des pôles",
            {
                "staff_id": "VARCHAR",
                "pole_code": "VARCHAR",
                "job": "VARCHAR",
                "funding_line": "VARCHAR",
                "fte": "DOUBLE",
                "start_on": "DATE",
                "is_vacant": "BOOLEAN",
            },
        ),
        Extract(
            "coverage",
            "Taux de couverture petite enfance (data.caf.fr)",
            {
                "year": "INTEGER",
                "dep_code": "VARCHAR",
                "coverage_eaje_psu_pct": "DOUBLE",
                "coverage_eaje_other_pct": "DOUBLE",
                "coverage_eaje_pct": "DOUBLE",
                "coverage_preschool_pct": "DOUBLE",
                "coverage_childminder_pct": "DOUBLE",
                "coverage_home_care_pct": "DOUBLE",
                "coverage_individual_pct": "DOUBLE",
                "coverage_global_pct": "DOUBLE",
            },
        ),
    )
}

POLARS_TYPES = {
    "VARCHAR": pl.String,
    "DATE": pl.Date,
    "DOUBLE": pl.Float64,
    "INTEGER": pl.Int32,
    "BOOLEAN": pl.Boolean,
}


def polars_schema(name: str) -> dict[str, pl.DataType]:
    """The polars schema of an extract, for writers (demo, imports, test fixtures)."""
    return {c: POLARS_TYPES[t] for c, t in EXTRACTS[name].columns.items()}


MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Manifest:
    data_date: date | None
    source_label: str


def read_manifest(extracts_dir: Path) -> Manifest:
    """The data date and source label of the extracts in service: for the configured
    data directory, those of the imported versions (``versions.effective_manifest``:
    the most recent data date among them), else the manifest file's. A store that cannot
    be read: the manifest file's (the pages say the store is unavailable anyway)."""
    from sppe_data.settings import get_settings

    if extracts_dir.resolve() == get_settings().extracts_dir.resolve():
        from sppe_data import store
        from sppe_data.imports import versions

        try:
            return versions.effective_manifest(extracts_dir)
        except store.StoreUnavailable:
            pass
    return read_manifest_file(extracts_dir)


def read_manifest_file(extracts_dir: Path) -> Manifest:
    """The data date and source label of ``manifest.json`` (written by the demo
    generator). Missing or unreadable manifest: no data date, generic source."""
    try:
        raw = json.loads((extracts_dir / MANIFEST).read_text(encoding="utf-8"))
        return Manifest(date.fromisoformat(raw["data_date"]), str(raw["source_label"]))
    except (OSError, ValueError, KeyError, TypeError):
        return Manifest(None, "Extractions nationales")


def write_manifest(extracts_dir: Path, data_date: date, source_label: str) -> None:
    extracts_dir.mkdir(parents=True, exist_ok=True)
    payload = {"data_date": data_date.isoformat(), "source_label": source_label}
    (extracts_dir / MANIFEST).write_text(json.dumps(payload, ensure_ascii=False), "utf-8")


def data_version(extracts_dir: Path) -> str:
    """Changes whenever an extract file or the manifest is replaced: part of every
    cache key, so an import is seen at once."""
    parts = [str(extracts_dir)]
    for path in [*sorted(extracts_dir.glob("*/*.parquet")), extracts_dir / MANIFEST]:
        try:
            st = path.stat()
        except OSError:
            continue
        parts.append(f"{path.name}:{st.st_mtime_ns}:{st.st_size}")
    return "|".join(parts)
