"""Display tables of the steering pages: French headers and labels, typed columns.

Pure functions: query rows in, DataFrame out. Numbers, amounts (euros), shares (0.12
for 12 %) and dates stay typed: the page formats them in French (``ui.steering``
column configurations), the downloads keep them as numbers and dates. (The staffing
tables and the saisine delays still hold French text.)
"""

from __future__ import annotations

import polars as pl

from sppe_data import fmt
from sppe_data.reference import DOMAIN_LABELS, EQUIPMENT_LABELS, ROUTING_LABELS, STATUS_LABELS
from sppe_data.steering import NOT_GIVEN, label, rules


def _frame(rows: list[dict], columns: list[str]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={c: pl.String for c in columns}, orient="row")


def _days(value: float | None) -> str:
    return "–" if value is None else f"{fmt.number(value, 1)} j"


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
    labels = rules()["labels"]
    return requests.select(
        pl.col("request_id").alias("Saisine"),
        pl.col("received_on").alias("Reçue le"),
        pl.col("age_days").cast(pl.Int64).alias("Ancienneté"),
        _labels("status", labels["request_statuses"]).alias("Statut"),
        _labels("priority", labels["priorities"]).alias("Priorité"),
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


def staff_by_pole(staff: pl.DataFrame, people_min: int, people_max: int) -> pl.DataFrame:
    columns = [
        "Pôle", "Postes", "Personnes en poste", "ETP prévus (postes)", "ETP en poste",
        "ETP vacants", "ETP à venir", "Effectif conforme (7 à 9)", "Activités réalisées",
        "Activités par ETP",
    ]  # fmt: skip
    columns[7] = f"Effectif conforme ({people_min} à {people_max})"
    return _frame(
        [
            {
                "Pôle": r["pole_short_label"],
                "Postes": fmt.number(r["positions_count"]),
                "Personnes en poste": fmt.number(r["people_in_post_count"]),
                "ETP prévus (postes)": fmt.smart(r["fte_positions"]),
                "ETP en poste": fmt.smart(r["fte_in_post"]),
                "ETP vacants": fmt.smart(r["fte_vacant"]),
                "ETP à venir": fmt.smart(r["fte_to_come"]),
                columns[7]: "Oui" if people_min <= r["positions_count"] <= people_max else "Non",
                "Activités réalisées": fmt.number(r["done_count"]),
                "Activités par ETP": fmt.number(r["done_per_fte"], 1),
            }
            for r in staff.iter_rows(named=True)
        ],
        columns,
    )


def staff_positions(positions: pl.DataFrame) -> pl.DataFrame:
    states = {"in_post": "En poste", "to_come": "Arrivée prévue", "vacant": "Vacant"}
    return _frame(
        [
            {
                "Pôle": r["pole_short_label"],
                "Métier": label("jobs", r["job"]),
                "Ligne de financement": label("funding_lines", r["funding_line"]),
                "ETP": fmt.smart(r["fte"]),
                "Prise de poste": fmt.day(r["start_on"]),
                "Situation": states[r["state"]],
            }
            for r in positions.iter_rows(named=True)
        ],
        ["Pôle", "Métier", "Ligne de financement", "ETP", "Prise de poste", "Situation"],
    )


def staffing_plan_check(positions: pl.DataFrame, plan: dict) -> pl.DataFrame:
    """Positions against the letter's plan, per funding line and in total."""
    by_line = dict(positions.group_by("funding_line").agg(pl.col("fte").sum()).iter_rows())
    in_post = dict(
        positions.filter(pl.col("state") == "in_post")
        .group_by("funding_line")
        .agg(pl.col("fte").sum())
        .iter_rows()
    )
    rows = []
    for line, planned in plan["funding_lines"].items():
        rows.append(
            {
                "Ligne de financement": label("funding_lines", line),
                "ETP du plan": fmt.smart(planned),
                "ETP prévus (postes)": fmt.smart(by_line.get(line, 0.0)),
                "ETP en poste": fmt.smart(in_post.get(line, 0.0)),
                "Écart au plan (postes)": fmt.smart(by_line.get(line, 0.0) - planned),
            }
        )
    total_positions = float(positions["fte"].sum() or 0.0)
    rows.append(
        {
            "Ligne de financement": "Total",
            "ETP du plan": fmt.smart(plan["total_fte"]),
            "ETP prévus (postes)": fmt.smart(total_positions),
            "ETP en poste": fmt.smart(sum(in_post.values())),
            "Écart au plan (postes)": fmt.smart(total_positions - plan["total_fte"]),
        }
    )
    return _frame(
        rows,
        ["Ligne de financement", "ETP du plan", "ETP prévus (postes)", "ETP en poste",
         "Écart au plan (postes)"],
    )  # fmt: skip


def request_delays(delays: pl.DataFrame, first_column: str) -> pl.DataFrame:
    columns = [
        first_column, "Reçues", "Non prises en charge", "En cours", "Traitées", "Refusées",
        "Circuit non conforme", "Priorité haute", "Délai de prise en charge (médiane)",
        "Délai de prise en charge (90e centile)", "Délai de clôture (médiane)",
        "Délai de clôture (90e centile)",
    ]  # fmt: skip
    return _frame(
        [
            {
                first_column: r["label"] or r["key"],
                "Reçues": fmt.number(r["received_count"]),
                "Non prises en charge": fmt.number(r["not_taken_up_count"]),
                "En cours": fmt.number(r["in_progress_count"]),
                "Traitées": fmt.number(r["done_count"]),
                "Refusées": fmt.number(r["refused_count"]),
                "Circuit non conforme": fmt.number(r["misrouted_count"]),
                "Priorité haute": fmt.number(r["high_priority_count"]),
                "Délai de prise en charge (médiane)": _days(r["take_up_median_days"]),
                "Délai de prise en charge (90e centile)": _days(r["take_up_p90_days"]),
                "Délai de clôture (médiane)": _days(r["close_median_days"]),
                "Délai de clôture (90e centile)": _days(r["close_p90_days"]),
            }
            for r in delays.iter_rows(named=True)
        ],
        columns,
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


def fte_by_pole_and_job(positions: pl.DataFrame) -> pl.DataFrame:
    """FTE of the positions by pôle (rows) and job (columns), as ``in post / positions``."""
    jobs = sorted(set(positions["job"].drop_nulls().to_list()))
    rows = []
    for _, group in positions.sort("pole_sort").group_by("pole_short_label", maintain_order=True):
        row = {"Pôle": group["pole_short_label"][0]}
        for job in jobs:
            mine = group.filter(pl.col("job") == job)
            in_post = mine.filter(pl.col("state") == "in_post")["fte"].sum()
            row[label("jobs", job)] = f"{fmt.smart(in_post)} / {fmt.smart(mine['fte'].sum())}"
        rows.append(row)
    return _frame(rows, ["Pôle", *(label("jobs", j) for j in jobs)])
