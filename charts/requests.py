"""Display tables of one saisine followed from its reception (the Saisines page): its
steps, the activities it produced, and the saisines to choose from. Pure functions:
query rows in, typed frames with French headers and labels out (dates stay dates: the
page formats them)."""

from __future__ import annotations

import polars as pl

from sppe_data import entries, fmt
from sppe_data.reference import STATUS_LABELS
from sppe_data.steering import NOT_GIVEN

# What each row of a saisine's history is called: its reception, the steps of the app
# (``entries.REQUEST_STEP_LABELS``) and a refusal given by the national extract.
STEP_KIND_LABELS = {"received": "Réception", **entries.REQUEST_STEP_LABELS, "refused": "Refus"}
# The state a saisine is in after each kind of step: where its next step starts from.
_STATE_AFTER = {"received": "received", "taken_up": "in_progress"}


def _labels(column: str, labels: dict[str, str]) -> pl.Expr:
    return pl.col(column).replace_strict(labels, default=pl.col(column), return_dtype=pl.String)


def step_history(steps: pl.DataFrame) -> pl.DataFrame:
    """The steps of one saisine, in order: typed dates, French labels; who recorded a
    step in the app (the extract's dates were given by the national extract)."""
    return steps.select(
        _labels("step_kind", STEP_KIND_LABELS).alias("Étape de la saisine"),
        pl.col("step_on").alias("Date"),
        pl.col("taken_up_by").fill_null("").alias("Prise en charge par"),
        _labels("outcome_code", entries.request_outcomes()).fill_null("").alias("Issue"),
        pl.col("redirected_to").fill_null("").alias("Réorientée vers"),
        pl.col("comment").fill_null("").alias("Commentaire"),
        pl.col("recorded_by").fill_null("Extraction nationale").alias("Enregistrée par"),
    )


def produced_activities(activities: pl.DataFrame) -> pl.DataFrame:
    """The activities a saisine produced, oldest first (typed date and days)."""
    return activities.select(
        pl.col("activity_id").alias("Activité"),
        pl.col("activity_on").alias("Date"),
        pl.col("activity_label").alias("Type d'activité"),
        _labels("status", STATUS_LABELS).alias("Statut"),
        pl.col("pole_short_label").fill_null(NOT_GIVEN).alias("Pôle"),
        pl.col("days_spent").alias("Jours passés"),
    )


def state_after(steps: pl.DataFrame) -> str | None:
    """Where the saisine stands after its last step: 'received', 'in_progress', or
    None once it has ended (closed, refused, cancelled, redirected); the data layer
    checks the step again when it is recorded."""
    if steps.is_empty():
        return None
    return _STATE_AFTER.get(steps["step_kind"][-1])


def waiting_choices(waiting: pl.DataFrame) -> dict[str, str]:
    """Saisine id -> « S1 · reçue le 20/01/2026 · Caf du Nord · objet (prise en
    charge) », oldest first (rows of ``steering.requests_open``)."""
    status = entries.REQUEST_STATUS_LABELS
    return {
        r["request_id"]: (
            f"{r['request_id']} · reçue le {fmt.day(r['received_on'])} · "
            f"{r['caf_name'] or NOT_GIVEN} · {r['request_label']} "
            f"({status.get(r['status'], r['status']).lower()})"
        )
        for r in waiting.iter_rows(named=True)
    }
