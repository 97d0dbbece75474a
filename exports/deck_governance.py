"""The governance slides of the committee deck: the year's orientations, the work plan's
milestones, the experiments, the actions still open at the COPIL and the decisions of
its last meeting in the period, and the actions still open at the operational
committees.

The deck's "as of" date is ``min(today, end of the period)``: the situation the
committee looks at. For a one-pôle deck, the slides keep that pôle's records and the
mission's (national) ones. A slide has a table, or a French sentence saying there is
nothing to show (never an empty table); a table is cut at ``MAX_ROWS`` rows, the
sentence saying how many are left out.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import polars as pl

from charts import governance_meetings as tables
from sppe_data import api, fmt, reference
from sppe_data import governance as gov
from sppe_data.governance import model
from sppe_data.reference import DOMAIN_LABELS

if TYPE_CHECKING:  # exports.deck imports this module: Slide is read when a slide is built
    from exports.deck import DeckContext, Slide

MAX_ROWS = 12
TITLE_CHARS = 160  # a slide's cell shows at most this much of a title
TEXT_CHARS = 400  # and of a decision's text
HALF_LABELS = {1: "1er semestre", 2: "2e semestre"}
EXPERIMENT_ORDER = ("en_cours", "propose", "evaluee", "arretee")
# The operational committees by their domain's short label.
OPS_LABELS = {committee: DOMAIN_LABELS[domain] for domain, committee in
              model.DOMAIN_COMMITTEE.items()}  # fmt: skip
TITLES = (
    "Orientations de l'année",
    "Plan de travail : jalons",
    "Expérimentations",
    "Actions ouvertes du COPIL",
    "Décisions du dernier COPIL",
    "Actions ouvertes des comités opérationnels",
)


def _slide(**fields) -> Slide:
    from exports.deck import Slide

    return Slide(**fields)


def as_of(ctx: DeckContext) -> date:
    """The date the governance slides describe: today, or the end of a past period."""
    return min(ctx.today, ctx.period.end)


def short(text: str | None, limit: int) -> str | None:
    """A text cut at ``limit`` characters (an ellipsis says so)."""
    if text is None or len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def plural(n: int, singular: str, plural_form: str) -> str:
    return f"{fmt.number(n)} {singular if n <= 1 else plural_form}"


def cut(table: pl.DataFrame, singular: str, plural_form: str) -> tuple[pl.DataFrame, str]:
    """The first ``MAX_ROWS`` rows, and the sentence « + N autres … » when some are left
    out ("" otherwise)."""
    if table.height <= MAX_ROWS:
        return table, ""
    left = table.height - MAX_ROWS
    others = "autre" if left == 1 else "autres"
    noun = singular if left == 1 else plural_form
    return table.head(MAX_ROWS), f"+ {fmt.number(left)} {others} {noun}, dans l'application."


def _scoped(frame: pl.DataFrame, column: str, pole_code: str) -> pl.DataFrame:
    """All rows for the whole mission; else the pôle's and the mission's (no pôle)."""
    if pole_code == api.ALL_POLES:
        return frame
    return frame.filter(pl.col(column).is_null() | (pl.col(column) == pole_code))


def _pole_labels() -> dict[str, str]:
    """Short labels (« IDF-HDF »), as in the deck's pôle table."""
    return dict(reference.poles().select("pole_code", "pole_short_label").iter_rows())


def _joined(sentences: list[str]) -> str:
    return " ".join(s for s in sentences if s)


# --- the slides ---------------------------------------------------------------------------


def orientations_slide(ctx: DeckContext) -> Slide:
    year = ctx.period.year
    title, subtitle = TITLES[0], f"Mission, année {year}"
    rows = gov.records("orientation", year=year)
    if rows.is_empty():
        return _slide(
            title=title, subtitle=subtitle,
            sentence=f"Aucune orientation n'est enregistrée pour l'année {year}.",
        )  # fmt: skip
    indicators = dict(reference.indicators().select("indicator_code", "indicator_label").rows())
    table = pl.DataFrame(
        {
            "Orientation": rows["title"],
            "Responsable": rows["owner"],
            "Indicateurs suivis": [
                ", ".join(indicators.get(c, c) for c in (codes or "").split(",") if c) or "–"
                for codes in rows["indicator_codes"]
            ],
        },
        schema={"Orientation": pl.String, "Responsable": pl.String,
                "Indicateurs suivis": pl.String},
    )  # fmt: skip
    shown, more = cut(table, "orientation", "orientations")
    return _slide(title=title, subtitle=subtitle, table=shown, sentence=more)


def milestones_slide(ctx: DeckContext) -> Slide:
    year, day = ctx.period.year, as_of(ctx)
    title = TITLES[1]
    subtitle = f"{ctx.pole_label}, plan de travail {year} · situation au {fmt.day(day)}"
    rows = _scoped(gov.milestones(year, day), "pole_code", ctx.pole_code)
    if rows.is_empty():
        return _slide(
            title=title, subtitle=subtitle,
            sentence=f"Aucun jalon n'est inscrit au plan de travail {year}"
            + ("." if ctx.pole_code == api.ALL_POLES else " pour ce pôle ou la mission."),
        )  # fmt: skip
    done = rows.filter(pl.col("status") == "fait").height
    dropped = rows.filter(pl.col("status") == "abandonne").height
    late = rows.filter(pl.col("is_late"))
    coming = rows.filter(~pl.col("is_late") & ~pl.col("status").is_in(model.DONE_MILESTONE_STATUS))
    counts = (
        f"{plural(rows.height, 'jalon', 'jalons')} en {year} : "
        f"{plural(done, 'fait', 'faits')}, {fmt.number(late.height)} en retard, "
        f"{fmt.number(coming.height)} à venir"
        + (f", {plural(dropped, 'abandonné', 'abandonnés')}" if dropped else "")
        + "."
    )
    listed = pl.concat([late.sort("due_on", "milestone_id"), coming.sort("due_on", "milestone_id")])
    if listed.is_empty():
        return _slide(
            title=title, subtitle=subtitle,
            sentence=counts + " Aucun jalon en retard ni à venir.",
        )  # fmt: skip
    poles = _pole_labels()
    table = pl.DataFrame(
        [
            {
                "Jalon": short(r["title"], TITLE_CHARS),
                "Semestre": HALF_LABELS.get(r["half"], str(r["half"])),
                "Pôle": tables.pole_name(r["pole_code"], poles),
                "Échéance": fmt.day(r["due_on"]),
                "Situation": "En retard" if r["is_late"] else "À venir",
                "Statut": model.MILESTONE_STATUS.get(r["status"], r["status"]),
                "Responsable": r["owner"] or "–",
            }
            for r in listed.iter_rows(named=True)
        ],
        orient="row",
    )
    shown, more = cut(table, "jalon", "jalons")
    return _slide(title=title, subtitle=subtitle, table=shown, sentence=_joined([counts, more]))


def experiments_slide(ctx: DeckContext) -> Slide:
    year = ctx.period.year
    title = TITLES[2]
    subtitle = f"{ctx.pole_label} · en cours et proposées, puis terminées en {year}"
    rows = gov.records("experiment")
    if ctx.pole_code != api.ALL_POLES:
        rows = rows.filter(
            pl.col("lead_pole_code").is_null()
            | (pl.col("lead_pole_code") == ctx.pole_code)
            | pl.col("pole_codes").str.split(",").list.contains(ctx.pole_code)
        )
    rows = rows.filter(
        pl.col("status").is_in(["en_cours", "propose"])
        | pl.col("ended_on").is_null()
        | (pl.col("ended_on") >= date(year, 1, 1))
    )
    if rows.is_empty():
        return _slide(
            title=title, subtitle=subtitle,
            sentence=f"Aucune expérimentation en cours, proposée ou terminée en {year}.",
        )  # fmt: skip
    order = {s: i for i, s in enumerate(EXPERIMENT_ORDER)}
    rows = rows.with_columns(
        pl.col("status").replace_strict(order, default=len(order)).alias("_order")
    ).sort(["_order", "started_on", "title"], nulls_last=True)
    poles = _pole_labels()
    table = pl.DataFrame(
        [
            {
                "Expérimentation": short(r["title"], TITLE_CHARS),
                "Statut": model.EXPERIMENT_STATUS.get(r["status"], r["status"]),
                "Pôle pilote": tables.pole_name(r["lead_pole_code"], poles),
                "Pôles associés": ", ".join(
                    poles.get(p, p) for p in (r["pole_codes"] or "").split(",") if p
                )
                or "–",
                "Début": fmt.day(r["started_on"]),
                "Fin": fmt.day(r["ended_on"]),
                "Responsable": r["owner"],
            }
            for r in rows.iter_rows(named=True)
        ],
        orient="row",
    )
    shown, more = cut(table, "expérimentation", "expérimentations")
    return _slide(title=title, subtitle=subtitle, table=shown, sentence=more)


def _open_actions(ctx: DeckContext, day: date) -> pl.DataFrame:
    pole = None if ctx.pole_code == api.ALL_POLES else ctx.pole_code
    return gov.open_actions(day, pole_code=pole)


def _actions_table(actions: pl.DataFrame, with_committee: bool) -> pl.DataFrame:
    table = tables.as_text(tables.carried_table(actions, _pole_labels()))
    table = table.with_columns(
        pl.col("Action").map_elements(lambda t: short(t, TITLE_CHARS), return_dtype=pl.String)
    )
    if with_committee:
        committees = [
            OPS_LABELS.get(c, model.COMMITTEES.get(c, c))
            for c in tables.late_first(actions)["committee"]
        ]
        table = table.insert_column(0, pl.Series("Comité", committees, dtype=pl.String))
    return table


def _actions_sentence(actions: pl.DataFrame, day: date) -> str:
    late = int(actions["is_late"].sum())
    return (
        f"{plural(actions.height, 'action ouverte', 'actions ouvertes')} au {fmt.day(day)}, "
        f"dont {fmt.number(late)} en retard (échéance dépassée)."
    )


def copil_actions_slide(ctx: DeckContext, opened: pl.DataFrame) -> Slide:
    day = as_of(ctx)
    title, subtitle = TITLES[3], f"{ctx.pole_label} · situation au {fmt.day(day)}"
    actions = opened.filter(pl.col("committee") == "copil")
    if actions.is_empty():
        return _slide(
            title=title, subtitle=subtitle,
            sentence=f"Aucune action du COPIL stratégique n'est ouverte au {fmt.day(day)}.",
        )  # fmt: skip
    shown, more = cut(_actions_table(actions, False), "action", "actions")
    return _slide(
        title=title, subtitle=subtitle, table=shown,
        sentence=_joined([_actions_sentence(actions, day), more]),
    )  # fmt: skip


def copil_decisions_slide(ctx: DeckContext) -> Slide:
    day = as_of(ctx)
    title = TITLES[4]
    meetings = tables.meetings_between(
        gov.records("meeting", committee="copil"), ctx.period.start, day
    )
    if meetings.is_empty():
        return _slide(
            title=title, subtitle=f"{ctx.pole_label}, {ctx.period.label}",
            sentence=f"Aucune réunion du COPIL stratégique n'est enregistrée sur la période "
            f"({ctx.period.label}, jusqu'au {fmt.day(day)}).",
        )  # fmt: skip
    last = meetings.row(-1, named=True)
    subtitle = f"{ctx.pole_label} · COPIL stratégique du {fmt.long_day(last['held_on'])}"
    decisions = _scoped(
        gov.records("decision", meeting_id=last["meeting_id"]), "pole_code", ctx.pole_code
    )
    if decisions.is_empty():
        return _slide(
            title=title, subtitle=subtitle,
            sentence=f"Aucune décision n'est enregistrée pour le COPIL du "
            f"{fmt.day(last['held_on'])}.",
        )  # fmt: skip
    table = tables.decisions_table(decisions, _pole_labels()).with_columns(
        pl.col("Décision").map_elements(lambda t: short(t, TEXT_CHARS), return_dtype=pl.String)
    )
    shown, more = cut(table, "décision", "décisions")
    return _slide(title=title, subtitle=subtitle, table=shown, sentence=more)


def ops_actions_slide(ctx: DeckContext, opened: pl.DataFrame) -> Slide:
    day = as_of(ctx)
    title = TITLES[5]
    subtitle = (
        f"{ctx.pole_label} · maîtrise des risques et ingénierie · situation au {fmt.day(day)}"
    )
    actions = opened.filter(pl.col("committee") != "copil")
    if actions.is_empty():
        return _slide(
            title=title, subtitle=subtitle,
            sentence="Aucune action des comités opérationnels n'est ouverte au "
            f"{fmt.day(day)}.",
        )  # fmt: skip
    shown, more = cut(_actions_table(actions, True).drop("Statut"), "action", "actions")
    return _slide(
        title=title, subtitle=subtitle, table=shown,
        sentence=_joined([_actions_sentence(actions, day), more]),
    )  # fmt: skip


def governance_slides(ctx: DeckContext) -> list[Slide]:
    """The governance slides, in the order of ``TITLES``."""
    opened = _open_actions(ctx, as_of(ctx))
    return [
        orientations_slide(ctx),
        milestones_slide(ctx),
        experiments_slide(ctx),
        copil_actions_slide(ctx, opened),
        copil_decisions_slide(ctx),
        ops_actions_slide(ctx, opened),
    ]
