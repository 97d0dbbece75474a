"""Consistency checks of the national extracts against the reference data (``sppe check``),
and the count of the activities that a mission total includes outside every pôle.

Unknown codes: the rows of the extracts whose pôle, département, Caf, activity kind,
status, project stage, equipment or project kind is not in the reference
(``queries/check_unknown_codes.sql``: the rules, one per extract column). The journal's
rows are not checked: they were validated against the same reference when entered
(``sppe_data.entries``). An unavailable extract has no row to check; ``sppe check``
reports it as such (``db.data_problems()``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from sppe_data import clock, entries, fmt, projects, reference
from sppe_data.db import run_sql
from sppe_data.extracts import EXTRACTS

MAX_EXAMPLES = 5  # examples per extract column (the query keeps the first 5 by id)


@dataclass(frozen=True)
class UnknownCodes:
    """The rows of one extract column whose code is unknown to the reference."""

    extract_name: str
    column_name: str
    column_label: str  # French
    row_count: int
    examples: tuple[tuple[str | None, str | None], ...]  # (row id, value), first by id

    def describe(self) -> str:
        """One French line: extract, column, count and examples."""
        rows = "ligne" if self.row_count == 1 else "lignes"
        shown = ", ".join(
            f"{row_id or '(sans identifiant)'} : " + ("(vide)" if value is None else f"« {value} »")
            for row_id, value in self.examples
        )
        return (
            f"{EXTRACTS[self.extract_name].label} — {self.column_label} ({self.column_name}) : "
            f"{fmt.number(self.row_count)} {rows} au code inconnu ou absent ; exemples : {shown}."
        )


def unknown_codes() -> list[UnknownCodes]:
    """Every extract column with rows whose code is unknown, in the order of the
    extracts and their columns; empty when every code is known."""
    frame = run_sql(
        "check_unknown_codes",
        activity_statuses=list(reference.STATUS_LABELS),
        request_statuses=list(entries.REQUEST_STATUS_LABELS),
        project_stages=list(projects.STAGE_LABELS),
        equipment_kinds=list(reference.EQUIPMENT_LABELS),
        project_kinds=list(projects.KIND_LABELS),
    )
    return [
        UnknownCodes(
            extract_name=r["extract_name"],
            column_name=r["column_name"],
            column_label=r["column_label"],
            row_count=int(r["row_count"]),
            examples=tuple((e["row_id"], e["value"]) for e in r["examples"][:MAX_EXAMPLES]),
        )
        for r in frame.iter_rows(named=True)
    ]


def out_of_pole_activities(date_from: date, date_to: date) -> pl.DataFrame:
    """Realised activities of the targeted kinds booked to no pôle (pôle absent or
    unknown) from ``date_from`` to ``date_to`` (up to today). The mission rows of the
    indicator queries include them, the pôle rows do not. The Cepaje's overseas
    engineering is not among them: a known scope, not a pôle, counted apart
    (``national_scope_count`` of ``api.indicator_progress``).

    Grain: one row per indicator that has such activities. Columns: indicator_code,
    activity_count (queries/out_of_pole_activities.sql)."""
    return run_sql(
        "out_of_pole_activities", date_from=date_from, date_to=date_to, today=clock.today()
    )
