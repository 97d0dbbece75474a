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

# Overseas Cafs (letter, section 4): their engineering is the national Cepaje team's,
# booked to its scope "cepaje" (not a pôle: no target share); their on-site control
# support is Centre-Est's. Not in the extracts written by ``write_tiny_extracts``: the
# tests of that rule add them (``overseas_activities_frame``). (id, kind, pôle, caf/dep,
# status, date).
OVERSEAS_ACTIVITIES = [
    ("O1", "suivi_ida", "cepaje", "974", "done", date(2026, 1, 14)),  # counts (2026): Cepaje
    ("O2", "controle_sensible", "centre_est", "974", "done", date(2026, 1, 16)),  # Centre-Est
    ("O3", "consulting_n1", "cepaje", "971", "done", date(2025, 10, 2)),  # counts (2025)
    ("O4", "suivi_ida", "cepaje", "976", "planned", date(2026, 1, 20)),  # not done
]


def overseas_activities_frame() -> pl.DataFrame:
    rows = [
        {"activity_id": i, "activity_kind": kind, "pole_code": pole, "caf_code": caf,
         "dep_code": caf, "status": status, "activity_on": on, "days_spent": 1.0,
         "has_findings": False if kind == "controle_sensible" else None,
         "travel_fee_eur": 0.0}
        for i, kind, pole, caf, status, on in OVERSEAS_ACTIVITIES
    ]  # fmt: skip
    schema = polars_schema("activities")
    return pl.DataFrame([{c: r.get(c) for c in schema} for r in rows], schema=schema)


# Controls with outcomes and other steering rows, all outside the 2026 figures above
# (2025 or not done) and outside the 2025 contrôles sensibles: (id, kind, pôle, status,
# date, equipment, partner, has_findings, undue EUR, recovered EUR, travel fee EUR).
CONTROL_ACTIVITIES = [
    ("B01", "controle_appui_plan", "idf_hdf", "done", date(2025, 11, 10), "eaje_psu",
     None, True, 1000.0, 400.0, 300.0),
    ("B02", "controle_appui_plan", "idf_hdf", "done", date(2025, 12, 5), "micro_creche_paje",
     None, False, None, None, 300.0),
    ("B03", "controle_multi_dep", "mediterranee", "done", date(2025, 12, 20), "eaje_psu",
     "P1", True, 2500.0, 2500.0, 0.0),
    ("B04", "controle_multi_dep", "atlantique", "done", date(2025, 3, 15), "micro_creche_paje",
     "P2", True, 500.0, 0.0, 0.0),
    ("B05", "controle_appui_plan", "atlantique", "cancelled", date(2025, 10, 1), "eaje_psu",
     None, None, None, None, 0.0),
    ("B06", "consulting_n1", "mediterranee", "done", date(2025, 6, 30), "mam",
     None, None, None, None, 300.0),
    ("B07", "controle_multi_dep", "mediterranee", "planned", date(2026, 2, 20), "eaje_psu",
     "P1", None, None, None, 0.0),
    ("B08", "controle_appui_plan", "centre_est", "planned", date(2025, 12, 1), "rpe",
     None, None, None, None, 0.0),
]  # fmt: skip
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
    for (activity_id, kind, pole, status, on, equipment, partner, findings, undue, recovered,
         fee) in CONTROL_ACTIVITIES:  # fmt: skip
        caf, dep = POLE_PLACE[pole]
        rows.append(
            {
                "activity_id": activity_id,
                "activity_kind": kind,
                "pole_code": pole,
                "caf_code": caf,
                "dep_code": dep,
                "equipment_kind": equipment,
                "partner_id": partner,
                "request_id": None,
                "status": status,
                "activity_on": on,
                "days_spent": 2.0 if status == "done" else 0.0,
                "has_findings": findings,
                "undue_amount_eur": undue,
                "recovered_amount_eur": recovered,
                "places_count": None,
                "travel_fee_eur": fee,
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


# Saisines: (id, caf, pôle, nature, routing, priority, status, received, taken up, closed).
# S3 is misrouted (a suivi IDA goes directly to the pivot Caf, not through the Cnaf).
# Take-up delays: S2 5, S3 10, S4 1, S5 1 days; closing delays (done): S2 35, S5 21 days.
REQUESTS = [
    ("S1", "59", "idf_hdf", "controle_sensible", "direct", "haute", "received",
     date(2026, 1, 20), None, None),
    ("S2", "21", "centre_est", "controle_appui_plan", "cnaf", "normale", "done",
     date(2025, 12, 10), date(2025, 12, 15), date(2026, 1, 14)),
    ("S3", "30", "mediterranee", "suivi_ida", "cnaf", "basse", "in_progress",
     date(2026, 1, 5), date(2026, 1, 15), None),
    ("S4", "33", "atlantique", "consulting_n1", "direct", "normale", "refused",
     date(2025, 11, 3), date(2025, 11, 4), date(2025, 11, 4)),
    ("S5", "59", "idf_hdf", "formation_controleurs", "direct", "haute", "done",
     date(2026, 1, 2), date(2026, 1, 3), date(2026, 1, 23)),
]  # fmt: skip

# Partners: P1 at high risk, P2 whose last control found something, P3 never controlled.
PARTNERS = [
    ("P1", "Groupe Lucioles", "entreprise_creches", "75", 6, 40, "eleve"),
    ("P2", "Association Galipettes", "association", "33", 3, 12, "moyen"),
    ("P3", "Mutuelle Pousses", "mutuelle", "69", 2, 5, "faible"),
]

# Staff: (id, pôle, job, funding line, FTE, start, vacant). centre_ouest has nobody.
# At 2026-01-31: idf_hdf 2.5 FTE in post (3 people), 1.0 vacant; mediterranee 1.0 in
# post, 1.0 to come (starts 2026-03-01).
STAFF = [
    ("E1", "idf_hdf", "coordinateur", "sna", 1.0, date(2024, 5, 1), False),
    ("E2", "idf_hdf", "controleur_as", "maitrise_risques", 1.0, date(2024, 9, 1), False),
    ("E3", "idf_hdf", "expert_ingenierie", "ingenierie", 0.5, date(2025, 2, 1), False),
    ("E4", "idf_hdf", "analyste", "maitrise_risques", 1.0, None, True),
    ("E5", "mediterranee", "coordinateur", "ingenierie", 1.0, date(2024, 5, 1), False),
    ("E6", "mediterranee", "expert_ingenierie", "ingenierie", 1.0, date(2026, 3, 1), False),
]


def write_tiny_extracts(data_dir: Path) -> Path:
    """Writes the tiny data set (the rows above; no project)."""
    extracts = data_dir / "extracts"
    frames = {
        "activities": activities_frame(),
        "requests": pl.DataFrame(REQUESTS, schema=polars_schema("requests"), orient="row"),
        "projects": projects_frame(),
        "partners": pl.DataFrame(PARTNERS, schema=polars_schema("partners"), orient="row"),
        "staff": pl.DataFrame(STAFF, schema=polars_schema("staff"), orient="row"),
        "coverage": coverage_frame(),
    }
    assert set(frames) == set(EXTRACTS)
    for name, frame in frames.items():
        (extracts / name).mkdir(parents=True, exist_ok=True)
        frame.write_parquet(extracts / name / f"{name}.parquet")
    write_manifest(extracts, TODAY, "Jeu d'essai")
    return data_dir
