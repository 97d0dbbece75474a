"""Display tables of the steering pages: French headers and labels, typed columns.

Pure functions: query rows in, DataFrame out. Numbers, amounts (euros), shares (0.12
for 12 %) and dates stay typed: the page formats them in French (``ui.steering``
column configurations), the downloads keep them as numbers and dates.
"""

from __future__ import annotations

import polars as pl

from sppe_data import fmt
from sppe_data.entries import PRIORITY_LABELS, REQUEST_STATUS_LABELS
from sppe_data.reference import DOMAIN_LABELS, EQUIPMENT_LABELS, ROUTING_LABELS, STATUS_LABELS
from sppe_data.steering import NOT_GIVEN, rules


def _frame(rows: list[dict], columns: list[str]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={c: pl.String for c in columns}, orient="row")


def breakdown_pivot(breakdown: pl.DataFrame, dimension_label: str) -> pl.DataFrame:
    """Activity kinds in rows, dimension values in columns, done counts in cells
    (integers; the table behind the explorer's bars), with a total column."""
    columns = ["Type d'activité", "Domaine"]
    order = breakdown.unique("dim_key").sort("dim_key")
    values = order["dim_label"].to_list()
    rows = []
    for _, group in breakdown.sort("kind_sort").group_by("activity_kind", maintain_order=True):
        first = group.row(0, named=True)
        counts = dict(zip(group["dim_label"], group["done_count"], strict=True))
        row = {
            "Type d'activité": first["activity_label"],
            "Domaine": DOMAIN_LABELS[first["domain"]],
        }
        for v in values:
            row[v] = int(counts.get(v, 0))
        row["Total"] = int(sum(counts.values()))
        rows.append(row)
    if not rows:
        return _frame([], [dimension_label])
    schema = {c: pl.String for c in columns} | {c: pl.Int64 for c in [*values, "Total"]}
    return pl.DataFrame(rows, schema=schema, orient="row")


def activity_detail(activities: pl.DataFrame) -> pl.DataFrame:
    """The drill-down list of activities: typed date, days and euros (formats:
    ``ui.steering.column_formats``), one row per activity."""
    return activities.select(
        pl.col("activity_id").alias("Identifiant"),
        pl.col("activity_on").alias("Date"),
        pl.col("activity_label").alias("Type d'activité"),
        pl.col("pole_short_label").alias("Pôle"),
        pl.col("caf_name").fill_null(NOT_GIVEN).alias("Caf"),
        _labels("equipment_kind", EQUIPMENT_LABELS).alias("Type d'équipement"),
        pl.col("days_spent").cast(pl.Float64).alias("Jours passés"),
        pl.col("has_findings")
        .replace_strict({True: "Oui", False: "Non"}, default="–", return_dtype=pl.String)
        .alias("Constats"),
        pl.col("undue_amount_eur").cast(pl.Float64).alias("Indus détectés"),
        pl.col("recovered_amount_eur").cast(pl.Float64).alias("Indus recouvrés"),
        pl.col("travel_fee_eur").cast(pl.Float64).alias("Frais de déplacement"),
        pl.col("comment").fill_null("").alias("Commentaire"),
    )


def monthly_by_pole_detail(monthly: pl.DataFrame) -> pl.DataFrame:
    """The table behind the small multiples: months (first day) in rows, pôles in
    columns, done counts (integers)."""
    poles = monthly.unique("pole_code").sort("pole_sort")["pole_short_label"].to_list()
    wide = (
        monthly.sort("month_start", "pole_sort")
        .select(
            pl.col("month_start").alias("Mois"),
            "pole_short_label",
            pl.col("done_count").cast(pl.Int64),
        )
        .pivot("pole_short_label", index="Mois", values="done_count", aggregate_function="sum")
    )
    return wide.select("Mois", *poles) if wide.height else _typed([], {"Mois": pl.Date})


def yoy_detail(current: pl.DataFrame, previous: pl.DataFrame, year: int) -> pl.DataFrame:
    """Cumulative realised per month of ``year`` and of the year before (integers;
    « Mois » is the month's French name, the rows in calendar order)."""
    prev = dict(
        zip([d.month for d in previous["month_start"]], previous["cumulative_realised_count"],
            strict=True)
    )  # fmt: skip
    return _typed(
        [
            {
                "Mois": fmt.MONTHS[r["month_start"].month - 1],
                f"Réalisé cumulé {year}": r["cumulative_realised_count"],
                f"Réalisé cumulé {year - 1}": prev.get(r["month_start"].month),
            }
            for r in current.iter_rows(named=True)
        ],
        {"Mois": pl.String, f"Réalisé cumulé {year}": pl.Int64,
         f"Réalisé cumulé {year - 1}": pl.Int64},
    )  # fmt: skip


def _typed(rows: list[dict], schema: dict) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=schema, orient="row")


def ops_activity(ops: pl.DataFrame) -> pl.DataFrame:
    """Operational committee: per activity kind, done this month and planned next."""
    by_kind = (
        ops.group_by("activity_kind", "activity_label", "kind_sort")
        .agg(
            pl.col("done_count").sum(),
            pl.col("days_spent").sum(),
            pl.col("planned_next_count").sum(),
        )
        .sort("kind_sort")
    )
    return by_kind.select(
        pl.col("activity_label").alias("Type d'activité"),
        pl.col("done_count").cast(pl.Int64).alias("Réalisées dans le mois"),
        pl.col("days_spent").cast(pl.Float64).alias("Jours passés"),
        pl.col("planned_next_count").cast(pl.Int64).alias("Prévues le mois suivant"),
    )


def _labels(column: str, labels: dict[str, str]) -> pl.Expr:
    """French labels of a code column (the code itself when unknown, 'Non renseigné'
    when missing), without a Python loop over the rows."""
    return pl.col(column).cast(pl.String).replace(labels).fill_null(NOT_GIVEN)


def _yes_no(column: str) -> pl.Expr:
    return pl.when(pl.col(column)).then(pl.lit("Oui")).otherwise(pl.lit("Non"))


def late_items(late: pl.DataFrame) -> pl.DataFrame:
    """Late activities: typed date and days (formats: ``ui.steering.column_formats``)."""
    return late.select(
        pl.col("activity_id").alias("Identifiant"),
        pl.col("activity_on").alias("Date prévue"),
        pl.col("days_late").cast(pl.Int64).alias("Jours de retard"),
        pl.col("activity_label").alias("Type d'activité"),
        pl.col("pole_short_label").alias("Pôle"),
        pl.col("caf_name").fill_null(NOT_GIVEN).alias("Caf"),
        _labels("status", STATUS_LABELS).alias("Statut"),
    )


def open_requests(requests: pl.DataFrame) -> pl.DataFrame:
    """Saisines waiting: typed date and age in days (formats:
    ``ui.steering.OPEN_REQUESTS_COLUMNS``)."""
    return requests.select(
        pl.col("request_id").alias("Saisine"),
        pl.col("received_on").alias("Reçue le"),
        pl.col("age_days").cast(pl.Int64).alias("Ancienneté"),
        _labels("status", REQUEST_STATUS_LABELS).alias("Statut"),
        _labels("priority", PRIORITY_LABELS).alias("Priorité"),
        pl.col("caf_name").fill_null(NOT_GIVEN).alias("Caf demandeuse"),
        pl.col("pole_short_label").alias("Pôle"),
        pl.col("request_label").alias("Objet"),
        _labels("routing", ROUTING_LABELS).alias("Circuit"),
        _yes_no("is_routing_ok").alias("Circuit conforme"),
    )


def control_outcomes(outcomes: pl.DataFrame, first_column: str) -> pl.DataFrame:
    """Controls, findings, undue amounts (euros) and shares (0.12 for 12 %) per row of
    ``outcomes`` (an equipment kind or a pôle)."""
    return outcomes.select(
        pl.col("label").alias(first_column),
        pl.col("controls_count").cast(pl.Int64).alias("Contrôles réalisés"),
        pl.col("with_outcome_count").cast(pl.Int64).alias("Résultat saisi"),
        pl.col("findings_count").cast(pl.Int64).alias("Avec constats"),
        pl.col("findings_share").cast(pl.Float64).round(3).alias("Part avec constats"),
        pl.col("undue_amount_eur").cast(pl.Float64).alias("Indus détectés"),
        pl.col("recovered_amount_eur").cast(pl.Float64).alias("Indus recouvrés"),
        pl.col("recovery_share").cast(pl.Float64).round(3).alias("Taux de recouvrement"),
    )


def partners(partner_rows: pl.DataFrame) -> pl.DataFrame:
    """Partners: typed counts, amounts and date of the last control (formats:
    ``ui.steering.column_formats``); a partner never controlled has no date and
    « Jamais contrôlé » in the column of the findings of its last control."""
    labels = rules()["labels"]
    never = pl.col("last_control_on").is_null()
    return partner_rows.select(
        pl.col("partner_name").alias("Partenaire"),
        _labels("partner_type", labels["partner_types"]).alias("Type"),
        pl.col("head_office_dep_code").fill_null(NOT_GIVEN).alias("Siège (département)"),
        pl.col("caf_count").cast(pl.Int64).alias("Caf couvertes"),
        pl.col("facilities_count").cast(pl.Int64).alias("Établissements"),
        _labels("risk_level", labels["risk_levels"]).alias("Niveau de risque"),
        pl.col("controls_count").cast(pl.Int64).alias("Contrôles réalisés"),
        pl.col("findings_count").cast(pl.Int64).alias("Avec constats"),
        pl.col("undue_amount_eur").cast(pl.Float64).alias("Indus détectés"),
        pl.col("last_control_on").alias("Dernier contrôle"),
        pl.when(never)
        .then(pl.lit("Jamais contrôlé"))
        .otherwise(_yes_no("last_control_has_findings"))
        .alias("Constats au dernier contrôle"),
        _yes_no("is_on_watch_list").alias("Sous surveillance"),
    )


def request_delays(delays: pl.DataFrame, first_column: str) -> pl.DataFrame:
    """Rows of ``request_delays`` with French headers: counts (integers) by status at the
    date of the figures, delays in days (decimals, null where no saisine ended so)."""
    return delays.select(
        pl.coalesce("label", "key").alias(first_column),
        pl.col("received_count").alias("Reçues"),
        pl.col("not_taken_up_count").alias("Non prises en charge"),
        pl.col("in_progress_count").alias("En cours"),
        pl.col("done_count").alias("Traitées"),
        pl.col("refused_count").alias("Refusées"),
        pl.col("cancelled_count").alias("Annulées"),
        pl.col("redirected_count").alias("Réorientées"),
        pl.col("misrouted_count").alias("Circuit non conforme"),
        pl.col("high_priority_count").alias("Priorité haute"),
        pl.col("take_up_median_days").alias("Délai de prise en charge (médiane)"),
        pl.col("take_up_p90_days").alias("Délai de prise en charge (90e centile)"),
        pl.col("close_median_days").alias("Délai de clôture (médiane)"),
        pl.col("close_p90_days").alias("Délai de clôture (90e centile)"),
    )


def band_labels(bands: list[int]) -> list[str]:
    """``[15, 30, 60]`` -> ``0 à 15 j``, ``16 à 30 j``, ``31 à 60 j``, ``plus de 60 j``."""
    out, low = [], 0
    for high in bands:
        out.append(f"{low} à {high} j")
        low = high + 1
    out.append(f"plus de {bands[-1]} j")
    return out


def backlog_by_age(open_rows: pl.DataFrame, bands: list[int]) -> pl.DataFrame:
    """Open saisines counted by age band and pôle. Columns: Ancienneté, then one per
    pôle present, then Total (counts as integers, for the chart and the table).
    ``open_rows``: one row per saisine (requests_open) or per (age, pôle) with a
    ``requests_count`` (requests_open_ages)."""
    names = band_labels(bands)
    band = pl.lit(names[-1])
    for high, name in reversed(list(zip(bands, names, strict=False))):
        band = pl.when(pl.col("age_days") <= high).then(pl.lit(name)).otherwise(band)
    weight = pl.col("requests_count") if "requests_count" in open_rows.columns else pl.lit(1)
    counts = (
        open_rows.select(band.alias("band"), "pole_short_label", weight.alias("n"))
        .group_by("band", "pole_short_label")
        .agg(pl.col("n").sum())
    )
    poles = sorted(counts["pole_short_label"].drop_nulls().unique().to_list())
    out: dict[str, list] = {"Ancienneté": names}
    for p in poles:
        by_band = dict(counts.filter(pl.col("pole_short_label") == p).select("band", "n").rows())
        out[p] = [int(by_band.get(n, 0)) for n in names]
    totals = dict(counts.group_by("band").agg(pl.col("n").sum()).rows())
    out["Total"] = [int(totals.get(n, 0)) for n in names]
    return pl.DataFrame(
        out, schema={k: (pl.String if k == "Ancienneté" else pl.Int64) for k in out}
    )


def travel_fees_by_caf(fees: pl.DataFrame) -> pl.DataFrame:
    """Totals to bill per Caf over the period."""
    by_caf = (
        fees.group_by("caf_code", "caf_name", "pole_short_label")
        .agg(pl.col("interventions_count").sum(), pl.col("travel_fee_eur").sum())
        .sort("travel_fee_eur", "caf_code", descending=[True, False])
    )
    return by_caf.select(
        pl.col("caf_name").fill_null(pl.col("caf_code")).alias("Caf"),
        pl.col("pole_short_label").alias("Pôle"),
        pl.col("interventions_count").cast(pl.Int64).alias("Interventions départementales"),
        pl.col("travel_fee_eur").cast(pl.Float64).alias("Participation aux frais à facturer"),
    )


def travel_fees_by_month(fees: pl.DataFrame) -> pl.DataFrame:
    by_month = (
        fees.group_by("month_start")
        .agg(pl.col("interventions_count").sum(), pl.col("travel_fee_eur").sum())
        .sort("month_start")
    )
    return by_month.select(
        pl.col("month_start").alias("Mois"),
        pl.col("interventions_count").cast(pl.Int64).alias("Interventions départementales"),
        pl.col("travel_fee_eur").cast(pl.Float64).alias("Participation aux frais à facturer"),
    )
