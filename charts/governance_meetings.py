"""Display tables of the « Décisions et actions » section of the committee pages (COPIL
stratégique, comités opérationnels) and of the deck's governance slides.

Pure builders: rows of ``sppe_data.governance`` in (typed: dates are dates), display
frames out, with French headers. Dates stay dates (the page formats them with
``st.column_config``; ``as_text`` turns them into ``05/03/2026`` for a slide). The
« En retard » column is text (« Oui » / « Non »), not a flag: it reads the same on
screen, in a slide and in a downloaded CSV. Codes become labels here; a pôle left empty
is the mission (national level).
"""

from __future__ import annotations

from datetime import date

import polars as pl

from sppe_data import fmt
from sppe_data.governance import model

LATE_LABELS = {True: "Oui", False: "Non"}
CARRIED_COLUMNS = {
    "Action": pl.String,
    "Responsable": pl.String,
    "Pôle": pl.String,
    "Échéance": pl.Date,
    "En retard": pl.String,
    "Statut": pl.String,
    "Décidée le": pl.Date,
}
DECISION_COLUMNS = {"Décision": pl.String, "Pôle concerné": pl.String}
ACTION_COLUMNS = {
    "Action": pl.String,
    "Responsable": pl.String,
    "Pôle": pl.String,
    "Échéance": pl.Date,
    "Statut": pl.String,
    "Clôturée le": pl.Date,
    "En retard": pl.String,
}


def pole_name(code: str | None, pole_labels: dict[str, str]) -> str:
    """The pôle's label; the mission's when the code is empty; an unknown code as is."""
    return model.MISSION_LABEL if code is None else pole_labels.get(code, code)


def _frame(rows: list[dict], columns: dict[str, pl.DataType]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=columns, orient="row")


def late_first(actions: pl.DataFrame) -> pl.DataFrame:
    """Open actions (rows with ``is_late``), the late ones first, then by due date,
    meeting date and id."""
    return actions.sort(
        ["is_late", "due_on", "meeting_held_on", "action_id"],
        descending=[True, False, False, False],
    )


def carried_table(carried: pl.DataFrame, pole_labels: dict[str, str]) -> pl.DataFrame:
    """The actions of earlier meetings still open at a meeting (``gov.carried_actions``
    rows), late ones first."""
    rows = [
        {
            "Action": r["title"],
            "Responsable": r["owner"],
            "Pôle": pole_name(r["pole_code"], pole_labels),
            "Échéance": r["due_on"],
            "En retard": LATE_LABELS[bool(r["is_late"])],
            "Statut": model.ACTION_STATUS.get(r["status"], r["status"]),
            "Décidée le": r["meeting_held_on"],
        }
        for r in late_first(carried).iter_rows(named=True)
    ]
    return _frame(rows, CARRIED_COLUMNS)


def meetings_between(meetings: pl.DataFrame, start: date, end: date) -> pl.DataFrame:
    """The meetings (``gov.records("meeting")`` rows) held from ``start`` to ``end``
    included, in date order."""
    return meetings.filter(pl.col("held_on").is_between(start, end)).sort("held_on")


def decisions_table(decisions: pl.DataFrame, pole_labels: dict[str, str]) -> pl.DataFrame:
    """The decisions of a meeting, in the order they were recorded."""
    rows = [
        {
            "Décision": r["text"],
            "Pôle concerné": pole_name(r["pole_code"], pole_labels),
        }
        for r in decisions.iter_rows(named=True)
    ]
    return _frame(rows, DECISION_COLUMNS)


def actions_table(actions: pl.DataFrame, pole_labels: dict[str, str], as_of: date) -> pl.DataFrame:
    """The actions recorded at a meeting (``gov.records("action")`` rows), in the order
    they were recorded; « En retard » is the situation at ``as_of`` (``model.is_late``)."""
    rows = [
        {
            "Action": r["title"],
            "Responsable": r["owner"],
            "Pôle": pole_name(r["pole_code"], pole_labels),
            "Échéance": r["due_on"],
            "Statut": model.ACTION_STATUS.get(r["status"], r["status"]),
            "Clôturée le": r["closed_on"],
            "En retard": LATE_LABELS[
                model.is_late(r["status"], r["due_on"], r["closed_on"], as_of)
            ],
        }
        for r in actions.iter_rows(named=True)
    ]
    return _frame(rows, ACTION_COLUMNS)


def editable(actions: pl.DataFrame, role: str, pole_code: str | None) -> pl.DataFrame:
    """The actions a user of ``role`` may update: every one for the Cnaf, those of its
    own pôle for a pôle user, none otherwise (the data layer checks it again)."""
    if role == "cnaf":
        return actions
    if role == "pole":
        return actions.filter(pl.col("pole_code") == pole_code)
    return actions.clear()


def action_option(title: str, due_on: date, held_on: date | None = None) -> str:
    """How an action reads in a select box: its title, due date and meeting."""
    text = f"{title} · échéance {fmt.day(due_on)}"
    return text + (f" · réunion du {fmt.day(held_on)}" if held_on else "")


def as_text(table: pl.DataFrame) -> pl.DataFrame:
    """A display table with its dates written ``05/03/2026`` (« – » when missing): for
    a slide, whose cells are text."""
    return table.with_columns(
        pl.col(c).map_elements(fmt.day, return_dtype=pl.String, skip_nulls=False)
        for c, dtype in table.schema.items()
        if dtype == pl.Date
    )
