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

Made for national scale (``--scale 1000``: over 3 million activities in seconds, in
under half a gigabyte): the values are drawn as numpy arrays, one set per cell (month,
pôle, kind), never one Python object per row; a worker thread turns each month's arrays
into a polars frame and writes it (row group by row group for the large extracts) while
the next month is drawn, so that memory does not grow with the months. One random
stream feeds every draw, in the order of the former row-by-row generator: a seed and a
date give the same figures as before, at every scale (tests/golden/ holds them).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, fields
from datetime import date, timedelta
from functools import partial
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
CONTROL_KINDS = reference.kinds_with("is_control")
FINDINGS_RATE = {
    "controle_sensible": 0.6,
    "controle_appui_plan": 0.35,
    "controle_multi_dep": 0.5,
    "audit_terrain": 0.25,
}
EQUIPMENT_KINDS = ["eaje_psu", "micro_creche_paje", "halte_garderie", "rpe", "mam"]
CONTROL_EQUIPMENT_P = [0.5, 0.3, 0.08, 0.06, 0.06]
ENGINEERING_EQUIPMENT_P = [0.55, 0.25, 0.08, 0.05, 0.07]
EQUIPMENT_BY_KIND = reference.kinds_with("has_equipment")
PLACES_KINDS = reference.kinds_with("has_places")

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


EPOCH = date(1970, 1, 1)
STATUSES = ["done", "in_progress", "planned", "cancelled"]
DONE, IN_PROGRESS, PLANNED, CANCELLED = range(len(STATUSES))
REQUEST_STATUSES = ["received", "refused", "in_progress", "done"]
PRIORITIES = ["haute", "normale", "basse"]
OTHER_ROUTING = {"direct": "cnaf", "cnaf": "direct"}


def _day(d: date) -> int:
    """Days since 1970-01-01, the physical value of a polars date."""
    return (d - EPOCH).days


def _ids(prefix: str, first: int, n: int, width: int) -> pl.Series:
    """Sequential identifiers from ``first``, prefixed and zero-padded to ``width``
    digits, so that files stay human-readable."""
    numbers = pl.int_range(first, first + n, dtype=pl.Int64, eager=True)
    if first + n <= 10**width:  # same width: the digits after a leading 1
        return f"{prefix}-" + (numbers + 10**width).cast(pl.String).str.slice(1)
    return f"{prefix}-" + numbers.cast(pl.String).str.zfill(width)


def _nulls_where_negative(codes: np.ndarray) -> pl.Series:
    values = pl.Series(codes)
    if codes.size and codes.min() < 0:
        values = pl.select(pl.when(values >= 0).then(values)).to_series()
    return values


def _labels(labels: list[str] | pl.Series, codes: np.ndarray) -> pl.Series:
    """The label of each code (an index into ``labels``); negative codes are nulls."""
    return pl.Series(labels, dtype=pl.String).gather(_nulls_where_negative(codes))


def _dates(days: np.ndarray) -> pl.Series:
    """Dates from days since 1970-01-01; negative values are nulls."""
    return _nulls_where_negative(days).cast(pl.Int32).cast(pl.Date)


def _frame(extract: str, columns: dict[str, pl.Series]) -> pl.DataFrame:
    schema = polars_schema(extract)
    frame = pl.DataFrame([columns[c].alias(c) for c in schema])
    return frame.cast(schema)


class _Parts:
    """The arrays of one month of an extract, one per draw cell (pôle and kind) and
    column, handed over at the end of the month to be made into a frame: no Python
    object per row."""

    def __init__(self) -> None:
        self.parts: dict[str, list[np.ndarray]] = {}
        self.cell_kind: list[int] = []
        self.cell_pole: list[int] = []
        self.cell_size: list[int] = []

    def add(self, kind_no: int, pole_no: int, n: int, **arrays: np.ndarray) -> None:
        self.cell_kind.append(kind_no)
        self.cell_pole.append(pole_no)
        self.cell_size.append(n)
        for name, values in arrays.items():
            self.parts.setdefault(name, []).append(values)

    @property
    def n_rows(self) -> int:
        return sum(self.cell_size)

    def kinds(self) -> np.ndarray:
        return np.repeat(np.array(self.cell_kind, dtype=np.int16), self.cell_size)

    def poles(self) -> np.ndarray:
        return np.repeat(np.array(self.cell_pole, dtype=np.int16), self.cell_size)

    def pop(self, name: str, dtype: type) -> np.ndarray:
        parts = self.parts.pop(name, [])
        return np.concatenate(parts).astype(dtype, copy=False) if parts else np.empty(0, dtype)


@dataclass(frozen=True)
class _Places:
    """The départements each pôle serves, with population weights, for risk control
    (overseas included where the pôle supports them) and for engineering (overseas
    excluded: the national Cepaje covers them, ``_overseas_engineering``). Every (pôle,
    domain) block is a slice of one table, so that a draw is a row number of that table."""

    dep_codes: pl.Series
    caf_codes: pl.Series
    blocks: dict[tuple[str, str], tuple[int, int, np.ndarray]]  # offset, size, weights

    @classmethod
    def of_poles(cls) -> _Places:
        deps = reference.departements().join(reference.departement_poles(), on="dep_code")
        tables, blocks, offset = [], {}, 0
        for pole in reference.poles()["pole_code"]:
            mine = deps.filter(pl.col("pole_code") == pole)
            for domain, table in (
                ("maitrise_risques", mine),
                ("ingenierie", mine.filter(~pl.col("is_overseas"))),
            ):
                weights = table["population_count"].to_numpy().astype(float)
                blocks[(pole, domain)] = (offset, table.height, weights / weights.sum())
                tables.append(table.select("dep_code", "caf_code"))
                offset += table.height
        places = pl.concat(tables)
        return cls(places["dep_code"], places["caf_code"], blocks)

    def pick(self, rng: np.random.Generator, pole: str, domain: str, n: int) -> np.ndarray:
        """``n`` places drawn by population, as one ``rng.choice`` over the block."""
        offset, size, weights = self.blocks[(pole, domain)]
        return (offset + rng.choice(size, size=n, p=weights)).astype(np.int32)


# Status of an item from one uniform draw: the number of bounds at or below the draw picks
# the code (recent items: u < 0.55 -> done, < 0.92 -> in progress, < 0.96 -> planned).
RECENT_STATUS = (np.array([0.55, 0.92, 0.96]), np.array([DONE, IN_PROGRESS, PLANNED, CANCELLED]))
OLD_STATUS = (np.array([DONE_SHARE_OLD, 0.97]), np.array([DONE, CANCELLED, IN_PROGRESS]))


def _statuses(age_days: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Status code (index into STATUSES) of each item from its age (days before the
    as-of date; negative = ahead): ahead -> planned; recent -> often still in progress,
    a few overdue or cancelled; older -> mostly done, some cancelled, a few never
    closed."""
    recent = RECENT_STATUS[1][np.searchsorted(RECENT_STATUS[0], u, side="right")]
    old = OLD_STATUS[1][np.searchsorted(OLD_STATUS[0], u, side="right")]
    status = np.where(age_days < 0, PLANNED, np.where(age_days < RECENT_DAYS, recent, old))
    return status.astype(np.int8)


def _activities(
    rng: np.random.Generator, scale: float, as_of: date, partner_ids: pl.Series
) -> Iterator[tuple[int, Callable[[], pl.DataFrame]]]:
    """Month by month, as drawn: the row count and the maker of the month's frame."""
    kinds = reference.activity_kinds().select("activity_kind", "domain", "is_departmental")
    poles = reference.poles().select("pole_code", "target_share")
    places = _Places.of_poles()
    fee = reference.travel_fee_eur()
    as_of_day = _day(as_of)
    end = as_of + timedelta(days=PLANNED_HORIZON_DAYS)
    first_id = 1
    for y, m in _months(MISSION_START, end):
        n_days = _days_in_month(y, m)
        first_day = _day(date(y, m, 1))
        parts = _Parts()
        for pole_no, (pole, share) in enumerate(poles.iter_rows()):
            for kind_no, (kind, domain, is_departmental) in enumerate(kinds.iter_rows()):
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
                # The draws below keep their order: one random stream feeds them all.
                day = first_day + rng.integers(0, n_days, size=n)
                place = places.pick(rng, pole, domain, n)
                age = as_of_day - day
                status = _statuses(age, rng.random(n))
                is_done = status == DONE
                no_code = np.full(n, -1, dtype=np.int8)
                equipment = (
                    rng.choice(
                        len(EQUIPMENT_KINDS),
                        size=n,
                        p=CONTROL_EQUIPMENT_P if kind in CONTROL_KINDS else ENGINEERING_EQUIPMENT_P,
                    )
                    if kind in EQUIPMENT_BY_KIND
                    else no_code
                )
                partner = (
                    rng.choice(len(partner_ids), size=n)
                    if kind == "controle_multi_dep"
                    else no_code
                )
                if kind in CONTROL_KINDS:
                    findings = is_done & (rng.random(n) < FINDINGS_RATE[kind])
                    undue = np.where(findings, np.round(rng.lognormal(8.6, 1.0, n), 2), np.nan)
                    recovered_share = np.where(
                        age > 180, rng.uniform(0.6, 1.0, n), rng.uniform(0.0, 0.7, n)
                    )
                    recovered = np.where(findings, np.round(undue * recovered_share, 2), np.nan)
                    has_findings = np.where(is_done, findings, -1)
                else:
                    undue = recovered = np.full(n, np.nan)
                    has_findings = no_code
                places_count = rng.integers(8, 61, size=n) if kind in PLACES_KINDS else no_code
                spent = np.round(rng.gamma(2.0, MEAN_DAYS.get(kind, 1.5) / 2.0, n) * 2) / 2 + 0.5
                charged = is_departmental & ((status == DONE) | (status == IN_PROGRESS))
                parts.add(
                    kind_no,
                    pole_no,
                    n,
                    day=day.astype(np.int32),
                    place=place,
                    status=status,
                    equipment=equipment.astype(np.int8),
                    partner=partner.astype(np.int32),
                    has_findings=has_findings.astype(np.int8),
                    undue=undue,
                    recovered=recovered,
                    places_count=places_count.astype(np.int16),
                    days_spent=np.where(
                        is_done, spent, np.where(status == IN_PROGRESS, spent / 2, 0.0)
                    ),
                    travel_fee=np.where(charged, fee, 0.0),
                )
        if parts.n_rows:
            yield (
                parts.n_rows,
                partial(_activity_frame, parts, first_id, kinds, poles, places, partner_ids),
            )
            first_id += parts.n_rows


def _overseas_engineering(
    rng: np.random.Generator, scale: float, as_of: date, first_id: int
) -> pl.DataFrame:
    """The engineering of the overseas Cafs, booked to the Cepaje's national scope (not a
    pôle: poles.toml, section overseas): the engineering volumes of the letter in
    proportion to the overseas population (the pôles' volumes cover the mainland), on
    the pôles' calendar (ramp-up, seasons, growth), at the target's pace; no travel fee
    (charged when a pôle works for a Caf). Drawn from a random stream of its own, after
    the pôles' activities (ids following theirs): the pôles' rows are those drawn
    without it."""
    national = reference.overseas_engineering_scope()
    deps = reference.departements().join(reference.departement_poles(), on="dep_code")
    overseas = deps.filter(pl.col("engineering_scope_code") == national.code)
    mainland = deps.filter(~pl.col("is_overseas"))["population_count"].sum()
    share = overseas["population_count"].sum() / mainland
    weights = overseas["population_count"].to_numpy().astype(float)
    places = _Places(
        overseas["dep_code"],
        overseas["caf_code"],
        {(national.code, national.domain): (0, overseas.height, weights / weights.sum())},
    )
    kinds = reference.activity_kinds().select("activity_kind", "domain", "is_departmental")
    scope = pl.DataFrame({"pole_code": [national.code]})
    as_of_day = _day(as_of)
    parts = _Parts()
    for y, m in _months(MISSION_START, as_of + timedelta(days=PLANNED_HORIZON_DAYS)):
        n_days, first_day = _days_in_month(y, m), _day(date(y, m, 1))
        for kind_no, (kind, domain, _) in enumerate(kinds.iter_rows()):
            if domain != national.domain:
                continue
            lam = (
                YEARLY_VOLUME[kind] / 12 * share * MONTH_PROFILE[m - 1]
                * RAMP.get((y, m), 1.0) * YEAR_GROWTH.get(y, 1.1) * scale / DONE_SHARE_OLD
            )  # fmt: skip
            n = int(rng.poisson(lam))
            if n == 0:
                continue
            day = first_day + rng.integers(0, n_days, size=n)
            place = places.pick(rng, national.code, domain, n)
            status = _statuses(as_of_day - day, rng.random(n))
            no_code = np.full(n, -1, dtype=np.int8)
            equipment = (
                rng.choice(len(EQUIPMENT_KINDS), size=n, p=ENGINEERING_EQUIPMENT_P)
                if kind in EQUIPMENT_BY_KIND
                else no_code
            )
            places_count = rng.integers(8, 61, size=n) if kind in PLACES_KINDS else no_code
            spent = np.round(rng.gamma(2.0, MEAN_DAYS.get(kind, 1.5) / 2.0, n) * 2) / 2 + 0.5
            parts.add(
                kind_no,
                0,
                n,
                day=day.astype(np.int32),
                place=place,
                status=status,
                equipment=equipment.astype(np.int8),
                partner=np.full(n, -1, dtype=np.int32),
                has_findings=no_code,
                undue=np.full(n, np.nan),
                recovered=np.full(n, np.nan),
                places_count=places_count.astype(np.int16),
                days_spent=np.where(
                    status == DONE, spent, np.where(status == IN_PROGRESS, spent / 2, 0.0)
                ),
                travel_fee=np.zeros(n),
            )
    return _activity_frame(parts, first_id, kinds, scope, places, pl.Series([], dtype=pl.String))


def _all_activities(
    rng: np.random.Generator,
    overseas_rng: np.random.Generator,
    scale: float,
    as_of: date,
    partner_ids: pl.Series,
) -> Iterator[tuple[int, Callable[[], pl.DataFrame]]]:
    """The pôles' activities month by month, then the Cepaje's overseas engineering."""
    rows = 0
    for n, make in _activities(rng, scale, as_of, partner_ids):
        rows += n
        yield n, make
    frame = _overseas_engineering(overseas_rng, scale, as_of, rows + 1)
    if frame.height:
        yield frame.height, lambda: frame


def _activity_frame(
    parts: _Parts,
    first_id: int,
    kinds: pl.DataFrame,
    poles: pl.DataFrame,
    places: _Places,
    partner_ids: pl.Series,
) -> pl.DataFrame:
    n = parts.n_rows
    place = parts.pop("place", np.int32)
    return _frame(
        "activities",
        {
            "activity_id": _ids("ACT", first_id, n, 7),
            "activity_kind": _labels(kinds["activity_kind"], parts.kinds()),
            "pole_code": _labels(poles["pole_code"], parts.poles()),
            "caf_code": places.caf_codes.gather(place),
            "dep_code": places.dep_codes.gather(place),
            "equipment_kind": _labels(EQUIPMENT_KINDS, parts.pop("equipment", np.int8)),
            "partner_id": partner_ids.gather(_nulls_where_negative(parts.pop("partner", np.int32))),
            "request_id": pl.repeat(None, n, dtype=pl.String, eager=True),
            "status": _labels(STATUSES, parts.pop("status", np.int8)),
            "activity_on": _dates(parts.pop("day", np.int32)),
            "days_spent": pl.Series(parts.pop("days_spent", np.float64)),
            "has_findings": _nulls_where_negative(parts.pop("has_findings", np.int8)) == 1,
            "undue_amount_eur": pl.Series(parts.pop("undue", np.float64), nan_to_null=True),
            "recovered_amount_eur": pl.Series(parts.pop("recovered", np.float64), nan_to_null=True),
            "places_count": _nulls_where_negative(parts.pop("places_count", np.int16)),
            "travel_fee_eur": pl.Series(parts.pop("travel_fee", np.float64)),
            "comment": pl.repeat(None, n, dtype=pl.String, eager=True),
        },
    )


def _requests(
    rng: np.random.Generator, scale: float, as_of: date
) -> Iterator[tuple[int, Callable[[], pl.DataFrame]]]:
    """Month by month, as drawn: the row count and the maker of the month's frame."""
    kinds = (
        reference.activity_kinds()
        .filter(pl.col("routing") != "cnaf_only")
        .select("activity_kind", "domain", "routing")
    )
    poles = reference.poles().select("pole_code", "target_share")
    places = _Places.of_poles()
    routings = sorted(set(kinds["routing"]) | set(OTHER_ROUTING))
    as_of_day = _day(as_of)
    first_id = 1
    for y, m in _months(MISSION_START, as_of):
        month_start = date(y, m, 1)
        first_day = _day(month_start)
        n_days = min(_days_in_month(y, m), (as_of - month_start).days + 1)
        parts = _Parts()
        for pole_no, (pole, share) in enumerate(poles.iter_rows()):
            for kind_no, (kind, domain, routing) in enumerate(kinds.iter_rows()):
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
                received = first_day + rng.integers(0, n_days, n)
                priority = rng.choice(len(PRIORITIES), size=n, p=[0.2, 0.6, 0.2])
                take_up_mean = np.where(priority == 0, 3.0, np.where(priority == 1, 9.0, 16.0))
                take_up = np.ceil(rng.gamma(1.6, take_up_mean / 1.6))
                close = np.ceil(rng.gamma(2.0, 24.0, n)) + 5
                refused = rng.random(n) < 0.04
                misrouted = rng.random(n) < 0.02
                caf = places.pick(rng, pole, domain, n)
                taken = received + take_up.astype(np.int64)
                closed = taken + close.astype(np.int64)
                waiting = taken > as_of_day
                open_ = ~refused & (closed > as_of_day)
                route = np.full(n, routings.index(routing), dtype=np.int8)
                if misrouted.any():
                    route[misrouted] = routings.index(OTHER_ROUTING[routing])
                status = np.where(waiting, 0, np.where(refused, 1, np.where(open_, 2, 3)))
                parts.add(
                    kind_no,
                    pole_no,
                    n,
                    caf=caf,
                    routing=route,
                    priority=priority.astype(np.int8),
                    status=status.astype(np.int8),
                    received=received.astype(np.int32),
                    taken=np.where(waiting, -1, taken).astype(np.int32),
                    closed=np.where(
                        waiting, -1, np.where(refused, taken, np.where(open_, -1, closed))
                    ).astype(np.int32),
                )
        if parts.n_rows:
            yield (
                parts.n_rows,
                partial(_request_frame, parts, first_id, kinds, poles, places, routings),
            )
            first_id += parts.n_rows


def _request_frame(
    parts: _Parts,
    first_id: int,
    kinds: pl.DataFrame,
    poles: pl.DataFrame,
    places: _Places,
    routings: list[str],
) -> pl.DataFrame:
    return _frame(
        "requests",
        {
            "request_id": _ids("SAI", first_id, parts.n_rows, 7),
            "caf_code": places.caf_codes.gather(parts.pop("caf", np.int32)),
            "pole_code": _labels(poles["pole_code"], parts.poles()),
            "request_nature": _labels(kinds["activity_kind"], parts.kinds()),
            "routing": _labels(routings, parts.pop("routing", np.int8)),
            "priority": _labels(PRIORITIES, parts.pop("priority", np.int8)),
            "status": _labels(REQUEST_STATUSES, parts.pop("status", np.int8)),
            "received_on": _dates(parts.pop("received", np.int32)),
            "taken_up_on": _dates(parts.pop("taken", np.int32)),
            "closed_on": _dates(parts.pop("closed", np.int32)),
        },
    )


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


@dataclass(frozen=True)
class _ProjectDraws:
    """What each project draws row by row: places decided, places opened, the shifts
    of its point from the département's centre, its expert, whether it is at risk."""

    decided: np.ndarray
    opened: np.ndarray
    lon_shift: np.ndarray
    lat_shift: np.ndarray
    expert: np.ndarray
    at_risk: np.ndarray


PROJECT_JITTER = 0.2  # degrees of longitude; latitude: 0.7 of it
OPENED_SHARE = (0.85, 1.0)  # places opened / places decided, uniform
AT_RISK_P = 0.08  # projects at risk though not late
PROJECT_BLOCK = 65_536  # projects drawn at a time


def _project_draws_one_by_one(
    rng: np.random.Generator,
    low: np.ndarray,
    high: np.ndarray,
    counted: np.ndarray,
    opens: np.ndarray,
    may_be_at_risk: np.ndarray,
) -> _ProjectDraws:
    """The reference order of the draws: for each project, the places decided (if
    counted), the share opened (if open), two normal shifts, the expert, and one draw
    for the risk (if it may be at risk)."""
    draw_int, draw_normal, draw_uniform, draw = rng.integers, rng.normal, rng.uniform, rng.random
    decided, opened, lon_shift, lat_shift, expert, at_risk = [], [], [], [], [], []
    for lo, hi, c, o, r in zip(
        low.tolist(),
        high.tolist(),
        counted.tolist(),
        opens.tolist(),
        may_be_at_risk.tolist(),
        strict=True,
    ):
        places = int(draw_int(lo, hi)) if c else 0
        decided.append(places)
        opened.append(round(places * draw_uniform(*OPENED_SHARE)) if o else 0)
        lon_shift.append(draw_normal(0, PROJECT_JITTER))
        lat_shift.append(draw_normal(0, PROJECT_JITTER * 0.7))
        expert.append(int(draw_int(0, len(FIRST_NAMES))))
        at_risk.append(r and draw() < AT_RISK_P)
    return _ProjectDraws(
        np.array(decided, dtype=np.int64),
        np.array(opened, dtype=np.int64),
        np.array(lon_shift, dtype=np.float64),
        np.array(lat_shift, dtype=np.float64),
        np.array(expert, dtype=np.int64),
        np.array(at_risk, dtype=bool),
    )


_U32 = np.uint64(0xFFFFFFFF)


def _project_draws(
    rng: np.random.Generator,
    low: np.ndarray,
    high: np.ndarray,
    counted: np.ndarray,
    opens: np.ndarray,
    may_be_at_risk: np.ndarray,
) -> _ProjectDraws:
    """The same values as ``_project_draws_one_by_one``, from the same stream, without
    one call per value: only the normal draws (whose consumption of the stream varies)
    stay one call per project; the other values are computed from the raw 64-bit words
    of the PCG64 generator, as numpy computes them:

    - ``random()`` is ``(word >> 11) * 2**-53`` and ``uniform(a, b)`` is
      ``a + (b - a) * random()``;
    - ``integers(lo, hi)`` takes a 32-bit half word (the low half of a new word, the
      high half kept for the next integer draw) and maps it by Lemire's method; a
      range of one value draws nothing;
    - ``normal(0, s)`` is ``s * standard_normal()``.

    Lemire's method redraws in about one case in 10**8: then, and for another bit
    generator, the draws are made one by one (tests/test_demo.py checks both agree)."""
    bits = rng.bit_generator
    if not isinstance(bits, np.random.PCG64) or not len(low):
        return _project_draws_one_by_one(rng, low, high, counted, opens, may_be_at_risk)
    start = bits.state
    n = len(low)
    span = high - low
    # The draws that use the stream's words, in order: per project, the places decided
    # (slot 0), the share opened (1), [the two normal draws], the expert (2), the risk (3).
    row, slot = np.nonzero(
        np.stack([counted & (span > 1), opens, np.ones(n, dtype=bool), may_be_at_risk], axis=1)
    )
    is_int = (slot == 0) | (slot == 2)
    int_no = np.cumsum(is_int) - 1
    new_word = is_int & ((int_no + int(start["has_uint32"])) % 2 == 0)
    takes_word = new_word | ~is_int
    word_no = np.cumsum(takes_word) - 1
    # Words before the normal draws of each project: slots 0-1 of the project, slots
    # 2-3 of the one before.
    gap = np.bincount(row + (slot >= 2), weights=takes_word, minlength=n + 1).astype(np.int64)
    raw, normal = bits.random_raw, rng.standard_normal
    chunks: list[np.ndarray] = []
    normals: list[float] = []
    for words in gap[:-1].tolist():
        chunks.append(raw(words))
        normals.append(normal())
        normals.append(normal())
    chunks.append(raw(int(gap[-1])))
    chunks.append(np.zeros(1, dtype=np.uint64))  # never drawn: keeps the indexing below valid
    words = np.concatenate(chunks)
    # Integer draws: the 32-bit half words, Lemire's method.
    int_row, int_slot, int_new, int_word = (
        row[is_int],
        slot[is_int],
        new_word[is_int],
        word_no[is_int],
    )
    source = words[np.where(int_new, int_word, np.concatenate([[0], int_word[:-1]]))]
    half = np.where(int_new, source & _U32, source >> np.uint64(32))
    if not int_new[0]:
        half[0] = np.uint64(start["uinteger"])
    excl = np.where(int_slot == 0, span[int_row], len(FIRST_NAMES)).astype(np.uint64)
    product = half * excl
    if ((product & _U32) < (np.uint64(2**32) - excl) % excl).any():
        bits.state = start
        return _project_draws_one_by_one(rng, low, high, counted, opens, may_be_at_risk)
    drawn = (product >> np.uint64(32)).astype(np.int64)
    # The generator keeps the high half of its last new word for the next integer draw.
    state = bits.state
    state["has_uint32"] = int(int_new[-1])
    state["uinteger"] = int(source[-1] >> np.uint64(32)) if int_new[-1] else int(half[-1])
    bits.state = state
    decided = np.where(counted, low, 0).astype(np.int64)
    decided[int_row[int_slot == 0]] += drawn[int_slot == 0]
    # Uniform draws.
    one_row, one_slot = row[~is_int], slot[~is_int]
    u = (words[word_no[~is_int]] >> np.uint64(11)) * (1.0 / 2**53)
    opened = np.zeros(n, dtype=np.int64)
    share = OPENED_SHARE[0] + (OPENED_SHARE[1] - OPENED_SHARE[0]) * u[one_slot == 1]
    opened_rows = one_row[one_slot == 1]
    opened[opened_rows] = np.rint(decided[opened_rows] * share).astype(np.int64)
    at_risk = np.zeros(n, dtype=bool)
    at_risk[one_row[one_slot == 3]] = u[one_slot == 3] < AT_RISK_P
    z = np.array(normals, dtype=np.float64).reshape(n, 2)
    return _ProjectDraws(
        decided,
        opened,
        PROJECT_JITTER * z[:, 0],
        PROJECT_JITTER * 0.7 * z[:, 1],
        drawn[int_slot == 2],
        at_risk,
    )


def _round5(values: np.ndarray) -> np.ndarray:
    """``round(v, 5)`` of each value as Python rounds it (correctly rounded): numpy's
    scaled rounding agrees except next to a tie, where Python's rounding is used."""
    scaled = values * 1e5
    out = np.rint(scaled) / 1e5
    near_tie = np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6
    out[near_tie] = [round(v, 5) for v in values[near_tie].tolist()]
    return out


def _projects(rng: np.random.Generator, scale: float, as_of: date) -> pl.DataFrame:
    n = max(20, round(360 * scale))
    deps = (
        reference.departements()
        .join(reference.departement_poles(), on="dep_code")
        .filter(~pl.col("is_overseas"))
    )
    weights = deps["population_count"].to_numpy().astype(float)
    idx = rng.choice(len(deps), size=n, p=weights / weights.sum())
    kinds = rng.choice(len(PROJECT_KINDS), size=n, p=PROJECT_KIND_P)
    stages = rng.choice(len(PROJECT_STAGES), size=n, p=PROJECT_STAGE_P)
    needs = rng.choice(len(SPECIFIC_NEEDS), size=n, p=SPECIFIC_NEED_P)
    started = _day(MISSION_START) + rng.integers(0, max(1, (as_of - MISSION_START).days), n)
    expected = started + rng.integers(300, 900, n)
    stage_no = {s: i for i, s in enumerate(PROJECT_STAGES)}
    is_open = stages == stage_no["ouvert"]
    counted = is_open | np.isin(stages, [stage_no["decision_financement"], stage_no["travaux"]])
    late = ~is_open & (stages != stage_no["abandonne"]) & (expected < _day(as_of))
    inputs = (
        np.array([PLACES_RANGE[k][0] for k in PROJECT_KINDS])[kinds],
        np.array([PLACES_RANGE[k][1] for k in PROJECT_KINDS])[kinds],
        counted,
        is_open,
        ~late & (stages != stage_no["abandonne"]),
    )
    # By blocks of projects, one after the other on the stream: bounded memory.
    blocks = [
        _project_draws(rng, *(a[start : start + PROJECT_BLOCK] for a in inputs))
        for start in range(0, n, PROJECT_BLOCK)
    ]
    draws = _ProjectDraws(
        *(np.concatenate([getattr(b, f.name) for b in blocks]) for f in fields(_ProjectDraws))
    )
    dep = deps.select("dep_code", "dep_name", "pole_code", "caf_code")[idx]
    short = dict(reference.poles().select("pole_code", "pole_short_label").iter_rows())
    numbers = pl.int_range(1, n + 1, dtype=pl.Int64, eager=True).cast(pl.String)
    return _frame(
        "projects",
        {
            "project_id": _ids("PRJ", 1, n, 6),
            "project_name": (
                "Projet "
                + _labels([PROJECT_NAME_KIND[k] for k in PROJECT_KINDS], kinds)
                + " n° "
                + numbers
                + " ("
                + dep["dep_name"]
                + ")"
            ),
            "pole_code": dep["pole_code"],
            "caf_code": dep["caf_code"],
            "dep_code": dep["dep_code"],
            "project_kind": _labels(PROJECT_KINDS, kinds),
            "specific_need": _labels(SPECIFIC_NEEDS, needs),
            "stage": _labels(PROJECT_STAGES, stages),
            "places_decided_count": pl.Series(draws.decided),
            "places_opened_count": pl.Series(draws.opened),
            "lon": pl.Series(_round5(deps["centre_lon"].to_numpy()[idx] + draws.lon_shift)),
            "lat": pl.Series(_round5(deps["centre_lat"].to_numpy()[idx] + draws.lat_shift)),
            "expert_name": (
                _labels(FIRST_NAMES, draws.expert)
                + " ("
                + dep["pole_code"].replace_strict(short, return_dtype=pl.String)
                + ")"
            ),
            "started_on": _dates(started),
            "expected_opening_on": _dates(expected),
            "is_at_risk": pl.Series(late | draws.at_risk),
        },
    )


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


ROW_GROUP_ROWS = 131_072  # rows per Parquet row group when an extract is streamed


class _ParquetAside:
    """One extract's file, written aside (``.<name>.parquet.tmp``) from frames given
    in order. Unless ``streamed``, or up to ``ROW_GROUP_ROWS`` rows, the frames wait
    and the file is written at once by polars (byte for byte as the row-by-row
    generator wrote it); beyond, every ``ROW_GROUP_ROWS`` rows or more become one row
    group, so that memory holds about one row group of the extract, not all of it."""

    def __init__(self, extracts_dir: Path, name: str, streamed: bool) -> None:
        self.name = name
        self.streamed = streamed
        folder = extracts_dir / name
        folder.mkdir(parents=True, exist_ok=True)
        self.tmp = folder / f".{name}.parquet.tmp"
        self.target = folder / f"{name}.parquet"
        self.pending: list[pl.DataFrame] = []
        self.pending_rows = 0
        self.writer = None  # pyarrow.parquet.ParquetWriter, once streaming

    def add(self, make: Callable[[], pl.DataFrame]) -> None:
        frame = make()
        self.pending.append(frame)
        self.pending_rows += frame.height
        if self.streamed and self.pending_rows >= ROW_GROUP_ROWS:
            self._flush()

    def _flush(self) -> None:
        import pyarrow.parquet as pq

        table = pl.concat(self.pending, rechunk=False).to_arrow()
        self.pending, self.pending_rows = [], 0
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.tmp, table.schema, compression="zstd")
        self.writer.write_table(table, row_group_size=table.num_rows)

    def close(self) -> None:
        if self.writer is None:
            frame = (
                pl.concat(self.pending, rechunk=False)
                if self.pending
                else pl.DataFrame(schema=polars_schema(self.name))
            )
            self.pending = []
            frame.write_parquet(self.tmp)
            return
        if self.pending:
            self._flush()
        self.writer.close()

    def discard(self) -> None:
        try:
            if self.writer is not None:
                self.writer.close()
        finally:
            self.tmp.unlink(missing_ok=True)

    def swap(self) -> None:
        """Replaces the extract's files by the one written aside: a reader never sees
        a half-written file."""
        for old in self.target.parent.glob("*.parquet"):
            if old != self.target:
                old.unlink()
        os.replace(self.tmp, self.target)


class _Output:
    """The extracts being written. One worker thread makes the frames and writes them,
    in the order given, while the calling thread goes on drawing (polars, pyarrow and
    numpy's bulk draws release the GIL): the random stream is drawn in one order only.
    The calling thread waits when more than ``AHEAD`` tasks are queued, so that drawn
    arrays do not pile up in memory."""

    AHEAD = 3

    def __init__(self, extracts_dir: Path, worker: Executor) -> None:
        self.extracts_dir = extracts_dir
        self.worker = worker
        self.files: list[_ParquetAside] = []
        self.tasks: list[Future[None]] = []
        self.row_counts: dict[str, int] = {}

    def _submit(self, task: Callable[..., None], *args: object) -> None:
        self.tasks.append(self.worker.submit(task, *args))
        if len(self.tasks) > self.AHEAD:
            self.tasks[-self.AHEAD - 1].result()  # also raises the worker's error

    def write(
        self,
        name: str,
        parts: Iterable[tuple[int, Callable[[], pl.DataFrame]]],
        streamed: bool = True,
    ) -> None:
        """Draws ``parts`` (row count, frame maker) here, makes and writes the frames in
        the worker."""
        aside = _ParquetAside(self.extracts_dir, name, streamed)
        self.files.append(aside)
        rows = 0
        for n, make in parts:
            self._submit(aside.add, make)
            rows += n
        self._submit(aside.close)
        self.row_counts[name] = rows

    def write_frame(self, name: str, frame: pl.DataFrame) -> None:
        self.write(name, [(frame.height, lambda: frame)], streamed=False)

    def wait(self) -> None:
        for task in self.tasks:
            task.result()

    def discard(self) -> None:
        """After a failure: the worker stopped, the files aside removed."""
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            if not task.cancelled():
                task.exception()  # waits for the running task
        for aside in self.files:
            aside.discard()

    def swap(self) -> None:
        for aside in self.files:
            aside.swap()


def generate(
    out_dir: Path, seed: int = 42, scale: float = 1.0, as_of: date | None = None
) -> DemoResult:
    """Writes every extract under ``out_dir/extracts/<name>/<name>.parquet`` and the
    manifest (data date = as_of). Replaces what was there.

    The activities and requests are written month by month as they are drawn, so that
    memory holds about one row group of them, never the whole extract; every file is
    written aside and swapped in once all are written (a failed run leaves the previous
    files as they were)."""
    if scale <= 0:
        raise ValueError("scale must be positive")
    as_of = as_of or date.today()
    if as_of < MISSION_START:
        raise ValueError("as_of must not be before the start of the mission (May 2024)")
    rng = np.random.default_rng(seed)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="demo") as worker:
        out = _Output(out_dir / "extracts", worker)
        try:
            partners = _partners(rng, scale)
            out.write_frame("partners", partners)
            # The Cepaje's overseas engineering on a stream of its own (seed + 2): the
            # pôles' activities and the other extracts are those drawn without it.
            out.write(
                "activities",
                _all_activities(
                    rng, np.random.default_rng(seed + 2), scale, as_of, partners["partner_id"]
                ),
            )
            out.write("requests", _requests(rng, scale, as_of))
            out.write_frame("projects", _projects(rng, scale, as_of))
            out.write_frame("staff", _staff(rng))
            # Own generator: adding this layer leaves the other extracts unchanged.
            years = list(range(2022, max(2022, as_of.year - 2) + 1))
            out.write_frame("coverage", demo_coverage(np.random.default_rng(seed + 1), years))
            out.wait()
        except BaseException:
            out.discard()
            raise
    out.swap()
    write_manifest(out_dir / "extracts", as_of, SOURCE_LABEL)
    return DemoResult(row_counts=out.row_counts, as_of=as_of)
