"""Display tables of the « Orientations et plan de travail » page: annual orientations and
the actions attached to them, the work plan by semester, experiments, the pivot Cafs'
service contracts and their semester reviews.

Pure builders: rows of ``sppe_data.governance.records`` in (typed: dates are dates),
display frames out, with French headers and typed columns (dates stay dates, counts stay
integers, flags stay booleans: the page formats them with ``st.column_config``). Codes
become labels here, through the dictionaries of ``sppe_data.governance.model``; a pôle
left empty is the mission (national level).
"""

from __future__ import annotations

from datetime import date

import polars as pl

from sppe_data.governance import model

HALF_LABELS = {1: "1er semestre", 2: "2e semestre"}
REVIEW_DUE = "Revue semestrielle à prévoir"
REVIEW_UP_TO_DATE = "Revue semestrielle à jour"
CONTRACT_ENDED = "Contrat échu"
CONTRACT_MISSING = "Contrat de service à signer"
REVIEW_EVERY_MONTHS = 6
LATE_LABEL = "dont en retard"


def _pole_label(column: str, pole_labels: dict[str, str]) -> pl.Expr:
    """The pôle's label; the mission's when the code is empty; an unknown code as is."""
    return (
        pl.when(pl.col(column).is_null())
        .then(pl.lit(model.MISSION_LABEL))
        .otherwise(pl.col(column).replace_strict(pole_labels, default=pl.col(column)))
    )


def _label(column: str, labels: dict[str, str]) -> pl.Expr:
    return pl.col(column).replace_strict(labels, default=pl.col(column), return_dtype=pl.String)


def joined_labels(codes: str | None, labels: dict[str, str]) -> str | None:
    """``"a,b"`` -> ``"Label a, Label b"`` (unknown codes kept as is); None when empty."""
    items = [c.strip() for c in (codes or "").split(",") if c.strip()]
    return ", ".join(labels.get(c, c) for c in items) or None


def _joined(column: str, labels: dict[str, str]) -> pl.Expr:
    return pl.col(column).map_elements(
        lambda codes: joined_labels(codes, labels), return_dtype=pl.String, skip_nulls=False
    )


def action_is_late(as_of: date) -> pl.Expr:
    """``model.is_late`` (the one "late action" rule), row by row."""
    return pl.struct("status", "due_on", "closed_on").map_elements(
        lambda r: model.is_late(r["status"], r["due_on"], r["closed_on"], as_of),
        return_dtype=pl.Boolean,
    )


# --- orientations -----------------------------------------------------------------------


def orientations_table(
    orientations: pl.DataFrame, actions: pl.DataFrame, indicator_labels: dict[str, str]
) -> pl.DataFrame:
    """One row per orientation (in the order given: creation): its title, owner, the
    indicators it follows (labels), the number of actions attached to it (all, and still
    open) and its details. ``actions``: action records (orientation_id, status)."""
    counts = (
        actions.filter(pl.col("orientation_id").is_not_null())
        .group_by("orientation_id")
        .agg(
            pl.len().cast(pl.Int64).alias("n"),
            pl.col("status").is_in(list(model.OPEN_ACTION_STATUS)).sum().cast(pl.Int64).alias("o"),
        )
    )
    return orientations.join(counts, on="orientation_id", how="left", maintain_order="left").select(
        pl.col("orientation_id").alias("N°"),
        pl.col("title").alias("Orientation"),
        pl.col("owner").alias("Responsable"),
        _joined("indicator_codes", indicator_labels).alias("Indicateurs suivis"),
        pl.col("n").fill_null(0).alias("Actions rattachées"),
        pl.col("o").fill_null(0).alias("Actions ouvertes"),
        pl.col("details").alias("Précisions"),
    )


def attached_actions_table(
    actions: pl.DataFrame,
    orientations: pl.DataFrame,
    pole_labels: dict[str, str],
    as_of: date,
) -> pl.DataFrame:
    """One row per action attached to one of ``orientations``, grouped by orientation
    (in the orientations' order), then by due date."""
    titles = orientations.select("orientation_id", pl.col("title").alias("orientation_title"))
    order = {oid: n for n, oid in enumerate(orientations["orientation_id"])}
    return (
        actions.join(titles, on="orientation_id", how="inner")
        .with_columns(
            pl.col("orientation_id").replace_strict(order, return_dtype=pl.Int64).alias("_o")
        )
        .sort("_o", "due_on", "action_id")
        .select(
            pl.col("orientation_title").alias("Orientation"),
            pl.col("action_id").alias("N°"),
            pl.col("title").alias("Action"),
            _pole_label("pole_code", pole_labels).alias("Pôle"),
            pl.col("owner").alias("Responsable"),
            pl.col("due_on").alias("Échéance"),
            _label("status", model.ACTION_STATUS).alias("Statut"),
            pl.col("closed_on").alias("Date de clôture"),
            action_is_late(as_of).alias("En retard"),
        )
    )


# --- work plan --------------------------------------------------------------------------


def milestones_table(milestones: pl.DataFrame, pole_labels: dict[str, str]) -> pl.DataFrame:
    """One row per milestone, by due date, the mission's then the pôles' (in the order of
    ``pole_labels``) of a same day.
    ``milestones``: rows of ``governance.milestones`` (with ``is_late``, the data layer's
    rule at its date)."""
    order = {code: n for n, code in enumerate(pole_labels)}
    rank = pl.col("pole_code").replace_strict(order, default=len(order), return_dtype=pl.Int64)
    return milestones.sort(
        "due_on", pl.col("pole_code").is_not_null(), rank, "milestone_id"
    ).select(
        pl.col("milestone_id").alias("N°"),
        pl.col("title").alias("Jalon"),
        _pole_label("pole_code", pole_labels).alias("Pôle"),
        pl.col("due_on").alias("Échéance"),
        _label("status", model.MILESTONE_STATUS).alias("Statut"),
        pl.col("is_late").alias("En retard"),
        pl.col("owner").alias("Responsable"),
        pl.col("evidence").alias("Justificatif"),
    )


def milestones_by_half(
    milestones: pl.DataFrame, pole_labels: dict[str, str]
) -> list[tuple[str, pl.DataFrame]]:
    """(label, table) of the first then the second semester (both, even when empty)."""
    return [
        (label, milestones_table(milestones.filter(pl.col("half") == half), pole_labels))
        for half, label in HALF_LABELS.items()
    ]


def milestones_of_pole(milestones: pl.DataFrame, pole_code: str) -> pl.DataFrame:
    """The milestones of a pôle and those of the mission (national), which concern every
    pôle."""
    return milestones.filter(pl.col("pole_code").is_null() | (pl.col("pole_code") == pole_code))


def milestone_counts(milestones: pl.DataFrame) -> pl.DataFrame:
    """Milestones by status (every status, in the model's order) and semester, then a
    row of the late ones (``is_late``). Columns: Statut, 1er semestre, 2e semestre, Total
    (integers)."""
    late = milestones.filter(pl.col("is_late"))
    rows = []
    for label, subset in [
        *((lab, milestones.filter(pl.col("status") == code)) for code, lab in
          model.MILESTONE_STATUS.items()),
        (LATE_LABEL, late),
    ]:  # fmt: skip
        halves = [subset.filter(pl.col("half") == h).height for h in HALF_LABELS]
        rows.append((label, *halves, subset.height))
    return pl.DataFrame(
        rows,
        schema={"Statut": pl.String, **{v: pl.Int64 for v in HALF_LABELS.values()},
                "Total": pl.Int64},
        orient="row",
    )  # fmt: skip


# --- experiments ------------------------------------------------------------------------


def experiments_table(experiments: pl.DataFrame, pole_labels: dict[str, str]) -> pl.DataFrame:
    """One row per experiment, the most recent start first (not started last)."""
    return experiments.sort("started_on", "experiment_id", descending=True, nulls_last=True).select(
        pl.col("experiment_id").alias("N°"),
        pl.col("title").alias("Thème d'expérimentation"),
        _pole_label("lead_pole_code", pole_labels).alias("Pôle pilote"),
        _joined("pole_codes", pole_labels).alias("Pôles associés"),
        pl.col("started_on").alias("Début"),
        pl.col("ended_on").alias("Fin"),
        _label("status", model.EXPERIMENT_STATUS).alias("Statut"),
        pl.col("owner").alias("Responsable"),
        pl.col("learnings").alias("Enseignements"),
    )


def experiments_of_pole(experiments: pl.DataFrame, pole_code: str) -> pl.DataFrame:
    """The experiments a pôle leads or takes part in."""
    taking_part = pl.col("pole_codes").fill_null("").str.split(",").list.contains(pl.lit(pole_code))
    return experiments.filter((pl.col("lead_pole_code") == pole_code) | taking_part)


# --- service contracts ------------------------------------------------------------------


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier (the month's last day when it is
    shorter: 31/08 -> 28/02 or 29/02)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def contract_follow_up(last_review: date | None, ends_on: date | None, as_of: date) -> str:
    """A contract in force is due a semester review when its last one is more than six
    months old at ``as_of``, or when it has none yet."""
    if ends_on is not None and ends_on < as_of:
        return CONTRACT_ENDED
    if last_review is None or last_review < months_before(as_of, REVIEW_EVERY_MONTHS):
        return REVIEW_DUE
    return REVIEW_UP_TO_DATE


def contracts_in_order(contracts: pl.DataFrame, pole_labels: dict[str, str]) -> pl.DataFrame:
    """Contracts by pôle (the order of ``pole_labels``), Caf, then signature, the latest
    first (a row without signature last)."""
    order = {code: n for n, code in enumerate(pole_labels)}
    rank = pl.col("pole_code").replace_strict(order, default=len(order), return_dtype=pl.Int64)
    return contracts.sort(
        rank, "caf_code", pl.col("signed_on").is_null(), "signed_on",
        descending=[False, False, False, True],
    )  # fmt: skip


def contracts_table(
    contracts: pl.DataFrame,
    reviews: pl.DataFrame,
    pivot_cafs: pl.DataFrame,
    caf_labels: dict[str, str],
    pole_labels: dict[str, str],
    as_of: date,
) -> pl.DataFrame:
    """One row per contract, ordered by pôle then Caf then signature (latest first), then
    one row per pivot Caf of the reference with no contract (``Suivi``: to be signed).
    ``pivot_cafs``: pole_code, caf_code."""
    last = reviews.group_by("contract_id").agg(
        pl.len().cast(pl.Int64).alias("reviews_count"),
        pl.col("reviewed_on").max().alias("last_review_on"),
    )
    rows = contracts.join(last, on="contract_id", how="left").with_columns(
        pl.col("reviews_count").fill_null(0)
    )
    follow = [
        contract_follow_up(r["last_review_on"], r["ends_on"], as_of)
        for r in rows.iter_rows(named=True)
    ]
    rows = rows.with_columns(pl.Series("follow_up_label", follow, dtype=pl.String))
    missing = pivot_cafs.filter(~pl.col("caf_code").is_in(contracts["caf_code"].implode()))
    missing = missing.select(
        pl.lit(None, pl.String).alias("contract_id"),
        "caf_code",
        "pole_code",
        pl.lit(None, pl.Date).alias("signed_on"),
        pl.lit(None, pl.Date).alias("starts_on"),
        pl.lit(None, pl.Date).alias("ends_on"),
        pl.lit(None, pl.String).alias("objectives"),
        pl.lit(0, pl.Int64).alias("reviews_count"),
        pl.lit(None, pl.Date).alias("last_review_on"),
        pl.lit(CONTRACT_MISSING).alias("follow_up_label"),
    )
    both = pl.concat([rows.select(missing.columns), missing], how="vertical_relaxed")
    return contracts_in_order(both, pole_labels).select(
        pl.col("contract_id").alias("N°"),
        pl.col("caf_code").replace_strict(caf_labels, default=pl.col("caf_code"))
        .alias("Caf pivot"),
        _pole_label("pole_code", pole_labels).alias("Pôle"),
        pl.col("signed_on").alias("Signé le"),
        pl.col("starts_on").alias("Début"),
        pl.col("ends_on").alias("Fin"),
        pl.col("last_review_on").alias("Dernière revue"),
        pl.col("reviews_count").alias("Revues semestrielles"),
        pl.col("follow_up_label").alias("Suivi"),
        pl.col("objectives").alias("Objet et engagements"),
    )  # fmt: skip


def reviews_table(reviews: pl.DataFrame) -> pl.DataFrame:
    """The semester reviews of one contract, the latest first."""
    return reviews.sort("reviewed_on", "review_id", descending=True).select(
        pl.col("review_id").alias("N°"),
        pl.col("reviewed_on").alias("Date de la revue"),
        pl.col("points_raised").alias("Points soulevés"),
        pl.col("follow_up").alias("Suites données"),
    )
