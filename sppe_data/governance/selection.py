"""Selection of the new Caf pivots: the letter's five criteria (section 3) and the
weighted score of the candidate Cafs of one campaign.

Pure: frames in, frames out; no store, no Streamlit.

Scoring rule. Each indicator is rescaled min–max over the candidates of the frame to
0–100 points (100 for the best value, reversed for an indicator where lower is better;
100 for every candidate when all values are equal; a yes/no indicator gives 100 or 0; a
missing value gives 0). A criterion's score is the mean of its indicators' points. The
total is the weighted mean of the criteria scores, Σ w_c × score_c / Σ w_c (0–100), and a
criterion's contribution is w_c × score_c / Σ w_c, so the contributions add up to the
total. Rank 1 is the best total; equal totals share a rank (the "min" method: 1, 1, 3).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from numbers import Real

import polars as pl

from sppe_data.governance import model

YES_NO = "oui/non"  # the unit of a yes/no indicator: 100 points for yes, 0 for no
UNSET_POLE_LABEL = "Non précisé"  # a candidate that names no pôle


@dataclass(frozen=True)
class Indicator:
    column: str  # the candidate's column
    label: str  # French, for tables and forms
    unit: str  # French: "recrutements", "jours", "€", ... or YES_NO
    direction: int  # +1: higher is better; -1: lower is better

    @property
    def is_yes_no(self) -> bool:
        return self.unit == YES_NO


@dataclass(frozen=True)
class Criterion:
    code: str
    label: str
    indicators: tuple[Indicator, ...]


def _indicator(column: str, unit: str, direction: int) -> Indicator:
    """An indicator named as the candidate's field is (``model.KINDS["candidate"]``)."""
    return Indicator(column, model.KINDS["candidate"].labels()[column], unit, direction)


CRITERIA: tuple[Criterion, ...] = (
    Criterion(
        "bassin_emploi",
        "Bassin d'emploi porteur",
        (
            _indicator("controller_hires_5y", "recrutements", 1),
            _indicator("ccd_hires_5y", "recrutements", 1),
            _indicator("hiring_delay_days", "jours", -1),
        ),
    ),
    Criterion(
        "performance",
        "Performances sur les deux activités",
        (
            _indicator("control_productivity", "contrôles par ETP", 1),
            _indicator("financial_impact_eur", "€", 1),
            _indicator("places_financed_2018_2022", "places", 1),
        ),
    ),
    Criterion(
        "situation_generale",
        "Situation générale (appréciation avec la Direction du réseau)",
        (_indicator("general_situation_score", "note sur 5", 1),),
    ),
    Criterion(
        "transports",
        "Moyens de transport couvrant la zone",
        (_indicator("transport_score", "note sur 5", 1),),
    ),
    Criterion(
        "locaux",
        "Locaux disponibles sans travaux",
        (_indicator("premises_ready", YES_NO, 1),),
    ),
)

# The letter's wording of each criterion (section 3, call for applications).
LETTER_WORDING: dict[str, str] = {
    "bassin_emploi": (
        "Un bassin d'emploi porteur (indicateurs : nombre de recrutements contrôleurs / CCD "
        "sur les 5 dernières années et délais ou éléments d'appréciation du marché de "
        "l'emploi local)."
    ),
    "performance": (
        "Une Caf ayant de bonnes performances sur les 2 activités (indicateurs : "
        "productivité du contrôle AS et impact financier, volume de places financées entre "
        "2018 et 2022)."
    ),
    "situation_generale": (
        "Une Caf avec une situation générale permettant une mobilisation sur une mission "
        "mutualisée (appréciation conjointe avec la Direction du Réseau)."
    ),
    "transports": "Une Caf avec des moyens de transports permettant de couvrir la zone régionale.",
    "locaux": (
        "Une Caf ayant des ressources disponibles, en capacité d'accueillir une nouvelle "
        "équipe dans ses locaux sans travaux."
    ),
}

RANK = "Rang"
CAF = "Caf"
POLE = "Pôle candidat"
TOTAL = "Score total (sur 100)"
NOTE = "Observations"


def criterion_labels() -> dict[str, str]:
    """Criterion code -> French label, in the letter's order."""
    return {c.code: c.label for c in CRITERIA}


def contribution_header(criterion: Criterion) -> str:
    return f"Contribution — {criterion.label}"


def default_weights() -> dict[str, float]:
    """Weight 1 for every criterion (the weights of a campaign that saved none)."""
    return {c.code: 1.0 for c in CRITERIA}


def check_weights(weights: Mapping[str, object]) -> dict[str, float]:
    """The weights as floats, in the criteria's order. Raises ValueError (French) unless
    every criterion has a finite number ≥ 0, no other key is given and the sum is > 0."""
    if not isinstance(weights, Mapping):
        raise ValueError("Les pondérations doivent être données critère par critère.")
    labels = criterion_labels()
    unknown = [str(k) for k in weights if k not in labels]
    if unknown:
        raise ValueError(f"Critère inconnu : « {unknown[0]} ».")
    checked: dict[str, float] = {}
    for code, label in labels.items():
        if code not in weights:
            raise ValueError(f"Pondération manquante pour le critère « {label} ».")
        value = weights[code]
        if isinstance(value, bool) or not isinstance(value, Real):
            raise ValueError(f"La pondération du critère « {label} » doit être un nombre.")
        value = float(value)
        if not math.isfinite(value):
            raise ValueError(f"La pondération du critère « {label} » doit être un nombre fini.")
        if value < 0:
            raise ValueError(f"La pondération du critère « {label} » doit être positive ou nulle.")
        checked[code] = value
    if sum(checked.values()) <= 0:
        raise ValueError("Au moins un critère doit avoir une pondération non nulle.")
    return checked


def _points(indicator: Indicator) -> pl.Expr:
    """0–100 points of one indicator, rescaled over the frame's rows."""
    if indicator.is_yes_no:
        value = pl.col(indicator.column).cast(pl.Boolean)
        return pl.when(value).then(100.0).otherwise(0.0)
    value = pl.col(indicator.column).cast(pl.Float64).fill_nan(None)
    low, high = value.min(), value.max()
    gap = (value - low) if indicator.direction > 0 else (high - value)
    return (
        pl.when(value.is_null())
        .then(0.0)
        .when(high == low)
        .then(100.0)
        .otherwise(gap / (high - low) * 100.0)
    )


def _output_schema() -> dict[str, pl.DataType]:
    schema: dict[str, pl.DataType] = {
        "candidate_id": pl.String,
        "caf_code": pl.String,
        "pole_code": pl.String,
        "rank": pl.Int64,
        "total_score": pl.Float64,
    }
    schema |= {f"score_{c.code}": pl.Float64 for c in CRITERIA}
    schema |= {f"contribution_{c.code}": pl.Float64 for c in CRITERIA}
    return schema


def score(candidates: pl.DataFrame, weights: Mapping[str, object]) -> pl.DataFrame:
    """Grain: one row per candidate, best first (rank, then caf_code). Columns:
    candidate_id, caf_code, pole_code, rank, total_score, score_<criterion> (0–100) and
    contribution_<criterion> (points of the total) for each criterion. ``candidates``:
    the candidates of ONE campaign (the rescaling is over them). Raises ValueError
    (French) on invalid weights."""
    checked = check_weights(weights)
    schema = _output_schema()
    if candidates.is_empty():
        return pl.DataFrame(schema=schema)
    total_weight = sum(checked.values())
    scores = [
        pl.mean_horizontal([_points(i) for i in c.indicators]).alias(f"score_{c.code}")
        for c in CRITERIA
    ]
    contributions = [
        (pl.col(f"score_{c.code}") * checked[c.code] / total_weight).alias(f"contribution_{c.code}")
        for c in CRITERIA
    ]
    scored = (
        candidates.with_columns(scores)
        .with_columns(contributions)
        .with_columns(
            pl.sum_horizontal(f"contribution_{c.code}" for c in CRITERIA).alias("total_score")
        )
        .with_columns(
            # Rounded before ranking: equal totals computed by different paths tie.
            pl.col("total_score").round(9).rank("min", descending=True).alias("rank")
        )
    )
    return scored.select([pl.col(name).cast(dtype) for name, dtype in schema.items()]).sort(
        "rank", "caf_code"
    )


def ranking_table(
    scored: pl.DataFrame, caf_names: Mapping[str, str], pole_labels: Mapping[str, str]
) -> pl.DataFrame:
    """The ranking for display and export: Rang, Caf, Pôle candidat, Score total (sur
    100) and one « Contribution — <critère> » per criterion (points, one decimal; typed
    numbers). ``scored``: the frame of ``score``."""
    return scored.select(
        pl.col("rank").cast(pl.Int64).alias(RANK),
        _caf_name(caf_names),
        _pole_label(pole_labels),
        pl.col("total_score").round(1).alias(TOTAL),
        *[
            pl.col(f"contribution_{c.code}").round(1).alias(contribution_header(c))
            for c in CRITERIA
        ],
    )


def indicators_table(
    candidates: pl.DataFrame, caf_names: Mapping[str, str], pole_labels: Mapping[str, str]
) -> pl.DataFrame:
    """The candidates' indicators for display and export, by Caf code: Caf, Pôle
    candidat, one typed column per indicator (French label), Observations."""
    ints = {"recrutements", "places"}
    columns = [
        pl.col(i.column)
        .cast(pl.Boolean if i.is_yes_no else pl.Int64 if i.unit in ints else pl.Float64)
        .alias(i.label)
        for c in CRITERIA
        for i in c.indicators
    ]
    return candidates.sort("caf_code").select(
        _caf_name(caf_names),
        _pole_label(pole_labels),
        *columns,
        (pl.col("note") if "note" in candidates.columns else pl.lit(None, pl.String))
        .fill_null("")
        .alias(NOTE),
    )


def _caf_name(caf_names: Mapping[str, str]) -> pl.Expr:
    return (
        pl.col("caf_code")
        .cast(pl.String)
        .replace_strict(dict(caf_names), default=pl.col("caf_code"), return_dtype=pl.String)
        .alias(CAF)
    )


def _pole_label(pole_labels: Mapping[str, str]) -> pl.Expr:
    return (
        pl.col("pole_code")
        .cast(pl.String)
        .replace_strict(dict(pole_labels), default=pl.col("pole_code"), return_dtype=pl.String)
        .fill_null(UNSET_POLE_LABEL)
        .alias(POLE)
    )
