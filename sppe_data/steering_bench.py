"""The queries each steering page runs on its first display (default choices), for
``python -m sppe_data bench``. Kept next to the pages' read functions so that a page
and its benchmark change together."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sppe_data import steering as s


def _indicateurs(today: date, year: int) -> list[tuple[str, dict]]:
    p = s.year_period(year)
    period = {"date_from": p.start, "date_to": p.end}
    monthly = {"today": today, "indicator_code": "audits_terrain", "pole_code": "all"}
    return [
        ("indicator_progress", {"year": year, "today": today}),
        s.bench_calls("activity_breakdown", today, **period, pole_code="all", dimension="pole"),
        s.bench_calls(
            "activity_list",
            today,
            **period,
            pole_code="all",
            activity_kind="all",
            dimension="pole",
            dim_key="all",
            row_limit=s.DRILL_ROW_LIMIT,
        ),
        s.bench_calls(
            "activity_monthly_by_pole", today, **period, activity_kinds=["appui_methodo_plan"]
        ),
        ("indicator_monthly", {"year": year, **monthly}),
        ("indicator_monthly", {"year": year - 1, **monthly}),
    ]


def _copil(today: date, year: int) -> list[tuple[str, dict]]:
    params = s.copil_semester_params(year, s.current_semester(today)[1])
    return [s.bench_calls("copil_semester", today, **params)]


def _comite(today: date, year: int) -> list[tuple[str, dict]]:
    month = today.replace(day=1)
    as_of = min(s.month_period(month).end, today)
    scope = {"domain": "maitrise_risques", "pole_code": "all"}
    late = int(s.rules()["operations"]["late_after_days"])
    return [
        s.bench_calls("ops_month_activity", today, month_start=month, **scope),
        s.bench_calls(
            "ops_late_items",
            today,
            as_of=as_of,
            late_after_days=late,
            row_limit=s.TOP_ROWS,
            **scope,
        ),
        s.bench_calls("requests_open", today, as_of=as_of, row_limit=s.TOP_ROWS, **scope),
    ]


def _controles(today: date, year: int) -> list[tuple[str, dict]]:
    p = s.year_period(year)
    return [
        s.bench_calls(
            "control_outcomes",
            today,
            date_from=p.start,
            date_to=p.end,
            pole_code="all",
            control_kinds=s.control_kinds(),
        ),
        s.bench_calls(
            "partner_controls",
            today,
            pole_code="all",
            watch_risk_levels=list(s.rules()["partners"]["watch_risk_levels"]),
            row_limit=s.TOP_ROWS,
        ),
    ]


def _ressources(today: date, year: int) -> list[tuple[str, dict]]:
    p = s.year_period(year)
    return [
        s.bench_calls("staff_by_pole", today, date_from=p.start, date_to=p.end),
        s.bench_calls("staff_positions", today, pole_code="all"),
        s.bench_calls("staffing_pole_job", today, **s.staffing_pole_job_params(p)),
        s.bench_calls(
            "staffing_done_by_pole", today, date_from=p.start, held_on=s.staffing_held_on(p)
        ),
    ]


def _saisines(today: date, year: int) -> list[tuple[str, dict]]:
    p = s.year_period(year)
    period = {"date_from": p.start, "date_to": p.end, "pole_code": "all"}
    return [
        s.bench_calls("request_delays", today, **period),
        s.bench_calls(
            "requests_open_ages", today, as_of=min(today, p.end), pole_code="all", domain="all"
        ),
        s.bench_calls(
            "requests_open",
            today,
            as_of=min(today, p.end),
            pole_code="all",
            domain="all",
            row_limit=s.TOP_ROWS,
        ),
        s.bench_calls("travel_fees", today, **period),
    ]


STEERING_PAGE_QUERIES: dict[str, Callable[[date, int], list[tuple[str, dict]]]] = {
    "Indicateurs": _indicateurs,
    "COPIL stratégique": _copil,
    "Comité opérationnel": _comite,
    "Contrôles": _controles,
    "Ressources": _ressources,
    "Saisines": _saisines,
}
