"""Read functions of the steering pages (indicator explorer, committees, controls,
resources, saisines): plain functions, parameters in, polars out, each running one named
query through ``run_sql`` (with "today" from ``sppe_data.clock`` when the query takes
it). Nothing is cached here: the pages read them through ``ui.cache``, like those of
``sppe_data.api``.

Periods are passed as inclusive date bounds; helpers below turn a year, a semester or a
month into bounds. Rules that are figures (staffing plan, control kinds, late
threshold, watch-list) come from ``reference/steering.toml``.
"""

from __future__ import annotations

import tomllib
from datetime import date
from functools import lru_cache

import polars as pl

from sppe_data import clock, fmt, reference
from sppe_data.db import run_sql
from sppe_data.entries import PRIORITY_LABELS
from sppe_data.period import Period
from sppe_data.reference import EQUIPMENT_LABELS
from sppe_data.settings import REFERENCE_DIR

DIMENSIONS = {
    "pole": "Pôle",
    "caf": "Caf",
    "departement": "Département",
    "month": "Mois",
    "semester": "Semestre",
    "equipment": "Type d'équipement",
}
NOT_GIVEN = "Non renseigné"
DRILL_ROW_LIMIT = 2000
#: Rows of a long list shown on a page (the first ones in the list's order); the page
#: says the total and the full list stays downloadable.
TOP_ROWS = 200


@lru_cache(maxsize=1)
def rules() -> dict:
    """The parsed ``reference/steering.toml`` (read-only: never mutate it)."""
    with (REFERENCE_DIR / "steering.toml").open("rb") as fh:
        return tomllib.load(fh)


def label(group: str, code: str | None) -> str:
    """French label of a code of ``[labels.<group>]`` in steering.toml (the code itself
    when unknown, 'Non renseigné' when missing)."""
    if code is None:
        return NOT_GIVEN
    return rules()["labels"][group].get(code, code)


def control_kinds() -> list[str]:
    """The activity kinds that are controls (``is_control`` of the kinds reference), in
    the reference's order."""
    controls = reference.kinds_with("is_control")
    kinds = reference.activity_kinds().sort("sort_order")["activity_kind"].to_list()
    return [k for k in kinds if k in controls]


# -- periods -----------------------------------------------------------------------


def year_period(year: int) -> Period:
    return Period("year", year, 1)


def semester_period(year: int, half: int) -> Period:
    return Period("semester", year, half)


def month_period(month_start: date) -> Period:
    return Period("month", month_start.year, month_start.month)


def current_semester(today: date) -> tuple[int, int]:
    semester = Period.containing("semester", today)
    return semester.year, semester.number


# -- query runner ------------------------------------------------------------------


_WITHOUT_TODAY = {
    "requests_open", "requests_open_ages", "ops_late_items", "staffing_pole_job",
    "staffing_done_by_pole",
}  # fmt: skip


def _needs_today(name: str) -> bool:
    return name not in _WITHOUT_TODAY


def query(name: str, **params: object) -> pl.DataFrame:
    """Runs ``queries/<name>.sql`` with ``params``, and ``today`` bound unless the query
    takes an explicit date."""
    if _needs_today(name):
        params = {"today": clock.today(), **params}
    return run_sql(name, **params)


def bench_calls(name: str, today: date, **params: object) -> tuple[str, dict]:
    """The (query, params) pair that ``query`` would run, for the benchmark."""
    return name, ({"today": today, **params} if _needs_today(name) else dict(params))


# -- indicator explorer ------------------------------------------------------------


def _dim_label(dimension: str, key: str, raw_label: str | None) -> str:
    if dimension == "month":
        return fmt.month(date.fromisoformat(f"{key}-01"))
    if dimension == "semester":
        year, half = key.split("-S")
        return f"S{half} {year}"
    if dimension == "equipment":
        return EQUIPMENT_LABELS.get(key, NOT_GIVEN)
    return raw_label or key


def activity_breakdown(period: Period, pole_code: str, dimension: str) -> pl.DataFrame:
    """Grain: activity kind x dimension value (done activities of the period). Columns:
    domain, activity_kind, activity_label, kind_sort, dim_key, dim_label, done_count."""
    df = query(
        "activity_breakdown",
        date_from=period.start,
        date_to=period.end,
        pole_code=pole_code,
        dimension=dimension,
    )
    labels = [
        _dim_label(dimension, k, lab) for k, lab in zip(df["dim_key"], df["dim_label"], strict=True)
    ]
    return df.with_columns(pl.Series("dim_label", labels, dtype=pl.String))


def activity_list(
    period: Period, pole_code: str, activity_kind: str, dimension: str, dim_key: str
) -> pl.DataFrame:
    """Grain: one done activity (at most DRILL_ROW_LIMIT rows, most recent first).
    Columns: activity_id, activity_on, domain, activity_label, pole_short_label, caf_name,
    dep_code, equipment_kind, status, days_spent, has_findings, undue_amount_eur,
    recovered_amount_eur, travel_fee_eur, comment (queries/activity_list.sql)."""
    return query(
        "activity_list",
        date_from=period.start,
        date_to=period.end,
        pole_code=pole_code,
        activity_kind=activity_kind,
        dimension=dimension,
        dim_key=dim_key,
        row_limit=DRILL_ROW_LIMIT,
    )


# -- committees --------------------------------------------------------------------


def copil_semester(year: int, half: int) -> pl.DataFrame:
    """Grain: (pôle or 'all' for the mission) x targeted indicator, semester ``half`` of
    ``year`` as of today. Columns: pole_code, pole_label, pole_short_label, pole_sort,
    indicator_code, indicator_label, short_label, indicator_sort, semester_from,
    semester_to, as_of, semester_realised_count, previous_realised_count, change_count,
    year_realised_count, target_count, expected_count, gap_count, achieved_share,
    pace_ratio, pace_status, forecast_count (queries/copil_semester.sql)."""
    return query("copil_semester", **copil_semester_params(year, half))


def copil_semester_params(year: int, half: int) -> dict:
    """The parameters of queries/copil_semester.sql: the target year and the bounds of
    the semester and of the one before, from ``Period`` (the one calendar)."""
    semester = Period("semester", year, half)
    previous = semester.previous()
    return dict(
        year=year,
        semester_from=semester.start,
        semester_to=semester.end,
        previous_from=previous.start,
        previous_to=previous.end,
    )


def ops_month_activity(month_start: date, domain: str, pole_code: str) -> pl.DataFrame:
    """Grain: activity kind of the domain x pôle (every pair, zeros included). Columns:
    activity_kind, activity_label, kind_sort, pole_code, pole_short_label, pole_sort,
    done_count, days_spent, planned_next_count (queries/ops_month_activity.sql)."""
    return query("ops_month_activity", month_start=month_start, domain=domain, pole_code=pole_code)


def month_as_of(month_start: date) -> date:
    """The end of the month, or today when the month is not over."""
    return min(month_period(month_start).end, clock.today())


def ops_late_items(
    month_start: date, domain: str, pole_code: str, row_limit: int | None = None
) -> pl.DataFrame:
    """Grain: one late activity at the end of the month (or today), oldest (most late)
    first; the first ``row_limit`` only (all when None). Columns: activity_id,
    activity_on, days_late, activity_label, pole_short_label, caf_name, status,
    total_count (late activities in all, whatever ``row_limit``; queries/ops_late_items.sql)."""
    return query(
        "ops_late_items",
        as_of=month_as_of(month_start),
        domain=domain,
        pole_code=pole_code,
        late_after_days=int(rules()["operations"]["late_after_days"]),
        row_limit=row_limit,
    )


def total_count(frame: pl.DataFrame, column: str = "total_count") -> int:
    """The count of the whole list a (possibly cut) frame comes from: its ``column``
    (the same on every row), 0 when the list is empty."""
    return int(frame[column][0]) if frame.height else 0


def requests_open(
    as_of: date, pole_code: str, domain: str = "all", row_limit: int | None = None
) -> pl.DataFrame:
    """Grain: one saisine waiting at ``as_of``, oldest first; the first ``row_limit``
    only (all when None). Columns: request_id, received_on, age_days, status, priority,
    caf_name, pole_short_label, request_label, domain, routing, expected_routing,
    is_routing_ok, total_count (waiting in all, whatever ``row_limit``;
    queries/requests_open.sql)."""
    return query(
        "requests_open", as_of=as_of, pole_code=pole_code, domain=domain, row_limit=row_limit
    )


def requests_open_ages(as_of: date, pole_code: str, domain: str = "all") -> pl.DataFrame:
    """Grain: (age in days, pôle) of the saisines waiting at ``as_of``. Columns:
    age_days, pole_short_label, requests_count (queries/requests_open_ages.sql)."""
    return query("requests_open_ages", as_of=as_of, pole_code=pole_code, domain=domain)


# -- controls ----------------------------------------------------------------------


def control_outcomes(period: Period, pole_code: str) -> pl.DataFrame:
    """Grain: (breakdown, key), breakdown 'all', 'equipment' or 'pole'. Columns:
    breakdown, key, label (French equipment labels), sort_key, controls_count,
    with_outcome_count, findings_count, findings_share, undue_amount_eur,
    recovered_amount_eur, recovery_share (queries/control_outcomes.sql)."""
    df = query(
        "control_outcomes",
        date_from=period.start,
        date_to=period.end,
        pole_code=pole_code,
        control_kinds=control_kinds(),
    )
    labels = [
        EQUIPMENT_LABELS.get(k, NOT_GIVEN) if b == "equipment" else lab
        for b, k, lab in zip(df["breakdown"], df["key"], df["label"], strict=True)
    ]
    return df.with_columns(pl.Series("label", labels, dtype=pl.String))


def partner_controls(pole_code: str, row_limit: int | None = None) -> pl.DataFrame:
    """Grain: one partner, watch-list first, then by name; the first ``row_limit`` only
    (all when None), which hold the first ``row_limit`` of the watch-list too. Columns:
    partner_id, partner_name, partner_type, head_office_dep_code, caf_count,
    facilities_count, risk_level, controls_count, findings_count, undue_amount_eur,
    last_control_on, last_control_has_findings, is_on_watch_list, total_count,
    watch_count (partners and watch-list in all, whatever ``row_limit``;
    queries/partner_controls.sql)."""
    return query(
        "partner_controls",
        pole_code=pole_code,
        watch_risk_levels=list(rules()["partners"]["watch_risk_levels"]),
        row_limit=row_limit,
    )


# -- resources ---------------------------------------------------------------------


def staff_by_pole(period: Period) -> pl.DataFrame:
    """Grain: one pôle (zeros included). Columns: pole_code, pole_short_label, pole_sort,
    positions_count, people_in_post_count, fte_positions, fte_in_post, fte_vacant,
    fte_to_come, done_count, done_per_fte (queries/staff_by_pole.sql)."""
    return query("staff_by_pole", date_from=period.start, date_to=period.end)


def staff_positions(pole_code: str) -> pl.DataFrame:
    """Grain: one position. Columns: staff_id, pole_code, pole_short_label, pole_sort,
    job, funding_line, fte, start_on, state (queries/staff_positions.sql)."""
    return query("staff_positions", pole_code=pole_code)


def staffing_plan() -> dict:
    """The letter's plan: total_fte, funding_lines (line -> FTE), both summed from the
    plan by pôle and job (``staffing_plan_rows``), people_per_pole_min,
    people_per_pole_max, planned_start_on (``steering.toml``)."""
    rows = staffing_plan_rows()
    lines = rows.group_by("funding_line", maintain_order=True).agg(pl.col("planned_fte").sum())
    return {
        **rules()["staffing"],
        "total_fte": float(rows["planned_fte"].sum()),
        "funding_lines": dict(lines.iter_rows()),
    }


STAFFING_PLAN_SCHEMA = {
    "pole_code": pl.String,
    "job": pl.String,
    "funding_line": pl.String,
    "planned_people_count": pl.Int64,
    "planned_fte": pl.Float64,
}


@lru_cache(maxsize=1)
def _staffing_plan_file() -> pl.DataFrame:
    return pl.read_csv(REFERENCE_DIR / "staffing_plan.csv", schema=STAFFING_PLAN_SCHEMA)


def staffing_plan_rows() -> pl.DataFrame:
    """The letter's plan by pôle and job (``reference/staffing_plan.csv``, read once).
    Grain: one (pole_code, job). Columns: pole_code, job, funding_line (the line that
    pays the job in that pôle), planned_people_count, planned_fte.

    The letter gives the total (39.5 FTE), the three funding lines (11.5 SNA, 10.5 risk
    control, 17.5 engineering), 7 to 9 people per pivot Caf and the four jobs; the split
    by pôle and job is the reading of it kept in this one file: the SNA FTE stay with
    the former SNA Cafs (Centre-Est and Méditerranée), the risk-control FTE pay the
    controllers and analysts of the three new pôles, the engineering FTE the experts
    everywhere and the coordinators of the new pôles."""
    return _staffing_plan_file().clone()


def staffing_held_on(period: Period) -> date:
    """The date the positions of a period are counted as held at: the period's end, or
    today when the period is not over."""
    return min(period.end, clock.today())


def staffing_by_pole_job(period: Period) -> pl.DataFrame:
    """The plan against the positions held at ``staffing_held_on(period)``, by pôle and
    job. Grain: one (pôle, job) of the plan or of the staff. Columns: pole_code,
    pole_short_label, pole_sort, job, job_sort, funding_line, planned_people_count,
    planned_fte, positions_fte, held_people_count, held_fte, gap_fte (held − plan)
    (queries/staffing_pole_job.sql)."""
    return run_sql("staffing_pole_job", **staffing_pole_job_params(period))


def staffing_pole_job_params(period: Period) -> dict:
    """The parameters of queries/staffing_pole_job.sql: the plan as lists, the date."""
    plan = staffing_plan_rows()
    return dict(
        held_on=staffing_held_on(period),
        plan_pole_codes=plan["pole_code"].to_list(),
        plan_jobs=plan["job"].to_list(),
        plan_funding_lines=plan["funding_line"].to_list(),
        plan_people_counts=plan["planned_people_count"].to_list(),
        plan_ftes=plan["planned_fte"].to_list(),
        job_codes=list(rules()["labels"]["jobs"]),
    )


def staffing_activity_per_fte(period: Period) -> pl.DataFrame:
    """Each pôle's activities done in the period (every kind, status done, dated up to
    ``staffing_held_on(period)``) per FTE held at that date. Grain: one pôle (every
    pôle). Columns: pole_code, pole_short_label, pole_sort, planned_fte, held_fte,
    done_count, done_per_fte (null when the pôle holds no FTE)
    (queries/staffing_done_by_pole.sql and queries/staffing_pole_job.sql)."""
    done = run_sql(
        "staffing_done_by_pole", date_from=period.start, held_on=staffing_held_on(period)
    )
    fte = (
        staffing_by_pole_job(period)
        .group_by("pole_code")
        .agg(pl.col("planned_fte").sum(), pl.col("held_fte").sum())
    )
    return (
        done.join(fte, on="pole_code", how="left")
        .with_columns(pl.col("planned_fte", "held_fte").fill_null(0.0))
        .with_columns(
            pl.when(pl.col("held_fte") > 0)
            .then(pl.col("done_count") / pl.col("held_fte"))
            .otherwise(None)
            .alias("done_per_fte")
        )
        .select(
            "pole_code",
            "pole_short_label",
            "pole_sort",
            "planned_fte",
            "held_fte",
            "done_count",
            "done_per_fte",
        )
        .sort("pole_sort")
    )


# -- saisines ----------------------------------------------------------------------


def request_delays(period: Period, pole_code: str) -> pl.DataFrame:
    """Grain: (breakdown, key), breakdown 'all', 'pole', 'caf' or 'priority'. Columns:
    breakdown, key, label (French priority labels), sort_key, received_count,
    not_taken_up_count, in_progress_count, done_count, refused_count, misrouted_count,
    high_priority_count, take_up_median_days, take_up_p90_days, close_median_days,
    close_p90_days (queries/request_delays.sql)."""
    df = query("request_delays", date_from=period.start, date_to=period.end, pole_code=pole_code)
    labels = [
        (NOT_GIVEN if k == "non_renseigne" else PRIORITY_LABELS.get(k, k))
        if b == "priority"
        else lab
        for b, k, lab in zip(df["breakdown"], df["key"], df["label"], strict=True)
    ]
    return df.with_columns(pl.Series("label", labels, dtype=pl.String))


def backlog_bands() -> list[int]:
    return [int(d) for d in rules()["requests"]["backlog_band_days"]]


def travel_fees(period: Period, pole_code: str) -> pl.DataFrame:
    """Grain: Caf x month with at least one charged intervention. Columns: caf_code,
    caf_name, pole_short_label, month_start, interventions_count, travel_fee_eur
    (queries/travel_fees.sql)."""
    return query("travel_fees", date_from=period.start, date_to=period.end, pole_code=pole_code)


def activity_monthly_by_pole(period: Period, activity_kinds: list[str]) -> pl.DataFrame:
    """Grain: pôle x month of the period (zeros included, null after today). Columns:
    pole_code, pole_short_label, pole_sort, month_start, done_count
    (queries/activity_monthly_by_pole.sql)."""
    return query(
        "activity_monthly_by_pole",
        date_from=period.start,
        date_to=period.end,
        activity_kinds=list(activity_kinds),
    )


def control_kind_labels() -> list[str]:
    """French labels of the control kinds, in the reference order."""
    kinds = reference.activity_kinds().filter(pl.col("activity_kind").is_in(control_kinds()))
    return kinds.sort("sort_order")["activity_label"].to_list()


def glossary() -> pl.DataFrame:
    """Grain: one term. Columns: term, aliases ('|'-separated other headers of the same
    figure), kind ('indicateur', 'mesure' or 'dimension'), definition, formula, source,
    unit, target."""
    return pl.read_csv(REFERENCE_DIR / "glossary.csv", infer_schema=False)
