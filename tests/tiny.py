"""The tiny hand-made data set of the query tests. Every expected figure in the tests
is worked out by hand from these rows (see the comments next to each row).

"Today" is pinned to 2026-01-31: the 2026 operating window (01/01 -> 31/12) is then
31/365 elapsed; 2025 is complete; 2027 has not started.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

from sppe_data.extracts import EXTRACTS, polars_schema, write_manifest

TODAY = date(2026, 1, 31)

# (id, kind, pôle, status, date); caf/dep are inside the pôle's zone.
ACTIVITIES = [
    ("A01", "controle_sensible", "idf_hdf", "done", date(2026, 1, 15)),  # counts
    ("A02", "controle_sensible", "idf_hdf", "done", date(2026, 1, 31)),  # counts: today included
    ("A03", "controle_sensible", "idf_hdf", "done", date(2026, 2, 1)),  # after today
    ("A04", "controle_sensible", "idf_hdf", "cancelled", date(2026, 1, 10)),  # cancelled
    ("A05", "controle_sensible", "centre_est", "done", date(2025, 12, 31)),  # 2025 only
    ("A06", "controle_sensible", "centre_est", "done", date(2026, 1, 1)),  # counts
    ("A07", "suivi_ida", "mediterranee", "done", date(2026, 1, 20)),  # counts
    ("A08", "suivi_ida", "mediterranee", "in_progress", date(2026, 1, 25)),  # not done
    ("A09", "animation_ida", "mediterranee", "done", date(2026, 1, 5)),  # not targeted
    ("A10", "controle_multi_dep", "atlantique", "planned", date(2026, 1, 15)),  # not done
    ("A11", "consulting_n1", "centre_est", "done", date(2026, 1, 12)),  # counts
    ("A12", "audit_terrain", "centre_est", "done", date(2026, 1, 28)),  # counts
    ("A13", "suivi_ida", "mediterranee", "done", date(2026, 1, 3)),  # counts
    ("A14", "suivi_ida", "mediterranee", "done", date(2026, 1, 9)),  # counts
]
# centre_ouest has no activity at all.
POLE_PLACE = {
    "idf_hdf": ("59", "59"),
    "centre_est": ("21", "21"),
    "mediterranee": ("30", "30"),
    "atlantique": ("33", "33"),
}


def activities_frame() -> pl.DataFrame:
    rows = []
    for activity_id, kind, pole, status, on in ACTIVITIES:
        caf, dep = POLE_PLACE[pole]
        rows.append(
            {
                "activity_id": activity_id,
                "activity_kind": kind,
                "pole_code": pole,
                "caf_code": caf,
                "dep_code": dep,
                "equipment_kind": "eaje_psu",
                "partner_id": None,
                "request_id": None,
                "status": status,
                "activity_on": on,
                "days_spent": 1.0,
                "has_findings": None,
                "undue_amount_eur": None,
                "recovered_amount_eur": None,
                "places_count": None,
                "travel_fee_eur": 0.0,
                "comment": None,
            }
        )
    return pl.DataFrame(rows, schema=polars_schema("activities"))


# Place-creation projects: (id, pôle, dep, kind, stage, decided, opened, expected
# opening, at risk, lon, lat, expert). Today 2026-01-31: P1 is late (expected
# 2025-12-01, still in works); P4 is abandoned (never late); P5 is overseas (Réunion).
PROJECTS = [
    ("P1", "idf_hdf", "59", "eaje", "travaux", 40, 0, date(2025, 12, 1), False,
     3.06, 50.63, "Claire"),
    ("P2", "idf_hdf", "75", "micro_creche", "ouvert", 12, 10, date(2025, 6, 1), False,
     2.35, 48.86, "Claire"),
    ("P3", "mediterranee", "30", "mam", "emergence", 0, 0, date(2027, 3, 1), True,
     4.36, 43.84, "Karim"),
    ("P4", "atlantique", "33", "eaje", "abandonne", 0, 0, date(2025, 1, 1), False,
     -0.58, 44.84, "Inès"),
    ("P5", "centre_est", "974", "rpe", "etude", 0, 0, date(2026, 6, 1), False,
     55.45, -21.1, "Marc"),
]  # fmt: skip


def projects_frame() -> pl.DataFrame:
    rows = [
        {
            "project_id": pid,
            "project_name": f"Projet {pid}",
            "pole_code": pole,
            "caf_code": dep,
            "dep_code": dep,
            "project_kind": kind,
            "specific_need": "aucun",
            "stage": stage,
            "places_decided_count": decided,
            "places_opened_count": opened,
            "lon": lon,
            "lat": lat,
            "expert_name": expert,
            "started_on": date(2025, 1, 1),
            "expected_opening_on": expected,
            "is_at_risk": risk,
        }
        for (pid, pole, dep, kind, stage, decided, opened, expected, risk, lon, lat, expert) in (
            PROJECTS
        )
    ]
    return pl.DataFrame(rows, schema=polars_schema("projects"))


# Coverage rates (global %) of three départements, two years: the map shows the
# latest year not after the selected one.
COVERAGE = [(2023, "59", 50.0), (2024, "59", 52.5), (2024, "21", 61.0), (2023, "33", 70.2)]


def coverage_frame() -> pl.DataFrame:
    rows = []
    for year, dep, global_pct in COVERAGE:
        row = {c: None for c in EXTRACTS["coverage"].columns}
        row.update({"year": year, "dep_code": dep, "coverage_global_pct": global_pct})
        rows.append(row)
    return pl.DataFrame(rows, schema=polars_schema("coverage"))


def write_tiny_extracts(data_dir: Path) -> Path:
    """Writes the tiny data set (activities above, one row in each other extract)."""
    extracts = data_dir / "extracts"
    frames = {
        "activities": activities_frame(),
        "requests": pl.DataFrame(
            [
                {
                    "request_id": "S1",
                    "caf_code": "59",
                    "pole_code": "idf_hdf",
                    "request_nature": "controle_sensible",
                    "routing": "direct",
                    "priority": "haute",
                    "status": "received",
                    "received_on": date(2026, 1, 20),
                    "taken_up_on": None,
                    "closed_on": None,
                }
            ],
            schema=polars_schema("requests"),
        ),
        "projects": projects_frame(),
        "partners": pl.DataFrame(schema=polars_schema("partners")),
        "staff": pl.DataFrame(schema=polars_schema("staff")),
        "coverage": coverage_frame(),
    }
    assert set(frames) == set(EXTRACTS)
    for name, frame in frames.items():
        (extracts / name).mkdir(parents=True, exist_ok=True)
        frame.write_parquet(extracts / name / f"{name}.parquet")
    write_manifest(extracts, TODAY, "Jeu d'essai")
    return data_dir
