"""Realistic demo extracts, deterministic for a seed, a scale and an as-of date.

What makes them realistic rather than uniform:
- set-up months (May-June 2024) with almost only protocol tests, a ramp-up in S2 2024;
- a seasonal profile with an August dip and a slower December;
- pôles at different paces: Centre-Est ahead, Atlantique clearly behind (positions
  vacant, pivot Caf not named), Centre-Ouest slightly behind;
- findings and undue amounts on part of the controls, recoveries growing with age;
- cancelled items, items in progress, planned items ahead of the as-of date and a few
  overdue ones;
- Caf requests with take-up and closing delays, a few refused and a few misrouted.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from sppe_data import reference
from sppe_data.coverage import demo_coverage
from sppe_data.extracts import EXTRACTS, polars_schema, write_manifest

MISSION_START = date(2024, 5, 1)
SOURCE_LABEL = "Données de démonstration"

# Mission-wide yearly volume of each activity kind on a full year (before pôle pace).
# Targeted kinds sit near their target; the others are plausible orders of magnitude.
YEARLY_VOLUME = {
    "appui_methodo_plan": 70,
    "controle_sensible": 52,
    "formation_controleurs": 45,
    "controle_appui_plan": 255,
    "controle_multi_dep": 150,
    "contribution_pnc": 12,
    "procedure_coordonnee": 14,
    "etude_gestion_eaje": 8,
    "audit_terrain": 31,
    "consulting_n1": 155,
    "demultiplication_formation": 50,
    "suivi_ida": 205,
    "animation_ida": 30,
    "dossier_sensible_creation": 60,
    "appel_projets": 6,
    "session_territoriale": 40,
}
MEAN_DAYS = {
    "audit_terrain": 4.0,
    "controle_sensible": 4.5,
    "controle_appui_plan": 3.0,
    "controle_multi_dep": 5.0,
    "consulting_n1": 6.0,
    "suivi_ida": 2.5,
    "appel_projets": 15.0,
    "etude_gestion_eaje": 12.0,
}
CONTROL_KINDS = {"controle_sensible", "controle_appui_plan", "controle_multi_dep", "audit_terrain"}
FINDINGS_RATE = {
    "controle_sensible": 0.6,
    "controle_appui_plan": 0.35,
    "controle_multi_dep": 0.5,
    "audit_terrain": 0.25,
}
EQUIPMENT_KINDS = ["eaje_psu", "micro_creche_paje", "halte_garderie", "rpe", "mam"]
CONTROL_EQUIPMENT_P = [0.5, 0.3, 0.08, 0.06, 0.06]
ENGINEERING_EQUIPMENT_P = [0.55, 0.25, 0.08, 0.05, 0.07]
EQUIPMENT_BY_KIND = CONTROL_KINDS | {"consulting_n1", "suivi_ida", "dossier_sensible_creation"}
PLACES_KINDS = {"consulting_n1", "suivi_ida", "dossier_sensible_creation", "appel_projets"}

# Seasonal profile (Jan..Dec), mean 1: the August dip and the slower December.
MONTH_PROFILE = np.array([0.9, 1.0, 1.1, 1.0, 1.0, 1.1, 0.9, 0.35, 1.15, 1.2, 1.15, 0.8])
MONTH_PROFILE = MONTH_PROFILE / MONTH_PROFILE.mean()
# Ramp-up of the first months (set-up in S1 2024, operations from S2 2024).
RAMP = {
    (2024, 5): 0.04, (2024, 6): 0.08, (2024, 7): 0.6, (2024, 8): 0.7,
    (2024, 9): 0.85, (2024, 10): 0.95,
}  # fmt: skip
# Protocol tests (audits terrain) are the work of the set-up months.
AUDIT_RAMP = {(2024, 5): 0.8, (2024, 6): 1.2}
# Activity grows a little each year as teams settle.
YEAR_GROWTH = {2024: 1.0, 2025: 1.0, 2026: 1.06, 2027: 1.1}
# Pace of each pôle by domain: 1 = on target.
POLE_PACE = {
    "idf_hdf": {"maitrise_risques": 0.98, "ingenierie": 0.97},
    "centre_est": {"maitrise_risques": 1.14, "ingenierie": 1.08},
    "mediterranee": {"maitrise_risques": 1.0, "ingenierie": 1.02},
    "atlantique": {"maitrise_risques": 0.6, "ingenierie": 0.74},
    "centre_ouest": {"maitrise_risques": 0.9, "ingenierie": 0.86},
}
DONE_SHARE_OLD = 0.93  # share done among items older than the recent window
RECENT_DAYS = 60
PLANNED_HORIZON_DAYS = 92

PARTNER_TYPES = ["entreprise_creches", "association", "mutuelle"]
PARTNER_WORDS = [
    "Petits Pas", "Lucioles", "Galipettes", "Pousses", "Frimousses", "Pitchouns",
    "Loupiots", "Bambins", "Coccinelles", "Marmousets", "Doudous", "Ritournelle",
    "Comptines", "Farandole", "Papillons", "Trotteurs",
]  # fmt: skip
PARTNER_PREFIX = {
    "entreprise_creches": "Groupe",
    "association": "Association",
    "mutuelle": "Mutuelle",
}
FIRST_NAMES = [
    "Claire", "Julien", "Nadia", "Thomas", "Sophie", "Karim", "Élise", "Marc",
    "Aurélie", "Yann", "Inès", "Laurent", "Camille", "Hugo", "Fatou", "Pierre",
]  # fmt: skip
PROJECT_KINDS = ["eaje", "micro_creche", "halte_garderie", "mam", "rpe"]
PROJECT_KIND_P = [0.42, 0.28, 0.08, 0.14, 0.08]
PROJECT_NAME_KIND = {
    "eaje": "d'EAJE",
    "micro_creche": "de micro-crèche",
    "halte_garderie": "de halte-garderie",
    "mam": "de MAM",
    "rpe": "de RPE",
}
PROJECT_STAGES = ["emergence", "etude", "decision_financement", "travaux", "ouvert", "abandonne"]
PROJECT_STAGE_P = [0.18, 0.22, 0.2, 0.15, 0.18, 0.07]
SPECIFIC_NEEDS = ["aucun", "horaires_atypiques", "passerelle_ecole", "avip"]
SPECIFIC_NEED_P = [0.76, 0.1, 0.07, 0.07]
PLACES_RANGE = {
    "eaje": (20, 61),
    "micro_creche": (10, 13),
    "halte_garderie": (12, 26),
    "mam": (8, 17),
    "rpe": (0, 1),
}

# Positions of each pôle: (job, funding line, FTE, vacant). Adds up to the letter's
# 39.5 FTE = 11.5 SNA + 10.5 risk control + 17.5 engineering.
STAFF_PLAN = {
    "centre_est": [
        ("coordinateur", "sna", 1.0, False),
        *[("controleur_as", "sna", 1.0, False)] * 4,
        ("controleur_as", "sna", 0.5, False),
        *[("expert_ingenierie", "ingenierie", 1.0, False)] * 3,
        ("analyste", "sna", 1.0, False),
    ],
    "mediterranee": [
        ("coordinateur", "sna", 1.0, False),
        *[("controleur_as", "sna", 1.0, False)] * 3,
        ("expert_ingenierie", "ingenierie", 1.0, False),
        ("expert_ingenierie", "ingenierie", 1.0, False),
        ("expert_ingenierie", "ingenierie", 1.0, True),
        ("analyste", "sna", 1.0, False),
    ],
    "idf_hdf": [
        ("coordinateur", "ingenierie", 1.0, False),
        ("controleur_as", "maitrise_risques", 1.0, False),
        ("controleur_as", "maitrise_risques", 1.0, False),
        ("controleur_as", "maitrise_risques", 0.5, False),
        *[("expert_ingenierie", "ingenierie", 1.0, False)] * 3,
        ("expert_ingenierie", "ingenierie", 0.5, False),
        ("analyste", "maitrise_risques", 1.0, False),
    ],
    "atlantique": [
        ("coordinateur", "ingenierie", 1.0, False),
        ("controleur_as", "maitrise_risques", 1.0, False),
        ("controleur_as", "maitrise_risques", 1.0, True),
        ("expert_ingenierie", "ingenierie", 1.0, False),
        ("expert_ingenierie", "ingenierie", 1.0, True),
        ("expert_ingenierie", "ingenierie", 0.5, False),
        ("analyste", "maitrise_risques", 1.0, True),
    ],
    "centre_ouest": [
        ("coordinateur", "ingenierie", 1.0, False),
        *[("controleur_as", "maitrise_risques", 1.0, False)] * 3,
        ("expert_ingenierie", "ingenierie", 1.0, False),
        ("expert_ingenierie", "ingenierie", 1.0, False),
        ("expert_ingenierie", "ingenierie", 0.5, True),
        ("analyste", "maitrise_risques", 1.0, False),
    ],
}


@dataclass(frozen=True)
class DemoResult:
    row_counts: dict[str, int]
    as_of: date


def _months(start: date, end: date) -> list[tuple[int, int]]:
    out, y, m = [], start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _days_in_month(y: int, m: int) -> int:
    nxt = date(y + 1, 1, 1) if m == 12 else date(y, m + 1, 1)
    return (nxt - date(y, m, 1)).days


class _Ids:
    """Sequential identifiers, prefixed, so that files stay human-readable."""

    def __init__(self, prefix: str) -> None:
        self.prefix, self.n = prefix, 0

    def take(self, count: int) -> list[str]:
        ids = [f"{self.prefix}-{i:07d}" for i in range(self.n + 1, self.n + count + 1)]
        self.n += count
        return ids


def _pole_departements() -> dict[str, dict[str, pl.DataFrame]]:
    """For each pôle, the départements it serves with population weights, for risk
    control (overseas included where the pôle supports them) and for engineering
    (overseas excluded: the national Cepaje covers them)."""
    deps = reference.departements().join(reference.departement_poles(), on="dep_code")
    out: dict[str, dict[str, pl.DataFrame]] = {}
    for pole in reference.poles()["pole_code"]:
        mine = deps.filter(pl.col("pole_code") == pole)
        out[pole] = {
            "maitrise_risques": mine,
            "ingenierie": mine.filter(~pl.col("is_overseas")),
        }
    return out


def _pick_places(rng: np.random.Generator, deps: pl.DataFrame, n: int) -> tuple[list, list]:
    weights = deps["population_count"].to_numpy().astype(float)
    idx = rng.choice(len(deps), size=n, p=weights / weights.sum())
    return deps["dep_code"].to_numpy()[idx].tolist(), deps["caf_code"].to_numpy()[idx].tolist()


def _statuses(age_days: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Status of each item from its age (days before the as-of date; negative = ahead):
    ahead -> planned; recent -> often still in progress, a few overdue or cancelled;
    older -> mostly done, some cancelled, a few never closed."""
    recent = np.select(
        [u < 0.55, u < 0.92, u < 0.96], ["done", "in_progress", "planned"], "cancelled"
    )
    old = np.select([u < DONE_SHARE_OLD, u < 0.97], ["done", "cancelled"], "in_progress")
    return np.where(age_days < 0, "planned", np.where(age_days < RECENT_DAYS, recent, old))


def _activities(
    rng: np.random.Generator, scale: float, as_of: date, partner_ids: list[str]
) -> pl.DataFrame:
    kinds = reference.activity_kinds()
    poles = reference.poles()
    pole_deps = _pole_departements()
    fee = reference.travel_fee_eur()
    ids = _Ids("ACT")
    end = as_of + timedelta(days=PLANNED_HORIZON_DAYS)
    chunks: list[dict[str, list]] = []
    for y, m in _months(MISSION_START, end):
        n_days = _days_in_month(y, m)
        month_start = date(y, m, 1)
        for pole, share in poles.select("pole_code", "target_share").iter_rows():
            for kind, domain, is_departmental in kinds.select(
                "activity_kind", "domain", "is_departmental"
            ).iter_rows():
                ramp = (AUDIT_RAMP if kind == "audit_terrain" else {}).get(
                    (y, m), RAMP.get((y, m), 1.0)
                )
                lam = (
                    YEARLY_VOLUME[kind]
                    / 12
                    * share
                    * POLE_PACE[pole][domain]
                    * MONTH_PROFILE[m - 1]
                    * ramp
                    * YEAR_GROWTH.get(y, 1.1)
                    * scale
                    / DONE_SHARE_OLD
                )
                n = int(rng.poisson(lam))
                if n == 0:
                    continue
                days = rng.integers(0, n_days, size=n)
                on = [month_start + timedelta(days=int(d)) for d in days]
                dep_codes, caf_codes = _pick_places(rng, pole_deps[pole][domain], n)
                age = np.array([(as_of - d).days for d in on])
                status = _statuses(age, rng.random(n))
                is_done = status == "done"
                equipment = (
                    rng.choice(
                        EQUIPMENT_KINDS,
                        size=n,
                        p=CONTROL_EQUIPMENT_P if kind in CONTROL_KINDS else ENGINEERING_EQUIPMENT_P,
                    ).tolist()
                    if kind in EQUIPMENT_BY_KIND
                    else [None] * n
                )
                partner = (
                    rng.choice(partner_ids, size=n).tolist()
                    if kind == "controle_multi_dep"
                    else [None] * n
                )
                if kind in CONTROL_KINDS:
                    findings = is_done & (rng.random(n) < FINDINGS_RATE[kind])
                    undue = np.where(findings, np.round(rng.lognormal(8.6, 1.0, n), 2), np.nan)
                    recovered_share = np.where(
                        age > 180, rng.uniform(0.6, 1.0, n), rng.uniform(0.0, 0.7, n)
                    )
                    recovered = np.where(findings, np.round(undue * recovered_share, 2), np.nan)
                    has_findings = [
                        bool(f) if d else None for f, d in zip(findings, is_done, strict=True)
                    ]
                else:
                    undue = recovered = np.full(n, np.nan)
                    has_findings = [None] * n
                places = (
                    rng.integers(8, 61, size=n).astype(float)
                    if kind in PLACES_KINDS
                    else np.full(n, np.nan)
                )
                spent = np.round(rng.gamma(2.0, MEAN_DAYS.get(kind, 1.5) / 2.0, n) * 2) / 2 + 0.5
                charged = is_departmental & np.isin(status, ["done", "in_progress"])
                chunks.append(
                    {
                        "activity_id": ids.take(n),
                        "activity_kind": [kind] * n,
                        "pole_code": [pole] * n,
                        "caf_code": caf_codes,
                        "dep_code": dep_codes,
                        "equipment_kind": equipment,
                        "partner_id": partner,
                        "request_id": [None] * n,
                        "status": status.tolist(),
                        "activity_on": on,
                        "days_spent": np.where(
                            status == "done",
                            spent,
                            np.where(status == "in_progress", spent / 2, 0.0),
                        ).tolist(),
                        "has_findings": has_findings,
                        "undue_amount_eur": [None if np.isnan(v) else float(v) for v in undue],
                        "recovered_amount_eur": [
                            None if np.isnan(v) else float(v) for v in recovered
                        ],
                        "places_count": [None if np.isnan(v) else int(v) for v in places],
                        "travel_fee_eur": np.where(charged, fee, 0.0).tolist(),
                        "comment": [None] * n,
                    }
                )
    return _frame(chunks, "activities")


def _frame(chunks: list[dict[str, list]], extract: str) -> pl.DataFrame:
    merged = {c: [v for ch in chunks for v in ch[c]] for c in EXTRACTS[extract].columns}
    return pl.DataFrame(merged, schema=polars_schema(extract))


def _requests(rng: np.random.Generator, scale: float, as_of: date) -> pl.DataFrame:
    kinds = reference.activity_kinds().filter(pl.col("routing") != "cnaf_only")
    poles = reference.poles()
    pole_deps = _pole_departements()
    ids = _Ids("SAI")
    chunks: list[dict[str, list]] = []
    other_routing = {"direct": "cnaf", "cnaf": "direct"}
    for y, m in _months(MISSION_START, as_of):
        month_start = date(y, m, 1)
        n_days = min(_days_in_month(y, m), (as_of - month_start).days + 1)
        for pole, share in poles.select("pole_code", "target_share").iter_rows():
            for kind, domain, routing in kinds.select(
                "activity_kind", "domain", "routing"
            ).iter_rows():
                lam = (
                    YEARLY_VOLUME[kind]
                    * 0.5
                    / 12
                    * share
                    * POLE_PACE[pole][domain]
                    * MONTH_PROFILE[m - 1]
                    * RAMP.get((y, m), 1.0)
                    * scale
                )
                n = int(rng.poisson(lam))
                if n == 0:
                    continue
                received = [
                    month_start + timedelta(days=int(d)) for d in rng.integers(0, n_days, n)
                ]
                priority = rng.choice(["haute", "normale", "basse"], size=n, p=[0.2, 0.6, 0.2])
                take_up_mean = np.where(
                    priority == "haute", 3.0, np.where(priority == "normale", 9.0, 16.0)
                )
                take_up = np.ceil(rng.gamma(1.6, take_up_mean / 1.6))
                close = np.ceil(rng.gamma(2.0, 24.0, n)) + 5
                refused = rng.random(n) < 0.04
                misrouted = rng.random(n) < 0.02
                _, caf_codes = _pick_places(rng, pole_deps[pole][domain], n)
                rows_taken, rows_closed, status = [], [], []
                for r, tu, cl, ref in zip(received, take_up, close, refused, strict=True):
                    taken_on = r + timedelta(days=int(tu))
                    closed_on = taken_on + timedelta(days=int(cl))
                    if taken_on > as_of:
                        rows_taken.append(None)
                        rows_closed.append(None)
                        status.append("received")
                    elif ref:
                        rows_taken.append(taken_on)
                        rows_closed.append(taken_on)
                        status.append("refused")
                    elif closed_on > as_of:
                        rows_taken.append(taken_on)
                        rows_closed.append(None)
                        status.append("in_progress")
                    else:
                        rows_taken.append(taken_on)
                        rows_closed.append(closed_on)
                        status.append("done")
                chunks.append(
                    {
                        "request_id": ids.take(n),
                        "caf_code": caf_codes,
                        "pole_code": [pole] * n,
                        "request_nature": [kind] * n,
                        "routing": [
                            other_routing[routing] if mis else routing for mis in misrouted
                        ],
                        "priority": priority.tolist(),
                        "status": status,
                        "received_on": received,
                        "taken_up_on": rows_taken,
                        "closed_on": rows_closed,
                    }
                )
    return _frame(chunks, "requests")


def _partners(rng: np.random.Generator, scale: float) -> pl.DataFrame:
    n = max(10, round(40 * scale))
    deps = reference.departements()
    types = rng.choice(PARTNER_TYPES, size=n, p=[0.5, 0.35, 0.15])
    names = []
    for i, t in enumerate(types):
        word = PARTNER_WORDS[i % len(PARTNER_WORDS)]
        suffix = "" if i < len(PARTNER_WORDS) else f" {i // len(PARTNER_WORDS) + 1}"
        names.append(f"{PARTNER_PREFIX[str(t)]} {word}{suffix}")
    weights = deps["population_count"].to_numpy().astype(float)
    head = rng.choice(deps["dep_code"].to_numpy(), size=n, p=weights / weights.sum())
    caf_count = rng.integers(2, 25, size=n)
    return pl.DataFrame(
        {
            "partner_id": [f"PAR-{i + 1:05d}" for i in range(n)],
            "partner_name": names,
            "partner_type": types.tolist(),
            "head_office_dep_code": head.tolist(),
            "caf_count": caf_count.tolist(),
            "facilities_count": (caf_count * rng.integers(2, 12, size=n)).tolist(),
            "risk_level": rng.choice(
                ["faible", "moyen", "eleve"], size=n, p=[0.5, 0.35, 0.15]
            ).tolist(),
        },
        schema=polars_schema("partners"),
    )


def _projects(rng: np.random.Generator, scale: float, as_of: date) -> pl.DataFrame:
    n = max(20, round(360 * scale))
    deps = (
        reference.departements()
        .join(reference.departement_poles(), on="dep_code")
        .filter(~pl.col("is_overseas"))
    )
    weights = deps["population_count"].to_numpy().astype(float)
    idx = rng.choice(len(deps), size=n, p=weights / weights.sum())
    kinds = rng.choice(PROJECT_KINDS, size=n, p=PROJECT_KIND_P)
    stages = rng.choice(PROJECT_STAGES, size=n, p=PROJECT_STAGE_P)
    needs = rng.choice(SPECIFIC_NEEDS, size=n, p=SPECIFIC_NEED_P)
    started = [
        MISSION_START + timedelta(days=int(d))
        for d in rng.integers(0, max(1, (as_of - MISSION_START).days), n)
    ]
    duration = rng.integers(300, 900, n)
    rows: dict[str, list] = {c: [] for c in EXTRACTS["projects"].columns}
    short = dict(reference.poles().select("pole_code", "pole_short_label").iter_rows())
    for i in range(n):
        kind, stage = str(kinds[i]), str(stages[i])
        lo, hi = PLACES_RANGE[kind]
        decided = (
            int(rng.integers(lo, hi))
            if stage in {"decision_financement", "travaux", "ouvert"}
            else 0
        )
        opened = round(decided * rng.uniform(0.85, 1.0)) if stage == "ouvert" else 0
        expected = started[i] + timedelta(days=int(duration[i]))
        late = stage not in {"ouvert", "abandonne"} and expected < as_of
        dep = deps.row(int(idx[i]), named=True)
        jitter = 0.2
        rows["project_id"].append(f"PRJ-{i + 1:06d}")
        rows["project_name"].append(
            f"Projet {PROJECT_NAME_KIND[kind]} n° {i + 1} ({dep['dep_name']})"
        )
        rows["pole_code"].append(dep["pole_code"])
        rows["caf_code"].append(dep["caf_code"])
        rows["dep_code"].append(dep["dep_code"])
        rows["project_kind"].append(kind)
        rows["specific_need"].append(str(needs[i]))
        rows["stage"].append(stage)
        rows["places_decided_count"].append(decided)
        rows["places_opened_count"].append(opened)
        rows["lon"].append(round(dep["centre_lon"] + rng.normal(0, jitter), 5))
        rows["lat"].append(round(dep["centre_lat"] + rng.normal(0, jitter * 0.7), 5))
        rows["expert_name"].append(
            f"{FIRST_NAMES[int(rng.integers(0, len(FIRST_NAMES)))]} ({short[dep['pole_code']]})"
        )
        rows["started_on"].append(started[i])
        rows["expected_opening_on"].append(expected)
        rows["is_at_risk"].append(bool(late or (stage != "abandonne" and rng.random() < 0.08)))
    return pl.DataFrame(rows, schema=polars_schema("projects"))


def _staff(rng: np.random.Generator) -> pl.DataFrame:
    rows: dict[str, list] = {c: [] for c in EXTRACTS["staff"].columns}
    n = 0
    for pole, positions in STAFF_PLAN.items():
        for job, line, fte, vacant in positions:
            n += 1
            if vacant:
                start = None
            elif line == "sna":
                start = MISSION_START  # the former national support service moved in
            else:
                start = MISSION_START + timedelta(days=int(rng.integers(0, 300)))
            rows["staff_id"].append(f"ETP-{n:03d}")
            rows["pole_code"].append(pole)
            rows["job"].append(job)
            rows["funding_line"].append(line)
            rows["fte"].append(fte)
            rows["start_on"].append(start)
            rows["is_vacant"].append(vacant)
    return pl.DataFrame(rows, schema=polars_schema("staff"))


def generate(
    out_dir: Path, seed: int = 42, scale: float = 1.0, as_of: date | None = None
) -> DemoResult:
    """Writes every extract under ``out_dir/extracts/<name>/<name>.parquet`` and the
    manifest (data date = as_of). Replaces what was there."""
    if scale <= 0:
        raise ValueError("scale must be positive")
    as_of = as_of or date.today()
    if as_of < MISSION_START:
        raise ValueError("as_of must not be before the start of the mission (May 2024)")
    rng = np.random.default_rng(seed)
    partners = _partners(rng, scale)
    frames = {
        "partners": partners,
        "activities": _activities(rng, scale, as_of, partners["partner_id"].to_list()),
        "requests": _requests(rng, scale, as_of),
        "projects": _projects(rng, scale, as_of),
        "staff": _staff(rng),
        # Own generator: adding this layer leaves the other extracts unchanged.
        "coverage": demo_coverage(
            np.random.default_rng(seed + 1), list(range(2022, max(2022, as_of.year - 2) + 1))
        ),
    }
    extracts_dir = out_dir / "extracts"
    for name, frame in frames.items():
        folder = extracts_dir / name
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{name}.parquet"
        # Write aside then swap, so that a reader never sees a half-written file.
        tmp = folder / f".{name}.parquet.tmp"
        frame.write_parquet(tmp)
        for old in folder.glob("*.parquet"):
            if old != target:
                old.unlink()
        os.replace(tmp, target)
    write_manifest(extracts_dir, as_of, SOURCE_LABEL)
    return DemoResult(row_counts={k: v.height for k, v in frames.items()}, as_of=as_of)
