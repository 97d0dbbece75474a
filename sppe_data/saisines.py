"""One saisine followed from its reception: its steps (``queries/request_steps.sql``)
and the activities it produced (``queries/request_activities.sql``). Steps are recorded
by ``sppe_data.journal.record_request_step``; the backlog and the delays read the
``requests`` view, where those steps are applied (``sppe_data.journal``)."""

from __future__ import annotations

import polars as pl

from sppe_data.db import run_sql

ID_MAX = 40


def _id(request_id: object) -> str | None:
    if not isinstance(request_id, str) or not request_id.strip() or len(request_id) > ID_MAX:
        return None
    return request_id.strip()


def request_steps(request_id: str) -> pl.DataFrame:
    """Grain: one step of the saisine ``request_id``, in order (empty when unknown).
    Columns: step_order, step_kind, step_on, taken_up_by, outcome_code, redirected_to,
    comment, recorded_by, recorded_at (queries/request_steps.sql)."""
    return run_sql("request_steps", request_id=_id(request_id))


def request_activities(request_id: str) -> pl.DataFrame:
    """Grain: one activity produced by the saisine ``request_id``, oldest first.
    Columns: activity_id, activity_on, activity_label, status, pole_short_label,
    days_spent (queries/request_activities.sql)."""
    return run_sql("request_activities", request_id=_id(request_id))
